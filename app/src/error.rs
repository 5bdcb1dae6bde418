//! The one error type of Baraza's application boundary. Each variant says which HTTP status it
//! becomes; messages are typed [`Msg`]s, rendered in the reader's language. Nothing internal (SQL,
//! file paths, panics) ever reaches a client: `Internal` carries no detail, the server logs it.

use crate::i18n::Msg;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one form field, shown beside that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name, e.g. `email` or `title.en`.
    pub field: String,
    /// What is wrong, and what to do about it.
    pub msg: Msg,
}

impl FieldError {
    /// A field error.
    pub fn new(field: &str, msg: Msg) -> FieldError {
        FieldError {
            field: field.to_string(),
            msg,
        }
    }
}

/// Why a request could not be served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 400: the input is wrong; the fields say how.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// 401: sign in first.
    #[error("sign-in required")]
    Unauthenticated,
    /// 403: signed in, but not allowed (role, organisation, or phase); the message says why.
    #[error("forbidden")]
    Forbidden(Msg),
    /// 404: no such thing (or not visible to this person).
    #[error("not found")]
    NotFound,
    /// 409: not possible in the thing's present state (a published decision, a frozen text);
    /// the message says why.
    #[error("conflict")]
    Conflict(Msg),
    /// 413: what was sent is larger than any form needs.
    #[error("too large")]
    TooLarge,
    /// 429: too many attempts; the message says when to try again.
    #[error("too many requests")]
    TooMany(Msg),
    /// 500: our fault. The details are in the server log, never in the response.
    #[error("internal error")]
    Internal,
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &str, msg: Msg) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, msg)])
    }

    /// The HTTP status this error becomes.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 400,
            AppError::Unauthenticated => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::TooLarge => 413,
            AppError::TooMany(_) => 429,
            AppError::Internal => 500,
        }
    }

    /// The headline message for a person.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Invalid(_) => Msg::ErrorInvalid,
            AppError::Unauthenticated => Msg::ErrorUnauthenticated,
            AppError::Forbidden(msg) | AppError::Conflict(msg) | AppError::TooMany(msg) => {
                msg.clone()
            }
            AppError::NotFound => Msg::ErrorNotFound,
            AppError::TooLarge => Msg::ErrorTooLarge,
            AppError::Internal => Msg::ErrorInternal,
        }
    }

    /// The field errors, if any.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(fields) => fields,
            _ => &[],
        }
    }

    /// A short stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge => "too_large",
            AppError::TooMany(_) => "too_many_requests",
            AppError::Internal => "internal",
        }
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> AppError {
        AppError::Invalid(vec![error])
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(_: ServerFnErrorErr) -> AppError {
        AppError::Internal
    }
}

/// What a server-side step returns.
pub type AppResult<T> = Result<T, AppError>;
