//! The collaboration hub: the registry of live drafts' rooms (`room`), and the one place where
//! committed changes reach the live system ([`Publish`]): the rooms, the comment threads' channel
//! (`threads`), the sittings' channels (`sitting_channels`) and, through the bus, the other
//! servers, whose signals it hands on the same way.

use super::bus::{Bus, Signal};
use super::room::{Command, run_room};
use super::sitting_channels::SittingChannels;
use super::threads::ThreadChanges;
use app::error::{AppError, AppResult};
use app::ids::{CommentId, DraftId, SittingId};
use app::model::{Actor, Anchor, LiveText, Location};
use app::ssr::changes::{Change, Publish};
use app::ssr::{Live, Store};
use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Messages waiting for one connection before it counts as too slow and is disconnected.
pub const CONNECTION_QUEUE: usize = 512;
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

/// A running room, as the hub holds it.
pub(super) struct RoomHandle {
    commands: mpsc::Sender<Command>,
    /// Set when another server stored updates of this draft; the room reads them as soon as it
    /// is free (set even when its queue is full, so the signal is never lost).
    behind: Arc<AtomicBool>,
}

pub(super) struct Inner {
    store: Arc<dyn Store>,
    pub(super) rooms: Mutex<HashMap<DraftId, RoomHandle>>,
    /// The other servers, when there are any (PostgreSQL).
    bus: OnceLock<Bus>,
    next_conn: AtomicU64,
    /// Moves whenever who may write may have changed; a connection's cached answer holds only
    /// for the generation it was given in.
    pub(super) access: Arc<AtomicU64>,
    pub(super) threads: ThreadChanges,
    /// Each live sitting's new state, to every viewer connected here (each connection publishes
    /// it for its viewer).
    pub(super) sittings: SittingChannels,
}

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
                access: Arc::new(AtomicU64::new(0)),
                threads: ThreadChanges::default(),
                sittings: SittingChannels::default(),
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
        self.inner.sittings.channel(id)
    }

    /// Publishes a sitting's new state to its viewers here and signals the other servers.
    pub fn sitting_changed(&self, sitting: Arc<app::model::Sitting>) {
        let id = sitting.id;
        self.inner.sittings.changed(sitting);
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
}

/// The one place committed changes reach the live system here and on the other servers.
impl Publish for Hub {
    fn publish(&self, changes: &[Change]) {
        let mut access_told = false;
        for change in changes {
            match change {
                Change::DraftAccess if !access_told => {
                    access_told = true;
                    self.inner.access_changed();
                    self.bus().publish(Signal::AccessChanged);
                }
                Change::DraftAccess => {}
                Change::Thread { draft, thread } => {
                    self.inner.threads.changed(*draft, *thread);
                    self.bus().publish(Signal::ThreadChanged {
                        draft: *draft,
                        thread: *thread,
                    });
                }
                Change::Sitting(sitting) => self.sitting_changed(sitting.clone()),
            }
        }
    }
}

impl Inner {
    fn bus(&self) -> Bus {
        self.bus.get().cloned().unwrap_or_else(Bus::single)
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

    /// Who may write may have changed: every connection's answer is stale from now on (the
    /// generation moves before this returns, so the next update anywhere is checked again), and
    /// every room drops its cached answers.
    fn access_changed(&self) {
        self.access.fetch_add(1, Ordering::AcqRel);
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
                inner.threads.changed(draft, thread);
            }
            Signal::SittingChanged { sitting } => {
                if !inner.sittings.watched(sitting) {
                    return;
                }
                // Read in signal order, so a viewer never sees an older state after a newer one.
                match inner.store.sitting(sitting).await {
                    Ok(Some(state)) => inner.sittings.changed(Arc::new(state)),
                    Ok(None) => {}
                    Err(error) => tracing::warn!(?error, "could not read a changed sitting"),
                }
            }
            Signal::AccessChanged => inner.access_changed(),
        }
    }
}
