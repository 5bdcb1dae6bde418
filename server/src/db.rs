//! Connecting to SQLite or PostgreSQL (chosen by the URL's scheme) and migrating.
//!
//! Both go through `sqlx::Any`, so each query is written once; the differences between the two
//! databases live in the migrations (one directory each) and in the few lines below.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend named by a database URL's scheme.
    pub fn of(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::Scheme)
        }
    }
}

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database URL must start with sqlite:// or postgres://")]
    Scheme,
    #[error("cannot create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// An open connection pool and what it is connected to.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// Opens the database at `url`, creating a SQLite file (and its directory) if missing.
pub async fn connect(url: &str) -> Result<Db, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url)?;
    let url = match backend {
        Backend::Sqlite => sqlite_url(url)?,
        Backend::Postgres => url.to_string(),
    };
    let options = AnyConnectOptions::from_str(&url)?
        .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(1));
    let pool = AnyPoolOptions::new()
        // SQLite has one writer at a time; a few connections serve concurrent readers (WAL).
        .max_connections(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        })
        // A SQLite connection is a file in this process: it cannot go stale, and checking it
        // would cost a round trip to its thread before every query. A server's connection can.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers proceed during a write. synchronous=FULL makes a commit
                    // durable even across a power cut, because acknowledged work must survive.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 5000",
                    ] {
                        conn.execute(pragma).await?;
                    }
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(Db { pool, backend })
}

/// Adds `mode=rwc` (create if missing) and creates the file's directory.
fn sqlite_url(url: &str) -> Result<String, DbError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let file = path.split('?').next().unwrap_or("");
    let dir = std::path::Path::new(file)
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && file != ":memory:");
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError::Directory(dir.display().to_string(), e))?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Applies the migrations of the database's backend.
pub async fn migrate(db: &Db) -> Result<(), DbError> {
    match db.backend {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&db.pool).await?,
        Backend::Postgres => {
            sqlx::migrate!("../migrations/postgres")
                .run(&db.pool)
                .await?
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_by_scheme() {
        assert_eq!(Backend::of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("postgres://u@h/d").unwrap(), Backend::Postgres);
        assert_eq!(
            Backend::of("postgresql://u@h/d").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of("mysql://x").is_err());
    }
}
