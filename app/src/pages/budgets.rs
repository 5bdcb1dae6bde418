//! Participatory budgets: the list, opening a budget, and a budget's overview (where it stands,
//! what the viewer can do next, its areas and their rules in words, the projects with filters).
//! A project's pages are in `budget_project.rs`, the managers' page in `budget_manage.rs`.

use super::{load, param};
use crate::api;
use crate::api::budgets::{BudgetStep, BudgetView, ProjectFilter};
use crate::components::form::{ErrorSummary, PostForm, Select, TextArea, TextField};
use crate::components::layout::{Page, t};
use crate::components::text::{Local, TextBlocks};
use crate::domain::budget::{
    AreaRules, BallotKind, BudgetAction, BudgetPhase, Category, CountingRule, ProjectStatus,
    TieBreak,
};
use crate::i18n::Msg;
use crate::model::{BudgetArea, BudgetProject};
use crate::pages::budget_manage::AreaFields;
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A budget's address.
pub fn budget_path(id: i64) -> String {
    format!("/budgets/{id}")
}

/// A project's address.
pub fn project_path(budget: i64, project: i64) -> String {
    format!("/budgets/{budget}/projects/{project}")
}

/// A whole number with thousands separators: `1,250,000`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// An amount of money as a reader expects it: the symbol before the number for the currencies
/// that have a well-known one (`€150,000`), else the ISO code after it (`150,000 KES`).
pub fn money(amount: i64, currency: &str) -> String {
    money_pattern(currency).replace("{n}", &grouped(amount))
}

/// How an amount in `currency` is written, with `{n}` for the grouped number (`€{n}`,
/// `{n} KES`): what [`money`] fills in, and what the ballot's running total fills in the browser.
pub fn money_pattern(currency: &str) -> String {
    match currency {
        "EUR" => "€{n}".to_string(),
        "USD" => "US${n}".to_string(),
        "GBP" => "£{n}".to_string(),
        _ => format!("{{n}} {currency}"),
    }
}

/// What a voter marks on an area's ballot, in one sentence.
pub fn ballot_in_words(cx: &RequestContext, area: &BudgetArea, currency: &str) -> String {
    let rules = &area.rules;
    let fewest = rules.min_projects.max(1);
    match rules.ballot {
        BallotKind::Approval if fewest == rules.max_projects => {
            cx.t(Msg::BudgetsRuleApprovalExactly {
                count: rules.max_projects.to_string(),
            })
        }
        BallotKind::Approval => cx.t(Msg::BudgetsRuleApproval {
            min: fewest.to_string(),
            max: rules.max_projects.to_string(),
        }),
        BallotKind::Knapsack => cx.t(Msg::BudgetsRuleKnapsack {
            amount: money(rules.amount, currency),
        }),
    }
}

/// An area's voting rules, each in one plain sentence: what a ballot holds, the cap per
/// project, how winners are found, how ties are broken, and who may vote.
pub fn rules_in_words(cx: &RequestContext, area: &BudgetArea, currency: &str) -> Vec<String> {
    let AreaRules {
        project_cap,
        rule,
        tie_break,
        ..
    } = area.rules;
    let mut said = vec![ballot_in_words(cx, area, currency)];
    if project_cap > 0 {
        said.push(cx.t(Msg::BudgetsRuleCap {
            cap: money(project_cap, currency),
        }));
    }
    said.push(t(match rule {
        CountingRule::Greedy => Msg::BudgetsRuleGreedy,
        CountingRule::EqualShares => Msg::BudgetsRuleEqualShares,
    }));
    said.push(t(match tie_break {
        TieBreak::LowerCost => Msg::BudgetsRuleTieLowerCost,
        TieBreak::EarlierProposal => Msg::BudgetsRuleTieEarlier,
    }));
    said.push(t(match (area.census, area.codes) {
        (true, true) => Msg::BudgetsRuleVotersBoth,
        (true, false) => Msg::BudgetsRuleVotersCensus,
        _ => Msg::BudgetsRuleVotersCodes,
    }));
    said
}

/// A phase as a badge.
#[component]
pub fn BudgetPhaseBadge(phase: BudgetPhase) -> impl IntoView {
    view! { <span class=format!("badge budget-phase-{}", phase.code())>{t(phase.label())}</span> }
}

/// A project's status as a badge.
#[component]
pub fn StatusBadge(status: ProjectStatus) -> impl IntoView {
    view! { <span class=format!("badge project-{}", status.code())>{t(status.label())}</span> }
}

/// `/budgets`: every budget, and "Open a budget" for who may.
#[component]
pub fn BudgetsPage() -> impl IntoView {
    load(
        |cx| async move {
            let list = api::budgets::list(&cx).await?;
            Ok((cx, list))
        },
        |(cx, list)| {
            let lang = cx.lang.code().to_string();
            let none = list.budgets.is_empty();
            let items = list
                .budgets
                .into_iter()
                .map(|b| {
                    let s = &b.summary;
                    let title = s.title.pick(&lang, &b.process.fields.languages);
                    let process = b.process.fields.title.pick(&lang, &b.process.fields.languages);
                    view! {
                        <li class="budget-card">
                            <h2><a href=budget_path(s.id) lang=title.lang>{title.text}</a></h2>
                            <p class="meta">
                                <BudgetPhaseBadge phase=s.phase /> " "
                                <Local shown=process />
                            </p>
                            <p>
                                {cx.t(Msg::BudgetsListTotal { amount: money(s.total, &s.currency) })}
                                " · "
                                {cx.t(Msg::BudgetsListProjects { count: s.projects.to_string() })}
                            </p>
                        </li>
                    }
                })
                .collect_view();
            let open = (!list.openable.is_empty()).then(|| {
                view! { <p><a class="button" href="/budgets/new">{t(Msg::BudgetsOpen)}</a></p> }
            });
            view! {
                <Page title=t(Msg::BudgetsTitle)>
                    <p>{t(Msg::BudgetsAbout)}</p>
                    {open}
                    {if none {
                        view! { <p>{t(Msg::BudgetsNone)}</p> }.into_any()
                    } else {
                        view! { <ul class="plain budget-list">{items}</ul> }.into_any()
                    }}
                </Page>
            }
        },
    )
}

/// `/budgets/new`: opens a budget in a process the viewer manages, with its first area.
#[component]
pub fn NewBudgetPage() -> impl IntoView {
    load(
        |cx| async move {
            cx.viewer()?;
            let openable = api::budgets::openable(&cx).await?;
            if openable.is_empty() {
                return Err(crate::error::AppError::Forbidden(Msg::BudgetsNothingToOpen));
            }
            Ok((cx, openable))
        },
        |(cx, openable)| {
            let lang = cx.lang.code().to_string();
            let processes: Vec<(String, String)> = openable
                .iter()
                .map(|p| {
                    (
                        p.id.to_string(),
                        p.fields.title.pick(&lang, &p.fields.languages).text,
                    )
                })
                .collect();
            view! {
                <Page title=t(Msg::BudgetsOpen)>
                    <p><a href="/budgets">{t(Msg::BudgetsBack)}</a></p>
                    <p>{t(Msg::BudgetsOpenAbout)}</p>
                    <ErrorSummary intent="create" />
                    <PostForm action="/budgets/new".to_string() intent="create" class="narrow">
                        <Select name="process".into() label=t(Msg::BudgetsProcess) options=processes />
                        <TextField name="title".into() label=t(Msg::BudgetsBudgetTitle) required=true lang=lang.clone() />
                        <TextArea name="description".into() label=t(Msg::BudgetsDescription) hint=t(Msg::FormTextHint) rows=5 lang=lang.clone() />
                        <TextField name="currency".into() label=t(Msg::BudgetsCurrency) hint=t(Msg::BudgetsCurrencyHint) value="EUR".into() required=true />
                        <fieldset class="area-fields">
                            <legend>{t(Msg::BudgetsFirstArea)}</legend>
                            <p class="hint">{t(Msg::BudgetsFirstAreaHint)}</p>
                            <AreaFields area=None currency=None />
                        </fieldset>
                        <button type="submit">{t(Msg::BudgetsOpenButton)}</button>
                    </PostForm>
                </Page>
            }
        },
    )
}

/// `/budgets/{id}`: the overview.
#[component]
pub fn BudgetPage() -> impl IntoView {
    let id = param::<i64>("id");
    let query = use_query_map().read_untracked().clone();
    let filter = ProjectFilter::from_query(|name| query.get(name));
    load(
        move |cx| async move {
            let view = api::budgets::view(&cx, id?).await?;
            Ok((cx, view))
        },
        move |(cx, view)| overview(cx, view, filter),
    )
}

/// Where the next step leads and what its button says.
fn step_link(id: i64, step: BudgetStep) -> (String, String) {
    match step {
        BudgetStep::Propose => (format!("/budgets/{id}/propose"), t(Msg::BudgetsStepPropose)),
        BudgetStep::SignInToPropose => (
            format!("/auth/login?next=/budgets/{id}/propose"),
            t(Msg::BudgetsStepSignIn),
        ),
        BudgetStep::Review => (
            format!("/budgets/{id}?status=proposed#projects"),
            t(Msg::BudgetsStepReview),
        ),
        BudgetStep::SeeProposals => (format!("/budgets/{id}#projects"), t(Msg::BudgetsStepSee)),
        BudgetStep::Vote => (format!("/budgets/{id}/vote"), t(Msg::BudgetsStepVote)),
        BudgetStep::SeeResults => (format!("/budgets/{id}/results"), t(Msg::BudgetsStepResults)),
    }
}

/// What the current phase means for the viewer, in plain words.
fn phase_meaning(phase: BudgetPhase) -> Msg {
    match phase {
        BudgetPhase::Proposals => Msg::BudgetsNowProposals,
        BudgetPhase::Review => Msg::BudgetsNowReview,
        BudgetPhase::Voting => Msg::BudgetsNowVoting,
        BudgetPhase::Results => Msg::BudgetsNowResults,
        BudgetPhase::Implementation => Msg::BudgetsNowImplementation,
    }
}

fn overview(cx: RequestContext, view: BudgetView, filter: ProjectFilter) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let languages = view.process.fields.languages.clone();
    let b = &view.budget;
    let id = b.id;
    let title = b.title.pick(&lang, &languages);
    let process_title = view.process.fields.title.pick(&lang, &languages);
    let (href, label) = step_link(id, api::budgets::next_step(&view));
    let manage = view.standing.manager.then(|| {
        view! { <p><a class="button secondary" href=format!("/budgets/{id}/manage")>{t(Msg::BudgetsManage)}</a></p> }
    });
    let phases = BudgetPhase::ALL
        .iter()
        .map(|p| {
            let current = *p == b.phase;
            let past = *p < b.phase;
            view! {
                <li class:current=current class:past=past aria-current=current.then_some("step")>
                    {t(p.label())}
                </li>
            }
        })
        .collect_view();
    let description = (!b.description.is_blank()).then(|| {
        view! { <TextBlocks shown=b.description.pick(&lang, &languages) /> }
    });
    let areas = b
        .areas
        .iter()
        .map(|area| {
            let name = area.name.pick(&lang, &languages);
            let rules = rules_in_words(&cx, area, &b.currency)
                .into_iter()
                .map(|r| view! { <li>{r}</li> })
                .collect_view();
            let count = view.projects.iter().filter(|p| p.area_id == area.id).count();
            view! {
                <li class="area-card">
                    <h3 lang=name.lang>{name.text}</h3>
                    <p class="amount">{money(area.rules.amount, &b.currency)}</p>
                    <p><a href=format!("/budgets/{id}?area={}#projects", area.id)>{cx.t(Msg::BudgetsAreaProjects { count: count.to_string() })}</a></p>
                    <ul class="rules">{rules}</ul>
                </li>
            }
        })
        .collect_view();
    let projects = project_section(&cx, &view, &filter);
    let heading = title.text.clone();
    let (phase, process_id) = (b.phase, view.process.id);
    let total = cx.t(Msg::BudgetsTotal {
        amount: money(b.total(), &b.currency),
    });
    let meaning = t(phase_meaning(phase));
    view! {
        <Page title=heading no_heading=true>
            <p><a href=format!("/processes/{process_id}")>"← " <Local shown=process_title.clone() /></a></p>
            <article class="budget">
                <header>
                    <p class="eyebrow"><Local shown=process_title /></p>
                    <h1 lang=title.lang.clone()>{title.text.clone()}</h1>
                    <p class="meta">
                        <BudgetPhaseBadge phase=phase /> " "
                        {total}
                    </p>
                </header>
                <aside class="your-part" aria-labelledby="your-part">
                    <h2 id="your-part">{t(Msg::BudgetsWhereItStands)}</h2>
                    <p>{meaning}</p>
                    <ul class="next-steps"><li><a class="button" href=href>{label}</a></li></ul>
                    {manage}
                    <p><a href=format!("/budgets/{id}/how-it-works")>{t(Msg::BudgetsHowItWorks)}</a></p>
                </aside>
                <nav aria-label=t(Msg::BudgetsPhases)>
                    <ol class="budget-phases">{phases}</ol>
                </nav>
                {description}
                <section aria-labelledby="areas">
                    <h2 id="areas">{t(Msg::BudgetsAreas)}</h2>
                    <ul class="plain area-list">{areas}</ul>
                </section>
                {projects}
            </article>
        </Page>
    }
}

/// The projects with their filters (a plain GET form: the address says what is shown).
fn project_section(
    cx: &RequestContext,
    view: &BudgetView,
    filter: &ProjectFilter,
) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let languages = view.process.fields.languages.clone();
    let b = &view.budget;
    let all = |label: Msg| (String::new(), t(label));
    let areas: Vec<(String, String)> = std::iter::once(all(Msg::BudgetsFilterAllAreas))
        .chain(
            b.areas
                .iter()
                .map(|a| (a.id.to_string(), a.name.pick(&lang, &languages).text)),
        )
        .collect();
    let categories: Vec<(String, String)> = std::iter::once(all(Msg::BudgetsFilterAllCategories))
        .chain(
            Category::ALL
                .iter()
                .map(|c| (c.code().to_string(), t(c.label()))),
        )
        .collect();
    let statuses: Vec<(String, String)> = std::iter::once(all(Msg::BudgetsFilterAllStatuses))
        .chain(
            ProjectStatus::ALL
                .iter()
                .map(|s| (s.code().to_string(), t(s.label()))),
        )
        .collect();
    let shown: Vec<&BudgetProject> = view.projects.iter().filter(|p| filter.admits(p)).collect();
    let count = cx.t(Msg::BudgetsShowing {
        shown: shown.len().to_string(),
        total: view.projects.len().to_string(),
    });
    let items = shown
        .iter()
        .map(|p| project_item(cx, view, p))
        .collect_view();
    let empty = if view.projects.is_empty() {
        Some(t(Msg::BudgetsNoProjects))
    } else if shown.is_empty() {
        Some(t(Msg::BudgetsNoProjectsMatch))
    } else {
        None
    };
    let clear = filter.is_set().then(
        || view! { <a href=format!("/budgets/{}#projects", b.id)>{t(Msg::BudgetsFilterClear)}</a> },
    );
    let max_cost = filter.max_cost.map(|m| m.to_string()).unwrap_or_default();
    view! {
        <section aria-labelledby="projects" id="projects-section">
            <h2 id="projects">{t(Msg::BudgetsProjects)}</h2>
            <form method="get" action=format!("/budgets/{}#projects", b.id) class="filters" role="search" aria-label=t(Msg::BudgetsFilterLabel)>
                <Select name="area".into() label=t(Msg::BudgetsArea) options=areas selected=filter.area.map(|a| a.to_string()).unwrap_or_default() />
                <Select name="category".into() label=t(Msg::BudgetsCategory) options=categories selected=filter.category.map(|c| c.code().to_string()).unwrap_or_default() />
                <Select name="status".into() label=t(Msg::BudgetsStatus) options=statuses selected=filter.status.map(|s| s.code().to_string()).unwrap_or_default() />
                <TextField name="max_cost".into() label=cx.t(Msg::BudgetsFilterMaxCost { currency: b.currency.clone() }) kind="number" value=max_cost />
                <div class="filter-actions">
                    <button type="submit" class="secondary">{t(Msg::BudgetsFilterApply)}</button>
                    {clear}
                </div>
            </form>
            <p class="meta">{count}</p>
            {empty.map(|e| view! { <p>{e}</p> })}
            <ul class="plain project-list">{items}</ul>
        </section>
    }
}

/// Who proposed a project, in words: the proposer, or the meeting its paper came from.
pub fn proposed_by(cx: &RequestContext, p: &BudgetProject) -> String {
    match &p.paper {
        Some(paper) => cx.t(Msg::BudgetsCollectedAt {
            meeting: paper.meeting.clone(),
            name: p.proposer_name.clone(),
        }),
        None => cx.t(Msg::BudgetsProposedBy {
            name: p.proposer_name.clone(),
        }),
    }
}

fn project_item(
    cx: &RequestContext,
    view: &BudgetView,
    p: &BudgetProject,
) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let languages = &view.process.fields.languages;
    let title = p.title.pick(&lang, languages);
    let area = view
        .area(p.area_id)
        .map(|a| a.name.pick(&lang, languages))
        .unwrap_or_else(|| crate::domain::localized::Shown {
            text: String::new(),
            lang: lang.clone(),
        });
    let why = p
        .review
        .as_ref()
        .and_then(|r| r.reason)
        .filter(|_| p.status == ProjectStatus::NotFeasible)
        .map(|reason| view! { <p class="why">{cx.t(Msg::BudgetsWhyNot { reason: t(reason.label()) })}</p> });
    view! {
        <li class=format!("project-card project-card-{}", p.status.code())>
            <h3><a href=project_path(p.budget_id, p.id) lang=title.lang>{title.text}</a></h3>
            <p class="meta">
                <StatusBadge status=p.status /> " "
                <strong class="cost">{money(p.cost(), &view.budget.currency)}</strong>
            </p>
            <p class="meta">
                <Local shown=area /> " · " {t(p.category.label())} " · " {proposed_by(cx, p)}
            </p>
            {why}
        </li>
    }
}

/// A process's budget, for the process page: a link, if it holds one.
pub fn process_budget_link(budget: Option<i64>) -> impl IntoView {
    budget.map(|id| {
        view! { <p><a class="button secondary" href=budget_path(id)>{t(Msg::BudgetsProcessLink)}</a></p> }
    })
}

/// Whether the viewer may propose in this budget now (a citizen, or an officer with paper).
pub fn may_propose(view: &BudgetView) -> bool {
    view.may(BudgetAction::Propose) || view.may(BudgetAction::RecordPaperProposal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_money() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_250_000), "1,250,000");
        assert_eq!(money(150_000, "EUR"), "€150,000");
        assert_eq!(money(2_500, "KES"), "2,500 KES");
    }
}
