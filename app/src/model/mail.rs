//! Mail as the administrators' outbox shows it.

use super::Millis;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// Where a mail is on its way out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// To be sent (again, after a temporary failure) when it is due.
    Waiting,
    /// A server has claimed it and is sending it.
    Sending,
    /// The SMTP server accepted it.
    Sent,
    /// Refused for good, or given up on after many attempts.
    Failed,
    /// No SMTP server is configured: kept here for administrators to read.
    Kept,
}

impl MailState {
    /// Every state, in the order the outbox counts them.
    pub const ALL: [MailState; 5] = [
        MailState::Waiting,
        MailState::Sending,
        MailState::Failed,
        MailState::Sent,
        MailState::Kept,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            MailState::Waiting => "waiting",
            MailState::Sending => "sending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
            MailState::Kept => "kept",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<MailState> {
        MailState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Its name in the interface.
    pub fn label(self) -> Msg {
        match self {
            MailState::Waiting => Msg::OutboxStateWaiting,
            MailState::Sending => Msg::OutboxStateSending,
            MailState::Sent => Msg::OutboxStateSent,
            MailState::Failed => Msg::OutboxStateFailed,
            MailState::Kept => Msg::OutboxStateKept,
        }
    }
}

/// One mail in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: i64,
    pub message_id: String,
    /// What it is about ([`crate::mail::MailKind`]'s code).
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub language: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: Millis,
    pub state: MailState,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_error: Option<String>,
    /// When it was sent, failed for good, or kept.
    pub finished_at: Option<Millis>,
}
