//! Participatory budgets in SQL: opening one, its areas and staff, and moving it through its
//! phases, with the count when the results phase begins (projects and their review are in
//! `budget_projects.rs`, eligibility and ballots in `ballots.rs`). Every write loads the actor's
//! [`BudgetStanding`] in its transaction and asks the budget's own matrix; phase changes, findings
//! and results go to the process's activity log and the public record in the same transaction.

use super::SqlStore;
use super::budget_rows::*;
use super::rows::{corrupt, localized_json};
use super::shared::*;
use crate::db::Backend;
use app::domain::budget::count::{self, Election, Project};
use app::domain::budget::{
    AreaRules, BudgetAction, BudgetPhase, BudgetStanding, ProjectStatus, StaffRole,
};
use app::domain::localized::Localized;
use app::domain::roles::PersonalRole;
use app::error::{AppError, AppResult, FieldError};
use app::i18n::Msg;
use app::ids::{PersonId, ProcessId};
use app::model::*;
use app::ssr::store::Budgets;
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// Longest title of a budget, an area or a project, in characters.
pub(super) const TITLE_MAX: usize = 150;
/// Longest description or explanation.
pub(super) const TEXT_MAX: usize = 5000;
/// Longest place, meeting or proposer's name.
pub(super) const LINE_MAX: usize = 200;

/// What every change to a budget needs to know about it.
pub(super) struct BudgetHead {
    pub process: ProcessId,
    pub phase: BudgetPhase,
    pub title: Localized,
}

/// How a transaction holds the budget's row while it works: `Share` for writes that depend on
/// the phase staying as it is (a ballot, a finding), `Update` for the phase change itself. On
/// PostgreSQL this makes a phase change wait for the ballots being cast, and the ballots cast
/// after it wait for it and then see the new phase, so the count never misses a ballot. SQLite
/// has one writer at a time (`BEGIN IMMEDIATE`), which gives the same.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hold {
    Share,
    Update,
}

/// Reads a budget's head inside a transaction, holding its row as `hold` says.
pub(super) async fn budget_head(
    conn: &mut AnyConnection,
    backend: Backend,
    budget: i64,
    hold: Hold,
) -> AppResult<BudgetHead> {
    let query = match (backend, hold) {
        (Backend::Sqlite, _) => "SELECT process_id, phase, title FROM budgets WHERE id = $1",
        (Backend::Postgres, Hold::Share) => {
            "SELECT process_id, phase, title FROM budgets WHERE id = $1 FOR SHARE"
        }
        (Backend::Postgres, Hold::Update) => {
            "SELECT process_id, phase, title FROM budgets WHERE id = $1 FOR UPDATE"
        }
    };
    let row: Option<(i64, String, String)> = sqlx::query_as(query)
        .bind(budget)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    let (process, phase, title) = row.ok_or(AppError::NotFound)?;
    Ok(BudgetHead {
        process: ProcessId(process),
        phase: budget_phase(&phase)?,
        title: super::rows::localized(&title)?,
    })
}

/// The budget an area belongs to.
pub(super) async fn budget_of_area(conn: &mut AnyConnection, area: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT budget_id FROM budget_areas WHERE id = $1")
        .bind(area)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// What `person` may do in a budget: a manager is a mediator of its process or a site
/// administrator; officers and reviewers are named in `budget_staff`.
pub(super) async fn budget_standing_on(
    conn: &mut AnyConnection,
    budget: i64,
    process: ProcessId,
    person: Option<PersonId>,
) -> AppResult<BudgetStanding> {
    let standing = standing_on(conn, process, person).await?;
    let Some(person) = person.filter(|_| standing.signed_in) else {
        return Ok(BudgetStanding::default());
    };
    let staff: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM budget_staff WHERE budget_id = $1 AND person_id = $2 ORDER BY role",
    )
    .bind(budget)
    .bind(person.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(BudgetStanding {
        signed_in: true,
        manager: standing.site_admin || standing.personal.contains(&PersonalRole::Mediator),
        staff: staff
            .iter()
            .map(|code| StaffRole::from_code(code).ok_or_else(|| corrupt("staff role", code)))
            .collect::<AppResult<_>>()?,
    })
}

/// Checks that `person` may take `action` in a budget now; returns the budget's head. A person
/// who no longer exists is treated as signed out (401), as elsewhere.
pub(super) async fn authorize_budget(
    conn: &mut AnyConnection,
    backend: Backend,
    budget: i64,
    person: PersonId,
    action: BudgetAction,
    hold: Hold,
) -> AppResult<BudgetHead> {
    let head = budget_head(conn, backend, budget, hold).await?;
    let standing = budget_standing_on(conn, budget, head.process, Some(person)).await?;
    if !standing.signed_in {
        return Err(AppError::Unauthenticated);
    }
    standing
        .refusal(action, head.phase)
        .map_err(AppError::Forbidden)?;
    Ok(head)
}

/// A person acting as themselves (budgets are run by people, not for organisations).
pub(super) fn personally(person: PersonId) -> Actor {
    Actor {
        person,
        acting_for: None,
    }
}

/// Every language's text of a name, for a message the store writes once for every reader.
pub(super) fn all_names(name: &Localized) -> String {
    let mut names: Vec<&str> = name.0.values().map(|s| s.trim()).collect();
    names.dedup();
    names.join(" / ")
}

/// A required multilingual text of at most `max` characters in each language.
pub(super) fn check_localized(
    field: &str,
    text: &Localized,
    max: usize,
    errors: &mut Vec<FieldError>,
) {
    if text.is_blank() {
        errors.push(FieldError::new(field, Msg::ErrorRequired));
    } else if text.0.values().any(|t| t.chars().count() > max) {
        errors.push(FieldError::new(
            field,
            Msg::ErrorTooLong {
                max: max.to_string(),
            },
        ));
    }
}

/// A one-line text of at most `max` characters, required or not.
pub(super) fn check_line(
    field: &str,
    text: &str,
    max: usize,
    required: bool,
    errors: &mut Vec<FieldError>,
) {
    if required && text.trim().is_empty() {
        errors.push(FieldError::new(field, Msg::ErrorRequired));
    } else if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            Msg::ErrorTooLong {
                max: max.to_string(),
            },
        ));
    }
}

/// An area's name and rules, as a manager sets them.
fn check_area(area: &NewArea, errors: &mut Vec<FieldError>) {
    if area.name.is_blank() {
        errors.push(FieldError::new("name", Msg::BudgetErrorAreaNameRequired));
    } else {
        check_localized("name", &area.name, TITLE_MAX, errors);
    }
    if let Err((field, msg)) = area.rules.check() {
        errors.push(FieldError::new(field, msg));
    }
}

pub(super) fn refuse_if_any(errors: Vec<FieldError>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The most one project of an area may cost: its cap, or the whole amount when it has none.
pub(super) fn cap_of(rules: &AreaRules) -> i64 {
    if rules.project_cap > 0 {
        rules.project_cap
    } else {
        rules.amount
    }
}

pub(super) async fn area_row(
    conn: &mut AnyConnection,
    area: i64,
) -> AppResult<Option<(i64, AreaRow)>> {
    let row: Option<AreaRowWithBudget> = sqlx::query_as(concat!(
        "SELECT budget_id, ",
        area_columns!(),
        " FROM budget_areas WHERE id = $1"
    ))
    .bind(area)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(row.map(|r| (r.budget_id, r.area)))
}

/// An area's voting rules.
pub(super) async fn area_rules(conn: &mut AnyConnection, area: i64) -> AppResult<AreaRules> {
    area_row(conn, area)
        .await?
        .ok_or(AppError::NotFound)?
        .1
        .rules()
}

#[derive(sqlx::FromRow)]
struct AreaRowWithBudget {
    budget_id: i64,
    #[sqlx(flatten)]
    area: AreaRow,
}

async fn areas_of(conn: &mut AnyConnection, budget: i64) -> AppResult<Vec<BudgetArea>> {
    let rows: Vec<AreaRow> = sqlx::query_as(concat!(
        "SELECT ",
        area_columns!(),
        " FROM budget_areas WHERE budget_id = $1 ORDER BY position, id"
    ))
    .bind(budget)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    rows.into_iter().map(AreaRow::into_area).collect()
}

async fn insert_area(conn: &mut AnyConnection, budget: i64, area: &NewArea) -> AppResult<i64> {
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM budget_areas WHERE budget_id = $1",
    )
    .bind(budget)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    let rules = &area.rules;
    sqlx::query_scalar(
        "INSERT INTO budget_areas (budget_id, position, name, amount, project_cap, ballot, min_projects, \
         max_projects, rule, tie_break, census, codes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(budget)
    .bind(position)
    .bind(localized_json(&area.name))
    .bind(rules.amount)
    .bind(rules.project_cap)
    .bind(rules.ballot.code())
    .bind(rules.min_projects)
    .bind(rules.max_projects)
    .bind(rules.rule.code())
    .bind(rules.tie_break.code())
    .bind(i64::from(area.census))
    .bind(i64::from(area.codes))
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)
}

/// An area's rules as the public record shows them (published when the budget opens and when
/// voting opens, so the tie-break is known before anyone votes).
fn area_json(area: &BudgetArea) -> Value {
    let r = &area.rules;
    json!({
        "area": area.id,
        "name": area.name,
        "amount": r.amount,
        "project_cap": r.project_cap,
        "ballot": r.ballot.code(),
        "min_projects": r.min_projects,
        "max_projects": r.max_projects,
        "rule": r.rule.code(),
        "tie_break": r.tie_break.code(),
        "census": area.census,
        "codes": area.codes,
    })
}

/// Why voting cannot open yet: proposals not reviewed, areas with nothing to vote on.
async fn missing_for_voting(conn: &mut AnyConnection, budget: i64) -> AppResult<Vec<FieldError>> {
    let mut missing = Vec::new();
    let unreviewed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM budget_projects WHERE budget_id = $1 AND status = 'proposed'",
    )
    .bind(budget)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    if unreviewed > 0 {
        missing.push(FieldError::new(
            "projects",
            Msg::BudgetErrorUnreviewed {
                count: unreviewed.to_string(),
            },
        ));
    }
    for area in areas_of(conn, budget).await? {
        let feasible: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM budget_projects WHERE area_id = $1 AND status = 'feasible'",
        )
        .bind(area.id)
        .fetch_one(&mut *conn)
        .await
        .map_err(internal)?;
        if feasible == 0 {
            missing.push(FieldError::new(
                "areas",
                Msg::BudgetErrorNoFeasible {
                    area: all_names(&area.name),
                },
            ));
        }
    }
    Ok(missing)
}

/// Counts every area of a budget, stores each result and marks the projects on the ballot
/// selected or not; returns what the public record says of each area.
async fn count_budget(conn: &mut AnyConnection, budget: i64) -> AppResult<Vec<Value>> {
    let mut published = Vec::new();
    for area in areas_of(conn, budget).await? {
        let feasible: Vec<(i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, reviewed_cost, estimated_cost FROM budget_projects \
             WHERE area_id = $1 AND status = 'feasible' ORDER BY id",
        )
        .bind(area.id)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
        let projects: Vec<Project> = feasible
            .iter()
            .map(|(id, reviewed, estimated)| Project {
                id: *id,
                cost: reviewed.unwrap_or(*estimated),
            })
            .collect();
        let ballots = super::ballots::area_ballots(conn, area.id).await?;
        let chosen: Vec<Vec<i64>> = ballots.iter().map(|b| b.projects.clone()).collect();
        let outcome = count::count(&Election {
            rules: &area.rules,
            projects: &projects,
            ballots: &chosen,
        });
        let result = AreaResult {
            winners: outcome.winners.clone(),
            votes: outcome.votes.clone(),
            spent: outcome.spent,
            leftover: outcome.leftover,
            ballots: ballots.len() as i64,
        };
        sqlx::query("UPDATE budget_areas SET result = $1 WHERE id = $2")
            .bind(serde_json::to_string(&result).map_err(|_| AppError::Internal)?)
            .bind(area.id)
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
        for project in &projects {
            let status = if result.winners.contains(&project.id) {
                ProjectStatus::Selected
            } else {
                ProjectStatus::NotSelected
            };
            sqlx::query("UPDATE budget_projects SET status = $1 WHERE id = $2")
                .bind(status.code())
                .bind(project.id)
                .execute(&mut *conn)
                .await
                .map_err(internal)?;
        }
        published.push(json!({
            "area": area.id,
            "name": area.name,
            "rule": area.rules.rule.code(),
            "tie_break": area.rules.tie_break.code(),
            "amount": area.rules.amount,
            "projects": projects.iter().map(|p| json!({ "id": p.id, "cost": p.cost })).collect::<Vec<_>>(),
            "winners": result.winners,
            "votes": result.votes,
            "spent": result.spent,
            "leftover": result.leftover,
            "ballots": result.ballots,
            "ballots_sha256": super::ballots::ballots_digest(&ballots),
        }));
    }
    Ok(published)
}

#[async_trait::async_trait]
impl Budgets for SqlStore {
    async fn create_budget(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewBudget,
        now: Millis,
    ) -> AppResult<i64> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM processes WHERE id = $1")
            .bind(process.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        exists.ok_or(AppError::NotFound)?;
        let standing = standing_on(&mut tx, process, Some(actor.person)).await?;
        if !standing.signed_in {
            return Err(AppError::Unauthenticated);
        }
        let manager = standing.site_admin || standing.personal.contains(&PersonalRole::Mediator);
        if !manager || actor.acting_for.is_some() {
            return Err(AppError::Forbidden(Msg::ErrorNotAllowed));
        }
        let mut errors = Vec::new();
        check_localized("title", &new.title, TITLE_MAX, &mut errors);
        if new
            .description
            .0
            .values()
            .any(|t| t.chars().count() > TEXT_MAX)
        {
            errors.push(FieldError::new(
                "description",
                Msg::ErrorTooLong {
                    max: TEXT_MAX.to_string(),
                },
            ));
        }
        if !(new.currency.len() == 3 && new.currency.bytes().all(|b| b.is_ascii_uppercase())) {
            errors.push(FieldError::new("currency", Msg::BudgetErrorCurrency));
        }
        if new.areas.is_empty() {
            errors.push(FieldError::new("name", Msg::BudgetErrorAreasRequired));
        }
        for area in &new.areas {
            check_area(area, &mut errors);
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM budgets WHERE process_id = $1")
            .bind(process.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        if taken.is_some() {
            errors.push(FieldError::new("process", Msg::BudgetErrorExists));
        }
        refuse_if_any(errors)?;
        let census_key = app::domain::hex::encode(&rand::random::<[u8; 32]>());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO budgets (process_id, title, description, currency, census_key, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(process.0)
        .bind(localized_json(&new.title))
        .bind(localized_json(&new.description))
        .bind(&new.currency)
        .bind(census_key)
        .bind(actor.person.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            // Two managers opening a budget in the same process at once: one wins.
            if is_unique_violation(&e) {
                AppError::invalid("process", Msg::BudgetErrorExists)
            } else {
                internal(e)
            }
        })?;
        for area in &new.areas {
            insert_area(&mut tx, id, area).await?;
        }
        let title = display_name_of(&new.title);
        log_event(
            &mut tx,
            process,
            personally(actor.person),
            &EventKind::BudgetCreated { budget: id },
            Some(&title),
            now,
        )
        .await?;
        let areas = areas_of(&mut tx, id).await?;
        let by = display_name(&mut tx, actor.person).await?;
        append_record(
            &mut tx,
            json!({
                "kind": "budget_created",
                "process": process.0,
                "budget": id,
                "title": new.title,
                "currency": new.currency,
                "areas": areas.iter().map(area_json).collect::<Vec<_>>(),
                "by": by,
            }),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }

    async fn budgets(&self) -> AppResult<Vec<BudgetSummary>> {
        let rows: Vec<(i64, i64, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT b.id, b.process_id, b.title, b.currency, b.phase, \
             CAST((SELECT COALESCE(SUM(a.amount), 0) FROM budget_areas a WHERE a.budget_id = b.id) AS BIGINT), \
             (SELECT COUNT(*) FROM budget_projects p WHERE p.budget_id = b.id) \
             FROM budgets b ORDER BY b.created_at DESC, b.id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|(id, process, title, currency, phase, total, projects)| {
                Ok(BudgetSummary {
                    id,
                    process_id: ProcessId(process),
                    title: super::rows::localized(&title)?,
                    currency,
                    phase: budget_phase(&phase)?,
                    total,
                    projects,
                })
            })
            .collect()
    }

    async fn budget(&self, id: i64) -> AppResult<Option<Budget>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let row: Option<BudgetRow> = sqlx::query_as(concat!(
            "SELECT ",
            budget_columns!(),
            " FROM budgets WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
        match row {
            Some(row) => {
                let areas = areas_of(&mut conn, id).await?;
                Ok(Some(row.into_budget(areas)?))
            }
            None => Ok(None),
        }
    }

    async fn budget_of_process(&self, process: ProcessId) -> AppResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM budgets WHERE process_id = $1")
            .bind(process.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)
    }

    async fn budget_standing(
        &self,
        person: Option<PersonId>,
        budget: i64,
    ) -> AppResult<BudgetStanding> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let process: Option<i64> =
            sqlx::query_scalar("SELECT process_id FROM budgets WHERE id = $1")
                .bind(budget)
                .fetch_optional(&mut *conn)
                .await
                .map_err(internal)?;
        let process = ProcessId(process.ok_or(AppError::NotFound)?);
        budget_standing_on(&mut conn, budget, process, person).await
    }

    async fn save_area(
        &self,
        actor: PersonId,
        budget: i64,
        area: Option<i64>,
        new: NewArea,
        now: Millis,
    ) -> AppResult<i64> {
        let mut tx = self.begin().await?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            budget,
            actor,
            BudgetAction::EditAreas,
            Hold::Share,
        )
        .await?;
        let mut errors = Vec::new();
        check_area(&new, &mut errors);
        refuse_if_any(errors)?;
        let id = match area {
            None => insert_area(&mut tx, budget, &new).await?,
            Some(area) => {
                match area_row(&mut tx, area).await? {
                    Some((owner, _)) if owner == budget => {}
                    _ => return Err(AppError::invalid("area", Msg::BudgetErrorWrongArea)),
                }
                let rules = &new.rules;
                sqlx::query(
                    "UPDATE budget_areas SET name = $1, amount = $2, project_cap = $3, ballot = $4, \
                     min_projects = $5, max_projects = $6, rule = $7, tie_break = $8, census = $9, codes = $10 \
                     WHERE id = $11",
                )
                .bind(localized_json(&new.name))
                .bind(rules.amount)
                .bind(rules.project_cap)
                .bind(rules.ballot.code())
                .bind(rules.min_projects)
                .bind(rules.max_projects)
                .bind(rules.rule.code())
                .bind(rules.tie_break.code())
                .bind(i64::from(new.census))
                .bind(i64::from(new.codes))
                .bind(area)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
                area
            }
        };
        log_event(
            &mut tx,
            head.process,
            personally(actor),
            &EventKind::BudgetAreasEdited { budget },
            Some(&display_name_of(&head.title)),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }

    async fn budget_staff(&self, budget: i64) -> AppResult<Vec<BudgetStaff>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT s.person_id, p.display_name, s.role FROM budget_staff s \
             JOIN people p ON p.id = s.person_id WHERE s.budget_id = $1 \
             ORDER BY s.role, p.display_name, s.person_id",
        )
        .bind(budget)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|(person, display_name, role)| {
                Ok(BudgetStaff {
                    person_id: PersonId(person),
                    display_name,
                    role: StaffRole::from_code(&role)
                        .ok_or_else(|| corrupt("staff role", &role))?,
                })
            })
            .collect()
    }

    async fn set_budget_staff(
        &self,
        actor: PersonId,
        budget: i64,
        email: &str,
        role: StaffRole,
        add: bool,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            budget,
            actor,
            BudgetAction::NameStaff,
            Hold::Share,
        )
        .await?;
        let person: Option<(i64, String)> =
            sqlx::query_as("SELECT id, display_name FROM people WHERE email = $1")
                .bind(email.trim().to_lowercase())
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        let (person, name) =
            person.ok_or_else(|| AppError::invalid("email", Msg::ErrorNoSuchPerson))?;
        let changed = if add {
            sqlx::query(
                "INSERT INTO budget_staff (budget_id, person_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
        } else {
            sqlx::query(
                "DELETE FROM budget_staff WHERE budget_id = $1 AND person_id = $2 AND role = $3",
            )
        }
        .bind(budget)
        .bind(person)
        .bind(role.code())
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if changed > 0 {
            log_event(
                &mut tx,
                head.process,
                personally(actor),
                &EventKind::BudgetStaff {
                    budget,
                    role,
                    assigned: add,
                },
                Some(&name),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(internal)?;
        Ok(())
    }

    async fn advance_budget(
        &self,
        actor: PersonId,
        budget: i64,
        from: BudgetPhase,
        now: Millis,
    ) -> AppResult<BudgetPhase> {
        let mut tx = self.begin().await?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            budget,
            actor,
            BudgetAction::ChangePhase,
            Hold::Update,
        )
        .await?;
        if head.phase != from {
            return Err(AppError::Conflict(Msg::BudgetErrorPhaseMoved));
        }
        let to = from
            .next()
            .ok_or(AppError::Forbidden(Msg::ErrorNotAllowedInPhase))?;
        if to == BudgetPhase::Voting {
            refuse_if_any(missing_for_voting(&mut tx, budget).await?)?;
        }
        // The guard on the phase makes a second, concurrent click change nothing.
        let moved = sqlx::query(
            "UPDATE budgets SET phase = $1, counted_at = CASE WHEN $2 = 1 THEN $3 ELSE counted_at END \
             WHERE id = $4 AND phase = $5",
        )
        .bind(to.code())
        .bind(i64::from(to == BudgetPhase::Results))
        .bind(now)
        .bind(budget)
        .bind(from.code())
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if moved != 1 {
            return Err(AppError::Conflict(Msg::BudgetErrorPhaseMoved));
        }
        log_event(
            &mut tx,
            head.process,
            personally(actor),
            &EventKind::BudgetPhaseChanged { budget, from, to },
            Some(&display_name_of(&head.title)),
            now,
        )
        .await?;
        let by = display_name(&mut tx, actor).await?;
        let mut event = json!({
            "kind": "budget_phase_changed",
            "process": head.process.0,
            "budget": budget,
            "from": from.code(),
            "to": to.code(),
            "by": by,
        });
        if to == BudgetPhase::Voting {
            // The rules and tie-breaks voters vote under, published as voting opens.
            let areas = areas_of(&mut tx, budget).await?;
            event["areas"] = Value::Array(areas.iter().map(area_json).collect());
        }
        append_record(&mut tx, event, now).await?;
        if to == BudgetPhase::Results {
            let areas = count_budget(&mut tx, budget).await?;
            super::ballots::reseal(&mut tx, self.backend, budget).await?;
            append_record(
                &mut tx,
                json!({
                    "kind": "budget_results",
                    "process": head.process.0,
                    "budget": budget,
                    "areas": areas,
                    "by": by,
                }),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(internal)?;
        Ok(to)
    }

    async fn budget_projects(&self, budget: i64) -> AppResult<Vec<BudgetProject>> {
        self.load_projects(budget).await
    }

    async fn budget_project(&self, id: i64) -> AppResult<Option<BudgetProject>> {
        self.load_project(id).await
    }

    async fn propose_project(
        &self,
        actor: PersonId,
        budget: i64,
        new: NewProject,
        now: Millis,
    ) -> AppResult<i64> {
        self.propose(actor, budget, new, now).await
    }

    async fn review_project(
        &self,
        actor: PersonId,
        project: i64,
        finding: ReviewFinding,
        now: Millis,
    ) -> AppResult<()> {
        self.review(actor, project, finding, now).await
    }

    async fn post_project_update(
        &self,
        actor: PersonId,
        project: i64,
        update: NewFollowUp,
        now: Millis,
    ) -> AppResult<()> {
        self.report_on(actor, project, update, now).await
    }
}
