//! The outbox: mail written in the transaction of the change that causes it ([`enqueue`]), read
//! by administrators, and claimed, sent and recorded by the delivery worker (`crate::mail`).
//!
//! A claim is a lease: the claiming server's name and a time until which nobody else takes the
//! mail. On PostgreSQL several servers claim at once, each skipping the rows another holds
//! (`FOR UPDATE SKIP LOCKED`), so each mail goes to exactly one; SQLite has one writer at a time,
//! which gives the same. Every outcome is recorded only by the server that holds the claim.

use super::SqlStore;
use super::shared::internal;
use crate::db::Backend;
use app::error::AppResult;
use app::mail::Mail;
use app::model::{MailState, Millis, OutboxMail};

/// Puts `mail` in the outbox inside the caller's transaction, due at once.
pub(super) async fn enqueue(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    mail_domain: &str,
    mail: &Mail,
    now: Millis,
) -> AppResult<()> {
    let message_id = format!(
        "<{}@{mail_domain}>",
        app::domain::hex::encode(&rand::random::<[u8; 16]>())
    );
    sqlx::query(
        "INSERT INTO outbox (message_id, kind, person_id, to_address, to_name, language, subject, \
         body_text, body_html, created_at, state, attempts, next_attempt_at, unsubscribe_url, calendar) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'waiting', 0, $10, $11, $12)",
    )
    .bind(message_id)
    .bind(mail.kind.code())
    .bind(mail.person.map(|p| p.0))
    .bind(&mail.to_address)
    .bind(&mail.to_name)
    .bind(mail.lang.code())
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .bind(mail.unsubscribe.as_deref())
    .bind(mail.calendar.as_deref())
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(())
}

/// A mail claimed for sending: everything the message is made of.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub message_id: String,
    pub to_address: String,
    pub to_name: String,
    pub language: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: i64,
    /// Counting this one.
    pub attempts: i64,
    /// The one-click unsubscribe address, for mail sent to a list of notices.
    pub unsubscribe_url: Option<String>,
    /// An iCalendar file to attach.
    pub calendar: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    message_id: String,
    kind: String,
    to_address: String,
    to_name: String,
    language: String,
    subject: String,
    body_text: String,
    created_at: i64,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    finished_at: Option<i64>,
}

impl OutboxRow {
    fn into_mail(self) -> OutboxMail {
        OutboxMail {
            id: self.id,
            message_id: self.message_id,
            kind: self.kind,
            to_address: self.to_address,
            to_name: self.to_name,
            language: self.language,
            subject: self.subject,
            body_text: self.body_text,
            created_at: self.created_at,
            state: MailState::parse(&self.state).unwrap_or(MailState::Waiting),
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            finished_at: self.finished_at,
        }
    }
}

#[async_trait::async_trait]
impl app::ssr::Outbox for SqlStore {
    async fn outbox(&self, before: Option<i64>, limit: i64) -> AppResult<Vec<OutboxMail>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, message_id, kind, to_address, to_name, language, subject, body_text, \
             created_at, state, attempts, next_attempt_at, last_error, finished_at \
             FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows.into_iter().map(OutboxRow::into_mail).collect())
    }

    async fn outbox_counts(&self) -> AppResult<Vec<(MailState, i64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state")
                .fetch_all(&self.pool)
                .await
                .map_err(internal)?;
        Ok(MailState::ALL
            .into_iter()
            .filter_map(|state| {
                rows.iter()
                    .find(|(code, _)| code == state.code())
                    .map(|(_, count)| (state, *count))
            })
            .collect())
    }
}

/// What the delivery worker asks and records.
impl SqlStore {
    /// Claims up to `limit` mails that are due (waiting and due, or claimed by a server whose
    /// lease ended) for `server` until `until`, counting an attempt on each.
    pub async fn claim_mail(
        &self,
        server: &str,
        now: Millis,
        until: Millis,
        limit: i64,
    ) -> AppResult<Vec<Claimed>> {
        // Asked first without writing: most of the time nothing is due, and an UPDATE would take
        // SQLite's write lock every second for nothing.
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE (state = 'waiting' AND next_attempt_at <= $1) \
             OR (state = 'sending' AND claimed_until < $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let query = match self.backend {
            Backend::Postgres => {
                "UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_until = $2, \
                 attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM outbox \
                   WHERE (state = 'waiting' AND next_attempt_at <= $3) \
                      OR (state = 'sending' AND claimed_until < $3) \
                   ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, message_id, to_address, to_name, language, subject, body_text, \
                   body_html, created_at, attempts, unsubscribe_url, calendar"
            }
            Backend::Sqlite => {
                "UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_until = $2, \
                 attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM outbox \
                   WHERE (state = 'waiting' AND next_attempt_at <= $3) \
                      OR (state = 'sending' AND claimed_until < $3) \
                   ORDER BY id LIMIT $4) \
                 RETURNING id, message_id, to_address, to_name, language, subject, body_text, \
                   body_html, created_at, attempts, unsubscribe_url, calendar"
            }
        };
        let mut claimed: Vec<Claimed> = sqlx::query_as(query)
            .bind(server)
            .bind(until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    /// Records the outcome of a claimed mail, if `server` still holds the claim (a server whose
    /// lease ran out records nothing: whoever claimed the mail after it does). `state` is
    /// [`MailState::Sent`], [`MailState::Failed`], or [`MailState::Waiting`] with the time of
    /// the next attempt.
    pub async fn record_mail(
        &self,
        id: i64,
        server: &str,
        state: MailState,
        next_attempt_at: Millis,
        error: Option<&str>,
        now: Millis,
    ) -> AppResult<bool> {
        let finished = (state != MailState::Waiting).then_some(now);
        let done = sqlx::query(
            "UPDATE outbox SET state = $1, next_attempt_at = $2, last_error = $3, \
             finished_at = $4, claimed_by = NULL, claimed_until = NULL \
             WHERE id = $5 AND state = 'sending' AND claimed_by = $6",
        )
        .bind(state.code())
        .bind(next_attempt_at)
        .bind(error)
        .bind(finished)
        .bind(id)
        .bind(server)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(done.rows_affected() == 1)
    }

    /// Without an SMTP server: keeps every waiting mail for administrators to read.
    pub async fn keep_waiting_mail(&self, now: Millis) -> AppResult<u64> {
        let waiting: Option<i64> =
            sqlx::query_scalar("SELECT id FROM outbox WHERE state = 'waiting' LIMIT 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        if waiting.is_none() {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE outbox SET state = 'kept', finished_at = $1 WHERE state = 'waiting'",
        )
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(done.rows_affected())
    }
}
