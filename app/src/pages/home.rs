//! The home page: every process, those open for input first.

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
        |cx| async move { api::processes::list(&cx).await },
        move |processes| {
            let (open, rest): (Vec<_>, Vec<_>) = processes
                .into_iter()
                .partition(|p| p.phase.is_open_for_input());
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
