//! `/budgets/{id}/manage`: the managers' page (the process's mediators and site administrators):
//! the areas and their rules (until voting opens), the officers and reviewers, and moving the
//! budget on to its next phase, a step that asks first because a budget only moves forward.

use super::{load, param};
use crate::api;
use crate::api::budgets::ManageView;
use crate::api::decisions::{CONFIRMED, asks_confirmation};
use crate::components::form::{Checkbox, ErrorSummary, PostForm, Select, TextField};
use crate::components::layout::{Page, notice_at, t};
use crate::components::text::Local;
use crate::domain::budget::{
    BallotKind, BudgetAction, BudgetPhase, CountingRule, StaffRole, TieBreak,
};
use crate::i18n::Msg;
use crate::model::BudgetArea;
use crate::pages::budgets::{BudgetPhaseBadge, budget_path, money, rules_in_words};
use crate::pages::decisions::{ConfirmStep, refused};
use crate::ssr::RequestContext;
use leptos::prelude::*;

/// An area's fields (for opening a budget and for adding or changing an area), filled in from
/// `area` when it is given. Use inside a [`PostForm`], whose intent gives the fields their ids.
#[component]
pub fn AreaFields(area: Option<BudgetArea>, currency: Option<String>) -> impl IntoView {
    let cx = crate::ssr::cx();
    let lang = cx.lang.code().to_string();
    let rules = area.as_ref().map(|a| a.rules);
    let ballots: Vec<(String, String)> = BallotKind::ALL
        .iter()
        .map(|b| (b.code().to_string(), t(b.label())))
        .collect();
    let counting: Vec<(String, String)> = CountingRule::ALL
        .iter()
        .map(|r| (r.code().to_string(), t(r.label())))
        .collect();
    let ties: Vec<(String, String)> = TieBreak::ALL
        .iter()
        .map(|r| (r.code().to_string(), t(r.label())))
        .collect();
    let unit = currency.unwrap_or_default();
    let amount_label = if unit.is_empty() {
        t(Msg::BudgetsAmount)
    } else {
        cx.t(Msg::BudgetsAmountIn {
            currency: unit.clone(),
        })
    };
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <TextField name="name".into() label=t(Msg::BudgetsAreaName) hint=t(Msg::BudgetsAreaNameHint) required=true lang=lang.clone()
            value=area.as_ref().and_then(|a| a.name.get(&lang).map(str::to_string)).unwrap_or_default() />
        <TextField name="amount".into() label=amount_label required=true value=number(rules.map(|r| r.amount)) />
        <TextField name="project_cap".into() label=t(Msg::BudgetsProjectCap) hint=t(Msg::BudgetsProjectCapHint)
            value=number(rules.map(|r| r.project_cap).filter(|c| *c > 0)) />
        <Select name="ballot".into() label=t(Msg::BudgetsBallot) options=ballots selected=rules.map(|r| r.ballot.code().to_string()).unwrap_or_default() />
        <div class="field-pair">
            <TextField name="min_projects".into() label=t(Msg::BudgetsMinProjects) hint=t(Msg::BudgetsApprovalOnly) kind="number" value=rules.map(|r| r.min_projects.to_string()).unwrap_or_else(|| "1".into()) />
            <TextField name="max_projects".into() label=t(Msg::BudgetsMaxProjects) hint=t(Msg::BudgetsApprovalOnly) kind="number" value=rules.map(|r| r.max_projects.to_string()).unwrap_or_else(|| "5".into()) />
        </div>
        <Select name="rule".into() label=t(Msg::BudgetsCountingRule) hint=t(Msg::BudgetsCountingRuleHint) options=counting selected=rules.map(|r| r.rule.code().to_string()).unwrap_or_default() />
        <Select name="tie_break".into() label=t(Msg::BudgetsTieBreak) hint=t(Msg::BudgetsTieBreakHint) options=ties selected=rules.map(|r| r.tie_break.code().to_string()).unwrap_or_default() />
        <fieldset class="field">
            <legend>{t(Msg::BudgetsWhoMayVote)}</legend>
            <Checkbox name="census".into() label=t(Msg::BudgetsCensusLabel) checked=area.as_ref().is_none_or(|a| a.census) />
            <Checkbox name="codes".into() label=t(Msg::BudgetsCodesLabel) checked=area.as_ref().is_none_or(|a| a.codes) />
        </fieldset>
    }
}

/// `/budgets/{id}/manage`
#[component]
pub fn BudgetManagePage() -> impl IntoView {
    let id = param::<i64>("id");
    load(
        move |cx| async move {
            let page = api::budgets::manage(&cx, id?).await?;
            Ok((cx, page))
        },
        |(cx, page)| manage_view(cx, page),
    )
}

fn manage_view(cx: RequestContext, page: ManageView) -> impl IntoView {
    let title = page
        .budget
        .budget
        .title
        .pick(cx.lang.code(), &page.budget.process.fields.languages);
    let heading = cx.t(Msg::BudgetsManageTitle { budget: title.text });
    // The forms are built inside the page, where their error summaries tell it they are shown.
    view! { <Page title=heading>{manage_body(cx, page)}</Page> }
}

fn manage_body(cx: RequestContext, page: ManageView) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let view = &page.budget;
    let b = &view.budget;
    let id = b.id;
    let title = b.title.pick(&lang, &view.process.fields.languages);
    let action = format!("/budgets/{id}/manage");
    let phase = phase_section(&cx, &page, &action);
    let areas = areas_section(&cx, &page, &action);
    let staff = staff_section(&cx, &page, &action);
    let eligibility = (b.phase <= BudgetPhase::Voting).then(|| {
        view! {
            <section aria-labelledby="eligibility">
                <h2 id="eligibility">{t(Msg::BudgetsEligibility)}</h2>
                <p>{t(Msg::BudgetsEligibilityAbout)}</p>
                <p><a class="button secondary" href=format!("/budgets/{id}/eligibility")>{t(Msg::BudgetsEligibilityLink)}</a></p>
            </section>
        }
    });
    view! {
        <p><a href=budget_path(id)>"← " <Local shown=title /></a></p>
        {phase}
        {areas}
        {eligibility}
        {staff}
    }
}

/// Where the budget stands and the step to the next phase, which asks first.
fn phase_section(cx: &RequestContext, page: &ManageView, action: &str) -> impl IntoView + use<> {
    let view = &page.budget;
    let b = &view.budget;
    let Some(next) = b.phase.next() else {
        return view! {
            <section aria-labelledby="phase">
                <h2 id="phase">{t(Msg::BudgetsPhase)}</h2>
                <p><BudgetPhaseBadge phase=b.phase /> " " {t(Msg::BudgetsLastPhase)}</p>
            </section>
        }
        .into_any();
    };
    let missing = api::budgets::missing(view, cx.lang.code());
    let ready = missing.is_empty();
    let confirm = refused(cx, "advance", None)
        .filter(|f| asks_confirmation(&f.error))
        .and_then(|_| cx.field_error(CONFIRMED))
        .map(|what| {
            view! {
                <ConfirmStep
                    id=format!("advance-{CONFIRMED}")
                    heading=Msg::BudgetsConfirmHeading { phase: t(next.label()) }
                    what_happens=cx.t(what)
                    confirm=Msg::BudgetsConfirmButton { phase: t(next.label()) }
                    back=format!("{action}#phase")
                />
            }
        });
    let confirming = confirm.is_some();
    let what_next = t(match next {
        BudgetPhase::Review => Msg::BudgetsNextReview,
        BudgetPhase::Voting => Msg::BudgetsNextVoting,
        BudgetPhase::Results => Msg::BudgetsNextResults,
        _ => Msg::BudgetsNextImplementation,
    });
    let remaining = (!ready).then(|| {
        view! {
            <div class="remaining" id="advance-phase">
                <p>{t(Msg::BudgetsRemaining)}</p>
                <ul>{missing.into_iter().map(|m| view! { <li>{cx.t(m)}</li> }).collect_view()}</ul>
            </div>
        }
    });
    let (phase, from) = (b.phase, b.phase.code());
    let advance = cx.t(Msg::BudgetsAdvanceButton {
        phase: t(next.label()),
    });
    let action = format!("{action}#phase");
    view! {
        <section aria-labelledby="phase">
            {notice_at("phase".into())}
            <h2 id="phase">{t(Msg::BudgetsPhase)}</h2>
            <p>{t(Msg::BudgetsNowIn)} " " <BudgetPhaseBadge phase=phase /></p>
            <p>{what_next}</p>
            {remaining}
            {(!confirming).then(|| view! { <ErrorSummary intent="advance" /> })}
            <PostForm action=action intent="advance">
                <input type="hidden" name="from" value=from />
                {if confirming {
                    confirm.into_any()
                } else {
                    view! { <button type="submit" class="secondary">{advance}</button> }.into_any()
                }}
            </PostForm>
        </section>
    }
    .into_any()
}

/// The areas with their rules; a form per area and one to add an area, until voting opens.
fn areas_section(cx: &RequestContext, page: &ManageView, action: &str) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let view = &page.budget;
    let b = &view.budget;
    let open = view.may(BudgetAction::EditAreas);
    let rows = b
        .areas
        .iter()
        .map(|area| {
            let name = area.name.pick(&lang, &view.process.fields.languages);
            let rules = rules_in_words(cx, area, &b.currency)
                .into_iter()
                .map(|r| view! { <li>{r}</li> })
                .collect_view();
            let key = area.id.to_string();
            let failed = refused(cx, "area", Some(&key)).is_some();
            let form = open.then(|| {
                let (area, currency, key) = (area.clone(), b.currency.clone(), key.clone());
                view! {
                    <details class="edit-area" open=failed>
                        <summary>{cx.t(Msg::BudgetsEditArea { area: name.text.clone() })}</summary>
                        <ErrorSummary intent="area" key=key.clone() />
                        <PostForm action=format!("{action}#area-{key}") intent="area" key=key.clone() class="narrow">
                            <input type="hidden" name="area" value=key.clone() />
                            <AreaFields area=Some(area) currency=Some(currency) />
                            <button type="submit">{t(Msg::FormSave)}</button>
                        </PostForm>
                    </details>
                }
            });
            view! {
                <tr id=format!("area-{}", area.id)>
                    <th scope="row" lang=name.lang.clone()>{name.text.clone()}</th>
                    <td class="amount">{money(area.rules.amount, &b.currency)}</td>
                    <td><ul class="rules">{rules}</ul>{form}</td>
                </tr>
            }
        })
        .collect_view();
    let add = if open {
        let currency = b.currency.clone();
        let failed = refused(cx, "area", Some("new")).is_some();
        view! {
            <details class="add-area" id="add-area" open=failed>
                <summary>{t(Msg::BudgetsAddArea)}</summary>
                <ErrorSummary intent="area" key="new".to_string() />
                <PostForm action=format!("{action}#add-area") intent="area" key="new".to_string() class="narrow">
                    <input type="hidden" name="area" value="" />
                    <AreaFields area=None currency=Some(currency) />
                    <button type="submit">{t(Msg::BudgetsAddAreaButton)}</button>
                </PostForm>
            </details>
        }
        .into_any()
    } else {
        view! {
            <p>
                <button type="button" disabled=true aria-describedby="rules-frozen">{t(Msg::BudgetsAddArea)}</button>
            </p>
            <p class="hint" id="rules-frozen">{t(Msg::BudgetsRulesFrozen)}</p>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="areas">
            {notice_at("areas".into())}
            <h2 id="areas">{t(Msg::BudgetsAreas)}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="areas">
                <table class="areas">
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::BudgetsArea)}</th>
                            <th scope="col">{t(Msg::BudgetsAmount)}</th>
                            <th scope="col">{t(Msg::BudgetsRules)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {add}
        </section>
    }
}

/// The officers and reviewers: each with a button to remove them, and a form to name one.
fn staff_section(cx: &RequestContext, page: &ManageView, action: &str) -> impl IntoView + use<> {
    let may = page.budget.may(BudgetAction::NameStaff);
    let rows = page
        .staff
        .iter()
        .map(|(member, email)| {
            let key = format!("{}-{}", member.person_id, member.role.code());
            let remove = may.then(|| {
                let (email, role) = (email.clone(), member.role.code());
                let label = cx.t(Msg::BudgetsRemoveStaff {
                    name: member.display_name.clone(),
                });
                let action = format!("{action}#staff");
                view! {
                    <PostForm action=action intent="staff" key=key.clone() class="inline">
                        <input type="hidden" name="email" value=email />
                        <input type="hidden" name="role" value=role />
                        <input type="hidden" name="change" value="remove" />
                        <button type="submit" class="link">{label}</button>
                    </PostForm>
                }
            });
            view! {
                <tr>
                    <th scope="row">{member.display_name.clone()}</th>
                    <td>{email.clone()}</td>
                    <td>{t(member.role.label())}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let none = page
        .staff
        .is_empty()
        .then(|| view! { <p>{t(Msg::BudgetsNoStaff)}</p> });
    let table = (!page.staff.is_empty()).then(|| {
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="staff">
                <table class="staff">
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::BudgetsStaffName)}</th>
                            <th scope="col">{t(Msg::BudgetsStaffEmail)}</th>
                            <th scope="col">{t(Msg::BudgetsStaffRole)}</th>
                            <th scope="col"><span class="visually-hidden">{t(Msg::BudgetsStaffActions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    let roles: Vec<(String, String)> = StaffRole::ALL
        .iter()
        .map(|r| (r.code().to_string(), t(r.label())))
        .collect();
    let add = may.then(|| {
        let action = format!("{action}#staff");
        view! {
            <h3>{t(Msg::BudgetsAddStaff)}</h3>
            <ErrorSummary intent="staff" key="add".to_string() />
            <PostForm action=action intent="staff" key="add".to_string() class="narrow">
                <input type="hidden" name="change" value="add" />
                <TextField name="email".into() label=t(Msg::BudgetsStaffEmail) hint=t(Msg::BudgetsStaffEmailHint) kind="email" required=true />
                <Select name="role".into() label=t(Msg::BudgetsStaffRole) options=roles />
                <button type="submit">{t(Msg::BudgetsAddStaffButton)}</button>
            </PostForm>
        }
    });
    view! {
        <section aria-labelledby="staff">
            {notice_at("staff".into())}
            <h2 id="staff">{t(Msg::BudgetsStaff)}</h2>
            <p>{t(Msg::BudgetsStaffAbout)}</p>
            {none}
            {table}
            {add}
        </section>
    }
}
