//! The Baraza server: HTTP routes, sign-in sessions and storage. `main.rs` only parses the
//! command line; everything else is here, so that tests can start the real server on port 0.

pub mod activity_feed;
pub mod api_v1;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod collab;
pub mod config;
pub mod db;
pub mod demo;
pub mod feeds;
pub mod form_body;
pub mod forms;
pub mod limits;
pub mod live;
pub mod mail;
pub mod memory;
pub mod notices;
pub mod recovery;
pub mod security;
pub mod sessions;
pub mod state;
pub mod store;
pub mod web;

use app::ssr::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::OriginalUri;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use leptos::config::LeptosOptions;
use leptos_axum::LeptosRoutes;
use state::AppState;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The largest request body accepted (a process form in several languages fits easily).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How long a sign-in session lasts without use.
pub const SESSION_IDLE_DAYS: i64 = 14;

/// Where Leptos finds the built site (`pkg/baraza.wasm`, `pkg/baraza.js`, `pkg/baraza.css`).
pub fn leptos_options(site_root: &Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("baraza")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .build()
}

/// The sitting page's route (also its `.ics`, see [`calendar`]).
const SITTING_PAGE: &str = "/processes/{id}/sittings/{sitting}";

/// Every route of the site.
pub fn router(state: AppState) -> Router {
    let secure_cookies = state
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"));
    let sessions = SessionManagerLayer::new(sessions::DbSessionStore::new(state.store.clone()))
        .with_name("baraza_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(
            SESSION_IDLE_DAYS,
        )));
    let pkg = Router::new()
        .fallback_service(
            // scripts/build-site writes each bundle compressed with Brotli and gzip beside it: no
            // compressing the 2 MB of WebAssembly again on every request, and the smaller Brotli.
            ServeDir::new(Path::new(&*state.leptos.site_root).join(&*state.leptos.site_pkg_dir))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::map_response(
            |OriginalUri(uri): OriginalUri, mut response: Response| async move {
                // A missing file may appear with the next build: never keep its 404.
                let found =
                    response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
                let policy = if found {
                    cache_control(uri.path())
                } else {
                    "no-cache"
                };
                let headers = response.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
                // The body depends on what the browser accepts (Brotli, gzip or neither): a shared
                // cache that keeps a file for a year must keep one copy per encoding.
                headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                response
            },
        ));
    // A sitting's page shares its route with its calendar entry (`{sitting}.ics`), whose handler
    // renders the page for every other value.
    let pages: Vec<_> = leptos_axum::generate_route_list(app::app::App)
        .into_iter()
        .filter(|route| route.path() != SITTING_PAGE)
        .collect();
    Router::<AppState>::new()
        .leptos_routes_with_handler(pages, web::page)
        .route("/auth/login", post(forms::login))
        .route("/auth/signup", post(forms::signup))
        .route("/auth/logout", post(forms::logout))
        .route("/auth/reset", post(recovery::request))
        .route("/auth/reset/{token}", post(recovery::finish))
        .route("/auth/verify/{token}", post(recovery::verify))
        .route("/follows", post(notices::follow))
        .route("/notifications/preferences", post(notices::preferences))
        .route("/unsubscribe/{token}", post(notices::unsubscribe))
        .route("/language", post(forms::language))
        .route("/account", post(forms::account))
        .route("/organisations/new", post(forms::register_organisation))
        .route("/organisations/{id}", post(forms::organisation))
        .route("/admin", post(forms::admin))
        .route("/admin/processes/new", post(forms::new_process))
        .route("/admin/processes/{id}", post(forms::edit_process))
        .route(
            "/processes/{id}/manage",
            // A new draft may start from a Word document: room for the file and the form.
            post(forms::manage_process).layer(DefaultBodyLimit::max(
                app::domain::document::import::MAX_FILE_BYTES + MAX_BODY_BYTES,
            )),
        )
        .route("/processes/{id}/drafts/{draft}", post(forms::draft))
        .route(
            "/processes/{id}/drafts/{draft}/threads/{thread}",
            post(forms::thread),
        )
        .route("/processes/{id}/moderation", post(forms::moderation))
        .route(
            "/processes/{id}/sittings/new",
            post(forms::schedule_sitting),
        )
        .route(
            SITTING_PAGE,
            get(calendar::sitting_page_or_entry).post(forms::sitting),
        )
        .route("/processes/{id}/calendar.ics", get(calendar::process))
        .route("/processes/{id}/activity.atom", get(activity_feed::process))
        .route(
            "/processes/{id}/decisions/{decision}",
            post(forms::decision),
        )
        .route("/budgets/new", post(forms::new_budget))
        .route("/budgets/{id}/propose", post(forms::propose))
        .route(
            "/budgets/{id}/projects/{project}",
            post(forms::budget_project),
        )
        .route(
            "/budgets/{id}/projects/{project}/threads/{thread}",
            post(forms::project_thread),
        )
        .route("/budgets/{id}/manage", post(forms::manage_budget))
        .route("/budgets/{id}/vote", post(forms::vote))
        .route(
            "/budgets/{id}/eligibility",
            // A census list may come as a file: room for a city's.
            post(forms::eligibility).layer(DefaultBodyLimit::max(
                app::api::ballots::MAX_CENSUS_BYTES + MAX_BODY_BYTES,
            )),
        )
        .route("/decisions.atom", get(feeds::site))
        .route("/processes/{id}/decisions.atom", get(feeds::process))
        .route("/collab/drafts/{id}", get(live::drafts::connect))
        .route("/live/drafts/{id}/comments", get(live::comments::comments))
        .route("/live/sittings/{id}", get(live::sittings::connect))
        .route("/healthz", get(api_v1::health))
        .route("/api/v1/processes", get(api_v1::processes))
        .route("/api/v1/processes/{id}", get(api_v1::process))
        .route("/api/v1/drafts/{id}", get(api_v1::draft))
        .route("/api/v1/drafts/{id}/writers", get(api_v1::writers))
        .route(
            "/api/v1/drafts/{id}/versions/{number}",
            get(api_v1::version),
        )
        .route(
            "/api/v1/drafts/{id}/versions/{number}/export",
            get(api_v1::export),
        )
        .route("/api/v1/drafts/{id}/comments", get(api_v1::comments))
        .route("/api/v1/sittings/{id}", get(api_v1::sitting))
        .route("/api/v1/decisions/{id}", get(api_v1::decision))
        .route(
            "/api/v1/decisions/{id}/dispositions.csv",
            get(api_v1::dispositions_csv),
        )
        .route("/api/v1/record", get(api_v1::record))
        .route(
            "/api/v1/processes/{id}/moderation-log",
            get(api_v1::moderation_log),
        )
        .route("/api/v1/budgets", get(api_v1::budgets))
        .route("/api/v1/budgets/{id}", get(api_v1::budget))
        .route("/api/v1/budgets/{id}/ballots", get(api_v1::ballots))
        .route(
            "/api/v1/budgets/{id}/projects/{project}/comments",
            get(api_v1::project_comments),
        )
        // `{area}.pb`: the handler strips the extension.
        .route("/api/v1/budgets/{id}/areas/{file}", get(api_v1::pabulib))
        .nest("/pkg", pkg)
        .fallback(web::page)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::same_origin_only,
        ))
        .layer(sessions)
        .layer(middleware::from_fn(security::security_headers))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Many readers pay for every kilobyte: pages go gzipped (the bundles are compressed at
        // build time, and left as they are here).
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(security::request_span))
        .with_state(state)
}

/// How long a browser may keep a file of `/pkg/`: a file named after its content
/// (`baraza.<hash>.wasm`, see `scripts/build-site`) never changes, so for a year without asking;
/// any other (the editor's files under their documented plain names) is checked on every use
/// (a `304` when unchanged).
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let _extension = parts.next();
    let hash = parts.next().unwrap_or_default();
    let versioned = parts.next().is_some_and(|stem| !stem.is_empty())
        && hash.len() == HASH_LENGTH
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// The length of the content hash in a versioned file's name (hex digits; `scripts/build-site`).
pub const HASH_LENGTH: usize = 16;

/// The listener with Nagle's algorithm off on every accepted connection. axum 0.8's `serve` no
/// longer sets `TCP_NODELAY`, and with it on a keystroke relayed to 200 readers reached the last
/// of them after 19.7 ms at the median instead of 2.8 ms (Node's `ws` sets it too): small frames
/// waited for the previous one's acknowledgement.
pub fn without_delay(
    listener: TcpListener,
) -> axum::serve::TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    fn no_delay(stream: &mut tokio::net::TcpStream) {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
        }
    }
    listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream))
}

/// What starting a server needs.
#[derive(Clone, Debug)]
pub struct Launch {
    pub addr: SocketAddr,
    pub database_url: String,
    pub demo: bool,
    pub public_origin: Option<String>,
    pub trust_forwarded_for: bool,
    /// Live connections one client address may hold at once (`limits`).
    pub max_connections_per_client: usize,
    pub site_root: std::path::PathBuf,
    /// The SMTP relay (`None`: mail is kept in the outbox).
    pub smtp_url: Option<url::Url>,
    /// The sender of every mail (`None`: `Baraza <baraza@HOST>`).
    pub mail_from: Option<String>,
    /// The wait before the first retry of a mail the relay did not take.
    pub mail_retry: std::time::Duration,
    /// Whether people whose address is not confirmed may post.
    pub unverified_may_post: bool,
    /// How long a comment may wait for moderation before moderators are told.
    pub moderation_wait: std::time::Duration,
}

/// A running server.
pub struct Running {
    /// The address it listens on (the real port when asked for port 0).
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    /// The database pool, for tests that inspect tables directly.
    pub db: db::Db,
    /// Whether the demo content was loaded by this start.
    pub demo_loaded: bool,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    mail: JoinHandle<()>,
    digests: JoinHandle<()>,
}

impl Running {
    /// Stops accepting connections, finishes the requests in flight, and waits.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.mail.abort();
        self.digests.abort();
    }

    /// Waits until the server stops (after `signal` resolves).
    pub async fn until(self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        signal.await;
        let _ = self.stop.send(());
        let served = self.task.await.unwrap_or(Ok(()));
        // A mail being sent now is claimed; its lease ends and another start sends it.
        self.mail.abort();
        // A digest is written in one transaction: stopped half way, it is written next time.
        self.digests.abort();
        served
    }
}

/// Opens and migrates the database, loads the demo if asked and the database is empty, and starts serving.
pub async fn launch(launch: Launch) -> Result<Running, Box<dyn std::error::Error + Send + Sync>> {
    let db = db::connect(&launch.database_url).await?;
    db::migrate(&db).await?;
    store::names::backfill(&db.pool)
        .await
        .map_err(|e| format!("filling in name keys failed: {e}"))?;
    let local: url::Url = "http://localhost".parse().expect("a URL");
    let public_url = match &launch.public_origin {
        Some(origin) => origin
            .parse::<url::Url>()
            .map_err(|e| format!("the public URL {origin} is not a URL: {e}"))?,
        None => local,
    };
    let mail_settings = mail::MailSettings::new(
        launch.smtp_url.as_ref(),
        launch.mail_from.as_deref(),
        &public_url,
        launch.mail_retry,
    )?;
    // Bound before the store is made: mail links need the address when no public URL is set.
    let listener = TcpListener::bind(launch.addr).await?;
    let addr = listener.local_addr()?;
    let site_url: Arc<str> = launch
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .into();
    let sql_store = store::SqlStore::new(&db)
        .with_mail_domain(&mail_settings.domain())
        .with_site_url(&site_url);
    let store: Arc<dyn Store> = Arc::new(sql_store.clone());
    collab::legacy::structure_legacy_drafts(&store, clock::now_millis())
        .await
        .map_err(|e| format!("giving old drafts their structure failed: {e}"))?;
    let mut demo_loaded = false;
    if launch.demo {
        if store.is_empty().await.map_err(|e| format!("{e}"))? {
            demo::load(store.as_ref(), clock::now_millis())
                .await
                .map_err(|e| format!("loading the demo failed: {e}"))?;
            let queue_wait = i64::try_from(launch.moderation_wait.as_millis()).unwrap_or(i64::MAX);
            sql_store
                .settle_loaded_history(clock::now_millis(), queue_wait)
                .await
                .map_err(|e| format!("settling the demo's notices failed: {e}"))?;
            demo_loaded = true;
            tracing::info!("demo content loaded");
        } else {
            tracing::info!("the database already has data; the demo content was not loaded");
        }
    }
    let assets = app::assets::Assets::install(&launch.site_root);
    let bundle = launch
        .site_root
        .join("pkg")
        .join(assets.name("baraza.wasm"));
    if !bundle.exists() {
        tracing::warn!(site_root = %launch.site_root.display(), "no built site found: pages work, islands will not hydrate (run scripts/build-site)");
    }
    let hub = collab::hub::Hub::new(store.clone());
    if db.backend == db::Backend::Postgres {
        // Other servers may share this database: hear what they change, tell them what we change.
        let bus = collab::bus::Bus::postgres(&launch.database_url, hub.signal_receiver()).await?;
        hub.attach_bus(bus);
    }
    let mail_relay = mail_settings
        .relay
        .as_ref()
        .map(|relay| Arc::<str>::from(relay.name.as_str()));
    let server_name = format!(
        "{}-{}",
        std::process::id(),
        app::domain::hex::encode(&rand::random::<[u8; 6]>())
    );
    let digests = mail::schedule::spawn(sql_store.clone(), launch.moderation_wait);
    let mail = mail::worker::spawn(sql_store, mail_settings, server_name);
    let state = AppState {
        site_url,
        mail_relay,
        unverified_may_post: launch.unverified_may_post,
        store: store.clone(),
        live: Arc::new(hub.clone()),
        hub,
        leptos: leptos_options(&launch.site_root),
        public_origin: launch.public_origin.clone(),
        trust_forwarded_for: launch.trust_forwarded_for,
        connections: limits::ConnectionLimits::new(launch.max_connections_per_client),
    };
    memory::spawn_trimmer(state.connections.clone());
    let app = router(state);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            without_delay(listener),
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        })
        .await
    });
    let purge_store = store.clone();
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let now = clock::now_millis();
            if let (Ok(sessions), Ok(throttles)) = (
                purge_store.session_purge(now).await,
                purge_store.throttle_purge(now).await,
            ) {
                tracing::debug!(
                    sessions,
                    throttles,
                    "expired sessions and throttle entries deleted"
                );
            }
        }
    });
    Ok(Running {
        addr,
        store,
        db,
        demo_loaded,
        stop,
        task,
        mail,
        digests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;

    #[test]
    fn only_files_named_after_their_content_are_kept_for_a_year() {
        let year = "public, max-age=31536000, immutable";
        assert_eq!(cache_control("/pkg/baraza.0123456789abcdef.wasm"), year);
        assert_eq!(cache_control("/baraza.0123456789abcdef.js.br"), "no-cache");
        assert_eq!(cache_control("/quill.0123456789abcdef.css"), year);
        for checked in [
            "/pkg/baraza.wasm",
            "/editor.js",
            "/baraza.0123456789ABCDEF.js",
            "/baraza.0123456789abcde.js",
            "/baraza.0123456789abcdefg.js",
            "/.0123456789abcdef.js",
            "/0123456789abcdef.js",
            "/",
        ] {
            assert_eq!(cache_control(checked), "no-cache", "{checked}");
        }
    }

    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = without_delay(listener);
        let _client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(
            accepted.nodelay().unwrap(),
            "TCP_NODELAY on the accepted socket"
        );
    }
}
