//! `GET /processes/{id}/activity.atom`: a process's activity as an Atom feed (RFC 4287): what its
//! public activity log records (drafts started, versions named, phases, roles, budgets), its
//! public sittings and its published decisions, newest first, so that anyone can follow a process
//! in a feed reader without an account. The words are in `?lang=`'s language or the reader's,
//! like the calendars, since a feed reader that refreshes sends no language of its own.

use crate::api_v1::timestamp;
use crate::calendar::{chosen, title_in};
use crate::feeds::origin;
use crate::state::AppState;
use crate::web::context;
use app::domain::sitting::Stage;
use app::domain::xml::escape as xml;
use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::ids::ProcessId;
use app::model::{EventKind, ProcessEvent};
use app::pages::process::{event_words, format_time};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use tower_sessions::Session;

/// How many entries the feed carries.
const FEED_LENGTH: usize = 50;

/// One entry: its stable id, when it happened, its title, who (if anyone is named), and where
/// to read more.
struct Entry {
    id: String,
    at: i64,
    title: String,
    author: Option<String>,
    link: String,
}

/// `GET /processes/{id}/activity.atom[?lang=TAG]`
pub async fn process(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    session: Session,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Ok(id) = id.parse::<ProcessId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cx = context(&state, &session, &headers, &uri).await;
    let lang = chosen(&query).unwrap_or(cx.lang);
    let origin = origin(&state, &headers);
    let result = async {
        let owner = state.store.process(id).await?.ok_or(AppError::NotFound)?;
        let page = format!("{origin}/processes/{}", id.0);
        let mut entries: Vec<Entry> = state
            .store
            .events(id, FEED_LENGTH as i64)
            .await?
            .iter()
            .map(|event| event_entry(&origin, &page, event, lang))
            .collect();
        for sitting in state.store.sittings(id).await? {
            // The sittings anyone may watch, and closed ones, whose record is public.
            if !(sitting.public || sitting.state.stage == Stage::Closed) {
                continue;
            }
            let link = format!("{page}/sittings/{}", sitting.id.0);
            entries.push(Entry {
                id: link.clone(),
                at: sitting.created_at,
                title: Msg::FeedSitting {
                    title: sitting.title.clone(),
                    when: format_time(sitting.starts_at),
                }
                .render(lang),
                author: None,
                link,
            });
        }
        for decision in state.store.decisions(Some(id)).await? {
            let Some(published_at) = decision.published_at else {
                continue;
            };
            let link = format!("{page}/decisions/{}", decision.id);
            entries.push(Entry {
                id: link.clone(),
                at: published_at,
                title: Msg::FeedDecision {
                    draft: decision.draft_title.clone(),
                }
                .render(lang),
                author: decision.published_by.clone(),
                link,
            });
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        entries.truncate(FEED_LENGTH);
        let title = Msg::FeedActivityTitle {
            process: title_in(&owner, lang),
        }
        .render(lang);
        Ok::<_, AppError>(render(
            &format!("{page}/activity.atom"),
            &page,
            &title,
            lang,
            &entries,
        ))
    }
    .await;
    match result {
        Ok(feed) => (
            [
                (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
                // The words depend on the reader's language: no shared cache keeps one for all.
                (header::CACHE_CONTROL, "private, no-cache"),
            ],
            feed,
        )
            .into_response(),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// An entry of the activity log. Its id is stable across requests (the time and the kind of
/// event), so a feed reader shows each event once.
fn event_entry(origin: &str, page: &str, event: &ProcessEvent, lang: Lang) -> Entry {
    let (what, by) = event_words(lang, event);
    let link = match &event.kind {
        EventKind::DraftCreated { draft } | EventKind::DraftLocked { draft, .. } => {
            format!("{page}/drafts/{}", draft.0)
        }
        EventKind::VersionNamed { draft, .. } => format!("{page}/drafts/{}", draft.0),
        EventKind::BudgetCreated { budget }
        | EventKind::BudgetAreasEdited { budget }
        | EventKind::BudgetStaff { budget, .. }
        | EventKind::BudgetPhaseChanged { budget, .. }
        | EventKind::CensusUploaded { budget, .. }
        | EventKind::CodesIssued { budget, .. } => format!("{origin}/budgets/{budget}"),
        EventKind::ProjectProposed {
            budget, project, ..
        }
        | EventKind::ProjectReviewed {
            budget, project, ..
        }
        | EventKind::ProjectUpdated {
            budget, project, ..
        } => format!("{origin}/budgets/{budget}/projects/{project}"),
        _ => format!("{page}#activity"),
    };
    let kind = serde_json::to_string(&event.kind).unwrap_or_default();
    let key = app::api::account::device_hash(&format!("{}:{kind}", event.at));
    Entry {
        id: format!("{page}#event-{}", &key[..16]),
        at: event.at,
        title: format!("{what} — {by}"),
        author: Some(event.actor_name.clone()),
        link,
    }
}

fn render(self_url: &str, page: &str, title: &str, lang: Lang, entries: &[Entry]) -> String {
    let updated = entries.iter().map(|e| e.at).max().unwrap_or(0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        lang.code()
    ));
    out.push_str(&format!("  <id>{}</id>\n", xml(self_url)));
    out.push_str(&format!("  <title>{}</title>\n", xml(title)));
    out.push_str(&format!("  <updated>{}</updated>\n", timestamp(updated)));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(self_url)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(page)
    ));
    out.push_str("  <author><name>Baraza</name></author>\n");
    for entry in entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml(&entry.id)));
        out.push_str(&format!("    <title>{}</title>\n", xml(&entry.title)));
        out.push_str(&format!("    <updated>{}</updated>\n", timestamp(entry.at)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&entry.link)
        ));
        if let Some(author) = &entry.author {
            out.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                xml(author)
            ));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
