//! A process: its page, the citizen's guide to how it works, and the mediator's tools.

use super::{load, param};
use crate::api;
use crate::api::processes::{NextStep, ProcessPage as PageData, may, next_steps, shown};
use crate::components::form::{
    ActingAsField, ErrorSummary, FileField, PostForm, Select, TextArea, TextField,
};
use crate::components::layout::{Page, t};
use crate::components::process::{PhaseBadge, Timeline};
use crate::components::text::{Local, TextBlocks};
use crate::domain::org::StakeholderKind;
use crate::domain::roles::{Action, OrgRole, PersonalRole, Phase, Role, permits};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::ProcessId;
use crate::model::{EventKind, ProcessEvent};
use crate::pages::account::OwnCommentList;
use crate::pages::decisions::DecisionList;
use crate::pages::sittings::SittingList;
use crate::ssr::RequestContext;
use leptos::prelude::*;

fn load_process<V: IntoView + 'static>(
    body: impl FnOnce(RequestContext, PageData) -> V + Send + 'static,
) -> impl IntoView {
    let id = param::<ProcessId>("id");
    load(
        move |cx| async move {
            let page = api::processes::page(&cx, id?).await?;
            Ok((cx, page))
        },
        move |(cx, page)| body(cx, page),
    )
}

/// `/processes/{id}`
#[component]
pub fn ProcessPage() -> impl IntoView {
    load_process(|cx, page| {
        let process = page.process.clone();
        let title = shown(&cx, &process, &process.fields.title);
        let summary = shown(&cx, &process, &process.fields.summary);
        let rules = shown(&cx, &process, &process.fields.rules);
        let (id, phase, level) = (process.id, process.phase, process.fields.level);
        let participants = view! { <Participants cx=cx.clone() page=page.clone() /> };
        let activity = view! { <Activity cx=cx.clone() process=id events=page.events.clone() /> };
        let drafts = page
            .drafts
            .iter()
            .map(|d| {
                view! {
                    <li>
                        <a href=format!("/processes/{}/drafts/{}", d.process, d.id) lang=d.language.clone()>{d.title.clone()}</a>
                        {d.locked_at.is_some().then(|| view! { " " <span class="badge warning">{t(Msg::DraftLockedBadge)}</span> })}
                    </li>
                }
            })
            .collect_view();
        let no_drafts = page.drafts.is_empty();
        let now: Vec<Msg> = Action::ALL
            .into_iter()
            // Reading and reporting are open to everyone at all times: not a part to play now.
            .filter(|a| !matches!(a, Action::View | Action::Report) && may(&page, *a))
            .map(|a| a.label())
            .collect();
        let can_tend = may(&page, Action::EditRules)
            || may(&page, Action::ChangePhase)
            || may(&page, Action::CreateDraft);
        let can_manage = may(&page, Action::Manage);
        let can_moderate = may(&page, Action::Moderate);
        let steps = next_steps(&page, cx.lang.code())
            .into_iter()
            .enumerate()
            .map(|(i, step)| {
                let (href, label) = step_link(&cx, id, &step);
                // One primary action; whatever follows is secondary.
                let class = if i == 0 { "button" } else { "button secondary" };
                view! { <li><a class=class href=href>{label}</a></li> }
            })
            .collect::<Vec<_>>();
        let has_steps = !steps.is_empty();
        let steps = has_steps.then(|| view! { <ul class="next-steps">{steps}</ul> });
        let your_part = if cx.viewer.is_none() && has_steps {
            // The first button already leads to signing in.
            view! { <p>{t(Msg::ProcessSignInToTakePart)}</p> }.into_any()
        } else if cx.viewer.is_none() {
            // Nothing a citizen could do now, but a co-drafter or a council member may sign in.
            view! {
                <p>
                    {t(Msg::ProcessSignInToTakePart)} " "
                    <a href=format!("/auth/login?next=/processes/{id}")>{t(Msg::NavSignIn)}</a>
                </p>
            }
            .into_any()
        } else if now.is_empty() && has_steps {
            ().into_any()
        } else if now.is_empty() {
            view! { <p>{t(Msg::ProcessNothingNow)}</p> }.into_any()
        } else {
            view! {
                <p>{t(Msg::NextStepMayInPhase)}</p>
                <ul class="may-now">{now.into_iter().map(|m| view! { <li>{t(m)}</li> }).collect_view()}</ul>
            }
            .into_any()
        };
        let answers = page
            .own_comments
            .iter()
            .any(|c| c.answer.is_some())
            .then(|| {
                view! {
                    <section aria-labelledby="your-answers" class="your-answers">
                        <h2 id="your-answers">{t(Msg::OwnCommentsOnProcess)}</h2>
                        <OwnCommentList comments=page.own_comments.clone() with_process=false />
                        <p><a href="/account/comments">{t(Msg::OwnCommentsAccountLink)}</a></p>
                    </section>
                }
            });
        view! {
            <Page title=title.text.clone() no_heading=true>
                <article class="process">
                    <header>
                        <h1 lang=title.lang.clone()>{title.text.clone()}</h1>
                        <p class="meta">
                            <PhaseBadge phase=phase />
                            " " <span>{t(level.label())}</span>
                        </p>
                        <crate::components::follow::FollowControl subject=crate::domain::notice::FollowSubject::Process id=id.0 />
                    </header>
                    // What the viewer can do now comes first, before the summary: one place says it.
                    <aside class="your-part" aria-labelledby="your-part">
                        <h2 id="your-part">{t(Msg::ProcessYourPart)}</h2>
                        {steps}
                        {your_part}
                        <p>
                            <a href=format!("/processes/{id}/how-it-works")>{t(Msg::ProcessHowItWorks)}</a>
                        </p>
                        <p><a href=format!("/processes/{id}/moderation-log")>{t(Msg::CommentModerationLog)}</a></p>
                        {crate::pages::budgets::process_budget_link(page.budget)}
                        {can_tend.then(|| view! { <p><a class="button secondary" href=format!("/processes/{id}/manage")>{t(Msg::ProcessManage)}</a></p> })}
                        {can_moderate.then(|| view! { <p><a class="button secondary" href=format!("/processes/{id}/moderation")>{t(Msg::CommentModerationQueue)}</a></p> })}
                        {can_manage.then(|| view! { <p><a class="button secondary" href=format!("/admin/processes/{id}")>{t(Msg::AdminEditProcess)}</a></p> })}
                    </aside>
                    <TextBlocks shown=summary />
                    {answers}
                    <section aria-labelledby="drafts">
                        <h2 id="drafts">{t(Msg::ProcessDrafts)}</h2>
                        {if no_drafts { view! { <p>{t(Msg::ProcessNoDrafts)}</p> }.into_any() } else { view! { <ul class="drafts">{drafts}</ul> }.into_any() }}
                    </section>
                    <DecisionList process=id decisions=page.decisions.clone() drafts=page.drafts.clone() may_freeze=may(&page, Action::FreezeDraft) today=cx.today() />
                    <SittingList process=id sittings=page.sittings.clone() may_schedule=may(&page, Action::RunSitting) my_orgs=page.acting_options.iter().map(|o| o.id).collect() />
                    <section aria-labelledby="timeline">
                        <h2 id="timeline">{t(Msg::ProcessTimeline)}</h2>
                        <Timeline process=process />
                    </section>
                    <section aria-labelledby="rules">
                        <h2 id="rules">{t(Msg::ProcessRules)}</h2>
                        <TextBlocks shown=rules />
                    </section>
                    {participants}
                    {activity}
                </article>
            </Page>
        }
    })
}

/// Where a next step leads, and what its button says.
fn step_link(cx: &RequestContext, id: ProcessId, step: &NextStep) -> (String, String) {
    match step {
        NextStep::SeeAnswers => ("#your-answers".into(), t(Msg::NextStepSeeAnswers)),
        NextStep::Answer { decision, vote } => (
            format!("/processes/{id}/decisions/{decision}#answers"),
            t(if *vote {
                Msg::NextStepAnswerAndVote
            } else {
                Msg::NextStepAnswer
            }),
        ),
        NextStep::Freeze => ("#decisions".into(), t(Msg::NextStepFreeze)),
        NextStep::FollowUp { decision } => (
            format!("/processes/{id}/decisions/{decision}#follow-up"),
            t(Msg::NextStepFollowUp),
        ),
        NextStep::Write { draft } => (
            format!("/processes/{id}/drafts/{draft}"),
            t(Msg::NextStepWrite),
        ),
        NextStep::Comment { draft } => (
            format!("/processes/{id}/drafts/{draft}"),
            t(Msg::NextStepComment),
        ),
        NextStep::Sitting {
            sitting,
            starts_at,
            open,
            take_part,
        } => {
            let date = day_in_words(cx, *starts_at);
            let label = match (open, take_part) {
                (true, true) => t(Msg::NextStepJoinSittingNow),
                (true, false) => t(Msg::NextStepWatchSittingNow),
                (false, true) => cx.t(Msg::NextStepJoinSittingOn { date }),
                (false, false) => cx.t(Msg::NextStepWatchSittingOn { date }),
            };
            (format!("/processes/{id}/sittings/{sitting}"), label)
        }
        NextStep::SignIn => (
            format!("/auth/login?next=/processes/{id}"),
            t(Msg::NextStepSignIn),
        ),
    }
}

/// The day of `millis` (UTC) in words in the viewer's language ("4 December", "12月4日"), with
/// the year when it is not this year.
pub fn day_in_words(cx: &RequestContext, millis: i64) -> String {
    const MONTHS: [Msg; 12] = [
        Msg::DateJanuary,
        Msg::DateFebruary,
        Msg::DateMarch,
        Msg::DateApril,
        Msg::DateMay,
        Msg::DateJune,
        Msg::DateJuly,
        Msg::DateAugust,
        Msg::DateSeptember,
        Msg::DateOctober,
        Msg::DateNovember,
        Msg::DateDecember,
    ];
    let day = crate::domain::process::Day::from_unix_days(millis.div_euclid(86_400_000));
    // `YYYY-MM-DD`, read back into its parts.
    let text = day.to_string();
    let number = |range: std::ops::Range<usize>| text[range].parse::<usize>().unwrap_or(1);
    let (year, month, day_of_month) = (number(0..4), number(5..7), number(8..10));
    let month = cx.t(MONTHS[(month - 1).min(11)].clone());
    let day = day_of_month.to_string();
    if text[0..4] == cx.today().to_string()[0..4] {
        cx.t(Msg::DateDayMonth { day, month })
    } else {
        cx.t(Msg::DateDayMonthYear {
            day,
            month,
            year: year.to_string(),
        })
    }
}

#[component]
fn Participants(cx: RequestContext, page: PageData) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let groups = StakeholderKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let orgs: Vec<_> = page.participants.organisations.iter().filter(|o| o.org.kind.stakeholder() == kind).collect();
            (!orgs.is_empty()).then(|| {
                let items = orgs
                    .into_iter()
                    .map(|o| {
                        view! {
                            <li>
                                <a href=format!("/organisations/{}", o.org.id)>
                                    <Local shown=o.org.name.pick(&lang, &page.process.fields.languages) />
                                </a>
                                " (" {t(o.org.kind.label())} ")"
                                {(o.role == OrgRole::CoDrafter).then(|| view! { " " <span class="badge">{t(Msg::OrgRoleCoDrafter)}</span> })}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <div class=format!("stakeholder stakeholder-{}", kind.code())>
                        <h3>{t(kind.label())}</h3>
                        <ul>{items}</ul>
                    </div>
                }
            })
        })
        .collect_view();
    let people = PersonalRole::ALL
        .into_iter()
        .filter_map(|role| {
            let names: Vec<String> = page
                .participants
                .people
                .iter()
                .filter(|p| p.role == role)
                .map(|p| p.display_name.clone())
                .collect();
            (!names.is_empty()).then(|| {
                view! {
                    <p>
                        <strong>{t(role.role().label())} ": "</strong>
                        {names.join(", ")}
                    </p>
                }
            })
        })
        .collect_view();
    view! {
        <section aria-labelledby="participants">
            <h2 id="participants">{t(Msg::ProcessParticipants)}</h2>
            <div class="stakeholders">{groups}</div>
            {people}
        </section>
    }
}

#[component]
fn Activity(
    cx: RequestContext,
    process: crate::ids::ProcessId,
    events: Vec<ProcessEvent>,
) -> impl IntoView {
    let items = events
        .into_iter()
        .map(|event| {
            let (what, by) = event_words(cx.lang, &event);
            view! {
                <li>
                    <time datetime=format_time(event.at)>{format_time(event.at)}</time>
                    " " {what} " — " {by}
                </li>
            }
        })
        .collect_view();
    let feed = format!("/processes/{process}/activity.atom");
    view! {
        <section aria-labelledby="activity">
            <h2 id="activity">{t(Msg::ProcessActivity)}</h2>
            <p><a href=feed type="application/atom+xml">{t(Msg::ProcessActivityFeed)}</a></p>
            <ol class="activity" reversed>{items}</ol>
        </section>
    }
}

/// What an entry of a process's activity log says, in `lang`: what happened, and who did it
/// (for which organisation). The process page and its Atom feed say it alike.
pub fn event_words(lang: crate::i18n::Lang, event: &ProcessEvent) -> (String, String) {
    let r = |msg: Msg| msg.render(lang);
    let what = match &event.kind {
        EventKind::DraftCreated { .. } => r(Msg::EventDraftCreated {
            name: event.subject_name.clone().unwrap_or_default(),
        }),
        EventKind::DraftLocked { locked, .. } => r(if *locked {
            Msg::EventDraftLocked {
                name: event.subject_name.clone().unwrap_or_default(),
            }
        } else {
            Msg::EventDraftUnlocked {
                name: event.subject_name.clone().unwrap_or_default(),
            }
        }),
        EventKind::VersionNamed { .. } => r(Msg::EventVersionNamed {
            name: event.subject_name.clone().unwrap_or_default(),
        }),
        EventKind::ProcessCreated => r(Msg::EventProcessCreated),
        EventKind::DetailsEdited => r(Msg::EventDetailsEdited),
        EventKind::PhaseChanged { from, to } => r(Msg::EventPhaseChanged {
            from: r(from.label()),
            to: r(to.label()),
        }),
        EventKind::RulesEdited => r(Msg::EventRulesEdited),
        EventKind::OrganisationRole { role, .. } => r(Msg::EventOrganisationRole {
            name: event.subject_name.clone().unwrap_or_default(),
            role: role
                .map(|role| r(role.label()))
                .unwrap_or_else(|| r(Msg::EventRemoved)),
        }),
        EventKind::PersonRole { role, assigned, .. } => r(Msg::EventPersonRole {
            name: event.subject_name.clone().unwrap_or_default(),
            role: r(role.role().label()),
            change: r(if *assigned {
                Msg::EventAssigned
            } else {
                Msg::EventWithdrawn
            }),
        }),
        EventKind::BudgetCreated { .. } => r(Msg::EventBudgetCreated {
            name: event.subject_name.clone().unwrap_or_default(),
        }),
        EventKind::BudgetAreasEdited { .. } => r(Msg::EventBudgetAreasEdited {
            name: event.subject_name.clone().unwrap_or_default(),
        }),
        EventKind::BudgetStaff { role, assigned, .. } => r(Msg::EventBudgetStaff {
            name: event.subject_name.clone().unwrap_or_default(),
            role: r(role.label()),
            change: r(if *assigned {
                Msg::EventAssigned
            } else {
                Msg::EventWithdrawn
            }),
        }),
        EventKind::BudgetPhaseChanged { from, to, .. } => r(Msg::EventBudgetPhaseChanged {
            from: r(from.label()),
            to: r(to.label()),
        }),
        EventKind::ProjectProposed { .. } => r(Msg::EventProjectProposed {
            name: event.subject_name.clone().unwrap_or_default(),
        }),
        EventKind::ProjectReviewed { status, .. } => r(Msg::EventProjectReviewed {
            name: event.subject_name.clone().unwrap_or_default(),
            status: r(status.label()),
        }),
        EventKind::ProjectUpdated { .. } => r(Msg::EventProjectUpdated {
            name: event.subject_name.clone().unwrap_or_default(),
        }),
        EventKind::CensusUploaded { entries, .. } => r(Msg::EventCensusUploaded {
            name: event.subject_name.clone().unwrap_or_default(),
            count: entries.to_string(),
        }),
        EventKind::CodesIssued { count, .. } => r(Msg::EventCodesIssued {
            name: event.subject_name.clone().unwrap_or_default(),
            count: count.to_string(),
        }),
    };
    let by = match &event.org_name {
        Some(org) => r(Msg::EventByFor {
            name: event.actor_name.clone(),
            org: org.pick(lang.code(), &[]).text,
        }),
        None => r(Msg::EventBy {
            name: event.actor_name.clone(),
        }),
    };
    (what, by)
}

/// `YYYY-MM-DD HH:MM` UTC, readable and unambiguous.
pub fn format_time(millis: i64) -> String {
    let day = crate::domain::process::Day::from_unix_days(millis.div_euclid(86_400_000));
    let minutes = millis.rem_euclid(86_400_000) / 60_000;
    format!("{day} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// `/processes/{id}/how-it-works`: for citizens, who decides, on what basis, what each person may
/// do in each phase (printed from the same rules the server enforces), and what happens to input.
#[component]
pub fn HowItWorksPage() -> impl IntoView {
    load_process(|cx, page| {
        let process = page.process.clone();
        let title = shown(&cx, &process, &process.fields.title);
        let [who_decides, legal_basis, input_outcome] = [
            &process.fields.who_decides,
            &process.fields.legal_basis,
            &process.fields.input_outcome,
        ]
        .map(|text| shown(&cx, &process, text));
        let heading = cx.t(Msg::HowTitle {
            process: title.text.clone(),
        });
        let current = cx.t(Msg::HowCurrentPhase {
            phase: t(process.phase.label()),
        });
        let id = process.id;
        let roles = Role::ALL;
        let header = roles
            .iter()
            .map(|r| view! { <th scope="col">{t(r.label())}</th> })
            .collect_view();
        let rows = Action::ALL
            .into_iter()
            .map(|action| {
                let cells = roles
                    .iter()
                    .map(|role| {
                        let phases: Vec<String> = Phase::ALL
                            .into_iter()
                            .filter(|p| permits(*role, action, *p))
                            .map(|p| t(p.label()))
                            .collect();
                        let text = if phases.len() == Phase::ALL.len() {
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
        let phases = Phase::ALL
            .into_iter()
            .map(|phase| {
                let dates = process
                    .dates(phase)
                    .map(|d| format!(" ({} – {})", d.starts_on, d.ends_on));
                view! {
                    <dt>{t(phase.label())} {dates}</dt>
                    <dd>{t(phase.explanation())}</dd>
                }
            })
            .collect_view();
        view! {
            <Page title=heading>
                <p>
                    <a href=format!("/processes/{id}")>{t(Msg::HowBackToProcess)}</a>
                </p>
                <section aria-labelledby="who-decides">
                    <h2 id="who-decides">{t(Msg::HowWhoDecides)}</h2>
                    <TextBlocks shown=who_decides />
                </section>
                <section aria-labelledby="legal-basis">
                    <h2 id="legal-basis">{t(Msg::HowLegalBasis)}</h2>
                    <TextBlocks shown=legal_basis />
                </section>
                <section aria-labelledby="phases">
                    <h2 id="phases">{t(Msg::HowPhases)}</h2>
                    <p>{current}</p>
                    <dl class="phases">{phases}</dl>
                </section>
                <section aria-labelledby="who-may">
                    <h2 id="who-may">{t(Msg::HowWhoMay)}</h2>
                    <p>{t(Msg::HowWhoMayIntro)}</p>
                    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="who-may">
                        <table>
                            <caption>{t(Msg::HowMatrixCaption)}</caption>
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
                <section aria-labelledby="input-outcome">
                    <h2 id="input-outcome">{t(Msg::HowInputOutcome)}</h2>
                    <TextBlocks shown=input_outcome />
                </section>
            </Page>
        }
    })
}

/// `/processes/{id}/manage`: the mediator's tools (phase, rules of engagement).
#[component]
pub fn ManagePage() -> impl IntoView {
    load_process(|cx, page| {
        let process = page.process.clone();
        let title = shown(&cx, &process, &process.fields.title);
        let heading = cx.t(Msg::ManageTitle {
            process: title.text.clone(),
        });
        let (id, phase) = (process.id, process.phase);
        let (acting_for_phase, acting_for_rules) =
            (page.acting_options.clone(), page.acting_options.clone());
        let can_rules = may(&page, Action::EditRules);
        let can_phase = may(&page, Action::ChangePhase);
        let can_draft = may(&page, Action::CreateDraft);
        let first_language = process
            .fields
            .languages
            .first()
            .cloned()
            .unwrap_or_default();
        if !can_rules && !can_phase && !can_draft {
            let error = if cx.viewer.is_none() {
                AppError::Unauthenticated
            } else {
                AppError::Forbidden(Msg::ErrorMediatorsOnly)
            };
            return view! { <super::ErrorPage error=error /> }.into_any();
        }
        let action = format!("/processes/{}/manage", process.id);
        let phases = Phase::ALL
            .into_iter()
            .map(|p| (p.code().to_string(), t(p.label())))
            .collect();
        // Built inside the form (below), where its intent gives the fields their ids.
        let rule_fields = {
            let (process, cx) = (process.clone(), cx.clone());
            move || {
                process
            .fields
            .languages
            .iter()
            .map(|lang| {
                view! {
                    <TextArea
                        name=format!("rules.{lang}")
                        label=cx.t(Msg::FormInLanguage { field: t(Msg::ProcessRules), lang: lang.clone() })
                        value=process.fields.rules.get(lang).unwrap_or_default().to_string()
                        rows=12
                        lang=lang.clone()
                        hint=t(Msg::FormTextHint)
                    />
                }
            })
            .collect_view()
            }
        };
        view! {
            <Page title=heading>
                <p><a href=format!("/processes/{id}")>{t(Msg::HowBackToProcess)}</a></p>
                {can_phase.then(|| view! {
                    <section>
                        <h2>{t(Msg::ManagePhase)}</h2>
                        <ErrorSummary intent="phase" />
                        <PostForm action=action.clone() intent="phase" class="narrow">
                            <Select name="phase".into() label=t(Msg::ManageNewPhase) options=phases selected=phase.code().to_string() />
                            <ActingAsField organisations=acting_for_phase />
                            <button type="submit">{t(Msg::ManageChangePhase)}</button>
                        </PostForm>
                    </section>
                })}
                {can_draft.then(|| view! {
                    <section>
                        <h2>{t(Msg::ProcessNewDraft)}</h2>
                        <ErrorSummary intent="draft" />
                        <PostForm action=action.clone() intent="draft" class="narrow" enctype="multipart/form-data">
                            <TextField name="title".into() label=t(Msg::ProcessDraftTitle) hint=t(Msg::ProcessDraftTitleHint) />
                            <TextField name="language".into() label=t(Msg::ProcessDraftLanguage) value=first_language.clone() hint=t(Msg::FormLanguagesHint) required=true />
                            <TextArea name="summary".into() label=t(Msg::ProcessDraftSummary) rows=3 />
                            <FileField
                                name="document".into()
                                label=t(Msg::ProcessDraftDocument)
                                hint=t(Msg::ProcessDraftDocumentHint)
                                accept=".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                            />
                            <button type="submit">{t(Msg::ProcessNewDraft)}</button>
                        </PostForm>
                    </section>
                })}
                {can_rules.then(|| view! {
                    <section>
                        <h2>{t(Msg::ProcessRules)}</h2>
                        <ErrorSummary intent="rules" />
                        <PostForm action=action.clone() intent="rules">
                            {rule_fields()}
                            <ActingAsField organisations=acting_for_rules />
                            <button type="submit">{t(Msg::FormSave)}</button>
                        </PostForm>
                    </section>
                })}
            </Page>
        }
        .into_any()
    })
}
