//! One module per route. Pages render on the server only; see `components::islands` for what
//! runs in the browser.

pub mod account;
pub mod admin;
pub mod auth;
pub mod ballot;
pub mod budget_eligibility;
pub mod budget_how;
pub mod budget_manage;
pub mod budget_project;
pub mod budget_results;
pub mod budgets;
pub mod comments;
pub mod compare;
pub mod decisions;
pub mod drafts;
pub mod home;
pub mod notifications;
pub mod organisations;
pub mod outbox;
pub mod process;
pub mod sittings;

use crate::components::layout::{Page, encode_path, t};
use crate::error::{AppError, AppResult};
use crate::ssr::{RequestContext, cx};
use leptos::prelude::*;

/// Loads a page's data, then renders `body` with it, or the error page. Rendering waits for the
/// data (the server renders pages whole), so every page is complete HTML without JavaScript.
pub fn load<T, Fut, V>(
    fetch: impl FnOnce(RequestContext) -> Fut + Send + 'static,
    body: impl FnOnce(T) -> V + Send + 'static,
) -> impl IntoView
where
    Fut: Future<Output = AppResult<T>> + Send + 'static,
    T: Send + 'static,
    V: IntoView + 'static,
{
    let cx = cx();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match fetch(cx).await {
                    Ok(data) => body(data).into_any(),
                    Err(error) => view! { <ErrorPage error=error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Shows an error and sets the response status. A request that needs a signed-in person is
/// sent to the sign-in page, which brings them back afterwards.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let cx = cx();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if error == AppError::Unauthenticated {
            // Whoever asked (browser or not) is sent to sign in, and brought back afterwards.
            let login = format!("/auth/login?next={}", encode_path(&cx.path));
            response.set_status(http::StatusCode::FOUND);
            if let Ok(location) = http::HeaderValue::from_str(&login) {
                response.insert_header(http::header::LOCATION, location);
            }
        } else {
            response.set_status(http_status(error.status()));
        }
    }
    let title = cx.t(error.message());
    view! {
        <Page title=title>
            <p>
                <a href="/">{t(crate::i18n::Msg::ErrorBackHome)}</a>
            </p>
        </Page>
    }
}

/// The page for paths that match no route.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage error=AppError::NotFound /> }
}

fn http_status(code: u16) -> http::StatusCode {
    http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
}

/// The route parameter `name` parsed as an id, or a not-found error.
pub fn param<T: std::str::FromStr>(name: &str) -> AppResult<T> {
    use leptos_router::hooks::use_params_map;
    use_params_map()
        .read_untracked()
        .get(name)
        .and_then(|v| v.parse().ok())
        .ok_or(AppError::NotFound)
}
