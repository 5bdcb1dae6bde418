//! The forms of following and notices: `/follows`, `/notifications/preferences`, and
//! `/unsubscribe/{token}` (also the target of mail programs' one-click unsubscribe, RFC 8058).
//! The rules are `app::api::follows` and `app::api::notifications`.

use crate::form_body::Submitted;
use crate::state::AppState;
use crate::web::{Done, context, local_path, submit};
use app::api;
use app::i18n::Msg;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// `POST /follows`: follows or stops following, then goes back to the page (`back`).
pub async fn follow(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        let notice = api::follows::submit(&cx, &form).await?;
        Ok(Done::to(local_path(form.text("back")), notice))
    })
    .await
}

/// `POST /notifications/preferences`: saves how notices reach the person.
pub async fn preferences(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        api::notifications::save_settings(&cx, &form).await?;
        Ok(Done::to(
            "/notifications/preferences",
            Msg::NoticePreferencesSaved,
        ))
    })
    .await
}

/// `POST /unsubscribe/{token}`: stops the link's list. A person who pressed the page's button
/// is shown the page with the notice; a mail program's one-click request (a body of
/// `List-Unsubscribe=One-Click`, no session) gets a plain 200, or 404 for an unknown link.
pub async fn unsubscribe(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    parts: Parts,
    form: Submitted,
) -> Response {
    let one_click = form
        .0
        .as_ref()
        .is_ok_and(|f| f.text("List-Unsubscribe") == "One-Click");
    if one_click {
        let cx = context(&state, &session, &parts.headers, &parts.uri).await;
        return match api::notifications::unsubscribe(&cx, &token).await {
            Ok(list) => (
                StatusCode::OK,
                cx.t(Msg::UnsubscribeDone { list: cx.t(list) }),
            )
                .into_response(),
            Err(error) => {
                let status = StatusCode::from_u16(error.status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, cx.t(error.message())).into_response()
            }
        };
    }
    submit(state, session, parts, form, |cx, _form| async move {
        let list = api::notifications::unsubscribe(&cx, &token).await?;
        // The person may not be signed in (the link is all they need): the front page says it.
        Ok(Done::to("/", Msg::UnsubscribeDone { list: cx.t(list) }))
    })
    .await
}
