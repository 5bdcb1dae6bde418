//! The server's frame handling, included from `server/src/collab` so that the fuzzer tests the
//! very code the server runs. (At the crate root, their `super::` paths resolve to each other.)

#[path = "../../server/src/collab/doc.rs"]
pub mod doc;
#[path = "../../server/src/collab/fuzzing.rs"]
pub mod fuzzing;
#[path = "../../app/src/domain/document/format.rs"]
pub mod format;
#[path = "../../app/src/domain/input.rs"]
pub mod input;
#[path = "../../app/src/sync/lib0.rs"]
pub mod lib0;
#[path = "../../app/src/sync/frames.rs"]
pub mod protocol;
#[path = "../../server/src/collab/validate.rs"]
pub mod validate;
