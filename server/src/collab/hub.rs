//! The collaboration hub: one task ("room") owns each live draft — its yrs document, who is
//! connected, and their presence. Connections talk to their room by message, so the document
//! is never shared between threads and every decision about it is taken in one place.
//!
//! For each update the room: validates the bytes (`validate`), checks that this connection may
//! write now (the answer is cached for [`ACCESS_TTL`] and dropped when access changes), checks
//! that every new struct is under a client id bound to this connection's person and
//! organisation, applies it with panics contained (`doc`), stores what was applied, and only then
//! relays it. A room with nobody connected saves a snapshot and unloads after [`IDLE_UNLOAD`].

use super::doc::{DocError, DraftDoc, ROOTS};
use super::protocol::{self, Message};
use super::validate;
use app::domain::comments::{locate_quote, utf16_slice};
use app::error::{AppError, AppResult};
use app::i18n::Lang;
use app::ids::{CommentId, DraftId, SittingId};
use app::model::{Actor, Anchor, LiveText, Location};
use app::ssr::{Live, Store};
use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, oneshot};

/// How long a cached "may this connection write?" answer is trusted.
pub const ACCESS_TTL: Duration = Duration::from_secs(2);
/// How long a room with nobody in it stays loaded.
pub const IDLE_UNLOAD: Duration = Duration::from_secs(60);
/// Updates stored between snapshots.
pub const SNAPSHOT_EVERY: u64 = 500;
/// Messages waiting for one connection before it counts as too slow and is disconnected.
pub const CONNECTION_QUEUE: usize = 512;
/// The longest hex text accepted as one sticky position.
const MAX_ANCHOR_HEX: usize = 256;
/// Commands waiting for one room.
const ROOM_QUEUE: usize = 1024;

/// Close codes a connection may be closed with (RFC 6455).
pub mod close {
    /// The message could not be read or is not a draft's kind of content.
    pub const INVALID: u16 = 1007;
    /// The message breaks a rule of the draft (someone else's client id, missing history).
    pub const POLICY: u16 = 1008;
    /// The message is larger than allowed.
    pub const TOO_BIG: u16 = 1009;
    /// The server failed; reconnecting resyncs.
    pub const SERVER_ERROR: u16 = 1011;
    /// The connection did not keep up and was dropped; reconnecting resyncs.
    pub const TRY_AGAIN: u16 = 1013;
}

/// Who is on the other end of a connection.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The signed-in person and the organisation they speak for; `None` for an anonymous reader.
    pub actor: Option<Actor>,
    /// What presence shows: name, organisation, stakeholder kind (set by the server, never the client).
    pub presence: serde_json::Value,
}

/// What a room sends a connection.
#[derive(Clone, Debug)]
pub enum Out {
    Frame(Bytes),
    Close(u16, String),
}

/// A connection's handle on its room.
pub struct Joined {
    pub conn: u64,
    /// Frames to write to the socket, in order.
    pub outgoing: mpsc::Receiver<Out>,
    /// Fires when the room drops the connection (too slow, broke a rule).
    pub kicked: oneshot::Receiver<(u16, String)>,
}

enum Command {
    Join {
        conn: u64,
        peer: Peer,
        out: mpsc::Sender<Out>,
        kick: oneshot::Sender<(u16, String)>,
    },
    Frame {
        conn: u64,
        frame: Bytes,
    },
    Leave {
        conn: u64,
    },
    Text {
        reply: oneshot::Sender<AppResult<LiveText>>,
    },
    State {
        reply: oneshot::Sender<AppResult<(String, Vec<u8>)>>,
    },
    Anchor {
        quote: String,
        proposed: Option<Anchor>,
        near: Option<u32>,
        reply: oneshot::Sender<AppResult<Option<Anchor>>>,
    },
    Locate {
        anchors: Vec<Anchor>,
        reply: oneshot::Sender<AppResult<Vec<Location>>>,
    },
    AccessChanged,
}

struct Inner {
    store: Arc<dyn Store>,
    rooms: Mutex<HashMap<DraftId, mpsc::Sender<Command>>>,
    next_conn: AtomicU64,
    threads: broadcast::Sender<(DraftId, CommentId)>,
    /// Each live sitting's new state, to every viewer connected here (each connection publishes
    /// it for its viewer).
    sittings: Mutex<HashMap<SittingId, broadcast::Sender<Arc<app::model::Sitting>>>>,
}

/// Thread changes waiting for one slow reader before it is told to reload instead.
const THREAD_EVENTS: usize = 256;

/// The hub: finds or loads the room of a draft.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    /// A hub over `store`.
    pub fn new(store: Arc<dyn Store>) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                store,
                rooms: Mutex::new(HashMap::new()),
                next_conn: AtomicU64::new(1),
                threads: broadcast::channel(THREAD_EVENTS).0,
                sittings: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Sends a command to the draft's room, starting the room if it is not running.
    async fn send(&self, draft: DraftId, mut command: Command) -> AppResult<()> {
        for _ in 0..3 {
            let sender = {
                let mut rooms = self.inner.rooms.lock().map_err(|_| AppError::Internal)?;
                rooms
                    .entry(draft)
                    .or_insert_with(|| {
                        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
                        tokio::spawn(run_room(
                            draft,
                            self.inner.store.clone(),
                            rx,
                            Arc::downgrade(&self.inner),
                        ));
                        tx
                    })
                    .clone()
            };
            match sender.send(command).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(returned)) => {
                    // The room just unloaded; forget it and start a new one.
                    command = returned;
                    if let Ok(mut rooms) = self.inner.rooms.lock()
                        && rooms.get(&draft).is_some_and(|s| s.same_channel(&sender))
                    {
                        rooms.remove(&draft);
                    }
                }
            }
        }
        Err(AppError::Internal)
    }

    /// Connects a peer to a draft.
    pub async fn join(&self, draft: DraftId, peer: Peer) -> AppResult<Joined> {
        let conn = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let (out, outgoing) = mpsc::channel(CONNECTION_QUEUE);
        let (kick, kicked) = oneshot::channel();
        self.send(
            draft,
            Command::Join {
                conn,
                peer,
                out,
                kick,
            },
        )
        .await?;
        Ok(Joined {
            conn,
            outgoing,
            kicked,
        })
    }

    /// Hands a frame from a connection to its room.
    pub async fn frame(&self, draft: DraftId, conn: u64, frame: Bytes) -> AppResult<()> {
        self.send(draft, Command::Frame { conn, frame }).await
    }

    /// Disconnects a connection.
    pub async fn leave(&self, draft: DraftId, conn: u64) {
        let _ = self.send(draft, Command::Leave { conn }).await;
    }

    /// Every thread change on every draft, as it happens (readers filter by draft).
    pub fn thread_changes(&self) -> broadcast::Receiver<(DraftId, CommentId)> {
        self.inner.threads.subscribe()
    }

    /// The channel a sitting's new states are published on (made on first use; a channel nobody
    /// listens to any more is dropped when the next sitting channel is made).
    pub fn sitting_channel(&self, id: SittingId) -> broadcast::Sender<Arc<app::model::Sitting>> {
        let mut channels = match self.inner.sittings.lock() {
            Ok(channels) => channels,
            Err(poisoned) => poisoned.into_inner(),
        };
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(THREAD_EVENTS).0)
            .clone()
    }

    /// How many rooms are loaded (for tests and metrics).
    pub fn loaded_rooms(&self) -> usize {
        self.inner.rooms.lock().map(|r| r.len()).unwrap_or(0)
    }
}

#[async_trait::async_trait]
impl Live for Hub {
    async fn text(&self, id: DraftId) -> AppResult<LiveText> {
        let (reply, answer) = oneshot::channel();
        self.send(id, Command::Text { reply }).await?;
        answer.await.map_err(|_| AppError::Internal)?
    }

    async fn state(&self, id: DraftId) -> AppResult<(String, Vec<u8>)> {
        let (reply, answer) = oneshot::channel();
        self.send(id, Command::State { reply }).await?;
        answer.await.map_err(|_| AppError::Internal)?
    }

    async fn anchor(
        &self,
        id: DraftId,
        quote: &str,
        proposed: Option<Anchor>,
        near: Option<u32>,
    ) -> AppResult<Option<Anchor>> {
        let (reply, answer) = oneshot::channel();
        let quote = quote.to_string();
        self.send(
            id,
            Command::Anchor {
                quote,
                proposed,
                near,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| AppError::Internal)?
    }

    async fn locate(&self, id: DraftId, anchors: Vec<Anchor>) -> AppResult<Vec<Location>> {
        let (reply, answer) = oneshot::channel();
        self.send(id, Command::Locate { anchors, reply }).await?;
        answer.await.map_err(|_| AppError::Internal)?
    }

    fn thread_changed(&self, id: DraftId, thread: CommentId) {
        // Nobody listening is fine: the next page load shows the change.
        let _ = self.inner.threads.send((id, thread));
    }

    fn access_changed(&self) {
        let senders: Vec<_> = self
            .inner
            .rooms
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default();
        for sender in senders {
            let _ = sender.try_send(Command::AccessChanged);
        }
    }
}

struct Connection {
    peer: Peer,
    out: mpsc::Sender<Out>,
    kick: Option<oneshot::Sender<(u16, String)>>,
    write: Option<(Instant, Result<(), app::i18n::Msg>)>,
    told_read_only: bool,
}

struct Presence {
    conn: u64,
    clock: u64,
    state: String,
}

struct Room {
    draft: DraftId,
    store: Arc<dyn Store>,
    doc: DraftDoc,
    last_seq: i64,
    unsnapshotted: u64,
    conns: HashMap<u64, Connection>,
    bindings: HashMap<u64, Actor>,
    presence: HashMap<u64, Presence>,
}

async fn load(draft: DraftId, store: &Arc<dyn Store>) -> AppResult<Room> {
    if store.draft(draft).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let log = store.draft_log(draft).await?;
    let last_seq = log
        .tail
        .last()
        .map(|(seq, _)| *seq)
        .or(log.snapshot.as_ref().map(|(seq, _)| *seq))
        .unwrap_or(0);
    let doc = DraftDoc::load(
        log.snapshot.as_ref().map(|(_, s)| s.as_slice()),
        log.tail.iter().map(|(_, u)| u.as_slice()),
    )
    .map_err(|e| {
        tracing::error!(draft = draft.0, error = %e, "a stored draft does not load");
        AppError::Internal
    })?;
    let bindings = store.draft_clients(draft).await?.into_iter().collect();
    Ok(Room {
        draft,
        store: store.clone(),
        doc,
        last_seq,
        unsnapshotted: log.tail.len() as u64,
        conns: HashMap::new(),
        bindings,
        presence: HashMap::new(),
    })
}

async fn run_room(
    draft: DraftId,
    store: Arc<dyn Store>,
    mut rx: mpsc::Receiver<Command>,
    hub: Weak<Inner>,
) {
    let mut room = match load(draft, &store).await {
        Ok(room) => room,
        Err(error) => {
            // Answer whatever is waiting, then let the next request try again.
            forget(&hub, draft);
            while let Ok(command) = rx.try_recv() {
                refuse(command, error.clone());
            }
            return;
        }
    };
    loop {
        let command = if room.conns.is_empty() {
            match tokio::time::timeout(IDLE_UNLOAD, rx.recv()).await {
                Ok(command) => command,
                Err(_) => {
                    room.snapshot().await;
                    if let Some(inner) = hub.upgrade() {
                        let mut rooms = match inner.rooms.lock() {
                            Ok(rooms) => rooms,
                            Err(_) => return,
                        };
                        // Holding the map, no new sender can be handed out; anything already
                        // queued is served before unloading.
                        if !rx.is_empty() {
                            continue;
                        }
                        rooms.remove(&draft);
                    }
                    return;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(command) = command else {
            room.snapshot().await;
            return;
        };
        room.handle(command).await;
    }
}

fn forget(hub: &Weak<Inner>, draft: DraftId) {
    if let Some(inner) = hub.upgrade()
        && let Ok(mut rooms) = inner.rooms.lock()
    {
        rooms.remove(&draft);
    }
}

fn refuse(command: Command, error: AppError) {
    match command {
        Command::Join { kick, .. } => {
            let _ = kick.send((close::SERVER_ERROR, "this draft cannot be opened".into()));
        }
        Command::Text { reply } => {
            let _ = reply.send(Err(error));
        }
        Command::State { reply } => {
            let _ = reply.send(Err(error));
        }
        Command::Anchor { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        Command::Locate { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        Command::Frame { .. } | Command::Leave { .. } | Command::AccessChanged => {}
    }
}

impl Room {
    async fn handle(&mut self, command: Command) {
        match command {
            Command::Join {
                conn,
                peer,
                out,
                kick,
            } => {
                let connection = Connection {
                    peer,
                    out,
                    kick: Some(kick),
                    write: None,
                    told_read_only: false,
                };
                self.conns.insert(conn, connection);
                self.send(
                    conn,
                    Bytes::from(protocol::sync_step_1(&self.doc.state_vector())),
                );
                if !self.presence.is_empty() {
                    let all = self.encode_presence(self.presence.keys().copied().collect());
                    self.send(conn, all);
                }
            }
            Command::Frame { conn, frame } => {
                if self.conns.contains_key(&conn) {
                    self.frame(conn, &frame).await;
                }
            }
            Command::Leave { conn } => self.leave(conn),
            Command::Text { reply } => {
                let _ = reply.send(self.text());
            }
            Command::State { reply } => {
                let state = self.doc.encode_state().map_err(|_| AppError::Internal);
                let _ = reply.send(state.map(|state| (self.doc.text(), state)));
            }
            Command::Anchor {
                quote,
                proposed,
                near,
                reply,
            } => {
                let _ = reply.send(Ok(self.anchor(&quote, proposed, near)));
            }
            Command::Locate { anchors, reply } => {
                let _ = reply.send(Ok(anchors.iter().map(|a| self.locate(a)).collect()));
            }
            Command::AccessChanged => {
                for connection in self.conns.values_mut() {
                    connection.write = None;
                }
            }
        }
    }

    async fn frame(&mut self, conn: u64, frame: &[u8]) {
        let message = match protocol::decode(frame) {
            Ok(message) => message,
            Err(invalid) => return self.kick(conn, close::INVALID, &invalid.to_string()),
        };
        match message {
            Message::SyncStep1(state_vector) => {
                if let Err(invalid) = validate::check_state_vector(state_vector) {
                    return self.kick(conn, close::INVALID, &invalid.to_string());
                }
                match self.doc.diff_for(state_vector) {
                    Ok(diff) => self.send(conn, Bytes::from(protocol::sync_step_2(&diff))),
                    Err(_) => self.kick(conn, close::INVALID, "unreadable state vector"),
                }
            }
            Message::SyncStep2(update) | Message::Update(update) => self.update(conn, update).await,
            Message::Awareness(update) => self.awareness(conn, update),
            Message::QueryAwareness => {
                let all = self.encode_presence(self.presence.keys().copied().collect());
                self.send(conn, all);
            }
            Message::Auth => {}
        }
    }

    /// Whether the connection may write now, with the reason when not.
    async fn may_write(&mut self, conn: u64) -> Result<(), app::i18n::Msg> {
        let Some(connection) = self.conns.get(&conn) else {
            return Err(app::i18n::Msg::ErrorNotAllowed);
        };
        if let Some((checked, answer)) = &connection.write
            && checked.elapsed() < ACCESS_TTL
        {
            return answer.clone();
        }
        let answer = match connection.peer.actor {
            None => Err(app::i18n::Msg::ErrorDraftReadOnly),
            Some(actor) => match self.store.draft_write_access(self.draft, actor).await {
                Ok(answer) => answer,
                Err(_) => Err(app::i18n::Msg::ErrorInternal),
            },
        };
        if let Some(connection) = self.conns.get_mut(&conn) {
            connection.write = Some((Instant::now(), answer.clone()));
        }
        answer
    }

    async fn update(&mut self, conn: u64, update: &[u8]) {
        let summary = match validate::check_update(update, ROOTS) {
            Ok(summary) => summary,
            Err(invalid) => return self.kick(conn, close::INVALID, &invalid.to_string()),
        };
        if summary.is_empty() {
            return;
        }
        if let Err(reason) = self.may_write(conn).await {
            // Refused inside the protocol: never applied, stored or relayed. The peer stays, reading.
            let connection = self.conns.get_mut(&conn);
            if let Some(connection) = connection
                && !connection.told_read_only
            {
                connection.told_read_only = true;
                let message = protocol::permission_denied(&reason.render(Lang::En));
                self.send(conn, Bytes::from(message));
            }
            return;
        }
        let Some(author) = self.conns.get(&conn).and_then(|c| c.peer.actor) else {
            return;
        };
        // Every client that brings new structs must be this author's, and must continue exactly
        // where the document's history of that client ends.
        for (&client, &(start, end)) in &summary.structs {
            let known = self.doc.clock_of(client);
            if end <= known {
                continue;
            }
            if start > known {
                return self.kick(
                    conn,
                    close::POLICY,
                    "the update depends on changes this server does not have; reconnect",
                );
            }
            let bound = match self.bindings.get(&client) {
                Some(bound) => *bound,
                None => match self
                    .store
                    .bind_draft_client(self.draft, client, author)
                    .await
                {
                    Ok(bound) => {
                        self.bindings.insert(client, bound);
                        bound
                    }
                    Err(_) => {
                        return self.kick(conn, close::SERVER_ERROR, "could not record the author");
                    }
                },
            };
            if bound != author {
                return self.kick(conn, close::POLICY, "client id belongs to another author");
            }
        }
        let applied = match self.doc.apply(update) {
            Ok(applied) => applied,
            Err(error) => {
                tracing::warn!(draft = self.draft.0, %error, "an update was refused after applying; reloading the draft");
                self.reload().await;
                let code = if error == DocError::MissingDependencies {
                    close::POLICY
                } else {
                    close::INVALID
                };
                return self.kick(conn, code, &error.to_string());
            }
        };
        if applied.is_empty() {
            return;
        }
        let seq = self.last_seq + 1;
        let now = crate::web::now_millis();
        if let Err(error) = self
            .store
            .append_draft_update(self.draft, seq, author, &applied, now)
            .await
        {
            // Not stored, so it must not exist anywhere: forget it and let the writer resync.
            tracing::error!(
                draft = self.draft.0,
                ?error,
                "an update could not be stored; reloading the draft"
            );
            self.reload().await;
            return self.kick(
                conn,
                close::SERVER_ERROR,
                "the change could not be saved; reconnect to resync",
            );
        }
        self.last_seq = seq;
        self.unsnapshotted += 1;
        let message = Bytes::from(protocol::update(&applied));
        self.broadcast(Some(conn), message);
        if self.unsnapshotted >= SNAPSHOT_EVERY {
            self.snapshot().await;
        }
    }

    fn awareness(&mut self, conn: u64, update: &[u8]) {
        let entries = match validate::check_awareness(update) {
            Ok(entries) => entries,
            Err(invalid) => return self.kick(conn, close::INVALID, &invalid.to_string()),
        };
        let Some(connection) = self.conns.get(&conn) else {
            return;
        };
        if connection.peer.actor.is_none() {
            // Anonymous readers are not shown as present.
            return;
        }
        let identity = connection.peer.presence.clone();
        let mut changed = Vec::new();
        for entry in entries {
            if self
                .presence
                .get(&entry.client)
                .is_some_and(|p| p.conn != conn)
            {
                continue; // another connection's presence
            }
            match entry.state {
                Some(mut state) => {
                    // Who someone is comes from their session, never from what their client claims.
                    state.insert("user".into(), identity.clone());
                    let state = serde_json::Value::Object(state).to_string();
                    self.presence.insert(
                        entry.client,
                        Presence {
                            conn,
                            clock: entry.clock,
                            state,
                        },
                    );
                }
                None => {
                    self.presence.insert(
                        entry.client,
                        Presence {
                            conn,
                            clock: entry.clock,
                            state: "null".into(),
                        },
                    );
                }
            }
            changed.push(entry.client);
        }
        if !changed.is_empty() {
            let message = self.encode_presence(changed.clone());
            self.presence.retain(|_, p| p.state != "null");
            self.broadcast(Some(conn), message);
        }
    }

    fn encode_presence(&self, clients: Vec<u64>) -> Bytes {
        let entries: Vec<(u64, u64, &str)> = clients
            .iter()
            .filter_map(|c| {
                self.presence
                    .get(c)
                    .map(|p| (*c, p.clock, p.state.as_str()))
            })
            .collect();
        Bytes::from(protocol::awareness(&protocol::encode_awareness(
            entries.into_iter(),
        )))
    }

    fn leave(&mut self, conn: u64) {
        self.conns.remove(&conn);
        let gone: Vec<u64> = self
            .presence
            .iter()
            .filter(|(_, p)| p.conn == conn)
            .map(|(c, _)| *c)
            .collect();
        if gone.is_empty() {
            return;
        }
        for client in &gone {
            if let Some(presence) = self.presence.get_mut(client) {
                presence.clock += 1;
                presence.state = "null".into();
            }
        }
        let message = self.encode_presence(gone);
        self.presence.retain(|_, p| p.state != "null");
        self.broadcast(None, message);
    }

    /// Where an anchor's passage is now: `(start, end)` in UTF-16 offsets, empty when the passage
    /// was deleted; `None` when the anchor cannot be read.
    fn locate(&self, anchor: &Anchor) -> Location {
        let offset = |part: &str| {
            // A sticky index is a few dozen bytes; anything longer is not one of ours.
            if part.len() > MAX_ANCHOR_HEX {
                return None;
            }
            self.doc.offset_of(&app::domain::hex::decode(part)?)
        };
        let (start, end) = (offset(&anchor.start)?, offset(&anchor.end)?);
        Some((start, end.max(start)))
    }

    /// An anchor for `quote`: the one proposed if it still covers exactly these words, otherwise
    /// new sticky positions on the occurrence nearest `near`.
    fn anchor(&self, quote: &str, proposed: Option<Anchor>, near: Option<u32>) -> Option<Anchor> {
        let text = self.doc.text();
        if let Some(proposed) = proposed
            && let Some((start, end)) = self.locate(&proposed)
            && start < end
            && utf16_slice(&text, start, end) == quote
        {
            return Some(proposed);
        }
        let (start, end) = locate_quote(&text, quote, near)?;
        let (first, last) = self.doc.anchor(start, end)?;
        Some(Anchor {
            start: app::domain::hex::encode(&first),
            end: app::domain::hex::encode(&last),
        })
    }

    fn text(&self) -> AppResult<LiveText> {
        let stretches = self.doc.stretches().map_err(|_| AppError::Internal)?;
        Ok(LiveText {
            text: self.doc.text(),
            stretches: stretches
                .into_iter()
                .map(|s| (s.text, self.bindings.get(&s.client).copied()))
                .collect(),
        })
    }

    /// Stores the whole document if anything was added since the last snapshot.
    async fn snapshot(&mut self) {
        if self.unsnapshotted == 0 {
            return;
        }
        match self.doc.encode_state() {
            Ok(state) => {
                let now = crate::web::now_millis();
                match self
                    .store
                    .save_draft_snapshot(self.draft, self.last_seq, &state, now)
                    .await
                {
                    Ok(()) => self.unsnapshotted = 0,
                    Err(error) => {
                        tracing::warn!(draft = self.draft.0, ?error, "could not save a snapshot")
                    }
                }
            }
            Err(error) => {
                tracing::error!(draft = self.draft.0, %error, "the draft no longer encodes")
            }
        }
    }

    /// Throws the document away and loads it again from storage.
    async fn reload(&mut self) {
        match load(self.draft, &self.store).await {
            Ok(fresh) => {
                self.doc = fresh.doc;
                self.last_seq = fresh.last_seq;
                self.unsnapshotted = fresh.unsnapshotted;
                self.bindings = fresh.bindings;
            }
            Err(error) => {
                tracing::error!(
                    draft = self.draft.0,
                    ?error,
                    "a draft could not be reloaded; closing its room"
                );
                let everyone: Vec<u64> = self.conns.keys().copied().collect();
                for conn in everyone {
                    self.kick(
                        conn,
                        close::SERVER_ERROR,
                        "the draft is unavailable; reconnect",
                    );
                }
            }
        }
    }

    fn send(&mut self, conn: u64, frame: Bytes) {
        let full = match self.conns.get(&conn) {
            Some(connection) => connection.out.try_send(Out::Frame(frame)).is_err(),
            None => false,
        };
        if full {
            self.kick(
                conn,
                close::TRY_AGAIN,
                "the connection is too slow; reconnect to resync",
            );
        }
    }

    fn broadcast(&mut self, except: Option<u64>, frame: Bytes) {
        let slow: Vec<u64> = self
            .conns
            .iter()
            .filter(|(conn, _)| Some(**conn) != except)
            .filter(|(_, connection)| connection.out.try_send(Out::Frame(frame.clone())).is_err())
            .map(|(conn, _)| *conn)
            .collect();
        for conn in slow {
            self.kick(
                conn,
                close::TRY_AGAIN,
                "the connection is too slow; reconnect to resync",
            );
        }
    }

    /// Drops a connection with a close code and a reason; the others are unaffected.
    fn kick(&mut self, conn: u64, code: u16, reason: &str) {
        if let Some(connection) = self.conns.get_mut(&conn)
            && let Some(kick) = connection.kick.take()
        {
            tracing::info!(
                draft = self.draft.0,
                conn,
                code,
                reason,
                "closing a connection"
            );
            let _ = kick.send((code, reason.to_string()));
        }
        self.leave(conn);
    }
}
