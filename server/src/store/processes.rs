//! Processes: their fields and schedule, phase changes (in the public record), the roles of
//! organisations and people, standing, and the public activity log.

use super::SqlStore;
use super::notifications::{Telling, followers, tell};
use super::rows::*;
use super::shared::*;
use app::domain::localized::Localized;
use app::domain::notice::{FollowSubject, Notice};
use app::domain::roles::{Action, OrgRole, PersonalRole, Phase, SiteAction, Standing};
use app::error::{AppError, AppResult, FieldError};
use app::i18n::Msg;
use app::ids::{OrgId, PersonId, ProcessId};
use app::model::*;
use app::ssr::changes::{Change, Written};
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// Replaces a process's planned phase dates.
pub(super) async fn write_schedule(
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

#[async_trait::async_trait]
impl app::ssr::Processes for SqlStore {
    async fn create_process(
        &self,
        actor: Actor,
        fields: ProcessFields,
        now: Millis,
    ) -> AppResult<Written<ProcessId>> {
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
        commit(tx, process, Vec::new()).await
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
    ) -> AppResult<Written<()>> {
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
        commit(tx, (), Vec::new()).await
    }

    async fn set_phase(
        &self,
        actor: Actor,
        id: ProcessId,
        phase: Phase,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let from = authorize(&mut tx, id, actor, Action::ChangePhase).await?;
        if from == phase {
            return Ok(Written::quiet(()));
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
        let by = display_name(&mut tx, actor.person).await?;
        append_record(&mut tx, phase_event(id, from, phase, &by), now).await?;
        let recipients = followers(&mut tx, FollowSubject::Process, id.0).await?;
        let telling = Telling {
            notice: Notice::Phase {
                phase: phase.code().to_string(),
            },
            process: Some(id),
            link: format!("/processes/{id}"),
            comment: None,
            actor: Some(actor.person),
            calendar: None,
        };
        tell(&mut tx, self, &recipients, &telling, now).await?;
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn set_rules(
        &self,
        actor: Actor,
        id: ProcessId,
        rules: Localized,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, id, actor, Action::EditRules).await?;
        sqlx::query("UPDATE processes SET rules = $1 WHERE id = $2")
            .bind(localized_json(&rules))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(&mut tx, id, actor, &EventKind::RulesEdited, None, now).await?;
        commit(tx, (), Vec::new()).await
    }

    async fn set_org_role(
        &self,
        actor: Actor,
        id: ProcessId,
        org: OrgId,
        role: Option<OrgRole>,
        now: Millis,
    ) -> AppResult<Written<()>> {
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
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn set_person_role(
        &self,
        actor: Actor,
        id: ProcessId,
        person: PersonId,
        role: PersonalRole,
        assigned: bool,
        now: Millis,
    ) -> AppResult<Written<()>> {
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
        commit(tx, (), vec![Change::DraftAccess]).await
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
}

/// The record entry of a phase change.
fn phase_event(process: ProcessId, from: Phase, to: Phase, by: &str) -> Value {
    json!({
        "kind": "phase_changed",
        "process": process.0,
        "from": from.code(),
        "to": to.code(),
        "by": by,
    })
}
