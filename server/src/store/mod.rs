//! The one implementation of [`app::ssr::Store`], over SQLite and PostgreSQL alike (`sqlx::Any`):
//! one file per concept, each implementing that concept's trait, and `shared.rs` for what they all
//! use (the transaction's first steps, the activity log, the public record).
//!
//! Queries use `$n` placeholders, which both databases accept, and only types both share
//! (BIGINT, TEXT). Every use case that changes a process runs in one transaction: it loads the
//! actor's standing, asks the domain rules, writes, and appends to the public activity log.

// Column lists as macros, so that every query stays a literal string (sqlx refuses built ones).
macro_rules! person_columns {
    () => {
        "id, email, display_name, language, site_role, created_at, email_verified_at"
    };
}

macro_rules! org_columns {
    () => {
        "id, name, description, kind, verified_at, withdrawn_at, withdrawn_reason, created_at"
    };
}

macro_rules! draft_columns {
    () => {
        "id, process_id, title, language, summary, locked_at, created_at, \
         (SELECT s.id FROM sittings s WHERE s.minutes_draft_id = drafts.id) AS sitting_id"
    };
}

macro_rules! version_columns {
    () => {
        "v.number, v.name, v.body, v.content_hash, v.actor_name, o.name AS org_name, v.created_at"
    };
}

macro_rules! process_columns {
    () => {
        "id, title, summary, level, languages, phase, rules, who_decides, legal_basis, input_outcome, \
         created_at, updated_at"
    };
}

mod answers;
mod ballots;
mod budget_projects;
mod budget_rows;
mod budgets;
mod comments;
mod decisions;
mod devices;
mod digests;
mod draft_log;
mod drafts;
mod email_verifications;
mod follows;
pub mod names;
mod notifications;
mod organisations;
pub mod outbox;
mod password_resets;
mod people;
mod processes;
mod reminders;
mod rows;
mod sessions;
mod shared;
mod sittings;
mod versions;

use crate::db::{Backend, Db};
use app::error::AppResult;
use shared::internal;
use sqlx::AnyPool;

/// Baraza's storage on a SQL database.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// The domain of the site's mail address, for the Message-ID of the mail it writes.
    mail_domain: std::sync::Arc<str>,
    /// The site's public URL, for the links in the mail it writes.
    site_url: std::sync::Arc<str>,
}

impl SqlStore {
    /// A store over an open, migrated database.
    pub fn new(db: &Db) -> SqlStore {
        SqlStore {
            pool: db.pool.clone(),
            backend: db.backend,
            mail_domain: "localhost".into(),
            site_url: "http://localhost".into(),
        }
    }

    /// The same store, naming its mail after `domain` (the site's mail address's domain).
    pub fn with_mail_domain(mut self, domain: &str) -> SqlStore {
        self.mail_domain = domain.into();
        self
    }

    /// The same store, linking its mail to `site_url` (the site's public URL, no trailing `/`).
    pub fn with_site_url(mut self, site_url: &str) -> SqlStore {
        self.site_url = site_url.trim_end_matches('/').into();
        self
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that reads and then writes would otherwise fail with
    /// SQLITE_BUSY when another writer got there first, which no busy timeout can wait out.
    async fn begin(&self) -> AppResult<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .map_err(internal)
    }
}

#[async_trait::async_trait]
impl app::ssr::Store for SqlStore {
    async fn is_empty(&self) -> AppResult<bool> {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM people) + (SELECT COUNT(*) FROM processes)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(internal)?;
        Ok(count == 0)
    }
}
