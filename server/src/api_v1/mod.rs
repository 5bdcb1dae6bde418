//! The public, read-only open-data API (`/api/v1`), documented in docs/API.md. Field names are
//! stable; it never exposes personal data beyond public display names.

mod budgets;
mod comments;
mod decisions;
mod drafts;
mod exports;
mod processes;
mod record;
mod sittings;

pub use budgets::{ballots, budget, budgets, pabulib};
pub use comments::{comments, moderation_log, project_comments};
pub use decisions::{decision, dispositions_csv};
pub use drafts::{draft, version, writers};
pub use exports::export;
pub use processes::{process, processes};
pub use record::record;
pub use sittings::sitting;

use crate::state::AppState;
use app::api::comments::Place;
use app::domain::localized::Localized;
use app::error::AppError;
use app::i18n::Lang;
use app::ids::ProcessId;
use app::model::{Process, Subject};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

/// A draft as the open data publishes it. Minutes are published with their sitting
/// (`/api/v1/sittings/{id}`), never as drafts.
async fn published_draft(
    state: &AppState,
    id: app::ids::DraftId,
) -> Result<app::model::Draft, AppError> {
    state
        .store
        .draft(id)
        .await?
        .filter(|d| d.minutes_of.is_none())
        .ok_or(AppError::NotFound)
}

/// RFC 3339 time, for people and programs alike.
pub fn timestamp(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn texts(text: &Localized) -> BTreeMap<String, String> {
    text.0.clone()
}

/// An API error as JSON: a stable code and a message in the client's language.
fn error(error: AppError, headers: &HeaderMap) -> Response {
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or(Lang::En);
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body =
        serde_json::json!({ "error": error.code(), "message": error.message().render(lang) });
    open((status, Json(body)).into_response())
}

/// Open data may be read by any site.
fn open(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// `GET /healthz`: the database answers.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.is_empty().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// One CSV field: quoted when needed, and defused when a spreadsheet would read it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            super::csv_field("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(super::csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
