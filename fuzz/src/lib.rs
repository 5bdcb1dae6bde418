//! The server's frame handling, included from `server/src/collab` so that the fuzzer tests the
//! very code the server runs. (At the crate root, their `super::` paths resolve to each other.)

// The server's document code calls `app::domain::document::authorship`: here `app` is this
// crate, which holds that one file at that path.
extern crate self as app;

#[path = "../../app/src/domain/document/authorship.rs"]
pub mod authorship;
/// The part of `app` the included server code calls, at its path there.
pub mod domain {
    pub mod document {
        pub use crate::authorship;
    }
}

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
