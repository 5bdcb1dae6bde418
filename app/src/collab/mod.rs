//! The browser side of co-drafting: a yrs document in WebAssembly, kept in step with the server
//! over y-websocket's protocol, bound to a Quill 2 editor (`quill.rs`: typing, formatting, paste,
//! IME composition, undo and redo of one's own edits), with presence and remote carets. Compiled only for the
//! browser; `components::draft_editor::DraftEditor` renders the markup it drives.

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "hydrate")]
mod long_press;
#[cfg(feature = "hydrate")]
mod margin;
#[cfg(feature = "hydrate")]
mod passages;
#[cfg(feature = "hydrate")]
pub mod quill;
pub mod reconnect;
#[cfg(feature = "hydrate")]
pub mod sitting_client;
pub mod view;
#[cfg(feature = "hydrate")]
pub mod writers;

#[cfg(feature = "hydrate")]
pub use client::start;
