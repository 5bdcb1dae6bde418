//! The signed-in person's account: profile, language, password, organisations.

use super::load;
use crate::api;
use crate::components::form::{ErrorSummary, PasswordField, PostForm, Select, TextField};
use crate::components::layout::{Page, t};
use crate::components::text::Local;
use crate::domain::account::MIN_PASSWORD;
use crate::i18n::{Lang, Msg};
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
                    <section>
                        <h2>{t(Msg::AccountPassword)}</h2>
                        <ErrorSummary intent="password" />
                        <PostForm action="/account".to_string() intent="password" class="narrow">
                            <PasswordField name="current_password".into() label=t(Msg::AccountCurrentPassword) />
                            <PasswordField
                                name="new_password".into()
                                label=t(Msg::AccountNewPassword)
                                autocomplete="new-password"
                                hint=cx.t(Msg::AuthPasswordHint { min: MIN_PASSWORD.to_string() })
                            />
                            <PasswordField name="new_password_confirm".into() label=t(Msg::AuthPasswordConfirm) autocomplete="new-password" />
                            <button type="submit">{t(Msg::AccountChangePassword)}</button>
                        </PostForm>
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
