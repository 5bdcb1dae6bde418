//! Real-time co-drafting: drafts as Yjs documents, spoken over the standard y-websocket protocol.
//! yrs is used only in this folder (and in `app/src/collab` for the browser).

pub mod bus;
pub mod connection;
pub mod doc;
pub mod fuzzing;
pub mod hub;
pub mod legacy;
// Shared with the browser and named here as the fuzzer, which includes these files by path from
// a crate of its own, names them too: what a text may hold, the formats a draft may carry,
// lib0 and y-websocket's frames.
pub use app::domain::document::format;
pub use app::domain::input;
pub use app::sync::frames as protocol;
pub use app::sync::lib0;
pub mod room;
pub mod sitting_channels;
pub mod threads;
pub mod validate;
