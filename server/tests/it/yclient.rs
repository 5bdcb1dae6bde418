//! A Yjs client for tests: tokio-tungstenite and yrs, speaking y-websocket's protocol as a
//! browser's `WebsocketProvider` does, through the framing the browser's own client uses
//! (`app::sync`). Stock Yjs itself is tried in `interop.rs`.

use app::sync::frames::{self, Message as Frame};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Doc, GetString, OffsetKind, Options, ReadTxn, StateVector, Text, TextRef, Transact, Update,
};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the server said besides document updates.
#[derive(Debug, Default)]
pub struct Heard {
    pub denied: Vec<String>,
    pub awareness: Vec<Vec<u8>>,
    pub closed: Option<(u16, String)>,
}

/// One Yjs peer.
pub struct YClient {
    pub doc: Doc,
    pub text: TextRef,
    socket: Socket,
    pub heard: Heard,
    /// Whether the server's sync step 2 (everything it had) has arrived.
    pub synced: bool,
}

/// A sync message (`kind`: 0 step 1, 1 step 2, 2 update).
pub fn sync_message(kind: u64, payload: &[u8]) -> Vec<u8> {
    match kind {
        0 => frames::sync_step_1(payload),
        1 => frames::sync_step_2(payload),
        _ => frames::update(payload),
    }
}

/// An awareness message with one client's state.
pub fn awareness_message(client: u64, clock: u64, state: &str) -> Vec<u8> {
    frames::awareness(&frames::encode_awareness(
        [(client, clock, state)].into_iter(),
    ))
}

impl YClient {
    /// Connects to a draft with a session cookie (or none) and completes the initial sync.
    pub async fn connect(base: &str, draft: i64, cookie: Option<&str>, client_id: u64) -> YClient {
        YClient::try_connect(base, draft, cookie, client_id, None)
            .await
            .expect("websocket connects")
    }

    /// Connects, optionally speaking for an organisation; returns the HTTP error on refusal.
    pub async fn try_connect(
        base: &str,
        draft: i64,
        cookie: Option<&str>,
        client_id: u64,
        acting_for: Option<i64>,
    ) -> Result<YClient, tokio_tungstenite::tungstenite::Error> {
        let ws = base.replacen("http://", "ws://", 1);
        let query = acting_for.map(|o| format!("?as={o}")).unwrap_or_default();
        let mut request = format!("{ws}/collab/drafts/{draft}{query}")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", base.parse().unwrap());
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(client_id),
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        let text = doc.get_or_insert_text("body");
        let mut client = YClient {
            doc,
            text,
            socket,
            heard: Heard::default(),
            synced: false,
        };
        let step1 = client.doc.transact().state_vector().encode_v1();
        client.send(sync_message(0, &step1)).await;
        // The server's step 1 (answered) and step 2 (applied).
        client
            .pump_until(Duration::from_secs(5), |c| {
                c.synced || c.heard.closed.is_some()
            })
            .await;
        Ok(client)
    }

    /// Connects the same document to a (possibly other) server, as y-websocket does after a
    /// disconnect: both sides send what the other lacks.
    pub async fn reconnect(&mut self, base: &str, draft: i64, cookie: Option<&str>) {
        let client = self.doc.client_id().get();
        let fresh = YClient::connect(base, draft, cookie, client).await;
        self.socket = fresh.socket;
        self.heard = Heard::default();
        self.synced = false;
        // The server's step 1 went to the throwaway document: answer it with everything ours has
        // (the server keeps only what it lacks), then ask for what ours lacks.
        let everything = self
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        self.send(sync_message(1, &everything)).await;
        let step1 = self.doc.transact().state_vector().encode_v1();
        self.send(sync_message(0, &step1)).await;
        self.pump_until(Duration::from_secs(5), |c| c.synced).await;
    }

    /// Sends raw bytes as one binary frame.
    pub async fn send(&mut self, bytes: Vec<u8>) {
        let _ = self.socket.send(Message::Binary(bytes.into())).await;
    }

    /// Inserts text at a UTF-16 offset and sends the update.
    pub async fn insert(&mut self, at: u32, s: &str) {
        let update = {
            let mut txn = self.doc.transact_mut();
            self.text.insert(&mut txn, at, s);
            txn.encode_update_v1()
        };
        self.send(sync_message(2, &update)).await;
    }

    /// Deletes a range and sends the update.
    pub async fn delete(&mut self, at: u32, len: u32) {
        let update = {
            let mut txn = self.doc.transact_mut();
            self.text.remove_range(&mut txn, at, len);
            txn.encode_update_v1()
        };
        self.send(sync_message(2, &update)).await;
    }

    /// Formats a range with attributes (`null` removes one) and sends the update, as an
    /// editor's toolbar does.
    pub async fn format(&mut self, at: u32, len: u32, attributes: Vec<(&str, yrs::Any)>) {
        let update = {
            let mut txn = self.doc.transact_mut();
            let attributes: yrs::types::Attrs = attributes
                .into_iter()
                .map(|(k, v)| (std::sync::Arc::from(k), v))
                .collect();
            self.text.format(&mut txn, at, len, attributes);
            txn.encode_update_v1()
        };
        self.send(sync_message(2, &update)).await;
    }

    /// The local text.
    pub fn string(&self) -> String {
        self.text.get_string(&self.doc.transact())
    }

    /// The text length in UTF-16 units.
    pub fn len(&self) -> u32 {
        self.text.len(&self.doc.transact())
    }

    /// Handles messages until `done` holds or `limit` passes; false on timeout.
    pub async fn pump_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&YClient) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if done(self) && self.drain_ready().await {
                return true;
            }
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if remaining.is_zero() || self.heard.closed.is_some() {
                return done(self);
            }
            match tokio::time::timeout(
                remaining.min(Duration::from_millis(200)),
                self.socket.next(),
            )
            .await
            {
                Ok(Some(Ok(message))) => self.handle(message).await,
                Ok(Some(Err(_))) | Ok(None) => {
                    if self.heard.closed.is_none() {
                        self.heard.closed = Some((1006, "connection dropped".into()));
                    }
                }
                Err(_) => {}
            }
        }
    }

    /// Handles whatever has already arrived, without waiting; true when nothing more is waiting.
    async fn drain_ready(&mut self) -> bool {
        while let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_millis(30), self.socket.next()).await
        {
            self.handle(message).await;
        }
        true
    }

    /// Waits until the server has been quiet for a moment, handling everything it sent.
    pub async fn settle(&mut self) {
        self.pump_until(Duration::from_millis(300), |_| true).await;
    }

    async fn handle(&mut self, message: Message) {
        match message {
            Message::Binary(bytes) => match frames::decode(&bytes) {
                Ok(Frame::SyncStep1(state_vector)) => {
                    let sv = StateVector::decode_v1(state_vector).unwrap();
                    let diff = self.doc.transact().encode_diff_v1(&sv);
                    self.send(sync_message(1, &diff)).await;
                }
                Ok(Frame::SyncStep2(update)) => {
                    self.apply(update);
                    self.synced = true;
                }
                Ok(Frame::Update(update)) => self.apply(update),
                Ok(Frame::Awareness(update)) => self.heard.awareness.push(update.to_vec()),
                Ok(Frame::Auth(reason)) => self.heard.denied.push(reason.to_string()),
                Ok(Frame::QueryAwareness) | Err(_) => {}
            },
            Message::Close(frame) => {
                self.heard.closed = Some(
                    frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((CloseCode::Status.into(), String::new())),
                );
            }
            _ => {}
        }
    }

    fn apply(&mut self, update: &[u8]) {
        let update = Update::decode_v1(update).unwrap();
        self.doc.transact_mut().apply_update(update).unwrap();
    }

    /// Waits for the server to close the connection; returns its code and reason.
    pub async fn closed(&mut self, limit: Duration) -> Option<(u16, String)> {
        self.pump_until(limit, |c| c.heard.closed.is_some()).await;
        self.heard.closed.clone()
    }

    /// What this peer has, per client.
    pub fn state_vector(&self) -> StateVector {
        self.doc.transact().state_vector()
    }
}
