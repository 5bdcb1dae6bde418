//! Reusable pieces of the interface.

pub mod document;
pub mod draft_editor;
#[cfg(feature = "ssr")]
pub mod follow;
#[cfg(feature = "ssr")]
pub mod form;
pub mod islands;
#[cfg(feature = "ssr")]
pub mod layout;
#[cfg(feature = "ssr")]
pub mod process;
pub mod sitting_room;
#[cfg(feature = "ssr")]
pub mod text;
