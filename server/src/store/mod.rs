//! The one implementation of [`app::ssr::Store`], over SQLite and PostgreSQL alike (`sqlx::Any`).
//!
//! Queries use `$n` placeholders, which both databases accept, and only types both share
//! (BIGINT, TEXT). Every use case that changes a process runs in one transaction: it loads the
//! actor's standing, asks the domain rules, writes, and appends to the public activity log.

mod comments;
mod decisions;
mod devices;
pub mod names;
mod rows;
mod sittings;

use crate::db::{Backend, Db};
use app::domain::localized::Localized;
use app::domain::org::OrgKind;
use app::domain::roles::{Action, OrgRole, PersonalRole, Phase, SiteAction, Standing, site_may};
use app::error::{AppError, AppResult, FieldError};
use app::i18n::Msg;
use app::ids::{DraftId, OrgId, PersonId, ProcessId};
use app::model::*;
use app::ssr::Store;
use rows::*;
use sqlx::{AnyConnection, AnyPool};

/// Baraza's storage on a SQL database.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// A store over an open, migrated database.
    pub fn new(db: &Db) -> SqlStore {
        SqlStore {
            pool: db.pool.clone(),
            backend: db.backend,
        }
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

/// Logs a database failure (once, here) and hides it from the client.
fn internal(error: sqlx::Error) -> AppError {
    tracing::error!(%error, "database error");
    AppError::Internal
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

// Column lists as macros, so that every query stays a literal string (sqlx refuses built ones).
macro_rules! person_columns {
    () => {
        "id, email, display_name, language, site_role, created_at"
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

/// The standing of `person` in `process`, read on `conn` (inside the caller's transaction).
async fn standing_on(
    conn: &mut AnyConnection,
    process: ProcessId,
    person: Option<PersonId>,
) -> AppResult<Standing> {
    let Some(person) = person else {
        return Ok(Standing::observer());
    };
    let site_role: Option<String> =
        sqlx::query_scalar("SELECT site_role FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?;
    let Some(site_role) = site_role else {
        return Ok(Standing::observer());
    };
    let personal: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM process_people WHERE process_id = $1 AND person_id = $2",
    )
    .bind(process.0)
    .bind(person.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let co_drafting_orgs: Vec<i64> = sqlx::query_scalar(
        "SELECT po.org_id FROM process_organisations po \
         JOIN memberships m ON m.org_id = po.org_id \
         JOIN organisations o ON o.id = po.org_id \
         WHERE po.process_id = $1 AND m.person_id = $2 AND po.role = 'co_drafter' \
           AND o.verified_at IS NOT NULL AND m.confirmed_at IS NOT NULL ORDER BY po.org_id",
    )
    .bind(process.0)
    .bind(person.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(Standing {
        signed_in: true,
        site_admin: site_role == "admin",
        personal: personal
            .iter()
            .map(|code| PersonalRole::from_code(code).ok_or_else(|| corrupt("personal role", code)))
            .collect::<AppResult<_>>()?,
        co_drafting_orgs: co_drafting_orgs.into_iter().map(OrgId).collect(),
    })
}

/// Checks that `actor` may take `action` in `process` now; returns the process's phase.
async fn authorize(
    conn: &mut AnyConnection,
    process: ProcessId,
    actor: Actor,
    action: Action,
) -> AppResult<Phase> {
    let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM processes WHERE id = $1")
        .bind(process.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    let phase = parse_phase(&phase.ok_or(AppError::NotFound)?)?;
    if let Some(org) = actor.acting_for {
        speaking_for(conn, actor.person, org).await?;
    }
    let standing = standing_on(conn, process, Some(actor.person)).await?;
    if standing.may(actor.acting_for, action, phase) {
        Ok(phase)
    } else if Phase::ALL
        .into_iter()
        .any(|p| standing.may(actor.acting_for, action, p))
    {
        Err(AppError::Forbidden(Msg::ErrorNotAllowedInPhase))
    } else {
        Err(AppError::Forbidden(Msg::ErrorNotAllowed))
    }
}

/// Checks that `person` may speak for `org` now (a confirmed member of a verified organisation,
/// [`app::domain::org::may_speak_for`]); returns the organisation's kind. Every action taken for
/// an organisation passes here, in the transaction that records it.
async fn speaking_for(
    conn: &mut AnyConnection,
    person: PersonId,
    org: OrgId,
) -> AppResult<OrgKind> {
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT o.kind, o.verified_at, m.confirmed_at FROM memberships m \
         JOIN organisations o ON o.id = m.org_id WHERE m.org_id = $1 AND m.person_id = $2",
    )
    .bind(org.0)
    .bind(person.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let (kind, verified_at, confirmed_at) = row.ok_or(AppError::Forbidden(Msg::ErrorNotMember))?;
    app::domain::org::may_speak_for(verified_at.is_some(), confirmed_at.is_some())
        .map_err(AppError::Forbidden)?;
    OrgKind::from_code(&kind).ok_or_else(|| corrupt("organisation kind", &kind))
}

/// Checks that `actor` may take `action` on a draft's process now; returns the process.
async fn authorize_on_draft(
    conn: &mut AnyConnection,
    draft: DraftId,
    actor: Actor,
    action: Action,
) -> AppResult<ProcessId> {
    let process: Option<i64> = sqlx::query_scalar("SELECT process_id FROM drafts WHERE id = $1")
        .bind(draft.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    let process = ProcessId(process.ok_or(AppError::NotFound)?);
    authorize(conn, process, actor, action).await?;
    Ok(process)
}

/// Checks a site-wide permission for `person`.
async fn authorize_site(
    conn: &mut AnyConnection,
    person: PersonId,
    action: SiteAction,
) -> AppResult<()> {
    let role: Option<String> = sqlx::query_scalar("SELECT site_role FROM people WHERE id = $1")
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    match role {
        Some(role) if site_may(true, role == "admin", action) => Ok(()),
        Some(_) if action == SiteAction::RegisterOrganisation => Ok(()),
        Some(_) => Err(AppError::Forbidden(Msg::ErrorAdminsOnly)),
        None => Err(AppError::Unauthenticated),
    }
}

/// Appends to a process's public activity log.
async fn log_event(
    conn: &mut AnyConnection,
    process: ProcessId,
    actor: Actor,
    kind: &EventKind,
    subject_name: Option<&str>,
    now: Millis,
) -> AppResult<()> {
    let detail = serde_json::to_string(kind).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO process_events (process_id, at, person_id, actor_name, org_id, detail, subject_name) \
         SELECT $1, $2, id, display_name, $4, $5, $6 FROM people WHERE id = $3",
    )
    .bind(process.0)
    .bind(now)
    .bind(actor.person.0)
    .bind(actor.acting_for.map(|o| o.0))
    .bind(detail)
    .bind(subject_name)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE processes SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(process.0)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Stores a named version as the draft's next number, by `actor` (their name as it is now).
async fn insert_version(
    conn: &mut AnyConnection,
    draft: DraftId,
    actor: Actor,
    version: &NewVersion,
    now: Millis,
) -> AppResult<i64> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM draft_versions WHERE draft_id = $1",
    )
    .bind(draft.0)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    sqlx::query(
        "INSERT INTO draft_versions (draft_id, number, name, body, content_hash, state_v1, person_id, actor_name, \
         org_id, created_at) SELECT $1, $2, $3, $4, $5, $6, id, display_name, $8, $9 FROM people WHERE id = $7",
    )
    .bind(draft.0)
    .bind(number)
    .bind(&version.name)
    .bind(&version.text)
    .bind(&version.content_hash)
    .bind(version.state.as_slice())
    .bind(actor.person.0)
    .bind(actor.acting_for.map(|o| o.0))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(number)
}

/// Replaces a process's planned phase dates.
async fn write_schedule(
    conn: &mut AnyConnection,
    process: ProcessId,
    fields: &ProcessFields,
) -> AppResult<()> {
    sqlx::query("DELETE FROM process_phases WHERE process_id = $1")
        .bind(process.0)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    for dates in &fields.schedule {
        sqlx::query("INSERT INTO process_phases (process_id, phase, starts_on, ends_on) VALUES ($1, $2, $3, $4)")
            .bind(process.0)
            .bind(dates.phase.code())
            .bind(dates.starts_on.to_string())
            .bind(dates.ends_on.to_string())
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
    }
    Ok(())
}

fn display_name_of(org: &Localized) -> String {
    org.pick("en", &[]).text
}

/// An organisation's name (as the public record and the log name it), or 404.
async fn org_name(conn: &mut AnyConnection, id: OrgId) -> AppResult<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(display_name_of(&localized(
        &name.ok_or(AppError::NotFound)?,
    )?))
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn is_empty(&self) -> AppResult<bool> {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM people) + (SELECT COUNT(*) FROM processes)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(internal)?;
        Ok(count == 0)
    }

    async fn create_person(&self, new: NewPerson, now: Millis) -> AppResult<PersonId> {
        let taken = || AppError::invalid("email", Msg::ErrorEmailTaken);
        let mut tx = self.begin().await?;
        names::check_person_name(&mut tx, &new.display_name, None, "display_name").await?;
        let result: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO people (email, display_name, password_hash, language, site_role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.email)
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(&new.language)
        .bind(if new.site_admin { "admin" } else { "member" })
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let id = match result {
            Ok(id) => PersonId(id),
            Err(e) if is_unique_violation(&e) => return Err(taken()),
            Err(e) => return Err(internal(e)),
        };
        names::set_person_keys(&mut tx, id, &new.display_name).await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }

    async fn credentials(&self, email: &str) -> AppResult<Option<(PersonId, String)>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM people WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        Ok(row.map(|(id, hash)| (PersonId(id), hash)))
    }

    async fn person(&self, id: PersonId) -> AppResult<Option<Person>> {
        let row: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(PersonRow::into_person))
    }

    async fn person_by_email(&self, email: &str) -> AppResult<Option<Person>> {
        let row: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(PersonRow::into_person))
    }

    async fn people(&self) -> AppResult<Vec<Person>> {
        let rows: Vec<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        // Sorted here, not in SQL: the two databases collate text differently.
        let mut people: Vec<Person> = rows.into_iter().map(PersonRow::into_person).collect();
        people.sort_by_cached_key(|p| (p.display_name.to_lowercase(), p.id));
        Ok(people)
    }

    async fn update_profile(
        &self,
        id: PersonId,
        display_name: &str,
        language: &str,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        // Only a new name is checked: choosing a language keeps whatever name one has.
        if current.as_deref() != Some(display_name) {
            names::check_person_name(&mut tx, display_name, Some(id), "display_name").await?;
        }
        sqlx::query("UPDATE people SET display_name = $1, language = $2 WHERE id = $3")
            .bind(display_name)
            .bind(language)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        names::set_person_keys(&mut tx, id, display_name).await?;
        tx.commit().await.map_err(internal)
    }

    async fn set_password_hash(&self, id: PersonId, hash: &str) -> AppResult<()> {
        sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn set_site_admin(&self, by: PersonId, id: PersonId, admin: bool) -> AppResult<()> {
        if by == id {
            return Err(AppError::invalid("person", Msg::ErrorLastAdmin));
        }
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManagePeople).await?;
        let updated = sqlx::query("UPDATE people SET site_role = $1 WHERE id = $2")
            .bind(if admin { "admin" } else { "member" })
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Err(AppError::invalid("person", Msg::ErrorNoSuchPerson));
        }
        tx.commit().await.map_err(internal)
    }

    async fn bootstrap_admin(&self, email: &str) -> AppResult<bool> {
        let updated = sqlx::query("UPDATE people SET site_role = 'admin' WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(updated.rows_affected() == 1)
    }

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

    async fn create_organisation(
        &self,
        new: NewOrganisation,
        founder: PersonId,
        now: Millis,
    ) -> AppResult<OrgId> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, founder, SiteAction::RegisterOrganisation).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (name, description, kind, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(localized_json(&new.name))
        .bind(localized_json(&new.description))
        .bind(new.kind.code())
        .bind(founder.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        names::claim_org_names(&mut tx, OrgId(id), &new.name).await?;
        // The founder belongs to it, but speaks for it only once an administrator confirms that.
        sqlx::query("INSERT INTO memberships (org_id, person_id, joined_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(founder.0)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(OrgId(id))
    }

    async fn organisation(&self, id: OrgId) -> AppResult<Option<Organisation>> {
        let row: Option<OrgRow> = sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        row.map(OrgRow::into_org).transpose()
    }

    async fn organisations(&self) -> AppResult<Vec<Organisation>> {
        let rows: Vec<OrgRow> = sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter().map(OrgRow::into_org).collect()
    }

    async fn organisations_among(&self, ids: &[OrgId]) -> AppResult<Vec<Organisation>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            concat!(
                "SELECT ",
                org_columns!(),
                " FROM organisations WHERE id IN ({}) ORDER BY id"
            ),
            placeholders.join(", ")
        );
        // Built only from placeholders numbered here; every id is bound.
        let mut query = sqlx::query_as::<_, OrgRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.0);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(internal)?;
        rows.into_iter().map(OrgRow::into_org).collect()
    }

    async fn verify_organisation(&self, by: PersonId, id: OrgId, now: Millis) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let name = org_name(&mut tx, id).await?;
        let updated = sqlx::query(
            "UPDATE organisations SET verified_at = $1, verified_by = $2, withdrawn_at = NULL, \
             withdrawn_reason = '' WHERE id = $3 AND verified_at IS NULL",
        )
        .bind(now)
        .bind(by.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 1 {
            let by_name = decisions::display_name(&mut tx, by).await?;
            let event = serde_json::json!({
                "kind": "organisation_verified",
                "organisation": id.0,
                "name": name,
                "by": by_name,
            });
            decisions::append_record(&mut tx, event, now).await?;
        }
        tx.commit().await.map_err(internal)
    }

    async fn withdraw_verification(
        &self,
        by: PersonId,
        id: OrgId,
        reason: &str,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let name = org_name(&mut tx, id).await?;
        let updated = sqlx::query(
            "UPDATE organisations SET verified_at = NULL, verified_by = NULL, withdrawn_at = $1, \
             withdrawn_reason = $2 WHERE id = $3 AND verified_at IS NOT NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Err(AppError::Conflict(Msg::ErrorOrgNotVerified));
        }
        let by_name = decisions::display_name(&mut tx, by).await?;
        let event = serde_json::json!({
            "kind": "organisation_verification_withdrawn",
            "organisation": id.0,
            "name": name,
            "reason": reason,
            "by": by_name,
        });
        decisions::append_record(&mut tx, event, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn confirm_membership(
        &self,
        by: PersonId,
        org: OrgId,
        person: PersonId,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let updated = sqlx::query(
            "UPDATE memberships SET confirmed_at = $1, confirmed_by = $2 \
             WHERE org_id = $3 AND person_id = $4 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(by.0)
        .bind(org.0)
        .bind(person.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Err(AppError::invalid("person", Msg::ErrorNoSuchMember));
        }
        tx.commit().await.map_err(internal)
    }

    async fn set_membership(
        &self,
        by: PersonId,
        org: OrgId,
        person: PersonId,
        member: bool,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
            .bind(org.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        exists.ok_or(AppError::NotFound)?;
        // An administrator who adds a member vouches for them: the membership is confirmed (and a
        // waiting one becomes confirmed).
        let statement = if member {
            "INSERT INTO memberships (org_id, person_id, joined_at, confirmed_at, confirmed_by) \
             VALUES ($1, $2, $3, $3, $4) ON CONFLICT (org_id, person_id) DO UPDATE SET \
             confirmed_at = COALESCE(memberships.confirmed_at, excluded.confirmed_at), \
             confirmed_by = COALESCE(memberships.confirmed_by, excluded.confirmed_by)"
        } else {
            "DELETE FROM memberships WHERE org_id = $1 AND person_id = $2 AND $3 = $3 AND $4 = $4"
        };
        sqlx::query(statement)
            .bind(org.0)
            .bind(person.0)
            .bind(now)
            .bind(by.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if e.as_database_error()
                    .is_some_and(|d| d.is_foreign_key_violation())
                {
                    AppError::invalid("email", Msg::ErrorNoSuchPerson)
                } else {
                    internal(e)
                }
            })?;
        tx.commit().await.map_err(internal)
    }

    async fn members(&self, org: OrgId) -> AppResult<Vec<Member>> {
        let rows: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT p.id, p.display_name, m.joined_at, m.confirmed_at FROM memberships m \
             JOIN people p ON p.id = m.person_id WHERE m.org_id = $1 ORDER BY p.id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let mut members: Vec<Member> = rows
            .into_iter()
            .map(|(id, display_name, joined_at, confirmed_at)| Member {
                person: PersonId(id),
                display_name,
                joined_at,
                confirmed_at,
            })
            .collect();
        members.sort_by_cached_key(|m| (m.display_name.to_lowercase(), m.person));
        Ok(members)
    }

    async fn memberships(&self, person: PersonId) -> AppResult<Vec<Membership>> {
        #[derive(sqlx::FromRow)]
        struct MembershipRow {
            #[sqlx(flatten)]
            org: OrgRow,
            confirmed_at: Option<i64>,
        }
        let rows: Vec<MembershipRow> = sqlx::query_as(
            "SELECT o.id, o.name, o.description, o.kind, o.verified_at, o.withdrawn_at, \
             o.withdrawn_reason, o.created_at, m.confirmed_at FROM organisations o \
             JOIN memberships m ON m.org_id = o.id WHERE m.person_id = $1 ORDER BY o.id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|row| {
                Ok(Membership {
                    org: row.org.into_org()?,
                    confirmed_at: row.confirmed_at,
                })
            })
            .collect()
    }

    async fn create_process(
        &self,
        actor: Actor,
        fields: ProcessFields,
        now: Millis,
    ) -> AppResult<ProcessId> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, actor.person, SiteAction::CreateProcess).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO processes (title, summary, level, languages, phase, rules, who_decides, legal_basis, \
             input_outcome, created_at, updated_at) VALUES ($1, $2, $3, $4, 'framing', $5, $6, $7, $8, $9, $9) \
             RETURNING id",
        )
        .bind(localized_json(&fields.title))
        .bind(localized_json(&fields.summary))
        .bind(fields.level.code())
        .bind(fields.languages.join(","))
        .bind(localized_json(&fields.rules))
        .bind(localized_json(&fields.who_decides))
        .bind(localized_json(&fields.legal_basis))
        .bind(localized_json(&fields.input_outcome))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        let process = ProcessId(id);
        write_schedule(&mut tx, process, &fields).await?;
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::ProcessCreated,
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(process)
    }

    async fn process(&self, id: ProcessId) -> AppResult<Option<Process>> {
        let row: Option<ProcessRow> = sqlx::query_as(concat!(
            "SELECT ",
            process_columns!(),
            " FROM processes WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        let Some(row) = row else { return Ok(None) };
        let mut phases: Vec<PhaseRow> = sqlx::query_as(
            "SELECT process_id, phase, starts_on, ends_on FROM process_phases WHERE process_id = $1",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        row.into_process(&mut phases).map(Some)
    }

    async fn processes(&self) -> AppResult<Vec<Process>> {
        let rows: Vec<ProcessRow> = sqlx::query_as(concat!(
            "SELECT ",
            process_columns!(),
            " FROM processes ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let mut phases: Vec<PhaseRow> =
            sqlx::query_as("SELECT process_id, phase, starts_on, ends_on FROM process_phases")
                .fetch_all(&self.pool)
                .await
                .map_err(internal)?;
        rows.into_iter()
            .map(|row| row.into_process(&mut phases))
            .collect()
    }

    async fn update_process(
        &self,
        actor: Actor,
        id: ProcessId,
        fields: ProcessFields,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, id, actor, Action::Manage).await?;
        sqlx::query(
            "UPDATE processes SET title = $1, summary = $2, level = $3, languages = $4, rules = $5, \
             who_decides = $6, legal_basis = $7, input_outcome = $8 WHERE id = $9",
        )
        .bind(localized_json(&fields.title))
        .bind(localized_json(&fields.summary))
        .bind(fields.level.code())
        .bind(fields.languages.join(","))
        .bind(localized_json(&fields.rules))
        .bind(localized_json(&fields.who_decides))
        .bind(localized_json(&fields.legal_basis))
        .bind(localized_json(&fields.input_outcome))
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        write_schedule(&mut tx, id, &fields).await?;
        log_event(&mut tx, id, actor, &EventKind::DetailsEdited, None, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn set_phase(
        &self,
        actor: Actor,
        id: ProcessId,
        phase: Phase,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let from = authorize(&mut tx, id, actor, Action::ChangePhase).await?;
        if from == phase {
            return Ok(());
        }
        sqlx::query("UPDATE processes SET phase = $1 WHERE id = $2")
            .bind(phase.code())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(
            &mut tx,
            id,
            actor,
            &EventKind::PhaseChanged { from, to: phase },
            None,
            now,
        )
        .await?;
        let by = decisions::display_name(&mut tx, actor.person).await?;
        decisions::append_record(&mut tx, decisions::phase_event(id, from, phase, &by), now)
            .await?;
        tx.commit().await.map_err(internal)
    }

    async fn set_rules(
        &self,
        actor: Actor,
        id: ProcessId,
        rules: Localized,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, id, actor, Action::EditRules).await?;
        sqlx::query("UPDATE processes SET rules = $1 WHERE id = $2")
            .bind(localized_json(&rules))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(&mut tx, id, actor, &EventKind::RulesEdited, None, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn set_org_role(
        &self,
        actor: Actor,
        id: ProcessId,
        org: OrgId,
        role: Option<OrgRole>,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, id, actor, Action::Manage).await?;
        let row: Option<OrgRow> = sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(org.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        let organisation = row
            .ok_or_else(|| AppError::invalid("org", Msg::ErrorChoice))?
            .into_org()?;
        match role {
            Some(role) => {
                if organisation.verified_at.is_none() {
                    return Err(AppError::Invalid(vec![FieldError::new(
                        "org",
                        Msg::ErrorNotVerified,
                    )]));
                }
                sqlx::query(
                    "INSERT INTO process_organisations (process_id, org_id, role, added_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (process_id, org_id) DO UPDATE SET role = excluded.role",
                )
                .bind(id.0)
                .bind(org.0)
                .bind(role.code())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM process_organisations WHERE process_id = $1 AND org_id = $2",
                )
                .bind(id.0)
                .bind(org.0)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            }
        }
        let name = display_name_of(&organisation.name);
        log_event(
            &mut tx,
            id,
            actor,
            &EventKind::OrganisationRole { org, role },
            Some(&name),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)
    }

    async fn set_person_role(
        &self,
        actor: Actor,
        id: ProcessId,
        person: PersonId,
        role: PersonalRole,
        assigned: bool,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, id, actor, Action::Manage).await?;
        let name: Option<String> =
            sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        let name = name.ok_or_else(|| AppError::invalid("email", Msg::ErrorNoSuchPerson))?;
        let statement = if assigned {
            "INSERT INTO process_people (process_id, person_id, role, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM process_people WHERE process_id = $1 AND person_id = $2 AND role = $3 AND $4 = $4"
        };
        sqlx::query(statement)
            .bind(id.0)
            .bind(person.0)
            .bind(role.role().code())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(
            &mut tx,
            id,
            actor,
            &EventKind::PersonRole {
                person,
                role,
                assigned,
            },
            Some(&name),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)
    }

    async fn participants(&self, id: ProcessId) -> AppResult<Participants> {
        #[derive(sqlx::FromRow)]
        struct ProcessOrgRow {
            #[sqlx(flatten)]
            org: OrgRow,
            role: String,
        }
        let orgs: Vec<ProcessOrgRow> = sqlx::query_as(
            "SELECT o.id, o.name, o.description, o.kind, o.verified_at, o.withdrawn_at, \
             o.withdrawn_reason, o.created_at, po.role \
             FROM process_organisations po JOIN organisations o ON o.id = po.org_id \
             WHERE po.process_id = $1 ORDER BY po.role, o.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let people: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.display_name, pp.role FROM process_people pp JOIN people p ON p.id = pp.person_id \
             WHERE pp.process_id = $1 ORDER BY pp.role, p.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(Participants {
            organisations: orgs
                .into_iter()
                .map(|row| {
                    let org = row.org.into_org()?;
                    let role = OrgRole::from_code(&row.role)
                        .ok_or_else(|| corrupt("organisation role", &row.role))?;
                    Ok(ProcessOrg { org, role })
                })
                .collect::<AppResult<_>>()?,
            people: people
                .into_iter()
                .map(|(id, display_name, role)| {
                    let role = PersonalRole::from_code(&role)
                        .ok_or_else(|| corrupt("personal role", &role))?;
                    Ok(ProcessPerson {
                        person: PersonId(id),
                        display_name,
                        role,
                    })
                })
                .collect::<AppResult<_>>()?,
        })
    }

    async fn standing(&self, id: ProcessId, person: Option<PersonId>) -> AppResult<Standing> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        standing_on(&mut conn, id, person).await
    }

    async fn events(&self, id: ProcessId, limit: i64) -> AppResult<Vec<ProcessEvent>> {
        let rows: Vec<(i64, String, Option<String>, String, Option<String>)> = sqlx::query_as(
            "SELECT e.at, e.actor_name, o.name, e.detail, e.subject_name FROM process_events e \
             LEFT JOIN organisations o ON o.id = e.org_id \
             WHERE e.process_id = $1 ORDER BY e.id DESC LIMIT $2",
        )
        .bind(id.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|(at, actor_name, org_name, detail, subject_name)| {
                Ok(ProcessEvent {
                    at,
                    actor_name,
                    org_name: org_name.as_deref().map(localized).transpose()?,
                    kind: serde_json::from_str(&detail).map_err(|_| corrupt("event", &detail))?,
                    subject_name,
                })
            })
            .collect()
    }

    async fn create_draft(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewDraft,
        now: Millis,
    ) -> AppResult<DraftId> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, process, actor, Action::CreateDraft).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO drafts (process_id, title, language, summary, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(process.0)
        .bind(&new.title)
        .bind(&new.language)
        .bind(&new.summary)
        .bind(actor.person.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        let draft = DraftId(id);
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::DraftCreated { draft },
            Some(&new.title),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(draft)
    }

    async fn draft(&self, id: DraftId) -> AppResult<Option<Draft>> {
        let row: Option<DraftRow> = sqlx::query_as(concat!(
            "SELECT ",
            draft_columns!(),
            " FROM drafts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(DraftRow::into_draft))
    }

    async fn drafts(&self, process: ProcessId) -> AppResult<Vec<Draft>> {
        let rows: Vec<DraftRow> = sqlx::query_as(concat!(
            "SELECT ",
            draft_columns!(),
            // A sitting's minutes are shown with the sitting, not among the drafts.
            " FROM drafts WHERE process_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM sittings s WHERE s.minutes_draft_id = drafts.id) ORDER BY id"
        ))
        .bind(process.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows.into_iter().map(DraftRow::into_draft).collect())
    }

    async fn set_draft_lock(
        &self,
        actor: Actor,
        id: DraftId,
        locked: bool,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let process = authorize_on_draft(&mut tx, id, actor, Action::LockDraft).await?;
        sqlx::query("UPDATE drafts SET locked_at = $1, locked_by = $2 WHERE id = $3")
            .bind(locked.then_some(now))
            .bind(locked.then_some(actor.person.0))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        let title: String = sqlx::query_scalar("SELECT title FROM drafts WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::DraftLocked { draft: id, locked },
            Some(&title),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)
    }

    async fn draft_write_access(&self, id: DraftId, actor: Actor) -> AppResult<Result<(), Msg>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        if let Some(answer) = sittings::minutes_access(&mut conn, id, actor).await? {
            return Ok(answer);
        }
        let row: Option<(i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT d.process_id, d.locked_at, p.phase FROM drafts d JOIN processes p ON p.id = d.process_id \
             WHERE d.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
        let (process, locked_at, phase) = row.ok_or(AppError::NotFound)?;
        if decisions::is_frozen(&mut conn, id).await? {
            return Ok(Err(Msg::ErrorDraftFrozen));
        }
        let phase = parse_phase(&phase)?;
        let standing = standing_on(&mut conn, ProcessId(process), Some(actor.person)).await?;
        if let Some(org) = actor.acting_for
            && !standing.co_drafting_orgs.contains(&org)
        {
            return Ok(Err(Msg::ErrorDraftReadOnly));
        }
        Ok(if locked_at.is_some() {
            Err(Msg::ErrorDraftLocked)
        } else if standing.may(actor.acting_for, Action::EditDraft, phase) {
            Ok(())
        } else if standing.may_somehow(Action::EditDraft, Phase::Drafting) {
            Err(Msg::ErrorNotAllowedInPhase)
        } else {
            Err(Msg::ErrorDraftReadOnly)
        })
    }

    async fn draft_snapshot(&self, id: DraftId) -> AppResult<Option<(i64, Vec<u8>)>> {
        sqlx::query_as("SELECT seq, state_v1 FROM draft_snapshots WHERE draft_id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)
    }

    async fn draft_snapshot_seq(&self, id: DraftId) -> AppResult<i64> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM draft_snapshots WHERE draft_id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        Ok(seq.unwrap_or(0))
    }

    async fn draft_updates_after(
        &self,
        id: DraftId,
        after: i64,
        limit: i64,
    ) -> AppResult<Vec<(i64, Vec<u8>)>> {
        sqlx::query_as(
            "SELECT seq, update_v1 FROM draft_updates WHERE draft_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(id.0)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)
    }

    async fn append_draft_updates(
        &self,
        id: DraftId,
        first_seq: i64,
        updates: &[(Actor, Vec<u8>)],
        now: Millis,
    ) -> AppResult<bool> {
        /// Rows per INSERT: 6 parameters each stays far below both databases' limits.
        const ROWS: usize = 100;
        let insert = |chunk: &[(Actor, Vec<u8>)], mut seq: i64| {
            let rows: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let p = row * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO draft_updates (draft_id, seq, person_id, org_id, at, update_v1) VALUES {}",
                rows.join(", ")
            );
            // Built only from placeholders numbered here; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (author, update) in chunk {
                query = query
                    .bind(id.0)
                    .bind(seq)
                    .bind(author.person.0)
                    .bind(author.acting_for.map(|o| o.0))
                    .bind(now)
                    .bind(update.clone());
                seq += 1;
            }
            query
        };
        if updates.len() <= ROWS {
            // One statement is atomic on its own: no transaction, so one round trip to the
            // database instead of three for the usual group of a few keystrokes.
            return match insert(updates, first_seq).execute(&self.pool).await {
                Ok(_) => Ok(true),
                Err(error) if is_unique_violation(&error) => Ok(false),
                Err(error) => Err(internal(error)),
            };
        }
        let mut tx = self.begin().await?;
        let mut seq = first_seq;
        for chunk in updates.chunks(ROWS) {
            match insert(chunk, seq).execute(&mut *tx).await {
                Ok(_) => seq += chunk.len() as i64,
                // Dropping the transaction rolls it back: nothing of the group is stored.
                Err(error) if is_unique_violation(&error) => return Ok(false),
                Err(error) => return Err(internal(error)),
            }
        }
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }

    async fn compact_draft(
        &self,
        id: DraftId,
        seq: i64,
        state: &[u8],
        now: Millis,
    ) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        // The row lock taken here makes a second compacting server wait, then see the newer
        // snapshot and change nothing: exactly one wins.
        let stored = sqlx::query(
            "INSERT INTO draft_snapshots (draft_id, seq, state_v1, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (draft_id) DO UPDATE SET seq = excluded.seq, state_v1 = excluded.state_v1, \
             created_at = excluded.created_at WHERE draft_snapshots.seq < excluded.seq",
        )
        .bind(id.0)
        .bind(seq)
        .bind(state.to_vec())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if stored == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM draft_updates WHERE draft_id = $1 AND seq <= $2")
            .bind(id.0)
            .bind(seq)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }

    async fn bind_draft_client(&self, id: DraftId, client: u64, author: Actor) -> AppResult<Actor> {
        let client = i64::try_from(client).map_err(|_| AppError::Internal)?;
        sqlx::query(
            "INSERT INTO draft_clients (draft_id, client_id, person_id, org_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (draft_id, client_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(client)
        .bind(author.person.0)
        .bind(author.acting_for.map(|o| o.0))
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        let (person, org): (i64, Option<i64>) = sqlx::query_as(
            "SELECT person_id, org_id FROM draft_clients WHERE draft_id = $1 AND client_id = $2",
        )
        .bind(id.0)
        .bind(client)
        .fetch_one(&self.pool)
        .await
        .map_err(internal)?;
        Ok(Actor {
            person: PersonId(person),
            acting_for: org.map(OrgId),
        })
    }

    async fn draft_clients(&self, id: DraftId) -> AppResult<Vec<(u64, Actor)>> {
        let rows: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT client_id, person_id, org_id FROM draft_clients WHERE draft_id = $1",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|(client, person, org)| {
                (
                    client as u64,
                    Actor {
                        person: PersonId(person),
                        acting_for: org.map(OrgId),
                    },
                )
            })
            .collect())
    }

    async fn create_version(
        &self,
        actor: Actor,
        id: DraftId,
        version: NewVersion,
        now: Millis,
    ) -> AppResult<i64> {
        let mut tx = self.begin().await?;
        let process = authorize_on_draft(&mut tx, id, actor, Action::EditDraft).await?;
        if decisions::is_frozen(&mut tx, id).await? {
            return Err(AppError::Conflict(Msg::ErrorDraftFrozen));
        }
        let number = insert_version(&mut tx, id, actor, &version, now).await?;
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::VersionNamed { draft: id, number },
            Some(&version.name),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(number)
    }

    async fn versions(&self, id: DraftId) -> AppResult<Vec<VersionMeta>> {
        let rows: Vec<VersionRow> = sqlx::query_as(concat!(
            "SELECT ",
            version_columns!(),
            " FROM draft_versions v LEFT JOIN organisations o ON o.id = v.org_id WHERE v.draft_id = $1 \
             ORDER BY v.number DESC"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter().map(|row| row.into_meta()).collect()
    }

    async fn version(&self, id: DraftId, number: i64) -> AppResult<Option<Version>> {
        let row: Option<VersionRow> = sqlx::query_as(concat!(
            "SELECT ",
            version_columns!(),
            " FROM draft_versions v LEFT JOIN organisations o ON o.id = v.org_id \
             WHERE v.draft_id = $1 AND v.number = $2"
        ))
        .bind(id.0)
        .bind(number)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        let Some(row) = row else { return Ok(None) };
        let text = row.body.clone();
        Ok(Some(Version {
            meta: row.into_meta()?,
            text,
        }))
    }
}
