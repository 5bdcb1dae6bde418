//! `/admin/outbox`: every mail the site writes, for site administrators. Without an SMTP server
//! this is where mail goes, so a demo or a trial shows every mail a deployment would send.

use super::load;
use super::process::format_time;
use crate::api;
use crate::components::layout::{Page, t};
use crate::i18n::Msg;
use crate::mail::MailKind;
use crate::model::{MailState, OutboxMail};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/outbox[?before=ID]`
#[component]
pub fn OutboxPage() -> impl IntoView {
    let before = use_query_map()
        .read_untracked()
        .get("before")
        .and_then(|b| b.parse::<i64>().ok());
    load(
        move |cx| async move { api::outbox::page(&cx, before).await.map(|p| (cx, p)) },
        |(cx, page)| {
            let relay = match &cx.mail_relay {
                Some(server) => cx.t(Msg::OutboxSmtp {
                    server: server.to_string(),
                }),
                None => cx.t(Msg::OutboxNoSmtp),
            };
            let counts = (!page.counts.is_empty()).then(|| {
                let items = page
                    .counts
                    .iter()
                    .map(|(state, count)| {
                        view! { <li><StateBadge state=*state /> " " {count.to_string()}</li> }
                    })
                    .collect_view();
                view! {
                    <h2>{t(Msg::OutboxCounts)}</h2>
                    <ul class="mail-counts">{items}</ul>
                }
            });
            let mails = if page.mails.is_empty() {
                view! { <p>{t(Msg::OutboxEmpty)}</p> }.into_any()
            } else {
                let rows = page
                    .mails
                    .iter()
                    .map(|mail| view! { <MailRow mail=mail.clone() /> })
                    .collect_view();
                view! {
                    <table class="outbox">
                        <caption class="visually-hidden">{t(Msg::OutboxTitle)}</caption>
                        <thead><tr>
                            <th scope="col">{t(Msg::OutboxWhen)}</th>
                            <th scope="col">{t(Msg::OutboxTo)}</th>
                            <th scope="col">{t(Msg::OutboxSubject)}</th>
                            <th scope="col">{t(Msg::OutboxState)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            };
            let older = page.older.map(|id| {
                view! { <p><a href=format!("/admin/outbox?before={id}")>{t(Msg::OutboxOlder)}</a></p> }
            });
            view! {
                <Page title=t(Msg::OutboxTitle)>
                    <p>{t(Msg::OutboxIntro)}</p>
                    <p>{relay}</p>
                    {counts}
                    {mails}
                    {older}
                </Page>
            }
        },
    )
}

/// A mail's state, as a word.
#[component]
fn StateBadge(state: MailState) -> impl IntoView {
    view! { <span class=format!("badge mail-{}", state.code())>{t(state.label())}</span> }
}

/// One mail: when, to whom, its subject (opening to what it says) and its state.
#[component]
fn MailRow(mail: OutboxMail) -> impl IntoView {
    let kind = MailKind::label_of(&mail.kind)
        .map(t)
        .unwrap_or_else(|| mail.kind.clone());
    let when = format_time(mail.created_at);
    let to = format!("{} <{}>", mail.to_name, mail.to_address);
    let mut details = Vec::new();
    if mail.attempts > 0 {
        details.push(t(Msg::OutboxAttempts {
            count: mail.attempts.to_string(),
        }));
    }
    match mail.state {
        MailState::Waiting if mail.attempts > 0 => details.push(t(Msg::OutboxNextAttempt {
            when: format_time(mail.next_attempt_at),
        })),
        MailState::Sent | MailState::Failed | MailState::Kept => {
            if let Some(at) = mail.finished_at {
                details.push(t(Msg::OutboxFinished {
                    when: format_time(at),
                }));
            }
        }
        _ => {}
    }
    let error = mail.last_error.clone().map(|error| {
        view! { <p class="mail-error">{t(Msg::OutboxError { error })}</p> }
    });
    view! {
        <tr id=format!("mail-{}", mail.id)>
            <td><time datetime=when.clone()>{when.clone()}</time></td>
            <td>{to}</td>
            <td>
                <details>
                    <summary>{mail.subject.clone()}</summary>
                    <p class="meta">{kind} " · " {mail.message_id.clone()} " · " {mail.language.clone()}</p>
                    <pre class="mail-text" lang=mail.language.clone()>{mail.body_text.clone()}</pre>
                </details>
            </td>
            <td>
                <StateBadge state=mail.state />
                <p class="meta">{details.join(" · ")}</p>
                {error}
            </td>
        </tr>
    }
}
