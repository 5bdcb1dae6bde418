//! The follow control of a process, a draft or a thread: one small form per choice (for oneself,
//! for each organisation the person may speak for), so that it works without JavaScript and each
//! button says what it does.

use super::layout::t;
use crate::api::follows::{FollowState, state};
use crate::domain::notice::FollowSubject;
use crate::i18n::Msg;
use crate::ids::OrgId;
use crate::ssr::{RequestContext, cx};
use leptos::prelude::*;

/// Follows or stops following `subject` `id`; loads the viewer's standing itself.
#[component]
pub fn FollowControl(subject: FollowSubject, id: i64) -> impl IntoView {
    let cx = cx();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match state(&cx, subject, id).await {
                    Ok(state) => controls(&cx, subject, id, state).into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
    }
}

fn controls(
    cx: &RequestContext,
    subject: FollowSubject,
    id: i64,
    state: FollowState,
) -> impl IntoView + use<> {
    if !state.signed_in {
        let next = crate::components::layout::encode_path(&cx.path);
        return view! {
            <div class="follow">
                <a class="button secondary" href=format!("/auth/login?next={next}")>{t(Msg::FollowFollow)}</a>
            </div>
        }
        .into_any();
    }
    let lang = cx.lang.code().to_string();
    let mut forms = vec![form(
        cx,
        subject,
        id,
        None,
        state.myself,
        t(if state.myself {
            Msg::FollowUnfollow
        } else {
            Msg::FollowFollow
        }),
    )];
    let mut said = Vec::new();
    if state.myself {
        said.push(t(Msg::FollowFollowingSelf));
    }
    for (org, follows) in &state.organisations {
        let name = org.name.pick(&lang, &[]).text;
        let label = if *follows {
            said.push(t(Msg::FollowFollowingOrg { org: name.clone() }));
            t(Msg::FollowUnfollowFor { org: name })
        } else {
            t(Msg::FollowFollowFor { org: name })
        };
        forms.push(form(cx, subject, id, Some(org.id), *follows, label));
    }
    let said = (!said.is_empty()).then(|| view! { <p class="follow-state">{said.join(" ")}</p> });
    view! {
        <div class="follow">
            {said}
            <div class="follow-forms">{forms}</div>
        </div>
    }
    .into_any()
}

fn form(
    cx: &RequestContext,
    subject: FollowSubject,
    id: i64,
    org: Option<OrgId>,
    following: bool,
    label: String,
) -> AnyView {
    let intent = if following { "unfollow" } else { "follow" };
    let class = if following {
        "button secondary"
    } else {
        "button"
    };
    view! {
        <form method="post" action="/follows" class="inline">
            <input type="hidden" name="subject" value=subject.code() />
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="acting_for" value=org.map(|o| o.to_string()).unwrap_or_default() />
            <input type="hidden" name="back" value=cx.path.clone() />
            <button type="submit" name="intent" value=intent class=class>{label}</button>
        </form>
    }
    .into_any()
}
