//! What several `baraza serve` processes on one PostgreSQL database tell each other, so that the
//! people of one draft or sitting may be connected to different servers.
//!
//! Everything durable travels by reference: a signal says "update 812 of draft 4 is stored" or
//! "sitting 9 changed", and each server reads the data itself from the database, where it was
//! committed before the signal was sent. Only presence (who is here, where their cursor is) travels
//! inline: it is never stored, and the room bounds it (a few hundred bytes, at most 4 KB of state).
//!
//! The carrier is PostgreSQL's LISTEN/NOTIFY on one channel. A signal is text:
//! `<node> <kind> <fields…>`, with the sending server's random node id first so that each server
//! skips its own. Signals are sent in batches by one task (one statement for all waiting
//! signals); stored-update signals of one draft in a batch collapse to the newest. A notification
//! lost with the listening connection is made good by telling every room to catch up from the
//! database when the connection comes back.

use app::ids::{CommentId, DraftId, SittingId};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc;

/// The PostgreSQL channel every server listens on.
pub const CHANNEL: &str = "baraza";
/// Signals waiting to be sent before new ones are dropped (and a catch-up is signalled instead).
const OUTBOX: usize = 16 * 1024;
/// The most signals sent in one statement.
const BATCH: usize = 512;
/// A NOTIFY payload must stay under 8,000 bytes.
const MAX_PAYLOAD: usize = 7_900;

/// Something another server should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The draft's updates up to `seq` are stored.
    DraftStored { draft: DraftId, seq: i64 },
    /// A presence entry changed: `state` is its JSON, `null` when the client left.
    Presence {
        draft: DraftId,
        client: u64,
        clock: u64,
        state: String,
    },
    /// A comment thread of the draft changed.
    ThreadChanged { draft: DraftId, thread: CommentId },
    /// A sitting's state changed.
    SittingChanged { sitting: SittingId },
    /// Who may write somewhere changed: cached answers must be dropped.
    AccessChanged,
    /// Signals may have been lost: every room reads what it missed.
    CatchUp,
}

impl Signal {
    /// The notification text, with the sender's node id first.
    pub fn encode(&self, node: u64) -> String {
        match self {
            Signal::DraftStored { draft, seq } => format!("{node:x} d {} {seq}", draft.0),
            Signal::Presence {
                draft,
                client,
                clock,
                state,
            } => format!("{node:x} p {} {client} {clock} {state}", draft.0),
            Signal::ThreadChanged { draft, thread } => {
                format!("{node:x} t {} {}", draft.0, thread.0)
            }
            Signal::SittingChanged { sitting } => format!("{node:x} s {}", sitting.0),
            Signal::AccessChanged => format!("{node:x} x"),
            Signal::CatchUp => format!("{node:x} c"),
        }
    }

    /// Reads a notification: the sender's node id and the signal, `None` if it is not one of ours.
    pub fn decode(text: &str) -> Option<(u64, Signal)> {
        let mut parts = text.splitn(3, ' ');
        let node = u64::from_str_radix(parts.next()?, 16).ok()?;
        let kind = parts.next()?;
        let rest = parts.next().unwrap_or("");
        let mut fields = rest.split(' ');
        let mut number = || fields.next()?.parse::<i64>().ok();
        let signal = match kind {
            "d" => Signal::DraftStored {
                draft: DraftId(number()?),
                seq: number()?,
            },
            "p" => {
                let mut parts = rest.splitn(4, ' ');
                Signal::Presence {
                    draft: DraftId(parts.next()?.parse().ok()?),
                    client: parts.next()?.parse().ok()?,
                    clock: parts.next()?.parse().ok()?,
                    state: parts.next()?.to_string(),
                }
            }
            "t" => Signal::ThreadChanged {
                draft: DraftId(number()?),
                thread: CommentId(number()?),
            },
            "s" => Signal::SittingChanged {
                sitting: SittingId(number()?),
            },
            "x" => Signal::AccessChanged,
            "c" => Signal::CatchUp,
            _ => return None,
        };
        Some((node, signal))
    }
}

/// What a server does with the signals of the others.
#[async_trait::async_trait]
pub trait Receiver: Send + Sync + 'static {
    async fn receive(&self, signal: Signal);
}

/// The sending side, cheap to clone. On SQLite (one server) it sends nothing.
#[derive(Clone)]
pub struct Bus {
    outbox: Option<mpsc::Sender<Signal>>,
    /// Set when a signal had to be dropped; the sender then tells everyone to catch up.
    overflowed: Arc<AtomicBool>,
}

impl Bus {
    /// A bus for a single server: nobody else to tell.
    pub fn single() -> Bus {
        Bus {
            outbox: None,
            overflowed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Connects to PostgreSQL at `url`: starts the sender, and the listener that hands the other
    /// servers' signals to `receiver`.
    pub async fn postgres(url: &str, receiver: Arc<dyn Receiver>) -> Result<Bus, sqlx::Error> {
        let node: u64 = rand::random::<u64>() | 1;
        let pool = PgPoolOptions::new().max_connections(2).connect(url).await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let (outbox, inbox) = mpsc::channel(OUTBOX);
        let overflowed = Arc::new(AtomicBool::new(false));
        tokio::spawn(send_loop(node, pool, inbox, overflowed.clone()));
        tokio::spawn(listen_loop(node, listener, receiver));
        Ok(Bus {
            outbox: Some(outbox),
            overflowed,
        })
    }

    /// Tells the other servers, without waiting.
    pub fn publish(&self, signal: Signal) {
        if let Some(outbox) = &self.outbox
            && outbox.try_send(signal).is_err()
        {
            self.overflowed.store(true, Ordering::Relaxed);
        }
    }
}

async fn send_loop(
    node: u64,
    pool: PgPool,
    mut inbox: mpsc::Receiver<Signal>,
    overflowed: Arc<AtomicBool>,
) {
    let mut waiting = Vec::with_capacity(BATCH);
    while inbox.recv_many(&mut waiting, BATCH).await > 0 {
        if overflowed.swap(false, Ordering::Relaxed) {
            waiting.push(Signal::CatchUp);
        }
        let payloads = coalesce(node, waiting.drain(..));
        let sent = sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
            .bind(CHANNEL)
            .bind(&payloads)
            .execute(&pool)
            .await;
        if let Err(error) = sent {
            // The others will catch up when the next signal gets through.
            tracing::warn!(%error, "could not signal the other servers");
            overflowed.store(true, Ordering::Relaxed);
        }
    }
}

/// The payloads for a batch: in order, except that only the newest stored-update signal of each
/// draft is kept (a server reading from its last update onwards needs only the newest number).
fn coalesce(node: u64, signals: impl Iterator<Item = Signal>) -> Vec<String> {
    let signals: Vec<Signal> = signals.collect();
    let mut newest: HashMap<DraftId, i64> = HashMap::new();
    for signal in &signals {
        if let Signal::DraftStored { draft, seq } = signal {
            let entry = newest.entry(*draft).or_insert(*seq);
            *entry = (*entry).max(*seq);
        }
    }
    signals
        .into_iter()
        .filter(|signal| match signal {
            Signal::DraftStored { draft, seq } => {
                let last = newest.get(draft) == Some(seq);
                if last {
                    newest.remove(draft);
                }
                last
            }
            _ => true,
        })
        .map(|signal| signal.encode(node))
        .filter(|payload| payload.len() <= MAX_PAYLOAD)
        .collect()
}

async fn listen_loop(node: u64, mut listener: PgListener, receiver: Arc<dyn Receiver>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match Signal::decode(notification.payload()) {
                Some((from, _)) if from == node => {}
                Some((_, signal)) => receiver.receive(signal).await,
                None => tracing::warn!(payload = notification.payload(), "unknown signal"),
            },
            Ok(None) => {
                // The connection dropped and notifications may have been missed; the listener
                // reconnects on the next call.
                tracing::warn!("lost the signal connection to PostgreSQL; catching up");
                receiver.receive(Signal::CatchUp).await;
            }
            Err(error) => {
                tracing::warn!(%error, "the signal connection failed; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                receiver.receive(Signal::CatchUp).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_read_back_as_written() {
        let signals = [
            Signal::DraftStored {
                draft: DraftId(4),
                seq: 812,
            },
            Signal::Presence {
                draft: DraftId(4),
                client: 9_007_199_254_740_991,
                clock: 3,
                state: r#"{"user":{"name":"Amina Njoroge wa Kamau"},"cursor":null}"#.into(),
            },
            Signal::ThreadChanged {
                draft: DraftId(2),
                thread: CommentId(17),
            },
            Signal::SittingChanged {
                sitting: SittingId(5),
            },
            Signal::AccessChanged,
            Signal::CatchUp,
        ];
        for signal in signals {
            assert_eq!(
                Signal::decode(&signal.encode(0xbeef)),
                Some((0xbeef, signal))
            );
        }
        assert_eq!(Signal::decode("zz d 1 2"), None);
        assert_eq!(Signal::decode("1 d 1"), None);
        assert_eq!(Signal::decode("1 q"), None);
    }

    #[test]
    fn a_batch_keeps_only_the_newest_stored_update_of_each_draft() {
        let d = |draft, seq| Signal::DraftStored {
            draft: DraftId(draft),
            seq,
        };
        let payloads = coalesce(
            1,
            vec![d(1, 5), d(2, 3), Signal::AccessChanged, d(1, 7), d(1, 6)].into_iter(),
        );
        assert_eq!(payloads, vec!["1 d 2 3", "1 x", "1 d 1 7"]);
    }
}
