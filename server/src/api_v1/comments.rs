//! `GET /api/v1/drafts/{id}/comments` and `GET /api/v1/budgets/{id}/projects/{project}/comments`
//! (JSON or CSV), and a process's moderation log.

use super::*;

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

/// The process a subject's comments belong to, if the subject exists (a draft that is not a
/// sitting's minutes; a project of that budget).
async fn process_of(state: &AppState, subject: Subject) -> Result<ProcessId, AppError> {
    match subject {
        Subject::Draft(id) => Ok(state
            .store
            .draft(id)
            .await?
            .filter(|d| d.minutes_of.is_none())
            .ok_or(AppError::NotFound)?
            .process),
        Subject::Project { budget, project } => {
            app::api::comments::project_process(state.store.as_ref(), budget, project).await
        }
    }
}

/// The published comments of a draft (passages located in the live text) or of a project.
async fn published_comments(
    state: &AppState,
    subject: Subject,
) -> Result<Vec<CommentView>, AppError> {
    use app::domain::comments::{listed, shows_content};
    let process = process_of(state, subject).await?;
    let comments: Vec<_> = state
        .store
        .comments(subject)
        .await?
        .into_iter()
        .filter(|c| listed(c.status, false, false))
        .collect();
    let all: Vec<&app::model::Comment> = comments.iter().collect();
    let places = match subject.draft() {
        Some(draft) => app::api::comments::place_passages(state.live.as_ref(), draft, &all).await?,
        None => vec![None; all.len()],
    };
    Ok(comments
        .into_iter()
        .zip(places)
        .map(|(c, place)| {
            let (location, removed) = match place {
                Some(Place::At { start, end }) => (Some(Span { start, end }), false),
                Some(Place::Removed) => (None, true),
                None => (None, false),
            };
            let shown = shows_content(c.status, false, false);
            let official = c.shows_official();
            CommentView {
                id: c.id.0,
                thread_id: c.thread.0,
                parent_id: c.parent.map(|p| p.0),
                depth: c.depth,
                url: format!("{}#comment-{}", subject.page(process), c.id),
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
    let key = ("draft_id", id.0);
    let file = format!("draft-{id}-comments.csv");
    comments_response(&state, Subject::Draft(id), key, file, &query, &headers).await
}

/// `GET /api/v1/budgets/{id}/projects/{project}/comments[?format=csv]`: the same for a budget's
/// project (its comments quote no passage).
pub async fn project_comments(
    State(state): State<AppState>,
    Path((budget, project)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (Ok(budget), Ok(project)) = (budget.parse::<i64>(), project.parse::<i64>()) else {
        return error(AppError::NotFound, &headers);
    };
    let subject = Subject::Project { budget, project };
    let file = format!("budget-{budget}-project-{project}-comments.csv");
    comments_response(
        &state,
        subject,
        ("project_id", project),
        file,
        &query,
        &headers,
    )
    .await
}

/// A subject's published comments as JSON (`{key: id, "comments": [...]}`) or, with
/// `?format=csv`, as a CSV file.
async fn comments_response(
    state: &AppState,
    subject: Subject,
    (key, id): (&str, i64),
    file: String,
    query: &BTreeMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    match published_comments(state, subject).await {
        Ok(comments) if query.get("format").map(String::as_str) == Some("csv") => open(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{file}\""),
                    ),
                ],
                comments_csv(&comments),
            )
                .into_response(),
        ),
        Ok(comments) => {
            open(Json(serde_json::json!({ key: id, "comments": comments })).into_response())
        }
        Err(e) => error(e, headers),
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
                        "draft_id": e.subject.and_then(Subject::draft).map(|d| d.0),
                        "project_id": match e.subject {
                            Some(Subject::Project { project, .. }) => Some(project),
                            _ => None,
                        },
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
