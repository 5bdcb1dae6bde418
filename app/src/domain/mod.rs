//! Baraza's rules, free of I/O: compiled into the server and the browser alike.

pub mod account;
pub mod comments;
pub mod decision;
pub mod hex;
pub mod localized;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod org;
pub mod process;
#[cfg(feature = "ssr")]
pub mod record;
pub mod roles;
pub mod sitting;
pub mod text;
pub mod throttle;
