//! Participatory budgeting's values, as the store hands them to the use cases and pages.

use super::{FollowUp, Millis};
use crate::domain::budget::{
    AreaRules, BudgetPhase, Category, InfeasibleReason, ProjectStatus, StaffRole,
};
use crate::domain::localized::Localized;
use crate::ids::{PersonId, ProcessId};
use serde::{Deserialize, Serialize};

/// A process's budget, with its areas (in their order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub id: i64,
    pub process_id: ProcessId,
    pub title: Localized,
    pub description: Localized,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    pub phase: BudgetPhase,
    pub areas: Vec<BudgetArea>,
    pub created_at: Millis,
    /// When the count was published.
    pub counted_at: Option<Millis>,
}

impl Budget {
    /// The whole budget: the sum of its areas' amounts.
    pub fn total(&self) -> i64 {
        self.areas.iter().map(|a| a.rules.amount).sum()
    }

    /// One of its areas.
    pub fn area(&self, id: i64) -> Option<&BudgetArea> {
        self.areas.iter().find(|a| a.id == id)
    }
}

/// An area of a budget: the whole city or a district.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetArea {
    pub id: i64,
    pub name: Localized,
    pub rules: AreaRules,
    /// Accounts checked against the census list may vote here.
    pub census: bool,
    /// Printed one-time codes may vote here.
    pub codes: bool,
    /// The published count, from the results phase on.
    pub result: Option<AreaResult>,
}

/// The count of one area, as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaResult {
    /// The funded projects, in the order the rule selected them.
    pub winners: Vec<i64>,
    /// Ballots choosing each project on the ballot, by project id.
    pub votes: Vec<(i64, i64)>,
    pub spent: i64,
    pub leftover: i64,
    /// Ballots cast in the area.
    pub ballots: i64,
}

/// A budget as listed (the budgets page, a process's page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetSummary {
    pub id: i64,
    pub process_id: ProcessId,
    pub title: Localized,
    pub currency: String,
    pub phase: BudgetPhase,
    pub total: i64,
    pub projects: i64,
}

/// A proposed project, with its review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetProject {
    pub id: i64,
    pub budget_id: i64,
    pub area_id: i64,
    pub title: Localized,
    pub description: Localized,
    /// Where it would be, in the language(s) it was written in.
    pub place: Localized,
    pub category: Category,
    pub estimated_cost: i64,
    pub image_alt: String,
    pub status: ProjectStatus,
    /// The proposer's account, if they proposed online.
    pub proposer_id: Option<PersonId>,
    /// The proposer's name as shown (a display name, or as written on paper).
    pub proposer_name: String,
    /// For a proposal collected on paper: the public meeting, and the officer who recorded it.
    pub paper: Option<PaperOrigin>,
    pub review: Option<ProjectReview>,
    /// For a merged proposal: the project it went into.
    pub merged_into: Option<i64>,
    pub created_at: Millis,
    /// Implementation reports (winning projects, implementation phase), oldest first.
    pub updates: Vec<FollowUp>,
}

impl BudgetProject {
    /// What it costs on the ballot: the reviewed cost once reviewed, the estimate before.
    pub fn cost(&self) -> i64 {
        self.review
            .as_ref()
            .and_then(|r| r.cost)
            .unwrap_or(self.estimated_cost)
    }
}

/// Where a paper proposal came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperOrigin {
    pub meeting: String,
    pub recorded_by: String,
}

/// A reviewer's finding on a proposal. Merging is also a finding (with its explanation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectReview {
    /// The reviewed cost, when found feasible.
    pub cost: Option<i64>,
    /// Why not, when found not feasible.
    pub reason: Option<InfeasibleReason>,
    /// The public explanation (always given), in the language(s) the reviewer wrote it in.
    pub explanation: Localized,
    pub by: String,
    pub at: Millis,
}

/// What creating a budget stores (areas in their order; at least one).
#[derive(Clone, Debug)]
pub struct NewBudget {
    pub title: Localized,
    pub description: Localized,
    pub currency: String,
    pub areas: Vec<NewArea>,
}

/// An area as set up or changed.
#[derive(Clone, Debug)]
pub struct NewArea {
    pub name: Localized,
    pub rules: AreaRules,
    pub census: bool,
    pub codes: bool,
}

/// What proposing a project stores. `paper` is set when an officer records a paper proposal;
/// then `proposer_name` is as written on the paper, else the proposer's display name is used.
#[derive(Clone, Debug)]
pub struct NewProject {
    pub area_id: i64,
    pub title: Localized,
    pub description: Localized,
    /// Where it would be, in the language(s) it was written in.
    pub place: Localized,
    pub category: Category,
    pub estimated_cost: i64,
    pub image_alt: String,
    pub paper: Option<NewPaperOrigin>,
}

/// A paper proposal's origin, as the officer records it.
#[derive(Clone, Debug)]
pub struct NewPaperOrigin {
    pub proposer_name: String,
    pub meeting: String,
}

/// A reviewer's finding as submitted.
#[derive(Clone, Debug)]
pub enum ReviewFinding {
    /// On the ballot at this cost.
    Feasible { cost: i64, explanation: Localized },
    /// Not on the ballot, for this reason.
    NotFeasible {
        reason: InfeasibleReason,
        explanation: Localized,
    },
    /// Merged into a similar proposal (which must be in the same area and not merged itself).
    MergedInto {
        project: i64,
        explanation: Localized,
    },
}

/// A member of a budget's staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetStaff {
    pub person_id: PersonId,
    pub display_name: String,
    pub role: StaffRole,
}

/// Who casts a ballot: a signed-in account (checked against the census) or a printed code.
#[derive(Clone, Debug)]
pub enum Voter {
    Person(PersonId),
    /// The code as typed; the store normalises and hashes it.
    Code(String),
}

/// Whether a person may vote in an area, and if not, why (for the ballot page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Eligibility {
    /// May vote now.
    Eligible,
    /// Has voted in this area already.
    Voted,
    /// Must first be checked against the census list (the area accepts census-checked accounts).
    NeedsCensusCheck,
    /// This area takes printed codes only.
    CodesOnly,
}

/// A ballot as published after voting closes: anonymous, with the hash of its receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedBallot {
    /// The ballot's random key.
    pub id: String,
    pub area_id: i64,
    /// The chosen projects, ascending.
    pub projects: Vec<i64>,
    /// SHA-256 of the receipt, hexadecimal.
    pub receipt_hash: String,
}
