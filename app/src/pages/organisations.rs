//! The directory of organisations, registering one, and an organisation's page.

use super::{load, param};
use crate::api;
use crate::components::form::{ErrorSummary, PostForm, Select, TextArea, TextField};
use crate::components::layout::{Page, t};
use crate::components::text::{Local, TextBlocks};
use crate::domain::org::{OrgKind, StakeholderKind};
use crate::i18n::Msg;
use crate::ids::OrgId;
use crate::ssr::cx;
use leptos::prelude::*;

/// `/organisations`
#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let signed_in = cx().viewer.is_some();
    load(
        |cx| async move { api::organisations::list(&cx).await.map(|orgs| (cx, orgs)) },
        move |(cx, orgs)| {
            let lang = cx.lang.code().to_string();
            let groups = StakeholderKind::ALL
                .into_iter()
                .filter_map(|kind| {
                    let items: Vec<_> = orgs.iter().filter(|o| o.kind.stakeholder() == kind).collect();
                    (!items.is_empty()).then(|| {
                        let items = items
                            .into_iter()
                            .map(|o| {
                                view! {
                                    <li>
                                        <a href=format!("/organisations/{}", o.id)>
                                            <Local shown=o.name.pick(&lang, &[]) />
                                        </a>
                                        " (" {t(o.kind.label())} ")"
                                        {o.verified_at.is_none().then(|| view! { " " <span class="badge warning">{t(Msg::OrgUnverified)}</span> })}
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <section class=format!("stakeholder stakeholder-{}", kind.code())>
                                <h2>{t(kind.label())}</h2>
                                <ul>{items}</ul>
                            </section>
                        }
                    })
                })
                .collect_view();
            view! {
                <Page title=t(Msg::OrgListTitle)>
                    <p>{t(Msg::OrgListIntro)}</p>
                    {signed_in.then(|| view! { <p><a class="button" href="/organisations/new">{t(Msg::OrgRegister)}</a></p> })}
                    <div class="stakeholders">{groups}</div>
                </Page>
            }
        },
    )
}

/// `/organisations/new`
#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let cx = cx();
    if cx.viewer.is_none() {
        return view! { <super::ErrorPage error=crate::error::AppError::Unauthenticated /> }
            .into_any();
    }
    let kinds = OrgKind::ALL
        .into_iter()
        .map(|k| (k.code().to_string(), t(k.label())))
        .collect();
    view! {
        <Page title=t(Msg::OrgRegister)>
            <p>{t(Msg::OrgRegisterIntro)}</p>
            <ErrorSummary intent="register" />
            <PostForm action="/organisations/new".to_string() intent="register" class="narrow">
                <input type="hidden" name="language" value=cx.lang.code() />
                <TextField name="name".into() label=t(Msg::OrgName) required=true />
                <Select name="kind".into() label=t(Msg::OrgKind) options=kinds hint=t(Msg::OrgKindHint) />
                <TextArea name="description".into() label=t(Msg::OrgDescription) rows=4 />
                <button type="submit">{t(Msg::OrgRegisterButton)}</button>
            </PostForm>
        </Page>
    }
    .into_any()
}

/// `/organisations/{id}`
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let id = param::<OrgId>("id");
    load(
        move |cx| async move {
            let page = api::organisations::page(&cx, id?).await?;
            Ok((cx, page))
        },
        |(cx, page)| {
            let lang = cx.lang.code().to_string();
            let name = page.org.name.pick(&lang, &[]);
            let action = format!("/organisations/{}", page.org.id);
            let members = page
                .members
                .iter()
                .map(|m| {
                    let (person, remove_label, confirm_label) = (
                        m.person.to_string(),
                        cx.t(Msg::OrgRemoveMember {
                            name: m.display_name.clone(),
                        }),
                        cx.t(Msg::OrgConfirmMember {
                            name: m.display_name.clone(),
                        }),
                    );
                    let confirmed = m.confirmed_at.is_some();
                    let status = if confirmed {
                        view! { <span class="badge">{t(Msg::OrgMemberConfirmed)}</span> }.into_any()
                    } else {
                        view! { <span class="badge warning">{t(Msg::OrgMemberUnconfirmed)}</span> }
                            .into_any()
                    };
                    let action = action.clone();
                    let manage = page.can_manage.then(move || {
                        let (confirm_action, confirm_person) = (action.clone(), person.clone());
                        view! {
                            {(!confirmed).then(move || view! {
                                <PostForm action=confirm_action intent="confirm" key=confirm_person.clone() class="inline">
                                    <input type="hidden" name="person" value=confirm_person />
                                    <button type="submit" class="secondary">{confirm_label}</button>
                                </PostForm>
                            })}
                            <PostForm action=action intent="member" key=format!("remove-{person}") class="inline">
                                <input type="hidden" name="remove" value=person.clone() />
                                <button type="submit" class="link">{remove_label}</button>
                            </PostForm>
                        }
                    });
                    view! { <li><span dir="auto">{m.display_name.clone()}</span> " " {status} " " {manage}</li> }
                })
                .collect_view();
            let no_members = page.members.is_empty();
            let (kind, description, unverified) = (
                page.org.kind,
                page.org.description.pick(&lang, &[]),
                page.org.verified_at.is_none(),
            );
            let status =
                match page.org.verified_at {
                    Some(_) => view! { <span class="badge verified">{t(Msg::OrgVerified)}</span> }
                        .into_any(),
                    None => view! { <span class="badge warning">{t(Msg::OrgUnverified)}</span> }
                        .into_any(),
                };
            let withdrawn =
                page.org
                    .withdrawn
                    .as_ref()
                    .filter(|_| unverified)
                    .map(|(at, reason)| {
                        let text = cx.t(Msg::OrgWithdrawn {
                            date: crate::pages::process::format_time(*at),
                            reason: reason.clone(),
                        });
                        view! { <p class="notice warning" dir="auto">{text}</p> }
                    });
            view! {
                <Page title=name.text.clone() no_heading=true>
                    <h1 lang=name.lang.clone()>{name.text.clone()}</h1>
                    <p class="meta">{t(kind.label())} " · " {t(kind.stakeholder().label())} " · " {status}</p>
                    {withdrawn}
                    <TextBlocks shown=description />
                    <section>
                        <h2>{t(Msg::OrgMembers)}</h2>
                        <p class="hint">{t(Msg::OrgMembersIntro)}</p>
                        {if no_members {
                            view! { <p>{t(Msg::OrgNoMembers)}</p> }.into_any()
                        } else {
                            view! { <ul>{members}</ul> }.into_any()
                        }}
                    </section>
                    {page.can_manage.then(|| view! {
                        <section>
                            <h2>{t(Msg::OrgManage)}</h2>
                            <ErrorSummary intent="verify" />
                            {if unverified {
                                view! {
                                    <PostForm action=action.clone() intent="verify">
                                        <button type="submit">{t(Msg::OrgVerify)}</button>
                                    </PostForm>
                                }.into_any()
                            } else {
                                view! {
                                    <details class="action">
                                        <summary>{t(Msg::OrgWithdraw)}</summary>
                                        <ErrorSummary intent="withdraw" />
                                        <PostForm action=action.clone() intent="withdraw" class="narrow">
                                            <TextArea name="reason".into() label=t(Msg::OrgWithdrawReason) hint=t(Msg::OrgWithdrawHint) rows=3 required=true />
                                            <button type="submit" class="danger">{t(Msg::OrgWithdraw)}</button>
                                        </PostForm>
                                    </details>
                                }.into_any()
                            }}
                            <ErrorSummary intent="confirm" />
                            <ErrorSummary intent="member" />
                            <PostForm action=action.clone() intent="member" class="narrow">
                                <TextField name="email".into() label=t(Msg::OrgAddMemberEmail) kind="email" required=true />
                                <button type="submit">{t(Msg::OrgAddMember)}</button>
                            </PostForm>
                        </section>
                    })}
                </Page>
            }
        },
    )
}
