//! Browsers a person signed in on before: the sign-in throttle's device cookies
//! (`app::domain::throttle`). Only each token's SHA-256 is stored.

use super::SqlStore;
use super::shared::internal;
use app::domain::throttle::DEVICE_TRUST_MS;
use app::error::AppResult;
use app::ids::PersonId;
use app::model::Millis;
use app::ssr::Devices;

#[async_trait::async_trait]
impl Devices for SqlStore {
    async fn trusted_device(&self, token_hash: &str, now: Millis) -> AppResult<Option<PersonId>> {
        let person: Option<i64> = sqlx::query_scalar(
            "SELECT person_id FROM trusted_devices WHERE token_hash = $1 AND last_used_at > $2",
        )
        .bind(token_hash)
        .bind(now - DEVICE_TRUST_MS)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(person.map(PersonId))
    }

    async fn trust_device(&self, token_hash: &str, person: PersonId, now: Millis) -> AppResult<()> {
        sqlx::query(
            "INSERT INTO trusted_devices (token_hash, person_id, created_at, last_used_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT (token_hash) DO UPDATE SET last_used_at = excluded.last_used_at",
        )
        .bind(token_hash)
        .bind(person.0)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn forget_devices(&self, person: PersonId, keep: Option<&str>) -> AppResult<()> {
        sqlx::query("DELETE FROM trusted_devices WHERE person_id = $1 AND token_hash <> $2")
            .bind(person.0)
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }
}
