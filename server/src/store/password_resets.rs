//! Password reset links (kept as SHA-256 hashes of their tokens) and the mail that carries them.

use super::SqlStore;
use super::outbox::enqueue;
use super::rows::PersonRow;
use super::shared::internal;
use app::error::AppResult;
use app::ids::PersonId;
use app::mail::Compose;
use app::model::{Millis, Person};

#[async_trait::async_trait]
impl app::ssr::PasswordResets for SqlStore {
    async fn start_password_reset(
        &self,
        email: &str,
        token_hash: &str,
        now: Millis,
        expires_at: Millis,
        compose: &Compose,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let person: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        if let Some(person) = person.map(PersonRow::into_person) {
            sqlx::query(
                "INSERT INTO password_resets (token_hash, person_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(person.id.0)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            enqueue(&mut tx, &self.mail_domain, &compose(&person), now).await?;
        }
        tx.commit().await.map_err(internal)
    }

    async fn password_reset_owner(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> AppResult<Option<Person>> {
        // Only the newest link of an account works: asking again makes the older ones useless.
        let row: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE id = (SELECT r.person_id FROM password_resets r \
               WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 \
               AND NOT EXISTS (SELECT 1 FROM password_resets newer \
                 WHERE newer.person_id = r.person_id AND newer.created_at > r.created_at))"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(PersonRow::into_person))
    }

    async fn finish_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
        compose: &Compose,
    ) -> AppResult<Option<PersonId>> {
        let mut tx = self.begin().await?;
        // Using the link and checking that it works are one statement, so two requests racing
        // with the same link cannot both get through.
        let used: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             AND NOT EXISTS (SELECT 1 FROM password_resets newer \
               WHERE newer.person_id = password_resets.person_id \
               AND newer.created_at > password_resets.created_at) \
             RETURNING person_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        let Some(person_id) = used else {
            return Ok(None);
        };
        sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(person_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        // Whoever was signed in (a thief, a forgotten computer) is signed out, every browser must
        // sign in afresh, and no other link of the account works any more.
        for statement in [
            "DELETE FROM sessions WHERE person_id = $1",
            "DELETE FROM trusted_devices WHERE person_id = $1",
            "DELETE FROM password_resets WHERE person_id = $1 AND used_at IS NULL",
        ] {
            sqlx::query(statement)
                .bind(person_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        let person: PersonRow = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE id = $1"
        ))
        .bind(person_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        enqueue(
            &mut tx,
            &self.mail_domain,
            &compose(&person.into_person()),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(Some(PersonId(person_id)))
    }
}
