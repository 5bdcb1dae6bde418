//! `/budgets/{b}/results`: per area, the funded projects with their votes and costs, those not
//! funded, what was spent and left over, the rule and tie-break used and the ballots cast; the
//! published anonymous ballots with the hash of each receipt; finding one's own ballot by its
//! receipt; and the open data to recount with.

use super::budgets::{grouped, money};
use super::{load, param};
use crate::api;
use crate::api::ballots::ResultsPage as PageData;
use crate::components::layout::{Page, t};
use crate::domain::budget::BudgetPhase;
use crate::i18n::Msg;
use crate::model::{BudgetArea, PublishedBallot};
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The results page's address for an area's ballots, page `page`.
fn ballots_path(budget: i64, area: i64, page: usize) -> String {
    format!("/budgets/{budget}/results?area={area}&page={page}#ballots")
}

/// `/budgets/{b}/results`, with `?area=&page=` (the ballots listed) and `?receipt=` (a lookup).
#[component]
pub fn ResultsPage() -> impl IntoView {
    let budget = param::<i64>("id");
    let query = use_query_map().read_untracked().clone();
    let area = query.get("area").and_then(|a| a.parse().ok());
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let receipt = query.get("receipt");
    load(
        move |cx| async move {
            let page = api::ballots::results_page(&cx, budget?, area, page, receipt).await?;
            Ok((cx, page))
        },
        move |(cx, page)| results_view(&cx, &page),
    )
}

fn results_view(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let budget_title = budget.title.pick(&lang, &page.frame.languages);
    let title = cx.t(Msg::BudgetResultsTitle {
        budget: budget_title.text.clone(),
    });
    let back = view! {
        <p class="no-print"><a href=format!("/budgets/{}", budget.id)>"← " <span lang=budget_title.lang.clone()>{budget_title.text.clone()}</span></a></p>
    };
    if budget.phase < BudgetPhase::Results {
        let vote = (budget.phase == BudgetPhase::Voting).then(|| {
            view! { <p><a class="button" href=format!("/budgets/{}/vote", budget.id)>{t(Msg::BudgetResultsVoteLink)}</a></p> }
        });
        let not_yet = cx.t(Msg::BudgetResultsNotYet {
            phase: t(budget.phase.label()),
        });
        return view! {
            <Page title=title>
                {back}
                <p role="note">{not_yet}</p>
                {vote}
            </Page>
        }
        .into_any();
    }
    let areas = budget
        .areas
        .iter()
        .map(|area| area_result(cx, page, area))
        .collect_view();
    let lookup = lookup_section(cx, page);
    let ballots = ballots_section(cx, page);
    let data = open_data(cx, page);
    view! {
        <Page title=title>
            {back}
            {areas}
            {lookup}
            {ballots}
            {data}
        </Page>
    }
    .into_any()
}

/// One area's count.
fn area_result(cx: &RequestContext, page: &PageData, area: &BudgetArea) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let currency = budget.currency.clone();
    let name = area.name.pick(&lang, &page.frame.languages);
    let heading_id = format!("result-{}", area.id);
    let heading_for = heading_id.clone();
    let result = area.result.clone();
    let rule = cx.t(Msg::BudgetResultsRuleUsed {
        rule: t(area.rules.rule.label()),
        tie: t(area.rules.tie_break.label()),
    });
    let body = match result {
        None => view! { <p>{t(Msg::BudgetResultsNoCount)}</p> }.into_any(),
        Some(r) => {
            let votes_of = |id: i64| {
                r.votes
                    .iter()
                    .find(|(p, _)| *p == id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0)
            };
            let row = |id: i64| {
                let project = page.frame.project(id);
                let title = project
                    .map(|p| p.title.pick(&lang, &page.frame.languages))
                    .unwrap_or_else(|| crate::domain::localized::Shown {
                        text: format!("#{id}"),
                        lang: lang.clone(),
                    });
                let cost = project.map(|p| p.cost()).unwrap_or(0);
                view! {
                    <tr>
                        <th scope="row"><a href=format!("/budgets/{}/projects/{id}", budget.id) lang=title.lang.clone()>{title.text.clone()}</a></th>
                        <td class="number">{grouped(votes_of(id))}</td>
                        <td class="number">{grouped(cost)}</td>
                    </tr>
                }
            };
            let winners = r.winners.iter().map(|id| row(*id)).collect_view();
            let mut losers: Vec<i64> = page
                .frame
                .ballot_projects(area.id)
                .iter()
                .map(|p| p.id)
                .filter(|id| !r.winners.contains(id))
                .collect();
            losers.sort_by_key(|id| std::cmp::Reverse(votes_of(*id)));
            let not_funded = (!losers.is_empty()).then(|| {
                let rows = losers.iter().map(|id| row(*id)).collect_view();
                view! {
                    <table class="results-table">
                        <caption>{t(Msg::BudgetResultsNotFunded)}</caption>
                        <thead><tr><th scope="col">{t(Msg::BudgetResultsProjectCol)}</th><th scope="col">{t(Msg::BudgetResultsVotesCol)}</th><th scope="col">{cx.t(Msg::BudgetResultsCostCol { currency: currency.clone() })}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
            });
            view! {
                <p>{cx.t(Msg::BudgetResultsBallotsCast { count: grouped(r.ballots) })}</p>
                <p class="results-spent">{cx.t(Msg::BudgetResultsSpent { spent: money(r.spent, &currency), amount: money(area.rules.amount, &currency), leftover: money(r.leftover, &currency) })}</p>
                <table class="results-table winners">
                    <caption>{t(Msg::BudgetResultsWinners)}</caption>
                    <thead><tr><th scope="col">{t(Msg::BudgetResultsProjectCol)}</th><th scope="col">{t(Msg::BudgetResultsVotesCol)}</th><th scope="col">{cx.t(Msg::BudgetResultsCostCol { currency: currency.clone() })}</th></tr></thead>
                    <tbody>{winners}</tbody>
                </table>
                {not_funded}
            }
            .into_any()
        }
    };
    view! {
        <section class="results-area" aria-labelledby=heading_for>
            <h2 id=heading_id lang=name.lang.clone()>{name.text.clone()}</h2>
            <p>{rule}</p>
            {body}
        </section>
    }
}

/// The chosen projects of a ballot, by title.
fn ballot_choices(
    cx: &RequestContext,
    page: &PageData,
    ballot: &PublishedBallot,
) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    ballot
        .projects
        .iter()
        .map(|id| {
            let title = page
                .frame
                .project(*id)
                .map(|p| p.title.pick(&lang, &page.frame.languages))
                .unwrap_or_else(|| crate::domain::localized::Shown {
                    text: format!("#{id}"),
                    lang: lang.clone(),
                });
            view! { <li lang=title.lang.clone()>{title.text.clone()}</li> }
        })
        .collect_view()
}

/// Finding one's own ballot by its receipt (a plain GET form).
fn lookup_section(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let typed = page
        .lookup
        .as_ref()
        .map(|(r, _)| r.clone())
        .unwrap_or_default();
    let outcome = page.lookup.as_ref().map(|(_, found)| match found {
        Some(ballot) => {
            let area = budget
                .area(ballot.area_id)
                .map(|a| a.name.pick(&lang, &page.frame.languages).text)
                .unwrap_or_default();
            view! {
                <div class="receipt-found" role="status">
                    <h3>{t(Msg::BudgetResultsFound)}</h3>
                    <p>{cx.t(Msg::BudgetResultsFoundArea { area })}</p>
                    <ul>{ballot_choices(cx, page, ballot)}</ul>
                    <p class="hash">{cx.t(Msg::BudgetResultsFoundHash { hash: ballot.receipt_hash.clone() })}</p>
                </div>
            }
            .into_any()
        }
        None => view! { <p class="receipt-missing" role="alert">{t(Msg::BudgetResultsNotFound)}</p> }.into_any(),
    });
    view! {
        <section class="results-lookup" aria-labelledby="lookup">
            <h2 id="lookup">{t(Msg::BudgetResultsLookupHeading)}</h2>
            <p id="receipt-hint">{t(Msg::BudgetResultsLookupHint)}</p>
            <form method="get" action=format!("/budgets/{}/results#lookup", budget.id) class="lookup-form">
                <div class="field">
                    <label for="receipt">{t(Msg::BudgetResultsReceiptLabel)}</label>
                    <input id="receipt" name="receipt" type="text" value=typed autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="receipt-hint" />
                </div>
                <button type="submit">{t(Msg::BudgetResultsLookupSubmit)}</button>
            </form>
            {outcome}
        </section>
    }
}

/// The published ballots of one area, a page at a time.
fn ballots_section(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let Some(area) = page.area else {
        return ().into_any();
    };
    let chooser = (budget.areas.len() > 1).then(|| {
        let options = budget
            .areas
            .iter()
            .map(|a| {
                let name = a.name.pick(&lang, &page.frame.languages).text;
                view! { <option value=a.id.to_string() selected=a.id == area>{name}</option> }
            })
            .collect_view();
        view! {
            <form method="get" action=format!("/budgets/{}/results#ballots", budget.id) class="lookup-form">
                <div class="field">
                    <label for="ballots-area">{t(Msg::BudgetResultsAreaLabel)}</label>
                    <select id="ballots-area" name="area">{options}</select>
                </div>
                <button type="submit" class="secondary">{t(Msg::BudgetResultsShow)}</button>
            </form>
        }
    });
    let rows = page
        .ballots
        .iter()
        .map(|b| {
            view! {
                <tr>
                    <td class="hash"><code>{b.receipt_hash.clone()}</code></td>
                    <td><ul class="plain">{ballot_choices(cx, page, b)}</ul></td>
                </tr>
            }
        })
        .collect_view();
    let table = if page.ballots.is_empty() {
        view! { <p>{t(Msg::BudgetResultsNoBallots)}</p> }.into_any()
    } else {
        view! {
            <table class="results-table ballots-table">
                <thead><tr><th scope="col">{t(Msg::BudgetResultsHashCol)}</th><th scope="col">{t(Msg::BudgetResultsChoicesCol)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let pager = (page.pages > 1).then(|| {
        let previous = (page.page > 1).then(|| {
            view! { <a rel="prev" href=ballots_path(budget.id, area, page.page - 1)>{t(Msg::BudgetResultsPrevious)}</a> }
        });
        let next = (page.page < page.pages).then(|| {
            view! { <a rel="next" href=ballots_path(budget.id, area, page.page + 1)>{t(Msg::BudgetResultsNext)}</a> }
        });
        view! {
            <nav class="pager" aria-label=t(Msg::BudgetResultsPagesLabel)>
                {previous}
                <span>{cx.t(Msg::BudgetResultsPageOf { page: page.page.to_string(), pages: page.pages.to_string() })}</span>
                {next}
            </nav>
        }
    });
    view! {
        <section class="results-ballots" aria-labelledby="ballots">
            <h2 id="ballots">{t(Msg::BudgetResultsBallotsHeading)}</h2>
            <p>{t(Msg::BudgetResultsBallotsHint)}</p>
            {chooser}
            {table}
            {pager}
        </section>
    }
    .into_any()
}

/// Where to get the budget, each area's election and the record, to recount with other tools.
fn open_data(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let pb = budget
        .areas
        .iter()
        .map(|a| {
            let name = a.name.pick(&lang, &page.frame.languages).text;
            view! { <li><a href=format!("/api/v1/budgets/{}/areas/{}.pb", budget.id, a.id)>{cx.t(Msg::BudgetResultsDataPb { area: name })}</a></li> }
        })
        .collect_view();
    view! {
        <section class="results-data" aria-labelledby="open-data">
            <h2 id="open-data">{t(Msg::BudgetResultsOpenData)}</h2>
            <ul>
                <li><a href=format!("/api/v1/budgets/{}", budget.id)>{t(Msg::BudgetResultsDataBudget)}</a></li>
                {pb}
                <li><a href="/api/v1/record">{t(Msg::BudgetResultsDataRecord)}</a></li>
            </ul>
        </section>
    }
}
