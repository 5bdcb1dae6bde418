//! `GET /collab/drafts/{id}`: the websocket that speaks y-websocket's protocol.
//!
//! The session cookie decides who the peer is (anyone may read; the room decides, message by
//! message, who may write), and the Origin header must be the site's own. The connection itself
//! is `collab::connection`.
//!
//! The upgrade is done here rather than by axum's `WebSocketUpgrade`, for one reason: axum's
//! messages cannot be sent as several frames, and a reader once sent a whole draft would keep a
//! write buffer that size (see `collab::connection`).

use crate::collab::connection::{MAX_READ, READ_BUFFER, run};
use crate::collab::hub::Peer;
use crate::limits::{admit, too_many_connections};
use crate::security::is_cross_site;
use crate::state::AppState;
use crate::web::PERSON_KEY;
use app::domain::org::StakeholderKind;
use app::ids::{DraftId, OrgId, PersonId};
use app::model::Actor;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tower_sessions::Session;

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
    let Some(permit) = admit(&state, &headers, client) else {
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
