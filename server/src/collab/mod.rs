//! Real-time co-drafting: drafts as Yjs documents, spoken over the standard y-websocket protocol.
//! yrs is used only in this folder (and in `app/src/collab` for the browser).

pub mod bus;
pub mod doc;
pub mod events;
pub mod fuzzing;
pub mod hub;
pub mod lib0;
pub mod protocol;
pub mod sittings;
pub mod socket;
pub mod validate;
