//! Sign-in sessions for tower-sessions, stored through Baraza's own store so that they live in
//! the same database (SQLite or PostgreSQL) and survive a restart.

use app::ssr::Store;
use std::sync::Arc;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// A [`SessionStore`] over [`Store`].
#[derive(Clone)]
pub struct DbSessionStore {
    store: Arc<dyn Store>,
}

impl DbSessionStore {
    /// Sessions kept in `store`.
    pub fn new(store: Arc<dyn Store>) -> DbSessionStore {
        DbSessionStore { store }
    }
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

fn millis(time: OffsetDateTime) -> i64 {
    (time.unix_timestamp_nanos() / 1_000_000) as i64
}

fn backend<E: std::fmt::Debug>(error: E) -> Error {
    Error::Backend(format!("{error:?}"))
}

fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))
}

/// Whose session this is, so that all of a person's sessions can be ended together.
fn person(record: &Record) -> Option<app::ids::PersonId> {
    record
        .data
        .get(crate::web::PERSON_KEY)
        .and_then(|v| v.as_i64())
        .map(app::ids::PersonId)
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits; a collision is astronomically unlikely, but never overwrite.
        loop {
            let created = self
                .store
                .session_create(
                    &record.id.to_string(),
                    &encode(record)?,
                    millis(record.expiry_date),
                    person(record),
                )
                .await
                .map_err(backend)?;
            if created {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.store
            .session_save(
                &record.id.to_string(),
                &encode(record)?,
                millis(record.expiry_date),
                person(record),
            )
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = millis(OffsetDateTime::now_utc());
        let Some((data, expires_at)) = self
            .store
            .session_load(&id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000)
                .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}
