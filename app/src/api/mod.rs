//! Use cases: who is asking -> one store call -> a view or an [`crate::error::AppError`].
//! Pages call the reading ones while rendering; the server's form handlers call the writing ones.

pub mod account;
pub mod admin;
pub mod ballots;
pub mod budgets;
pub mod comments;
pub mod decisions;
pub mod drafts;
pub mod email_verification;
pub mod follows;
pub mod form;
pub mod notifications;
pub mod organisations;
pub mod outbox;
pub mod password_reset;
pub mod processes;
pub mod sittings;
