//! The live channel of a draft's comments: Server-Sent Events saying which thread changed, so
//! readers fetch that thread again. Events carry only a thread's number, never content: what a
//! reader may see is decided when they fetch it, by the same code that renders the page.

use crate::state::AppState;
use app::ids::DraftId;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// `GET /live/drafts/{id}/comments`: `{"thread": N}` whenever thread N of the draft changes;
/// `{"reload": true}` if this reader fell behind and should reload the discussion.
pub async fn comments(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(draft) = id.parse::<DraftId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.store.draft(draft).await {
        Ok(Some(_)) => {}
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let changes = state.hub.thread_changes();
    let stream = futures_util::stream::unfold(changes, move |mut changes| async move {
        loop {
            let data = match changes.recv().await {
                Ok((changed, thread)) if changed == draft => format!("{{\"thread\":{thread}}}"),
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => "{\"reload\":true}".to_string(),
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok::<_, Infallible>(Event::default().data(data)), changes));
        }
    });
    // A comment every 20 s keeps proxies from closing a quiet stream.
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}
