//! Participatory budgeting's rows, kept apart from the application's values like `rows.rs`:
//! they mirror the tables, and converting them checks the codes and JSON the database cannot.

use super::rows::{corrupt, localized};
use app::domain::budget::{
    AreaRules, BallotKind, BudgetPhase, Category, CountingRule, InfeasibleReason, ProjectStatus,
    TieBreak,
};
use app::domain::localized::Localized;
use app::error::AppResult;
use app::ids::{PersonId, ProcessId};
use app::model::{AreaResult, BudgetArea, BudgetProject, PaperOrigin, ProjectReview};

/// Reads a budget phase code.
pub fn budget_phase(code: &str) -> AppResult<BudgetPhase> {
    BudgetPhase::from_code(code).ok_or_else(|| corrupt("budget phase", code))
}

/// Reads a project status code.
pub fn project_status(code: &str) -> AppResult<ProjectStatus> {
    ProjectStatus::from_code(code).ok_or_else(|| corrupt("project status", code))
}

#[derive(sqlx::FromRow)]
pub struct BudgetRow {
    pub id: i64,
    pub process_id: i64,
    pub title: String,
    pub description: String,
    pub currency: String,
    pub phase: String,
    pub created_at: i64,
    pub counted_at: Option<i64>,
}

macro_rules! budget_columns {
    () => {
        "id, process_id, title, description, currency, phase, created_at, counted_at"
    };
}
pub(super) use budget_columns;

impl BudgetRow {
    pub fn into_budget(self, areas: Vec<BudgetArea>) -> AppResult<app::model::Budget> {
        Ok(app::model::Budget {
            id: self.id,
            process_id: ProcessId(self.process_id),
            title: localized(&self.title)?,
            description: localized(&self.description)?,
            currency: self.currency,
            phase: budget_phase(&self.phase)?,
            areas,
            created_at: self.created_at,
            counted_at: self.counted_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AreaRow {
    pub id: i64,
    pub name: String,
    pub amount: i64,
    pub project_cap: i64,
    pub ballot: String,
    pub min_projects: i64,
    pub max_projects: i64,
    pub rule: String,
    pub tie_break: String,
    pub census: i64,
    pub codes: i64,
    pub result: Option<String>,
}

macro_rules! area_columns {
    () => {
        "id, name, amount, project_cap, ballot, min_projects, max_projects, rule, tie_break, census, \
         codes, result"
    };
}
pub(super) use area_columns;

impl AreaRow {
    pub fn rules(&self) -> AppResult<AreaRules> {
        Ok(AreaRules {
            amount: self.amount,
            project_cap: self.project_cap,
            ballot: BallotKind::from_code(&self.ballot)
                .ok_or_else(|| corrupt("ballot kind", &self.ballot))?,
            min_projects: self.min_projects,
            max_projects: self.max_projects,
            rule: CountingRule::from_code(&self.rule)
                .ok_or_else(|| corrupt("counting rule", &self.rule))?,
            tie_break: TieBreak::from_code(&self.tie_break)
                .ok_or_else(|| corrupt("tie break", &self.tie_break))?,
        })
    }

    pub fn into_area(self) -> AppResult<BudgetArea> {
        let rules = self.rules()?;
        let result = match &self.result {
            Some(json) => Some(
                serde_json::from_str::<AreaResult>(json)
                    .map_err(|_| corrupt("area result", json))?,
            ),
            None => None,
        };
        Ok(BudgetArea {
            id: self.id,
            name: localized(&self.name)?,
            rules,
            census: self.census != 0,
            codes: self.codes != 0,
            result,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub budget_id: i64,
    pub area_id: i64,
    pub title: String,
    pub description: String,
    pub place: String,
    pub category: String,
    pub estimated_cost: i64,
    pub image_alt: String,
    pub status: String,
    pub proposer_id: Option<i64>,
    pub proposer_name: String,
    pub paper_meeting: Option<String>,
    pub recorded_by_name: Option<String>,
    pub reviewed_cost: Option<i64>,
    pub review_reason: Option<String>,
    pub review_explanation: Option<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<i64>,
    pub merged_into: Option<i64>,
    pub created_at: i64,
}

macro_rules! project_columns {
    () => {
        "id, budget_id, area_id, title, description, place, category, estimated_cost, image_alt, \
         status, proposer_id, proposer_name, paper_meeting, recorded_by_name, reviewed_cost, \
         review_reason, review_explanation, reviewed_by_name, reviewed_at, merged_into, created_at"
    };
}
pub(super) use project_columns;

impl ProjectRow {
    /// The project without its updates (the caller adds them).
    pub fn into_project(self) -> AppResult<BudgetProject> {
        let review = match (self.reviewed_at, self.reviewed_by_name) {
            (Some(at), Some(by)) => Some(ProjectReview {
                cost: self.reviewed_cost,
                reason: self
                    .review_reason
                    .as_deref()
                    .map(|r| {
                        InfeasibleReason::from_code(r).ok_or_else(|| corrupt("review reason", r))
                    })
                    .transpose()?,
                explanation: match self.review_explanation.as_deref() {
                    None | Some("") => Localized::default(),
                    Some(text) => localized(text)?,
                },
                by,
                at,
            }),
            _ => None,
        };
        let paper = self.paper_meeting.map(|meeting| PaperOrigin {
            meeting,
            recorded_by: self.recorded_by_name.unwrap_or_default(),
        });
        Ok(BudgetProject {
            id: self.id,
            budget_id: self.budget_id,
            area_id: self.area_id,
            title: localized(&self.title)?,
            description: localized(&self.description)?,
            place: match self.place.as_str() {
                "" => Localized::default(),
                text => localized(text)?,
            },
            category: Category::from_code(&self.category)
                .ok_or_else(|| corrupt("category", &self.category))?,
            estimated_cost: self.estimated_cost,
            image_alt: self.image_alt,
            status: project_status(&self.status)?,
            proposer_id: self.proposer_id.map(PersonId),
            proposer_name: self.proposer_name,
            paper,
            review,
            merged_into: self.merged_into,
            created_at: self.created_at,
            updates: Vec::new(),
        })
    }
}
