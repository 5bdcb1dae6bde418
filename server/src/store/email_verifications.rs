//! Confirming email addresses: links (kept as SHA-256 hashes of their tokens) sent to the address
//! to confirm, at sign-up and when an account changes its address.

use super::SqlStore;
use super::outbox::enqueue;
use super::rows::PersonRow;
use super::shared::{internal, is_unique_violation};
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::PersonId;
use app::mail::Compose;
use app::model::{Millis, Person};
use app::ssr::AddressCheck;

/// Stores `check` for `person.email` (the address to confirm) and puts its mail in the outbox,
/// in the caller's transaction. The account's older links stop working.
pub(super) async fn send_check(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    mail_domain: &str,
    person: &Person,
    check: &AddressCheck<'_>,
    now: Millis,
) -> AppResult<()> {
    sqlx::query("DELETE FROM email_verifications WHERE person_id = $1 AND used_at IS NULL")
        .bind(person.id.0)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    sqlx::query(
        "INSERT INTO email_verifications (token_hash, person_id, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&check.token_hash)
    .bind(person.id.0)
    .bind(&person.email)
    .bind(now)
    .bind(check.expires_at)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    enqueue(tx, mail_domain, &(check.compose)(person), now).await
}

#[async_trait::async_trait]
impl app::ssr::EmailVerifications for SqlStore {
    async fn request_email_verification(
        &self,
        person: PersonId,
        email: &str,
        check: &AddressCheck<'_>,
        tell_old: Option<&Compose>,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let owner: PersonRow = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE id = $1"
        ))
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
        let owner = owner.into_person();
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM people WHERE email = $1 AND id <> $2")
                .bind(email)
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        if taken.is_some() {
            return Err(AppError::invalid("email", Msg::ErrorEmailTaken));
        }
        let mut to_confirm = owner.clone();
        to_confirm.email = email.to_string();
        send_check(&mut tx, &self.mail_domain, &to_confirm, check, now).await?;
        if let Some(tell_old) = tell_old {
            enqueue(&mut tx, &self.mail_domain, &tell_old(&owner), now).await?;
        }
        tx.commit().await.map_err(internal)
    }

    async fn email_verification(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> AppResult<Option<(Person, String)>> {
        let email: Option<(i64, String)> = sqlx::query_as(
            "SELECT person_id, email FROM email_verifications \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        let Some((person, email)) = email else {
            return Ok(None);
        };
        let owner: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE id = $1"
        ))
        .bind(person)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(owner.map(|o| (o.into_person(), email)))
    }

    async fn verify_email(&self, token_hash: &str, now: Millis) -> AppResult<Option<PersonId>> {
        let mut tx = self.begin().await?;
        // Using the link and checking that it works are one statement: it works once.
        let used: Option<(i64, String)> = sqlx::query_as(
            "UPDATE email_verifications SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING person_id, email",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        let Some((person, email)) = used else {
            return Ok(None);
        };
        let changed =
            sqlx::query("UPDATE people SET email = $1, email_verified_at = $2 WHERE id = $3")
                .bind(&email)
                .bind(now)
                .bind(person)
                .execute(&mut *tx)
                .await;
        match changed {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::Conflict(Msg::ErrorEmailTaken));
            }
            Err(e) => return Err(internal(e)),
        }
        tx.commit().await.map_err(internal)?;
        Ok(Some(PersonId(person)))
    }
}
