//! Sittings: the scheduling form, and a sitting's page — the live room (console, participant
//! window or public view, by seat), its minutes, and once closed its public record.

use super::{load, param};
use crate::api;
use crate::api::sittings::{AGENDA_ROWS, MAX_TURN_MINUTES, ScheduleForm, SittingPage as PageData};
use crate::components::draft_editor::DraftEditor;
use crate::components::form::{Checkbox, ErrorSummary, PostForm, Select, TextField, field_id};
use crate::components::layout::{Page, notice_at, t};
use crate::components::sitting_room::SittingRoom;
use crate::components::text::TextBlocks;
use crate::domain::sitting::{Seat, Stage};
use crate::i18n::Msg;
use crate::ids::{OrgId, ProcessId, SittingId};
use crate::model::Sitting;
use crate::pages::drafts::editor_text;
use crate::pages::process::format_time;
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/processes/{id}/sittings/new`: a mediator schedules a sitting.
#[component]
pub fn NewSittingPage() -> impl IntoView {
    let process = param::<ProcessId>("id");
    load(
        move |cx| async move {
            let form = api::sittings::schedule_form(&cx, process?).await?;
            Ok((cx, form))
        },
        |(cx, form)| schedule_view(cx, form),
    )
}

fn schedule_view(cx: RequestContext, form: ScheduleForm) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let process = form.process.clone();
    let title = process
        .fields
        .title
        .pick(&lang, &process.fields.languages)
        .text;
    let action = format!("/processes/{}/sittings/new", process.id);
    let mut about = vec![(String::new(), t(Msg::SittingAboutNothing))];
    for draft in &form.drafts {
        about.push((
            format!("draft:{}", draft.id),
            cx.t(Msg::SittingAboutDraft {
                draft: draft.title.clone(),
            }),
        ));
    }
    for (draft, thread, opening) in &form.threads {
        about.push((
            format!("thread:{draft}:{thread}"),
            cx.t(Msg::SittingAboutThread {
                n: thread.to_string(),
                opening: opening.clone(),
            }),
        ));
    }
    let rows = (0..AGENDA_ROWS)
        .map(|i| {
            let about = about.clone();
            view! {
                <div class="agenda-row">
                    <TextField name=format!("item.{i}.text") label=cx.t(Msg::SittingItemLabel { n: (i + 1).to_string() }) required={i == 0} />
                    <Select name=format!("item.{i}.about") label=t(Msg::SittingItemAbout) options=about />
                </div>
            }
        })
        .collect_view();
    let orgs = form
        .organisations
        .iter()
        .map(|o| {
            view! {
                <Checkbox
                    name=format!("invite.{}", o.id)
                    label=format!("{} ({})", o.name.pick(&lang, &[]).text, t(o.kind.label()))
                />
            }
        })
        .collect_view();
    let note_takers = form
        .note_takers
        .iter()
        .map(|(id, name)| view! { <Checkbox name=format!("note_taker.{id}") label=name.clone() /> })
        .collect_view();
    view! {
        <Page title=cx.t(Msg::SittingScheduleTitle { process: title })>
            <p><a href=format!("/processes/{}", process.id)>{t(Msg::HowBackToProcess)}</a></p>
            <ErrorSummary intent="schedule" />
            <PostForm action=action intent="schedule">
                <TextField name="title".into() label=t(Msg::SittingTitleLabel) required=true />
                <TextField name="starts_at".into() label=t(Msg::SittingStartsAt) kind="datetime-local" hint=t(Msg::SittingStartsAtHint) required=true />
                <TextField name="place".into() label=t(Msg::SittingPlace) hint=t(Msg::SittingPlaceHint) required=true />
                <TextField name="turn_minutes".into() label=t(Msg::SittingTurnMinutes) kind="number" value="3".into() hint=cx.t(Msg::SittingTurnMinutesHint { max: MAX_TURN_MINUTES.to_string() }) required=true />
                <Checkbox name="public".into() label=t(Msg::SittingPublicLabel) hint=t(Msg::SittingPublicHint) checked=true />
                <fieldset>
                    <legend>{t(Msg::SittingAgenda)}</legend>
                    <p class="hint">{t(Msg::SittingAgendaHint)}</p>
                    {rows}
                </fieldset>
                <fieldset id=field_id("invited")>
                    <legend>{t(Msg::SittingInvited)}</legend>
                    <p class="hint">{t(Msg::SittingInvitedHint)}</p>
                    {orgs}
                </fieldset>
                <fieldset id=field_id("note_takers")>
                    <legend>{t(Msg::SittingNoteTakers)}</legend>
                    <p class="hint">{t(Msg::SittingNoteTakersHint)}</p>
                    {note_takers}
                </fieldset>
                <button type="submit">{t(Msg::SittingSchedule)}</button>
            </PostForm>
        </Page>
    }
}

/// `/processes/{id}/sittings/{sitting}`: the sitting, live, or its record once closed.
#[component]
pub fn SittingPage() -> impl IntoView {
    let (process, sitting) = (param::<ProcessId>("id"), param::<SittingId>("sitting"));
    let query = use_query_map().read_untracked().clone();
    let chosen = query.get("as").and_then(|v| v.parse::<OrgId>().ok());
    // `?confirm=close`: the chair's confirmation step for closing, as a page (no JavaScript needed).
    let confirm_close = query.get("confirm").as_deref() == Some("close");
    load(
        move |cx| async move {
            let page = api::sittings::page(&cx, process?, sitting?, chosen).await?;
            Ok((cx, page))
        },
        move |(cx, page)| sitting_view(cx, page, confirm_close),
    )
}

fn sitting_view(cx: RequestContext, page: PageData, confirm_close: bool) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let languages = page.process.fields.languages.clone();
    let sitting = page.sitting.clone();
    let process_title = page.process.fields.title.pick(&lang, &languages).text;
    let base = format!("/processes/{}/sittings/{}", page.process.id, sitting.id);
    let closed = sitting.state.stage == Stage::Closed;
    let invited = sitting
        .invited
        .iter()
        .filter_map(|o| page.organisations.get(o))
        .map(|o| view! { <li><a href=format!("/organisations/{}", o.id)>{o.name.pick(&lang, &languages).text}</a> " (" {t(o.kind.label())} ")"</li> })
        .collect_view();
    let org_names: Vec<(i64, String)> = page
        .organisations
        .values()
        .map(|o| (o.id.0, o.name.pick(&lang, &languages).text))
        .collect();
    // Someone in several invited organisations chooses which one they speak for.
    let choose = (page.speak_options.len() > 1 && !closed).then(|| {
        let options = page
            .speak_options
            .iter()
            .map(|o| {
                let selected = Some(o.id) == page.acting_for;
                view! { <option value=o.id.to_string() selected=selected>{o.name.pick(&lang, &languages).text}</option> }
            })
            .collect_view();
        view! {
            <form method="get" action=base.clone() class="compare-form">
                <label for="speaking-for">{t(Msg::SittingSpeakingFor)}</label>
                <select id="speaking-for" name="as">{options}</select>
                <button type="submit" class="secondary">{t(Msg::NavLanguageApply)}</button>
            </form>
        }
    });
    // The chair runs the sitting under the rules; the box is for those who come to speak. Built
    // while the page's children are (called there), where the form's summary marks itself shown.
    let rules = {
        let show = page.needs_rules && !closed && page.seat != Seat::Chair;
        let text = page.process.fields.rules.pick(&lang, &languages);
        let (base, acting_for) = (base.clone(), page.acting_for);
        move || {
            show.then(move || {
                view! {
                    <section class="rules-acceptance" aria-labelledby="rules-h">
                        <h2 id="rules-h">{t(Msg::SittingRulesTitle)}</h2>
                        <p>{t(Msg::SittingRulesIntro)}</p>
                        <div class="rules-text" tabindex="0" role="region" aria-labelledby="rules-h">
                            <TextBlocks shown=text.clone() />
                        </div>
                        <ErrorSummary intent="rules" />
                        <PostForm action=base.clone() intent="rules">
                            {acting_for.map(|o| view! { <input type="hidden" name="acting_for" value=o.to_string() /> })}
                            <Checkbox name="accept".into() label=t(Msg::SittingRulesAccept) />
                            <button type="submit">{t(Msg::SittingRulesSubmit)}</button>
                        </PostForm>
                    </section>
                }
            })
        }
    };
    let seat_note = match page.seat {
        Seat::Chair => t(Msg::SittingSeatChair),
        Seat::Speaker => {
            let org = page
                .acting_for
                .and_then(|o| page.organisations.get(&o))
                .map(|o| o.name.pick(&lang, &languages).text);
            match org {
                Some(org) => cx.t(Msg::SittingSeatSpeakerFor { org }),
                None => t(Msg::SittingSeatSpeaker),
            }
        }
        Seat::Observer => t(Msg::SittingSeatObserver),
    };
    // Someone who has yet to accept the rules reads why in the rules box instead.
    let show_seat = !closed && !page.needs_rules;
    let room = view! {
        <SittingRoom
            sitting=sitting.clone()
            mine=page.mine
            seat=page.seat
            acting_for=page.acting_for.map(|o| o.0)
            lang=cx.lang
            org_names=org_names
            agenda_links=page.agenda_links.clone()
            now=cx.now
            confirm_close=confirm_close
        />
    };
    let minutes = minutes_view(&cx, &page);
    let note_takers = page.note_takers.join(", ");
    let has_note_takers = !page.note_takers.is_empty();
    let heading = if closed {
        cx.t(Msg::SittingRecordTitle {
            title: sitting.title.clone(),
        })
    } else {
        sitting.title.clone()
    };
    view! {
        <Page title=heading>
            <p class="meta">
                <a href=format!("/processes/{}", page.process.id)>{process_title}</a>
                " · " <time>{format_time(sitting.starts_at)}</time>
                " · " <span>{sitting.place.clone()}</span>
                " · " {if sitting.public { t(Msg::SittingPublicBadge) } else { t(Msg::SittingInvitedOnlyBadge) }}
                " · " <a href=format!("/processes/{}/sittings/{}.ics?lang={}", page.process.id, sitting.id, cx.lang.code()) type="text/calendar">{t(Msg::CalendarAddSitting)}</a>
            </p>
            <details class="invited">
                <summary>{t(Msg::SittingInvited)} " (" {sitting.invited.len()} ")"</summary>
                <ul>{invited}</ul>
                {has_note_takers.then(|| view! { <p>{t(Msg::SittingNoteTakers)} ": " {note_takers}</p> })}
            </details>
            {show_seat.then(|| view! { <p class="seat">{seat_note}</p> })}
            {choose}
            {rules()}
            // The room is an island: a form's notice (its redirect ends in #room) stands just above it.
            {notice_at("room".into())}
            {room}
            {minutes}
            {closed.then(|| view! {
                <p><a href=format!("/api/v1/sittings/{}", sitting.id)>{t(Msg::SittingOpenData)}</a></p>
            })}
        </Page>
    }
}

/// The minutes: co-edited live by the chair and the note-takers; read by the others; published
/// read-only with the record.
fn minutes_view(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let sitting: &Sitting = &page.sitting;
    let editor = view! {
        <DraftEditor
            process=page.process.id.0
            marks=Vec::new()
            draft=sitting.minutes.0
            acting_for=None
            writable=page.minutes_writable
            may_comment=false
            runs=page.minutes.runs.clone()
            lang=page.process.fields.languages.first().cloned().unwrap_or_default()
            words=editor_text(cx)
        />
    };
    let closed = sitting.state.stage == Stage::Closed;
    let assets = page
        .minutes_writable
        .then(crate::pages::drafts::editor_assets);
    view! {
        <section class="minutes" aria-labelledby="minutes-h">
            {assets}
            <h2 id="minutes-h">{t(Msg::SittingMinutes)}</h2>
            {if closed {
                let text = page.minutes.text.clone();
                if text.trim().is_empty() {
                    view! { <p>{t(Msg::SittingNoMinutes)}</p> }.into_any()
                } else {
                    view! { <div class="minutes-text">{text.split('\n').map(|line| view! { <p>{line.to_string()}</p> }).collect_view()}</div> }.into_any()
                }
            } else {
                view! {
                    <p class="hint">{if page.minutes_writable { t(Msg::SittingMinutesYouWrite) } else { t(Msg::SittingMinutesOthersWrite) }}</p>
                    {editor}
                }
                .into_any()
            }}
        </section>
    }
}

/// The sittings of a process, for its page: upcoming and live first, then past records.
#[component]
pub fn SittingList(
    process: ProcessId,
    sittings: Vec<Sitting>,
    may_schedule: bool,
    /// The viewer's organisations, to mark the sittings they are invited to.
    my_orgs: Vec<OrgId>,
) -> impl IntoView {
    let lang = crate::ssr::cx().lang;
    let items = sittings
        .iter()
        .map(|s| {
            let stage = t(s.state.stage.label());
            let live = s.state.stage == Stage::Open;
            let invited = s.state.stage != Stage::Closed && s.invited.iter().any(|o| my_orgs.contains(o));
            view! {
                <li>
                    <a href=format!("/processes/{process}/sittings/{}", s.id)>{s.title.clone()}</a>
                    " · " <time>{format_time(s.starts_at)}</time>
                    " " <span class="badge" class:live=live>{stage}</span>
                    {(!s.public).then(|| view! { " " <span class="badge secondary">{t(Msg::SittingInvitedOnlyBadge)}</span> })}
                    {invited.then(|| view! { " " <strong class="badge invited">{t(Msg::SittingYouAreInvited)}</strong> })}
                </li>
            }
        })
        .collect_view();
    let none = sittings.is_empty();
    view! {
        <section aria-labelledby="sittings">
            <h2 id="sittings">{t(Msg::SittingsTitle)}</h2>
            {if none { view! { <p>{t(Msg::SittingsNone)}</p> }.into_any() } else { view! { <ul class="sittings">{items}</ul> }.into_any() }}
            <p><a href=format!("/processes/{process}/calendar.ics?lang={}", lang.code()) type="text/calendar">{t(Msg::CalendarSubscribe)}</a></p>
            {may_schedule.then(|| view! { <p><a class="button secondary" href=format!("/processes/{process}/sittings/new")>{t(Msg::SittingSchedule)}</a></p> })}
        </section>
    }
}
