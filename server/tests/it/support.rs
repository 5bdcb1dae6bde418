//! The test harness: a real Baraza server on port 0 over a fresh database of either kind, and
//! HTTP clients signed in as the demo accounts.

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use server::{Launch, Running};
use sqlx::{AnyPool, Column, Row};
use std::sync::atomic::{AtomicU32, Ordering};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::support::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::support::Backend::Postgres).await
            }
        }
    };
}

/// A throwaway database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A new, empty database. PostgreSQL tests need `BARAZA_TEST_POSTGRES_URL` (a URL of a role
    /// that may create databases); the README's test command starts a server and sets it.
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}/baraza.db", dir.path().display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let admin = std::env::var("BARAZA_TEST_POSTGRES_URL").expect(
                    "BARAZA_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts PostgreSQL",
                );
                let name = format!(
                    "baraza_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    rand::random::<u32>()
                );
                sqlx::any::install_default_drivers();
                let pool = AnyPool::connect(&admin)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("create test database");
                pool.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .unwrap_or(&admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    postgres: Some((admin, name)),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // Drop runs outside any async context we can await in: use a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let pool = AnyPool::connect(&admin).await.ok()?;
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&pool)
                    .await;
                    pool.close().await;
                    Some(())
                })
            })
            .join();
        }
    }
}

/// A running Baraza with the demo content.
pub struct TestApp {
    pub base: String,
    pub running: Option<Running>,
    /// Kept for its lifetime: dropping it deletes the database.
    _db: TestDb,
    launch: Launch,
}

impl TestApp {
    /// Starts a server with the demo content on a fresh database.
    pub async fn start(backend: Backend) -> TestApp {
        TestApp::start_with(backend, true).await
    }

    /// Starts a server, with or without the demo.
    pub async fn start_with(backend: Backend, demo: bool) -> TestApp {
        TestApp::start_launch(backend, demo, |_| {}).await
    }

    /// Starts a server with the demo, its launch settings changed by `configure`.
    pub async fn start_configured(
        backend: Backend,
        configure: impl FnOnce(&mut Launch),
    ) -> TestApp {
        TestApp::start_launch(backend, true, configure).await
    }

    async fn start_launch(
        backend: Backend,
        demo: bool,
        configure: impl FnOnce(&mut Launch),
    ) -> TestApp {
        let db = TestDb::new(backend).await;
        let mut launch = Launch {
            addr: "127.0.0.1:0".parse().expect("address"),
            database_url: db.url.clone(),
            demo,
            public_origin: None,
            trust_forwarded_for: false,
            max_connections_per_client: server::limits::DEFAULT_CONNECTIONS_PER_CLIENT,
            site_root: std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/site"
            )),
            smtp_url: None,
            mail_from: None,
            mail_retry: std::time::Duration::from_secs(60),
            moderation_wait: std::time::Duration::from_secs(24 * 3600),
            unverified_may_post: false,
        };
        configure(&mut launch);
        let running = server::launch(launch.clone()).await.expect("server starts");
        TestApp {
            base: format!("http://{}", running.addr),
            running: Some(running),
            _db: db,
            launch,
        }
    }

    /// Stops the server and starts it again on the same database (and a new port).
    pub async fn restart(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
        let running = server::launch(self.launch.clone())
            .await
            .expect("server restarts");
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    /// The database's URL, for commands run against it.
    pub fn database_url(&self) -> String {
        self.launch.database_url.clone()
    }

    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The pool, to inspect tables directly.
    pub fn pool(&self) -> &AnyPool {
        &self.running.as_ref().expect("running").db.pool
    }

    /// A client that keeps cookies and does not follow redirects (so tests see each 303).
    pub fn client() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// A client signed in as a demo account.
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = TestApp::client();
        let response = client
            .post(self.url("/auth/login"))
            .form(&[
                ("email", email),
                ("password", server::demo::DEMO_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "signing in as {email}"
        );
        client
    }

    /// The session cookie (`name=value`) of a demo account, for websocket clients.
    pub async fn cookie(&self, email: &str) -> String {
        cookie_at(&self.base, email).await
    }

    /// The id of a demo draft whose title contains `fragment`.
    pub async fn draft_id(&self, fragment: &str) -> i64 {
        self.id_named("SELECT id, title FROM drafts ORDER BY id", fragment)
            .await
    }

    /// The id of the first row of `query` (id, name) whose name contains `fragment`.
    async fn id_named(&self, query: &'static str, fragment: &str) -> i64 {
        let rows: Vec<(i64, String)> = sqlx::query_as(query)
            .fetch_all(self.pool())
            .await
            .expect("rows");
        rows.into_iter()
            .find(|(_, name)| name.contains(fragment))
            .map(|(id, _)| id)
            .unwrap_or_else(|| panic!("nothing named like {fragment} in: {query}"))
    }

    /// An open-data document, as anyone would fetch it.
    pub async fn json(&self, path: &str) -> serde_json::Value {
        TestApp::client()
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    /// How many updates a draft has stored.
    pub async fn stored_updates(&self, draft: i64) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM draft_updates WHERE draft_id = $1")
            .bind(draft)
            .fetch_one(self.pool())
            .await
            .expect("count")
    }

    /// Every row of every table that holds the deliberation's state (not sessions or the
    /// sign-in throttle), as text: equal snapshots mean nothing changed.
    pub async fn snapshot(&self) -> String {
        let mut out = String::new();
        for table in [
            "people",
            "person_name_keys",
            "organisations",
            "organisation_names",
            "memberships",
            "processes",
            "process_phases",
            "process_organisations",
            "process_people",
            "process_events",
            "drafts",
            "draft_clients",
            "legacy_plain_drafts",
            "draft_versions",
            "comments",
            "comment_revisions",
            "comment_reports",
            "comment_bars",
            "comment_appeals",
            "moderation_log",
            "sittings",
            "sitting_items",
            "sitting_invitations",
            "sitting_note_takers",
            "rules_acceptances",
            "decisions",
            "decision_answers",
            "decision_dispositions",
            "decision_votes",
            "decision_updates",
            "budgets",
            "budget_areas",
            "budget_staff",
            "budget_projects",
            "budget_project_updates",
            "budget_census",
            "budget_codes",
            "budget_voters",
            "budget_ballots",
            "public_record",
            "record_head",
            "password_resets",
            "outbox",
        ] {
            // The delivery worker changes a mail's state on its own time: what a request wrote is
            // the mail itself.
            let columns = match table {
                "outbox" => "id, message_id, kind, to_address, subject, body_text",
                _ => "*",
            };
            // Ordered by every column there is (a table may have only one).
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {columns} FROM {table} ORDER BY 1"
            )))
            .fetch_all(self.pool())
            .await
            .expect("read table");
            out.push_str(&format!("# {table}\n"));
            let mut lines = Vec::with_capacity(rows.len());
            for row in rows {
                let cells: Vec<String> = (0..row.columns().len())
                    .map(|i| {
                        row.try_get::<Option<i64>, _>(i)
                            .map(|v| format!("{v:?}"))
                            .or_else(|_| {
                                row.try_get::<Option<String>, _>(i)
                                    .map(|v| format!("{v:?}"))
                            })
                            .unwrap_or_else(|_| format!("<{}>", row.column(i).name()))
                    })
                    .collect();
                lines.push(cells.join(" | "));
            }
            // Rows sharing a first column come back in any order: compare them sorted.
            lines.sort();
            for line in lines {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    /// The id of the demo process in `phase` (a phase code), from the open-data API.
    pub async fn process_in(&self, phase: &str) -> i64 {
        let list: serde_json::Value = TestApp::client()
            .get(self.url("/api/v1/processes"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        list["processes"]
            .as_array()
            .expect("processes")
            .iter()
            .find(|p| p["phase"] == phase)
            .and_then(|p| p["id"].as_i64())
            .unwrap_or_else(|| panic!("no demo process in phase {phase}"))
    }

    /// The id of a person by email.
    pub async fn person_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
            .bind(email)
            .fetch_one(self.pool())
            .await
            .expect("person exists")
    }

    /// The id of an organisation whose name (in any language) contains `fragment`.
    pub async fn org_id(&self, fragment: &str) -> i64 {
        self.id_named("SELECT id, name FROM organisations ORDER BY id", fragment)
            .await
    }
}

/// The characters of `text` between UTF-16 offsets.
pub fn utf16_slice(text: &str, start: u32, end: u32) -> String {
    app::domain::comments::utf16_slice(text, start, end)
}

/// The body of a response, for assertions.
/// Posts a form: the status, the redirect's target and the body.
pub async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, text(response).await)
}

pub async fn text(response: Response) -> String {
    response.text().await.expect("body")
}

/// The session cookie (`name=value`) of a demo account on the server at `base`.
pub async fn cookie_at(base: &str, email: &str) -> String {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .build()
        .expect("client");
    let response = client
        .post(format!("{base}/auth/login"))
        .form(&[("email", email), ("password", server::demo::DEMO_PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "signing in as {email}"
    );
    use reqwest::cookie::CookieStore;
    let url = reqwest::Url::parse(base).expect("url");
    jar.cookies(&url)
        .expect("a session cookie")
        .to_str()
        .expect("ascii")
        .to_string()
}

/// Starts the real `baraza serve` binary on port 0 and returns it with its URL (`kill()` is
/// `kill -9`).
pub fn serve(database_url: &str, demo: bool) -> (std::process::Child, String) {
    serve_with(database_url, demo, &[])
}

/// [`serve`] with more command-line arguments.
pub fn serve_with(database_url: &str, demo: bool, extra: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut args = vec![
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--database-url",
        database_url,
    ];
    if demo {
        args.push("--demo");
    }
    args.extend_from_slice(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_baraza"))
        .args(&args)
        .env("BARAZA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the server prints its URL")
            .expect("utf-8");
        if let Some(rest) = line.trim().strip_prefix("Baraza is running at ") {
            break rest
                .split_whitespace()
                .next()
                .expect("url")
                .trim_end_matches('/')
                .to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// The first draft of the demo's process in its drafting phase, asked of a running server.
pub async fn drafting_draft(base: &str) -> i64 {
    let processes: serde_json::Value = reqwest::get(format!("{base}/api/v1/processes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = processes["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phase"] == "drafting")
        .unwrap()["id"]
        .clone();
    let detail: serde_json::Value = reqwest::get(format!("{base}/api/v1/processes/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    detail["drafts"][0]["id"].as_i64().unwrap()
}

/// A websocket to a sitting's live channel, as a browser of the site opens it.
pub type SittingSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a sitting's live channel on the server at `base`, with a session cookie (or none) and a
/// query (`?as=ORG` or empty).
pub async fn watch_sitting(
    base: &str,
    id: i64,
    cookie: Option<&str>,
    query: &str,
) -> SittingSocket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let ws = base.replacen("http://", "ws://", 1);
    let mut request = format!("{ws}/live/sittings/{id}{query}")
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
    tokio_tungstenite::connect_async(request)
        .await
        .expect("connects")
        .0
}

/// Subscribes to a draft's comment events on the server at `base`; returns once the response has
/// begun (so nothing sent after it is missed).
pub async fn comment_events(base: &str, draft: i64) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "GET /live/drafts/{draft}/comments HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            stream.read_exact(&mut byte),
        )
        .await
        .unwrap()
        .unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(
        head.starts_with("HTTP/1.1 200") && head.contains("text/event-stream"),
        "{head}"
    );
    stream
}

/// Reads a server-sent event stream until a `data:` line with `needle` arrives (within 10 s).
pub async fn next_event(stream: &mut tokio::net::TcpStream, needle: &str) -> bool {
    use tokio::io::AsyncReadExt;
    let mut seen = String::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
        if n == 0 {
            return false;
        }
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        if seen
            .lines()
            .any(|l| l.starts_with("data:") && l.contains(needle))
        {
            return true;
        }
    }
    false
}

/// Runs a Python script in the test tools' environment (`scripts/test` installs cobalt, lxml,
/// pabutools and icalendar in target/python) with `input` on its standard input: whether it
/// succeeded, and what it printed.
pub fn python(script: &str, input: &str) -> (bool, String) {
    let python = std::env::var("BARAZA_TEST_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/python/bin/python").to_string()
    });
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python} runs (scripts/test installs the Python tools): {e}"));
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}
