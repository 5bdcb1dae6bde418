//! `GET /live/sittings/{id}`: a sitting's live state over a websocket. The server sends
//! `{"sitting": …, "mine": …, "now": …}` (the published state: agenda position, queue, floor,
//! polls, outcomes, attendance; the viewer's own place; the server's clock) on connecting and after
//! every change; a participant sends a command as JSON (`{"do": "raise_hand"}`, see
//! `app::domain::sitting::Command`) and hears `{"done": true}`, or
//! `{"refused": "chair_only", "message": "…"}` if it may not be done. A speaker connected while the sitting is open is marked present. Every
//! change is stored before it is published, so a restart loses nothing and late joiners get the
//! current state.

use crate::limits::{admit, too_many_connections};
use crate::security::is_cross_site;
use crate::state::AppState;
use crate::web::PERSON_KEY;
use app::api::organisations::speaking_options;
use app::api::sittings::may_watch;
use app::domain::sitting::{self, Command, Refusal, Speaker, Stage};
use app::ids::{OrgId, PersonId, SittingId};
use app::model::{Actor, Sitting};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;

use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;

/// The largest command accepted, in bytes (a poll question with its options is far smaller).
pub const MAX_COMMAND: usize = 16 * 1024;

/// What one viewer receives: the sitting with its state as published, what the state says about
/// them (`mine`, from the full state: a poll that hides names hides theirs too), and the server's
/// clock (for the turn timer).
pub fn published(sitting: &Sitting, viewer: Option<Actor>, now: app::model::Millis) -> String {
    let mut shown = sitting.clone();
    shown.state = sitting.state.published();
    let me = viewer.map(|v| Speaker {
        person: v.person,
        name: String::new(),
        org: v.acting_for,
        kind: None,
    });
    let mine = sitting::mine(&sitting.state, me.as_ref());
    serde_json::json!({ "sitting": shown, "mine": mine, "now": now }).to_string()
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
    ConnectInfo(client): ConnectInfo<SocketAddr>,
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
    // One speaks only for an organisation one belongs to; any other is ignored, so that `mine`
    // cannot tell a stranger whether some organisation voted in a poll that hides names.
    let acting_for = match (person, acting_for) {
        (Some(p), Some(org)) => {
            match speaking_options(state.store.as_ref(), Some(PersonId(p))).await {
                Ok(orgs) => orgs.iter().any(|o| o.id == org).then_some(org),
                Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            }
        }
        _ => None,
    };
    let actor = person.map(|p| Actor {
        person: PersonId(p),
        acting_for,
    });
    match may_watch(state.store.as_ref(), &sitting, actor.map(|a| a.person)).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let Some(permit) = admit(&state, &headers, client) else {
        return too_many_connections();
    };
    // axum's default 128 KiB read buffer per connection made 3,000 viewers of a sitting cost
    // 380 MB; a command is at most 16 KiB, and a state is written as it goes.
    upgrade
        .read_buffer_size(crate::collab::connection::READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_COMMAND)
        .on_upgrade(move |socket| async move {
            let _permit = permit;
            run(socket, state, id, actor).await
        })
}

/// Applies a command as the live channel's viewer (`api::sittings::command`).
async fn command(
    state: &AppState,
    id: SittingId,
    actor: Actor,
    command: Command,
) -> app::error::AppResult<Result<(), Refusal>> {
    app::api::sittings::command(
        state.store.as_ref(),
        state.live.as_ref(),
        id,
        actor,
        command,
        crate::clock::now_millis(),
    )
    .await
}

async fn run(mut socket: WebSocket, state: AppState, id: SittingId, actor: Option<Actor>) {
    let mut changes = state.hub.sitting_channel(id).subscribe();
    // Read after subscribing, so that no change falls between the two.
    let Ok(Some(mut current)) = state.store.sitting(id).await else {
        return;
    };
    let mut attended = false;
    loop {
        // A speaker who is here while the sitting is open is present (once is enough).
        if !attended
            && current.state.stage == Stage::Open
            && let Some(actor) = actor
        {
            attended = true;
            // The change comes back on the channel (refused for someone who may not speak).
            let _ = command(&state, id, actor, Command::Attend).await;
        }
        let text = published(&current, actor, crate::clock::now_millis());
        if socket.send(Message::Text(text.into())).await.is_err() {
            return;
        }
        // Wait for the next change, answering commands meanwhile.
        loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let text = match incoming {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                        Some(Ok(_)) => continue,
                    };
                    let refused = match (serde_json::from_str::<Command>(&text), actor) {
                        (Err(_), _) => Some(Refusal::Unreadable),
                        (Ok(_), None) => Some(Refusal::SignInFirst),
                        (Ok(order), Some(actor)) => match command(&state, id, actor, order).await {
                            Ok(Ok(())) => None,
                            Ok(Err(refusal)) => Some(refusal),
                            Err(_) => Some(Refusal::NotSaved),
                        },
                    };
                    // Every command is answered to its sender, in order: done, or refused with a
                    // code the window translates (see `Refusal`) and the English for others. The
                    // window clears a form only when its command is done.
                    let answer = match refused {
                        None => serde_json::json!({ "done": true }),
                        Some(refused) => serde_json::json!({
                            "refused": refused,
                            "message": refused.to_string(),
                        }),
                    };
                    if socket.send(Message::Text(answer.to_string().into())).await.is_err() {
                        return;
                    }
                }
                change = changes.recv() => {
                    current = match change {
                        Ok(changed) => (*changed).clone(),
                        // Fell behind: the stored state is the truth.
                        Err(RecvError::Lagged(_)) => match state.store.sitting(id).await {
                            Ok(Some(stored)) => stored,
                            _ => return,
                        },
                        Err(RecvError::Closed) => return,
                    };
                    break;
                }
            }
        }
    }
}
