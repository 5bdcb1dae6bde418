//! Notifications as the notification centre shows them, what a person follows, and how notices
//! reach them.

use super::Millis;
use crate::domain::localized::Localized;
use crate::domain::notice::{Delivery, FollowSubject, Notice, NoticeKind};
use crate::ids::{OrgId, ProcessId};
use serde::{Deserialize, Serialize};

/// One notice to one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub notice: Notice,
    pub process: Option<ProcessId>,
    pub process_title: Option<Localized>,
    /// The page it is about, as a path.
    pub link: String,
    pub created_at: Millis,
    pub read: bool,
}

/// Something a person follows, for themselves or on behalf of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followed {
    pub subject: FollowSubject,
    pub id: i64,
    pub title: Localized,
    /// Its page, as a path.
    pub link: String,
    /// The organisation followed for, with its name.
    pub org: Option<(OrgId, Localized)>,
}

/// How notices reach a person: a delivery per kind, and the time zone their digests' days and
/// weeks are counted in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Every kind, in [`NoticeKind::ALL`] order.
    pub deliveries: Vec<(NoticeKind, Delivery)>,
    pub time_zone: String,
}

impl NotificationSettings {
    /// The delivery chosen for `kind` (its default if none was).
    pub fn delivery(&self, kind: NoticeKind) -> Delivery {
        self.deliveries
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .unwrap_or(kind.default_delivery())
    }
}
