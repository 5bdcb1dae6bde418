//! Widgets about processes: the phase badge, the timeline, the list card.

use super::layout::t;
use super::text::Local;
use crate::domain::roles::Phase;
use crate::domain::text::{Block, blocks};
use crate::model::Process;
use crate::ssr::cx;
use leptos::prelude::*;

/// The current phase as a badge.
#[component]
pub fn PhaseBadge(phase: Phase) -> impl IntoView {
    view! { <span class=format!("badge phase-{}", phase.code())>{t(phase.label())}</span> }
}

/// The phases in order with their dates, the current one marked for sight and for screen readers.
#[component]
pub fn Timeline(process: Process) -> impl IntoView {
    let items = Phase::ALL
        .into_iter()
        .map(|phase| {
            let current = phase == process.phase;
            let past = phase < process.phase;
            let dates = process.dates(phase).map(|d| format!("{} – {}", d.starts_on, d.ends_on));
            view! {
                <li class:current=current class:past=past aria-current=current.then_some("step")>
                    <span class="phase-name">{t(phase.label())}</span>
                    {dates.map(|d| view! { <span class="phase-dates">{d}</span> })}
                    {current.then(|| view! { <span class="phase-now">{t(crate::i18n::Msg::ProcessCurrentPhase)}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="timeline">{items}</ol> }
}

/// A process in a list: title, phase, level, the first paragraph of its summary.
#[component]
pub fn ProcessCard(process: Process) -> impl IntoView {
    let cx = cx();
    let title = crate::api::processes::shown(&cx, &process, &process.fields.title);
    let summary = crate::api::processes::shown(&cx, &process, &process.fields.summary);
    let first_paragraph = blocks(&summary.text).into_iter().find_map(|b| match b {
        Block::Paragraph(p) => Some(p),
        Block::List(_) => None,
    });
    let until = process
        .dates(process.phase)
        .filter(|_| process.phase != crate::domain::roles::Phase::Closed)
        .map(|d| {
            cx.t(crate::i18n::Msg::ProcessPhaseUntil {
                date: d.ends_on.to_string(),
            })
        });
    view! {
        <article class="card">
            <h2>
                <a href=format!("/processes/{}", process.id)>
                    <Local shown=title />
                </a>
            </h2>
            <p class="meta">
                <PhaseBadge phase=process.phase />
                " "
                <span>{t(process.fields.level.label())}</span>
                {until.map(|u| view! { " · " <span>{u}</span> })}
            </p>
            {first_paragraph.map(|p| view! { <p lang=summary.lang.clone()>{p}</p> })}
        </article>
    }
}
