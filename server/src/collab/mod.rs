//! Real-time co-drafting: drafts as Yjs documents, spoken over the standard y-websocket protocol.
//! yrs is used only in this folder (and in `app/src/collab` for the browser).

pub mod bus;
pub mod doc;
pub mod events;
pub mod fuzzing;
pub mod hub;
/// What a text may hold, re-exported here so that the validator names it as the fuzzer (which
/// includes these files by path) names it too.
pub use app::domain::input;
pub mod lib0;
pub mod protocol;
pub mod sittings;
pub mod socket;
pub mod validate;
