//! What every request handler shares.

use crate::collab::hub::Hub;
use app::ssr::{Live, Store};
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// The server's shared state.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The live drafts.
    pub hub: Hub,
    /// The same hub, as the application sees it.
    pub live: Arc<dyn Live>,
    pub leptos: LeptosOptions,
    /// The site's public origin (`https://host[:port]`); `None` trusts the request's Host header.
    pub public_origin: Option<String>,
    /// Whether a reverse proxy in front sets `X-Forwarded-For` (then its last entry is the client).
    pub trust_forwarded_for: bool,
    /// Live connections per client (`limits`).
    pub connections: Arc<crate::limits::ConnectionLimits>,
    /// The site's public URL without a trailing slash, for links in mail (`--public-url`, else
    /// the listening address).
    pub site_url: Arc<str>,
    /// The SMTP relay's `host:port`, or `None` when mail is kept in the outbox.
    pub mail_relay: Option<Arc<str>>,
    /// Whether people whose address is not confirmed may post (`--unverified-may-post`).
    pub unverified_may_post: bool,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos.clone()
    }
}
