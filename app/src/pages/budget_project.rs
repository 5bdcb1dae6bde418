//! A budget's projects: proposing one (and recording one collected on paper), and a project's
//! page with its review, the reviewers' form, the implementation reports and its discussion.

use super::{load, param};
use crate::api;
use crate::api::budgets::{BudgetView, ProjectView};
use crate::api::comments::Discussion;
use crate::components::form::{ErrorSummary, PostForm, RadioGroup, Select, TextArea, TextField};
use crate::components::layout::{Page, notice_at, t};
use crate::components::text::{Local, TextBlocks};
use crate::domain::budget::{BudgetAction, Category, InfeasibleReason, ProjectStatus};
use crate::domain::decision::FollowUpStatus;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::pages::budgets::{StatusBadge, budget_path, money, project_path, proposed_by};
use crate::pages::comments::discussion_view;
use crate::pages::process::format_time;
use crate::ssr::RequestContext;
use leptos::prelude::*;

/// `/budgets/{id}/propose`: the proposal form; officers also record paper proposals.
#[component]
pub fn ProposePage() -> impl IntoView {
    let id = param::<i64>("id");
    load(
        move |cx| async move {
            cx.viewer()?;
            let view = api::budgets::view(&cx, id?).await?;
            let citizen = view
                .standing
                .refusal(BudgetAction::Propose, view.budget.phase);
            let officer = view
                .standing
                .refusal(BudgetAction::RecordPaperProposal, view.budget.phase);
            if let (Err(refusal), Err(_)) = (citizen, officer) {
                return Err(AppError::Forbidden(refusal));
            }
            Ok((cx, view))
        },
        |(cx, view)| propose_view(cx, view),
    )
}

/// The fields a proposal shares with a paper proposal, inside either form.
#[component]
fn ProjectFields(view: BudgetView) -> impl IntoView {
    let cx = crate::ssr::cx();
    let lang = cx.lang.code().to_string();
    let languages = view.process.fields.languages.clone();
    let currency = view.budget.currency.clone();
    let areas: Vec<(String, String)> = view
        .budget
        .areas
        .iter()
        .map(|a| {
            let cap = match a.rules.project_cap {
                0 => a.rules.amount,
                cap => cap,
            };
            let name = a.name.pick(&lang, &languages).text;
            (
                a.id.to_string(),
                cx.t(Msg::BudgetsAreaWithCap {
                    area: name,
                    cap: money(cap, &currency),
                }),
            )
        })
        .collect();
    let categories: Vec<(String, String)> =
        std::iter::once((String::new(), t(Msg::BudgetsChooseCategory)))
            .chain(
                Category::ALL
                    .iter()
                    .map(|c| (c.code().to_string(), t(c.label()))),
            )
            .collect();
    view! {
        <Select name="area".into() label=t(Msg::BudgetsArea) options=areas hint=t(Msg::BudgetsAreaHint) />
        <TextField name="title".into() label=t(Msg::BudgetsProjectTitle) hint=t(Msg::BudgetsProjectTitleHint) required=true lang=lang.clone() />
        <TextArea name="description".into() label=t(Msg::BudgetsProjectDescription) hint=t(Msg::BudgetsProjectDescriptionHint) rows=6 required=true lang=lang.clone() />
        <TextField name="place".into() label=t(Msg::BudgetsPlace) hint=t(Msg::BudgetsPlaceHint) lang=lang.clone() />
        <Select name="category".into() label=t(Msg::BudgetsCategory) options=categories />
        <TextField name="estimated_cost".into() label=cx.t(Msg::BudgetsEstimatedCost { currency: currency.clone() }) hint=t(Msg::BudgetsEstimatedCostHint) required=true />
        <TextField name="image_alt".into() label=t(Msg::BudgetsImageAlt) hint=t(Msg::BudgetsImageAltHint) lang=lang />
    }
}

fn propose_view(cx: RequestContext, view: BudgetView) -> impl IntoView {
    // The forms are built inside the page, where their error summaries tell it they are shown.
    view! { <Page title=t(Msg::BudgetsProposeHeading) no_heading=true>{propose_body(cx, view)}</Page> }
}

fn propose_body(cx: RequestContext, view: BudgetView) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let title = view
        .budget
        .title
        .pick(&lang, &view.process.fields.languages);
    let id = view.budget.id;
    let action = format!("/budgets/{id}/propose");
    // An officer sees both forms, each under its heading; anyone else sees the page's one form.
    let both = view.may(BudgetAction::Propose) && view.may(BudgetAction::RecordPaperProposal);
    let citizen = view.may(BudgetAction::Propose).then(|| {
        let (view, action) = (view.clone(), action.clone());
        view! {
            <section aria-labelledby=both.then_some("propose")>
                {both.then(|| view! { <h2 id="propose">{t(Msg::BudgetsProposeHeading)}</h2> })}
                <p>{t(Msg::BudgetsProposeAbout)}</p>
                <ErrorSummary intent="propose" />
                <PostForm action=action intent="propose" class="narrow">
                    <ProjectFields view=view />
                    <p class="hint">{t(Msg::BudgetsProposePublic)}</p>
                    <button type="submit">{t(Msg::BudgetsProposeButton)}</button>
                </PostForm>
            </section>
        }
    });
    let paper = view.may(BudgetAction::RecordPaperProposal).then(|| {
        let view = view.clone();
        view! {
            <section aria-labelledby="paper">
                <h2 id="paper">{t(Msg::BudgetsPaperHeading)}</h2>
                <p>{t(Msg::BudgetsPaperAbout)}</p>
                <ErrorSummary intent="paper" />
                <PostForm action=action intent="paper" class="narrow">
                    <TextField name="proposer_name".into() label=t(Msg::BudgetsPaperProposer) hint=t(Msg::BudgetsPaperProposerHint) required=true />
                    <TextField name="meeting".into() label=t(Msg::BudgetsPaperMeeting) hint=t(Msg::BudgetsPaperMeetingHint) required=true />
                    <ProjectFields view=view />
                    <button type="submit">{t(Msg::BudgetsPaperButton)}</button>
                </PostForm>
            </section>
        }
    });
    view! {
        <p><a href=budget_path(id)>"← " <Local shown=title.clone() /></a></p>
        <h1>{t(Msg::BudgetsProposeHeading)}</h1>
        <p class="eyebrow"><Local shown=title /></p>
        {citizen}
        {paper}
    }
}

/// `/budgets/{id}/projects/{project}`
#[component]
pub fn ProjectPage() -> impl IntoView {
    let id = param::<i64>("id");
    let project = param::<i64>("project");
    load(
        move |cx| async move {
            let page = api::budgets::project(&cx, id?, project?).await?;
            let discussion = api::comments::project_discussion(&cx, &page, None).await?;
            Ok((cx, page, discussion))
        },
        |(cx, page, discussion)| project_view(cx, page, discussion),
    )
}

fn project_view(cx: RequestContext, page: ProjectView, discussion: Discussion) -> impl IntoView {
    let title = page
        .project
        .title
        .pick(cx.lang.code(), &page.budget.process.fields.languages)
        .text;
    // The forms are built inside the page, where their error summaries tell it they are shown.
    view! {
        <Page title=title no_heading=true>
            {project_body(cx.clone(), page)}
            {discussion_view(&cx, &discussion)}
        </Page>
    }
}

fn project_body(cx: RequestContext, page: ProjectView) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let languages = page.budget.process.fields.languages.clone();
    let b = &page.budget.budget;
    let p = &page.project;
    let currency = b.currency.clone();
    let budget_title = b.title.pick(&lang, &languages);
    let title = p.title.pick(&lang, &languages);
    let area = b
        .area(p.area_id)
        .map(|a| a.name.pick(&lang, &languages).text)
        .unwrap_or_default();
    let action = project_path(b.id, p.id);
    let reviewed_cost = p.review.as_ref().and_then(|r| r.cost).map(
        |cost| view! { <dt>{t(Msg::BudgetsReviewedCost)}</dt><dd>{money(cost, &currency)}</dd> },
    );
    let place = (!p.place.is_blank()).then(|| {
        let place = p.place.pick(&lang, &languages);
        view! { <dt>{t(Msg::BudgetsPlace)}</dt><dd lang=place.lang>{place.text}</dd> }
    });
    let image_alt = (!p.image_alt.is_empty())
        .then(|| view! { <dt>{t(Msg::BudgetsImageAlt)}</dt><dd>{p.image_alt.clone()}</dd> });
    let review = review_section(&cx, &page);
    let merged_here = page.merged_here();
    let merged_here = (!merged_here.is_empty()).then(|| {
        let items = merged_here
            .iter()
            .map(|m| {
                let shown = m.title.pick(&lang, &languages);
                view! { <li><a href=project_path(b.id, m.id) lang=shown.lang>{shown.text}</a> " · " {proposed_by(&cx, m)}</li> }
            })
            .collect_view();
        view! {
            <section aria-labelledby="merged-here">
                <h2 id="merged-here">{t(Msg::BudgetsMergedHere)}</h2>
                <ul>{items}</ul>
            </section>
        }
    });
    let review_form = review_form(&cx, &page, &action);
    let updates = updates_section(&cx, &page, &action);
    let back = format!("{}#projects", budget_path(b.id));
    let status = p.status;
    let cost = money(p.cost(), &currency);
    let description = p.description.pick(&lang, &languages);
    let category = t(p.category.label());
    let estimated = money(p.estimated_cost, &currency);
    // Beside "Proposed by": the name, or where the paper was collected and from whom.
    let by = match &p.paper {
        Some(_) => proposed_by(&cx, p),
        None => p.proposer_name.clone(),
    };
    let proposed_on = format_time(p.created_at);
    view! {
            <p><a href=back>"← " <Local shown=budget_title.clone() /></a></p>
            <article class="budget-project">
                <header>
                    <p class="eyebrow"><Local shown=budget_title /></p>
                    <h1 lang=title.lang.clone()>{title.text.clone()}</h1>
                    <p class="meta"><StatusBadge status=status /> " " <strong class="cost">{cost}</strong></p>
                </header>
                {review}
                <TextBlocks shown=description />
                <dl class="project-facts">
                    <dt>{t(Msg::BudgetsArea)}</dt><dd>{area}</dd>
                    <dt>{t(Msg::BudgetsCategory)}</dt><dd>{category}</dd>
                    {place}
                    <dt>{t(Msg::BudgetsEstimatedCostShort)}</dt><dd>{estimated}</dd>
                    {reviewed_cost}
                    <dt>{t(Msg::BudgetsProposer)}</dt><dd>{by}</dd>
                    <dt>{t(Msg::BudgetsProposedOn)}</dt><dd><time>{proposed_on}</time></dd>
                    {image_alt}
                </dl>
                {merged_here}
                {review_form}
                {updates}
            </article>
    }
}

/// The review, said prominently: why a proposal is not on the ballot, what it was merged into,
/// or that it was found feasible at what cost.
fn review_section(cx: &RequestContext, page: &ProjectView) -> Option<impl IntoView + use<>> {
    let lang = cx.lang.code().to_string();
    let languages = &page.budget.process.fields.languages;
    let p = &page.project;
    let review = p.review.clone()?;
    let by = cx.t(Msg::BudgetsReviewedBy {
        name: review.by.clone(),
        date: format_time(review.at),
    });
    let explanation = review.explanation.pick(cx.lang.code(), &[]);
    let explanation = view! { <p class="explanation" lang=explanation.lang>{explanation.text}</p> };
    Some(match p.status {
        ProjectStatus::NotFeasible => view! {
            <section class="review not-feasible" aria-labelledby="review">
                {notice_at("review".into())}
                <h2 id="review">{t(Msg::BudgetsWhyNotOnBallot)}</h2>
                {review.reason.map(|r| view! { <p class="reason"><strong>{t(r.label())}</strong></p> })}
                {explanation}
                <p class="meta">{by}</p>
            </section>
        }
        .into_any(),
        ProjectStatus::Merged => {
            let into = p.merged_into.and_then(|id| page.budget.project(id)).map(|m| {
                let shown = m.title.pick(&lang, languages);
                view! { <a href=project_path(m.budget_id, m.id) lang=shown.lang>{shown.text}</a> }
            });
            view! {
                <section class="review merged" aria-labelledby="review">
                    {notice_at("review".into())}
                    <h2 id="review">{t(Msg::BudgetsMergedHeading)}</h2>
                    <p>{t(Msg::BudgetsMergedInto)} " " {into}</p>
                    {explanation}
                    <p class="meta">{by}</p>
                </section>
            }
            .into_any()
        }
        _ => view! {
            <section class="review feasible" aria-labelledby="review">
                {notice_at("review".into())}
                <h2 id="review">{t(Msg::BudgetsFoundFeasible)}</h2>
                {explanation}
                <p class="meta">{by}</p>
            </section>
        }
        .into_any(),
    })
}

/// The reviewers' form: the three findings, each with what it needs.
fn review_form(
    cx: &RequestContext,
    page: &ProjectView,
    action: &str,
) -> Option<impl IntoView + use<>> {
    if !page.budget.may(BudgetAction::Review) {
        return None;
    }
    let lang = cx.lang.code().to_string();
    let languages = &page.budget.process.fields.languages;
    let p = &page.project;
    let findings = vec![
        ("feasible".to_string(), t(Msg::BudgetsFindingFeasible)),
        (
            "not_feasible".to_string(),
            t(Msg::BudgetsFindingNotFeasible),
        ),
        ("merge".to_string(), t(Msg::BudgetsFindingMerge)),
    ];
    let reasons: Vec<(String, String)> =
        std::iter::once((String::new(), t(Msg::BudgetsChooseReason)))
            .chain(
                InfeasibleReason::ALL
                    .iter()
                    .map(|r| (r.code().to_string(), t(r.label()))),
            )
            .collect();
    let targets: Vec<(String, String)> =
        std::iter::once((String::new(), t(Msg::BudgetsChooseMerge)))
            .chain(page.merge_targets().iter().map(|m| {
                (
                    m.id.to_string(),
                    format!("#{} {}", m.id, m.title.pick(&lang, languages).text),
                )
            }))
            .collect();
    let current = match (p.status, &p.review) {
        (ProjectStatus::Feasible, Some(_)) => "feasible",
        (ProjectStatus::NotFeasible, _) => "not_feasible",
        (ProjectStatus::Merged, _) => "merge",
        _ => "",
    };
    let review = p.review.clone();
    let cost = review
        .as_ref()
        .and_then(|r| r.cost)
        .unwrap_or(p.estimated_cost)
        .to_string();
    let cost_label = cx.t(Msg::BudgetsReviewCost {
        currency: page.budget.budget.currency.clone(),
    });
    let heading = t(if review.is_some() {
        Msg::BudgetsReviewAgain
    } else {
        Msg::BudgetsReviewHeading
    });
    let reason = review
        .as_ref()
        .and_then(|r| r.reason)
        .map(|r| r.code().to_string())
        .unwrap_or_default();
    let merged_into = p.merged_into.map(|m| m.to_string()).unwrap_or_default();
    let explanation = review
        .map(|r| r.explanation.pick(cx.lang.code(), &[]).text)
        .unwrap_or_default();
    let current = current.to_string();
    let action = format!("{action}#review-form");
    Some(view! {
        <section class="review-form" aria-labelledby="review-heading" id="review-form">
            <h2 id="review-heading">{heading}</h2>
            <p class="hint">{t(Msg::BudgetsReviewAbout)}</p>
            <ErrorSummary intent="review" />
            <PostForm action=action intent="review" class="narrow">
                <RadioGroup name="finding".into() legend=t(Msg::BudgetsFinding) options=findings selected=current />
                <TextField name="cost".into() label=cost_label hint=t(Msg::BudgetsReviewCostHint) value=cost />
                <Select name="reason".into() label=t(Msg::BudgetsReason) hint=t(Msg::BudgetsReasonHint) options=reasons selected=reason />
                <Select name="merge_into".into() label=t(Msg::BudgetsMergeInto) hint=t(Msg::BudgetsMergeIntoHint) options=targets selected=merged_into />
                <TextArea name="explanation".into() label=t(Msg::BudgetsExplanation) hint=t(Msg::BudgetsExplanationHint) rows=5 required=true value=explanation />
                <button type="submit">{t(Msg::BudgetsReviewButton)}</button>
            </PostForm>
        </section>
    })
}

/// Implementation reports of a winning project, and the officers' and managers' form.
fn updates_section(
    cx: &RequestContext,
    page: &ProjectView,
    action: &str,
) -> Option<impl IntoView + use<>> {
    let p = &page.project;
    let phase = page.budget.budget.phase;
    if p.status != ProjectStatus::Selected
        || phase < crate::domain::budget::BudgetPhase::Implementation
    {
        return None;
    }
    let items = p
        .updates
        .iter()
        .map(|u| {
            view! {
                <li>
                    <p>
                        <time datetime=u.on.to_string()>{u.on.to_string()}</time> " · "
                        <strong>{t(u.status.label())}</strong> " · "
                        <progress max="100" value=u.progress.to_string()>{format!("{}%", u.progress)}</progress>
                        " " {format!("{}%", u.progress)}
                    </p>
                    <p>{u.note.clone()}</p>
                    <p class="meta">{cx.t(Msg::EventBy { name: u.by.clone() })}</p>
                </li>
            }
        })
        .collect_view();
    let none = p
        .updates
        .is_empty()
        .then(|| view! { <p>{t(Msg::BudgetsNoUpdates)}</p> });
    let form = page.budget.may(BudgetAction::PostUpdate).then(|| {
        let statuses: Vec<(String, String)> = FollowUpStatus::ALL
            .iter()
            .map(|s| (s.code().to_string(), t(s.label())))
            .collect();
        let today = cx.today().to_string();
        let action = format!("{action}#updates");
        view! {
            <h3>{t(Msg::DecisionPostUpdate)}</h3>
            <ErrorSummary intent="update" />
            <PostForm action=action intent="update" class="narrow">
                <Select name="status".into() label=t(Msg::DecisionUpdateStatus) options=statuses />
                <TextField name="progress".into() label=t(Msg::DecisionUpdateProgress) kind="number" value="0".into() required=true />
                <TextField name="on".into() label=t(Msg::DecisionUpdateOn) kind="date" value=today required=true />
                <TextArea name="note".into() label=t(Msg::DecisionUpdateNote) rows=4 required=true />
                <button type="submit">{t(Msg::DecisionPostUpdateButton)}</button>
            </PostForm>
        }
    });
    Some(view! {
        <section aria-labelledby="updates">
            {notice_at("updates".into())}
            <h2 id="updates">{t(Msg::BudgetsUpdates)}</h2>
            {none}
            <ol class="updates">{items}</ol>
            {form}
        </section>
    })
}
