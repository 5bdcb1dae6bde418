//! A room: the one task that owns a live draft — its yrs document, who is connected, and their
//! presence (`presence`). Connections talk to it by message (`hub`), so the document is never
//! shared between threads and every decision about it is taken in one place.
//!
//! For each update the room: validates the bytes (`validate`), checks that this connection may
//! write now (the answer is cached for [`ACCESS_TTL`] within one access generation: any change of
//! who may write ends it at once), checks that every new struct is under a client id bound to this
//! connection's person and organisation, applies it with panics contained (`doc`), stores what was
//! applied, and only then relays it. Updates that arrive while the previous group is being
//! committed are stored together in the next group (group commit): one commit for many updates
//! keeps every relayed update durable without one fsync each. A room with nobody connected
//! compacts its updates into a snapshot and unloads after [`IDLE_UNLOAD`].
//!
//! Several servers may serve one draft (PostgreSQL): each keeps its own room, numbers its groups
//! after the last stored update it knows, and signals what it stored (`bus`). A server whose
//! number was taken reads what it missed, then numbers again; the others read each stored update
//! when signalled. Presence travels between servers in the signals themselves.

mod presence;

use super::bus::{Bus, Signal};
use super::doc::{self, DocError, DraftDoc, ROOTS};
use super::hub::{Inner, Out, Peer, close};
use super::protocol::{self, Message};
use super::validate;
use app::domain::comments::{locate_quote, utf16_slice};
use app::error::{AppError, AppResult};
use app::i18n::Lang;
use app::ids::DraftId;
use app::model::{Actor, Anchor, LiveText, Location};
use app::ssr::Store;
use axum::body::Bytes;
use presence::Presence;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

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

/// The longest hex text accepted as one sticky position.
const MAX_ANCHOR_HEX: usize = 256;

/// What a room is asked to do.
pub(super) enum Command {
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

struct Connection {
    peer: Peer,
    out: mpsc::Sender<Out>,
    kick: Option<oneshot::Sender<(u16, String)>>,
    /// The last answer to "may this connection write?", when it was given and in which access
    /// generation.
    write: Option<(u64, Instant, Result<(), app::i18n::Msg>)>,
    told_read_only: bool,
}

/// A live draft's state, owned by its room's task.
pub(super) struct Room {
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
    /// The hub's access generation ([`Inner::access`]).
    access: Arc<AtomicU64>,
    conns: HashMap<u64, Connection>,
    bindings: HashMap<u64, Actor>,
    presence: HashMap<u64, Presence>,
}

/// A stored document: its latest snapshot and every update after it, read in pages of
/// [`LOAD_PAGE`] and applied as they come. Returns the document, the number of the last update in
/// it, and how many updates came after the snapshot. If another server compacts meanwhile (the
/// updates after the snapshot no longer follow on, or the snapshot changed), it starts again.
pub(in crate::collab) async fn load_doc(
    draft: DraftId,
    store: &Arc<dyn Store>,
) -> AppResult<(DraftDoc, i64, u64)> {
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
    access: Arc<AtomicU64>,
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
        access,
        conns: HashMap::new(),
        bindings,
        presence: HashMap::new(),
    })
}

/// Runs a draft's room until nobody has used it for [`IDLE_UNLOAD`].
pub(super) async fn run_room(
    draft: DraftId,
    store: Arc<dyn Store>,
    bus: Bus,
    mut rx: mpsc::Receiver<Command>,
    behind: Arc<AtomicBool>,
    hub: Weak<Inner>,
) {
    let access = match hub.upgrade() {
        Some(inner) => inner.access.clone(),
        None => return,
    };
    let mut room = match load(draft, &store, bus, behind, access).await {
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
            Message::Auth(_) => {}
        }
    }

    /// Whether the connection may write now, with the reason when not.
    async fn may_write(&mut self, conn: u64) -> Result<(), app::i18n::Msg> {
        let Some(connection) = self.conns.get(&conn) else {
            return Err(app::i18n::Msg::ErrorNotAllowed);
        };
        let generation = self.access.load(Ordering::Acquire);
        if let Some((given, checked, answer)) = &connection.write
            && *given == generation
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
            connection.write = Some((generation, Instant::now(), answer.clone()));
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
            let now = crate::clock::now_millis();
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

    /// Whether the text has a client whose author this room has not read yet.
    fn has_unbound_clients(&self) -> bool {
        self.doc
            .clients()
            .iter()
            .any(|client| !self.bindings.contains_key(client))
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
        let runs = self
            .doc
            .read(|body, txn| app::domain::document::yjs::runs(body, txn))
            .map_err(|_| AppError::Internal)?;
        Ok(LiveText {
            text: self.doc.text(),
            runs,
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
                let now = crate::clock::now_millis();
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
