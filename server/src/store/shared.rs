//! What every part of the store shares: reading failures, and the steps every use case takes in
//! its transaction (who the actor is in a process, whether they may act, for whom they speak),
//! the process's public activity log and the public record. Rules come from `app::domain`; these
//! only gather what the rules need and write what they decided.

use super::rows::*;
use app::domain::localized::Localized;
use app::domain::org::OrgKind;
use app::domain::record;
use app::domain::roles::{Action, PersonalRole, Phase, SiteAction, SiteRole, Standing, site_may};
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{DraftId, OrgId, PersonId, ProcessId};
use app::model::*;
use app::ssr::changes::{Change, Written};
use serde_json::Value;
use sqlx::AnyConnection;

/// Logs a database failure (once, here) and hides it from the client.
pub(super) fn internal(error: sqlx::Error) -> AppError {
    tracing::error!(%error, "database error");
    AppError::Internal
}

pub(super) fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// The standing of `person` in `process`, read on `conn` (inside the caller's transaction).
pub(super) async fn standing_on(
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
        site_admin: SiteRole::parse(&site_role).is_admin(),
        personal: personal
            .iter()
            .map(|code| PersonalRole::from_code(code).ok_or_else(|| corrupt("personal role", code)))
            .collect::<AppResult<_>>()?,
        co_drafting_orgs: co_drafting_orgs.into_iter().map(OrgId).collect(),
    })
}

/// Checks that `actor` may take `action` in `process` now; returns the process's phase.
pub(super) async fn authorize(
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
    standing
        .refusal(actor.acting_for, action, phase)
        .map_err(AppError::Forbidden)?;
    Ok(phase)
}

/// Checks that `person` may speak for `org` now (a confirmed member of a verified organisation,
/// [`app::domain::org::may_speak_for`]); returns the organisation's kind. Every action taken for
/// an organisation passes here, in the transaction that records it.
pub(super) async fn speaking_for(
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
pub(super) async fn authorize_on_draft(
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
pub(super) async fn authorize_site(
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
        Some(role) if site_may(true, SiteRole::parse(&role).is_admin(), action) => Ok(()),
        Some(_) if action == SiteAction::RegisterOrganisation => Ok(()),
        Some(_) => Err(AppError::Forbidden(Msg::ErrorAdminsOnly)),
        None => Err(AppError::Unauthenticated),
    }
}

/// Appends to a process's public activity log.
pub(super) async fn log_event(
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

pub(super) fn display_name_of(org: &Localized) -> String {
    org.pick("en", &[]).text
}

/// Appends an event to the public record, inside the caller's transaction. Taking the head first
/// makes concurrent appenders queue (a row lock on PostgreSQL, the one writer on SQLite), so the
/// chain never forks.
pub(super) async fn append_record(
    conn: &mut AnyConnection,
    event: Value,
    now: Millis,
) -> AppResult<()> {
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE record_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await
            .map_err(internal)?;
    let hash = record::hash(seq, now, &event, &prev);
    sqlx::query(
        "INSERT INTO public_record (seq, at, event, prev, hash) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(now)
    .bind(record::canonical(&event))
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE record_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

/// A person's display name as it is now (the record and logs keep it as it was).
pub(super) async fn display_name(conn: &mut AnyConnection, person: PersonId) -> AppResult<String> {
    sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// Whether nobody may write in a draft because its text is frozen for a decision.
pub(super) async fn is_frozen(conn: &mut AnyConnection, draft: DraftId) -> AppResult<bool> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM decisions WHERE draft_id = $1")
        .bind(draft.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(id.is_some())
}

/// Commits a write and says what it changed, for the live system to hear ([`Written`]).
pub(super) async fn commit<T>(
    tx: sqlx::Transaction<'static, sqlx::Any>,
    value: T,
    changes: Vec<Change>,
) -> AppResult<Written<T>> {
    tx.commit().await.map_err(internal)?;
    Ok(Written::new(value, changes))
}
