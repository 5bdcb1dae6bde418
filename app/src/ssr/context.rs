//! What every server-side step knows about the request it serves. The server builds one per
//! request and provides it to the page being rendered; use cases receive it as an argument.

use super::store::{Live, Store};
use crate::domain::process::Day;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::model::{Millis, Person};
use std::collections::HashMap;
use std::sync::Arc;

/// A form submission that failed, shown again with its error and everything the person typed.
#[derive(Clone, Debug)]
pub struct Feedback {
    pub error: AppError,
    pub values: HashMap<String, String>,
}

/// The request being served.
#[derive(Clone)]
pub struct RequestContext {
    pub store: Arc<dyn Store>,
    /// The live drafts (the server's collaboration hub).
    pub live: Arc<dyn Live>,
    /// The signed-in person, if any.
    pub viewer: Option<Person>,
    /// The interface language chosen for this request.
    pub lang: Lang,
    /// The request's time, so one request sees one "now".
    pub now: Millis,
    /// The request path (for the language switcher and sign-in return links).
    pub path: String,
    /// A message left by the previous action (e.g. "Signed in"), shown once.
    pub notice: Option<Msg>,
    /// A failed form submission being shown again.
    pub feedback: Option<Feedback>,
}

impl RequestContext {
    /// Today's date (UTC).
    pub fn today(&self) -> Day {
        Day::from_unix_days(self.now.div_euclid(86_400_000))
    }

    /// The signed-in person, or [`AppError::Unauthenticated`].
    pub fn viewer(&self) -> AppResult<&Person> {
        self.viewer.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// Tells the live system what a write changed, and gives its result
    /// ([`super::changes::publish`]).
    pub fn publish<T>(&self, written: super::changes::Written<T>) -> T {
        super::changes::publish(self.live.as_ref(), written)
    }

    /// A message in the request's language.
    pub fn t(&self, msg: Msg) -> String {
        msg.render(self.lang)
    }

    /// What the person typed into `field` in a failed submission, if this is one.
    pub fn typed(&self, field: &str) -> Option<String> {
        self.feedback
            .as_ref()
            .and_then(|f| f.values.get(field).cloned())
    }

    /// The error for `field` in a failed submission, if any.
    pub fn field_error(&self, field: &str) -> Option<Msg> {
        self.feedback.as_ref().and_then(|f| {
            f.error
                .fields()
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.msg.clone())
        })
    }
}

/// The context of the request being rendered.
pub fn cx() -> RequestContext {
    leptos::prelude::expect_context::<RequestContext>()
}
