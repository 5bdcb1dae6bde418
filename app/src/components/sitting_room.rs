//! The live sitting, as one island: the chair's console, a participant's window and the public
//! view are the same component showing what the viewer's seat allows. The server renders it
//! whole (so it reads without JavaScript, and a closed sitting's record is this view of its final
//! state); in the browser it follows the live channel and sends the forms' commands over it.

use crate::collab::view::Status;
use crate::domain::org::{StakeholderKind, group_code};
use crate::domain::sitting::{
    self, Answer, Mine, OutcomeKind, Poll, PollKind, Refusal, Seat, Speaker, Stage,
};
use crate::i18n::{Lang, Msg};
use crate::model::Sitting;
use leptos::prelude::*;

/// How long the hands count stays flagged after a hand goes up, in milliseconds.
const NEW_HAND_FLAG_MS: i64 = 20_000;

/// Minutes and seconds, `m:ss`.
pub fn clock(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn send_form(event: leptos::ev::SubmitEvent) {
    #[cfg(feature = "hydrate")]
    crate::collab::sitting_client::send_form(event.into());
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// What every command form carries: where it posts, and whom the viewer speaks for.
#[derive(Clone)]
struct Forms {
    action: String,
    acting_for: Option<i64>,
}

impl Forms {
    /// A form that sends `what` with `fields`, and `body` (its inputs and button).
    fn form(
        &self,
        what: &'static str,
        fields: Vec<(&'static str, String)>,
        class: &'static str,
        body: AnyView,
    ) -> AnyView {
        let acting = self
            .acting_for
            .map(|o| view! { <input type="hidden" name="acting_for" value=o.to_string() /> });
        let hidden = fields
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
            .collect_view();
        view! {
            <form method="post" action=self.action.clone() class=format!("command {class}") on:submit=send_form>
                <input type="hidden" name="intent" value="command" />
                {acting}
                <input type="hidden" name="do" value=what />
                {hidden}
                {body}
            </form>
        }
        .into_any()
    }

    /// A form that is only a button.
    fn button(
        &self,
        what: &'static str,
        fields: Vec<(&'static str, String)>,
        label: String,
        class: &'static str,
    ) -> AnyView {
        self.form(
            what,
            fields,
            "inline",
            view! { <button type="submit" class=class>{label}</button> }.into_any(),
        )
    }
}

/// A sitting, live.
#[island]
pub fn SittingRoom(
    /// The sitting, its state as published.
    sitting: Sitting,
    /// The viewer's own place in it.
    mine: Mine,
    seat: Seat,
    /// The invited organisation the viewer speaks for.
    acting_for: Option<i64>,
    lang: Lang,
    /// Organisation names by id, in the reader's language.
    org_names: Vec<(i64, String)>,
    /// Each agenda item's link: (address, title).
    agenda_links: Vec<Option<(String, String)>>,
    /// The server's clock when the page was made.
    now: i64,
    /// The chair asked to close the sitting (`?confirm=close`): the confirmation step is shown.
    confirm_close: bool,
) -> impl IntoView {
    let t = move |m: Msg| m.render(lang);
    let id = sitting.id.0;
    let action = format!("/processes/{}/sittings/{}", sitting.process, id);
    // The confirmation step posts to its own address, so a refused close shows the step again.
    let confirm_href = format!("{action}?confirm=close#end-sitting");
    let keep_href = format!("{action}#end-sitting");
    let confirm_forms = Forms {
        action: format!("{action}?confirm=close"),
        acting_for,
    };
    let forms = Forms { action, acting_for };
    let (state, set_state) = signal(sitting);
    let (mine, set_mine) = signal(mine);
    let (status, set_status) = signal(Status::Static);
    let (refusal, set_refusal) = signal(None::<Refusal>);
    let (skew, set_skew) = signal(0.0f64);
    let (tick, set_tick) = signal(now);
    Effect::new(move |started: Option<bool>| {
        if started.is_none() {
            #[cfg(feature = "hydrate")]
            {
                if state.get_untracked().state.stage != Stage::Closed {
                    crate::collab::sitting_client::start(
                        id,
                        acting_for,
                        crate::collab::sitting_client::RoomOutputs {
                            sitting: set_state,
                            mine: set_mine,
                            skew: set_skew,
                            status: set_status,
                            refusal: set_refusal,
                        },
                    );
                }
                let _ = set_tick;
                set_interval(
                    move || set_tick.set((js_sys::Date::now() + skew.get_untracked()) as i64),
                    std::time::Duration::from_millis(1000),
                );
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (
                set_state,
                set_mine,
                set_status,
                set_refusal,
                set_skew,
                set_tick,
                skew,
            );
        }
        true
    });
    let names = std::sync::Arc::new(org_names);
    let who = {
        let names = names.clone();
        move |s: &Speaker| {
            let org = s
                .org
                .and_then(|o| names.iter().find(|(id, _)| *id == o.0))
                .map(|(_, n)| n.clone());
            match org {
                Some(org) => format!("{} ({org})", s.name),
                None => s.name.clone(),
            }
        }
    };
    let chair = seat == Seat::Chair;
    let speaker = seat == Seat::Speaker;
    // Forms with text in them are rebuilt only when what they show changes (memos), never on
    // every change to the room: a hand raised elsewhere must not wipe a question being typed.
    let open_memo = Memo::new(move |_| state.with(|s| s.state.stage == Stage::Open));
    let is_open = move || open_memo.get();
    // The open poll without its votes, which change as they come in.
    let asked = Memo::new(move |_| {
        state.with(|s| {
            s.state.open_poll().map(|p| Poll {
                votes: Default::default(),
                ..p.clone()
            })
        })
    });
    let voted = Memo::new(move |_| mine.with(|m| m.voted));
    // The floor and the queue matter only while the sitting is on.
    let live_now = move || state.with(|s| s.state.stage != Stage::Closed);

    let status_line = move || {
        let stage = t(state.with(|s| s.state.stage).label());
        let connection = match (state.with(|s| s.state.stage), status.get()) {
            (Stage::Closed, _) => None,
            (_, Status::Static) => Some(t(Msg::SittingNeedsScript)),
            (_, Status::Connecting) => Some(t(Msg::DraftConnecting)),
            (_, Status::Connected) => Some(t(Msg::SittingLive)),
            (_, Status::Offline) => Some(t(Msg::SittingOffline)),
        };
        view! {
            <p class="sitting-status">
                <span class="badge" data-stage=move || format!("{:?}", state.with(|s| s.state.stage)).to_lowercase()>{stage}</span>
                {connection.map(|c| view! { " " <span class="connection" data-status=format!("{:?}", status.get()).to_lowercase()>{c}</span> })}
            </p>
        }
    };
    let refusal_line = move || {
        refusal.get().map(|r| {
            view! { <p class="error-summary" role="alert">{t(r.message())}</p> }
        })
    };

    // Opening and closing.
    let stage_controls = {
        let forms = forms.clone();
        move || {
            if !chair {
                return None;
            }
            Some(match state.with(|s| s.state.stage) {
                Stage::Scheduled => forms.button("open", vec![], t(Msg::SittingOpen), ""),
                // Closing sits at the end of the console, behind its confirmation step.
                Stage::Open | Stage::Closed => return None,
            })
        }
    };

    // The agenda, the current item marked; the chair takes items up.
    let agenda = {
        let forms = forms.clone();
        move || {
            let s = state.get();
            s.agenda
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let current = s.state.current_item == Some(i) && s.state.stage == Stage::Open;
                    let link = agenda_links.get(i).cloned().flatten().map(|(href, title)| {
                        view! { " " <a href=href class="about">{title}</a> }
                    });
                    let take_up = (chair && s.state.stage == Stage::Open && !current).then(|| {
                        forms.button("set_item", vec![("item", i.to_string())], t(Msg::SittingTakeUp), "secondary small")
                    });
                    let outcomes = s
                        .state
                        .outcomes
                        .iter()
                        .filter(|o| o.item == Some(i))
                        .map(|o| view! { <li class=format!("outcome outcome-{}", o.kind.code())><strong>{t(o.kind.label())} ": "</strong>{o.text.clone()}</li> })
                        .collect_view();
                    view! {
                        <li class:current=current aria-current=current.then_some("step")>
                            <span class="item-text">{item.text.clone()}</span>
                            {link}
                            {current.then(|| view! { " " <span class="badge">{t(Msg::SittingNow)}</span> })}
                            {take_up}
                            <ul class="outcomes">{outcomes}</ul>
                        </li>
                    }
                })
                .collect_view()
        }
    };

    // The pinned bar: who has the floor with the turn's timer, the hands raised, the current item.
    // Each part is rebuilt only when what it shows changes (the timer's text alone ticks), so the
    // chair's "End the turn" stays put under the pointer.
    let turn = Memo::new(move |_| state.with(|s| s.state.floor().cloned()));
    let limit = Memo::new(move |_| state.with(|s| i64::from(s.turn_seconds) * 1000));
    // The turn's timer: only its text ticks.
    let timer = move |started: i64| {
        let over = move || tick.get() - started > limit.get();
        view! {
            <span class="timer" class:over=over>
                <span class="elapsed">{move || clock(tick.get() - started)}</span> " / " {move || clock(limit.get())}
                {move || over().then(|| view! { " " <span class="badge warning">{t(Msg::SittingOverTime)}</span> })}
            </span>
        }
    };
    let bar_floor = {
        let who = who.clone();
        move || match turn.get() {
            Some(turn) => {
                let name = who(&turn.speaker);
                let title = name.clone();
                view! {
                    <span class="floor-speaker" title=title>
                        <span class=format!("kind-dot kind-{}", group_code(turn.speaker.kind))></span>
                        <strong>{name}</strong>
                    </span>
                    " "
                    {timer(turn.started)}
                }
                .into_any()
            }
            None => {
                view! { <span class="floor-speaker none">{t(Msg::SittingNobodySpeaking)}</span> }
                    .into_any()
            }
        }
    };
    // Beside the floor, or on the next line of a phone's bar.
    let end_turn = {
        let forms = forms.clone();
        let someone_speaking = Memo::new(move |_| turn.with(Option::is_some));
        move || {
            (chair && someone_speaking.get()).then(|| {
                forms.button(
                    "end_turn",
                    vec![],
                    t(Msg::SittingEndTurn),
                    "secondary small",
                )
            })
        }
    };
    let hands = Memo::new(move |_| state.with(|s| s.state.queue.len()));
    let (new_hand_at, set_new_hand_at) = signal(None::<i64>);
    let raised = move || hands.get() != 0;
    let flagged = move || {
        raised()
            && new_hand_at
                .get()
                .is_some_and(|at| tick.get() - at < NEW_HAND_FLAG_MS)
    };
    let current_item = Memo::new(move |_| {
        state.with(|s| {
            s.state
                .current_item
                .and_then(|i| s.agenda.get(i))
                .map(|item| item.text.clone())
        })
    });
    // What changed, said once to screen readers (never the whole bar again on every message).
    let (announcement, set_announcement) = signal(String::new());
    let seen = Memo::new(move |_| {
        state.with(|s| {
            let floor = s.state.floor().map(|t| t.speaker.clone());
            (s.state.queue.clone(), floor)
        })
    });
    {
        let who = who.clone();
        Effect::new(move |before: Option<(Vec<Speaker>, Option<Speaker>)>| {
            let (queue, floor) = seen.get();
            if let Some((was_queued, had_floor)) = before {
                let said = changes_said(
                    &was_queued,
                    had_floor.as_ref(),
                    &queue,
                    floor.as_ref(),
                    lang,
                    &who,
                );
                if queue
                    .iter()
                    .any(|p| !was_queued.iter().any(|w| w.person == p.person))
                {
                    set_new_hand_at.set(Some(tick.get_untracked()));
                }
                if !said.is_empty() {
                    set_announcement.set(said);
                }
            }
            (queue, floor)
        });
    }
    // The speaker given the floor is told at the top of their window, assertively, with their
    // timer beside it (in place of the bar's floor part, which would name them again); if they were
    // reading elsewhere on the page, the notice is brought into view.
    let has_floor = Memo::new(move |_| speaker && mine.with(|m| m.has_floor));
    Effect::new(move |before: Option<bool>| {
        let now = has_floor.get();
        #[cfg(feature = "hydrate")]
        if now && before == Some(false) {
            request_animation_frame(bring_floor_notice_into_view);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = before;
        now
    });
    let floor_notice = move || {
        (has_floor.get() && is_open()).then(|| {
            view! {
                <div class="floor-notice">
                    // Only the words are announced, not the ticking timer.
                    <div role="alert">
                        <p class="floor-notice-title">{t(Msg::SittingYouHaveTheFloor)}</p>
                        <p>{t(Msg::SittingConsoleYouHaveTheFloorBody)}</p>
                    </div>
                    {move || turn.get().map(|turn| timer(turn.started))}
                </div>
            }
        })
    };
    let bar = view! {
        <div class="console-bar" role="region" aria-label=t(Msg::SittingConsoleBarLabel) hidden=move || !is_open()>
            {floor_notice}
            <div class="bar-parts">
                <div class="bar-floor" hidden=move || has_floor.get()>
                    <span class="bar-label">{t(Msg::SittingFloor)}</span> " "
                    {bar_floor}
                </div>
                {end_turn}
                <div class="bar-hands" class:raised=raised class:flagged=flagged>
                    <span class="hands-count">{move || t(Msg::SittingConsoleHands { n: hands.get().to_string() })}</span>
                    {move || flagged().then(|| view! { " " <span class="new-hand">{t(Msg::SittingConsoleNewHand)}</span> })}
                </div>
                <div class="bar-item">
                    <span class="bar-label">{t(Msg::SittingConsoleItem)}</span> " "
                    <span class="bar-item-text">{move || current_item.get().unwrap_or_else(|| t(Msg::SittingConsoleNoItem))}</span>
                </div>
            </div>
        </div>
        <p class="visually-hidden hands-announcement" role="status" aria-live="polite" aria-atomic="true">{announcement}</p>
    };

    // The speaking queue.
    let queue = {
        let forms = forms.clone();
        let who = who.clone();
        move || {
            let s = state.get();
            let open = s.state.stage == Stage::Open;
            let items = s
                .state
                .queue
                .iter()
                .enumerate()
                .map(|(place, person)| {
                    let person_id = person.person.0.to_string();
                    let controls = (chair && open).then(|| {
                        view! {
                            {forms.button("give_floor", vec![("person", person_id.clone())], t(Msg::SittingGiveFloor), "small")}
                            {(place > 0).then(|| forms.button("move_up", vec![("person", person_id.clone())], t(Msg::SittingMoveUp), "secondary small"))}
                        }
                    });
                    view! {
                        <li>
                            <span class=format!("kind-dot kind-{}", group_code(person.kind))></span>
                            <span class="queued">{who(person)}</span>
                            " " <span class="kind-name">{kind_name(person.kind, lang)}</span>
                            {controls}
                        </li>
                    }
                })
                .collect_view();
            let empty = s.state.queue.is_empty();
            let hand = (speaker && open).then(|| {
                let m = mine.get();
                if m.hand_raised {
                    forms.button("lower_hand", vec![], t(Msg::SittingLowerHand), "secondary")
                } else if m.has_floor {
                    // Told at the top of the window, in the floor notice.
                    ().into_any()
                } else {
                    forms.button("raise_hand", vec![], t(Msg::SittingRaiseHand), "")
                }
            });
            view! {
                {if empty { view! { <p>{t(Msg::SittingQueueEmpty)}</p> }.into_any() } else { view! { <ol class="queue">{items}</ol> }.into_any() }}
                {hand}
            }
        }
    };

    // Polls: the open one with its answers, then every poll's results.
    let polls = {
        let forms = forms.clone();
        let who = who.clone();
        let answering = {
            let forms = forms.clone();
            move || match asked.get() {
                Some(poll) if speaker && is_open() && !voted.get() => {
                    Some(vote_forms(&forms, &poll, lang))
                }
                Some(_) if speaker && voted.get() => {
                    Some(view! { <p class="badge">{t(Msg::SittingVoted)}</p> }.into_any())
                }
                _ => None,
            }
        };
        let asking = move || {
            let current = asked.with(Option::is_some);
            view! {
                {(chair && current).then(|| forms.button("close_poll", vec![], t(Msg::SittingClosePoll), "secondary"))}
                {(chair && is_open() && !current).then(|| new_poll_form(&forms, lang))}
            }
        };
        let results = move || {
            let s = state.get();
            let none = s.state.polls.is_empty() && !chair;
            let results = s
                .state
                .polls
                .iter()
                .enumerate()
                .rev()
                .map(|(i, poll)| poll_results(i, poll, &s, lang, &who))
                .collect_view();
            view! {
                {none.then(|| view! { <p>{t(Msg::SittingNoPolls)}</p> })}
                <div class="poll-results">{results}</div>
            }
        };
        view! { {answering} {asking} {results} }
    };

    // Outcomes the chair records against the current item.
    let record_outcome = {
        let forms = forms.clone();
        move || {
            (chair && is_open()).then(|| {
                let kinds = OutcomeKind::ALL
                    .into_iter()
                    .map(|k| view! { <option value=k.code()>{t(k.label())}</option> })
                    .collect_view();
                forms.form(
                    "record_outcome",
                    vec![],
                    "stacked",
                    view! {
                        <label for="outcome-kind">{t(Msg::SittingOutcomeKind)}</label>
                        <select id="outcome-kind" name="outcome">{kinds}</select>
                        <label for="outcome-text">{t(Msg::SittingOutcomeText)}</label>
                        <textarea id="outcome-text" name="text" rows="2" maxlength=sitting::MAX_TEXT required></textarea>
                        <button type="submit">{t(Msg::SittingRecordOutcome)}</button>
                    }
                    .into_any(),
                )
            })
        }
    };
    let unplaced_outcomes = move || {
        let s = state.get();
        let items = s
            .state
            .outcomes
            .iter()
            .filter(|o| o.item.is_none())
            .map(|o| view! { <li class=format!("outcome outcome-{}", o.kind.code())><strong>{t(o.kind.label())} ": "</strong>{o.text.clone()}</li> })
            .collect_view();
        view! { <ul class="outcomes">{items}</ul> }
    };

    // Speaking time and turns per stakeholder group; the silent ones are named.
    let balance = move || {
        let s = state.get();
        let rows = sitting::balance(&s.state, tick.get());
        let most = rows.iter().map(|b| b.speaking_ms).max().unwrap_or(0).max(1);
        rows.into_iter()
            .map(|b| {
                let width = (b.speaking_ms * 100 / most).clamp(0, 100);
                let silent = b.turns == 0;
                view! {
                    <tr class:silent=silent>
                        <th scope="row"><span class=format!("kind-dot kind-{}", group_code(b.kind))></span>{kind_name(b.kind, lang)}</th>
                        <td>{b.turns}</td>
                        <td>{clock(b.speaking_ms)}</td>
                        <td class="bar-cell">
                            {if silent {
                                view! { <span class="badge warning">{t(Msg::SittingNotHeard)}</span> }.into_any()
                            } else {
                                view! { <span class=format!("bar kind-{}", group_code(b.kind)) style=format!("width:{width}%")></span> }.into_any()
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    // Who took part, by organisation and stakeholder group.
    let attendance = {
        let who = who.clone();
        move || {
            let s = state.get();
            let groups = StakeholderKind::ALL
                .into_iter()
                .map(Some)
                .chain([None])
                .filter_map(|kind| {
                    let here: Vec<String> = s
                        .state
                        .present
                        .iter()
                        .filter(|p| p.kind == kind)
                        .map(&who)
                        .collect();
                    (!here.is_empty()).then(|| {
                        view! {
                            <li><strong>{kind_name(kind, lang)} ": "</strong>{here.join(", ")}</li>
                        }
                    })
                })
                .collect_view();
            let nobody = s.state.present.is_empty();
            view! {
                {nobody.then(|| view! { <p>{t(Msg::SittingNobodyPresent)}</p> })}
                <ul class="attendance">{groups}</ul>
            }
        }
    };

    // Closing, last in the console and away from what the chair clicks often, behind a step that
    // says what it does. Without JavaScript the control is a link to that step (`?confirm=close`);
    // with it, the same step opens here. The server refuses a close that was not confirmed.
    let (confirming, set_confirming) = signal(confirm_close);
    let end_section = move || {
        (chair && is_open()).then(|| {
            let (confirm_href, keep_href, confirm_forms) =
                (confirm_href.clone(), keep_href.clone(), confirm_forms.clone());
            let step = move || {
                if confirming.get() {
                    view! {
                        <div class="confirm-close" id="close-confirm" tabindex="-1" role="group" aria-labelledby="close-h">
                            <h3 id="close-h">{t(Msg::SittingConsoleCloseTitle)}</h3>
                            <p>{t(Msg::SittingConsoleCloseWhat)}</p>
                            <p><strong>{t(Msg::SittingConsoleCloseUndo)}</strong></p>
                            <div class="confirm-actions">
                                {confirm_forms.button("close", vec![("confirmed", "yes".into())], t(Msg::SittingConsoleCloseConfirm), "danger")}
                                <a class="button secondary" href=keep_href.clone() on:click=move |ev| {
                                    ev.prevent_default();
                                    set_confirming.set(false);
                                    focus_later("close-start");
                                }>{t(Msg::SittingConsoleCloseKeep)}</a>
                            </div>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="hint">{t(Msg::SittingConsoleEndHint)}</p>
                        <a class="button secondary danger-outline" id="close-start" href=confirm_href.clone() on:click=move |ev| {
                            ev.prevent_default();
                            set_confirming.set(true);
                            focus_later("close-confirm");
                        }>{t(Msg::SittingClose)}</a>
                    }
                    .into_any()
                }
            };
            view! {
                <section class="end-sitting" id="end-sitting" aria-labelledby="end-h">
                    <h2 id="end-h">{t(Msg::SittingConsoleEndHeading)}</h2>
                    {step}
                </section>
            }
        })
    };

    let closed_note = move || {
        (state.with(|s| s.state.stage == Stage::Closed) && status.get() != Status::Static)
            .then(|| view! { <p class="notice" role="status">{t(Msg::SittingClosedReload)}</p> })
    };

    view! {
        <div class="sitting-room" id="room" data-seat=format!("{seat:?}").to_lowercase()>
            {status_line}
            {refusal_line}
            {closed_note}
            <div class="stage-controls">{stage_controls}</div>
            {bar}
            <div class="room-grid">
                <section class="queue-section" aria-labelledby="queue-h" hidden=move || !live_now()>
                    <h2 id="queue-h">{t(Msg::SittingQueue)}</h2>
                    {queue}
                </section>
                <section class="agenda" aria-labelledby="agenda-h">
                    <h2 id="agenda-h">{t(Msg::SittingAgenda)}</h2>
                    <ol class="agenda-items">{agenda}</ol>
                    {unplaced_outcomes}
                    {record_outcome}
                </section>
                <section class="polls" aria-labelledby="polls-h">
                    <h2 id="polls-h">{t(Msg::SittingPolls)}</h2>
                    {polls}
                </section>
                <section class="balance" aria-labelledby="balance-h">
                    <h2 id="balance-h">{t(Msg::SittingBalance)}</h2>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(Msg::SittingGroup)}</th>
                                <th scope="col">{t(Msg::SittingTurns)}</th>
                                <th scope="col">{t(Msg::SittingTime)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Msg::SittingShare)}</span></th>
                            </tr>
                        </thead>
                        <tbody>{balance}</tbody>
                    </table>
                </section>
                <section class="present" aria-labelledby="present-h">
                    <h2 id="present-h">{t(Msg::SittingAttendance)}</h2>
                    {attendance}
                </section>
            </div>
            {end_section}
        </div>
    }
}

/// What changed in the queue and on the floor between two states, as one sentence to announce
/// (empty when nothing did): "Samuel has the floor.", "Hands raised: 2 — Amina (…) raised a hand".
fn changes_said(
    was_queued: &[Speaker],
    had_floor: Option<&Speaker>,
    queued: &[Speaker],
    floor: Option<&Speaker>,
    lang: Lang,
    who: &impl Fn(&Speaker) -> String,
) -> String {
    let mut said = Vec::new();
    if floor.map(|s| s.person) != had_floor.map(|s| s.person) {
        said.push(match floor {
            Some(speaker) => Msg::SittingConsoleAnnounceFloor { who: who(speaker) },
            None => Msg::SittingConsoleAnnounceTurnEnded,
        });
    }
    let n = queued.len().to_string();
    let raised = queued
        .iter()
        .rfind(|p| !was_queued.iter().any(|w| w.person == p.person));
    if let Some(raised) = raised {
        said.push(Msg::SittingConsoleAnnounceHand {
            n,
            who: who(raised),
        });
    } else if queued.len() != was_queued.len() {
        said.push(Msg::SittingConsoleAnnounceHands { n });
    }
    said.into_iter()
        .map(|m| m.render(lang))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Moves focus to the element `id` once the view has drawn it (keyboard and screen reader users
/// land on the step they opened, or back on the control that opened it).
fn focus_later(id: &'static str) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Scrolls the floor notice into view if it is off the screen (its bar is pinned only while the
/// room itself is on screen).
#[cfg(feature = "hydrate")]
fn bring_floor_notice_into_view() {
    let Ok(Some(notice)) = document().query_selector(".floor-notice") else {
        return;
    };
    let height = window()
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    let rect = notice.get_bounding_client_rect();
    if rect.top() < 0.0 || rect.bottom() > height {
        notice.scroll_into_view();
    }
}

fn kind_name(kind: Option<StakeholderKind>, lang: Lang) -> String {
    match kind {
        Some(k) => k.label().render(lang),
        None => Msg::SittingIndividuals.render(lang),
    }
}

/// The forms that answer the open poll.
fn vote_forms(forms: &Forms, poll: &Poll, lang: Lang) -> AnyView {
    let t = move |m: Msg| m.render(lang);
    let answer = |fields: Vec<(&'static str, String)>, label: String| {
        forms.button("vote", fields, label, "secondary")
    };
    let buttons = match &poll.kind {
        PollKind::Consent => view! {
            {answer(vec![("answer", "agree".into())], t(Msg::SittingAnswerAgree))}
            {answer(vec![("answer", "stand_aside".into())], t(Msg::SittingAnswerStandAside))}
            {forms.form("vote", vec![("answer", "object".into())], "stacked objection", view! {
                <label for="objection">{t(Msg::SittingObjectionReason)}</label>
                <textarea id="objection" name="reason" rows="2" maxlength=sitting::MAX_TEXT required></textarea>
                <button type="submit" class="danger">{t(Msg::SittingAnswerObject)}</button>
            }.into_any())}
        }
        .into_any(),
        PollKind::Gradient => (1..=5u8)
            .map(|level| {
                answer(
                    vec![("answer", "level".into()), ("level", level.to_string())],
                    format!("{level} · {}", t(sitting::gradient_label(level))),
                )
            })
            .collect_view()
            .into_any(),
        PollKind::Choice { options } => options
            .iter()
            .enumerate()
            .map(|(i, option)| answer(vec![("answer", "option".into()), ("index", i.to_string())], option.clone()))
            .collect_view()
            .into_any(),
    };
    let counted = if poll.per_organisation {
        t(Msg::SittingCountsOrganisations)
    } else {
        t(Msg::SittingCountsPeople)
    };
    view! {
        <div class="vote" role="group" aria-labelledby="vote-question">
            <p id="vote-question" class="question">{poll.question.clone()}</p>
            <p class="hint">{counted}</p>
            <div class="answers">{buttons}</div>
        </div>
    }
    .into_any()
}

/// The chair's form for a new poll.
fn new_poll_form(forms: &Forms, lang: Lang) -> AnyView {
    let t = move |m: Msg| m.render(lang);
    forms.form(
        "open_poll",
        vec![],
        "stacked new-poll",
        view! {
            <label for="poll-question">{t(Msg::SittingPollQuestion)}</label>
            <input id="poll-question" name="question" maxlength=sitting::MAX_TEXT required />
            <label for="poll-kind">{t(Msg::SittingPollKind)}</label>
            <select id="poll-kind" name="poll_kind">
                <option value="consent">{t(Msg::SittingPollConsent)}</option>
                <option value="gradient">{t(Msg::SittingPollGradient)}</option>
                <option value="choice">{t(Msg::SittingPollChoice)}</option>
            </select>
            <label for="poll-options">{t(Msg::SittingPollOptions)}</label>
            <textarea id="poll-options" name="options" rows="3" aria-describedby="poll-options-hint"></textarea>
            <p class="hint" id="poll-options-hint">{t(Msg::SittingPollOptionsHint)}</p>
            <label class="check"><input type="checkbox" name="per_organisation" value="on" />{t(Msg::SittingPollPerOrganisation)}</label>
            <label class="check"><input type="checkbox" name="names_shown" value="on" />{t(Msg::SittingPollNamesShown)}</label>
            <button type="submit">{t(Msg::SittingOpenPoll)}</button>
        }
        .into_any(),
    )
}

/// One poll's results: overall, per stakeholder group, objections' reasons, and names if shown.
fn poll_results(
    index: usize,
    poll: &Poll,
    sitting: &Sitting,
    lang: Lang,
    who: &impl Fn(&Speaker) -> String,
) -> AnyView {
    let t = move |m: Msg| m.render(lang);
    let (overall, by_kind) = sitting::tally(poll);
    let labels: Vec<String> = poll.kind.answers().iter().map(|a| a.render(lang)).collect();
    let total: usize = overall.iter().sum();
    let head = labels
        .iter()
        .map(|l| view! { <th scope="col">{l.clone()}</th> })
        .collect_view();
    let row = |name: String, counts: &[usize], class: &'static str| {
        let cells = counts
            .iter()
            .map(|c| view! { <td>{*c}</td> })
            .collect_view();
        view! { <tr class=class><th scope="row">{name}</th>{cells}</tr> }
    };
    let groups = by_kind
        .iter()
        .map(|(kind, counts)| row(kind_name(*kind, lang), counts, ""))
        .collect_view();
    let reasons = poll
        .votes
        .values()
        .filter_map(|v| match &v.answer {
            Answer::Object { reason } => Some(view! {
                <li>{poll.names_shown.then(|| format!("{}: ", who(&v.by)))}{reason.clone()}</li>
            }),
            _ => None,
        })
        .collect_view();
    let names = poll.names_shown.then(|| {
        poll.votes
            .values()
            .map(|v| {
                let answer = labels.get(v.answer.slot()).cloned().unwrap_or_default();
                view! { <li>{who(&v.by)} ": " {answer}</li> }
            })
            .collect_view()
    });
    let item = poll
        .item
        .and_then(|i| sitting.agenda.get(i))
        .map(|i| i.text.clone());
    let state = if poll.open {
        t(Msg::SittingPollOpenNow)
    } else {
        t(Msg::SittingPollClosed)
    };
    let caption_id = format!("poll-{index}");
    view! {
        <div class="poll" data-open=poll.open.to_string()>
            <h3 id=caption_id.clone()>{poll.question.clone()}</h3>
            <p class="meta">
                <span class="badge">{state}</span> " "
                {item.map(|i| view! { <span>{i}</span> " · " })}
                {t(Msg::SittingVotes { n: total.to_string() })}
            </p>
            <table aria-labelledby=caption_id>
                <thead><tr><th scope="col">{t(Msg::SittingGroup)}</th>{head}</tr></thead>
                <tbody>
                    {row(t(Msg::SittingOverall), &overall, "overall")}
                    {groups}
                </tbody>
            </table>
            <ul class="reasons">{reasons}</ul>
            {names.map(|n| view! { <ul class="names">{n}</ul> })}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::changes_said;
    use crate::domain::sitting::Speaker;
    use crate::i18n::Lang;
    use crate::ids::PersonId;

    fn person(id: i64, name: &str) -> Speaker {
        Speaker {
            person: PersonId(id),
            name: name.into(),
            org: None,
            kind: None,
        }
    }

    #[test]
    fn only_what_changed_is_announced() {
        let who = |s: &Speaker| s.name.clone();
        let say =
            |was: &[Speaker], had: Option<&Speaker>, now: &[Speaker], floor: Option<&Speaker>| {
                changes_said(was, had, now, floor, Lang::En, &who)
            };
        let (amina, samuel) = (person(1, "Amina"), person(2, "Samuel"));
        let both = [amina.clone(), samuel.clone()];
        assert_eq!(
            say(&both, None, &both, None),
            "",
            "nothing changed, nothing said"
        );
        assert_eq!(
            say(&both[..1], None, &both, None),
            "Hands raised: 2 — Samuel raised a hand"
        );
        assert_eq!(say(&both, None, &both[..1], None), "Hands raised: 1");
        assert_eq!(
            say(&both, None, &both[1..], Some(&amina)),
            "Amina has the floor. Hands raised: 1"
        );
        assert_eq!(
            say(&[], Some(&amina), &[], None),
            "The turn has ended; nobody has the floor."
        );
        assert_eq!(
            changes_said(&[], None, &both[..1], None, Lang::ZhHans, &who),
            "举手人数：1。Amina举手了"
        );
    }
}
