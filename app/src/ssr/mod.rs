//! Server-only parts of the application: the store interface and the request context.

pub mod changes;
pub mod context;
pub mod store;

pub use context::{RequestContext, cx};
pub use store::{
    AddressCheck, Answers, Comments, Decisions, Devices, DraftLog, Drafts, EmailVerifications,
    Follows, Live, Moderation, Notifications, Organisations, Outbox, PasswordResets, People,
    Processes, Sessions, Sittings, Store, Throttles, Versions,
};
