//! The collaboration hub: one task ("room") owns each live draft — its yrs document, who is
//! connected, and their presence. Connections talk to their room by message, so the document
//! is never shared between threads and every decision about it is taken in one place.
//!
//! For each update the room: validates the bytes (`validate`), checks that this connection may
//! write now (the answer is cached for [`ACCESS_TTL`] and dropped when access changes), checks
//! that every new struct is under a client id bound to this connection's person and
//! organisation, applies it with panics contained (`doc`), stores what was applied, and only then
//! relays it. Updates that arrive while the previous group is being committed are stored together
//! in the next group (group commit): one commit for many updates keeps every relayed update durable
//! without one fsync each. A room with nobody connected compacts its updates into a snapshot and
//! unloads after [`IDLE_UNLOAD`].
//!
//! Several servers may serve one draft (PostgreSQL): each keeps its own room, numbers its groups
//! after the last stored update it knows, and signals what it stored (`bus`). A server whose
//! number was taken reads what it missed, then numbers again; the others read each stored update
//! when signalled. Presence travels between servers in the signals themselves.

use super::bus::{Bus, Signal};
use super::doc::{self, DocError, DraftDoc, ROOTS};
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, oneshot};

/// How long a cached "may this connection write?" answer is trusted.
pub const ACCESS_TTL: Duration = Duration::from_secs(2);
/// How long a room with nobody in it stays loaded.
pub const IDLE_UNLOAD: Duration = Duration::from_secs(60);
/// Updates stored between compactions (a snapshot replaces the updates it contains).
pub const SNAPSHOT_EVERY: u64 = 2_000;
/// The most updates committed as one group.
pub const GROUP_MAX: usize = 1024;
/// Stored updates read per query when loading or catching up (a long log is read in bounded steps).
pub const LOAD_PAGE: i64 = 20_000;
/// Presence from another server that is not renewed for this long is forgotten (clients renew
/// theirs every 15 s; a server that died cannot say its clients left).
pub const REMOTE_PRESENCE_TTL: Duration = Duration::from_secs(30);
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
    /// Another server stored updates: read them.
    CatchUp,
    /// A presence entry changed on another server.
    RemotePresence {
        client: u64,
        clock: u64,
        state: String,
    },
}

/// A running room, as the hub holds it.
struct RoomHandle {
    commands: mpsc::Sender<Command>,
    /// Set when another server stored updates of this draft; the room reads them as soon as it
    /// is free (set even when its queue is full, so the signal is never lost).
    behind: Arc<AtomicBool>,
}

struct Inner {
    store: Arc<dyn Store>,
    rooms: Mutex<HashMap<DraftId, RoomHandle>>,
    /// The other servers, when there are any (PostgreSQL).
    bus: OnceLock<Bus>,
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
                bus: OnceLock::new(),
            }),
        }
    }

    /// Connects the hub to the other servers (once, before serving).
    pub fn attach_bus(&self, bus: Bus) {
        let _ = self.inner.bus.set(bus);
    }

    /// What receives the other servers' signals for this hub.
    pub fn signal_receiver(&self) -> Arc<dyn super::bus::Receiver> {
        Arc::new(SignalReceiver(Arc::downgrade(&self.inner)))
    }

    fn bus(&self) -> Bus {
        self.inner.bus()
    }

    /// Sends a command to the draft's room, starting the room if it is not running.
    async fn send(&self, draft: DraftId, mut command: Command) -> AppResult<()> {
        for _ in 0..3 {
            let sender = {
                let mut rooms = self.inner.rooms.lock().map_err(|_| AppError::Internal)?;
                rooms
                    .entry(draft)
                    .or_insert_with(|| {
                        let (commands, rx) = mpsc::channel(ROOM_QUEUE);
                        let behind = Arc::new(AtomicBool::new(false));
                        tokio::spawn(run_room(
                            draft,
                            self.inner.store.clone(),
                            self.bus(),
                            rx,
                            behind.clone(),
                            Arc::downgrade(&self.inner),
                        ));
                        RoomHandle { commands, behind }
                    })
                    .commands
                    .clone()
            };
            match sender.send(command).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(returned)) => {
                    // The room just unloaded; forget it and start a new one.
                    command = returned;
                    if let Ok(mut rooms) = self.inner.rooms.lock()
                        && rooms
                            .get(&draft)
                            .is_some_and(|r| r.commands.same_channel(&sender))
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

    /// The channel a sitting's new states are published on, to the viewers connected here.
    pub fn sitting_channel(&self, id: SittingId) -> broadcast::Sender<Arc<app::model::Sitting>> {
        self.inner.sitting_channel(id)
    }

    /// Publishes a sitting's new state to its viewers here and signals the other servers.
    pub fn sitting_changed(&self, sitting: Arc<app::model::Sitting>) {
        let id = sitting.id;
        let _ = self.inner.sitting_channel(id).send(sitting);
        self.bus().publish(Signal::SittingChanged { sitting: id });
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
        self.bus()
            .publish(Signal::ThreadChanged { draft: id, thread });
    }

    fn access_changed(&self) {
        self.inner.access_changed();
        self.bus().publish(Signal::AccessChanged);
    }
}

impl Inner {
    fn bus(&self) -> Bus {
        self.bus.get().cloned().unwrap_or_else(Bus::single)
    }

    fn sitting_channel(&self, id: SittingId) -> broadcast::Sender<Arc<app::model::Sitting>> {
        let mut channels = match self.sittings.lock() {
            Ok(channels) => channels,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A channel nobody listens to any more is dropped when the next one is made.
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(THREAD_EVENTS).0)
            .clone()
    }

    /// Hands a command to the room of `draft` without waiting, if it is loaded.
    fn tell_room(&self, draft: DraftId, command: Command) {
        let rooms = match self.rooms.lock() {
            Ok(rooms) => rooms,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(room) = rooms.get(&draft) {
            // A full queue means a busy room; what is dropped here is either re-read (the room
            // checks `behind`) or renewed (presence).
            let _ = room.commands.try_send(command);
        }
    }

    fn access_changed(&self) {
        let rooms = match self.rooms.lock() {
            Ok(rooms) => rooms,
            Err(poisoned) => poisoned.into_inner(),
        };
        for room in rooms.values() {
            let _ = room.commands.try_send(Command::AccessChanged);
        }
    }

    /// Tells the room of `draft`, or every room, that stored updates are waiting to be read.
    fn mark_behind(&self, draft: Option<DraftId>) {
        let rooms = match self.rooms.lock() {
            Ok(rooms) => rooms,
            Err(poisoned) => poisoned.into_inner(),
        };
        let marked = rooms
            .iter()
            .filter(|(id, _)| draft.is_none_or(|d| d == **id));
        for (_, room) in marked {
            room.behind.store(true, Ordering::Release);
            let _ = room.commands.try_send(Command::CatchUp);
        }
    }
}

/// Hands the other servers' signals to this server's rooms and channels.
struct SignalReceiver(Weak<Inner>);

#[async_trait::async_trait]
impl super::bus::Receiver for SignalReceiver {
    async fn receive(&self, signal: Signal) {
        let Some(inner) = self.0.upgrade() else {
            return;
        };
        match signal {
            Signal::DraftStored { draft, .. } => inner.mark_behind(Some(draft)),
            Signal::CatchUp => inner.mark_behind(None),
            Signal::Presence {
                draft,
                client,
                clock,
                state,
            } => {
                inner.tell_room(
                    draft,
                    Command::RemotePresence {
                        client,
                        clock,
                        state,
                    },
                );
            }
            Signal::ThreadChanged { draft, thread } => {
                let _ = inner.threads.send((draft, thread));
            }
            Signal::SittingChanged { sitting } => {
                let channel = inner.sitting_channel(sitting);
                if channel.receiver_count() == 0 {
                    return;
                }
                // Read in signal order, so a viewer never sees an older state after a newer one.
                match inner.store.sitting(sitting).await {
                    Ok(Some(state)) => {
                        let _ = channel.send(Arc::new(state));
                    }
                    Ok(None) => {}
                    Err(error) => tracing::warn!(?error, "could not read a changed sitting"),
                }
            }
            Signal::AccessChanged => inner.access_changed(),
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
    /// The connection here that owns the entry; `None` for a client of another server.
    conn: Option<u64>,
    clock: u64,
    state: String,
    renewed: Instant,
}

struct Room {
    draft: DraftId,
    store: Arc<dyn Store>,
    bus: Bus,
    doc: DraftDoc,
    /// The number of the last stored update the document contains; every stored update up to it
    /// is in the document, and none after it.
    last_seq: i64,
    unsnapshotted: u64,
    /// Updates applied to the document but not yet stored (the next group), with their senders.
    /// Nothing in it has been relayed.
    pending: Vec<(Actor, Vec<u8>)>,
    pending_from: Vec<u64>,
    behind: Arc<AtomicBool>,
    conns: HashMap<u64, Connection>,
    bindings: HashMap<u64, Actor>,
    presence: HashMap<u64, Presence>,
}

/// A stored document: its latest snapshot and every update after it, read in pages of
/// [`LOAD_PAGE`] and applied as they come. Returns the document, the number of the last update in
/// it, and how many updates came after the snapshot. If another server compacts meanwhile (the
/// updates after the snapshot no longer follow on, or the snapshot changed), it starts again.
async fn load_doc(draft: DraftId, store: &Arc<dyn Store>) -> AppResult<(DraftDoc, i64, u64)> {
    let broken = |error: DocError| {
        tracing::error!(draft = draft.0, %error, "a stored draft does not load");
        AppError::Internal
    };
    for _ in 0..5 {
        let snapshot = store.draft_snapshot(draft).await?;
        let base = snapshot.as_ref().map_or(0, |(seq, _)| *seq);
        let mut doc =
            DraftDoc::load(snapshot.as_ref().map(|(_, s)| s.as_slice()), []).map_err(broken)?;
        drop(snapshot);
        let mut last = base;
        let follows_on = loop {
            let page = store.draft_updates_after(draft, last, LOAD_PAGE).await?;
            let follows_on = page
                .iter()
                .enumerate()
                .all(|(i, (seq, _))| *seq == last + 1 + i as i64);
            if !follows_on {
                break false;
            }
            doc.extend(page.iter().map(|(_, u)| u.as_slice()))
                .map_err(broken)?;
            last += page.len() as i64;
            if (page.len() as i64) < LOAD_PAGE {
                break true;
            }
        };
        if follows_on && store.draft_snapshot_seq(draft).await? == base {
            return Ok((doc, last, (last - base) as u64));
        }
    }
    tracing::error!(
        draft = draft.0,
        "the draft kept changing under compaction while loading"
    );
    Err(AppError::Internal)
}

async fn load(
    draft: DraftId,
    store: &Arc<dyn Store>,
    bus: Bus,
    behind: Arc<AtomicBool>,
) -> AppResult<Room> {
    if store.draft(draft).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let (doc, last_seq, unsnapshotted) = load_doc(draft, store).await?;
    let bindings = store.draft_clients(draft).await?.into_iter().collect();
    Ok(Room {
        draft,
        store: store.clone(),
        bus,
        doc,
        last_seq,
        unsnapshotted,
        pending: Vec::new(),
        pending_from: Vec::new(),
        behind,
        conns: HashMap::new(),
        bindings,
        presence: HashMap::new(),
    })
}

async fn run_room(
    draft: DraftId,
    store: Arc<dyn Store>,
    bus: Bus,
    mut rx: mpsc::Receiver<Command>,
    behind: Arc<AtomicBool>,
    hub: Weak<Inner>,
) {
    let mut room = match load(draft, &store, bus, behind).await {
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
                    room.compact().await;
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
            room.flush().await;
            room.compact().await;
            return;
        };
        room.handle(command).await;
        // Everything that arrived meanwhile joins the same group, then the group is committed
        // once and relayed.
        while room.pending.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(command) => room.handle(command).await,
                Err(_) => break,
            }
        }
        room.flush().await;
        if room.behind.swap(false, Ordering::Acquire) {
            room.catch_up().await;
        }
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
        Command::Frame { .. }
        | Command::Leave { .. }
        | Command::AccessChanged
        | Command::CatchUp
        | Command::RemotePresence { .. } => {}
    }
}

impl Room {
    async fn handle(&mut self, command: Command) {
        // Whatever reads or sends the document sees only what is stored: the waiting group is
        // committed first. Updates and presence do not read it.
        let keeps_group = match &command {
            Command::Frame { frame, .. } => matches!(
                protocol::decode(frame),
                Ok(Message::Update(_) | Message::SyncStep2(_) | Message::Awareness(_))
            ),
            Command::Leave { .. } | Command::RemotePresence { .. } | Command::AccessChanged => true,
            _ => false,
        };
        if !keeps_group {
            self.flush().await;
        }
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
                self.forget_stale_presence();
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
                // Clients bound on another server are read when first met.
                if self.has_unbound_clients()
                    && let Ok(bindings) = self.store.draft_clients(self.draft).await
                {
                    self.bindings = bindings.into_iter().collect();
                }
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
            Command::CatchUp => {
                self.behind.store(false, Ordering::Release);
                self.catch_up().await;
            }
            Command::RemotePresence {
                client,
                clock,
                state,
            } => self.remote_presence(client, clock, state),
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
                self.forget_stale_presence();
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
            let mut known = self.doc.clock_of(client);
            if start > known {
                // Another server may have stored what this update builds on.
                self.catch_up().await;
                known = self.doc.clock_of(client);
            }
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
        // Stored with the rest of its group, then relayed (`flush`).
        self.pending.push((author, applied));
        self.pending_from.push(conn);
    }

    /// Commits the waiting group in one transaction, then relays it and signals the other
    /// servers. If another server took the numbers first, reads what it stored and numbers again.
    async fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut stored = false;
        for _ in 0..8 {
            let now = crate::web::now_millis();
            match self
                .store
                .append_draft_updates(self.draft, self.last_seq + 1, &self.pending, now)
                .await
            {
                Ok(true) => {
                    stored = true;
                    break;
                }
                Ok(false) => self.catch_up().await,
                Err(_) => break,
            }
        }
        let group = std::mem::take(&mut self.pending);
        let senders = std::mem::take(&mut self.pending_from);
        if !stored {
            // Not stored, so it must not exist anywhere: forget it and let the writers resync.
            tracing::error!(
                draft = self.draft.0,
                "updates could not be stored; reloading the draft"
            );
            self.reload().await;
            for conn in senders {
                self.kick(
                    conn,
                    close::SERVER_ERROR,
                    "the change could not be saved; reconnect to resync",
                );
            }
            return;
        }
        self.last_seq += group.len() as i64;
        self.unsnapshotted += group.len() as u64;
        let updates: Vec<&[u8]> = group.iter().map(|(_, u)| u.as_slice()).collect();
        self.relay(&updates, &senders);
        self.bus.publish(Signal::DraftStored {
            draft: self.draft,
            seq: self.last_seq,
        });
        if self.unsnapshotted >= SNAPSHOT_EVERY {
            self.compact().await;
        }
    }

    /// Reads and relays the updates other servers stored after ours. If a compaction removed
    /// some of them first, reloads from the snapshot and relays the difference.
    async fn catch_up(&mut self) {
        loop {
            let page = match self
                .store
                .draft_updates_after(self.draft, self.last_seq, LOAD_PAGE)
                .await
            {
                Ok(page) => page,
                Err(_) => return,
            };
            let follows_on = match page.first() {
                Some((seq, _)) => *seq == self.last_seq + 1,
                None => self
                    .store
                    .draft_snapshot_seq(self.draft)
                    .await
                    .is_ok_and(|seq| seq <= self.last_seq),
            };
            if !follows_on {
                return self.reload().await;
            }
            for (seq, update) in &page {
                if *seq != self.last_seq + 1 {
                    return self.reload().await;
                }
                if let Err(error) = self.doc.apply(update) {
                    tracing::error!(draft = self.draft.0, %error, "a stored update does not apply");
                    return self.reload().await;
                }
                self.last_seq = *seq;
                self.unsnapshotted += 1;
            }
            for chunk in page.chunks(GROUP_MAX) {
                let updates: Vec<&[u8]> = chunk.iter().map(|(_, u)| u.as_slice()).collect();
                self.relay(&updates, &[]);
            }
            if (page.len() as i64) < LOAD_PAGE {
                return;
            }
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
                .is_some_and(|p| p.conn.is_some_and(|c| c != conn))
            {
                continue; // another connection's presence (a client of another server that
                // reconnected here takes its entry over)
            }
            let state = match entry.state {
                Some(mut state) => {
                    // Who someone is comes from their session, never from what their client claims.
                    state.insert("user".into(), identity.clone());
                    serde_json::Value::Object(state).to_string()
                }
                None => "null".into(),
            };
            self.presence.insert(
                entry.client,
                Presence {
                    conn: Some(conn),
                    clock: entry.clock,
                    state,
                    renewed: Instant::now(),
                },
            );
            changed.push(entry.client);
        }
        if !changed.is_empty() {
            let message = self.encode_presence(changed.clone());
            self.publish_presence(&changed);
            self.presence.retain(|_, p| p.state != "null");
            self.broadcast(Some(conn), message);
        }
    }

    /// Tells the other servers about these presence entries.
    fn publish_presence(&self, clients: &[u64]) {
        for client in clients {
            if let Some(presence) = self.presence.get(client) {
                self.bus.publish(Signal::Presence {
                    draft: self.draft,
                    client: *client,
                    clock: presence.clock,
                    state: presence.state.clone(),
                });
            }
        }
    }

    /// A presence entry from another server: kept (unless a connection here owns the client, or
    /// it is older than what is known) and relayed to everyone here.
    fn remote_presence(&mut self, client: u64, clock: u64, state: String) {
        if let Some(known) = self.presence.get(&client)
            && (known.conn.is_some() || known.clock > clock)
        {
            return;
        }
        self.presence.insert(
            client,
            Presence {
                conn: None,
                clock,
                state,
                renewed: Instant::now(),
            },
        );
        let message = self.encode_presence(vec![client]);
        self.presence.retain(|_, p| p.state != "null");
        self.broadcast(None, message);
    }

    /// Forgets presence from other servers that was not renewed in time (its server may be gone).
    fn forget_stale_presence(&mut self) {
        self.presence
            .retain(|_, p| p.conn.is_some() || p.renewed.elapsed() < REMOTE_PRESENCE_TTL);
    }

    /// Whether the text has a client whose author this room has not read yet.
    fn has_unbound_clients(&self) -> bool {
        self.doc
            .clients()
            .iter()
            .any(|client| !self.bindings.contains_key(client))
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
            .filter(|(_, p)| p.conn == Some(conn))
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
        let message = self.encode_presence(gone.clone());
        self.publish_presence(&gone);
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

    /// Compaction: stores the whole document as a snapshot and deletes the updates it contains,
    /// if any were added since the last one. The snapshot is encoded from the live document (never
    /// by merging the stored updates, which costs far more on a long log). When several servers
    /// compact at once, the store keeps exactly one snapshot and deletes only what it contains.
    async fn compact(&mut self) {
        if self.unsnapshotted == 0 || !self.pending.is_empty() {
            return;
        }
        match self.doc.encode_state() {
            Ok(state) => {
                let now = crate::web::now_millis();
                match self
                    .store
                    .compact_draft(self.draft, self.last_seq, &state, now)
                    .await
                {
                    // Lost to another server's newer snapshot: it contains ours.
                    Ok(_) => self.unsnapshotted = 0,
                    Err(error) => {
                        tracing::warn!(draft = self.draft.0, ?error, "could not compact the draft")
                    }
                }
            }
            Err(error) => {
                tracing::error!(draft = self.draft.0, %error, "the draft no longer encodes")
            }
        }
    }

    /// Throws the document away and loads it again from storage. The updates waiting to be stored
    /// are applied again; what the stored document has that this one lacked is relayed.
    async fn reload(&mut self) {
        let had = self.doc.state_vector();
        match load_doc(self.draft, &self.store).await {
            Ok((doc, last_seq, unsnapshotted)) => {
                self.doc = doc;
                self.last_seq = last_seq;
                self.unsnapshotted = unsnapshotted;
                match self.doc.diff_for(&had) {
                    Ok(missed) if !missed.is_empty() => {
                        self.broadcast(None, Bytes::from(protocol::update(&missed)));
                    }
                    _ => {}
                }
                let refused = self
                    .pending
                    .iter()
                    .any(|(_, update)| self.doc.apply(update).is_err());
                if refused {
                    // The document may be inconsistent: start again from storage alone, and let
                    // every writer of the waiting group resync (none of it was stored or relayed).
                    self.pending.clear();
                    let mut writers = std::mem::take(&mut self.pending_from);
                    writers.sort_unstable();
                    writers.dedup();
                    if let Ok((doc, last_seq, unsnapshotted)) =
                        load_doc(self.draft, &self.store).await
                    {
                        self.doc = doc;
                        self.last_seq = last_seq;
                        self.unsnapshotted = unsnapshotted;
                    }
                    for conn in writers {
                        self.kick(conn, close::SERVER_ERROR, "reconnect to resync");
                    }
                }
            }
            Err(error) => {
                tracing::error!(
                    draft = self.draft.0,
                    ?error,
                    "a draft could not be reloaded; closing its room"
                );
                self.pending.clear();
                self.pending_from.clear();
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

    /// Relays a group of stored updates as one message, encoded once and shared by every
    /// connection: everything to those who sent none of it, and to each sender the others' part.
    fn relay(&mut self, updates: &[&[u8]], senders: &[u64]) {
        if updates.is_empty() {
            return;
        }
        let mut writers: Vec<u64> = senders.to_vec();
        writers.sort_unstable();
        writers.dedup();
        let merged = |except: Option<u64>| -> Result<Option<Bytes>, DocError> {
            let part: Vec<&[u8]> = updates
                .iter()
                .enumerate()
                .filter(|(i, _)| except.is_none() || senders.get(*i).copied() != except)
                .map(|(_, u)| *u)
                .collect();
            if part.is_empty() {
                return Ok(None);
            }
            Ok(Some(Bytes::from(protocol::update(&doc::merge(&part)?))))
        };
        let frames = merged(None).and_then(|everything| {
            let for_writers = writers
                .iter()
                .map(|w| Ok((*w, merged(Some(*w))?)))
                .collect::<Result<Vec<_>, DocError>>()?;
            Ok((everything, for_writers))
        });
        let (everything, for_writers) = match frames {
            Ok(frames) => frames,
            Err(error) => {
                // Nobody may silently miss an update: everyone resyncs instead.
                tracing::error!(draft = self.draft.0, %error, "stored updates do not merge");
                let everyone: Vec<u64> = self.conns.keys().copied().collect();
                for conn in everyone {
                    self.kick(conn, close::TRY_AGAIN, "reconnect to resync");
                }
                return;
            }
        };
        let mut slow = Vec::new();
        for (conn, connection) in &self.conns {
            let frame = match for_writers.binary_search_by_key(conn, |(w, _)| *w) {
                Ok(i) => for_writers[i].1.clone(),
                Err(_) => everything.clone(),
            };
            if let Some(frame) = frame
                && connection.out.try_send(Out::Frame(frame)).is_err()
            {
                slow.push(*conn);
            }
        }
        for conn in slow {
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
