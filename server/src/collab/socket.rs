//! `GET /collab/drafts/{id}`: the websocket that speaks y-websocket's protocol.
//!
//! The session cookie decides who the peer is (anyone may read; the room decides, message by
//! message, who may write), and the Origin header must be the site's own. The connection loop is
//! written against any stream and sink of websocket messages, so tests can drive it directly.

use super::hub::{Hub, Out, Peer, close};
use crate::security::is_cross_site;
use crate::state::AppState;
use crate::web::PERSON_KEY;
use app::domain::org::StakeholderKind;
use app::ids::{DraftId, OrgId, PersonId};
use app::model::Actor;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tower_sessions::Session;

/// The largest message a peer may send (a whole book pasted at once is well under it).
pub const MAX_MESSAGE: usize = 8 * 1024 * 1024;
/// Messages up to this size are read whole and refused with a clear close code; beyond it the
/// websocket layer drops the connection outright.
pub const MAX_READ: usize = 2 * MAX_MESSAGE;
/// The read buffer a connection starts with.
pub const READ_BUFFER: usize = 4 * 1024;
/// How long writing to a peer may be stuck before the connection is dropped (it stopped reading;
/// reconnecting resyncs).
pub const WRITE_STALL: Duration = Duration::from_secs(5);
/// How often the server pings a quiet connection.
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// How long a connection may stay silent (no message, no pong) before it is closed.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(90);

/// The colour a stakeholder group is shown in (the same as the site's stylesheet).
pub fn colour(kind: Option<StakeholderKind>) -> &'static str {
    match kind {
        Some(StakeholderKind::Government) => "#0b5cad",
        Some(StakeholderKind::CivilSociety) => "#1e6b3a",
        Some(StakeholderKind::PrivateSector) => "#7a3e9d",
        Some(StakeholderKind::Academia) => "#8a4b08",
        Some(StakeholderKind::Informal) => "#a1224d",
        None => "#4a5560",
    }
}

/// Upgrades to the draft's websocket. `?as=ORG` chooses the organisation a co-drafter speaks for;
/// without it, a member of exactly one co-drafting organisation speaks for that one.
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
    let Ok(draft) = id.parse::<DraftId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let peer = match peer(&state, &session, draft, query.get("as")).await {
        Ok(peer) => peer,
        Err(status) => return status.into_response(),
    };
    let hub = state.hub.clone();
    upgrade
        // The default 128 KiB read buffer per connection would dominate the memory of thousands of
        // idle readers; it grows as a large message needs. Frames are written as they come.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_READ)
        .max_frame_size(MAX_READ)
        .on_upgrade(move |socket: WebSocket| run(socket, hub, draft, peer))
}

/// Works out who is connecting.
async fn peer(
    state: &AppState,
    session: &Session,
    draft: DraftId,
    acting: Option<&String>,
) -> Result<Peer, StatusCode> {
    let store = &state.store;
    let draft = store
        .draft(draft)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .ok_or(StatusCode::NOT_FOUND)?;
    let person: Option<i64> = session.get(PERSON_KEY).await.unwrap_or_default();
    // A sitting's minutes are read by whoever may watch the sitting.
    if let Some(sitting) = draft.minutes_of {
        let sitting = store
            .sitting(sitting)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
            .ok_or(StatusCode::NOT_FOUND)?;
        let watcher = person.map(PersonId);
        if !app::api::sittings::may_watch(store.as_ref(), &sitting, watcher)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        {
            return Err(StatusCode::FORBIDDEN);
        }
    }
    let person = match person {
        Some(id) => store
            .person(PersonId(id))
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?,
        None => None,
    };
    let Some(person) = person else {
        return Ok(Peer {
            actor: None,
            presence: serde_json::Value::Null,
        });
    };
    let standing = store
        .standing(draft.process, Some(person.id))
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    // One speaks only for a co-drafting organisation one belongs to; anything else is ignored, so
    // that presence can never show someone under another organisation's name.
    let acting_for = match acting.map(|a| a.parse::<OrgId>()) {
        Some(Ok(org)) if standing.co_drafting_orgs.contains(&org) => Some(org),
        Some(Ok(_)) => None,
        Some(Err(_)) => return Err(StatusCode::BAD_REQUEST),
        None if standing.co_drafting_orgs.len() == 1 => standing.co_drafting_orgs.first().copied(),
        None => None,
    };
    let org = match acting_for {
        Some(org) => store
            .organisation(org)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?,
        None => None,
    };
    let kind = org.as_ref().map(|o| o.kind.stakeholder());
    let presence = serde_json::json!({
        "name": person.display_name,
        "org": org.as_ref().map(|o| o.name.pick(&draft.language, &[]).text),
        "kind": kind.map(|k| k.code()),
        "color": colour(kind),
    });
    Ok(Peer {
        actor: Some(Actor {
            person: person.id,
            acting_for,
        }),
        presence,
    })
}

/// Serves one connection until either side closes it.
pub async fn run<S>(socket: S, hub: Hub, draft: DraftId, peer: Peer)
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message> + Send + Unpin + 'static,
{
    let (mut sink, mut stream) = socket.split();
    let joined = match hub.join(draft, peer).await {
        Ok(joined) => joined,
        Err(_) => {
            let _ = sink
                .send(close_message(
                    close::SERVER_ERROR,
                    "this draft cannot be opened",
                ))
                .await;
            return;
        }
    };
    let conn = joined.conn;
    let (local_close, mut local_closed) = mpsc::channel::<(u16, String)>(1);
    let mut outgoing = joined.outgoing;
    let mut kicked = joined.kicked;
    let writer = tokio::spawn(async move {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            tokio::select! {
                // Reasons first: the reader's own (it leaves the room right after), then the
                // room's kick (which drops the queue as it kicks), so the peer learns why.
                biased;
                Some((code, reason)) = local_closed.recv() => {
                    let _ = sink.send(close_message(code, &reason)).await;
                    break;
                }
                kick = &mut kicked => {
                    match kick {
                        Ok((code, reason)) => {
                            let _ = sink.send(close_message(code, &reason)).await;
                        }
                        // The room let go without a reason: the reader is leaving; let it speak.
                        Err(_) => {
                            if let Ok(Some((code, reason))) =
                                tokio::time::timeout(Duration::from_millis(100), local_closed.recv()).await
                            {
                                let _ = sink.send(close_message(code, &reason)).await;
                            }
                        }
                    }
                    break;
                }
                out = outgoing.recv() => match out {
                    Some(Out::Frame(bytes)) => {
                        // Whatever else is already queued goes out with it, in one flush.
                        let mut sent = sink.feed(Message::Binary(bytes)).await.is_ok();
                        let mut closing = None;
                        while sent {
                            match outgoing.try_recv() {
                                Ok(Out::Frame(more)) => {
                                    sent = sink.feed(Message::Binary(more)).await.is_ok();
                                }
                                Ok(Out::Close(code, reason)) => {
                                    closing = Some((code, reason));
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        // A peer that stopped reading is let go, not waited for.
                        let flushed = matches!(
                            tokio::time::timeout(WRITE_STALL, sink.flush()).await,
                            Ok(Ok(()))
                        );
                        if !sent || !flushed {
                            break;
                        }
                        if let Some((code, reason)) = closing {
                            let _ = sink.send(close_message(code, &reason)).await;
                            break;
                        }
                    }
                    Some(Out::Close(code, reason)) => {
                        let _ = sink.send(close_message(code, &reason)).await;
                        break;
                    }
                    None => break,
                },
                _ = ping.tick() => {
                    if sink.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = sink.close().await;
    });
    loop {
        let next = match tokio::time::timeout(SILENCE_LIMIT, stream.next()).await {
            Ok(next) => next,
            Err(_) => {
                let _ = local_close
                    .send((1001, "no answer for too long".into()))
                    .await;
                break;
            }
        };
        match next {
            Some(Ok(Message::Binary(bytes))) => {
                if bytes.len() > MAX_MESSAGE {
                    let reason = format!(
                        "message of {} bytes is over the limit of {MAX_MESSAGE}",
                        bytes.len()
                    );
                    let _ = local_close.send((close::TOO_BIG, reason)).await;
                    break;
                }
                if hub.frame(draft, conn, bytes).await.is_err() {
                    let _ = local_close
                        .send((close::SERVER_ERROR, "the draft is unavailable".into()))
                        .await;
                    break;
                }
            }
            Some(Ok(Message::Text(_))) => {
                let _ = local_close
                    .send((
                        1003,
                        "this endpoint speaks binary y-websocket messages".into(),
                    ))
                    .await;
                break;
            }
            Some(Ok(Message::Close(_))) | None => break,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Err(_)) => break,
        }
    }
    hub.leave(draft, conn).await;
    drop(local_close);
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
}

fn close_message(code: u16, reason: &str) -> Message {
    // A close reason must fit a control frame (123 bytes).
    let mut reason = reason.to_string();
    while reason.len() > 120 {
        reason.pop();
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
