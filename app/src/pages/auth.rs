//! Sign-in and sign-up. The forms post to these same paths; see `server/src/forms.rs`.

use crate::components::form::{ErrorSummary, PasswordField, PostForm, Select, TextField};
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
