//! Reminders that come from time passing rather than from anyone's act: council members are told
//! when a published decision's review date has passed with no implementation update, and a
//! process's moderators and mediators when comments have waited for moderation longer than the
//! site allows. Every server looks ([`SqlStore::send_reminders`]); a `reminders` row, unique per
//! subject and key, written in the notices' transaction, makes each go once.

use super::SqlStore;
use super::notifications::{Telling, tell};
use super::shared::internal;
use app::domain::comments::Status;
use app::domain::notice::Notice;
use app::domain::process::Day;
use app::error::AppResult;
use app::ids::{PersonId, ProcessId};
use app::model::Millis;
use sqlx::AnyConnection;

impl SqlStore {
    /// Tells of every review date passed and every queue that waited longer than `queue_wait`
    /// by `now`; returns how many reminders were told.
    pub async fn send_reminders(&self, now: Millis, queue_wait: Millis) -> AppResult<usize> {
        let today = Day::from_unix_days(now.div_euclid(86_400_000)).to_string();
        let reviews: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT d.id, d.process_id, dr.title, d.review_on FROM decisions d \
             JOIN drafts dr ON dr.id = d.draft_id \
             WHERE d.published_at IS NOT NULL AND d.review_on IS NOT NULL AND d.review_on < $1 \
             AND NOT EXISTS (SELECT 1 FROM decision_updates u \
                 WHERE u.decision_id = d.id AND u.on_day >= d.review_on) \
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.subject_kind = 'review' \
                 AND r.subject_id = d.id AND r.reminder_key = d.review_on)",
        )
        .bind(&today)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let mut told = 0;
        for (decision, process, draft_title, review_on) in reviews {
            let telling = Telling {
                notice: Notice::Review {
                    draft_title,
                    review_on: review_on.clone(),
                },
                process: Some(ProcessId(process)),
                link: format!("/processes/{process}/decisions/{decision}"),
                comment: None,
                actor: None,
                calendar: None,
            };
            let roles = ["council_member"];
            if self
                .remind("review", decision, &review_on, &roles, &telling, now)
                .await?
            {
                told += 1;
            }
        }
        // A held comment has waited since it was held (after reports), not since it was posted.
        let queues: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT w.process_id, COUNT(*), MIN(w.since), MIN(w.id) FROM (\
               SELECT c.id, c.process_id, CASE WHEN c.status = $2 THEN COALESCE(\
                 (SELECT MAX(l.created_at) FROM moderation_log l \
                  WHERE l.comment_id = c.id AND l.action = 'held'), c.created_at) \
                 ELSE c.created_at END AS since \
               FROM comments c WHERE c.status IN ($1, $2)) w \
             GROUP BY w.process_id HAVING MIN(w.since) < $3",
        )
        .bind(Status::Pending.code())
        .bind(Status::Held.code())
        .bind(now - queue_wait)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        for (process, waiting, since, oldest) in queues {
            let telling = Telling {
                notice: Notice::Queue { waiting, since },
                process: Some(ProcessId(process)),
                link: format!("/processes/{process}/moderation"),
                comment: None,
                actor: None,
                calendar: None,
            };
            let roles = ["moderator", "mediator"];
            if self
                .remind("queue", process, &oldest.to_string(), &roles, &telling, now)
                .await?
            {
                told += 1;
            }
        }
        Ok(told)
    }

    /// Tells the people with one of `roles` in the process of a reminder, unless it was told;
    /// says whether it was told now.
    async fn remind(
        &self,
        kind: &str,
        subject: i64,
        key: &str,
        roles: &[&str],
        telling: &Telling,
        now: Millis,
    ) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        let recorded = sqlx::query(
            "INSERT INTO reminders (subject_kind, subject_id, reminder_key, told_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(kind)
        .bind(subject)
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if recorded == 0 {
            return Ok(false);
        }
        let process = telling.process.unwrap_or(ProcessId(0));
        let mut recipients = Vec::new();
        for role in roles {
            recipients.extend(holders(&mut tx, process, role).await?);
        }
        tell(&mut tx, self, &recipients, telling, now).await?;
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }
}

/// Who holds `role` in the process.
async fn holders(
    conn: &mut AnyConnection,
    process: ProcessId,
    role: &str,
) -> AppResult<Vec<PersonId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM process_people WHERE process_id = $1 AND role = $2",
    )
    .bind(process.0)
    .bind(role)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(ids.into_iter().map(PersonId).collect())
}
