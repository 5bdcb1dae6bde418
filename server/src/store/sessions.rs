//! Sign-in sessions (tower-sessions' records, in the database so they survive a restart and are
//! shared by every server) and the sign-in throttle's counts.

use super::SqlStore;
use super::shared::*;
use app::error::AppResult;
use app::ids::PersonId;
use app::model::*;

#[async_trait::async_trait]
impl app::ssr::Throttles for SqlStore {
    async fn throttle_count(&self, key: &str, now: Millis) -> AppResult<Throttle> {
        // Insert-if-absent, then an increment in one statement: concurrent attempts each count.
        sqlx::query(
            "INSERT INTO sign_in_throttle (key, attempts, window_started_at) VALUES ($1, 0, $2) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        let (attempts, window_started_at, locked_until): (i64, i64, Option<i64>) = sqlx::query_as(
            "UPDATE sign_in_throttle SET attempts = attempts + 1 WHERE key = $1 \
             RETURNING attempts, window_started_at, locked_until",
        )
        .bind(key)
        .fetch_one(&self.pool)
        .await
        .map_err(internal)?;
        Ok(Throttle {
            attempts,
            window_started_at,
            locked_until,
        })
    }

    async fn throttle_uncount(&self, key: &str) -> AppResult<()> {
        sqlx::query(
            "UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(key)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn throttle_purge(&self, now: Millis) -> AppResult<u64> {
        let deleted = sqlx::query(
            "DELETE FROM sign_in_throttle WHERE window_started_at < $1 AND (locked_until IS NULL OR locked_until < $2)",
        )
        .bind(now - app::domain::throttle::WINDOW_MS)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        sqlx::query("DELETE FROM trusted_devices WHERE last_used_at < $1")
            .bind(now - app::domain::throttle::DEVICE_TRUST_MS)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected())
    }

    async fn set_throttle(&self, key: &str, state: Throttle) -> AppResult<()> {
        // A lock keeps the stored count: attempts counted concurrently since this one must not be
        // overwritten by this attempt's older figure. A new window starts the count again.
        sqlx::query(
            "INSERT INTO sign_in_throttle (key, attempts, window_started_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN excluded.locked_until IS NULL THEN excluded.attempts \
                 ELSE sign_in_throttle.attempts END, \
             window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
        )
        .bind(key)
        .bind(state.attempts)
        .bind(state.window_started_at)
        .bind(state.locked_until)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn clear_throttle(&self, key: &str) -> AppResult<()> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl app::ssr::Sessions for SqlStore {
    async fn session_create(
        &self,
        id: &str,
        data: &str,
        expires_at: Millis,
        person: Option<PersonId>,
    ) -> AppResult<bool> {
        let inserted = sqlx::query(
            "INSERT INTO sessions (id, data, expires_at, person_id) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(data)
        .bind(expires_at)
        .bind(person.map(|p| p.0))
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn session_save(
        &self,
        id: &str,
        data: &str,
        expires_at: Millis,
        person: Option<PersonId>,
    ) -> AppResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at, person_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
             person_id = excluded.person_id",
        )
        .bind(id)
        .bind(data)
        .bind(expires_at)
        .bind(person.map(|p| p.0))
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn session_load(&self, id: &str, now: Millis) -> AppResult<Option<(String, Millis)>> {
        sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)
    }

    async fn sessions_end_others(&self, person: PersonId, keep: &str) -> AppResult<u64> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id <> $2")
            .bind(person.0)
            .bind(keep)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected())
    }

    async fn session_delete(&self, id: &str) -> AppResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn session_purge(&self, now: Millis) -> AppResult<u64> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected())
    }
}
