//! Sittings in SQL: the schedule in tables, the live state as one JSON document per sitting that
//! changes only inside a transaction that decided the change with `domain::sitting`.

use super::SqlStore;
use super::notifications::{Telling, followers, tell};
use super::rows::corrupt;
use super::shared::*;
use app::domain::icalendar::calendar;
use app::domain::notice::{FollowSubject, Notice};
use app::domain::roles::Action;
use app::domain::sitting::{self, Command, LiveState, Refusal, Speaker};
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{CommentId, DraftId, OrgId, PersonId, ProcessId, SittingId};
use app::model::*;
use app::ssr::Sittings;
use app::ssr::changes::{Change, Written};
use sqlx::AnyConnection;

type SittingRow = (
    i64,
    i64,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    Option<i64>,
);

async fn load(conn: &mut AnyConnection, id: SittingId) -> AppResult<Option<Sitting>> {
    let row: Option<SittingRow> = sqlx::query_as(
        "SELECT id, process_id, title, starts_at, place, public, turn_seconds, minutes_draft_id, state, \
         created_at, closed_at FROM sittings WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let Some((
        id,
        process,
        title,
        starts_at,
        place,
        public,
        turn_seconds,
        minutes,
        state,
        created_at,
        closed_at,
    )) = row
    else {
        return Ok(None);
    };
    let agenda: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT text, draft_id, thread_id FROM sitting_items WHERE sitting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let invited: Vec<i64> = sqlx::query_scalar(
        "SELECT org_id FROM sitting_invitations WHERE sitting_id = $1 ORDER BY org_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let note_takers: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM sitting_note_takers WHERE sitting_id = $1 ORDER BY person_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(Some(Sitting {
        id: SittingId(id),
        process: ProcessId(process),
        title,
        starts_at,
        place,
        public: public == 1,
        turn_seconds: u32::try_from(turn_seconds).unwrap_or(u32::MAX),
        minutes: DraftId(minutes),
        agenda: agenda
            .into_iter()
            .map(|(text, draft, thread)| AgendaItem {
                text,
                draft: draft.map(DraftId),
                thread: thread.map(CommentId),
            })
            .collect(),
        invited: invited.into_iter().map(OrgId).collect(),
        note_takers: note_takers.into_iter().map(PersonId).collect(),
        state: serde_json::from_str(&state).map_err(|_| corrupt("sitting state", &state))?,
        created_at,
        closed_at,
    }))
}

/// Refuses a schedule that points outside its process: agenda items must name this process's
/// drafts and threads, invitations verified organisations, note-takers people who exist.
async fn check_references(
    conn: &mut AnyConnection,
    process: ProcessId,
    new: &NewSitting,
) -> AppResult<()> {
    // (the query, its first parameter, the field to blame). Every query is given the process as $2,
    // and PostgreSQL insists that a parameter be used: hence `$2 > 0` where it does not matter.
    let mut checks: Vec<(&str, i64, String)> = Vec::new();
    for (i, item) in new.agenda.iter().enumerate() {
        if let Some(draft) = item.draft {
            checks.push((
                "SELECT id FROM drafts WHERE id = $1 AND process_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM sittings s WHERE s.minutes_draft_id = drafts.id)",
                draft.0,
                format!("item.{i}.about"),
            ));
        }
        if let Some(thread) = item.thread {
            checks.push((
                "SELECT c.id FROM comments c JOIN drafts d ON d.id = c.draft_id \
                 WHERE c.id = $1 AND c.thread_id = c.id AND d.process_id = $2",
                thread.0,
                format!("item.{i}.about"),
            ));
        }
    }
    for org in &new.invited {
        checks.push((
            "SELECT id FROM organisations WHERE id = $1 AND verified_at IS NOT NULL AND $2 > 0",
            org.0,
            "invited".into(),
        ));
    }
    for person in &new.note_takers {
        checks.push((
            "SELECT id FROM people WHERE id = $1 AND $2 > 0",
            person.0,
            "note_takers".into(),
        ));
    }
    for (sql, id, field) in checks {
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(process.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?;
        if found.is_none() {
            return Err(AppError::invalid(&field, Msg::ErrorChoice));
        }
    }
    Ok(())
}

/// Whether `person` may write a sitting's minutes now (the chair and the note-takers, until the
/// sitting closes); `None` when the draft is not a sitting's minutes.
pub(super) async fn minutes_access(
    conn: &mut AnyConnection,
    draft: DraftId,
    actor: Actor,
) -> AppResult<Option<Result<(), Msg>>> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sittings WHERE minutes_draft_id = $1")
        .bind(draft.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let sitting = load(conn, SittingId(id)).await?.ok_or(AppError::NotFound)?;
    let who = sitting_actor(conn, &sitting, actor).await?;
    Ok(Some(sitting::may_write_minutes(
        sitting.state.stage,
        who.chair,
        sitting.note_takers.contains(&actor.person),
        actor.acting_for.is_some(),
    )))
}

/// Who `actor` is in a sitting: its chair, a speaker, or neither.
async fn sitting_actor(
    conn: &mut AnyConnection,
    sitting: &Sitting,
    actor: Actor,
) -> AppResult<sitting::Actor> {
    let phase: String = sqlx::query_scalar("SELECT phase FROM processes WHERE id = $1")
        .bind(sitting.process.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(internal)?;
    let phase = super::rows::parse_phase(&phase)?;
    let standing = standing_on(conn, sitting.process, Some(actor.person)).await?;
    let chair = actor.acting_for.is_none() && standing.may(None, Action::RunSitting, phase);
    let accepted: Option<i64> = sqlx::query_scalar(
        "SELECT accepted_at FROM rules_acceptances WHERE process_id = $1 AND person_id = $2",
    )
    .bind(sitting.process.0)
    .bind(actor.person.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let name: String = sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
        .bind(actor.person.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(internal)?;
    let speaker = match actor.acting_for {
        // A representative of an invited organisation they belong to.
        // (and may speak for: a confirmed member while it is verified).
        Some(org) if sitting.invited.contains(&org) => {
            match speaking_for(conn, actor.person, org).await {
                Ok(kind) => Some(Speaker {
                    person: actor.person,
                    name: name.clone(),
                    org: Some(org),
                    kind: Some(kind.stakeholder()),
                }),
                Err(AppError::Forbidden(_)) => None,
                Err(error) => return Err(error),
            }
        }
        Some(_) => None,
        // Council members and mediators speak as themselves.
        None => standing
            .may(None, Action::SpeakInSitting, phase)
            .then_some(Speaker {
                person: actor.person,
                name,
                org: None,
                kind: None,
            }),
    };
    Ok(sitting::Actor {
        person: actor.person,
        chair,
        needs_rules: speaker.is_some() && accepted.is_none(),
        speaker: speaker.filter(|_| accepted.is_some()),
    })
}

/// How often a command is decided again after losing a race with another (see `command_sitting`).
const MAX_ATTEMPTS: usize = 32;

impl SqlStore {
    /// Decides and stores one command, unless the stored state changed since it was read: then
    /// nothing is written and `None` says to try again.
    async fn try_command(
        &self,
        id: SittingId,
        actor: Actor,
        command: Command,
        now: Millis,
    ) -> AppResult<Option<Written<Result<Sitting, Refusal>>>> {
        let mut tx = self.begin().await?;
        let mut sitting = load(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let who = sitting_actor(&mut tx, &sitting, actor).await?;
        let before = sitting.state.version;
        if let Err(refusal) = sitting::apply(&mut sitting.state, &who, command, now) {
            return Ok(Some(Written::quiet(Err(refusal))));
        }
        if sitting.state.version == before {
            return Ok(Some(Written::quiet(Ok(sitting))));
        }
        let closing = sitting.state.stage == sitting::Stage::Closed && sitting.closed_at.is_none();
        if closing {
            sitting.closed_at = Some(now);
        }
        let state = serde_json::to_string(&sitting.state).map_err(|_| AppError::Internal)?;
        let updated = sqlx::query(
            "UPDATE sittings SET state = $1, version = $2, closed_at = $3 WHERE id = $4 AND version = $5",
        )
        .bind(state)
        .bind(sitting.state.version as i64)
        .bind(sitting.closed_at)
        .bind(id.0)
        .bind(before as i64)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        // Every viewer gets the new state; closing also ends the minutes' writing at once.
        let mut changes = vec![Change::Sitting(std::sync::Arc::new(sitting.clone()))];
        if closing {
            changes.push(Change::DraftAccess);
        }
        commit(tx, Ok(sitting), changes).await.map(Some)
    }
}

#[async_trait::async_trait]
impl Sittings for SqlStore {
    async fn create_sitting(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewSitting,
        now: Millis,
    ) -> AppResult<Written<SittingId>> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, process, actor, Action::RunSitting).await?;
        check_references(&mut tx, process, &new).await?;
        let state = serde_json::to_string(&LiveState::scheduled(new.agenda.len()))
            .map_err(|_| AppError::Internal)?;
        // The minutes are a draft of their own, written in the process's first language.
        let languages: String = sqlx::query_scalar("SELECT languages FROM processes WHERE id = $1")
            .bind(process.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        let language = languages
            .split(',')
            .next()
            .unwrap_or("en")
            .trim()
            .to_string();
        let minutes: i64 = sqlx::query_scalar(
            "INSERT INTO drafts (process_id, title, language, summary, created_by, created_at) \
             VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
        )
        .bind(process.0)
        .bind(&new.title)
        .bind(language)
        .bind(actor.person.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sittings (process_id, title, starts_at, place, public, turn_seconds, \
             minutes_draft_id, state, version, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10) RETURNING id",
        )
        .bind(process.0)
        .bind(&new.title)
        .bind(new.starts_at)
        .bind(&new.place)
        .bind(i64::from(new.public))
        .bind(i64::from(new.turn_seconds))
        .bind(minutes)
        .bind(state)
        .bind(actor.person.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        for (position, item) in new.agenda.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sitting_items (sitting_id, position, text, draft_id, thread_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(&item.text)
            .bind(item.draft.map(|d| d.0))
            .bind(item.thread.map(|t| t.0))
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        }
        for org in &new.invited {
            sqlx::query("INSERT INTO sitting_invitations (sitting_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(org.0)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        for person in &new.note_takers {
            sqlx::query("INSERT INTO sitting_note_takers (sitting_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(person.0)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        // The process's followers hear of a sitting the public may watch, with an invitation for
        // their calendar; an invited-only one is the business of those invited.
        if new.public {
            let recipients = followers(&mut tx, FollowSubject::Process, process.0).await?;
            let sitting = load(&mut tx, SittingId(id))
                .await?
                .ok_or(AppError::Internal)?;
            let origin = self.site_url.to_string();
            let languages: Vec<String> =
                languages.split(',').map(|l| l.trim().to_string()).collect();
            let invitation = sitting.clone();
            let telling = Telling {
                notice: Notice::Sitting {
                    title: new.title.clone(),
                    starts_at: new.starts_at,
                    place: new.place.clone(),
                },
                process: Some(process),
                link: format!("/processes/{process}/sittings/{id}"),
                comment: None,
                actor: Some(actor.person),
                calendar: Some(Box::new(move |lang| {
                    let event =
                        crate::calendar::sitting_event(&origin, &languages, &invitation, lang);
                    calendar(&invitation.title, invitation.created_at, &[event])
                })),
            };
            tell(&mut tx, self, &recipients, &telling, now).await?;
        }
        commit(tx, SittingId(id), Vec::new()).await
    }

    async fn sitting(&self, id: SittingId) -> AppResult<Option<Sitting>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        load(&mut conn, id).await
    }

    async fn sittings(&self, process: ProcessId) -> AppResult<Vec<Sitting>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM sittings WHERE process_id = $1 ORDER BY starts_at, id",
        )
        .bind(process.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
        let mut all = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(sitting) = load(&mut conn, SittingId(id)).await? {
                all.push(sitting);
            }
        }
        Ok(all)
    }

    async fn accept_rules(
        &self,
        person: PersonId,
        process: ProcessId,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM processes WHERE id = $1")
            .bind(process.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        exists.ok_or(AppError::NotFound)?;
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT accepted_at FROM rules_acceptances WHERE process_id = $1 AND person_id = $2",
        )
        .bind(process.0)
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        if already.is_none() {
            sqlx::query("INSERT INTO rules_acceptances (process_id, person_id, accepted_at) VALUES ($1, $2, $3)")
                .bind(process.0)
                .bind(person.0)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        commit(tx, (), Vec::new()).await
    }

    async fn accepted_rules(&self, person: PersonId, process: ProcessId) -> AppResult<bool> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT accepted_at FROM rules_acceptances WHERE process_id = $1 AND person_id = $2",
        )
        .bind(process.0)
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(at.is_some())
    }

    async fn sitting_actor(&self, id: SittingId, actor: Actor) -> AppResult<sitting::Actor> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let sitting = load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        sitting_actor(&mut conn, &sitting, actor).await
    }

    async fn command_sitting(
        &self,
        id: SittingId,
        actor: Actor,
        command: Command,
        now: Millis,
    ) -> AppResult<Written<Result<Sitting, Refusal>>> {
        // Optimistic: a command decided on a state someone else changed meanwhile is decided again
        // on the new one (PostgreSQL's default isolation would otherwise let the later write drop
        // the earlier, say one of two hands raised at once). Each conflict means another command
        // was saved, so a bounded number of attempts always gets through in a real room.
        for _ in 0..MAX_ATTEMPTS {
            if let Some(decided) = self.try_command(id, actor, command.clone(), now).await? {
                return Ok(decided);
            }
        }
        Ok(Written::quiet(Err(Refusal::NotSaved)))
    }
}
