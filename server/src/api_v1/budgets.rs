//! `GET /api/v1/budgets`, one budget with its areas, projects, reviews and results, an area's
//! election as a pabulib file, and the published anonymous ballots (JSON or CSV).
//!
//! What is secret stays out: no census entry, census hash or key, no voting code or its hash, and
//! nothing about who voted. The ballots (and the pabulib file, whose VOTES section is the ballots)
//! are served only once the results are published; before, a 409 says why.

use super::*;
use app::domain::budget::{BudgetPhase, ProjectStatus};
use app::model::{Budget, BudgetArea, BudgetProject, PublishedBallot};

#[derive(Serialize)]
struct BudgetSummaryView {
    id: i64,
    url: String,
    process_id: i64,
    title: BTreeMap<String, String>,
    currency: String,
    phase: &'static str,
    total: i64,
    projects: i64,
}

#[derive(Serialize)]
struct BudgetView {
    id: i64,
    url: String,
    process_id: i64,
    process_url: String,
    title: BTreeMap<String, String>,
    description: BTreeMap<String, String>,
    currency: String,
    phase: &'static str,
    total: i64,
    created_at: String,
    counted_at: Option<String>,
    /// Where the anonymous ballots are (`null` until the results are published).
    ballots_url: Option<String>,
    areas: Vec<AreaView>,
    projects: Vec<ProjectView>,
}

#[derive(Serialize)]
struct AreaView {
    id: i64,
    name: BTreeMap<String, String>,
    amount: i64,
    /// 0: no cap beyond the amount.
    project_cap: i64,
    ballot: &'static str,
    min_projects: i64,
    max_projects: i64,
    rule: &'static str,
    tie_break: &'static str,
    /// Accounts checked against the census list may vote.
    census: bool,
    /// Printed one-time codes may vote.
    codes: bool,
    /// The funded projects in the order the rule chose them (`null` before the results).
    winners: Option<Vec<i64>>,
    spent: Option<i64>,
    leftover: Option<i64>,
    /// Ballots cast in the area (`null` before the results).
    ballots: Option<i64>,
    /// The area's election as a pabulib file (`null` before the results).
    pabulib_url: Option<String>,
}

#[derive(Serialize)]
struct ProjectView {
    id: i64,
    url: String,
    area_id: i64,
    title: BTreeMap<String, String>,
    description: BTreeMap<String, String>,
    place: BTreeMap<String, String>,
    category: &'static str,
    estimated_cost: i64,
    /// The reviewed cost once found feasible, the estimate before.
    cost: i64,
    status: &'static str,
    /// Ballots choosing it (`null` before the results, and for projects not on the ballot).
    votes: Option<i64>,
    proposer: String,
    /// For a proposal collected on paper: the public meeting, and the officer who recorded it.
    paper: Option<PaperView>,
    merged_into: Option<i64>,
    review: Option<ReviewView>,
    image_alt: String,
    created_at: String,
    updates: Vec<UpdateView>,
}

#[derive(Serialize)]
struct PaperView {
    meeting: String,
    recorded_by: String,
}

#[derive(Serialize)]
struct ReviewView {
    feasible: bool,
    cost: Option<i64>,
    reason: Option<&'static str>,
    explanation: BTreeMap<String, String>,
    reviewed_by: String,
    reviewed_at: String,
}

#[derive(Serialize)]
struct UpdateView {
    on: String,
    status: &'static str,
    progress: u8,
    note: String,
    by: String,
}

#[derive(Serialize)]
struct BallotView {
    id: String,
    area_id: i64,
    projects: Vec<i64>,
    receipt_hash: String,
}

/// The results are out: the ballots and the pabulib files may be published.
fn counted(budget: &Budget) -> bool {
    budget.phase >= BudgetPhase::Results
}

/// The refusal for ballots asked for before the results.
fn still_secret() -> AppError {
    AppError::Conflict(app::i18n::Msg::BudgetApiBallotsSecret)
}

fn budget_url(id: i64) -> String {
    format!("/budgets/{id}")
}

fn area_view(budget: &Budget, area: &BudgetArea) -> AreaView {
    let result = area.result.as_ref().filter(|_| counted(budget));
    AreaView {
        id: area.id,
        name: texts(&area.name),
        amount: area.rules.amount,
        project_cap: area.rules.project_cap,
        ballot: area.rules.ballot.code(),
        min_projects: area.rules.min_projects,
        max_projects: area.rules.max_projects,
        rule: area.rules.rule.code(),
        tie_break: area.rules.tie_break.code(),
        census: area.census,
        codes: area.codes,
        winners: result.map(|r| r.winners.clone()),
        spent: result.map(|r| r.spent),
        leftover: result.map(|r| r.leftover),
        ballots: result.map(|r| r.ballots),
        pabulib_url: result.map(|_| format!("/api/v1/budgets/{}/areas/{}.pb", budget.id, area.id)),
    }
}

fn project_view(budget: &Budget, p: &BudgetProject) -> ProjectView {
    let on_ballot = matches!(
        p.status,
        ProjectStatus::Selected | ProjectStatus::NotSelected
    );
    let votes = budget
        .area(p.area_id)
        .and_then(|a| a.result.as_ref())
        .filter(|_| counted(budget) && on_ballot)
        .map(|r| {
            r.votes
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n)
        });
    ProjectView {
        id: p.id,
        url: format!("/budgets/{}/projects/{}", p.budget_id, p.id),
        area_id: p.area_id,
        title: texts(&p.title),
        description: texts(&p.description),
        place: texts(&p.place),
        category: p.category.code(),
        estimated_cost: p.estimated_cost,
        cost: p.cost(),
        status: p.status.code(),
        votes,
        proposer: p.proposer_name.clone(),
        paper: p.paper.as_ref().map(|o| PaperView {
            meeting: o.meeting.clone(),
            recorded_by: o.recorded_by.clone(),
        }),
        merged_into: p.merged_into,
        review: p.review.as_ref().map(|r| ReviewView {
            feasible: r.cost.is_some(),
            cost: r.cost,
            reason: r.reason.map(|reason| reason.code()),
            explanation: texts(&r.explanation),
            reviewed_by: r.by.clone(),
            reviewed_at: timestamp(r.at),
        }),
        image_alt: p.image_alt.clone(),
        created_at: timestamp(p.created_at),
        updates: p
            .updates
            .iter()
            .map(|u| UpdateView {
                on: u.on.to_string(),
                status: u.status.code(),
                progress: u.progress,
                note: u.note.clone(),
                by: u.by.clone(),
            })
            .collect(),
    }
}

async fn find_budget(state: &AppState, id: &str) -> Result<Budget, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    state.store.budget(id).await?.ok_or(AppError::NotFound)
}

/// `GET /api/v1/budgets`: every budget, newest first.
pub async fn budgets(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.store.budgets().await {
        Ok(list) => {
            let list: Vec<BudgetSummaryView> = list
                .into_iter()
                .map(|b| BudgetSummaryView {
                    id: b.id,
                    url: budget_url(b.id),
                    process_id: b.process_id.0,
                    title: texts(&b.title),
                    currency: b.currency,
                    phase: b.phase.code(),
                    total: b.total,
                    projects: b.projects,
                })
                .collect();
            open(Json(serde_json::json!({ "budgets": list })).into_response())
        }
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/budgets/{id}`: a budget with its areas (rules and, once counted, results) and
/// every project with its review, votes and updates.
pub async fn budget(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let budget = find_budget(&state, &id).await?;
        let projects = state.store.budget_projects(budget.id).await?;
        Ok::<_, AppError>(BudgetView {
            id: budget.id,
            url: budget_url(budget.id),
            process_id: budget.process_id.0,
            process_url: format!("/processes/{}", budget.process_id),
            title: texts(&budget.title),
            description: texts(&budget.description),
            currency: budget.currency.clone(),
            phase: budget.phase.code(),
            total: budget.total(),
            created_at: timestamp(budget.created_at),
            counted_at: budget.counted_at.map(timestamp),
            ballots_url: counted(&budget).then(|| format!("/api/v1/budgets/{}/ballots", budget.id)),
            areas: budget.areas.iter().map(|a| area_view(&budget, a)).collect(),
            projects: projects.iter().map(|p| project_view(&budget, p)).collect(),
        })
    }
    .await;
    match result {
        Ok(view) => open(Json(view).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// The published ballots of a budget (of one area if `area` is given), once counted.
async fn ballots_of(
    state: &AppState,
    budget: &Budget,
    area: Option<i64>,
) -> Result<Vec<PublishedBallot>, AppError> {
    if !counted(budget) {
        return Err(still_secret());
    }
    let mut all = Vec::new();
    for a in budget
        .areas
        .iter()
        .filter(|a| area.is_none_or(|id| id == a.id))
    {
        all.extend(state.store.published_ballots(a.id).await?);
    }
    Ok(all)
}

fn ballots_csv(ballots: &[BallotView]) -> String {
    let mut out = String::from("id,area_id,projects,receipt_hash\r\n");
    for b in ballots {
        let projects = b
            .projects
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let row = [
            b.id.clone(),
            b.area_id.to_string(),
            projects,
            b.receipt_hash.clone(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// `GET /api/v1/budgets/{id}/ballots[?area=ID][&format=csv]`: every anonymous ballot with the
/// hash of its receipt, once the results are published (409 before: ballots are secret while
/// voting lasts).
pub async fn ballots(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let budget = find_budget(&state, &id).await?;
        let area = match query.get("area") {
            Some(area) => Some(
                area.parse::<i64>()
                    .ok()
                    .filter(|a| budget.area(*a).is_some())
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let ballots: Vec<BallotView> = ballots_of(&state, &budget, area)
            .await?
            .into_iter()
            .map(|b| BallotView {
                id: b.id,
                area_id: b.area_id,
                projects: b.projects,
                receipt_hash: b.receipt_hash,
            })
            .collect();
        Ok::<_, AppError>((budget.id, ballots))
    }
    .await;
    match result {
        Ok((id, ballots)) if query.get("format").map(String::as_str) == Some("csv") => open(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"budget-{id}-ballots.csv\""),
                    ),
                ],
                ballots_csv(&ballots),
            )
                .into_response(),
        ),
        Ok((id, ballots)) => {
            open(Json(serde_json::json!({ "budget_id": id, "ballots": ballots })).into_response())
        }
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/budgets/{id}/areas/{area}.pb`: the area's election in the pabulib format (META,
/// PROJECTS with the projects on the ballot, VOTES with the anonymous ballots), once counted.
pub async fn pabulib(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let area = file
            .strip_suffix(".pb")
            .and_then(|a| a.parse::<i64>().ok())
            .ok_or(AppError::NotFound)?;
        let budget = find_budget(&state, &id).await?;
        let area = budget.area(area).ok_or(AppError::NotFound)?.clone();
        let ballots = ballots_of(&state, &budget, Some(area.id)).await?;
        let projects = state.store.budget_projects(budget.id).await?;
        Ok::<_, AppError>((
            budget.id,
            area.id,
            pabulib_file(&budget, &area, &projects, &ballots),
        ))
    }
    .await;
    match result {
        Ok((id, area, body)) => open(
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "text/plain; charset=utf-8".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"budget-{id}-area-{area}.pb\""),
                    ),
                ],
                body,
            )
                .into_response(),
        ),
        Err(e) => error(e, &headers),
    }
}

/// The pabulib file of one counted area: names in English when given (else the first language a
/// text has), the edition as the year of the count, and voting's end as the day of the count.
fn pabulib_file(
    budget: &Budget,
    area: &BudgetArea,
    projects: &[BudgetProject],
    ballots: &[PublishedBallot],
) -> String {
    use app::domain::budget::pabulib::{Entry, Meta, write};
    fn name(text: &app::domain::localized::Localized) -> (&str, &str) {
        text.0
            .get_key_value("en")
            .or_else(|| text.0.iter().next())
            .map_or(("", ""), |(lang, t)| (lang.as_str(), t.as_str()))
    }
    let (_, title) = name(&budget.title);
    let (_, area_name) = name(&area.name);
    let counted = timestamp(budget.counted_at.unwrap_or(budget.created_at));
    let year = counted.get(..4).unwrap_or_default().to_string();
    // pabulib writes days as DD.MM.YYYY.
    let closed = counted
        .get(..10)
        .map(|d| format!("{}.{}.{}", &d[8..10], &d[5..7], &d[..4]));
    let on_ballot: Vec<&BudgetProject> = projects
        .iter()
        .filter(|p| {
            p.area_id == area.id
                && matches!(
                    p.status,
                    ProjectStatus::Selected | ProjectStatus::NotSelected
                )
        })
        .collect();
    let language = on_ballot.first().map(|p| name(&p.title).0);
    let entries: Vec<Entry> = on_ballot
        .iter()
        .map(|p| Entry {
            id: p.id,
            cost: p.cost(),
            name: name(&p.title).1,
            category: Some(p.category.code()),
            selected: p.status == ProjectStatus::Selected,
        })
        .collect();
    let description = format!("{title}, {area_name}");
    let meta = Meta {
        description: &description,
        // Baraza does not know the country a site serves; the field stays empty.
        country: "",
        unit: title,
        subunit: (budget.areas.len() > 1).then_some(area_name),
        instance: &year,
        currency: &budget.currency,
        language,
        date_begin: None,
        date_end: closed.as_deref(),
        rules: &area.rules,
    };
    let votes: Vec<Vec<i64>> = ballots.iter().map(|b| b.projects.clone()).collect();
    write(&meta, &entries, &votes)
}
