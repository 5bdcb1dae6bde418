//! `GET /api/v1/drafts/{id}/versions/{number}/export?format=akn|docx|html|md`: a named version in
//! the formats other tools read, each made from the version's own document (with its structure),
//! so every export of a version says the same as its page and its hash.

use super::*;
use app::domain::document::export::{Cover, akn, docx, markdown};
use app::domain::document::{Run, blocks, yjs};

/// The formats, with their media type and file extension.
const FORMATS: &[(&str, &str, &str)] = &[
    ("akn", "application/akn+xml", "akn.xml"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    ("html", "text/html; charset=utf-8", "html"),
    ("md", "text/markdown; charset=utf-8", "md"),
];

/// The export of a named version.
pub async fn export(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (Ok(id), Ok(number)) = (id.parse::<app::ids::DraftId>(), number.parse::<i64>()) else {
        return error(AppError::NotFound, &headers);
    };
    let wanted = query.get("format").map(String::as_str).unwrap_or("html");
    let Some(&(_, media_type, extension)) = FORMATS.iter().find(|(f, _, _)| *f == wanted) else {
        let known: Vec<&str> = FORMATS.iter().map(|(f, _, _)| *f).collect();
        let body = serde_json::json!({
            "error": "unknown_format",
            "message": format!("format must be one of {}", known.join(", ")),
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    };
    let result = async {
        let draft = published_draft(&state, id).await?;
        let version = state
            .store
            .version(id, number)
            .await?
            .ok_or(AppError::NotFound)?;
        let stored = state
            .store
            .version_state(id, number)
            .await?
            .ok_or(AppError::NotFound)?;
        let doc = crate::collab::doc::DraftDoc::load(Some(&stored), [])
            .map_err(|_| AppError::Internal)?;
        let runs: Vec<Run> = doc
            .read(|body, txn| yjs::runs(body, txn))
            .map_err(|_| AppError::Internal)?;
        let cover = Cover {
            title: draft.title.clone(),
            language: draft.language.clone(),
            path: format!("/processes/{}/drafts/{}", draft.process, draft.id),
            version: number,
            version_name: version.meta.name.clone(),
            date: timestamp(version.meta.created_at)
                .chars()
                .take(10)
                .collect(),
            content_hash: version.meta.content_hash.clone(),
        };
        let body: Vec<u8> = match wanted {
            "akn" => akn::render(&cover, &blocks(&runs)).into_bytes(),
            "docx" => docx::render(&cover, &blocks(&runs)).map_err(|_| AppError::Internal)?,
            "md" => markdown::render(&cover, &blocks(&runs)).into_bytes(),
            _ => app::components::document::standalone_html(&cover, &runs).into_bytes(),
        };
        Ok::<_, AppError>(body)
    }
    .await;
    match result {
        Ok(body) => {
            let disposition =
                format!("attachment; filename=\"draft-{id}-version-{number}.{extension}\"");
            let mut response = open(body.into_response());
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => error(e, &headers),
    }
}
