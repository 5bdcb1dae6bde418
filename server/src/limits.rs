//! Who a request comes from, and how many live connections (draft websockets, sitting channels,
//! comment event streams) one client may hold at once.
//!
//! Each live connection costs memory for as long as it is open, so one client opening thousands
//! could starve everyone else. The cap is per network address, like the sign-in throttle, and
//! generous for the same reason: a town hall's public wifi puts a whole hearing behind one
//! address, each person with a draft, its comments and the sitting open.

use crate::state::AppState;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The default number of live connections one client may hold at once.
pub const DEFAULT_CONNECTIONS_PER_CLIENT: usize = 1000;

/// The address a request came from, for the throttles and the connection cap: the peer, or the
/// last `X-Forwarded-For` entry when a trusted proxy sets it. IPv6 addresses count by their /64
/// network, which one household or device usually holds whole.
pub fn client_address(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let forwarded = state
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    match forwarded.or(peer.map(|p| p.ip())) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(v4) => v4.to_string(),
        None => "unknown".to_string(),
    }
}

/// [`client_address`] of a request's parts.
pub fn client_of(state: &AppState, parts: &Parts) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    client_address(state, &parts.headers, peer)
}

/// Open live connections per client.
#[derive(Debug)]
pub struct ConnectionLimits {
    per_client: usize,
    open: Mutex<HashMap<String, usize>>,
    total: AtomicUsize,
}

/// One open live connection; dropping it (when the connection ends) frees its place.
#[derive(Debug)]
pub struct ConnectionPermit {
    limits: Arc<ConnectionLimits>,
    client: String,
}

impl ConnectionLimits {
    /// Limits of `per_client` connections per client.
    pub fn new(per_client: usize) -> Arc<ConnectionLimits> {
        Arc::new(ConnectionLimits {
            per_client,
            open: Mutex::new(HashMap::new()),
            total: AtomicUsize::new(0),
        })
    }

    /// A place for one more connection from `client`, or `None` when it holds its share.
    pub fn acquire(self: &Arc<Self>, client: &str) -> Option<ConnectionPermit> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(client.to_string()).or_insert(0);
        if *count >= self.per_client {
            return None;
        }
        *count += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(ConnectionPermit {
            limits: self.clone(),
            client: client.to_string(),
        })
    }

    /// How many live connections are open, from every client.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    /// How many connections `client` holds now.
    pub fn open(&self, client: &str) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(client).copied().unwrap_or(0)
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            self.limits.total.fetch_sub(1, Ordering::Relaxed);
            if *count == 0 {
                // Forget the client entirely, so that the map does not grow with every address
                // that ever connected.
                open.remove(&self.client);
            }
        }
    }
}

/// A place for one more live connection from the client at `peer`; `None` when it holds its
/// share (answer [`too_many_connections`]).
pub fn admit(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> Option<ConnectionPermit> {
    state
        .connections
        .acquire(&client_address(state, headers, Some(peer)))
}

/// The answer to one connection too many: 429, with when to try again.
pub fn too_many_connections() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from_static("30"))],
        "too many live connections from your address; close some tabs, or try again shortly",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_its_share_and_a_closed_connection_frees_its_place() {
        let limits = ConnectionLimits::new(2);
        let first = limits.acquire("10.0.0.1").unwrap();
        let _second = limits.acquire("10.0.0.1").unwrap();
        assert!(limits.acquire("10.0.0.1").is_none());
        // Another client is not affected.
        assert!(limits.acquire("10.0.0.2").is_some());
        assert_eq!(limits.total(), 2);
        drop(first);
        assert_eq!(limits.open("10.0.0.1"), 1);
        assert_eq!(limits.total(), 1);
        assert!(limits.acquire("10.0.0.1").is_some());
    }

    #[test]
    fn clients_that_left_are_forgotten() {
        let limits = ConnectionLimits::new(5);
        drop(limits.acquire("10.0.0.3").unwrap());
        assert!(limits.open.lock().unwrap().is_empty());
    }
}
