//! Server-only parts of the application: the store interface and the request context.

pub mod context;
pub mod store;

pub use context::{RequestContext, cx};
pub use store::{Comments, Decisions, Devices, Live, Sittings, Store};
