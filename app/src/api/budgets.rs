//! Participatory budgets up to the vote: the list, opening a budget, its overview, proposing,
//! the technical review, implementation reports, and the managers' tools (areas, staff, phases).
//! Voting, eligibility and results are in `api::ballots`.

use super::decisions::CONFIRMED;
use super::form::{Form, collect};
use crate::domain::budget::{
    AreaRules, BallotKind, BudgetAction, BudgetPhase, BudgetStanding, Category, CountingRule,
    InfeasibleReason, ProjectStatus, StaffRole, TieBreak,
};
use crate::domain::decision::{self, FollowUpStatus};
use crate::domain::localized::Localized;
use crate::domain::process::Day;
use crate::domain::roles::PersonalRole;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::model::*;
use crate::ssr::RequestContext;

/// Longest title of a budget or a project, and name of an area.
pub const MAX_TITLE: usize = 200;
/// Longest description of a budget or a project.
pub const MAX_DESCRIPTION: usize = 5000;
/// Longest place, meeting, proposer name or image description.
pub const MAX_SHORT: usize = 300;
/// Longest public explanation of a review.
pub const MAX_EXPLANATION: usize = 3000;
/// The largest amount any field takes (a trillion: more than any city's budget).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// The most projects an approval ballot may ask for.
pub const MAX_APPROVALS: i64 = 1000;

/// A budget as listed, with the title of its process.
#[derive(Clone, Debug)]
pub struct ListedBudget {
    pub summary: BudgetSummary,
    pub process: Process,
}

/// The budgets page: every budget, and whether the viewer may open one.
#[derive(Clone, Debug)]
pub struct BudgetList {
    pub budgets: Vec<ListedBudget>,
    /// The processes the viewer may open a budget in (mediators, administrators; only processes
    /// without one).
    pub openable: Vec<Process>,
}

/// Every budget, newest first, and where the viewer may open one.
pub async fn list(cx: &RequestContext) -> AppResult<BudgetList> {
    let mut budgets = Vec::new();
    for summary in cx.store.budgets().await? {
        if let Some(process) = cx.store.process(summary.process_id).await? {
            budgets.push(ListedBudget { summary, process });
        }
    }
    Ok(BudgetList {
        budgets,
        openable: openable(cx).await?,
    })
}

/// The processes without a budget whose mediators include the viewer (every such process for a
/// site administrator): where "Open a budget" may lead.
pub async fn openable(cx: &RequestContext) -> AppResult<Vec<Process>> {
    let Some(viewer) = &cx.viewer else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for process in cx.store.processes().await? {
        let standing = cx.store.standing(process.id, Some(viewer.id)).await?;
        let manages = standing.site_admin || standing.personal.contains(&PersonalRole::Mediator);
        if manages && cx.store.budget_of_process(process.id).await?.is_none() {
            found.push(process);
        }
    }
    Ok(found)
}

/// A whole number in `min..=max`; thousands separators (commas, spaces) are allowed.
fn whole(form: &Form, name: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    let typed: String = form
        .text(name)
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | '\'') && !c.is_whitespace())
        .collect();
    typed
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            FieldError::new(
                name,
                Msg::ErrorWholeNumber {
                    min: min.to_string(),
                    max: max.to_string(),
                },
            )
        })
}

/// Whether a checkbox was ticked (`yes`, or the `on` browsers send for a box without a value).
fn ticked(form: &Form, name: &str) -> bool {
    matches!(form.text(name), "yes" | "on" | "true")
}

/// Reads an area's fields: `name` (in the viewer's language, added to `name_before`'s other
/// languages), `amount`, `project_cap`, `ballot`, `min_projects`, `max_projects`, `rule`,
/// `tie_break`, and the ticks `census` and `codes`. Every error at once.
pub fn area_from(form: &Form, lang: &str, name_before: Option<&Localized>) -> AppResult<NewArea> {
    let mut errors = Vec::new();
    let mut push = |e: FieldError| errors.push(e);
    let name = form
        .bounded("name", MAX_TITLE, true)
        .map_err(&mut push)
        .unwrap_or_default();
    let amount = whole(form, "amount", 1, MAX_AMOUNT)
        .map_err(&mut push)
        .unwrap_or(1);
    let project_cap = match form.text("project_cap").trim() {
        "" => 0,
        _ => whole(form, "project_cap", 0, MAX_AMOUNT)
            .map_err(&mut push)
            .unwrap_or(0),
    };
    let ballot = form
        .choice("ballot", BallotKind::from_code)
        .map_err(&mut push)
        .ok();
    let approval = ballot == Some(BallotKind::Approval);
    // Limits matter only for approval ballots; a knapsack ballot's are ignored, blank or not.
    let limit = |name: &str, min: i64, default: i64, push: &mut dyn FnMut(FieldError)| {
        if approval {
            whole(form, name, min, MAX_APPROVALS)
                .map_err(push)
                .unwrap_or(default)
        } else {
            default
        }
    };
    let min_projects = limit("min_projects", 0, 0, &mut push);
    let max_projects = limit("max_projects", 1, 1, &mut push);
    let rule = form
        .choice("rule", CountingRule::from_code)
        .map_err(&mut push)
        .ok();
    let tie_break = form
        .choice("tie_break", TieBreak::from_code)
        .map_err(&mut push)
        .ok();
    let census = ticked(form, "census");
    let codes = ticked(form, "codes");
    if !census && !codes {
        push(FieldError::new("census", Msg::BudgetsErrorNoVoters));
    }
    let rules = match (ballot, rule, tie_break) {
        (Some(ballot), Some(rule), Some(tie_break)) => Some(AreaRules {
            amount,
            project_cap,
            ballot,
            min_projects,
            max_projects,
            rule,
            tie_break,
        }),
        _ => None,
    };
    if let Some(rules) = &rules
        && !errors
            .iter()
            .any(|e| e.field == "amount" || e.field == "project_cap")
        && let Err((field, msg)) = rules.check()
    {
        errors.push(FieldError::new(field, msg));
    }
    collect(errors)?;
    let mut localized = name_before.cloned().unwrap_or_default();
    localized.0.insert(lang.to_string(), name);
    Ok(NewArea {
        name: localized,
        rules: rules.ok_or(AppError::Internal)?,
        census,
        codes,
    })
}

/// Opens a budget with its first area (`process`, `title`, `description`, `currency`, and the
/// area's fields as [`area_from`] reads them). The texts are stored in the viewer's language.
pub async fn create(cx: &RequestContext, form: &Form) -> AppResult<i64> {
    let person = cx.viewer()?.id;
    let lang = cx.lang.code();
    let mut errors = Vec::new();
    let process = form
        .choice("process", |t| t.parse::<crate::ids::ProcessId>().ok())
        .map_err(|e| errors.push(e))
        .ok();
    let title = form
        .bounded("title", MAX_TITLE, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let description = form
        .bounded("description", MAX_DESCRIPTION, false)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let currency = form.text("currency").trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(FieldError::new("currency", Msg::BudgetErrorCurrency));
    }
    let area = match area_from(form, lang, None) {
        Ok(area) => Some(area),
        Err(AppError::Invalid(more)) => {
            errors.extend(more);
            None
        }
        Err(other) => return Err(other),
    };
    collect(errors)?;
    let new = NewBudget {
        title: Localized::one(lang, &title),
        description: if description.is_empty() {
            Localized::default()
        } else {
            Localized::one(lang, &description)
        },
        currency,
        areas: vec![area.ok_or(AppError::Internal)?],
    };
    let actor = Actor {
        person,
        acting_for: None,
    };
    cx.store
        .create_budget(actor, process.ok_or(AppError::Internal)?, new, cx.now)
        .await
}

/// What a list of projects is narrowed to: the overview's filters, read from its address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub area: Option<i64>,
    pub category: Option<Category>,
    pub status: Option<ProjectStatus>,
    /// At most this cost (the reviewed cost once reviewed).
    pub max_cost: Option<i64>,
}

impl ProjectFilter {
    /// The filter from the query's `area`, `category`, `status` and `max_cost`; what does not
    /// parse is ignored (an empty choice means "all").
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> ProjectFilter {
        let number = |name: &str| {
            get(name).and_then(|v| {
                v.chars()
                    .filter(|c| !matches!(c, ',' | '_') && !c.is_whitespace())
                    .collect::<String>()
                    .parse::<i64>()
                    .ok()
            })
        };
        ProjectFilter {
            area: number("area"),
            category: get("category").and_then(|c| Category::from_code(&c)),
            status: get("status").and_then(|s| ProjectStatus::from_code(&s)),
            max_cost: number("max_cost").filter(|n| *n >= 0),
        }
    }

    /// Whether a project passes.
    pub fn admits(&self, project: &BudgetProject) -> bool {
        self.area.is_none_or(|a| project.area_id == a)
            && self.category.is_none_or(|c| project.category == c)
            && self.status.is_none_or(|s| project.status == s)
            && self.max_cost.is_none_or(|m| project.cost() <= m)
    }

    /// Whether any filter is set.
    pub fn is_set(&self) -> bool {
        *self != ProjectFilter::default()
    }
}

/// A budget with what every budget page shows about it and the viewer's standing in it.
#[derive(Clone, Debug)]
pub struct BudgetView {
    pub budget: Budget,
    pub process: Process,
    pub standing: BudgetStanding,
    /// Every project of the budget, by area then number.
    pub projects: Vec<BudgetProject>,
}

impl BudgetView {
    /// Whether the viewer may take `action` now.
    pub fn may(&self, action: BudgetAction) -> bool {
        self.standing.may(action, self.budget.phase)
    }

    /// The area of a project, by id.
    pub fn area(&self, id: i64) -> Option<&BudgetArea> {
        self.budget.area(id)
    }

    /// One project of this budget.
    pub fn project(&self, id: i64) -> Option<&BudgetProject> {
        self.projects.iter().find(|p| p.id == id)
    }
}

/// A budget, for its pages: anyone may read every budget.
pub async fn view(cx: &RequestContext, id: i64) -> AppResult<BudgetView> {
    let budget = cx.store.budget(id).await?.ok_or(AppError::NotFound)?;
    let process = cx
        .store
        .process(budget.process_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let standing = cx
        .store
        .budget_standing(cx.viewer.as_ref().map(|p| p.id), id)
        .await?;
    let projects = cx.store.budget_projects(id).await?;
    Ok(BudgetView {
        budget,
        process,
        standing,
        projects,
    })
}

/// What the viewer can do next in a budget: the overview's one primary button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetStep {
    /// Propose a project (or record one collected on paper).
    Propose,
    /// Sign in: a signed-in resident could propose now.
    SignInToPropose,
    /// Review the proposals waiting for a finding.
    Review,
    /// Read the proposals (nothing to do in this phase but follow them).
    SeeProposals,
    /// Vote (with an account or a printed code).
    Vote,
    /// Read the count.
    SeeResults,
}

/// The viewer's next step, from the same matrix the server enforces.
pub fn next_step(view: &BudgetView) -> BudgetStep {
    match view.budget.phase {
        BudgetPhase::Proposals
            if view.may(BudgetAction::Propose) || view.may(BudgetAction::RecordPaperProposal) =>
        {
            BudgetStep::Propose
        }
        BudgetPhase::Proposals if !view.standing.signed_in => BudgetStep::SignInToPropose,
        BudgetPhase::Review if view.may(BudgetAction::Review) => BudgetStep::Review,
        BudgetPhase::Proposals | BudgetPhase::Review => BudgetStep::SeeProposals,
        BudgetPhase::Voting => BudgetStep::Vote,
        BudgetPhase::Results | BudgetPhase::Implementation => BudgetStep::SeeResults,
    }
}

/// What still stands in the way of moving the budget on to `next`: for voting, every area
/// needs a project on the ballot and every proposal a finding.
pub fn missing(view: &BudgetView, lang: &str) -> Vec<Msg> {
    let mut missing = Vec::new();
    if view.budget.phase.next() == Some(BudgetPhase::Voting) {
        let unreviewed = view
            .projects
            .iter()
            .filter(|p| p.status == ProjectStatus::Proposed)
            .count();
        if unreviewed > 0 {
            missing.push(Msg::BudgetErrorUnreviewed {
                count: unreviewed.to_string(),
            });
        }
        for area in &view.budget.areas {
            let on_ballot = view
                .projects
                .iter()
                .any(|p| p.area_id == area.id && p.status == ProjectStatus::Feasible);
            if !on_ballot {
                missing.push(Msg::BudgetErrorNoFeasible {
                    area: area.name.pick(lang, &view.process.fields.languages).text,
                });
            }
        }
    }
    missing
}

/// Whether the viewer may take `action` in the budget now; if not, the store's refusal.
fn may(view: &BudgetView, action: BudgetAction) -> AppResult<()> {
    view.standing
        .refusal(action, view.budget.phase)
        .map_err(AppError::Forbidden)
}

/// Proposes a project (`intent=propose`), or records one collected on paper (`intent=paper`,
/// officers, with `proposer_name` and `meeting`). Fields: `area`, `title`, `description`, `place`,
/// `category`, `estimated_cost`, `image_alt`; texts in the viewer's language.
pub async fn propose(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<i64> {
    let person = super::email_verification::require_verified(cx)?.id;
    let view = view(cx, budget).await?;
    let paper = form.text("intent") == "paper";
    may(
        &view,
        if paper {
            BudgetAction::RecordPaperProposal
        } else {
            BudgetAction::Propose
        },
    )?;
    let mut errors = Vec::new();
    let area = form
        .choice("area", |t| {
            t.parse::<i64>().ok().and_then(|id| view.area(id)).cloned()
        })
        .map_err(|e| errors.push(e))
        .ok();
    let mut text = |name: &str, max: usize, required: bool| {
        form.bounded(name, max, required)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let title = text("title", MAX_TITLE, true);
    let description = text("description", MAX_DESCRIPTION, true);
    let place = text("place", MAX_SHORT, false);
    let image_alt = text("image_alt", MAX_SHORT, false);
    let origin = paper.then(|| NewPaperOrigin {
        proposer_name: text("proposer_name", MAX_SHORT, true),
        meeting: text("meeting", MAX_SHORT, true),
    });
    let category = form
        .choice("category", Category::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let cost = whole(form, "estimated_cost", 1, MAX_AMOUNT)
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(area), Some(cost)) = (&area, cost) {
        let cap = match area.rules.project_cap {
            0 => area.rules.amount,
            cap => cap,
        };
        if cost > cap {
            errors.push(FieldError::new(
                "estimated_cost",
                Msg::BudgetErrorCost {
                    cap: cap.to_string(),
                },
            ));
        }
    }
    collect(errors)?;
    let lang = cx.lang.code();
    let new = NewProject {
        area_id: area.ok_or(AppError::Internal)?.id,
        title: Localized::one(lang, &title),
        description: Localized::one(lang, &description),
        place: if place.is_empty() {
            Localized::default()
        } else {
            Localized::one(lang, &place)
        },
        category: category.ok_or(AppError::Internal)?,
        estimated_cost: cost.ok_or(AppError::Internal)?,
        image_alt,
        paper: origin,
    };
    cx.store.propose_project(person, budget, new, cx.now).await
}

/// A project's page: the project, its budget, what it was merged into and what was merged into it.
#[derive(Clone, Debug)]
pub struct ProjectView {
    pub budget: BudgetView,
    pub project: BudgetProject,
}

impl ProjectView {
    /// The proposals merged into this one.
    pub fn merged_here(&self) -> Vec<&BudgetProject> {
        self.budget
            .projects
            .iter()
            .filter(|p| p.merged_into == Some(self.project.id))
            .collect()
    }

    /// The proposals this one may be merged into: the same area, not itself, not merged away.
    pub fn merge_targets(&self) -> Vec<&BudgetProject> {
        self.budget
            .projects
            .iter()
            .filter(|p| {
                p.area_id == self.project.area_id
                    && p.id != self.project.id
                    && p.status != ProjectStatus::Merged
            })
            .collect()
    }
}

/// One project of a budget (the URL names both).
pub async fn project(cx: &RequestContext, budget: i64, id: i64) -> AppResult<ProjectView> {
    let budget = view(cx, budget).await?;
    let project = budget.project(id).cloned().ok_or(AppError::NotFound)?;
    // The store's copy carries the updates, which the budget's list may leave out.
    let project = cx
        .store
        .budget_project(id)
        .await?
        .filter(|p| p.budget_id == budget.budget.id)
        .unwrap_or(project);
    Ok(ProjectView { budget, project })
}

/// Reads a reviewer's finding: `finding` (`feasible`, `not_feasible`, `merge`), with `cost` for
/// a feasible one, `reason` for one not feasible, `merge_into` for a merge, and always a public
/// `explanation`.
pub fn finding_from(form: &Form, lang: &str) -> AppResult<ReviewFinding> {
    let mut errors = Vec::new();
    let finding = form
        .choice("finding", |t| {
            matches!(t, "feasible" | "not_feasible" | "merge").then(|| t.to_string())
        })
        .map_err(|e| errors.push(e))
        .ok();
    let explanation = form
        .bounded("explanation", MAX_EXPLANATION, true)
        .map_err(|e| errors.push(e))
        .map(|text| Localized::one(lang, &text))
        .unwrap_or_default();
    let finding = match finding.as_deref() {
        Some("feasible") => whole(form, "cost", 1, MAX_AMOUNT)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|cost| ReviewFinding::Feasible {
                cost,
                explanation: explanation.clone(),
            }),
        Some("not_feasible") => form
            .choice("reason", InfeasibleReason::from_code)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|reason| ReviewFinding::NotFeasible {
                reason,
                explanation: explanation.clone(),
            }),
        Some(_) => form
            .choice("merge_into", |t| t.parse::<i64>().ok())
            .map_err(|e| errors.push(e))
            .ok()
            .map(|project| ReviewFinding::MergedInto {
                project,
                explanation: explanation.clone(),
            }),
        None => None,
    };
    collect(errors)?;
    finding.ok_or(AppError::Internal)
}

/// Records a reviewer's finding on a project (`intent=review`).
pub async fn review(cx: &RequestContext, budget: i64, id: i64, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let page = project(cx, budget, id).await?;
    may(&page.budget, BudgetAction::Review)?;
    let finding = finding_from(form, cx.lang.code())?;
    if let ReviewFinding::MergedInto { project, .. } = &finding
        && !page.merge_targets().iter().any(|p| p.id == *project)
    {
        return Err(AppError::invalid("merge_into", Msg::ErrorChoice));
    }
    cx.store.review_project(person, id, finding, cx.now).await
}

/// Reports on a winning project's implementation (`intent=update`: `status`, `progress`, `on`,
/// `note`, as a decision's follow-up).
pub async fn update(cx: &RequestContext, budget: i64, id: i64, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let page = project(cx, budget, id).await?;
    may(&page.budget, BudgetAction::PostUpdate)?;
    let mut errors = Vec::new();
    let status = form
        .choice("status", FollowUpStatus::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let progress = form
        .choice("progress", |t| t.parse::<u8>().ok().filter(|p| *p <= 100))
        .map_err(|_| errors.push(FieldError::new("progress", Msg::ErrorPercent)))
        .ok();
    let on = form
        .choice("on", Day::parse)
        .map_err(|_| errors.push(FieldError::new("on", Msg::ErrorDate)))
        .ok();
    let note = form
        .bounded("note", decision::MAX_UPDATE_NOTE, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    collect(errors)?;
    if page.project.status != ProjectStatus::Selected {
        return Err(AppError::Conflict(Msg::BudgetErrorNotSelected));
    }
    let update = NewFollowUp {
        status: status.ok_or(AppError::Internal)?,
        progress: progress.ok_or(AppError::Internal)?,
        on: on.ok_or(AppError::Internal)?,
        note,
        review_on: None,
    };
    cx.store
        .post_project_update(person, id, update, cx.now)
        .await
}

/// The manage page: the budget, its staff (with their emails, for removing them), code counts.
#[derive(Clone, Debug)]
pub struct ManageView {
    pub budget: BudgetView,
    /// Each member of staff with their email.
    pub staff: Vec<(BudgetStaff, String)>,
}

/// The managers' page; anyone else is refused.
pub async fn manage(cx: &RequestContext, budget: i64) -> AppResult<ManageView> {
    cx.viewer()?;
    let budget = view(cx, budget).await?;
    if !budget.standing.manager {
        return Err(AppError::Forbidden(Msg::BudgetsManagersOnly));
    }
    let mut staff = Vec::new();
    for member in cx.store.budget_staff(budget.budget.id).await? {
        let email = cx
            .store
            .person(member.person_id)
            .await?
            .map(|p| p.email)
            .unwrap_or_default();
        staff.push((member, email));
    }
    Ok(ManageView { budget, staff })
}

/// Adds an area (`area` empty) or changes one (`intent=area`), before voting opens.
pub async fn save_area(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<i64> {
    let person = cx.viewer()?.id;
    let view = view(cx, budget).await?;
    may(&view, BudgetAction::EditAreas)?;
    let area = match form.text("area").trim() {
        "" => None,
        id => Some(
            id.parse::<i64>()
                .ok()
                .and_then(|id| view.area(id))
                .ok_or(AppError::NotFound)?,
        ),
    };
    let new = area_from(form, cx.lang.code(), area.map(|a| &a.name))?;
    cx.store
        .save_area(person, budget, area.map(|a| a.id), new, cx.now)
        .await
}

/// Names or removes an officer or reviewer (`intent=staff`: `email`, `role`, `change` =
/// `add` or `remove`).
pub async fn set_staff(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let view = view(cx, budget).await?;
    may(&view, BudgetAction::NameStaff)?;
    let mut errors = Vec::new();
    let email = form
        .bounded("email", MAX_SHORT, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let role = form
        .choice("role", StaffRole::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let add = form
        .choice("change", |t| match t {
            "add" => Some(true),
            "remove" => Some(false),
            _ => None,
        })
        .map_err(|e| errors.push(e))
        .ok();
    collect(errors)?;
    cx.store
        .set_budget_staff(
            person,
            budget,
            &email.to_lowercase(),
            role.ok_or(AppError::Internal)?,
            add.ok_or(AppError::Internal)?,
            cx.now,
        )
        .await
}

/// What moving the budget to `next` will do, for the confirmation step.
pub fn what_happens(next: BudgetPhase, feasible: usize) -> Msg {
    match next {
        BudgetPhase::Proposals | BudgetPhase::Review => Msg::BudgetsConfirmReview,
        BudgetPhase::Voting => Msg::BudgetsConfirmVoting {
            count: feasible.to_string(),
        },
        BudgetPhase::Results => Msg::BudgetsConfirmResults,
        BudgetPhase::Implementation => Msg::BudgetsConfirmImplementation,
    }
}

/// Moves the budget to its next phase (`intent=advance`, `from` the phase the manager saw, so a
/// repeated click changes nothing). A budget only moves forward, so the form must confirm it
/// (`confirmed=yes`); unconfirmed, the refusal says what the move will do.
pub async fn advance(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<BudgetPhase> {
    let person = cx.viewer()?.id;
    let view = view(cx, budget).await?;
    may(&view, BudgetAction::ChangePhase)?;
    let from = form.choice("from", BudgetPhase::from_code)?;
    if from != view.budget.phase {
        return Err(AppError::Conflict(Msg::BudgetErrorPhaseMoved));
    }
    let next = from.next().ok_or(AppError::Internal)?;
    let missing: Vec<FieldError> = missing(&view, cx.lang.code())
        .into_iter()
        .map(|m| FieldError::new("phase", m))
        .collect();
    collect(missing)?;
    if form.text(CONFIRMED) != "yes" {
        let feasible = view
            .projects
            .iter()
            .filter(|p| p.status == ProjectStatus::Feasible)
            .count();
        return Err(AppError::invalid(CONFIRMED, what_happens(next, feasible)));
    }
    cx.store.advance_budget(person, budget, from, cx.now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn area_form(extra: &[(&str, &str)]) -> Form {
        let mut pairs = vec![
            ("name", "Riverside"),
            ("amount", "150,000"),
            ("project_cap", ""),
            ("ballot", "approval"),
            ("min_projects", "1"),
            ("max_projects", "5"),
            ("rule", "equal_shares"),
            ("tie_break", "lower_cost"),
            ("census", "yes"),
        ];
        pairs.extend_from_slice(extra);
        let mut f = form(&pairs);
        for (k, v) in extra {
            f.fields.insert(k.to_string(), v.to_string());
        }
        f
    }

    #[test]
    fn an_area_reads_amounts_with_separators_and_keeps_other_languages() {
        let before = Localized::one("zh-Hans", "河滨");
        let area = area_from(&area_form(&[]), "en", Some(&before)).unwrap();
        assert_eq!(area.rules.amount, 150_000);
        assert_eq!(area.rules.project_cap, 0);
        assert_eq!(area.rules.max_projects, 5);
        assert!(area.census && !area.codes);
        assert_eq!(area.name.get("zh-Hans"), Some("河滨"));
        assert_eq!(area.name.get("en"), Some("Riverside"));
    }

    #[test]
    fn a_bad_area_says_everything_wrong_at_once() {
        let error = area_from(
            &area_form(&[
                ("amount", "lots"),
                ("rule", "lottery"),
                ("census", ""),
                ("name", " "),
            ]),
            "en",
            None,
        )
        .unwrap_err();
        let fields: Vec<&str> = error.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "amount", "rule", "census"]);
        let error = area_from(&area_form(&[("min_projects", "6")]), "en", None).unwrap_err();
        assert_eq!(error.fields()[0].field, "max_projects");
        // A knapsack ballot ignores the approval limits, whatever they say.
        let knapsack = area_from(
            &area_form(&[("ballot", "knapsack"), ("min_projects", "x")]),
            "en",
            None,
        );
        assert!(knapsack.is_ok());
    }

    #[test]
    fn findings_need_their_own_fields_and_always_an_explanation() {
        let not = finding_from(
            &form(&[
                ("finding", "not_feasible"),
                ("reason", "outside_competence"),
                ("explanation", "The river banks are the water authority's."),
            ]),
            "en",
        )
        .unwrap();
        assert!(matches!(
            not,
            ReviewFinding::NotFeasible {
                reason: InfeasibleReason::OutsideCompetence,
                ..
            }
        ));
        let error = finding_from(&form(&[("finding", "not_feasible")]), "en").unwrap_err();
        let fields: Vec<&str> = error.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["explanation", "reason"]);
        let error = finding_from(
            &form(&[("finding", "feasible"), ("explanation", "Fine.")]),
            "en",
        )
        .unwrap_err();
        assert_eq!(error.fields()[0].field, "cost");
        assert!(finding_from(&form(&[("finding", "maybe"), ("explanation", "x")]), "en").is_err());
    }

    #[test]
    fn filters_read_the_address_and_ignore_nonsense() {
        let query = [
            ("area", "3"),
            ("category", "mobility"),
            ("status", "nonsense"),
            ("max_cost", "20,000"),
        ];
        let filter = ProjectFilter::from_query(|name| {
            query
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        });
        assert_eq!(filter.area, Some(3));
        assert_eq!(filter.category, Some(Category::Mobility));
        assert_eq!(filter.status, None);
        assert_eq!(filter.max_cost, Some(20_000));
        assert!(filter.is_set());
        assert!(!ProjectFilter::from_query(|_| None).is_set());
    }
}
