//! The forms behind links sent by mail: `/auth/reset` (ask for a reset link),
//! `/auth/reset/{token}` (choose a new password with it), and `/auth/verify/{token}` (confirm an
//! address). The rules are `app::api::password_reset` and `app::api::email_verification`.

use crate::form_body::Submitted;
use crate::limits::client_of;
use crate::state::AppState;
use crate::web::{Done, PERSON_KEY, context, fail, sign_in_session, submit, succeed};
use app::api;
use app::i18n::Msg;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use tower_sessions::Session;

/// `POST /auth/reset` (field `email`): sends a reset link if an account has the address, and
/// answers the same either way.
pub async fn request(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let client = client_of(&state, &parts);
    submit(state, session, parts, form, |cx, form| async move {
        let email = api::password_reset::request(&cx, &form, &client).await?;
        Ok(Done::to("/auth/reset", Msg::NoticeResetSent { email }))
    })
    .await
}

/// `POST /auth/reset/{token}` (fields `new_password`, `new_password_confirm`): sets the new
/// password, ends every other session, and signs the person in here.
pub async fn finish(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    parts: Parts,
    form: Submitted,
) -> Response {
    let cx = context(&state, &session, &parts.headers, &parts.uri).await;
    let form = match form.0 {
        Ok(form) => form,
        Err(refused) => return fail(&state, cx, refused.kept, refused.error, &parts).await,
    };
    match api::password_reset::finish(&cx, &token, &form).await {
        Ok(person) => {
            if let Err(error) = sign_in_session(&session, person).await {
                return fail(&state, cx, form, error, &parts).await;
            }
            tracing::info!(person = person.0, "password reset with a link");
            succeed(&session, Done::to("/account", Msg::NoticePasswordReset)).await
        }
        Err(error) => fail(&state, cx, form, error, &parts).await,
    }
}

/// `POST /auth/verify/{token}`: confirms the address the link was sent to (whoever holds the
/// link, signed in or not: the link is the proof).
pub async fn verify(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    parts: Parts,
    form: Submitted,
) -> Response {
    let signed_in = session
        .get::<i64>(PERSON_KEY)
        .await
        .unwrap_or_default()
        .is_some();
    submit(state, session, parts, form, |cx, _form| async move {
        let email = api::email_verification::confirm(&cx, &token).await?;
        let to = if signed_in { "/account" } else { "/auth/login" };
        Ok(Done::to(to, Msg::NoticeEmailVerified { email }))
    })
    .await
}
