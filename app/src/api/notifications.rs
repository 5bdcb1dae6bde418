//! The notification centre (`/notifications`), how notices reach a person
//! (`/notifications/preferences`), and one-click unsubscribe links (`/unsubscribe/{token}`).

use super::form::Form;
use crate::domain::notice::{Delivery, NoticeKind, Period};
use crate::domain::zone;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::model::{Followed, Notification, NotificationSettings};
use crate::ssr::RequestContext;

/// How many notifications one page shows.
pub const PAGE: i64 = 30;

/// One page of a person's notifications, and what they follow.
#[derive(Clone, Debug)]
pub struct Centre {
    /// Newest first; `read` is as it was before this page was seen.
    pub notifications: Vec<Notification>,
    /// The id to page on from, when there are older ones.
    pub older: Option<i64>,
    pub follows: Vec<Followed>,
}

/// The viewer's notifications from before `before` (newest first); those shown are marked read,
/// since the person has now seen them.
pub async fn centre(cx: &RequestContext, before: Option<i64>) -> AppResult<Centre> {
    let person = cx.viewer()?.id;
    let mut notifications = cx.store.notifications(person, before, PAGE + 1).await?;
    let older = if notifications.len() as i64 > PAGE {
        notifications.truncate(PAGE as usize);
        notifications.last().map(|n| n.id)
    } else {
        None
    };
    let unread = notifications.iter().filter(|n| !n.read).map(|n| n.id);
    if let (Some(oldest), Some(newest)) = (unread.clone().min(), unread.max()) {
        // Only what this page shows: older unread notices wait to be seen (or mailed).
        let marked = cx
            .store
            .mark_notifications_read(person, oldest, newest, cx.now)
            .await?;
        // The header, written after this, counts only what is still unread.
        cx.unread.fetch_sub(
            i64::try_from(marked).unwrap_or(0),
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    Ok(Centre {
        notifications,
        older,
        follows: cx.store.follows(person).await?,
    })
}

/// How notices reach the viewer.
pub async fn settings(cx: &RequestContext) -> AppResult<NotificationSettings> {
    let person = cx.viewer()?.id;
    cx.store.notification_settings(person).await
}

/// `POST /notifications/preferences`: a field per kind of notice named by its code (`reply`,
/// `answered`, …) with a delivery (`immediate`, `daily`, `weekly`, `site`), and `time_zone`.
/// A kind left out keeps its choice.
pub async fn save_settings(cx: &RequestContext, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let current = cx.store.notification_settings(person).await?;
    let mut errors = Vec::new();
    let mut deliveries = Vec::with_capacity(NoticeKind::ALL.len());
    for kind in NoticeKind::ALL {
        let delivery = match form.text(kind.code()).trim() {
            "" => Ok(current.delivery(*kind)),
            code => Delivery::from_code(code)
                .ok_or_else(|| FieldError::new(kind.code(), Msg::ErrorChoice)),
        };
        match delivery {
            Ok(delivery) => deliveries.push((*kind, delivery)),
            Err(error) => errors.push(error),
        }
    }
    let time_zone = match form.text("time_zone").trim() {
        "" => current.time_zone.clone(),
        name if zone::is_known(name) => name.to_string(),
        _ => {
            errors.push(FieldError::new("time_zone", Msg::ErrorTimeZone));
            String::new()
        }
    };
    super::form::collect(errors)?;
    cx.store
        .set_notification_settings(
            person,
            &NotificationSettings {
                deliveries,
                time_zone,
            },
        )
        .await
}

/// What an unsubscribe list is called, for the page and the notice: a kind's name, or a digest.
pub fn list_name(list: &str) -> Option<Msg> {
    match (NoticeKind::from_code(list), Period::from_code(list)) {
        (Some(kind), _) => Some(kind.label()),
        (None, Some(Period::Daily)) => Some(Msg::UnsubscribeListDaily),
        (None, Some(Period::Weekly)) => Some(Msg::UnsubscribeListWeekly),
        (None, None) => None,
    }
}

/// The list the unsubscribe link `token` stops; anyone holding the link may see it.
pub async fn unsubscribe_list(cx: &RequestContext, token: &str) -> AppResult<Msg> {
    let list = cx.store.unsubscribe_list(token).await?;
    list.as_deref()
        .and_then(list_name)
        .ok_or(AppError::NotFound)
}

/// `POST /unsubscribe/{token}`: stops the link's list (from the page's button, or a mail
/// program's one-click `List-Unsubscribe=One-Click`); no sign-in, the link is the proof, and
/// it can do nothing else.
pub async fn unsubscribe(cx: &RequestContext, token: &str) -> AppResult<Msg> {
    let list = cx.store.unsubscribe(token).await?;
    list.as_deref()
        .and_then(list_name)
        .ok_or(AppError::NotFound)
}
