//! `GET /collab/drafts/{id}`: the websocket that speaks y-websocket's protocol.
//!
//! The session cookie decides who the peer is (anyone may read; the room decides, message by
//! message, who may write), and the Origin header must be the site's own. The connection loop is
//! written against any stream and sink of websocket messages, so tests can drive it directly.
//!
//! The upgrade is done here rather than by axum's `WebSocketUpgrade`, for one reason: axum's
//! messages cannot be sent as several frames. tungstenite writes a message through a buffer that
//! keeps its largest size, so every reader that was once sent a whole draft (the first sync) would
//! hold a buffer that size for as long as it stays; thousands of readers of a long draft made that
//! the server's largest cost. Long messages go out in frames of [`FRAGMENT`] bytes instead.

use super::hub::{Hub, Out, Peer, close};
use crate::limits::{client_address, too_many_connections};
use crate::security::is_cross_site;
use crate::state::AppState;
use crate::web::PERSON_KEY;
use app::domain::org::StakeholderKind;
use app::ids::{DraftId, OrgId, PersonId};
use app::model::Actor;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tower_sessions::Session;

/// The largest message a peer may send (a whole book pasted at once is well under it).
pub const MAX_MESSAGE: usize = 8 * 1024 * 1024;
/// Messages up to this size are read whole and refused with a clear close code; beyond it the
/// websocket layer drops the connection outright.
pub const MAX_READ: usize = 2 * MAX_MESSAGE;
/// The read buffer a connection starts with.
pub const READ_BUFFER: usize = 4 * 1024;
/// Messages longer than this are sent as several frames of this size (see the module's notes).
pub const FRAGMENT: usize = 16 * 1024;
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
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    mut request: Request,
) -> Response {
    let Some(accept) = accept_key(&headers) else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            [(header::UPGRADE, "websocket")],
            "this address speaks the y-websocket protocol over a websocket",
        )
            .into_response();
    };
    let Some(on_upgrade) = request
        .extensions_mut()
        .remove::<hyper::upgrade::OnUpgrade>()
    else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "the connection cannot be upgraded",
        )
            .into_response();
    };
    if is_cross_site(&headers, state.public_origin.as_deref()) {
        return (StatusCode::FORBIDDEN, "cross-site websocket refused").into_response();
    }
    let Ok(draft) = id.parse::<DraftId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(permit) = state
        .connections
        .acquire(&client_address(&state, &headers, Some(client)))
    else {
        return too_many_connections();
    };
    let peer = match peer(&state, &session, draft, query.get("as")).await {
        Ok(peer) => peer,
        Err(status) => return status.into_response(),
    };
    let hub = state.hub.clone();
    tokio::spawn(async move {
        let _permit = permit;
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        // The default 128 KiB read buffer per connection would dominate the memory of thousands of
        // idle readers; it grows as a large message needs. Frames are written as they come.
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(0)
            .max_message_size(Some(MAX_READ))
            .max_frame_size(Some(MAX_READ));
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        run(socket, hub, draft, peer).await;
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The `Sec-WebSocket-Accept` answer to a well-formed websocket upgrade request (RFC 6455,
/// section 4.2.1), or `None` if the request is not one.
fn accept_key(headers: &HeaderMap) -> Option<String> {
    let has_token = |name: HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if !has_token(header::CONNECTION, "upgrade")
        || !has_token(header::UPGRADE, "websocket")
        || headers.get(header::SEC_WEBSOCKET_VERSION)? != "13"
    {
        return None;
    }
    let key = headers.get(header::SEC_WEBSOCKET_KEY)?;
    Some(derive_accept_key(key.as_bytes()))
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

/// Serves one connection until either side closes it: one task reads the peer's messages, writes
/// what the room sends, pings a quiet peer and lets go of one that stops reading.
pub async fn run<S>(mut socket: S, hub: Hub, draft: DraftId, peer: Peer)
where
    S: Stream<Item = Result<Message, WsError>> + Sink<Message> + Send + Unpin + 'static,
{
    let joined = match hub.join(draft, peer).await {
        Ok(joined) => joined,
        Err(_) => {
            let reason = (
                close::SERVER_ERROR,
                "this draft cannot be opened".to_string(),
            );
            return say_goodbye(&mut socket, Some(reason)).await;
        }
    };
    let conn = joined.conn;
    let mut outgoing = joined.outgoing;
    let mut kicked = joined.kicked;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let silence = tokio::time::sleep(SILENCE_LIMIT);
    tokio::pin!(silence);
    // Why the connection ends, when the peer should be told.
    let reason: Option<(u16, String)> = loop {
        tokio::select! {
            // In this order, so that a wake-up for the room's message polls nothing else. Reading
            // cannot starve: each turn writes everything queued, so the queue is empty next turn
            // unless the room outpaces the peer, which the room answers by dropping the peer.
            biased;
            // The room let go: with a reason, or without one when it is unloading.
            kick = &mut kicked => break kick.ok(),
            out = outgoing.recv() => match out {
                Some(Out::Frame(bytes)) => {
                    // A peer that stopped reading is let go, not waited for.
                    match tokio::time::timeout(WRITE_STALL, write_queued(&mut socket, bytes, &mut outgoing)).await {
                        Ok(Ok(None)) => {}
                        Ok(Ok(Some(close))) => break Some(close),
                        Ok(Err(())) | Err(_) => break None,
                    }
                }
                Some(Out::Close(code, reason)) => break Some((code, reason)),
                // A room that kicks drops the queue too: the reason may be waiting.
                None => break kicked.try_recv().ok(),
            },
            next = socket.next() => {
                silence.as_mut().reset(tokio::time::Instant::now() + SILENCE_LIMIT);
                match next {
                    Some(Ok(Message::Binary(bytes))) => {
                        if bytes.len() > MAX_MESSAGE {
                            let reason = format!(
                                "message of {} bytes is over the limit of {MAX_MESSAGE}",
                                bytes.len()
                            );
                            break Some((close::TOO_BIG, reason));
                        }
                        if hub.frame(draft, conn, bytes).await.is_err() {
                            break Some((close::SERVER_ERROR, "the draft is unavailable".into()));
                        }
                    }
                    Some(Ok(Message::Text(_))) => {
                        break Some((1003, "this endpoint speaks binary y-websocket messages".into()));
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                }
            }
            () = &mut silence => break Some((1001, "no answer for too long".into())),
            _ = ping.tick() => {
                let pinged = tokio::time::timeout(WRITE_STALL, socket.send(Message::Ping(Bytes::new()))).await;
                if !matches!(pinged, Ok(Ok(()))) {
                    break None;
                }
            }
        }
    };
    hub.leave(draft, conn).await;
    say_goodbye(&mut socket, reason).await;
}

/// Writes `first` and whatever else is already queued, then flushes once. Stops at a queued
/// close and returns its reason; `Err` if the peer cannot be written to.
async fn write_queued<S>(
    socket: &mut S,
    first: Bytes,
    outgoing: &mut mpsc::Receiver<Out>,
) -> Result<Option<(u16, String)>, ()>
where
    S: Sink<Message> + Unpin,
{
    let mut next = Some(first);
    let mut closing = None;
    while let Some(bytes) = next.take() {
        feed_binary(socket, bytes).await?;
        match outgoing.try_recv() {
            Ok(Out::Frame(more)) => next = Some(more),
            Ok(Out::Close(code, reason)) => closing = Some((code, reason)),
            Err(_) => {}
        }
    }
    socket.flush().await.map_err(drop)?;
    Ok(closing)
}

/// Queues one binary message: whole, or in frames of [`FRAGMENT`] bytes if longer.
async fn feed_binary<S>(socket: &mut S, bytes: Bytes) -> Result<(), ()>
where
    S: Sink<Message> + Unpin,
{
    if bytes.len() <= FRAGMENT {
        return socket.feed(Message::Binary(bytes)).await.map_err(drop);
    }
    let count = bytes.len().div_ceil(FRAGMENT);
    for i in 0..count {
        let part = bytes.slice(i * FRAGMENT..((i + 1) * FRAGMENT).min(bytes.len()));
        let opcode = if i == 0 { Data::Binary } else { Data::Continue };
        let frame = Frame::message(part, OpCode::Data(opcode), i + 1 == count);
        socket.feed(Message::Frame(frame)).await.map_err(drop)?;
    }
    Ok(())
}

/// Tells the peer why the connection ends (if it should be told) and closes it, waiting no
/// longer than a stuck peer deserves.
async fn say_goodbye<S>(socket: &mut S, reason: Option<(u16, String)>)
where
    S: Sink<Message> + Unpin,
{
    if let Some((code, reason)) = reason {
        let _ = tokio::time::timeout(WRITE_STALL, socket.send(close_message(code, &reason))).await;
    }
    let _ = tokio::time::timeout(WRITE_STALL, socket.close()).await;
}

fn close_message(code: u16, reason: &str) -> Message {
    // A close reason must fit a control frame (123 bytes).
    let mut reason = reason.to_string();
    while reason.len() > 120 {
        reason.pop();
    }
    Message::Close(Some(CloseFrame {
        code: code.into(),
        reason: reason.into(),
    }))
}
