//! Atom feeds of published decisions, for the whole site and for each process, so that anyone
//! can follow what was decided in a feed reader, without an account.

use crate::api_v1::timestamp;
use crate::state::AppState;
use app::domain::decision;
use app::domain::process::Day;
use app::domain::xml::escape as xml;
use app::ids::ProcessId;
use app::model::{CouncilDecision, Process};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// How many decisions a feed carries.
const FEED_LENGTH: usize = 50;

/// `GET /decisions.atom`
pub async fn site(State(state): State<AppState>, headers: HeaderMap) -> Response {
    feed(&state, &headers, None).await
}

/// `GET /processes/{id}/decisions.atom`
pub async fn process(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match id.parse::<ProcessId>() {
        Ok(id) => feed(&state, &headers, Some(id)).await,
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Where the site is, for the feed's absolute links: the configured public origin, else the
/// address the reader used.
pub fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(origin) = &state.public_origin {
        return origin.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn feed(state: &AppState, headers: &HeaderMap, process: Option<ProcessId>) -> Response {
    let origin = origin(state, headers);
    let result = async {
        let scope = match process {
            Some(id) => Some(
                state
                    .store
                    .process(id)
                    .await?
                    .ok_or(app::error::AppError::NotFound)?,
            ),
            None => None,
        };
        let mut published: Vec<CouncilDecision> = state
            .store
            .decisions(process)
            .await?
            .into_iter()
            .filter(|d| d.published_at.is_some())
            .collect();
        published.sort_by_key(|d| std::cmp::Reverse(d.published_at));
        published.truncate(FEED_LENGTH);
        let mut entries = Vec::new();
        for d in published {
            let owner = match &scope {
                Some(p) => p.clone(),
                None => match state.store.process(d.process).await? {
                    Some(p) => p,
                    None => continue,
                },
            };
            entries.push((owner, d));
        }
        Ok::<_, app::error::AppError>(render(&origin, scope.as_ref(), &entries))
    }
    .await;
    match result {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn title_of(process: &Process) -> String {
    let first = process
        .fields
        .languages
        .first()
        .cloned()
        .unwrap_or_default();
    process
        .fields
        .title
        .pick(&first, &process.fields.languages)
        .text
}

fn render(origin: &str, scope: Option<&Process>, entries: &[(Process, CouncilDecision)]) -> String {
    let (self_path, title) = match scope {
        Some(p) => (
            format!("/processes/{}/decisions.atom", p.id),
            format!("Baraza: decisions of {}", title_of(p)),
        ),
        None => (
            "/decisions.atom".to_string(),
            "Baraza: decisions".to_string(),
        ),
    };
    let updated = entries
        .iter()
        .filter_map(|(_, d)| d.published_at)
        .max()
        .unwrap_or(0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>{}</id>\n",
        xml(&format!("{origin}{self_path}"))
    ));
    out.push_str(&format!("  <title>{}</title>\n", xml(&title)));
    out.push_str(&format!("  <updated>{}</updated>\n", timestamp(updated)));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&format!("{origin}{self_path}"))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&match scope {
            Some(p) => format!("{origin}/processes/{}", p.id),
            None => format!("{origin}/decisions"),
        })
    ));
    out.push_str("  <author><name>Baraza</name></author>\n");
    let today = Day::from_unix_days(crate::clock::now_millis().div_euclid(86_400_000));
    for (process, d) in entries {
        let url = format!("{origin}/processes/{}/decisions/{}", d.process, d.id);
        let tally = d.tally();
        let result = tally.result(d.rule);
        let (answered, overdue) = (
            d.answers.iter().map(|a| a.threads.len()).sum::<usize>(),
            decision::review_overdue(d.review_on, d.last_update_on(), today),
        );
        let mut summary = format!(
            "{} — {}. Vote: {} for, {} against, {} abstaining ({}). {} comment threads answered.",
            title_of(process),
            d.draft_title,
            tally.for_,
            tally.against,
            tally.abstain,
            if result.passed {
                "carried"
            } else {
                "not carried"
            },
            answered
        );
        if overdue {
            summary.push_str(" Review overdue.");
        }
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml(&url)));
        out.push_str(&format!(
            "    <title>{}</title>\n",
            xml(&format!("Decision: {}", d.draft_title))
        ));
        let published = timestamp(d.published_at.unwrap_or(0));
        let updated = d
            .updates
            .iter()
            .map(|u| u.at)
            .chain(d.published_at)
            .max()
            .unwrap_or(0);
        out.push_str(&format!("    <published>{published}</published>\n"));
        out.push_str(&format!("    <updated>{}</updated>\n", timestamp(updated)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&url)
        ));
        out.push_str(&format!(
            "    <link rel=\"related\" type=\"application/json\" href=\"{}\"/>\n",
            xml(&format!("{origin}/api/v1/decisions/{}", d.id))
        ));
        if let Some(by) = &d.published_by {
            out.push_str(&format!("    <author><name>{}</name></author>\n", xml(by)));
        }
        out.push_str(&format!("    <summary>{}</summary>\n", xml(&summary)));
        out.push_str(&format!(
            "    <content type=\"text\" xml:lang=\"{}\">{}</content>\n",
            xml(&d.language),
            xml(&d.rationale)
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
