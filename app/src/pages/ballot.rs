//! `/budgets/{b}/vote`: the ballot page. An area chooser when the budget has several; for the
//! chosen area the voter's eligibility, the census check, the feasible projects as checkboxes
//! with a running total, a printed code for those without an account, and what casting means,
//! said before the ballot is cast. After casting, the receipt, shown once.

use super::{load, param};
use crate::api;
use crate::api::ballots::{BallotAnswer, BallotPage as PageData, CONFIRMED};
use crate::components::form::{ErrorSummary, PostForm, TextField};
use crate::components::layout::{Page, encode_path, t};
use crate::domain::budget::{BallotKind, BudgetPhase};
use crate::i18n::Msg;
use crate::model::{BudgetArea, Eligibility};
use crate::pages::budgets::{ballot_in_words, money, money_pattern};
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Who may vote in an area, in words.
pub fn who_may_vote(area: &BudgetArea) -> Vec<String> {
    let mut who = Vec::new();
    if area.census {
        who.push(t(Msg::BallotPageWhoCensus));
    }
    if area.codes {
        who.push(t(Msg::BallotPageWhoCodes));
    }
    who
}

/// The ballot page's address, for an area.
pub fn vote_path(budget: i64, area: Option<i64>) -> String {
    match area {
        Some(area) => format!("/budgets/{budget}/vote?area={area}"),
        None => format!("/budgets/{budget}/vote"),
    }
}

/// `/budgets/{b}/vote`
#[component]
pub fn BallotPage() -> impl IntoView {
    let budget = param::<i64>("id");
    let asked: Option<i64> = use_query_map()
        .read_untracked()
        .get("area")
        .and_then(|a| a.parse().ok());
    let answer = use_context::<BallotAnswer>();
    let answered_area = answer.as_ref().map(|a| match a {
        BallotAnswer::Checked { area, .. } | BallotAnswer::Cast { area, .. } => *area,
    });
    load(
        move |cx| async move {
            // After a form, the area is the one the form named (the address may not say).
            let posted = cx.typed("area").and_then(|a| a.parse().ok());
            let area = answered_area.or(posted).or(asked);
            let page = api::ballots::ballot_page(&cx, budget?, area).await?;
            Ok((cx, page))
        },
        move |(cx, page)| match answer {
            Some(BallotAnswer::Cast { receipt, .. }) => {
                receipt_view(&cx, &page, receipt).into_any()
            }
            checked => ballot_view(&cx, &page, checked).into_any(),
        },
    )
}

fn ballot_view(
    cx: &RequestContext,
    page: &PageData,
    answer: Option<BallotAnswer>,
) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let title_shown = budget.title.pick(&lang, &page.frame.languages);
    let title = cx.t(Msg::BallotPageTitle {
        budget: title_shown.text.clone(),
    });
    let back = view! {
        <p class="no-print"><a href=format!("/budgets/{}", budget.id)>"← " <span lang=title_shown.lang.clone()>{title_shown.text.clone()}</span></a></p>
    };
    // Built inside the page, when it renders its content: the summary of a refused ballot tells
    // the page it was shown, so the page does not list the same errors again.
    let (cx, page) = (cx.clone(), page.clone());
    let body = move || ballot_body(&cx, &page, answer);
    view! {
        <Page title=title>
            {back}
            {body()}
        </Page>
    }
}

/// What the ballot page holds under its title: why there is no ballot now, the areas to choose
/// from, or the chosen area's ballot.
fn ballot_body(cx: &RequestContext, page: &PageData, answer: Option<BallotAnswer>) -> AnyView {
    let budget = &page.frame.budget;
    if budget.phase != BudgetPhase::Voting {
        let results = (budget.phase >= BudgetPhase::Results).then(|| {
            view! { <p><a href=format!("/budgets/{}/results", budget.id)>{t(Msg::BallotPageResultsLink)}</a></p> }
        });
        return view! {
            <div class="ballot-closed" role="note">
                <p><strong>{t(Msg::BallotErrorClosed)}</strong></p>
                <p>{cx.t(Msg::BallotPagePhaseNow { phase: t(budget.phase.label()) })}</p>
                {results}
            </div>
        }
        .into_any();
    }
    match &page.area {
        None => area_chooser(cx, page).into_any(),
        Some(area) => {
            let others = (budget.areas.len() > 1).then(|| {
                view! { <p class="ballot-other-areas"><a href=vote_path(budget.id, None)>{t(Msg::BallotPageOtherAreas)}</a></p> }
            });
            view! {
                {others}
                {area_ballot(cx, page, area, answer)}
            }
            .into_any()
        }
    }
}

/// The list of areas, each with its amount, its ballot and who may vote there.
fn area_chooser(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let areas = budget
        .areas
        .iter()
        .map(|area| {
            let name = area.name.pick(&lang, &page.frame.languages);
            let who = who_may_vote(area)
                .into_iter()
                .map(|w| view! { <li>{w}</li> })
                .collect_view();
            let link = cx.t(Msg::BallotPageVoteHere { area: name.text.clone() });
            view! {
                <li class="ballot-area">
                    <h3 lang=name.lang.clone()>{name.text.clone()}</h3>
                    <p class="ballot-amount">{cx.t(Msg::BallotPageAreaAmount { amount: money(area.rules.amount, &budget.currency) })}</p>
                    <p>{ballot_in_words(cx, area, &budget.currency)}</p>
                    <p class="ballot-who">{t(Msg::BallotPageWhoHeading)}</p>
                    <ul>{who}</ul>
                    <p><a class="button" href=vote_path(budget.id, Some(area.id))>{link}</a></p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="choose-area">
            <h2 id="choose-area">{t(Msg::BallotPageChooseArea)}</h2>
            <p>{t(Msg::BallotPageChooseAreaHint)}</p>
            <ul class="ballot-areas">{areas}</ul>
        </section>
    }
}

/// Where the signed-in person stands in the area (or how to vote without an account).
fn eligibility_view(page: &PageData, area: &BudgetArea) -> impl IntoView + use<> {
    let budget = page.frame.budget.id;
    let sign_in = format!(
        "/auth/login?next={}",
        encode_path(&vote_path(budget, Some(area.id)))
    );
    match page.eligibility {
        None => {
            let account = area.census.then(|| view! { <a href=sign_in>{t(Msg::BallotPageSignIn)}</a> });
            let codes = area.codes.then(|| t(Msg::BallotPageAnonymous));
            view! { <p class="ballot-standing">{codes} " " {account}</p> }.into_any()
        }
        Some(Eligibility::Eligible) => {
            view! { <p class="ballot-standing eligible">{t(Msg::BallotPageEligible)}</p> }.into_any()
        }
        Some(Eligibility::Voted) => {
            view! { <p class="ballot-standing voted" role="note"><strong>{t(Msg::BallotPageVoted)}</strong></p> }.into_any()
        }
        Some(Eligibility::CodesOnly) => {
            view! { <p class="ballot-standing">{t(Msg::BallotPageCodesOnly)}</p> }.into_any()
        }
        Some(Eligibility::NeedsCensusCheck) => census_form(budget, area).into_any(),
    }
}

/// The census check: the person's document number and date of birth.
fn census_form(budget: i64, area: &BudgetArea) -> impl IntoView + use<> {
    let action = vote_path(budget, Some(area.id));
    let area = area.id.to_string();
    view! {
        <section class="ballot-census" aria-labelledby="census-check">
            <h2 id="census-check">{t(Msg::BallotPageCensusHeading)}</h2>
            <p>{t(Msg::BallotPageNeedsCensus)}</p>
            <PostForm action=action intent="census_check">
                <ErrorSummary intent="census_check" />
                <input type="hidden" name="area" value=area />
                <TextField name="document_number".to_string() label=t(Msg::BallotPageDocumentNumber) required=true autocomplete="off" />
                <TextField name="birth_date".to_string() label=t(Msg::BallotPageBirthDate) kind="date" required=true hint=t(Msg::BallotPageBirthDateHint) autocomplete="bday" />
                <p class="hint">{t(Msg::BallotPageCensusHint)}</p>
                <button type="submit">{t(Msg::BallotPageCensusSubmit)}</button>
            </PostForm>
        </section>
    }
}

/// The refused ballot form being shown again (`intent` check or cast), if any.
fn ballot_refusal(cx: &RequestContext) -> Option<&crate::ssr::context::Feedback> {
    cx.feedback.as_ref().filter(|f| {
        matches!(
            f.values.get("intent").map(String::as_str),
            Some("check" | "cast")
        )
    })
}

/// The ballot of one area: its projects, the running total, the code, the final word and the
/// buttons. After "Check my ballot" or a refusal, the choices come back ticked.
fn area_ballot(
    cx: &RequestContext,
    page: &PageData,
    area: &BudgetArea,
    answer: Option<BallotAnswer>,
) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let currency = budget.currency.clone();
    let name = area.name.pick(&lang, &page.frame.languages);
    let refusal = ballot_refusal(cx);
    let ticked: Vec<i64> = match (&answer, refusal) {
        (Some(BallotAnswer::Checked { chosen, .. }), _) => chosen.clone(),
        (_, Some(f)) => api::ballots::chosen(&api::form::Form::from_pairs(f.values.clone())),
        _ => Vec::new(),
    };
    let projects = page.frame.ballot_projects(area.id);
    let total: i64 = projects
        .iter()
        .filter(|p| ticked.contains(&p.id))
        .map(|p| p.cost())
        .sum();
    let field_error = |field: &str| {
        refusal.and_then(|f| {
            f.error
                .fields()
                .iter()
                .find(|e| e.field == field)
                .map(|e| cx.t(e.msg.clone()))
        })
    };
    // The form's own summary, linking to its fields; the page then lists them no more.
    let summary = refusal.filter(|f| !f.error.fields().is_empty()).map(|f| {
        if let Some(shown) = use_context::<crate::components::layout::SummaryShown>() {
            shown.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let items = f
            .error
            .fields()
            .iter()
            .map(|e| {
                let target = match e.field.as_str() {
                    "ballot" => "ballot-projects".to_string(),
                    field => format!("ballot-{field}"),
                };
                view! { <li><a href=format!("#{target}")>{cx.t(e.msg.clone())}</a></li> }
            })
            .collect_view();
        view! {
            <div class="error-summary" role="alert">
                <h2>{t(Msg::BallotPageNotCast)}</h2>
                <ul>{items}</ul>
            </div>
        }
    });
    let checked_ok = matches!(answer, Some(BallotAnswer::Checked { .. })).then(|| {
        view! { <p class="ballot-checked" role="status">{t(Msg::BallotPageCheckedOk)}</p> }
    });
    let items = projects
        .iter()
        .map(|p| {
            let title = p.title.pick(&lang, &page.frame.languages);
            let description = p.description.pick(&lang, &page.frame.languages);
            let id = format!("project-{}", p.id);
            let short: String = description.text.chars().take(220).collect();
            let short = if short.len() < description.text.len() { format!("{short}…") } else { short };
            let label_for = id.clone();
            view! {
                <li class="ballot-project">
                    <input type="checkbox" id=id.clone() name=id value="yes" data-cost=p.cost().to_string() checked=ticked.contains(&p.id) />
                    <label for=label_for>
                        <span class="ballot-project-title" lang=title.lang.clone()>{title.text.clone()}</span>
                        <span class="ballot-project-cost">{cx.t(Msg::BallotPageCost { amount: money(p.cost(), &currency) })}</span>
                        <span class="ballot-project-category">{t(p.category.label())}</span>
                    </label>
                    <p class="ballot-project-description" lang=description.lang.clone()>{short}</p>
                    <p><a href=format!("/budgets/{}/projects/{}", budget.id, p.id)>{t(Msg::BallotPageAbout)}<span class="visually-hidden">": " {title.text.clone()}</span></a></p>
                </li>
            }
        })
        .collect_view();
    let max = match area.rules.ballot {
        BallotKind::Approval => area.rules.max_projects,
        BallotKind::Knapsack => i64::MAX,
    };
    let template = cx.t(Msg::BallotPageChosen {
        count: "{count}".into(),
        total: "{total}".into(),
        amount: money(area.rules.amount, &currency),
    });
    let running = cx.t(Msg::BallotPageChosen {
        count: ticked.len().to_string(),
        total: money(total, &currency),
        amount: money(area.rules.amount, &currency),
    });
    let over = total > area.rules.amount && area.rules.ballot == BallotKind::Knapsack;
    let too_many = (ticked.len() as i64) > max;
    let warning = if over {
        t(Msg::BallotPageOverAmount)
    } else if too_many {
        t(Msg::BallotPageTooMany {
            max: max.to_string(),
        })
    } else {
        String::new()
    };
    let has_ballot_error = field_error("ballot").is_some();
    let ballot_error = field_error("ballot")
        .map(|e| view! { <p class="field-error" id="ballot-ballot-error">{e}</p> });
    let code_error = field_error("code");
    let confirm_error = field_error(CONFIRMED);
    let voted = page.eligibility == Some(Eligibility::Voted);
    let may_cast_here = area.codes || page.eligibility == Some(Eligibility::Eligible);
    let typed_code = refusal
        .and_then(|f| f.values.get("code").cloned())
        .unwrap_or_default();
    let code_hint = if page.eligibility == Some(Eligibility::Eligible) {
        Msg::BallotPageCodeHintSignedIn
    } else {
        Msg::BallotPageCodeHint
    };
    let code = area.codes.then(|| {
        let described = if code_error.is_some() { "ballot-code-hint ballot-code-error" } else { "ballot-code-hint" };
        view! {
            <div class="field ballot-code" class:has-error=code_error.is_some()>
                <label for="ballot-code">{t(Msg::BallotPageCodeLabel)}</label>
                <p class="hint" id="ballot-code-hint">{t(code_hint)}</p>
                {code_error.clone().map(|e| view! { <p class="field-error" id="ballot-code-error">{e}</p> })}
                <input id="ballot-code" name="code" type="text" value=typed_code autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby=described aria-invalid=code_error.is_some().then_some("true") />
            </div>
        }
    });
    // A voter who voted with their account may still cast with a printed code, where codes count.
    let cast_part = (may_cast_here && (area.codes || !voted)).then(|| {
        view! {
            <section class="ballot-final" aria-labelledby="ballot-final-heading">
                <h3 id="ballot-final-heading">{t(Msg::BallotPageFinalHeading)}</h3>
                <p><strong>{t(Msg::BallotPageFinalText)}</strong></p>
                <p>{t(Msg::BallotPageSecretText)}</p>
                {code}
                <div class="field check" class:has-error=confirm_error.is_some()>
                    <input type="checkbox" id="ballot-confirmed" name=CONFIRMED value="yes" aria-describedby=confirm_error.is_some().then_some("ballot-confirmed-error") />
                    <label for="ballot-confirmed">{t(Msg::BallotPageConfirmLabel)}</label>
                    {confirm_error.clone().map(|e| view! { <p class="field-error" id="ballot-confirmed-error">{e}</p> })}
                </div>
                <button type="submit" name="intent" value="cast">{t(Msg::BallotPageCast)}</button>
            </section>
        }
    });
    let script = running_total_script();
    view! {
        <section class="ballot" aria-labelledby="ballot-heading">
            <h2 id="ballot-heading" lang=name.lang.clone()>{name.text.clone()}</h2>
            <p class="ballot-amount">{cx.t(Msg::BallotPageAreaAmount { amount: money(area.rules.amount, &currency) })}</p>
            <p>{ballot_in_words(cx, area, &currency)}</p>
            {eligibility_view(page, area)}
            <form method="post" action=vote_path(budget.id, Some(area.id)) id="ballot" class="ballot-form">
                {summary}
                {checked_ok}
                <input type="hidden" name="area" value=area.id.to_string() />
                <fieldset id="ballot-projects" class:has-error=has_ballot_error>
                    <legend>{t(Msg::BallotPageProjectsLegend)}</legend>
                    {ballot_error}
                    <ul class="ballot-projects">{items}</ul>
                </fieldset>
                <div class="ballot-total" class:over=over || too_many data-template=template data-money=money_pattern(&currency) data-amount=area.rules.amount.to_string() data-max=max.to_string() data-over=t(Msg::BallotPageOverAmount) data-too-many=t(Msg::BallotPageTooMany { max: max.to_string() })>
                    <output for="ballot-projects" aria-live="polite" class="ballot-sum">{running}</output>
                    <p class="ballot-warning" aria-live="polite">{warning}</p>
                    <button type="submit" name="intent" value="check" class="secondary">{t(Msg::BallotPageCheck)}</button>
                </div>
                {cast_part}
            </form>
            {script}
        </section>
    }
}

/// The running total, kept up to date as boxes are ticked: a few lines of script with the
/// response's nonce rather than an island, so a voter on a phone with a poor connection
/// downloads a few hundred bytes instead of the WebAssembly bundle. Without it, "Check my
/// ballot" gives the same total from the server.
fn running_total_script() -> impl IntoView + use<> {
    const SCRIPT: &str = r#"
const form = document.getElementById('ballot');
const box = form && form.querySelector('.ballot-total');
if (box) {
  const fmt = new Intl.NumberFormat('en-US');
  const amount = Number(box.dataset.amount), max = Number(box.dataset.max);
  const knapsack = max >= Number.MAX_SAFE_INTEGER;
  form.addEventListener('change', () => {
    let count = 0, total = 0;
    for (const c of form.querySelectorAll('input[data-cost]:checked')) { count++; total += Number(c.dataset.cost); }
    box.querySelector('.ballot-sum').textContent = box.dataset.template
      .replace('{count}', count).replace('{total}', box.dataset.money.replace('{n}', fmt.format(total)));
    const over = knapsack && total > amount, many = count > max;
    box.classList.toggle('over', over || many);
    box.querySelector('.ballot-warning').textContent = over ? box.dataset.over : many ? box.dataset.tooMany : '';
  });
}
"#;
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{SCRIPT}</script> }
}

/// The receipt, shown this once: big, whole and easy to copy, with where to check it later.
fn receipt_view(cx: &RequestContext, page: &PageData, receipt: String) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let area = page
        .area
        .as_ref()
        .map(|a| a.name.pick(&lang, &page.frame.languages));
    let results = format!("/budgets/{}/results", budget.id);
    view! {
        <Page title=t(Msg::BallotPageCastHeading)>
            <section class="ballot-receipt" aria-labelledby="receipt-label">
                {area.map(|a| view! { <p class="eyebrow" lang=a.lang.clone()>{a.text.clone()}</p> })}
                <p id="receipt-label" class="receipt-label">{t(Msg::BallotPageReceiptLabel)}</p>
                <p class="receipt-code" aria-labelledby="receipt-label"><code>{receipt}</code></p>
                <p role="note"><strong>{t(Msg::BallotPageReceiptOnce)}</strong></p>
                <p>{t(Msg::BallotPageReceiptCheck)}</p>
                <p><a href=results>{t(Msg::BallotPageReceiptResultsLink)}</a></p>
                <p>{t(Msg::BallotPageSecretText)}</p>
            </section>
        </Page>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::budgets::grouped;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_250_000), "1,250,000");
        assert_eq!(grouped(-12_345), "-12,345");
        assert_eq!(money(480_000, "EUR"), "€480,000");
        assert_eq!(money(480_000, "KES"), "480,000 KES");
    }
}
