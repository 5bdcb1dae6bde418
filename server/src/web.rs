//! Serving pages and form submissions.
//!
//! Every page is rendered by Leptos on the server with a [`RequestContext`]. Every form posts to
//! the page it sits on; its handler runs one use case, then either redirects (303) with a notice,
//! or renders the same page again with the error, everything the person typed (except passwords)
//! and the error's status, so that bad input loses nothing and works without JavaScript.

use crate::clock::now_millis;
use crate::form_body::Submitted;
use crate::state::AppState;
use app::api::form::Form;
use app::error::{AppError, AppResult};
use app::i18n::{Lang, Msg};
use app::ids::PersonId;
use app::ssr::RequestContext;
use app::ssr::context::{Feedback, Notice};
use axum::body::Body;
use axum::http::{
    HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header, request::Parts,
};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use tower_sessions::Session;

/// Session key of the signed-in person's id.
pub const PERSON_KEY: &str = "person";
/// Session key of the one-time notice shown on the next page.
pub const NOTICE_KEY: &str = "notice";
/// Cookie holding the chosen interface language.
pub const LANG_COOKIE: &str = "lang";

/// Builds the context of a request: who is asking, in which language, and any pending notice.
pub async fn context(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    uri: &Uri,
) -> RequestContext {
    let person_id: Option<i64> = session.get(PERSON_KEY).await.unwrap_or_default();
    let viewer = match person_id {
        Some(id) => state.store.person(PersonId(id)).await.unwrap_or_default(),
        None => None,
    };
    // The notice belongs to the page the person goes to next, not to a script's fetch in the page
    // they are leaving (live comment threads are fetched while the form's redirect is followed).
    let navigating = headers
        .get("sec-fetch-mode")
        .is_none_or(|mode| mode.as_bytes() == b"navigate");
    let notice: Option<Notice> = if navigating {
        session.remove(NOTICE_KEY).await.unwrap_or_default()
    } else {
        None
    };
    // tower-sessions saves only changed sessions, so an "on inactivity" expiry would otherwise run
    // from the last change, not the last visit. Renew it once half of it has passed.
    if viewer.is_some() && session.expiry_age() < time::Duration::days(crate::SESSION_IDLE_DAYS / 2)
    {
        session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
            time::Duration::days(crate::SESSION_IDLE_DAYS),
        )));
    }
    let unread = match &viewer {
        Some(viewer) => state
            .store
            .unread_notifications(viewer.id)
            .await
            .unwrap_or_default(),
        None => 0,
    };
    // A signed-in person's own preference first (a shared device's cookie may be someone else's),
    // then the switcher's cookie, then the browser's languages.
    let lang = viewer
        .as_ref()
        .and_then(|v| Lang::from_tag(&v.language))
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(|tag| Lang::from_tag(&tag)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or(Lang::En);
    RequestContext {
        store: state.store.clone(),
        live: state.live.clone(),
        viewer,
        lang,
        now: now_millis(),
        path: uri.path().to_string(),
        notice,
        feedback: None,
        site_url: state.site_url.clone(),
        mail_relay: state.mail_relay.clone(),
        unverified_may_post: state.unverified_may_post,
        unread: Arc::new(AtomicI64::new(unread)),
    }
}

/// Signs `person` in on this session under a new session id, so that an id planted before
/// sign-in cannot be used after it.
pub async fn sign_in_session(session: &Session, person: PersonId) -> Result<(), AppError> {
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session
        .insert(PERSON_KEY, person.0)
        .await
        .map_err(|_| AppError::Internal)
}

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Renders the page at `uri` with `cx`.
pub async fn render(
    state: &AppState,
    cx: RequestContext,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    render_with(state, cx, uri, headers, ()).await
}

/// Renders the page at `uri` with `cx` and `shown`, something a form produced that the page
/// shows in this response only (a ballot's receipt, a sheet of voting codes; the page reads it
/// with `use_context`). It is never stored, not even in the session, and the response may not be
/// kept by any cache.
pub async fn render_once<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    cx: RequestContext,
    uri: &Uri,
    headers: &HeaderMap,
    shown: T,
) -> Response {
    let mut response = render_with(state, cx, uri, headers, shown).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn render_with<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    cx: RequestContext,
    uri: &Uri,
    headers: &HeaderMap,
    shown: T,
) -> Response {
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri.clone())
        .body(Body::empty())
        .unwrap_or_default();
    *request.headers_mut() = headers.clone();
    let options = state.leptos.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(cx.clone());
            provide_context(shown.clone());
        },
        move || app::app::shell(options.clone()),
    );
    let mut response = handler(request).await;
    // Pages show who is signed in and their notices: never let a shared cache keep them.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// `GET` of any page.
pub async fn page(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: Session,
    parts: Parts,
) -> Response {
    let cx = context(&state, &session, &parts.headers, &parts.uri).await;
    render(&state, cx, &parts.uri, &parts.headers).await
}

/// What a successful form submission leads to.
pub struct Done {
    /// Where to go next (a local path).
    pub to: String,
    /// What to tell the person there.
    pub notice: Msg,
    /// A language to remember in the language cookie.
    pub lang: Option<Lang>,
}

impl Done {
    /// Go to `to` and say `notice`.
    pub fn to(to: impl Into<String>, notice: Msg) -> Done {
        Done {
            to: to.into(),
            notice,
            lang: None,
        }
    }
}

/// Runs a form's use case and answers: a redirect with a notice, or the page again with the error.
pub async fn submit<Fut>(
    state: AppState,
    session: Session,
    parts: Parts,
    Submitted(form): Submitted,
    action: impl FnOnce(RequestContext, Form) -> Fut,
) -> Response
where
    Fut: Future<Output = AppResult<Done>>,
{
    let cx = context(&state, &session, &parts.headers, &parts.uri).await;
    let form = match form {
        Ok(form) => form,
        Err(refused) => return fail(&state, cx, refused.kept, refused.error, &parts).await,
    };
    match action(cx.clone(), form.clone()).await {
        Ok(done) => {
            // Back on the page the form was sent from, the notice goes in that form (unless the
            // page holds what it is about, named by the address's fragment).
            let sent_from = path_of(&done.to) == parts.uri.path();
            let form_place = sent_from.then(|| form_place(&form)).flatten();
            succeed_at(&session, done, form_place).await
        }
        Err(error) => fail(&state, cx, form, error, &parts).await,
    }
}

/// Redirects after success, leaving the notice for the next page.
pub async fn succeed(session: &Session, done: Done) -> Response {
    succeed_at(session, done, None).await
}

/// Redirects after success, leaving the notice for the next page, where it is shown beside the
/// element the address's fragment names (`…#comment-12`), else in the form `form_place` (the
/// one sent, on the page it came from), else at the top. Without a fragment, the address gets
/// `#notice`, so the browser brings the notice into view wherever it is.
async fn succeed_at(session: &Session, done: Done, form_place: Option<String>) -> Response {
    let mut to = done.to;
    let mut at: Vec<String> = to
        .split_once('#')
        .map(|(_, fragment)| fragment.to_string())
        .into_iter()
        .collect();
    if let Some(form) = form_place {
        if at.is_empty() {
            to.push_str("#notice");
        }
        at.push(form);
    }
    let notice = Notice::new(done.notice, at);
    if session.insert(NOTICE_KEY, &notice).await.is_err() {
        tracing::warn!("could not store a notice in the session");
    }
    let mut response = Redirect::to(&local_path(&to)).into_response();
    if let Some(lang) = done.lang {
        response
            .headers_mut()
            .append(header::SET_COOKIE, lang_cookie(lang));
    }
    response
}

/// Renders the page again with the error and what was typed, under the error's status.
pub async fn fail(
    state: &AppState,
    mut cx: RequestContext,
    form: Form,
    error: AppError,
    parts: &Parts,
) -> Response {
    if error == AppError::Internal {
        tracing::warn!(path = %crate::security::loggable_path(parts.uri.path()), "a form submission failed internally");
    }
    let mut values = form.fields;
    values.retain(|name, _| !name.contains("password"));
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    cx.feedback = Some(Feedback { error, values });
    let mut response = render(state, cx, &parts.uri, &parts.headers).await;
    *response.status_mut() = status;
    response.headers_mut().remove(header::LOCATION);
    response
}

/// The path of a local address, without its query or fragment.
fn path_of(to: &str) -> &str {
    to.split(['?', '#']).next().unwrap_or(to)
}

/// Where the notice goes in the form that was sent: `form:<intent>`, with `-<key>` for a form the
/// page repeats (as `components::form::PostForm` names its place).
fn form_place(form: &Form) -> Option<String> {
    let intent = form.text("intent");
    if intent.is_empty() {
        return None;
    }
    Some(match form.text("key") {
        "" => format!("form:{intent}"),
        key => format!("form:{intent}-{key}"),
    })
}

/// The cookie that remembers the interface language for a year.
pub fn lang_cookie(lang: Lang) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("lang=en; Path=/"))
}

/// `path` if it is a path on this site, else `/`: redirects never lead elsewhere.
pub fn local_path(path: &str) -> String {
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace());
    if safe {
        path.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_the_site() {
        assert_eq!(local_path("/processes/1"), "/processes/1");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "/a b",
        ] {
            assert_eq!(local_path(hostile), "/", "{hostile}");
        }
    }

    #[test]
    fn a_notice_knows_the_page_and_form_it_came_from() {
        assert_eq!(
            path_of("/processes/1/sittings/2?as=3#room"),
            "/processes/1/sittings/2"
        );
        assert_eq!(path_of("/account"), "/account");
        let mut form = Form::default();
        assert_eq!(form_place(&form), None);
        form.fields.insert("intent".into(), "moderate".into());
        assert_eq!(form_place(&form).as_deref(), Some("form:moderate"));
        form.fields.insert("key".into(), "12".into());
        assert_eq!(form_place(&form).as_deref(), Some("form:moderate-12"));
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("id=abc; lang=zh-Hans"),
        );
        assert_eq!(cookie(&headers, "lang").as_deref(), Some("zh-Hans"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
