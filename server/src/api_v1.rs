//! The public, read-only open-data API (`/api/v1`), documented in docs/API.md. Field names are
//! stable; it never exposes personal data beyond public display names.

use crate::state::AppState;
use app::api::comments::Place;
use app::domain::localized::Localized;
use app::error::AppError;
use app::i18n::Lang;
use app::ids::ProcessId;
use app::model::Process;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct PhaseView {
    phase: &'static str,
    starts_on: String,
    ends_on: String,
}

#[derive(Serialize)]
struct ProcessSummary {
    id: i64,
    url: String,
    title: BTreeMap<String, String>,
    summary: BTreeMap<String, String>,
    level: &'static str,
    languages: Vec<String>,
    phase: &'static str,
    open_for_input: bool,
    phases: Vec<PhaseView>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct OrganisationView {
    id: i64,
    name: BTreeMap<String, String>,
    kind: &'static str,
    stakeholder: &'static str,
    role: &'static str,
}

#[derive(Serialize)]
struct PersonView {
    display_name: String,
    role: &'static str,
}

#[derive(Serialize)]
struct ProcessDetail {
    #[serde(flatten)]
    summary: ProcessSummary,
    rules: BTreeMap<String, String>,
    who_decides: BTreeMap<String, String>,
    legal_basis: BTreeMap<String, String>,
    input_outcome: BTreeMap<String, String>,
    organisations: Vec<OrganisationView>,
    people: Vec<PersonView>,
    drafts: Vec<DraftSummary>,
}

#[derive(Serialize)]
struct DraftSummary {
    id: i64,
    url: String,
    title: String,
    language: String,
}

#[derive(Serialize)]
struct VersionView {
    number: i64,
    name: String,
    content_hash: String,
    author: String,
    organisation: Option<BTreeMap<String, String>>,
    created_at: String,
}

#[derive(Serialize)]
struct ShareView {
    organisation: Option<OrganisationRef>,
    characters: usize,
    share: f64,
}

#[derive(Serialize)]
struct OrganisationRef {
    id: i64,
    name: BTreeMap<String, String>,
    kind: &'static str,
    stakeholder: &'static str,
}

#[derive(Serialize)]
struct DraftDetail {
    id: i64,
    process_id: i64,
    url: String,
    title: String,
    language: String,
    summary: String,
    locked: bool,
    text: String,
    versions: Vec<VersionView>,
    shares: Vec<ShareView>,
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

fn summary(process: &Process) -> ProcessSummary {
    ProcessSummary {
        id: process.id.0,
        url: format!("/processes/{}", process.id),
        title: texts(&process.fields.title),
        summary: texts(&process.fields.summary),
        level: process.fields.level.code(),
        languages: process.fields.languages.clone(),
        phase: process.phase.code(),
        open_for_input: process.phase.is_open_for_input(),
        phases: process
            .fields
            .schedule
            .iter()
            .map(|d| PhaseView {
                phase: d.phase.code(),
                starts_on: d.starts_on.to_string(),
                ends_on: d.ends_on.to_string(),
            })
            .collect(),
        created_at: timestamp(process.created_at),
        updated_at: timestamp(process.updated_at),
    }
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

/// `GET /api/v1/processes`
pub async fn processes(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.store.processes().await {
        Ok(list) => open(
            Json(serde_json::json!({ "processes": list.iter().map(summary).collect::<Vec<_>>() }))
                .into_response(),
        ),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/processes/{id}`
pub async fn process(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<ProcessId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let process = state.store.process(id).await?.ok_or(AppError::NotFound)?;
        let participants = state.store.participants(id).await?;
        Ok::<_, AppError>(ProcessDetail {
            summary: summary(&process),
            rules: texts(&process.fields.rules),
            who_decides: texts(&process.fields.who_decides),
            legal_basis: texts(&process.fields.legal_basis),
            input_outcome: texts(&process.fields.input_outcome),
            organisations: participants
                .organisations
                .iter()
                .map(|o| OrganisationView {
                    id: o.org.id.0,
                    name: texts(&o.org.name),
                    kind: o.org.kind.code(),
                    stakeholder: o.org.kind.stakeholder().code(),
                    role: o.role.code(),
                })
                .collect(),
            people: participants
                .people
                .iter()
                .map(|p| PersonView {
                    display_name: p.display_name.clone(),
                    role: p.role.role().code(),
                })
                .collect(),
            drafts: state
                .store
                .drafts(id)
                .await?
                .into_iter()
                .map(|d| DraftSummary {
                    id: d.id.0,
                    url: format!("/processes/{}/drafts/{}", d.process, d.id),
                    title: d.title,
                    language: d.language,
                })
                .collect(),
        })
    }
    .await;
    match result {
        Ok(detail) => open(Json(detail).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// `GET /healthz`: the database answers.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.is_empty().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

fn version_view(v: &app::model::VersionMeta) -> VersionView {
    VersionView {
        number: v.number,
        name: v.name.clone(),
        content_hash: v.content_hash.clone(),
        author: v.author_name.clone(),
        organisation: v.org_name.as_ref().map(texts),
        created_at: timestamp(v.created_at),
    }
}

/// `GET /api/v1/drafts/{id}`: the live text, the named versions and each organisation's share.
pub async fn draft(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DraftId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        // Minutes are published with their sitting (`/api/v1/sittings/{id}`), not as drafts.
        let draft = state
            .store
            .draft(id)
            .await?
            .filter(|d| d.minutes_of.is_none())
            .ok_or(AppError::NotFound)?;
        let live = state.live.text(id).await?;
        let orgs = app::api::drafts::authors(state.store.as_ref(), &live).await?;
        let shares = app::api::drafts::shares(&live, &orgs);
        let total = shares.iter().map(|s| s.characters).sum::<usize>().max(1) as f64;
        let versions = state.store.versions(id).await?;
        Ok::<_, AppError>(DraftDetail {
            id: draft.id.0,
            process_id: draft.process.0,
            url: format!("/processes/{}/drafts/{}", draft.process, draft.id),
            title: draft.title,
            language: draft.language,
            summary: draft.summary,
            locked: draft.locked_at.is_some(),
            text: live.text,
            versions: versions.iter().map(version_view).collect(),
            shares: shares
                .iter()
                .map(|s| ShareView {
                    organisation: s.org.as_ref().map(|o| OrganisationRef {
                        id: o.id.0,
                        name: texts(&o.name),
                        kind: o.kind.code(),
                        stakeholder: o.kind.stakeholder().code(),
                    }),
                    characters: s.characters,
                    share: (s.characters as f64 / total * 10_000.0).round() / 10_000.0,
                })
                .collect(),
        })
    }
    .await;
    match result {
        Ok(detail) => open(Json(detail).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/drafts/{id}/versions/{number}`: a named version's text and hash.
pub async fn version(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (Ok(id), Ok(number)) = (id.parse::<app::ids::DraftId>(), number.parse::<i64>()) else {
        return error(AppError::NotFound, &headers);
    };
    match state.store.version(id, number).await {
        Ok(Some(version)) => {
            let mut body = serde_json::to_value(version_view(&version.meta)).unwrap_or_default();
            body["draft_id"] = serde_json::json!(id.0);
            body["text"] = serde_json::json!(version.text);
            open(Json(body).into_response())
        }
        Ok(None) => error(AppError::NotFound, &headers),
        Err(e) => error(e, &headers),
    }
}

#[derive(Serialize)]
struct Span {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct CommentView {
    id: i64,
    thread_id: i64,
    parent_id: Option<i64>,
    depth: i64,
    url: String,
    /// `visible`, `held`, `hidden` or `withdrawn` (comments waiting for approval are not published).
    status: &'static str,
    display_name: String,
    organisation: Option<BTreeMap<String, String>>,
    /// Whether the organisation spoken for is verified now (`null` for people speaking for
    /// themselves).
    organisation_verified: Option<bool>,
    /// A council member's answer, or one for a verified government body.
    official: bool,
    stance: &'static str,
    /// `null` unless the comment is shown.
    body: Option<String>,
    quote: Option<String>,
    /// Yjs sticky positions (hex of yrs's v1 encoding) of the passage's first and last character.
    anchor_start: Option<String>,
    anchor_end: Option<String>,
    /// Where the passage is in the live text now, in UTF-16 code units.
    location: Option<Span>,
    passage_removed: bool,
    created_at: String,
    edited_at: Option<String>,
    earlier_versions: usize,
    /// The last moderation decision, as the public log states it.
    moderation: Option<ModerationView>,
}

#[derive(Serialize)]
struct ModerationView {
    action: &'static str,
    reason: &'static str,
}

/// The published comments of a draft, passages located in the live text.
async fn published_comments(
    state: &AppState,
    id: app::ids::DraftId,
) -> Result<Vec<CommentView>, AppError> {
    use app::domain::comments::Status;
    let draft = state.store.draft(id).await?.ok_or(AppError::NotFound)?;
    let comments: Vec<_> = state
        .store
        .comments(id)
        .await?
        .into_iter()
        .filter(|c| c.status != Status::Pending)
        .collect();
    let all: Vec<&app::model::Comment> = comments.iter().collect();
    let places = app::api::comments::place_passages(state.live.as_ref(), id, &all).await?;
    Ok(comments
        .into_iter()
        .zip(places)
        .map(|(c, place)| {
            let (location, removed) = match place {
                Some(Place::At { start, end }) => (Some(Span { start, end }), false),
                Some(Place::Removed) => (None, true),
                None => (None, false),
            };
            let shown = c.status == Status::Visible;
            let official = c.shows_official();
            CommentView {
                id: c.id.0,
                thread_id: c.thread.0,
                parent_id: c.parent.map(|p| p.0),
                depth: c.depth,
                url: format!(
                    "/processes/{}/drafts/{}#comment-{}",
                    draft.process, draft.id, c.id
                ),
                status: c.status.code(),
                display_name: c.display_name,
                organisation: c.org_name.as_ref().map(texts),
                organisation_verified: c.org.map(|_| c.org_verified),
                official,
                stance: c.stance.code(),
                body: shown.then_some(c.body),
                quote: c.passage.as_ref().map(|p| p.quote.clone()),
                anchor_start: c.passage.as_ref().map(|p| p.anchor.start.clone()),
                anchor_end: c.passage.as_ref().map(|p| p.anchor.end.clone()),
                location,
                passage_removed: removed,
                created_at: timestamp(c.created_at),
                edited_at: c.edited_at.map(timestamp),
                earlier_versions: if shown { c.revisions.len() } else { 0 },
                moderation: c.decision.map(|d| ModerationView {
                    action: d.action.code(),
                    reason: d.reason.code(),
                }),
            }
        })
        .collect())
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

fn comments_csv(comments: &[CommentView]) -> String {
    let mut out = String::from(
        "id,thread_id,parent_id,depth,status,display_name,organisation,organisation_verified,official,\
         stance,body,quote,location_start,location_end,passage_removed,created_at,edited_at\r\n",
    );
    for c in comments {
        let org = c
            .organisation
            .as_ref()
            .and_then(|o| o.get("en").or_else(|| o.values().next()).cloned())
            .unwrap_or_default();
        let row = [
            c.id.to_string(),
            c.thread_id.to_string(),
            c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            c.depth.to_string(),
            c.status.to_string(),
            c.display_name.clone(),
            org,
            c.organisation_verified
                .map(|v| v.to_string())
                .unwrap_or_default(),
            c.official.to_string(),
            c.stance.to_string(),
            c.body.clone().unwrap_or_default(),
            c.quote.clone().unwrap_or_default(),
            c.location
                .as_ref()
                .map(|l| l.start.to_string())
                .unwrap_or_default(),
            c.location
                .as_ref()
                .map(|l| l.end.to_string())
                .unwrap_or_default(),
            c.passage_removed.to_string(),
            c.created_at.clone(),
            c.edited_at.clone().unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// `GET /api/v1/drafts/{id}/comments[?format=csv]`: every published comment with its thread,
/// passage and stance; hidden, held and withdrawn ones without their text.
pub async fn comments(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DraftId>() else {
        return error(AppError::NotFound, &headers);
    };
    match published_comments(&state, id).await {
        Ok(comments) if query.get("format").map(String::as_str) == Some("csv") => open(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"draft-{id}-comments.csv\""),
                    ),
                ],
                comments_csv(&comments),
            )
                .into_response(),
        ),
        Ok(comments) => open(
            Json(serde_json::json!({ "draft_id": id.0, "comments": comments })).into_response(),
        ),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/processes/{id}/moderation-log`: every moderation decision, by role and reason.
pub async fn moderation_log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<ProcessId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        state.store.process(id).await?.ok_or(AppError::NotFound)?;
        let entries = state.store.moderation_log(id, i64::MAX).await?;
        Ok::<_, AppError>(
            entries
                .into_iter()
                .map(|e| {
                    serde_json::json!({
                        "id": e.id,
                        "at": timestamp(e.at),
                        "action": e.action.code(),
                        "reason": e.reason.code(),
                        "by_role": e.actor_role.code(),
                        "comment_id": e.comment.map(|c| c.0),
                        "draft_id": e.draft.map(|d| d.0),
                    })
                })
                .collect::<Vec<_>>(),
        )
    }
    .await;
    match result {
        Ok(entries) => open(
            Json(serde_json::json!({ "process_id": id.0, "entries": entries })).into_response(),
        ),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/sittings/{id}`: a public sitting as it stands, or any closed sitting's record:
/// agenda, attendance, who spoke and for how long per stakeholder group, polls with their results
/// (names only where the poll shows them), outcomes and minutes.
pub async fn sitting(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::SittingId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let sitting = state
            .store
            .sitting(id)
            .await?
            .filter(|s| s.public || s.state.stage == app::domain::sitting::Stage::Closed)
            .ok_or(AppError::NotFound)?;
        let now = crate::web::now_millis();
        let minutes = state.live.text(sitting.minutes).await?.text;
        let live = sitting.state.published();
        let balance = app::domain::sitting::balance(&live, now);
        let polls: Vec<serde_json::Value> = live
            .polls
            .iter()
            .map(|poll| {
                let (overall, by_group) = app::domain::sitting::tally(poll);
                serde_json::json!({
                    "question": poll.question,
                    "kind": poll.kind,
                    "per_organisation": poll.per_organisation,
                    "open": poll.open,
                    "agenda_item": poll.item,
                    "results": overall,
                    "results_by_group": by_group
                        .iter()
                        .map(|(kind, counts)| (app::domain::org::group_code(*kind), counts))
                        .collect::<BTreeMap<_, _>>(),
                    "votes": poll.names_shown.then(|| poll.votes.values().map(|v| serde_json::json!({
                        "name": v.by.name,
                        "answer": v.answer,
                    })).collect::<Vec<_>>()),
                })
            })
            .collect();
        Ok::<_, AppError>(serde_json::json!({
            "id": sitting.id.0,
            "process_id": sitting.process.0,
            "title": sitting.title,
            "starts_at": timestamp(sitting.starts_at),
            "place": sitting.place,
            "stage": live.stage,
            "closed_at": sitting.closed_at.map(timestamp),
            "agenda": sitting.agenda.iter().map(|i| serde_json::json!({
                "text": i.text,
                "draft_id": i.draft.map(|d| d.0),
                "thread_id": i.thread.map(|t| t.0),
            })).collect::<Vec<_>>(),
            "current_item": live.current_item,
            "turn_seconds": sitting.turn_seconds,
            "invited_organisations": sitting.invited.iter().map(|o| o.0).collect::<Vec<_>>(),
            "attendance": live.present.iter().map(|p| serde_json::json!({
                "name": p.name,
                "organisation_id": p.org.map(|o| o.0),
                "group": app::domain::org::group_code(p.kind),
            })).collect::<Vec<_>>(),
            "turns": live.turns.iter().map(|t| serde_json::json!({
                "name": t.speaker.name,
                "organisation_id": t.speaker.org.map(|o| o.0),
                "group": app::domain::org::group_code(t.speaker.kind),
                "agenda_item": t.item,
                "started_at": timestamp(t.started),
                "seconds": (t.ended.unwrap_or(now) - t.started) / 1000,
            })).collect::<Vec<_>>(),
            "balance": balance.iter().map(|b| serde_json::json!({
                "group": app::domain::org::group_code(b.kind),
                "turns": b.turns,
                "seconds": b.speaking_ms / 1000,
            })).collect::<Vec<_>>(),
            "polls": polls,
            "outcomes": live.outcomes,
            "minutes": minutes,
        }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// A published decision, with the threads it answers, as one document for JSON and CSV alike.
async fn published_decision(
    state: &AppState,
    id: app::ids::DecisionId,
) -> Result<(app::model::CouncilDecision, Vec<app::model::Comment>), AppError> {
    let decision = state
        .store
        .decision(id)
        .await?
        .filter(|d| d.published_at.is_some())
        .ok_or(AppError::NotFound)?;
    let threads = state
        .store
        .comments(decision.draft)
        .await?
        .into_iter()
        .filter(|c| c.parent.is_none() && c.status == app::domain::comments::Status::Visible)
        .collect();
    Ok((decision, threads))
}

/// `GET /api/v1/decisions/{id}`: a published decision: adopted text and its hash, rationale, the
/// vote with its computed result, every thread's answer, co-drafters' shares and follow-up.
pub async fn decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DecisionId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let (d, threads) = published_decision(&state, id).await?;
        let tally = d.tally();
        let result = tally.result(d.rule);
        let sittings = state.store.sittings(d.process).await?;
        let total = d.shares.iter().map(|s| s.characters).sum::<usize>().max(1) as f64;
        Ok::<_, AppError>(serde_json::json!({
            "id": d.id.0,
            "url": format!("/processes/{}/decisions/{}", d.process, d.id),
            "process_id": d.process.0,
            "draft_id": d.draft.0,
            "title": d.draft_title,
            "language": d.language,
            "published_at": d.published_at.map(timestamp),
            "published_by": d.published_by,
            "frozen_at": timestamp(d.frozen_at),
            "frozen_by": d.frozen_by,
            "version": d.version,
            "text": d.text,
            "text_sha256": d.text_hash,
            "rationale": d.rationale,
            "vote": {
                "quorum": d.rule.quorum.code(),
                "majority": d.rule.majority.code(),
                "council": d.council,
                "for": tally.for_,
                "against": tally.against,
                "abstain": tally.abstain,
                "quorum_needed": result.quorum_needed,
                "passed": result.passed,
                "votes": d.votes.iter().map(|v| serde_json::json!({
                    "name": v.name,
                    "choice": v.choice.code(),
                    "statement": v.statement,
                    "cast_at": timestamp(v.at),
                })).collect::<Vec<_>>(),
            },
            "dispositions": threads.iter().map(|c| {
                let answer = d.answer_for(c.id);
                serde_json::json!({
                    "thread_id": c.id.0,
                    "url": format!("/processes/{}/drafts/{}/threads/{}", d.process, d.draft, c.id),
                    "author": c.display_name,
                    "organisation": c.org_name.as_ref().map(texts),
                    "stance": c.stance,
                    "quote": c.passage.as_ref().map(|p| p.quote.clone()),
                    "comment": c.body,
                    "disposition": answer.map(|a| a.disposition.code()),
                    "reason": answer.map(|a| a.reason.clone()),
                    "change": answer.and_then(|a| a.change.clone()),
                    "answered_with": answer.map(|a| a.threads.iter().map(|t| t.0).collect::<Vec<_>>()),
                    "answered_by": answer.map(|a| a.by.clone()),
                })
            }).collect::<Vec<_>>(),
            "shares": d.shares.iter().map(|s| serde_json::json!({
                "organisation_id": s.org.map(|o| o.0),
                "organisation": s.org_name.as_ref().map(texts),
                "characters": s.characters,
                "share": (s.characters as f64 / total * 10_000.0).round() / 10_000.0,
            })).collect::<Vec<_>>(),
            "sittings": sittings.iter().map(|s| serde_json::json!({
                "id": s.id.0,
                "title": s.title,
                "url": format!("/processes/{}/sittings/{}", s.process, s.id),
                "record": format!("/api/v1/sittings/{}", s.id),
            })).collect::<Vec<_>>(),
            "review_on": d.review_on.map(|r| r.to_string()),
            "updates": d.updates.iter().map(|u| serde_json::json!({
                "on": u.on.to_string(),
                "status": u.status.code(),
                "progress": u.progress,
                "note": u.note,
                "by": u.by,
            })).collect::<Vec<_>>(),
        }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/decisions/{id}/dispositions.csv`: one row per thread with its answer.
pub async fn dispositions_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DecisionId>() else {
        return error(AppError::NotFound, &headers);
    };
    match published_decision(&state, id).await {
        Ok((d, threads)) => {
            let mut out = String::from(
                "decision_id,thread_id,author,stance,quote,comment,disposition,reason,change,answered_with\r\n",
            );
            for c in &threads {
                let answer = d.answer_for(c.id);
                let with = answer
                    .map(|a| {
                        a.threads
                            .iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                let fields = [
                    d.id.to_string(),
                    c.id.to_string(),
                    c.display_name.clone(),
                    c.stance.code().to_string(),
                    c.passage
                        .as_ref()
                        .map(|p| p.quote.clone())
                        .unwrap_or_default(),
                    c.body.clone(),
                    answer
                        .map(|a| a.disposition.code().to_string())
                        .unwrap_or_default(),
                    answer.map(|a| a.reason.clone()).unwrap_or_default(),
                    answer.and_then(|a| a.change.clone()).unwrap_or_default(),
                    with,
                ];
                out.push_str(
                    &fields
                        .iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push_str("\r\n");
            }
            open(
                (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"decision-{id}-answers.csv\""),
                        ),
                    ],
                    out,
                )
                    .into_response(),
            )
        }
        Err(e) => error(e, &headers),
    }
}

/// The most entries one request of the record returns.
const RECORD_PAGE: i64 = 500;

/// `GET /api/v1/record[?after=N&limit=M]`: the public record, in order, with each entry's event,
/// the hash it points back to and its own hash, and where the chain's head is.
pub async fn record(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let after = query
        .get("after")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let limit = query
        .get("limit")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(RECORD_PAGE)
        .clamp(1, RECORD_PAGE);
    let result = async {
        let entries = state.store.record(after, limit).await?;
        let (head_seq, head_hash) = state.store.record_head().await?;
        let next = entries
            .last()
            .filter(|e| e.seq < head_seq)
            .map(|e| format!("/api/v1/record?after={}&limit={limit}", e.seq));
        Ok::<_, AppError>(serde_json::json!({
            "algorithm": "sha256 of canonical JSON {at, event, prev, seq} (keys sorted, no spaces)",
            "genesis": app::domain::record::GENESIS,
            "head": { "seq": head_seq, "hash": head_hash },
            "entries": entries.iter().map(|e| serde_json::json!({
                "seq": e.seq,
                "at": e.at,
                "time": timestamp(e.at),
                "event": e.event,
                "prev": e.prev,
                "hash": e.hash,
            })).collect::<Vec<_>>(),
            "next": next,
        }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
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
