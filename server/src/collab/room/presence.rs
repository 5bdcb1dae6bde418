//! Presence in a room: who is here and where their cursor is, as y-protocols' awareness carries
//! it. What a connection may claim is the server's to say: a peer's presence shows the identity
//! the server knows (name, organisation, stakeholder group), never what a client claims; presence
//! from another server is kept until it is not renewed for [`REMOTE_PRESENCE_TTL`].

use super::Room;
use crate::collab::bus::Signal;
use crate::collab::hub::close;
use crate::collab::protocol;
use crate::collab::validate;
use axum::body::Bytes;
use std::time::{Duration, Instant};

/// Presence from another server that is not renewed for this long is forgotten (clients renew
/// theirs every 15 s; a server that died cannot say its clients left).
pub const REMOTE_PRESENCE_TTL: Duration = Duration::from_secs(30);

/// One client's presence entry.
pub(super) struct Presence {
    /// The connection here that owns the entry; `None` for a client of another server.
    pub(super) conn: Option<u64>,
    pub(super) clock: u64,
    pub(super) state: String,
    pub(super) renewed: Instant,
}

impl Room {
    pub(super) fn awareness(&mut self, conn: u64, update: &[u8]) {
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
    pub(super) fn publish_presence(&self, clients: &[u64]) {
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
    pub(super) fn remote_presence(&mut self, client: u64, clock: u64, state: String) {
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
    pub(super) fn forget_stale_presence(&mut self) {
        self.presence
            .retain(|_, p| p.conn.is_some() || p.renewed.elapsed() < REMOTE_PRESENCE_TTL);
    }

    pub(super) fn encode_presence(&self, clients: Vec<u64>) -> Bytes {
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
}
