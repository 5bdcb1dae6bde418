//! `GET /live/sittings/{id}`: a sitting's live state over a websocket. The server sends
//! `{"sitting": …}` (the published state: agenda position, queue, floor, polls, outcomes) on
//! connecting and after every change; a participant sends a command as JSON (`{"do": "raise_hand"}`,
//! see `app::domain::sitting::Command`) and hears `{"refused": "…"}` if it may not be done. Every
//! change is stored before it is published, so a restart loses nothing and late joiners get the
//! current state.

use crate::security::is_cross_site;
use crate::state::AppState;
use crate::web::PERSON_KEY;
use app::domain::roles::Action;
use app::domain::sitting::Command;
use app::ids::{OrgId, PersonId, SittingId};
use app::model::{Actor, Sitting};
use app::ssr::Store;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;

/// The largest command accepted, in bytes (a poll question with its options is far smaller).
pub const MAX_COMMAND: usize = 16 * 1024;

/// What viewers receive: the sitting with its state as published.
pub fn published(sitting: &Sitting) -> String {
    let mut shown = sitting.clone();
    shown.state = sitting.state.published();
    serde_json::json!({ "sitting": shown }).to_string()
}

/// Upgrades to a sitting's live channel. Public sittings may be watched by anyone; others by the
/// process's mediators and council and the members of invited organisations. `?as=ORG` chooses
/// the organisation a representative speaks for.
pub async fn connect(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    session: Session,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if is_cross_site(&headers, state.public_origin.as_deref()) {
        return (StatusCode::FORBIDDEN, "cross-site websocket refused").into_response();
    }
    let Ok(id) = id.parse::<SittingId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sitting = match state.store.sitting(id).await {
        Ok(Some(sitting)) => sitting,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let person: Option<i64> = session.get(PERSON_KEY).await.unwrap_or_default();
    let acting_for = match query.get("as").map(|a| a.parse::<OrgId>()) {
        Some(Ok(org)) => Some(org),
        Some(Err(_)) => return StatusCode::BAD_REQUEST.into_response(),
        None => None,
    };
    let actor = person.map(|p| Actor {
        person: PersonId(p),
        acting_for,
    });
    match may_watch(state.store.as_ref(), &sitting, actor).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let channel = state.hub.sitting_channel(id);
    let store = state.store.clone();
    upgrade
        .max_message_size(MAX_COMMAND)
        .on_upgrade(move |socket| run(socket, store, channel, sitting, actor))
}

async fn may_watch(
    store: &dyn Store,
    sitting: &Sitting,
    actor: Option<Actor>,
) -> app::error::AppResult<bool> {
    if sitting.public {
        return Ok(true);
    }
    let Some(actor) = actor else {
        return Ok(false);
    };
    let standing = store.standing(sitting.process, Some(actor.person)).await?;
    let phase = store
        .process(sitting.process)
        .await?
        .map(|p| p.phase)
        .ok_or(app::error::AppError::NotFound)?;
    if standing.may(None, Action::RunSitting, phase)
        || standing.may(None, Action::SpeakInSitting, phase)
    {
        return Ok(true);
    }
    let memberships = store.memberships(actor.person).await?;
    Ok(memberships.iter().any(|o| sitting.invited.contains(&o.id)))
}

async fn run(
    mut socket: WebSocket,
    store: Arc<dyn Store>,
    channel: tokio::sync::broadcast::Sender<Arc<str>>,
    sitting: Sitting,
    actor: Option<Actor>,
) {
    let id = sitting.id;
    let mut changes = channel.subscribe();
    // Read after subscribing, so that no change falls between the two.
    let current = match store.sitting(id).await {
        Ok(Some(current)) => current,
        _ => sitting,
    };
    if socket
        .send(Message::Text(published(&current).into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                let answer = match (serde_json::from_str::<Command>(&text), actor) {
                    (Err(_), _) => Some(serde_json::json!({ "refused": "unreadable command" }).to_string()),
                    (Ok(_), None) => Some(serde_json::json!({ "refused": "sign in to take part" }).to_string()),
                    (Ok(command), Some(actor)) => {
                        match store.command_sitting(id, actor, command, crate::web::now_millis()).await {
                            Ok(Ok(changed)) => {
                                // Everyone connected here hears it, this connection included.
                                let _ = channel.send(Arc::from(published(&changed)));
                                None
                            }
                            Ok(Err(refusal)) => Some(serde_json::json!({ "refused": refusal.to_string() }).to_string()),
                            Err(_) => Some(serde_json::json!({ "refused": "the change could not be saved; try again" }).to_string()),
                        }
                    }
                };
                if let Some(answer) = answer
                    && socket.send(Message::Text(answer.into())).await.is_err()
                {
                    return;
                }
            }
            change = changes.recv() => {
                let text = match change {
                    Ok(text) => text.to_string(),
                    // Fell behind: the stored state is the truth.
                    Err(RecvError::Lagged(_)) => match store.sitting(id).await {
                        Ok(Some(current)) => published(&current),
                        _ => return,
                    },
                    Err(RecvError::Closed) => return,
                };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
        }
    }
}
