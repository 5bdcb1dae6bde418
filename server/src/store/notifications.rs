//! Notices to people ([`tell`], called by the use cases that cause them, inside their
//! transactions), the notification centre, each person's choice of how notices reach them, and
//! one-click unsubscribe links.
//!
//! A notice a person wants at once is written to the outbox in the same transaction as the notice
//! itself (and so as the change that caused it); one for a digest waits with `mailed_at` empty
//! until `digests.rs` gathers it.

use super::SqlStore;
use super::outbox::enqueue;
use super::rows::{PersonRow, localized};
use super::shared::internal;
use app::domain::comments::Status;
use app::domain::notice::{Delivery, FollowSubject, Notice, NoticeKind, Period};
use app::error::{AppError, AppResult};
use app::i18n::Lang;
use app::ids::{CommentId, PersonId, ProcessId};
use app::mail::notices::{Addressed, Item};
use app::model::{Millis, Notification, NotificationSettings, Person};
use sqlx::AnyConnection;

/// A notice to tell: its facts, the process it happened in, the page it is about, and whose act
/// it was (never told of their own act).
pub(super) struct Telling {
    pub notice: Notice,
    pub process: Option<ProcessId>,
    /// A path on the site.
    pub link: String,
    /// The comment it quotes, whose words are withheld once it is no longer shown to all.
    pub comment: Option<CommentId>,
    pub actor: Option<PersonId>,
    /// An iCalendar file for the mail sent at once, in the recipient's language (a sitting's).
    pub calendar: Option<Box<dyn Fn(Lang) -> String + Send + Sync>>,
}

/// Everyone who follows a subject: the people who follow it themselves and the confirmed members
/// of the organisations that follow it.
pub(super) async fn followers(
    conn: &mut AnyConnection,
    subject: FollowSubject,
    id: i64,
) -> AppResult<Vec<PersonId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM follows \
         WHERE subject_kind = $1 AND subject_id = $2 AND person_id IS NOT NULL \
         UNION \
         SELECT m.person_id FROM follows f JOIN memberships m ON m.org_id = f.org_id \
         WHERE f.subject_kind = $1 AND f.subject_id = $2 AND m.confirmed_at IS NOT NULL",
    )
    .bind(subject.code())
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(ids.into_iter().map(PersonId).collect())
}

/// Tells `recipients` (but not the actor, and each once) of a notice: a notification each, and
/// for those who want it at once and have a confirmed address, a mail in the outbox.
pub(super) async fn tell(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    store: &SqlStore,
    recipients: &[PersonId],
    telling: &Telling,
    now: Millis,
) -> AppResult<()> {
    let mut told: Vec<PersonId> = Vec::with_capacity(recipients.len());
    for person in recipients {
        if Some(*person) != telling.actor && !told.contains(person) {
            told.push(*person);
        }
    }
    if told.is_empty() {
        return Ok(());
    }
    let kind = telling.notice.kind();
    let facts = serde_json::to_string(&telling.notice).map_err(|_| AppError::Internal)?;
    let process_title = match telling.process {
        Some(process) => {
            let title: String = sqlx::query_scalar("SELECT title FROM processes WHERE id = $1")
                .bind(process.0)
                .fetch_one(&mut **tx)
                .await
                .map_err(internal)?;
            Some(localized(&title)?)
        }
        None => None,
    };
    for person in told {
        let delivery = delivery_of(tx, person, kind).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO notifications (person_id, kind, process_id, comment_id, facts, link, \
             created_at, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(person.0)
        .bind(kind.code())
        .bind(telling.process.map(|p| p.0))
        .bind(telling.comment.map(|c| c.0))
        .bind(&facts)
        .bind(&telling.link)
        .bind(now)
        .bind(delivery.code())
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
        if delivery != Delivery::Immediate {
            continue;
        }
        let Some((recipient, time_zone)) = mail_recipient(tx, person).await? else {
            continue;
        };
        let unsubscribe = unsubscribe_url(tx, store, person, kind.code(), now).await?;
        let to = Addressed {
            person: &recipient,
            time_zone: &time_zone,
            site: &store.site_url,
            unsubscribe,
        };
        let item = Item {
            notice: &telling.notice,
            process_title: process_title.as_ref(),
            link: &telling.link,
        };
        let mut mail = app::mail::notices::notice(&to, &item);
        mail.calendar = telling.calendar.as_ref().map(|ics| ics(mail.lang));
        enqueue(tx, &store.mail_domain, &mail, now).await?;
        sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
    }
    Ok(())
}

/// How `person` wants notices of `kind`.
async fn delivery_of(
    conn: &mut AnyConnection,
    person: PersonId,
    kind: NoticeKind,
) -> AppResult<Delivery> {
    let chosen: Option<String> = sqlx::query_scalar(
        "SELECT delivery FROM notification_preferences WHERE person_id = $1 AND kind = $2",
    )
    .bind(person.0)
    .bind(kind.code())
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(chosen
        .as_deref()
        .and_then(Delivery::from_code)
        .unwrap_or(kind.default_delivery()))
}

/// The person to mail and their time zone, if their address is confirmed: mail goes only to an
/// address its owner has shown to be theirs.
pub(super) async fn mail_recipient(
    conn: &mut AnyConnection,
    person: PersonId,
) -> AppResult<Option<(Person, String)>> {
    let row: Option<PersonRow> = sqlx::query_as(concat!(
        "SELECT ",
        person_columns!(),
        " FROM people WHERE id = $1"
    ))
    .bind(person.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let Some(person) = row.map(PersonRow::into_person).filter(|p| p.email_verified) else {
        return Ok(None);
    };
    let time_zone: String = sqlx::query_scalar("SELECT time_zone FROM people WHERE id = $1")
        .bind(person.id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(Some((person, time_zone)))
}

/// The one-click unsubscribe URL of `person`'s `list` (a kind's code, or a digest period), made
/// the first time it is needed and the same in every mail of the list after.
pub(super) async fn unsubscribe_url(
    conn: &mut AnyConnection,
    store: &SqlStore,
    person: PersonId,
    list: &str,
    now: Millis,
) -> AppResult<String> {
    // Made at most once per person and list; of two made at once, the first stays.
    sqlx::query(
        "INSERT INTO unsubscribe_links (token, person_id, list, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(app::domain::hex::encode(&rand::random::<[u8; 24]>()))
    .bind(person.0)
    .bind(list)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    let token: String = sqlx::query_scalar(
        "SELECT token FROM unsubscribe_links WHERE person_id = $1 AND list = $2",
    )
    .bind(person.0)
    .bind(list)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(format!("{}/unsubscribe/{token}", store.site_url))
}

#[derive(sqlx::FromRow)]
pub(super) struct NotificationRow {
    id: i64,
    person_id: i64,
    comment_status: Option<String>,
    comment_author: Option<i64>,
    facts: String,
    process_id: Option<i64>,
    process_title: Option<String>,
    link: String,
    created_at: i64,
    read_at: Option<i64>,
}

impl NotificationRow {
    fn into_notification(self) -> AppResult<Notification> {
        let mut notice: app::domain::notice::Notice = serde_json::from_str(&self.facts)
            .map_err(|_| super::rows::corrupt("notice", &self.facts))?;
        // A comment hidden, held or withdrawn since is no longer quoted, except to its author.
        let shown = self.comment_status.as_deref().is_none_or(|status| {
            status == Status::Visible.code() || self.comment_author == Some(self.person_id)
        });
        if !shown {
            notice.withhold_excerpt();
        }
        Ok(Notification {
            id: self.id,
            notice,
            process: self.process_id.map(ProcessId),
            process_title: self.process_title.as_deref().map(localized).transpose()?,
            link: self.link,
            created_at: self.created_at,
            read: self.read_at.is_some(),
        })
    }
}

/// Reads notification rows, leaving out (and logging) any whose facts this version cannot read
/// rather than failing a whole page or digest.
fn readable(rows: Vec<NotificationRow>) -> Vec<Notification> {
    rows.into_iter()
        .filter_map(|row| row.into_notification().ok())
        .collect()
}

/// The columns of [`NotificationRow`], the process's title joined.
macro_rules! notification_select {
    () => {
        "SELECT n.id, n.person_id, c.status AS comment_status, c.person_id AS comment_author, \
         n.facts, n.process_id, p.title AS process_title, n.link, n.created_at, n.read_at \
         FROM notifications n LEFT JOIN processes p ON p.id = n.process_id \
         LEFT JOIN comments c ON c.id = n.comment_id "
    };
}

/// The notices of `person` waiting for their `period`'s digest and made before `before`: the ids
/// of all of them, and those still unread (read ones were seen already: they are not mailed),
/// grouped by process, oldest first.
pub(super) async fn waiting_for_digest(
    conn: &mut AnyConnection,
    person: PersonId,
    period: Period,
    before: Millis,
) -> AppResult<(Vec<i64>, Vec<Notification>)> {
    let rows: Vec<NotificationRow> = sqlx::query_as(concat!(
        notification_select!(),
        "WHERE n.person_id = $1 AND n.delivery = $2 AND n.mailed_at IS NULL AND n.created_at < $3 \
         ORDER BY n.process_id, n.id"
    ))
    .bind(person.0)
    .bind(period.code())
    .bind(before)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let ids = rows.iter().map(|r| r.id).collect();
    let unread = rows.into_iter().filter(|r| r.read_at.is_none()).collect();
    Ok((ids, readable(unread)))
}

#[async_trait::async_trait]
impl app::ssr::Notifications for SqlStore {
    async fn notifications(
        &self,
        person: PersonId,
        before: Option<i64>,
        limit: i64,
    ) -> AppResult<Vec<Notification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(concat!(
            notification_select!(),
            "WHERE n.person_id = $1 AND n.id < $2 ORDER BY n.id DESC LIMIT $3"
        ))
        .bind(person.0)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(readable(rows))
    }

    async fn unread_notifications(&self, person: PersonId) -> AppResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL",
        )
        .bind(person.0)
        .fetch_one(&self.pool)
        .await
        .map_err(internal)
    }

    async fn mark_notifications_read(
        &self,
        person: PersonId,
        oldest: i64,
        newest: i64,
        now: Millis,
    ) -> AppResult<u64> {
        let marked = sqlx::query(
            "UPDATE notifications SET read_at = $1 \
             WHERE person_id = $2 AND id >= $3 AND id <= $4 AND read_at IS NULL",
        )
        .bind(now)
        .bind(person.0)
        .bind(oldest)
        .bind(newest)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(marked.rows_affected())
    }

    async fn notification_settings(&self, person: PersonId) -> AppResult<NotificationSettings> {
        let chosen: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, delivery FROM notification_preferences WHERE person_id = $1",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let time_zone: Option<String> =
            sqlx::query_scalar("SELECT time_zone FROM people WHERE id = $1")
                .bind(person.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        let deliveries = NoticeKind::ALL
            .iter()
            .map(|kind| {
                let delivery = chosen
                    .iter()
                    .find(|(k, _)| k == kind.code())
                    .and_then(|(_, d)| Delivery::from_code(d))
                    .unwrap_or(kind.default_delivery());
                (*kind, delivery)
            })
            .collect();
        Ok(NotificationSettings {
            deliveries,
            time_zone: time_zone.ok_or(AppError::NotFound)?,
        })
    }

    async fn set_notification_settings(
        &self,
        person: PersonId,
        settings: &NotificationSettings,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE people SET time_zone = $1 WHERE id = $2")
            .bind(&settings.time_zone)
            .bind(person.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        for (kind, delivery) in &settings.deliveries {
            set_delivery(&mut tx, person, *kind, *delivery).await?;
        }
        tx.commit().await.map_err(internal)
    }

    async fn unsubscribe_list(&self, token: &str) -> AppResult<Option<String>> {
        sqlx::query_scalar("SELECT list FROM unsubscribe_links WHERE token = $1")
            .bind(token)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)
    }

    async fn unsubscribe(&self, token: &str) -> AppResult<Option<String>> {
        let mut tx = self.begin().await?;
        let link: Option<(i64, String)> =
            sqlx::query_as("SELECT person_id, list FROM unsubscribe_links WHERE token = $1")
                .bind(token)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        let Some((person, list)) = link else {
            return Ok(None);
        };
        let person = PersonId(person);
        // A kind's list stops that kind; a digest's stops every kind that goes in it now.
        let kinds: Vec<NoticeKind> = match (NoticeKind::from_code(&list), Period::from_code(&list))
        {
            (Some(kind), _) => vec![kind],
            (None, Some(period)) => {
                let mut kinds = Vec::new();
                for kind in NoticeKind::ALL {
                    if delivery_of(&mut tx, person, *kind).await?.period() == Some(period) {
                        kinds.push(*kind);
                    }
                }
                kinds
            }
            (None, None) => Vec::new(),
        };
        for kind in kinds {
            set_delivery(&mut tx, person, kind, Delivery::Site).await?;
        }
        tx.commit().await.map_err(internal)?;
        Ok(Some(list))
    }
}

/// Saves `person`'s choice for `kind`. Its notices still waiting for a digest follow the new
/// choice (to another digest, or to the site only); a change to "at once" leaves them in the
/// digest they were waiting for, since what is past is not mailed one by one.
async fn set_delivery(
    conn: &mut AnyConnection,
    person: PersonId,
    kind: NoticeKind,
    delivery: Delivery,
) -> AppResult<()> {
    sqlx::query("DELETE FROM notification_preferences WHERE person_id = $1 AND kind = $2")
        .bind(person.0)
        .bind(kind.code())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    sqlx::query(
        "INSERT INTO notification_preferences (person_id, kind, delivery) VALUES ($1, $2, $3)",
    )
    .bind(person.0)
    .bind(kind.code())
    .bind(delivery.code())
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    if delivery != Delivery::Immediate {
        sqlx::query(
            "UPDATE notifications SET delivery = $1 WHERE person_id = $2 AND kind = $3 \
             AND mailed_at IS NULL AND delivery IN ('daily', 'weekly')",
        )
        .bind(delivery.code())
        .bind(person.0)
        .bind(kind.code())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    }
    Ok(())
}
