//! Calendars: a sitting's `.ics` (to add it to one's calendar) and a process's calendar feed of
//! its public sittings and phase dates (to import, or to subscribe to so that changes follow).
//! The words are in the reader's language, or in `?lang=`'s, since a calendar program that
//! refreshes a subscription sends no language of its own.

use crate::state::AppState;
use crate::web::context;
use app::api::sittings::may_watch;
use app::domain::icalendar::{Event, When, calendar};
use app::domain::roles::Phase;
use app::domain::sitting::Stage;
use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::ids::{ProcessId, SittingId};
use app::model::{Process, Sitting};
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use tower_sessions::Session;

/// `GET /processes/{id}/sittings/{sitting}`: the sitting's page, or, for `{sitting}.ics`, its
/// calendar entry. One handler serves both because a route parameter takes a whole segment.
pub async fn sitting_page_or_entry(
    state: State<AppState>,
    Path((process, file)): Path<(String, String)>,
    session: Session,
    parts: Parts,
) -> Response {
    match file.strip_suffix(".ics") {
        Some(id) => sitting_entry(state, (process, id), session, parts).await,
        None => crate::web::page(state, session, parts).await,
    }
}

/// A sitting's `.ics`, for whoever may watch it.
async fn sitting_entry(
    State(state): State<AppState>,
    (process, id): (String, &str),
    session: Session,
    parts: Parts,
) -> Response {
    let (headers, uri) = (&parts.headers, &parts.uri);
    let cx = context(&state, &session, headers, uri).await;
    let Some((process, id)) = process
        .parse::<ProcessId>()
        .ok()
        .zip(id.parse::<SittingId>().ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let query: BTreeMap<String, String> = Query::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
    let lang = chosen(&query).unwrap_or(cx.lang);
    let result = async {
        let sitting = state
            .store
            .sitting(id)
            .await?
            .filter(|s| s.process == process)
            .ok_or(AppError::NotFound)?;
        let viewer = cx.viewer.as_ref().map(|v| v.id);
        if !may_watch(state.store.as_ref(), &sitting, viewer).await? {
            // Whether it exists is nobody else's business.
            return Err(AppError::NotFound);
        }
        let owner = state
            .store
            .process(process)
            .await?
            .ok_or(AppError::NotFound)?;
        let origin = crate::feeds::origin(&state, headers);
        let name = sitting.title.clone();
        let events = [sitting_event(
            &origin,
            &owner.fields.languages,
            &sitting,
            lang,
        )];
        Ok(calendar(&name, crate::clock::now_millis(), &events))
    }
    .await;
    respond(result, &format!("sitting-{}.ics", id.0))
}

/// `GET /processes/{id}/calendar.ics`: the process's public sittings (and closed ones, whose
/// record is public) and its planned phase dates.
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
    let result = async {
        let owner = state.store.process(id).await?.ok_or(AppError::NotFound)?;
        let origin = crate::feeds::origin(&state, &headers);
        let title = title_in(&owner, lang);
        let mut events: Vec<Event> = owner
            .fields
            .schedule
            .iter()
            // A process's closing is its record's start, not an event to attend.
            .filter(|dates| dates.phase != Phase::Closed)
            .map(|dates| Event {
                uid: format!(
                    "process-{}-phase-{}@{}",
                    id.0,
                    dates.phase.code(),
                    host(&origin)
                ),
                start: When::Day(dates.starts_on),
                end: Some(When::Day(dates.ends_on)),
                summary: Msg::CalendarPhase {
                    phase: dates.phase.label().render(lang),
                    process: title.clone(),
                }
                .render(lang),
                location: String::new(),
                description: format!(
                    "{}\n{origin}/processes/{}",
                    dates.phase.explanation().render(lang),
                    id.0
                ),
                url: format!("{origin}/processes/{}", id.0),
                language: lang.code().to_string(),
            })
            .collect();
        let sittings = state.store.sittings(id).await?;
        events.extend(
            sittings
                .iter()
                .filter(|s| s.public || s.state.stage == Stage::Closed)
                .map(|s| sitting_event(&origin, &owner.fields.languages, s, lang)),
        );
        let name = Msg::CalendarName { process: title }.render(lang);
        Ok(calendar(&name, crate::clock::now_millis(), &events))
    }
    .await;
    respond(result, &format!("process-{}.ics", id.0))
}

/// A sitting as an event: its agenda and its page in the description. It has no planned
/// length, so it ends when it closed, or is an instant until then.
/// A sitting as a calendar event, linking to its page on the site at `origin`; `languages` are
/// its process's, the first being the one its title and agenda are written in.
pub(crate) fn sitting_event(
    origin: &str,
    languages: &[String],
    sitting: &Sitting,
    lang: Lang,
) -> Event {
    let url = format!(
        "{origin}/processes/{}/sittings/{}",
        sitting.process.0, sitting.id.0
    );
    let mut description = String::new();
    if !sitting.agenda.is_empty() {
        description.push_str(&Msg::CalendarAgenda.render(lang));
        for (n, item) in sitting.agenda.iter().enumerate() {
            description.push_str(&format!("\n{}. {}", n + 1, item.text));
        }
        description.push_str("\n\n");
    }
    description.push_str(&format!("{}\n{url}", Msg::CalendarDetails.render(lang)));
    Event {
        uid: format!("sitting-{}@{}", sitting.id.0, host(origin)),
        start: When::At(sitting.starts_at),
        end: sitting
            .closed_at
            .filter(|closed| *closed > sitting.starts_at)
            .map(When::At),
        summary: sitting.title.clone(),
        location: sitting.place.clone(),
        description,
        url,
        // Mediators write a sitting's title and agenda in the process's language.
        language: languages
            .first()
            .cloned()
            .unwrap_or_else(|| lang.code().to_string()),
    }
}

/// The language `?lang=` asks for, if it is one the interface speaks.
pub(crate) fn chosen(query: &BTreeMap<String, String>) -> Option<Lang> {
    query.get("lang").and_then(|tag| Lang::from_tag(tag))
}

pub(crate) fn title_in(process: &Process, lang: Lang) -> String {
    process
        .fields
        .title
        .pick(lang.code(), &process.fields.languages)
        .text
}

/// The site's host name, which makes event ids unique across sites.
fn host(origin: &str) -> &str {
    origin.split("://").nth(1).unwrap_or(origin)
}

fn respond(result: Result<String, AppError>, file: &str) -> Response {
    match result {
        Ok(ics) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/calendar; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{file}\""),
                ),
                // What it holds depends on who asks (an invited-only sitting) and their
                // language: no shared cache may keep it for others.
                (header::CACHE_CONTROL, "private, no-cache".to_string()),
            ],
            ics,
        )
            .into_response(),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
