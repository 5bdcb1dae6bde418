//! The signed-in person's account: profile, language, password, organisations, and their own
//! comments with the answers they received.

use super::load;
use crate::api;
use crate::components::form::{
    ErrorSummary, NewPasswordFields, PasswordField, PostForm, Select, TextField,
};
use crate::components::layout::{Page, t};
use crate::components::text::Local;
use crate::domain::comments::Status;
use crate::i18n::{Lang, Msg};
use crate::model::OwnComment;
use crate::ssr::cx;
use leptos::prelude::*;

/// `/account`
#[component]
pub fn AccountPage() -> impl IntoView {
    load(
        |cx| async move { api::account::page(&cx).await.map(|page| (cx, page)) },
        |(cx, page)| {
            let languages = Lang::ALL
                .iter()
                .map(|l| (l.code().to_string(), l.native_name().to_string()))
                .collect();
            let lang = cx.lang.code().to_string();
            let person = page.person.clone();
            let organisations = page
                .organisations
                .iter()
                .map(|m| {
                    // Whether they speak for it, and if not, what it waits for.
                    let standing = match m.may_speak() {
                        Ok(()) => Msg::AccountSpeaksFor,
                        Err(Msg::ErrorOrgNotVerified) => Msg::AccountAwaitingOrg,
                        Err(_) => Msg::AccountAwaitingMembership,
                    };
                    view! {
                        <li>
                            <a href=format!("/organisations/{}", m.org.id)>
                                <Local shown=m.org.name.pick(&lang, &[]) />
                            </a>
                            " · " <span class="hint">{t(standing)}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <Page title=t(Msg::AccountTitle)>
                    <p>{cx.t(Msg::AccountSignedInAs { email: page.person.email.clone() })}</p>
                    <section>
                        <h2>{t(Msg::AccountProfile)}</h2>
                        <ErrorSummary intent="profile" />
                        <PostForm action="/account".to_string() intent="profile" class="narrow">
                            <TextField
                                name="display_name".into()
                                label=t(Msg::AuthDisplayName)
                                hint=t(Msg::AuthDisplayNameHint)
                                value=page.person.display_name.clone()
                                required=true
                            />
                            <Select name="language".into() label=t(Msg::AccountLanguage) options=languages selected=page.person.language.clone() />
                            <button type="submit">{t(Msg::FormSave)}</button>
                        </PostForm>
                    </section>
                    <EmailSection person=person />
                    <section>
                        <h2>{t(Msg::AccountPassword)}</h2>
                        <ErrorSummary intent="password" />
                        <PostForm action="/account".to_string() intent="password" class="narrow">
                            <PasswordField name="current_password".into() label=t(Msg::AccountCurrentPassword) />
                            <NewPasswordFields />
                            <button type="submit">{t(Msg::AccountChangePassword)}</button>
                        </PostForm>
                    </section>
                    <section aria-labelledby="own-comments">
                        <h2 id="own-comments">{t(Msg::OwnCommentsTitle)}</h2>
                        <p><a href="/account/comments">{t(Msg::OwnCommentsAccountLink)}</a></p>
                    </section>
                    <section>
                        <h2>{t(Msg::AccountOrganisations)}</h2>
                        {if page.organisations.is_empty() {
                            view! { <p>{t(Msg::AccountNoOrganisations)}</p> }.into_any()
                        } else {
                            view! { <ul>{organisations}</ul> }.into_any()
                        }}
                        <p><a href="/organisations/new">{t(Msg::OrgRegister)}</a></p>
                    </section>
                </Page>
            }
        },
    )
}

/// The account's address: confirmed or not (with a way to send the link again), and the form
/// that changes it (a link to the new address, a word to the old).
#[component]
fn EmailSection(person: crate::model::Person) -> impl IntoView {
    let cx = cx();
    let status = if person.email_verified {
        view! { <p>{cx.t(Msg::AccountEmailConfirmed { email: person.email.clone() })}</p> }
            .into_any()
    } else {
        view! {
            <p>{cx.t(Msg::AccountEmailUnconfirmed { email: person.email.clone() })}</p>
            <ErrorSummary intent="resend_verification" />
            <PostForm action="/account".to_string() intent="resend_verification" class="narrow">
                <button type="submit" class="secondary">{t(Msg::AccountResend)}</button>
            </PostForm>
        }
        .into_any()
    };
    view! {
        <section id="email" aria-labelledby="email-heading">
            <h2 id="email-heading">{t(Msg::AccountEmailSection)}</h2>
            {status}
            <h3>{t(Msg::AccountChangeEmail)}</h3>
            <ErrorSummary intent="email" />
            <PostForm action="/account".to_string() intent="email" class="narrow">
                <TextField
                    name="email".into()
                    label=t(Msg::AccountNewEmail)
                    hint=t(Msg::AccountChangeEmailHint)
                    kind="email"
                    required=true
                    autocomplete="email"
                />
                <PasswordField name="current_password".into() label=t(Msg::AccountCurrentPassword) />
                <button type="submit">{t(Msg::AccountChangeEmail)}</button>
            </PostForm>
        </section>
    }
}

/// `/account/comments`: "My comments and their answers", every comment of the signed-in person
/// across processes, each with the answer its thread received in a published decision.
#[component]
pub fn OwnCommentsPage() -> impl IntoView {
    load(
        |cx| async move { api::account::own_comments(&cx).await },
        |comments| {
            let none = comments.is_empty();
            view! {
                <Page title=t(Msg::OwnCommentsTitle)>
                    <p class="lead">{t(Msg::OwnCommentsIntro)}</p>
                    {if none {
                        view! { <p>{t(Msg::OwnCommentsNone)}</p> }.into_any()
                    } else {
                        view! { <OwnCommentList comments=comments with_process=true /> }.into_any()
                    }}
                </Page>
            }
        },
    )
}

/// A person's own comments, each with its thread's published answer (disposition, reason, the
/// change in the text) or "not answered yet", and links to the thread and the decision.
/// `with_process` names each comment's process (on the account's list, which spans them all).
#[component]
pub fn OwnCommentList(comments: Vec<OwnComment>, with_process: bool) -> impl IntoView {
    let cx = cx();
    let items = comments
        .into_iter()
        .map(|c| {
            let process = c.process;
            let date = crate::pages::process::format_time(c.created_at);
            let about = c.subject_title.pick(cx.lang.code(), &c.process_languages);
            let what = if c.id == c.thread {
                Msg::OwnCommentsYourComment {
                    draft: about.text.clone(),
                    date,
                }
            } else {
                Msg::OwnCommentsYourReply {
                    draft: about.text.clone(),
                    date,
                }
            };
            let process_name = with_process.then(|| {
                view! {
                    <p class="meta">
                        <a href=format!("/processes/{process}")>
                            <Local shown=c.process_title.pick(cx.lang.code(), &c.process_languages) />
                        </a>
                    </p>
                }
            });
            let status = (c.status != Status::Visible)
                .then(|| view! { " " <span class="badge">{t(c.status.label())}</span> });
            // Through the one renderer that makes a comment safe, as on the draft's page.
            let body = crate::domain::markdown::to_html(&c.body);
            let thread = format!("{}#comment-{}", c.subject.thread_page(process, c.thread), c.id);
            let answer = match &c.answer {
                Some(a) => {
                    let decision = format!("/processes/{process}/decisions/{}", a.decision);
                    let change = a.change.clone().map(|words| {
                        view! {
                            <p class="change">
                                {t(Msg::DecisionChangeIn)} " "
                                <a href=format!("{decision}#adopted") lang=about.lang.clone()>"“" {words} "”"</a>
                            </p>
                        }
                    });
                    view! {
                        <div class=format!("answer disposition-{}", a.disposition.code())>
                            <p>{t(Msg::OwnCommentsAnswer)} " " <strong class="badge">{t(a.disposition.label())}</strong></p>
                            <p class="reason" lang=about.lang.clone()>{a.reason.clone()}</p>
                            {change}
                        </div>
                        <p class="links">
                            <a href=thread>{t(Msg::OwnCommentsOpenThread)}</a>
                            " · "
                            <a href=format!("{decision}#thread-{}", c.thread)>{t(Msg::OwnCommentsReadDecision)}</a>
                        </p>
                    }
                    .into_any()
                }
                // A council answers a draft's threads; a project's discussion has no such answer.
                None => view! {
                    {c.subject.draft().is_some().then(|| view! { <p class="unanswered">{t(Msg::OwnCommentsNotAnswered)}</p> })}
                    <p class="links"><a href=thread>{t(Msg::OwnCommentsOpenThread)}</a></p>
                }
                .into_any(),
            };
            view! {
                <li class="own-comment" id=format!("own-comment-{}", c.id)>
                    {process_name}
                    <p class="meta">{cx.t(what)} {status}</p>
                    <blockquote class="comment-body" inner_html=body></blockquote>
                    {answer}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="own-comments">{items}</ol> }
}
