//! The home page: every process, those open for the viewer's input first.

use super::load;
use crate::api;
use crate::components::layout::{Page, t};
use crate::components::process::ProcessCard;
use crate::domain::roles::{SiteAction, site_may};
use crate::i18n::Msg;
use crate::ssr::cx;
use leptos::prelude::*;

/// `/`
#[component]
pub fn HomePage() -> impl IntoView {
    let cx = cx();
    let can_create = cx
        .viewer
        .as_ref()
        .is_some_and(|v| site_may(true, v.site_admin, SiteAction::CreateProcess));
    load(
        |cx| async move {
            // Open for *your* input: where the viewer may act now (an anonymous visitor: where a
            // citizen who signs in may), by the same permissions the server enforces.
            let mut open = Vec::new();
            let mut rest = Vec::new();
            for process in api::processes::list(&cx).await? {
                if api::processes::open_to_viewer(&cx, &process).await? {
                    open.push(process);
                } else {
                    rest.push(process);
                }
            }
            Ok((open, rest))
        },
        move |(open, rest)| {
            let section = |heading: Msg, list: Vec<crate::model::Process>| {
                (!list.is_empty()).then(|| {
                    view! {
                        <section>
                            <h2>{t(heading)}</h2>
                            <div class="cards">
                                {list.into_iter().map(|p| view! { <ProcessCard process=p /> }).collect_view()}
                            </div>
                        </section>
                    }
                })
            };
            let empty = open.is_empty() && rest.is_empty();
            view! {
                <Page title=t(Msg::HomeTitle)>
                    <p class="lead">{t(Msg::HomeIntro)}</p>
                    {can_create.then(|| view! { <p><a class="button" href="/admin/processes/new">{t(Msg::AdminNewProcess)}</a></p> })}
                    {empty.then(|| view! { <p>{t(Msg::HomeEmpty)}</p> })}
                    {section(Msg::HomeOpenForInput, open)}
                    {section(Msg::HomeOtherProcesses, rest)}
                </Page>
            }
        },
    )
}
