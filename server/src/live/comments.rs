//! The live channel of a draft's comments: Server-Sent Events saying which thread changed, so
//! readers fetch that thread again. Events carry only a thread's number, never content: what a
//! reader may see is decided when they fetch it, by the same code that renders the page.

use crate::limits::{admit, too_many_connections};
use crate::state::AppState;
use app::ids::DraftId;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// `GET /live/drafts/{id}/comments`: `{"thread": N}` whenever thread N of the draft changes;
/// `{"reload": true}` if this reader fell behind and should reload the discussion.
pub async fn comments(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
) -> Response {
    let Ok(draft) = id.parse::<DraftId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(permit) = admit(&state, &headers, client) else {
        return too_many_connections();
    };
    match state.store.draft(draft).await {
        Ok(Some(_)) => {}
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let changes = state.hub.thread_changes();
    // The permit lives as long as the stream: the client's place is freed when it disconnects.
    let stream =
        futures_util::stream::unfold((changes, permit), move |(mut changes, permit)| async move {
            loop {
                let data = match changes.recv().await {
                    Ok((changed, thread)) if changed == draft => format!("{{\"thread\":{thread}}}"),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => "{\"reload\":true}".to_string(),
                    Err(RecvError::Closed) => return None,
                };
                return Some((
                    Ok::<_, Infallible>(Event::default().data(data)),
                    (changes, permit),
                ));
            }
        });
    // A comment every 20 s keeps proxies from closing a quiet stream.
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}
