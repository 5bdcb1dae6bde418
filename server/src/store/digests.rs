//! Daily and weekly digests: once a person's day (or week) has ended in their time zone, the
//! notices that waited for it go out in one mail, grouped by process.
//!
//! Every server looks ([`SqlStore::send_due_digests`]); a digest is recorded in `digests` under
//! its person, period and key in the same transaction that marks its notices mailed and puts the
//! mail in the outbox, and the key is unique, so however many servers look at once, one digest
//! goes per person and period. A notice that commits just after its period's digest waits for the
//! next one.

use super::SqlStore;
use super::notifications::{mail_recipient, unsubscribe_url, waiting_for_digest};
use super::outbox::enqueue;
use super::shared::internal;
use app::domain::notice::Period;
use app::domain::zone;
use app::error::AppResult;
use app::ids::PersonId;
use app::mail::notices::{Addressed, Item};
use app::model::Millis;

impl SqlStore {
    /// Tells the reminders already due, then marks every notice so far as mailed and drops the
    /// mail they put in the outbox: history loaded all at once (the demo) is nobody's news, and
    /// its people would otherwise be mailed about months of it on the first start.
    pub async fn settle_loaded_history(&self, now: Millis, queue_wait: Millis) -> AppResult<()> {
        self.send_reminders(now, queue_wait).await?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE mailed_at IS NULL")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        sqlx::query("DELETE FROM outbox WHERE kind IN ('notice', 'digest')")
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)
    }

    /// Sends every digest whose period has ended by `now`; returns how many were written.
    pub async fn send_due_digests(&self, now: Millis) -> AppResult<usize> {
        let waiting: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT DISTINCT n.person_id, n.delivery, p.time_zone FROM notifications n \
             JOIN people p ON p.id = n.person_id \
             WHERE n.delivery IN ('daily', 'weekly') AND n.mailed_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let mut sent = 0;
        for (person, delivery, time_zone) in waiting {
            let Some(period) = Period::from_code(&delivery) else {
                continue;
            };
            let (end, key) = zone::period_end(period, &time_zone, now);
            // Most minutes nobody's period has ended: asked without a write transaction.
            let due: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM notifications WHERE person_id = $1 AND delivery = $2 \
                 AND mailed_at IS NULL AND created_at < $3 LIMIT 1",
            )
            .bind(person)
            .bind(period.code())
            .bind(end)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
            if due.is_none() {
                continue;
            }
            // One person's digest failing must not hold back everyone else's.
            match self
                .send_digest(PersonId(person), period, end, &key, now)
                .await
            {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(error) => tracing::warn!(person, %error, "could not send a digest"),
            }
        }
        Ok(sent)
    }

    /// Sends `person`'s digest for the `period` that ended at `end` (named `key`), if they have
    /// notices from before then and nobody sent it already; says whether a digest was recorded.
    async fn send_digest(
        &self,
        person: PersonId,
        period: Period,
        end: Millis,
        key: &str,
        now: Millis,
    ) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        let (ids, unread) = waiting_for_digest(&mut tx, person, period, end).await?;
        if ids.is_empty() {
            return Ok(false);
        }
        let recorded = sqlx::query(
            "INSERT INTO digests (person_id, period, period_key, sent_at, notices) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(person.0)
        .bind(period.code())
        .bind(key)
        .bind(now)
        .bind(unread.len() as i64)
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if recorded == 0 {
            // This period's digest went already (from another server, or before these notices
            // committed): they wait for the next one.
            return Ok(false);
        }
        for id in &ids {
            sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        if !unread.is_empty()
            && let Some((recipient, time_zone)) = mail_recipient(&mut tx, person).await?
        {
            let unsubscribe = unsubscribe_url(&mut tx, self, person, period.code(), now).await?;
            let to = Addressed {
                person: &recipient,
                time_zone: &time_zone,
                site: &self.site_url,
                unsubscribe,
            };
            let items: Vec<Item> = unread
                .iter()
                .map(|n| Item {
                    notice: &n.notice,
                    process_title: n.process_title.as_ref(),
                    link: &n.link,
                })
                .collect();
            let mail = app::mail::notices::digest(&to, period, &items);
            enqueue(&mut tx, &self.mail_domain, &mail, now).await?;
        }
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }
}
