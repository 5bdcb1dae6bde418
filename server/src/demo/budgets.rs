//! The demo's participatory budgets (content in `budgets.json`): the Kalden neighbourhood budget
//! with its results published (three areas, one counted by Equal Shares, several hundred real
//! ballots cast with printed codes), a youth budget taking proposals, and a national budget open
//! for voting with a census list. Each is taken through its phases by the store's own use cases,
//! as its staff would: proposals, reviews, codes, ballots, the count.

use super::bad;
use app::domain::budget::{
    AreaRules, BallotKind, BudgetPhase, Category, CountingRule, InfeasibleReason, StaffRole,
    TieBreak, census_entry,
};
use app::domain::comments::Stance;
use app::domain::localized::Localized;
use app::error::AppResult;
use app::ids::{CommentId, PersonId, ProcessId};
use app::model::{
    Actor, NewArea, NewBudget, NewComment, NewPaperOrigin, NewProject, ReviewFinding, Subject,
    Voter,
};
use app::ssr::Store;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const CONTENT: &str = include_str!("budgets.json");

const DAY: i64 = 86_400_000;

#[derive(Deserialize)]
struct Content {
    /// The budget's reviewer and officer (emails).
    reviewer: String,
    officer: String,
    budgets: Vec<BudgetSeed>,
}

#[derive(Deserialize)]
struct BudgetSeed {
    /// The process's key in content.json.
    process: String,
    /// The phase the demo leaves it in.
    phase: String,
    currency: String,
    /// When it was opened, in days before the demo's now; its phases follow at fixed steps.
    opened_days_ago: i64,
    title: BTreeMap<String, String>,
    description: BTreeMap<String, String>,
    areas: Vec<AreaSeed>,
    projects: Vec<ProjectSeed>,
}

#[derive(Deserialize)]
struct AreaSeed {
    key: String,
    name: BTreeMap<String, String>,
    amount: i64,
    project_cap: i64,
    ballot: String,
    #[serde(default)]
    min_projects: i64,
    #[serde(default)]
    max_projects: i64,
    rule: String,
    tie_break: String,
    census: bool,
    codes: bool,
    /// Ballots cast with printed codes in the voting phase.
    #[serde(default)]
    voters: usize,
    /// Who those voters are: groups of like-minded voters, by share (per cent).
    #[serde(default)]
    groups: Vec<GroupSeed>,
    /// Identities on the census list (document number, birth date), beyond the generated ones.
    #[serde(default)]
    census_list: Vec<(String, String)>,
    /// Further generated identities on the census list (nobody's real ones).
    #[serde(default)]
    census_generated: usize,
}

#[derive(Deserialize)]
struct GroupSeed {
    share: u32,
    /// The projects they like, most liked first, each with the chance a voter of the group
    /// marks it.
    likes: Vec<(String, f64)>,
}

#[derive(Deserialize)]
struct ProjectSeed {
    key: String,
    area: String,
    /// An online proposer's email; absent for a paper proposal.
    #[serde(default)]
    proposer: Option<String>,
    /// A proposal collected on paper, recorded by the officer.
    #[serde(default)]
    paper: Option<PaperSeed>,
    title: BTreeMap<String, String>,
    description: BTreeMap<String, String>,
    place: BTreeMap<String, String>,
    category: String,
    estimated_cost: i64,
    #[serde(default)]
    review: Option<ReviewSeed>,
    /// What people said on the project's page while proposals were open.
    #[serde(default)]
    comments: Vec<CommentSeed>,
}

/// A comment on a project, in its author's own language, with the replies it drew.
#[derive(Deserialize)]
struct CommentSeed {
    by: String,
    stance: String,
    body: String,
    #[serde(default)]
    replies: Vec<CommentSeed>,
}

#[derive(Deserialize)]
struct PaperSeed {
    name: String,
    meeting: String,
}

#[derive(Deserialize)]
struct ReviewSeed {
    /// Feasible at this cost.
    #[serde(default)]
    cost: Option<i64>,
    /// Not feasible, for this reason.
    #[serde(default)]
    reason: Option<String>,
    /// Merged into this project (its key).
    #[serde(default)]
    merge_into: Option<String>,
    explanation: BTreeMap<String, String>,
}

/// SplitMix64: a tiny generator whose sequence is fixed by its seed, so the demo's ballots are the
/// same on every start (a library's generator may change its sequence between versions).
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Loads the demo budgets. `processes` and `people` are the demo's, by key and by email.
pub async fn load(
    store: &dyn Store,
    processes: &HashMap<String, ProcessId>,
    people: &HashMap<String, PersonId>,
    now: i64,
) -> AppResult<()> {
    let content: Content =
        serde_json::from_str(CONTENT).map_err(|_| bad("budgets.json does not parse"))?;
    let person = |email: &str| {
        people
            .get(email)
            .copied()
            .ok_or_else(|| bad("budget person"))
    };
    let mediator = person("mediator@demo.baraza")?;
    let staff = Staff {
        mediator,
        reviewer: person(&content.reviewer)?,
        officer: person(&content.officer)?,
    };
    let mut rng = Seeded(22);
    for seed in &content.budgets {
        let process = *processes
            .get(&seed.process)
            .ok_or_else(|| bad("budget process"))?;
        load_budget(
            store, process, seed, &content, &staff, people, &mut rng, now,
        )
        .await?;
    }
    Ok(())
}

/// Who runs the demo budgets.
struct Staff {
    mediator: PersonId,
    reviewer: PersonId,
    officer: PersonId,
}

fn code<T>(parse: fn(&str) -> Option<T>, text: &str, what: &str) -> AppResult<T> {
    parse(text).ok_or_else(|| bad(what))
}

#[allow(clippy::too_many_arguments)]
async fn load_budget(
    store: &dyn Store,
    process: ProcessId,
    seed: &BudgetSeed,
    content: &Content,
    staff: &Staff,
    people: &HashMap<String, PersonId>,
    rng: &mut Seeded,
    now: i64,
) -> AppResult<()> {
    let target = code(BudgetPhase::from_code, &seed.phase, "budget phase")?;
    // The budget's days: opened, proposals reviewed, voting opened, counted.
    let opened = now - seed.opened_days_ago * DAY;
    let step = seed.opened_days_ago.max(4) * DAY / 4;
    let mut areas_new = Vec::new();
    for area in &seed.areas {
        areas_new.push(NewArea {
            name: Localized(area.name.clone()),
            rules: AreaRules {
                amount: area.amount,
                project_cap: area.project_cap,
                ballot: code(BallotKind::from_code, &area.ballot, "ballot kind")?,
                min_projects: area.min_projects,
                max_projects: area.max_projects,
                rule: code(CountingRule::from_code, &area.rule, "counting rule")?,
                tie_break: code(TieBreak::from_code, &area.tie_break, "tie break")?,
            },
            census: area.census,
            codes: area.codes,
        });
    }
    let budget = store
        .create_budget(
            Actor {
                person: staff.mediator,
                acting_for: None,
            },
            process,
            NewBudget {
                title: Localized(seed.title.clone()),
                description: Localized(seed.description.clone()),
                currency: seed.currency.clone(),
                areas: areas_new,
            },
            opened,
        )
        .await?;
    let areas: HashMap<&str, i64> = seed
        .areas
        .iter()
        .map(|a| a.key.as_str())
        .zip(
            store
                .budget(budget)
                .await?
                .ok_or_else(|| bad("demo budget"))?
                .areas
                .iter()
                .map(|a| a.id),
        )
        .collect();
    for (email, role) in [
        (&content.reviewer, StaffRole::Reviewer),
        (&content.officer, StaffRole::Officer),
    ] {
        store
            .set_budget_staff(staff.mediator, budget, email, role, true, opened)
            .await?;
    }

    // Proposals, over the first days.
    let mut projects: HashMap<&str, (i64, i64)> = HashMap::new();
    for (n, p) in seed.projects.iter().enumerate() {
        let area = *areas
            .get(p.area.as_str())
            .ok_or_else(|| bad("project area"))?;
        let (actor, paper) = match (&p.proposer, &p.paper) {
            (Some(email), None) => (*people.get(email).ok_or_else(|| bad("proposer"))?, None),
            (None, Some(paper)) => (
                staff.officer,
                Some(NewPaperOrigin {
                    proposer_name: paper.name.clone(),
                    meeting: paper.meeting.clone(),
                }),
            ),
            _ => return Err(bad("a project needs a proposer or a paper origin")),
        };
        let id = store
            .propose_project(
                actor,
                budget,
                NewProject {
                    area_id: area,
                    title: Localized(p.title.clone()),
                    description: Localized(p.description.clone()),
                    place: Localized(p.place.clone()),
                    category: code(Category::from_code, &p.category, "category")?,
                    estimated_cost: p.estimated_cost,
                    image_alt: String::new(),
                    paper,
                },
                opened + DAY + n as i64 * DAY / 2,
            )
            .await?;
        projects.insert(
            p.key.as_str(),
            (
                id,
                p.review
                    .as_ref()
                    .and_then(|r| r.cost)
                    .unwrap_or(p.estimated_cost),
            ),
        );
    }
    // The discussion, once every proposal is in.
    let discussed = opened + DAY + seed.projects.len() as i64 * DAY / 2;
    for p in &seed.projects {
        let subject = Subject::Project {
            budget,
            project: projects[p.key.as_str()].0,
        };
        for (n, comment) in p.comments.iter().enumerate() {
            let at = discussed + n as i64 * DAY / 3;
            discuss(store, people, subject, comment, None, at).await?;
        }
    }
    if target == BudgetPhase::Proposals {
        return Ok(());
    }

    let review_opened = opened + step;
    advance(
        store,
        staff.mediator,
        budget,
        BudgetPhase::Proposals,
        review_opened,
    )
    .await?;
    for (n, p) in seed.projects.iter().enumerate() {
        let review = p
            .review
            .as_ref()
            .ok_or_else(|| bad("an unreviewed demo project"))?;
        let explanation = Localized(review.explanation.clone());
        let finding = match (review.cost, &review.reason, &review.merge_into) {
            (Some(cost), None, None) => ReviewFinding::Feasible { cost, explanation },
            (None, Some(reason), None) => ReviewFinding::NotFeasible {
                reason: code(InfeasibleReason::from_code, reason, "infeasible reason")?,
                explanation,
            },
            (None, None, Some(into)) => ReviewFinding::MergedInto {
                project: projects
                    .get(into.as_str())
                    .ok_or_else(|| bad("merge target"))?
                    .0,
                explanation,
            },
            _ => return Err(bad("a review is one finding")),
        };
        store
            .review_project(
                staff.reviewer,
                projects[p.key.as_str()].0,
                finding,
                review_opened + DAY + n as i64 * DAY / 4,
            )
            .await?;
    }

    let voting_opened = opened + 2 * step;
    advance(
        store,
        staff.mediator,
        budget,
        BudgetPhase::Review,
        voting_opened,
    )
    .await?;
    for area in &seed.areas {
        let id = areas[area.key.as_str()];
        if area.census {
            let mut entries = Vec::new();
            for (number, born) in &area.census_list {
                entries.push(census_entry(number, born).ok_or_else(|| bad("census entry"))?);
            }
            for _ in 0..area.census_generated {
                let number = format!("VD{:08}", rng.next() % 100_000_000);
                let born = app::domain::process::Day::from_unix_days(
                    -7_000 + (rng.next() % 21_000) as i64,
                )
                .to_string();
                entries.push(census_entry(&number, &born).ok_or_else(|| bad("census entry"))?);
            }
            store
                .upload_census(staff.mediator, id, entries, voting_opened)
                .await?;
        }
        if area.voters > 0 {
            cast(
                store,
                staff.mediator,
                id,
                area,
                &projects,
                rng,
                voting_opened,
            )
            .await?;
        }
    }
    if target == BudgetPhase::Voting {
        return Ok(());
    }
    advance(
        store,
        staff.mediator,
        budget,
        BudgetPhase::Voting,
        opened + 3 * step,
    )
    .await?;
    Ok(())
}

/// Posts a demo comment on a project and then its replies, an hour apart.
async fn discuss(
    store: &dyn Store,
    people: &HashMap<String, PersonId>,
    subject: Subject,
    seed: &CommentSeed,
    parent: Option<CommentId>,
    at: i64,
) -> AppResult<()> {
    let person = *people.get(&seed.by).ok_or_else(|| bad("commenter"))?;
    let comment = store
        .create_comment(
            NewComment {
                subject,
                parent,
                author: Actor {
                    person,
                    acting_for: None,
                },
                pseudonym: None,
                stance: code(Stance::from_code, &seed.stance, "stance")?,
                body: seed.body.clone(),
                passage: None,
            },
            at,
        )
        .await?
        .unpublished();
    for (n, reply) in seed.replies.iter().enumerate() {
        let later = at + (n as i64 + 1) * DAY / 24;
        Box::pin(discuss(
            store,
            people,
            subject,
            reply,
            Some(comment.id),
            later,
        ))
        .await?;
    }
    Ok(())
}

async fn advance(
    store: &dyn Store,
    mediator: PersonId,
    budget: i64,
    from: BudgetPhase,
    at: i64,
) -> AppResult<()> {
    store.advance_budget(mediator, budget, from, at).await?;
    Ok(())
}

/// Prints the area's codes and casts one ballot with each, drawn from its groups of voters.
async fn cast(
    store: &dyn Store,
    mediator: PersonId,
    area_id: i64,
    area: &AreaSeed,
    projects: &HashMap<&str, (i64, i64)>,
    rng: &mut Seeded,
    at: i64,
) -> AppResult<()> {
    let codes = store
        .issue_codes(mediator, area_id, area.voters, at)
        .await?;
    let shares: u32 = area.groups.iter().map(|g| g.share).sum();
    for code in codes {
        let mut pick = (rng.next() % u64::from(shares.max(1))) as u32;
        let group = area
            .groups
            .iter()
            .find(|g| {
                let here = pick < g.share;
                pick = pick.saturating_sub(g.share);
                here
            })
            .ok_or_else(|| bad("voter groups"))?;
        let mut chosen: Vec<(i64, i64)> = Vec::new();
        for (key, chance) in &group.likes {
            let &(id, cost) = projects
                .get(key.as_str())
                .ok_or_else(|| bad("liked project"))?;
            let fits = match area.ballot.as_str() {
                "knapsack" => chosen.iter().map(|(_, c)| c).sum::<i64>() + cost <= area.amount,
                _ => (chosen.len() as i64) < area.max_projects,
            };
            if fits && rng.unit() < *chance {
                chosen.push((id, cost));
            }
        }
        if chosen.is_empty() {
            let (key, _) = group.likes.first().ok_or_else(|| bad("voter groups"))?;
            chosen.push(projects[key.as_str()]);
        }
        store
            .cast_ballot(
                Voter::Code(code),
                area_id,
                chosen.into_iter().map(|(id, _)| id).collect(),
                at,
            )
            .await?;
    }
    Ok(())
}
