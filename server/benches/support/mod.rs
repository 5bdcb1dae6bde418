//! What the benchmarks share: the release server, started on a fresh SQLite database with the demo.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running release `baraza` and where it answers; stopped when dropped.
pub struct Server {
    pub base: String,
    /// The process id, for benchmarks that read its memory (not all do).
    #[allow(dead_code)]
    pub pid: u32,
    /// The database's URL, for benchmarks that prepare data directly (not all do).
    #[allow(dead_code)]
    pub database_url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `target/release/baraza serve --demo` (or `$BARAZA_BIN`) on port 0, with the cap
    /// on live connections per client out of the way: the load client is one address standing
    /// for many people.
    #[allow(dead_code)] // not every benchmark starts it plainly
    pub fn start() -> Server {
        Server::start_with(&["--max-connections-per-client", "1000000"])
    }

    /// The same, with more arguments to `serve`.
    pub fn start_with(extra: &[&str]) -> Server {
        let binary = std::env::var("BARAZA_BIN").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/baraza").into()
        });
        let dir = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}/bench.db", dir.path().display());
        // Pinned to CPU 0 where taskset exists, so that the load client (CPU 1) does not share it.
        let mut command = if std::path::Path::new("/usr/bin/taskset").exists() {
            let mut command = Command::new("taskset");
            command.args(["-c", "0", &binary]);
            command
        } else {
            Command::new(&binary)
        };
        let mut child = command
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                &database_url,
                "--demo",
            ])
            .args(extra)
            .env("BARAZA_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {binary}: {e} (run scripts/bench, which builds it)"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().unwrap().unwrap();
            if let Some(rest) = line.trim().strip_prefix("Baraza is running at ") {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        };
        // Keep reading what it prints, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            base,
            pid: child.id(),
            database_url,
            child,
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo's process in `phase` and its first draft, as `(process, draft)`, asked of a running
/// server through the public API.
pub async fn first_draft_in_phase(base: &str, phase: &str) -> (i64, i64) {
    let processes: serde_json::Value = reqwest::get(format!("{base}/api/v1/processes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let process = processes["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phase"] == phase)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let detail: serde_json::Value = reqwest::get(format!("{base}/api/v1/processes/{process}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (process, detail["drafts"][0]["id"].as_i64().unwrap())
}
