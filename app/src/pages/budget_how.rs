//! `/budgets/{id}/how-it-works`: for residents, what each phase of a budget is for, how the votes
//! are counted, how a ballot stays secret yet checkable, and who may do what when (printed from
//! `domain::budget::budget_permits`, the matrix the server enforces).

use super::{load, param};
use crate::components::layout::{Page, t};
use crate::domain::budget::{BudgetAction, BudgetPhase, BudgetRole, budget_permits};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::model::Budget;
use leptos::prelude::*;

/// `/budgets/{id}/how-it-works`
#[component]
pub fn BudgetHowPage() -> impl IntoView {
    let id = param::<i64>("id");
    load(
        move |cx| async move {
            let budget = cx.store.budget(id?).await?.ok_or(AppError::NotFound)?;
            Ok((cx, budget))
        },
        |(cx, budget): (crate::ssr::RequestContext, Budget)| {
            let shown = budget.title.pick(cx.lang.code(), &[]);
            let heading = cx.t(Msg::BudgetHowTitle {
                budget: shown.text.clone(),
            });
            let current = cx.t(Msg::BudgetHowCurrentPhase {
                phase: t(budget.phase.label()),
            });
            let phases = BudgetPhase::ALL
                .iter()
                .map(|phase| {
                    let now = (*phase == budget.phase).then_some("true");
                    view! {
                        <dt aria-current=now>{t(phase.label())}</dt>
                        <dd>{t(phase.explanation())}</dd>
                    }
                })
                .collect_view();
            view! {
                <Page title=heading>
                    <p>
                        <a href=format!("/budgets/{}", budget.id)>{t(Msg::BudgetHowBack)}</a>
                    </p>
                    <section aria-labelledby="phases">
                        <h2 id="phases">{t(Msg::BudgetHowPhases)}</h2>
                        <p>{current}</p>
                        <dl class="phases">{phases}</dl>
                    </section>
                    <section aria-labelledby="counting">
                        <h2 id="counting">{t(Msg::BudgetHowCounting)}</h2>
                        <p>{t(Msg::BudgetHowCountingIntro)}</p>
                        <p>{t(Msg::BudgetHowGreedy)}</p>
                        <p>{t(Msg::BudgetHowEqualShares)}</p>
                        <p>{t(Msg::BudgetHowTies)}</p>
                    </section>
                    <section aria-labelledby="secrecy">
                        <h2 id="secrecy">{t(Msg::BudgetHowSecrecy)}</h2>
                        <p>{t(Msg::BudgetHowSecrecyText)}</p>
                    </section>
                    <Matrix />
                </Page>
            }
        },
    )
}

/// The budget's permission matrix, one row per action, one column per role, each cell naming the
/// phases in which that role may take that action.
#[component]
fn Matrix() -> impl IntoView {
    let header = BudgetRole::ALL
        .iter()
        .map(|r| view! { <th scope="col">{t(r.label())}</th> })
        .collect_view();
    let rows = BudgetAction::ALL
        .into_iter()
        .map(|action| {
            let cells = BudgetRole::ALL
                .iter()
                .map(|role| {
                    let phases: Vec<String> = BudgetPhase::ALL
                        .iter()
                        .filter(|p| budget_permits(*role, action, **p))
                        .map(|p| t(p.label()))
                        .collect();
                    let text = if phases.len() == BudgetPhase::ALL.len() {
                        t(Msg::HowAlways)
                    } else if phases.is_empty() {
                        "—".to_string()
                    } else {
                        phases.join(", ")
                    };
                    view! { <td>{text}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{t(action.label())}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="who-may">
            <h2 id="who-may">{t(Msg::BudgetHowWhoMay)}</h2>
            <p>{t(Msg::BudgetHowWhoMayIntro)}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="who-may">
                <table>
                    <caption>{t(Msg::BudgetHowMatrixCaption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::HowAction)}</th>
                            {header}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
