//! A budget's projects in SQL: proposals made online or recorded from paper, their public
//! technical review (feasible with a cost, not feasible with a reason, or merged), and reports
//! on the winners' implementation. The budget itself and its phases are in `budgets.rs`.

use super::SqlStore;
use super::budget_rows::*;
use super::budgets::*;
use super::rows::{corrupt, localized_json};
use super::shared::*;
use app::domain::budget::{BudgetAction, ProjectStatus};
use app::domain::decision::FollowUpStatus;
use app::domain::process::Day;
use app::error::{AppError, AppResult, FieldError};
use app::i18n::Msg;
use app::ids::PersonId;
use app::model::*;
use serde_json::json;
use sqlx::AnyConnection;

pub(super) async fn project_row(
    conn: &mut AnyConnection,
    id: i64,
) -> AppResult<Option<ProjectRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        project_columns!(),
        " FROM budget_projects WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)
}

async fn updates_of(conn: &mut AnyConnection, project: i64) -> AppResult<Vec<FollowUp>> {
    let rows: Vec<(i64, String, i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, status, progress, on_day, note, actor_name, created_at FROM budget_project_updates \
         WHERE project_id = $1 ORDER BY on_day, id",
    )
    .bind(project)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    rows.into_iter()
        .map(|(id, status, progress, on, note, by, at)| {
            Ok(FollowUp {
                id,
                status: FollowUpStatus::from_code(&status)
                    .ok_or_else(|| corrupt("follow-up status", &status))?,
                progress: progress.clamp(0, 100) as u8,
                on: Day::parse(&on).ok_or_else(|| corrupt("day", &on))?,
                note,
                by,
                at,
            })
        })
        .collect()
}

impl SqlStore {
    /// A budget's projects (every status), by area then number.
    pub(super) async fn load_projects(&self, budget: i64) -> AppResult<Vec<BudgetProject>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let rows: Vec<ProjectRow> = sqlx::query_as(concat!(
            "SELECT ",
            project_columns!(),
            " FROM budget_projects WHERE budget_id = $1 ORDER BY \
             (SELECT a.position FROM budget_areas a WHERE a.id = budget_projects.area_id), area_id, id"
        ))
        .bind(budget)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
        let mut projects = Vec::with_capacity(rows.len());
        for row in rows {
            let mut project = row.into_project()?;
            project.updates = updates_of(&mut conn, project.id).await?;
            projects.push(project);
        }
        Ok(projects)
    }

    /// One project, with its review and updates.
    pub(super) async fn load_project(&self, id: i64) -> AppResult<Option<BudgetProject>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        match project_row(&mut conn, id).await? {
            Some(row) => {
                let mut project = row.into_project()?;
                project.updates = updates_of(&mut conn, id).await?;
                Ok(Some(project))
            }
            None => Ok(None),
        }
    }

    /// Proposes a project online, or records one collected on paper.
    pub(super) async fn propose(
        &self,
        actor: PersonId,
        budget: i64,
        new: NewProject,
        now: Millis,
    ) -> AppResult<i64> {
        let mut tx = self.begin().await?;
        let action = if new.paper.is_some() {
            BudgetAction::RecordPaperProposal
        } else {
            BudgetAction::Propose
        };
        let head =
            authorize_budget(&mut tx, self.backend, budget, actor, action, Hold::Share).await?;
        let mut errors = Vec::new();
        let area = match area_row(&mut tx, new.area_id).await? {
            Some((owner, area)) if owner == budget => Some(area.rules()?),
            _ => {
                errors.push(FieldError::new("area", Msg::BudgetErrorWrongArea));
                None
            }
        };
        check_localized("title", &new.title, TITLE_MAX, &mut errors);
        check_localized("description", &new.description, TEXT_MAX, &mut errors);
        if !new.place.is_blank() {
            check_localized("place", &new.place, LINE_MAX, &mut errors);
        }
        check_line("image_alt", &new.image_alt, LINE_MAX, false, &mut errors);
        if let Some(rules) = &area {
            let cap = cap_of(rules);
            if new.estimated_cost <= 0 || new.estimated_cost > cap {
                errors.push(FieldError::new(
                    "estimated_cost",
                    Msg::BudgetErrorCost {
                        cap: cap.to_string(),
                    },
                ));
            }
        }
        if let Some(paper) = &new.paper {
            check_line(
                "proposer_name",
                &paper.proposer_name,
                LINE_MAX,
                true,
                &mut errors,
            );
            check_line("meeting", &paper.meeting, LINE_MAX, true, &mut errors);
        }
        refuse_if_any(errors)?;
        let name = display_name(&mut tx, actor).await?;
        let (proposer_id, proposer_name, meeting, recorded_by, recorded_by_name) = match &new.paper
        {
            Some(paper) => (
                None,
                paper.proposer_name.trim().to_string(),
                Some(paper.meeting.trim().to_string()),
                Some(actor.0),
                Some(name),
            ),
            None => (Some(actor.0), name, None, None, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO budget_projects (budget_id, area_id, title, description, place, category, \
             estimated_cost, image_alt, proposer_id, proposer_name, paper_meeting, recorded_by, \
             recorded_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(budget)
        .bind(new.area_id)
        .bind(localized_json(&new.title))
        .bind(localized_json(&new.description))
        .bind(localized_json(&new.place))
        .bind(new.category.code())
        .bind(new.estimated_cost)
        .bind(new.image_alt.trim())
        .bind(proposer_id)
        .bind(proposer_name)
        .bind(meeting)
        .bind(recorded_by)
        .bind(recorded_by_name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        log_event(
            &mut tx,
            head.process,
            personally(actor),
            &EventKind::ProjectProposed {
                budget,
                project: id,
            },
            Some(&display_name_of(&new.title)),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }

    /// Records a reviewer's finding, in the activity log and the public record.
    pub(super) async fn review(
        &self,
        actor: PersonId,
        project: i64,
        finding: ReviewFinding,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let row = project_row(&mut tx, project)
            .await?
            .ok_or(AppError::NotFound)?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            row.budget_id,
            actor,
            BudgetAction::Review,
            Hold::Share,
        )
        .await?;
        let (_, area) = area_row(&mut tx, row.area_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rules = area.rules()?;
        let current = project_status(&row.status)?;
        if !matches!(
            current,
            ProjectStatus::Proposed
                | ProjectStatus::Feasible
                | ProjectStatus::NotFeasible
                | ProjectStatus::Merged
        ) {
            return Err(AppError::Conflict(Msg::BudgetErrorNotReviewable));
        }
        let explanation = match &finding {
            ReviewFinding::Feasible { explanation, .. }
            | ReviewFinding::NotFeasible { explanation, .. }
            | ReviewFinding::MergedInto { explanation, .. } => explanation.clone(),
        };
        let mut errors = Vec::new();
        let needs_reason = !matches!(finding, ReviewFinding::Feasible { .. });
        if explanation.is_blank() {
            if needs_reason {
                errors.push(FieldError::new(
                    "explanation",
                    Msg::BudgetErrorExplanationRequired,
                ));
            }
        } else {
            check_localized("explanation", &explanation, TEXT_MAX, &mut errors);
        }
        let (status, cost, reason, merged_into) = match &finding {
            ReviewFinding::Feasible { cost, .. } => {
                let cap = cap_of(&rules);
                if *cost <= 0 || *cost > cap {
                    errors.push(FieldError::new(
                        "cost",
                        Msg::BudgetErrorCost {
                            cap: cap.to_string(),
                        },
                    ));
                }
                (ProjectStatus::Feasible, Some(*cost), None, None)
            }
            ReviewFinding::NotFeasible { reason, .. } => {
                (ProjectStatus::NotFeasible, None, Some(reason.code()), None)
            }
            ReviewFinding::MergedInto {
                project: target, ..
            } => {
                let into = project_row(&mut tx, *target).await?;
                let fits = into.as_ref().is_some_and(|t| {
                    t.id != project
                        && t.budget_id == row.budget_id
                        && t.area_id == row.area_id
                        && matches!(t.status.as_str(), "proposed" | "feasible")
                });
                if !fits {
                    errors.push(FieldError::new("merge_into", Msg::BudgetErrorMergeTarget));
                }
                (ProjectStatus::Merged, None, None, Some(*target))
            }
        };
        // Proposals already merged into this one must keep pointing at a proposal that goes on.
        if status != ProjectStatus::Feasible {
            let merged_here: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM budget_projects WHERE merged_into = $1")
                    .bind(project)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(internal)?;
            if merged_here > 0 {
                errors.push(FieldError::new("finding", Msg::BudgetErrorMergeTarget));
            }
        }
        refuse_if_any(errors)?;
        let by = display_name(&mut tx, actor).await?;
        sqlx::query(
            "UPDATE budget_projects SET status = $1, reviewed_cost = $2, review_reason = $3, \
             review_explanation = $4, reviewed_by_name = $5, reviewed_at = $6, merged_into = $7 \
             WHERE id = $8",
        )
        .bind(status.code())
        .bind(cost)
        .bind(reason)
        .bind(localized_json(&explanation))
        .bind(&by)
        .bind(now)
        .bind(merged_into)
        .bind(project)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        let title = super::rows::localized(&row.title)?;
        log_event(
            &mut tx,
            head.process,
            personally(actor),
            &EventKind::ProjectReviewed {
                budget: row.budget_id,
                project,
                status,
            },
            Some(&display_name_of(&title)),
            now,
        )
        .await?;
        append_record(
            &mut tx,
            json!({
                "kind": "project_reviewed",
                "process": head.process.0,
                "budget": row.budget_id,
                "project": project,
                "title": title,
                "finding": status.code(),
                "cost": cost,
                "reason": reason,
                "merged_into": merged_into,
                "explanation": explanation,
                "by": by,
            }),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    }

    /// Reports on a winning project's implementation.
    pub(super) async fn report_on(
        &self,
        actor: PersonId,
        project: i64,
        update: NewFollowUp,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let row = project_row(&mut tx, project)
            .await?
            .ok_or(AppError::NotFound)?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            row.budget_id,
            actor,
            BudgetAction::PostUpdate,
            Hold::Share,
        )
        .await?;
        if project_status(&row.status)? != ProjectStatus::Selected {
            return Err(AppError::Conflict(Msg::BudgetErrorNotSelected));
        }
        let mut errors = Vec::new();
        check_line("note", &update.note, TEXT_MAX, true, &mut errors);
        if update.progress > 100 {
            errors.push(FieldError::new("progress", Msg::ErrorPercent));
        }
        refuse_if_any(errors)?;
        let name = display_name(&mut tx, actor).await?;
        sqlx::query(
            "INSERT INTO budget_project_updates (project_id, status, progress, on_day, note, person_id, \
             actor_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(project)
        .bind(update.status.code())
        .bind(i64::from(update.progress))
        .bind(update.on.to_string())
        .bind(update.note.trim())
        .bind(actor.0)
        .bind(&name)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        let title = super::rows::localized(&row.title)?;
        log_event(
            &mut tx,
            head.process,
            personally(actor),
            &EventKind::ProjectUpdated {
                budget: row.budget_id,
                project,
            },
            Some(&display_name_of(&title)),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    }
}
