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

/// A one-time notice left by a form for the page it leads to, and where on that page it belongs:
/// beside the thing it is about (the comment posted, the form sent), not at the top of a long
/// page. The page shows it at the first of `at` it holds ([`Notice::shown_at`]), else at the top.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub msg: Msg,
    /// Places it may go, most fitting first: element ids (`comment-12`), or `form:<intent>` (and
    /// `-<key>`) for the form that was sent.
    pub at: Vec<String>,
    #[serde(skip)]
    places: std::sync::Arc<std::sync::Mutex<Places>>,
}

/// Where a notice may go on the page being rendered, and where it went.
#[derive(Debug, Default)]
struct Places {
    /// The places of `Notice::at` the page holds, noted while it is built.
    found: Vec<String>,
    /// Once the page is written out, where the notice went (`Some(None)`: at the top).
    decided: Option<Option<String>>,
}

impl Notice {
    /// A notice shown wherever the page has the first of `at`, or else at the top.
    pub fn new(msg: Msg, at: Vec<String>) -> Notice {
        Notice {
            msg,
            at,
            places: Default::default(),
        }
    }

    /// Notes that the page being built holds `place` (if the notice may go there), and says
    /// whether this is the first element there: a page that repeats a form without keys shows
    /// the notice in the first of them only.
    pub fn found(&self, place: &str) -> bool {
        if !self.at.iter().any(|a| a == place) {
            return false;
        }
        let Ok(mut places) = self.places.lock() else {
            return false;
        };
        if places.found.iter().any(|p| p == place) {
            return false;
        }
        places.found.push(place.to_string());
        true
    }

    /// Where the notice is shown (`None`: at the top of the page). Decided the first time it is
    /// asked, when the page is written out, so that it is shown once even if a place is found
    /// only later.
    pub fn shown_at(&self) -> Option<String> {
        let Ok(mut places) = self.places.lock() else {
            return None;
        };
        let Places { found, decided } = &mut *places;
        decided
            .get_or_insert_with(|| self.at.iter().find(|a| found.contains(a)).cloned())
            .clone()
    }
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
    pub notice: Option<Notice>,
    /// A failed form submission being shown again.
    pub feedback: Option<Feedback>,
    /// The site's public URL without a trailing slash (`--public-url`, else the address the
    /// server listens on; never the request's Host, which a client chooses), for the links in
    /// mail.
    pub site_url: Arc<str>,
    /// The SMTP server mail goes through (host and port, never its credentials), or `None` when
    /// no mail leaves the machine and the outbox keeps it.
    pub mail_relay: Option<Arc<str>>,
    /// Whether people whose address is not confirmed yet may post (`--unverified-may-post`).
    pub unverified_may_post: bool,
    /// How many of the viewer's notifications are unread (the header shows it). Shared, so that
    /// the notification centre, which marks what it shows read, can lower it before the header
    /// is written.
    pub unread: Arc<std::sync::atomic::AtomicI64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_goes_once_to_the_first_place_the_page_holds() {
        let notice = Notice::new(
            Msg::NoticeSaved,
            vec!["comment-1".into(), "form:comment".into()],
        );
        assert!(notice.found("form:comment"));
        assert!(!notice.found("form:comment"), "a second form of the intent");
        assert!(!notice.found("elsewhere"));
        assert_eq!(notice.shown_at().as_deref(), Some("form:comment"));
        // A place found after the page was written out changes nothing: shown once.
        assert!(notice.found("comment-1"));
        assert_eq!(notice.shown_at().as_deref(), Some("form:comment"));
        let top = Notice::new(Msg::NoticeSaved, vec!["comment-1".into()]);
        assert_eq!(top.shown_at(), None, "at the top when the page holds none");
    }
}
