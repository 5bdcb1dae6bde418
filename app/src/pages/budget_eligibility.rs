//! `/budgets/{b}/eligibility`: for the budget's managers, who may vote in each area: the census
//! list (uploaded as a file or pasted), and printed one-time voting codes, whose sheet is the
//! response to the form that prints them and is never shown again.

use super::ballot::who_may_vote;
use super::budgets::grouped;
use super::{load, param};
use crate::api;
use crate::api::ballots::{EligibilityPage as PageData, MAX_CODES, PrintedCodes};
use crate::components::form::{ErrorSummary, FileField, PostForm, TextArea, TextField};
use crate::components::layout::{Page, t};
use crate::i18n::Msg;
use crate::ssr::RequestContext;
use leptos::prelude::*;

/// The eligibility page's address.
pub fn eligibility_path(budget: i64) -> String {
    format!("/budgets/{budget}/eligibility")
}

/// `/budgets/{b}/eligibility`
#[component]
pub fn EligibilityPage() -> impl IntoView {
    let budget = param::<i64>("id");
    let printed = use_context::<PrintedCodes>();
    load(
        move |cx| async move {
            let page = api::ballots::eligibility_page(&cx, budget?).await?;
            Ok((cx, page))
        },
        move |(cx, page)| match printed {
            Some(sheet) => code_sheet(&cx, &page, sheet).into_any(),
            None => eligibility_view(&cx, &page).into_any(),
        },
    )
}

fn eligibility_view(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let budget_title = budget.title.pick(&lang, &page.frame.languages);
    let title = cx.t(Msg::EligibilityTitle {
        budget: budget_title.text.clone(),
    });
    let action = eligibility_path(budget.id);
    let areas = budget
        .areas
        .iter()
        .map(|area| {
            let name = area.name.pick(&lang, &page.frame.languages);
            let heading_id = format!("area-{}", area.id);
            let heading_for = heading_id.clone();
            let who = who_may_vote(area)
                .into_iter()
                .map(|w| view! { <li>{w}</li> })
                .collect_view();
            let key = area.id.to_string();
            let census_key = key.clone();
            let area_id = area.id.to_string();
            let census_area = area_id.clone();
            let census_action = action.clone();
            let census = area.census.then(move || {
                view! {
                    <section class="eligibility-census">
                        <h3>{t(Msg::EligibilityCensusHeading)}</h3>
                        <PostForm action=census_action intent="census" key=census_key.clone() enctype="multipart/form-data">
                            <ErrorSummary intent="census" key=census_key />
                            <input type="hidden" name="area" value=census_area />
                            <FileField name="census".to_string() label=t(Msg::EligibilityCensusFile) hint=t(Msg::EligibilityCensusFileHint) accept=".csv,.txt,text/csv,text/plain" />
                            <TextArea name="entries".to_string() label=t(Msg::EligibilityCensusEntries) hint=t(Msg::EligibilityCensusEntriesHint) rows=4 />
                            <button type="submit">{t(Msg::EligibilityCensusSubmit)}</button>
                        </PostForm>
                    </section>
                }
            });
            let (issued, used) = page.codes_of(area.id);
            let counts = cx.t(Msg::EligibilityCodesCounts { issued: grouped(issued), used: grouped(used) });
            let range = cx.t(Msg::EligibilityCountRange { max: grouped(MAX_CODES as i64) });
            let codes_action = action.clone();
            let codes = area.codes.then(move || {
                view! {
                    <section class="eligibility-codes">
                        <h3>{t(Msg::EligibilityCodesHeading)}</h3>
                        <p>{counts}</p>
                        <PostForm action=codes_action intent="codes" key=key.clone()>
                            <ErrorSummary intent="codes" key=key />
                            <input type="hidden" name="area" value=area_id />
                            <TextField name="count".to_string() label=t(Msg::EligibilityCountLabel) kind="number" value="50".to_string() required=true hint=range />
                            <p class="hint">{t(Msg::EligibilityCodesHint)}</p>
                            <button type="submit">{t(Msg::EligibilityCodesSubmit)}</button>
                        </PostForm>
                    </section>
                }
            });
            view! {
                <section class="eligibility-area" aria-labelledby=heading_for>
                    <h2 id=heading_id lang=name.lang.clone()>{name.text.clone()}</h2>
                    <p>{t(Msg::BallotPageWhoHeading)}</p>
                    <ul>{who}</ul>
                    {census}
                    {codes}
                </section>
            }
        })
        .collect_view();
    let manage = format!("/budgets/{}/manage", budget.id);
    view! {
        <Page title=title>
            <p><a href=manage>"← " {t(Msg::EligibilityManageLink)}</a></p>
            <p>{t(Msg::EligibilityIntro)}</p>
            {areas}
        </Page>
    }
}

/// The sheet of codes just printed: one card per code to cut out, with the area, where to vote
/// and what to do. Shown only in this response; the print styles leave only the cards.
fn code_sheet(cx: &RequestContext, page: &PageData, sheet: PrintedCodes) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let budget = &page.frame.budget;
    let budget_title = budget.title.pick(&lang, &page.frame.languages);
    let area_name = budget
        .area(sheet.area)
        .map(|a| a.name.pick(&lang, &page.frame.languages))
        .map(|s| s.text)
        .unwrap_or_default();
    let address = format!(
        "{}/budgets/{}/vote",
        sheet.site.trim_end_matches('/'),
        budget.id
    );
    let title = cx.t(Msg::EligibilitySheetTitle {
        area: area_name.clone(),
    });
    let step1 = cx.t(Msg::EligibilityCardStep1 {
        address: address.clone(),
        area: area_name.clone(),
    });
    let step2 = t(Msg::EligibilityCardStep2);
    let count = sheet.codes.len();
    let cards = sheet
        .codes
        .into_iter()
        .map(|code| {
            view! {
                <li class="code-card">
                    <p class="code-card-heading">{t(Msg::EligibilityCardHeading)}</p>
                    <p class="code-card-area"><span lang=budget_title.lang.clone()>{budget_title.text.clone()}</span> " · " {area_name.clone()}</p>
                    <p class="code-card-code"><code>{code}</code></p>
                    <ol class="code-card-steps">
                        <li>{step1.clone()}</li>
                        <li>{step2.clone()}</li>
                    </ol>
                </li>
            }
        })
        .collect_view();
    let warning = cx.t(Msg::EligibilitySheetWarning {
        count: count.to_string(),
    });
    let back = eligibility_path(budget.id);
    view! {
        <Page title=title>
            <div class="code-sheet-note no-print" role="alert">
                <p><strong>{warning}</strong></p>
                <p>{t(Msg::EligibilitySheetPrint)}</p>
                <p><a href=back>{t(Msg::EligibilitySheetBack)}</a></p>
            </div>
            <ul class="code-sheet">{cards}</ul>
        </Page>
    }
}
