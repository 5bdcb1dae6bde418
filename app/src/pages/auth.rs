//! Sign-in, sign-up and getting back in with a reset link. The forms post to these same paths;
//! see `server/src/forms.rs`.

use super::{load, param};
use crate::api;
use crate::components::form::{
    ErrorSummary, NewPasswordFields, PasswordField, PostForm, Select, TextField,
};
use crate::components::layout::{Page, t};
use crate::domain::account::MIN_PASSWORD;
use crate::i18n::{Lang, Msg};
use crate::ssr::cx;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/auth/login`
#[component]
pub fn LoginPage() -> impl IntoView {
    let cx = cx();
    let next = cx
        .typed("next")
        .or_else(|| use_query_map().read_untracked().get("next"))
        .unwrap_or_else(|| "/".to_string());
    view! {
        <Page title=t(Msg::AuthSignInTitle)>
            <ErrorSummary intent="login" />
            <PostForm action="/auth/login".to_string() intent="login" class="narrow">
                <input type="hidden" name="next" value=next />
                <TextField name="email".into() label=t(Msg::AuthEmail) kind="email" required=true autocomplete="username" />
                <PasswordField name="password".into() label=t(Msg::AuthPassword) />
                <button type="submit">{t(Msg::AuthSignInButton)}</button>
            </PostForm>
            <p><a href="/auth/reset">{t(Msg::AuthForgotPassword)}</a></p>
            <p>{t(Msg::AuthNoAccount)} " " <a href="/auth/signup">{t(Msg::NavSignUp)}</a></p>
        </Page>
    }
}

/// `/auth/signup`
#[component]
pub fn SignupPage() -> impl IntoView {
    let cx = cx();
    let languages = Lang::ALL
        .iter()
        .map(|l| (l.code().to_string(), l.native_name().to_string()))
        .collect();
    view! {
        <Page title=t(Msg::AuthSignUpTitle)>
            <p>{t(Msg::AuthSignUpIntro)}</p>
            <ErrorSummary intent="signup" />
            <PostForm action="/auth/signup".to_string() intent="signup" class="narrow">
                <TextField
                    name="display_name".into()
                    label=t(Msg::AuthDisplayName)
                    hint=t(Msg::AuthDisplayNameHint)
                    required=true
                    autocomplete="nickname"
                />
                <TextField name="email".into() label=t(Msg::AuthEmail) kind="email" required=true autocomplete="email" />
                <PasswordField
                    name="password".into()
                    label=t(Msg::AuthPassword)
                    autocomplete="new-password"
                    hint=cx.t(Msg::AuthPasswordHint { min: MIN_PASSWORD.to_string() })
                />
                <PasswordField name="password_confirm".into() label=t(Msg::AuthPasswordConfirm) autocomplete="new-password" />
                <Select name="language".into() label=t(Msg::AccountLanguage) options=languages selected=cx.lang.code().to_string() />
                <button type="submit">{t(Msg::AuthSignUpButton)}</button>
            </PostForm>
            <p>{t(Msg::AuthHaveAccount)} " " <a href="/auth/login">{t(Msg::NavSignIn)}</a></p>
        </Page>
    }
}

/// `/auth/reset`: asks for a link to choose a new password. The answer (a notice on this page) is
/// the same whether or not an account has the address.
#[component]
pub fn ResetRequestPage() -> impl IntoView {
    view! {
        <Page title=t(Msg::AuthResetTitle)>
            <p>{t(Msg::AuthResetIntro)}</p>
            <ErrorSummary intent="reset" />
            <PostForm action="/auth/reset".to_string() intent="reset" class="narrow">
                <TextField name="email".into() label=t(Msg::AuthEmail) kind="email" required=true autocomplete="email" />
                <button type="submit">{t(Msg::AuthResetButton)}</button>
            </PostForm>
            <p><a href="/auth/login">{t(Msg::NavSignIn)}</a></p>
        </Page>
    }
}

/// `/auth/reset/:token`: the link from the mail. Choosing the new password uses it up.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    load(
        |cx| async move {
            let token: String = param("token")?;
            let owner = api::password_reset::owner(&cx, &token).await?;
            Ok((cx, token, owner))
        },
        |(cx, token, owner)| {
            match owner {
            Some(person) => view! {
                <Page title=t(Msg::AuthResetNewTitle)>
                    <p>{cx.t(Msg::AuthResetNewIntro { email: person.email.clone() })}</p>
                    <ErrorSummary intent="new-password" />
                    <PostForm action=format!("/auth/reset/{token}") intent="new-password" class="narrow">
                        // Lets a password manager file the new password under the right account.
                        <input type="hidden" name="email" value=person.email autocomplete="username" />
                        <NewPasswordFields />
                        <button type="submit">{t(Msg::AuthResetNewButton)}</button>
                    </PostForm>
                </Page>
            }
            .into_any(),
            None => view! {
                <Page title=t(Msg::AuthResetNewTitle)>
                    <p role="alert">{t(Msg::AuthResetLinkGone)}</p>
                    <p><a href="/auth/reset">{t(Msg::AuthResetAskAgain)}</a></p>
                </Page>
            }
            .into_any(),
        }
        },
    )
}

/// `/auth/verify/:token`: the link that confirms an address. Confirming is a button (a `POST`),
/// so that a mail program that fetches links to check them confirms nothing.
#[component]
pub fn VerifyPage() -> impl IntoView {
    load(
        |cx| async move {
            let token: String = param("token")?;
            let owner = api::email_verification::owner(&cx, &token).await?;
            Ok((cx, token, owner))
        },
        |(cx, token, owner)| match owner {
            Some((person, email)) => view! {
                <Page title=t(Msg::VerifyTitle)>
                    <p>{cx.t(Msg::VerifyIntro { email, name: person.display_name })}</p>
                    <ErrorSummary intent="verify" />
                    <PostForm action=format!("/auth/verify/{token}") intent="verify" class="narrow">
                        <button type="submit">{t(Msg::VerifyButton)}</button>
                    </PostForm>
                </Page>
            }
            .into_any(),
            None => view! {
                <Page title=t(Msg::VerifyTitle)>
                    <p role="alert">{t(Msg::VerifyGone)}</p>
                    <p><a href="/account#email">{t(Msg::VerifyToAccount)}</a></p>
                </Page>
            }
            .into_any(),
        },
    )
}
