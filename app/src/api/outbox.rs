//! The administrators' outbox: every mail the site writes and what became of it.

use super::admin::require_admin;
use crate::error::AppResult;
use crate::model::{MailState, OutboxMail};
use crate::ssr::RequestContext;

/// How many mails one page of the outbox shows.
pub const PAGE: i64 = 50;

/// One page of the outbox.
#[derive(Clone, Debug)]
pub struct OutboxPage {
    pub counts: Vec<(MailState, i64)>,
    /// Newest first.
    pub mails: Vec<OutboxMail>,
    /// The id to page on from, when there is older mail.
    pub older: Option<i64>,
}

/// The outbox, from the mail before `before` (newest first); site administrators only. Mail that
/// went (or goes) to its recipient is shown without its secrets ([`crate::mail::without_secrets`]).
pub async fn page(cx: &RequestContext, before: Option<i64>) -> AppResult<OutboxPage> {
    require_admin(cx)?;
    let mut mails = cx.store.outbox(before, PAGE + 1).await?;
    let older = if mails.len() as i64 > PAGE {
        mails.truncate(PAGE as usize);
        mails.last().map(|m| m.id)
    } else {
        None
    };
    for mail in &mut mails {
        if mail.state != MailState::Kept {
            mail.body_text = crate::mail::without_secrets(&mail.body_text);
        }
    }
    Ok(OutboxPage {
        counts: cx.store.outbox_counts().await?,
        mails,
        older,
    })
}
