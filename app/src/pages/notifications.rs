//! `/notifications`: the notification centre and what the person follows;
//! `/notifications/preferences`: how each kind of notice reaches them; `/unsubscribe/{token}`:
//! the page behind a mail's unsubscribe link.

use super::{load, param};
use crate::api;
use crate::components::form::{ErrorSummary, PostForm, Select};
use crate::components::layout::{Page, t};
use crate::domain::notice::{Delivery, NoticeKind};
use crate::domain::zone;
use crate::i18n::Msg;
use crate::model::{Followed, Notification};
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/notifications[?before=ID]`
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let before = use_query_map()
        .read_untracked()
        .get("before")
        .and_then(|b| b.parse::<i64>().ok());
    load(
        move |cx| async move {
            let centre = api::notifications::centre(&cx, before).await?;
            let settings = api::notifications::settings(&cx).await?;
            Ok((cx, centre, settings.time_zone))
        },
        |(cx, centre, time_zone)| {
            let list = if centre.notifications.is_empty() {
                view! { <p>{t(Msg::NotificationsEmpty)}</p> }.into_any()
            } else {
                let items = centre
                    .notifications
                    .iter()
                    .map(|n| item(&cx, n, &time_zone))
                    .collect_view();
                view! { <ol class="notifications">{items}</ol> }.into_any()
            };
            let older = centre.older.map(|id| {
                view! { <p><a href=format!("/notifications?before={id}")>{t(Msg::NotificationsOlder)}</a></p> }
            });
            let follows = following(&cx, &centre.follows);
            view! {
                <Page title=t(Msg::NotificationsTitle)>
                    <p>{t(Msg::NotificationsIntro)}</p>
                    <p><a href="/notifications/preferences">{t(Msg::NotificationsPreferencesLink)}</a></p>
                    {list}
                    {older}
                    {follows}
                </Page>
            }
        },
    )
}

/// One notification: new or not, its headline linked to its page, its details, its process and
/// when, in the person's time zone.
fn item(cx: &RequestContext, n: &Notification, time_zone: &str) -> impl IntoView + use<> {
    let lang = cx.lang;
    let process = n
        .process_title
        .as_ref()
        .map(|title| title.pick(lang.code(), &[]).text)
        .unwrap_or_default();
    let when = |at| zone::local_time(at, time_zone);
    let details = n
        .notice
        .details(lang, &when)
        .into_iter()
        .map(|line| view! { <p>{line}</p> })
        .collect_view();
    let headline = n.notice.headline(&process, lang);
    let new =
        (!n.read).then(|| view! { <span class="badge">{t(Msg::NotificationsNewBadge)}</span> " " });
    let in_process = (!process.is_empty()).then(|| {
        cx.t(Msg::NotificationsInProcess {
            process: process.clone(),
        })
    });
    let at = zone::local_time(n.created_at, time_zone);
    view! {
        <li class="notification" class:unread=!n.read>
            <p class="notification-headline">{new}<a href=n.link.clone()>{headline}</a></p>
            {details}
            <p class="meta">{in_process.map(|p| view! { {p} " · " })}<time>{at}</time></p>
        </li>
    }
}

/// What the person follows, each with its kind and a way to stop.
fn following(cx: &RequestContext, follows: &[Followed]) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let body = if follows.is_empty() {
        view! { <p>{t(Msg::NotificationsFollowingNone)}</p> }.into_any()
    } else {
        let rows = follows
            .iter()
            .map(|f| {
                let title = f.title.pick(&lang, &[]).text;
                let org = f.org.as_ref().map(|(_, name)| {
                    cx.t(Msg::NotificationsOnBehalf { org: name.pick(&lang, &[]).text })
                });
                let acting_for = f.org.as_ref().map(|(id, _)| id.to_string()).unwrap_or_default();
                view! {
                    <li>
                        <span class="badge">{t(f.subject.label())}</span> " "
                        <a href=f.link.clone()>{title}</a>
                        {org.map(|o| view! { " (" {o} ")" })}
                        " "
                        <form method="post" action="/follows" class="inline">
                            <input type="hidden" name="subject" value=f.subject.code() />
                            <input type="hidden" name="id" value=f.id.to_string() />
                            <input type="hidden" name="acting_for" value=acting_for />
                            <input type="hidden" name="back" value="/notifications" />
                            <button type="submit" name="intent" value="unfollow" class="link">{t(Msg::FollowUnfollow)}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="follows">{rows}</ul> }.into_any()
    };
    view! {
        <section aria-labelledby="following">
            <h2 id="following">{t(Msg::NotificationsFollowingHeading)}</h2>
            {body}
        </section>
    }
}

/// `/notifications/preferences`: a choice per kind of notice and the time zone; a plain form.
#[component]
pub fn PreferencesPage() -> impl IntoView {
    load(
        |cx| async move {
            let settings = api::notifications::settings(&cx).await?;
            Ok((cx, settings))
        },
        |(cx, settings)| {
            let deliveries: Vec<(String, String)> = Delivery::ALL
                .iter()
                .map(|d| (d.code().to_string(), t(d.label())))
                .collect();
            let kinds = NoticeKind::ALL
                .iter()
                .map(|kind| {
                    view! {
                        <Select
                            name=kind.code().to_string()
                            label=t(kind.label())
                            options=deliveries.clone()
                            selected=settings.delivery(*kind).code().to_string()
                            hint=t(kind.explanation())
                        />
                    }
                })
                .collect_view();
            let zones: Vec<(String, String)> = zone::choices()
                .into_iter()
                .map(|z| (z.clone(), z))
                .collect();
            let unconfirmed = cx
                .viewer
                .as_ref()
                .filter(|v| !v.email_verified)
                .map(|_| view! { <p class="warning">{t(Msg::PreferencesUnconfirmed)}</p> });
            view! {
                <Page title=t(Msg::PreferencesTitle)>
                    <p>{t(Msg::PreferencesIntro)}</p>
                    {unconfirmed}
                    <ErrorSummary intent="preferences" />
                    <PostForm action="/notifications/preferences".to_string() intent="preferences">
                        <fieldset>
                            <legend>{t(Msg::PreferencesKind)}</legend>
                            {kinds}
                        </fieldset>
                        <Select
                            name="time_zone".to_string()
                            label=t(Msg::PreferencesTimeZone)
                            options=zones
                            selected=settings.time_zone.clone()
                            hint=t(Msg::PreferencesTimeZoneHint)
                        />
                        <button type="submit">{t(Msg::PreferencesSave)}</button>
                    </PostForm>
                    <p><a href="/notifications">{t(Msg::NotificationsTitle)}</a></p>
                </Page>
            }
        },
    )
}

/// `/unsubscribe/{token}`: says what the link stops, with the button that stops it. Opening the
/// link changes nothing: mail programs and scanners open links on their own.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    load(
        |cx| async move {
            let token: String = param("token")?;
            let list = api::notifications::unsubscribe_list(&cx, &token).await?;
            Ok((cx, token, list))
        },
        |(cx, token, list)| {
            view! {
                <Page title=t(Msg::UnsubscribeTitle)>
                    <p>{cx.t(Msg::UnsubscribeConfirm { list: cx.t(list) })}</p>
                    <PostForm action=format!("/unsubscribe/{token}") intent="unsubscribe" class="narrow">
                        <button type="submit">{t(Msg::UnsubscribeButton)}</button>
                    </PostForm>
                </Page>
            }
        },
    )
}
