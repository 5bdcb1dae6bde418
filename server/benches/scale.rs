//! The co-drafting server side by side with the Yjs servers teams run today (a benchmark, not a
//! test): `scripts/bench`.
//!
//! Starts each server on loopback, pinned to CPU 0 (`taskset`), and drives it from this process
//! (which `scripts/bench` pins to CPU 1) with the same load client: Baraza (release, SQLite, demo
//! content), `@hocuspocus/server` and `@y/websocket-server` (Node.js, from npm) and `y-sweet`
//! (from crates.io). Every figure is repeated (`BENCH_REPEAT`, default 5) and reported as the
//! median, with the load average before and after.
//!
//! Scenarios, side by side:
//! - **fan-out**: N readers and 4 writers at 50 Hz on one document for 2 s. Server CPU per
//!   delivered message (CPU time of the server process / updates delivered to readers), delivery
//!   latency (median, 99th percentile) from the writer's send to each reader's receipt, whether
//!   every reader got every update, and whether a fresh client then has every edit (converged).
//! - **memory**: resident set growth per idle connection (1,000 connections, each synced), and the
//!   process baseline.
//! - **keystrokes**: the editing trace in shared/traces (~260k single-character edits, ~105k
//!   characters), with 20 readers: the first part of the trace is sent in large chunks, the
//!   readers join, then the last 5,000 keystrokes go one update each at 500/s; server CPU per
//!   incoming keystroke (fan-out to the 20 readers included), how long after it was sent the last keystroke arrived, and the
//!   memory the server gained per reader that joined the large draft (each is sent all of it).
//!
//! Baraza only, once: **soak**: the same large draft, typed on at 100 keystrokes/s for ten minutes
//! (`BENCH_SOAK_SECONDS`), with the delivery latency at one of 20 readers and the server's CPU per
//! keystroke, minute by minute.
//!
//! Baraza only (the others keep documents in memory and have no such storage):
//! - **durable updates/s** on SQLite: updates acknowledged after commit (relayed only once stored).
//! - **cold load**: a draft with the trace's 259,778 stored updates and no snapshot; and the same
//!   with a snapshot and a tail of 1,000 updates: from connecting to the whole document received.
//! - **renders/s**: the server-rendered draft page of a 5k-character draft, one CPU, no cache.
//! - **guard rails**: a 5 MB update and a client that stops reading, while others edit: the
//!   others' latency, whether the slow client was disconnected, and whether it resyncs.

mod support;

use app::sync::frames;
use app::sync::lib0::{self, write_var_bytes};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, OffsetKind, Options, ReadTxn, StateVector, Text, Transact, Update};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const PEERS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers");
const TRACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/bench/automerge-paper.json"
);

// ---------------------------------------------------------------------------------------------
// The servers.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Baraza,
    Hocuspocus,
    YWebsocket,
    YSweet,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Baraza => "Baraza",
            Kind::Hocuspocus => "Hocuspocus 4.7.0",
            Kind::YWebsocket => "@y/websocket-server 0.1.1",
            Kind::YSweet => "y-sweet 0.9.1",
        }
    }
}

/// A server under test, pinned to CPU 0; stopped when dropped.
struct Target {
    kind: Kind,
    pid: u32,
    ws: String,
    /// Baraza: the draft, and cookies of two co-drafters (writers take turns with them).
    draft: i64,
    process: i64,
    cookies: Vec<String>,
    baraza: Option<support::Server>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port}");
}

fn pinned(program: &str) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", "0", program]);
    command
}

async fn start(kind: Kind) -> Target {
    match kind {
        Kind::Baraza => {
            let server = support::Server::start();
            let base = server.base.clone();
            let (process, draft) = support::first_draft_in_phase(&base, "drafting").await;
            let cookies = vec![
                cookie(&base, "gov@demo.baraza").await,
                cookie(&base, "civil@demo.baraza").await,
            ];
            Target {
                kind,
                pid: server.pid,
                ws: format!("{}/collab/drafts/{draft}", base.replacen("http", "ws", 1)),
                draft,
                process,
                cookies,
                baraza: Some(server),
                child: None,
                _dir: None,
            }
        }
        Kind::Hocuspocus | Kind::YWebsocket => {
            let port = free_port();
            let script = if kind == Kind::Hocuspocus {
                format!("{PEERS_DIR}/hocuspocus.mjs")
            } else {
                format!("{PEERS_DIR}/node_modules/@y/websocket-server/src/server.js")
            };
            let child = pinned("node")
                .arg(script)
                .env("PORT", port.to_string())
                .env("HOST", "127.0.0.1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("node (run scripts/bench, which installs the peers)");
            wait_for_port(port);
            // Both take the document's name from the path (Hocuspocus from its messages too).
            let ws = format!("ws://127.0.0.1:{port}/bench");
            Target {
                kind,
                pid: child.id(),
                ws,
                draft: 0,
                process: 0,
                cookies: Vec::new(),
                baraza: None,
                child: Some(child),
                _dir: None,
            }
        }
        Kind::YSweet => {
            let port = free_port();
            let dir = tempfile::tempdir().unwrap();
            let binary = std::env::var("Y_SWEET_BIN").unwrap_or_else(|_| {
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../target/bench-peers/bin/y-sweet"
                )
                .into()
            });
            let mut child = pinned(&binary)
                .args(["serve", &dir.path().display().to_string()])
                .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("y-sweet (run scripts/bench, which builds it)");
            let lines = BufReader::new(child.stdout.take().unwrap()).lines();
            std::thread::spawn(move || lines.for_each(drop));
            wait_for_port(port);
            let created = reqwest::Client::new()
                .post(format!("http://127.0.0.1:{port}/doc/new"))
                .json(&serde_json::json!({ "docId": "bench" }))
                .send()
                .await
                .unwrap();
            assert!(created.status().is_success(), "y-sweet makes the document");
            Target {
                kind,
                pid: child.id(),
                ws: format!("ws://127.0.0.1:{port}/d/bench/ws/bench"),
                draft: 0,
                process: 0,
                cookies: Vec::new(),
                baraza: None,
                child: Some(child),
                _dir: Some(dir),
            }
        }
    }
}

async fn cookie(base: &str, email: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/auth/login"))
        .form(&[("email", email), ("password", "baraza-demo")])
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            v.to_str()
                .ok()
                .filter(|c| c.starts_with("baraza_session="))
                .map(|c| c.split(';').next().unwrap().to_string())
        })
        .expect("signed in")
}

// ---------------------------------------------------------------------------------------------
// The load client: y-websocket messages (`app::sync`, which the browser's client uses too),
// framed for Hocuspocus where it needs it.

impl Target {
    /// A y-websocket message as this server wants it (Hocuspocus prefixes the document's name).
    fn frame(&self, message: Vec<u8>) -> Message {
        if self.kind == Kind::Hocuspocus {
            let mut framed = Vec::with_capacity(message.len() + 6);
            write_var_bytes(&mut framed, b"bench");
            framed.extend_from_slice(&message);
            Message::Binary(framed.into())
        } else {
            Message::Binary(message.into())
        }
    }

    fn sync_message(&self, kind: u64, payload: &[u8]) -> Message {
        self.frame(match kind {
            0 => frames::sync_step_1(payload),
            1 => frames::sync_step_2(payload),
            _ => frames::update(payload),
        })
    }

    /// A message without the document name Hocuspocus prefixes.
    fn unframe<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        if self.kind != Kind::Hocuspocus {
            return bytes;
        }
        let mut reader = lib0::Reader::new(bytes);
        match reader.var_bytes() {
            Ok(_) => &bytes[bytes.len() - reader.remaining()..],
            Err(_) => bytes,
        }
    }

    /// Connects (as writer `as_writer`, or anonymously) and asks for the document.
    async fn connect(&self, as_writer: Option<usize>) -> Socket {
        let mut request = self.ws.as_str().into_client_request().unwrap();
        if self.kind == Kind::Baraza {
            let origin = self.ws.replacen("ws", "http", 1);
            let origin = origin.split("/collab").next().unwrap().to_string();
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
            if let Some(w) = as_writer {
                let cookie = &self.cookies[w % self.cookies.len()];
                request
                    .headers_mut()
                    .insert("cookie", cookie.parse().unwrap());
            }
        }
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connects");
        if self.kind == Kind::Hocuspocus {
            // Hocuspocus waits for an authentication message (any token without an auth hook):
            // y-protocols' auth frame, [2, 0, token], which is what `permission_denied` writes.
            socket
                .send(self.frame(frames::permission_denied("bench")))
                .await
                .unwrap();
        }
        let empty = StateVector::default();
        use yrs::updates::encoder::Encode;
        socket
            .send(self.sync_message(0, &empty.encode_v1()))
            .await
            .unwrap();
        socket
    }

    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the name).
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        field(11) + field(12)
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }
}

/// Seconds of CPU per clock tick.
const TICK: f64 = 0.01;

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The markers found in a message: `@<writer><number:05>@`.
fn markers(bytes: &[u8], mut found: impl FnMut(usize, usize)) {
    let mut i = 0;
    while i + 8 <= bytes.len() {
        if bytes[i] == b'@' && bytes[i + 7] == b'@' && bytes[i + 1].is_ascii_digit() {
            let digits = &bytes[i + 1..i + 7];
            if digits.iter().all(u8::is_ascii_digit) {
                let writer = (digits[0] - b'0') as usize;
                let number = std::str::from_utf8(&digits[1..]).unwrap().parse().unwrap();
                found(writer, number);
                i += 8;
                continue;
            }
        }
        i += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Fan-out and memory.

struct FanOut {
    cpu_per_message_us: f64,
    /// Latency of each arrival at each reader.
    p50_ms: f64,
    p99_ms: f64,
    /// Time until every reader had an edit, over the edits: what a meeting room feels (one
    /// reader's median hides a straggler that every edit waits for).
    all_p50_ms: f64,
    all_p99_ms: f64,
    delivered: usize,
    expected: usize,
    converged: bool,
    idle_kib_per_connection: f64,
}

const WRITERS: usize = 4;
const RATE_HZ: u64 = 50;
const WRITE_SECONDS: u64 = 2;

async fn fan_out(target: &Target, readers: usize) -> FanOut {
    let per_writer = (RATE_HZ * WRITE_SECONDS) as usize;
    let epoch = Instant::now();
    let sent: Arc<Vec<AtomicU64>> = Arc::new(
        (0..WRITERS * per_writer)
            .map(|_| AtomicU64::new(0))
            .collect(),
    );
    let before = target.rss_kib();
    let mut tasks = Vec::new();
    let (ready_tx, mut ready) = tokio::sync::mpsc::unbounded_channel::<()>();
    for _ in 0..readers {
        let mut socket = target.connect(None).await;
        let sent = sent.clone();
        let ready_tx = ready_tx.clone();
        tasks.push(tokio::spawn(async move {
            // (edit, latency) for each arrival.
            let mut latencies: Vec<(u32, f32)> = Vec::with_capacity(WRITERS * per_writer);
            let mut first = true;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await
            {
                if first {
                    first = false;
                    let _ = ready_tx.send(());
                }
                if let Message::Binary(bytes) = message {
                    let now = epoch.elapsed().as_nanos() as u64;
                    markers(&bytes, |w, n| {
                        let edit = w * per_writer + n;
                        let at = sent[edit].load(Ordering::Relaxed);
                        latencies.push((edit as u32, (now.saturating_sub(at)) as f32 / 1e6));
                    });
                    if latencies.len() >= WRITERS * per_writer {
                        break;
                    }
                }
            }
            latencies
        }));
    }
    drop(ready_tx);
    for _ in 0..readers {
        let _ = tokio::time::timeout(Duration::from_secs(30), ready.recv()).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = (target.rss_kib().saturating_sub(before)) as f64 / readers as f64;

    let cpu_before = target.cpu_ticks();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let socket = target.connect(Some(w)).await;
        let sent = sent.clone();
        let messages: Vec<Message> = {
            let (doc, text) = local_doc(7_000 + w as u64);
            (0..per_writer)
                .map(|n| {
                    let mut txn = doc.transact_mut();
                    text.insert(&mut txn, 0, &format!("@{w}{n:05}@"));
                    target.sync_message(2, &txn.encode_update_v1())
                })
                .collect()
        };
        writers.push(tokio::spawn(async move {
            let (mut sink, mut stream) = socket.split();
            // What the server sends a writer is read and dropped, as an editor would apply it.
            let drain = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
            tokio::time::sleep(Duration::from_millis(w as u64 * 5)).await;
            let mut tick = tokio::time::interval(Duration::from_millis(1000 / RATE_HZ));
            for (n, message) in messages.into_iter().enumerate() {
                tick.tick().await;
                sent[w * per_writer + n]
                    .store(epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
                sink.send(message).await.unwrap();
            }
            (sink, drain)
        }));
    }
    let mut kept = Vec::new();
    for writer in writers {
        kept.push(writer.await.unwrap());
    }
    let mut latencies: Vec<f64> = Vec::new();
    // The latest arrival of each edit, and at how many readers it arrived.
    let mut last = vec![(0f64, 0usize); WRITERS * per_writer];
    for task in tasks {
        for (edit, latency) in task.await.unwrap() {
            let latency = f64::from(latency);
            latencies.push(latency);
            let slot = &mut last[edit as usize];
            slot.0 = slot.0.max(latency);
            slot.1 += 1;
        }
    }
    let mut everyone: Vec<f64> = last
        .iter()
        .filter(|(_, reached)| *reached == readers)
        .map(|(latest, _)| *latest)
        .collect();
    everyone.sort_by(f64::total_cmp);
    let cpu = (target.cpu_ticks() - cpu_before) as f64 * TICK;
    let delivered = latencies.len();
    latencies.sort_by(f64::total_cmp);
    // Converged: a client that arrives now gets every writer's every edit.
    let converged = full_text(target).await.map(|text| {
        let mut seen = 0;
        markers(text.as_bytes(), |_, _| seen += 1);
        seen == WRITERS * per_writer
    });
    drop(kept);
    FanOut {
        cpu_per_message_us: cpu / delivered.max(1) as f64 * 1e6,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        all_p50_ms: percentile(&everyone, 0.5),
        all_p99_ms: percentile(&everyone, 0.99),
        delivered,
        expected: readers * WRITERS * per_writer,
        converged: converged.unwrap_or(false),
        idle_kib_per_connection: idle,
    }
}

/// The whole text as a newly connected client receives it.
async fn full_text(target: &Target) -> Option<String> {
    let mut socket = target.connect(None).await;
    let doc = Doc::new();
    let text = doc.get_or_insert_text("body");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        let Message::Binary(bytes) = message else {
            continue;
        };
        if let Ok(frames::Message::SyncStep2(update)) = frames::decode(target.unframe(&bytes)) {
            doc.transact_mut()
                .apply_update(Update::decode_v1(update).ok()?)
                .ok()?;
            return Some(text.get_string(&doc.transact()));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Keystrokes from the editing trace.

struct Trace {
    /// `(position, deleted, inserted)` per keystroke, in order.
    ops: Vec<(u32, u32, String)>,
}

fn trace() -> Trace {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(TRACE).expect("the trace (scripts/bench unpacks it)"),
    )
    .unwrap();
    let mut ops = Vec::new();
    for txn in json["txns"].as_array().unwrap() {
        for patch in txn["patches"].as_array().unwrap() {
            ops.push((
                patch[0].as_u64().unwrap() as u32,
                patch[1].as_u64().unwrap() as u32,
                patch[2].as_str().unwrap().to_string(),
            ));
        }
    }
    Trace { ops }
}

/// A document of the load client's own, as a Yjs client with this id, and its body.
fn local_doc(client: u64) -> (Doc, yrs::TextRef) {
    let doc = Doc::with_options(Options {
        client_id: yrs::block::ClientID::new(client),
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    });
    let text = doc.get_or_insert_text("body");
    (doc, text)
}

/// Applies a keystroke to a local document and returns its update.
fn keystroke(doc: &Doc, text: &yrs::TextRef, op: &(u32, u32, String)) -> Vec<u8> {
    let mut txn = doc.transact_mut();
    if op.1 > 0 {
        text.remove_range(&mut txn, op.0, op.1);
    }
    if !op.2.is_empty() {
        text.insert(&mut txn, op.0, &op.2);
    }
    txn.encode_update_v1()
}

/// What shows that a keystroke has arrived: the writer's clock after it, if it inserted; else the
/// first character it deleted.
enum Arrival {
    Clock(u32),
    Deleted(yrs::ID),
}

/// Like [`keystroke`], and how to tell it arrived.
fn marked_keystroke(doc: &Doc, text: &yrs::TextRef, op: &(u32, u32, String)) -> (Vec<u8>, Arrival) {
    let mut txn = doc.transact_mut();
    if op.1 > 0 {
        text.remove_range(&mut txn, op.0, op.1);
    }
    if !op.2.is_empty() {
        text.insert(&mut txn, op.0, &op.2);
    }
    let arrival = if op.2.is_empty() {
        let (client, ranges) = txn.delete_set().iter().next().expect("a deletion");
        let first = ranges.iter().next().expect("a deleted range").start;
        Arrival::Deleted(yrs::ID::new(*client, first))
    } else {
        Arrival::Clock(txn.state_vector().get(&doc.client_id()))
    };
    (txn.encode_update_v1(), arrival)
}

/// The update in a y-websocket sync message (step 2 or update), if it is one.
fn sync_update(bytes: &[u8]) -> Option<Update> {
    match frames::decode(bytes) {
        Ok(frames::Message::SyncStep2(update) | frames::Message::Update(update)) => {
            Update::decode_v1(update).ok()
        }
        _ => None,
    }
}

const MEASURED_KEYSTROKES: usize = 5_000;
const KEYSTROKE_RATE: u64 = 500;

struct Keystrokes {
    cpu_per_update_ms: f64,
    /// How long after the last keystroke was sent the last reader to get it got it.
    last_arrived_ms: f64,
    /// How many of the readers got anything after the last keystroke was sent; a reader that did
    /// not never saw the end of the run, and the latency above leaves it out.
    readers_reached: usize,
    /// Resident memory the server gained per reader that joined the large draft.
    kib_per_reader: f64,
}

/// A writer on the large draft: its own copy of the document and its socket.
struct Typist {
    doc: Doc,
    text: yrs::TextRef,
    sink: futures_util::stream::SplitSink<Socket, Message>,
    /// Reads (and drops) what the server sends the writer.
    drain: tokio::task::JoinHandle<()>,
}

impl Typist {
    /// Connects a writer and sends `ops` of the trace in chunks of 5,000 keystrokes each.
    async fn preload(target: &Target, ops: &[(u32, u32, String)]) -> Typist {
        let (doc, text) = local_doc(424_242);
        let socket = target.connect(Some(0)).await;
        let (mut sink, mut stream) = socket.split();
        let drain = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
        for chunk in ops.chunks(5_000) {
            let update = {
                let mut txn = doc.transact_mut();
                for op in chunk {
                    if op.1 > 0 {
                        text.remove_range(&mut txn, op.0, op.1);
                    }
                    if !op.2.is_empty() {
                        text.insert(&mut txn, op.0, &op.2);
                    }
                }
                txn.encode_update_v1()
            };
            sink.send(target.sync_message(2, &update)).await.unwrap();
        }
        Typist {
            doc,
            text,
            sink,
            drain,
        }
    }
}

/// One minute of the long keystroke run.
struct SoakMinute {
    keystrokes: usize,
    p50_ms: f64,
    p99_ms: f64,
    cpu_per_update_ms: f64,
    /// The load average at the minute's end.
    load: String,
}

/// Keystrokes on the large draft at `rate` per second for `seconds`, with 20 readers: one
/// reader's delivery latency and the server's CPU, minute by minute, to see whether either
/// creeps up as the document and its stored log grow.
async fn soak(target: &Target, trace: &Trace, rate: u64, seconds: u64) -> Vec<SoakMinute> {
    let measured = ((rate * seconds) as usize).min(trace.ops.len() / 2);
    let split = trace.ops.len() - measured;
    let mut typist = Typist::preload(target, &trace.ops[..split]).await;
    let mut others = Vec::new();
    for _ in 0..19 {
        let mut socket = target.connect(None).await;
        others.push(tokio::spawn(async move {
            while let Some(Ok(_)) = socket.next().await {}
        }));
    }
    let mut timed = target.connect(None).await;
    // The initial sync (the whole draft) is over before the clock starts.
    tokio::time::sleep(Duration::from_secs(3)).await;
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), timed.next()).await {}
    // Keystrokes not yet seen by the timed reader, oldest first, with when they were sent. Each
    // message may carry several (the server relays a group commit as one message), so each is
    // recognised by its content: its insertion's clock, or the character it deleted.
    type Pending = std::collections::VecDeque<(Instant, Arrival)>;
    let sent: Arc<std::sync::Mutex<Pending>> = Default::default();
    let epoch = Instant::now();
    // (seconds into the run when sent, latency in ms) of each keystroke the timed reader got.
    let seen: Arc<std::sync::Mutex<Vec<(f64, f64)>>> = Default::default();
    let client = typist.doc.client_id();
    let latencies = tokio::spawn({
        let (sent, seen) = (sent.clone(), seen.clone());
        async move {
            let mut clock = 0;
            while let Some(Ok(message)) = timed.next().await {
                let Message::Binary(bytes) = message else {
                    continue;
                };
                let Some(update) = sync_update(&bytes) else {
                    continue;
                };
                let now = Instant::now();
                for (id, ranges) in update.insertions(true).iter() {
                    if *id == client {
                        clock = ranges.iter().map(|r| r.end).fold(clock, u32::max);
                    }
                }
                let mut sent = sent.lock().unwrap();
                while let Some((at, arrival)) = sent.front() {
                    let arrived = match arrival {
                        Arrival::Clock(c) => *c <= clock,
                        Arrival::Deleted(id) => update.delete_set().contains(id),
                    };
                    if !arrived {
                        break;
                    }
                    seen.lock().unwrap().push((
                        at.duration_since(epoch).as_secs_f64(),
                        now.duration_since(*at).as_secs_f64() * 1e3,
                    ));
                    sent.pop_front();
                }
            }
        }
    });
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    // At each minute's end: the server's CPU ticks, keystrokes sent so far, the load average.
    let mut marks = vec![(target.cpu_ticks(), 0, String::new())];
    let mut next_minute = epoch + Duration::from_secs(60);
    for (i, op) in trace.ops[split..].iter().enumerate() {
        let (update, arrival) = marked_keystroke(&typist.doc, &typist.text, op);
        tick.tick().await;
        if Instant::now() >= next_minute {
            marks.push((target.cpu_ticks(), i, load_average()));
            next_minute += Duration::from_secs(60);
        }
        sent.lock().unwrap().push_back((Instant::now(), arrival));
        typist
            .sink
            .send(target.sync_message(2, &update))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    marks.push((target.cpu_ticks(), measured, load_average()));
    typist.drain.abort();
    for other in others {
        other.abort();
    }
    let _ = typist.sink.close().await;
    latencies.abort();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    marks
        .windows(2)
        .enumerate()
        .map(|(minute, pair)| {
            let [(cpu_before, sent_before, _), (cpu_after, sent_after, load)] = pair else {
                unreachable!("windows of two")
            };
            let mut ms: Vec<f64> = seen
                .iter()
                .filter(|(at, _)| (*at / 60.0) as usize == minute)
                .map(|(_, ms)| *ms)
                .collect();
            ms.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                ms.get(((ms.len() as f64 * q) as usize).min(ms.len().saturating_sub(1)))
                    .copied()
                    .unwrap_or(f64::NAN)
            };
            SoakMinute {
                keystrokes: ms.len(),
                p50_ms: pick(0.5),
                p99_ms: pick(0.99),
                cpu_per_update_ms: (cpu_after - cpu_before) as f64 * TICK
                    / (sent_after - sent_before).max(1) as f64
                    * 1e3,
                load: load.clone(),
            }
        })
        .collect()
}

async fn keystrokes(target: &Target, trace: &Trace) -> Keystrokes {
    let readers = 20;
    // The large draft: the trace up to its last keystrokes.
    let split = trace.ops.len() - MEASURED_KEYSTROKES;
    let mut typist = Typist::preload(target, &trace.ops[..split]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Readers join the large draft: each is sent all of it.
    let before = target.rss_kib();
    let mut counts = Vec::new();
    let mut arrivals = Vec::new();
    let epoch = Instant::now();
    for _ in 0..readers {
        let mut socket = target.connect(None).await;
        let last_arrival = Arc::new(AtomicU64::new(0));
        arrivals.push(last_arrival.clone());
        counts.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Binary(_) = message {
                    last_arrival.fetch_max(epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let kib_per_reader = target.rss_kib().saturating_sub(before) as f64 / readers as f64;
    let cpu_before = target.cpu_ticks();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / KEYSTROKE_RATE));
    let mut last_sent = 0;
    for op in &trace.ops[split..] {
        let update = keystroke(&typist.doc, &typist.text, op);
        tick.tick().await;
        last_sent = epoch.elapsed().as_nanos() as u64;
        typist
            .sink
            .send(target.sync_message(2, &update))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cpu = (target.cpu_ticks() - cpu_before) as f64 * TICK;
    let reached: Vec<u64> = arrivals
        .iter()
        .map(|a| a.load(Ordering::Relaxed))
        .filter(|&arrived| arrived >= last_sent)
        .collect();
    typist.drain.abort();
    for count in counts {
        count.abort();
    }
    Keystrokes {
        // The 2 s of quiet after the last keystroke cost nothing; idle ticks are negligible.
        cpu_per_update_ms: cpu / MEASURED_KEYSTROKES as f64 * 1e3,
        last_arrived_ms: reached
            .iter()
            .max()
            .map_or(f64::NAN, |&arrived| (arrived - last_sent) as f64 / 1e6),
        readers_reached: reached.len(),
        kib_per_reader,
    }
}

// ---------------------------------------------------------------------------------------------
// Baraza alone: durable updates, cold load, renders, guard rails.

/// Updates per second, each relayed to an observer only after its commit.
async fn durable_updates(target: &Target) -> f64 {
    let count = 20_000;
    let mut observer = target.connect(None).await;
    let socket = target.connect(Some(0)).await;
    let (mut sink, mut stream) = socket.split();
    let drain = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let (doc, text) = local_doc(515_151);
    let messages: Vec<Message> = (0..count)
        .map(|n| {
            let mut txn = doc.transact_mut();
            text.insert(&mut txn, 0, &format!("@1{:05}@", n % 100_000));
            target.sync_message(2, &txn.encode_update_v1())
        })
        .collect();
    // Let the observer's own sync finish first.
    let _ = tokio::time::timeout(Duration::from_secs(5), observer.next()).await;
    let start = Instant::now();
    let sender = tokio::spawn(async move {
        for message in messages {
            sink.send(message).await.unwrap();
        }
        sink
    });
    let mut seen = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while seen < count {
        match tokio::time::timeout_at(deadline, observer.next()).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => markers(&bytes, |_, _| seen += 1),
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    let rate = seen as f64 / start.elapsed().as_secs_f64();
    let _ = sender.await;
    drain.abort();
    rate
}

/// Seconds from connecting to having the whole document, for a draft whose room is not loaded.
async fn cold_load(trace: &Trace, with_snapshot: bool) -> (f64, usize) {
    let target = start(Kind::Baraza).await;
    let server = target.baraza.as_ref().unwrap();
    // The trace as stored updates of the draft: one per keystroke, as typing would leave them.
    let (doc, text) = local_doc(1_000);
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&server.database_url)
        .await
        .unwrap();
    let draft = target.draft;
    sqlx::query("DELETE FROM draft_updates WHERE draft_id = $1")
        .bind(draft)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM draft_snapshots WHERE draft_id = $1")
        .bind(draft)
        .execute(&pool)
        .await
        .unwrap();
    let person: i64 = sqlx::query_scalar("SELECT id FROM people WHERE email = 'gov@demo.baraza'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let tail_from = if with_snapshot {
        trace.ops.len() - 1_000
    } else {
        0
    };
    let mut tx = pool.begin().await.unwrap();
    for (i, op) in trace.ops.iter().enumerate() {
        let update = keystroke(&doc, &text, op);
        if i + 1 == tail_from {
            let state = doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            sqlx::query(
                "INSERT INTO draft_snapshots (draft_id, seq, state_v1, created_at) VALUES ($1, $2, $3, 0)",
            )
            .bind(draft)
            .bind(i as i64 + 1)
            .bind(state)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        if i >= tail_from || !with_snapshot {
            sqlx::query(
                "INSERT INTO draft_updates (draft_id, seq, person_id, org_id, at, update_v1) VALUES ($1, $2, $3, NULL, 0, $4)",
            )
            .bind(draft)
            .bind(i as i64 + 1)
            .bind(person)
            .bind(update)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let expected = text.get_string(&doc.transact());
    let start = Instant::now();
    let got = full_text(&target).await.unwrap_or_default();
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(got.len(), expected.len(), "the stored draft loads whole");
    (seconds, trace.ops.len() - tail_from)
}

/// Server-rendered draft pages per second, 5k characters, 4 requests at a time for 5 s.
async fn renders(target: &Target) -> (f64, usize) {
    let server = target.baraza.as_ref().unwrap();
    let base = server.base.clone();
    // Bring the draft to at least 5,000 characters.
    let have = full_text(target).await.unwrap().chars().count();
    if have < 5_000 {
        let socket = target.connect(Some(0)).await;
        let (mut sink, _stream) = socket.split();
        let (doc, text) = local_doc(616_161);
        let words =
            "Residents decide together how the budget is spent. ".repeat((5_000 - have) / 50 + 1);
        let update = {
            let mut txn = doc.transact_mut();
            text.insert(&mut txn, 0, &words);
            txn.encode_update_v1()
        };
        sink.send(target.sync_message(2, &update)).await.unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let length = full_text(target).await.unwrap().chars().count();
    let url = format!(
        "{base}/processes/{}/drafts/{}",
        target.process, target.draft
    );
    let client = reqwest::Client::new();
    assert!(
        client.get(&url).send().await.unwrap().status().is_success(),
        "{url}"
    );
    let cpu_before = target.cpu_ticks();
    let stop = Instant::now() + Duration::from_secs(5);
    let done = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (client, url, done) = (client.clone(), url.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < stop {
                let page = client
                    .get(&url)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                assert!(page.len() > 5_000);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let cpu = (target.cpu_ticks() - cpu_before) as f64 * TICK;
    // Per core: pages rendered per second of the server's CPU.
    (done.load(Ordering::Relaxed) as f64 / cpu, length)
}

struct GuardRails {
    big_update_closed: Option<String>,
    others_p99_ms: f64,
    slow_disconnected: bool,
    slow_resynced: bool,
}

/// A 5 MB update and a reader that stops reading, while two clients go on editing.
async fn guard_rails(target: &Target) -> GuardRails {
    // The slow client: connected, then never reads again.
    let slow = target.connect(None).await;
    // An honest pair: a writer at 50 Hz and a reader measuring latency.
    let mut reader = target.connect(None).await;
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..400).map(|_| AtomicU64::new(0)).collect());
    let epoch = Instant::now();
    let writer = target.connect(Some(0)).await;
    let (mut sink, mut stream) = writer.split();
    let drain = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let (doc, text) = local_doc(717_171);
    let messages: Vec<Message> = (0..400)
        .map(|n| {
            let mut txn = doc.transact_mut();
            text.insert(&mut txn, 0, &format!("@2{n:05}@"));
            target.sync_message(2, &txn.encode_update_v1())
        })
        .collect();
    let sent_w = sent.clone();
    let writing = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        for (n, message) in messages.into_iter().enumerate() {
            tick.tick().await;
            sent_w[n].store(epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
            sink.send(message).await.unwrap();
        }
        sink
    });
    // A second writer pastes 5 MB at once, a second in.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let big = target.connect(Some(1)).await;
    let (mut big_sink, mut big_stream) = big.split();
    let (big_doc, big_text) = local_doc(818_181);
    let update = {
        let mut txn = big_doc.transact_mut();
        big_text.insert(&mut txn, 0, &"x".repeat(5 * 1024 * 1024));
        txn.encode_update_v1()
    };
    big_sink
        .send(target.sync_message(2, &update))
        .await
        .unwrap();
    let mut latencies = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while latencies.len() < 400 {
        match tokio::time::timeout_at(deadline, reader.next()).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => {
                let now = epoch.elapsed().as_nanos() as u64;
                markers(&bytes, |_, n| {
                    latencies.push(now.saturating_sub(sent[n].load(Ordering::Relaxed)) as f64 / 1e6)
                });
            }
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    latencies.sort_by(f64::total_cmp);
    let _ = writing.await;
    drain.abort();
    let big_closed = match tokio::time::timeout(Duration::from_millis(500), big_stream.next()).await
    {
        Ok(Some(Ok(Message::Close(Some(frame))))) => {
            Some(format!("{} {}", u16::from(frame.code), frame.reason))
        }
        _ => None,
    };
    // The slow client: was it told to go, and does a fresh connection resync?
    let mut slow = slow;
    let mut disconnected = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    // Reading now drains what the kernel buffered; the connection must then end (a close frame,
    // or the socket dropped when writing to it stalled).
    loop {
        match tokio::time::timeout_at(deadline, slow.next()).await {
            Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) => {
                disconnected = true;
                break;
            }
            Ok(Some(Ok(_))) => {}
            Err(_) => break,
        }
    }
    let resynced = full_text(target)
        .await
        .is_some_and(|t| t.contains("@200399@"));
    GuardRails {
        big_update_closed: big_closed,
        others_p99_ms: percentile(&latencies, 0.99),
        slow_disconnected: disconnected,
        slow_resynced: resynced,
    }
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let only: Option<String> = std::env::var("BENCH_ONLY").ok();
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|w| w == name))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let servers = std::env::var("BENCH_SERVERS").unwrap_or_default();
    let kinds: Vec<Kind> = [
        Kind::Baraza,
        Kind::Hocuspocus,
        Kind::YWebsocket,
        Kind::YSweet,
    ]
    .into_iter()
    .filter(|k| {
        servers.is_empty()
            || servers
                .split(',')
                .any(|s| k.name().to_lowercase().contains(s))
    })
    .collect();
    println!("load average at start: {}", load_average());
    runtime.block_on(async {
        if wanted("fanout") {
            for readers in [200, 1000] {
                let mut rows: HashMap<&str, Vec<FanOut>> = HashMap::new();
                for _ in 0..repeat {
                    for &kind in &kinds {
                        let target = start(kind).await;
                        let baseline = target.rss_kib();
                        let result = fan_out(&target, readers).await;
                        println!(
                            "  fan-out {readers:>4} {:<26} cpu/msg {:>6.2} µs  p50 {:>7.2} ms  p99 {:>7.2} ms  all readers p50 {:>7.2} ms p99 {:>7.2} ms  delivered {}/{}  converged {}  idle {:>5.1} KiB/conn  baseline {} KiB  load {}",
                            kind.name(),
                            result.cpu_per_message_us,
                            result.p50_ms,
                            result.p99_ms,
                            result.all_p50_ms,
                            result.all_p99_ms,
                            result.delivered,
                            result.expected,
                            result.converged,
                            result.idle_kib_per_connection,
                            baseline,
                            load_average(),
                        );
                        rows.entry(kind.name()).or_default().push(result);
                    }
                }
                println!("fan-out, {readers} readers, 4 writers at 50 Hz, medians of {repeat}:");
                for &kind in &kinds {
                    let r = &rows[kind.name()];
                    println!(
                        "| {} | {readers} | {:.2} µs | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {}/{} | {} | {:.1} KiB |",
                        kind.name(),
                        median(r.iter().map(|x| x.cpu_per_message_us).collect()),
                        median(r.iter().map(|x| x.p50_ms).collect()),
                        median(r.iter().map(|x| x.p99_ms).collect()),
                        median(r.iter().map(|x| x.all_p50_ms).collect()),
                        median(r.iter().map(|x| x.all_p99_ms).collect()),
                        r.iter().map(|x| x.delivered).min().unwrap_or(0),
                        r[0].expected,
                        r.iter().all(|x| x.converged),
                        median(r.iter().map(|x| x.idle_kib_per_connection).collect()),
                    );
                }
            }
        }
        if wanted("keystrokes") {
            let trace = trace();
            let mut rows: HashMap<&str, Vec<Keystrokes>> = HashMap::new();
            for _ in 0..repeat {
                for &kind in &kinds {
                    let target = start(kind).await;
                    let result = keystrokes(&target, &trace).await;
                    println!(
                        "  keystrokes {:<26} cpu/update {:>7.3} ms  last arrived {:>7.2} ms after sending, at {}/20 readers  memory {:>6.1} KiB/reader  load {}",
                        kind.name(),
                        result.cpu_per_update_ms,
                        result.last_arrived_ms,
                        result.readers_reached,
                        result.kib_per_reader,
                        load_average()
                    );
                    rows.entry(kind.name()).or_default().push(result);
                }
            }
            println!("keystrokes, {} ops of the trace, 20 readers, medians of {repeat}:", trace.ops.len());
            for &kind in &kinds {
                let r = &rows[kind.name()];
                println!(
                    "| {} | {:.3} ms | {:.2} ms | {}/20 | {:.1} KiB |",
                    kind.name(),
                    median(r.iter().map(|x| x.cpu_per_update_ms).collect()),
                    median(r.iter().map(|x| x.last_arrived_ms).collect()),
                    r.iter().map(|x| x.readers_reached).min().unwrap_or(0),
                    median(r.iter().map(|x| x.kib_per_reader).collect()),
                );
            }
        }
        if wanted("soak") {
            // Once, not repeated: the figure asked for is the shape over time, not a median.
            let seconds: u64 = std::env::var("BENCH_SOAK_SECONDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(600);
            let rate = 100;
            let trace = trace();
            let target = start(Kind::Baraza).await;
            println!("keystrokes for {seconds} s at {rate}/s on the large draft, 20 readers, minute by minute:");
            println!("| minute | keystrokes seen | p50 | p99 | server CPU per keystroke | load |");
            for (i, minute) in soak(&target, &trace, rate, seconds).await.iter().enumerate() {
                println!(
                    "| {} | {} | {:.2} ms | {:.2} ms | {:.3} ms | {} |",
                    i + 1,
                    minute.keystrokes,
                    minute.p50_ms,
                    minute.p99_ms,
                    minute.cpu_per_update_ms,
                    minute.load,
                );
            }
        }
        if wanted("durable") {
            let mut rates = Vec::new();
            for _ in 0..repeat {
                let target = start(Kind::Baraza).await;
                let rate = durable_updates(&target).await;
                println!("  durable updates/s {rate:>9.0}  load {}", load_average());
                rates.push(rate);
            }
            println!("durable updates/s on SQLite, median of {repeat}: {:.0}", median(rates));
        }
        if wanted("cold") {
            let trace = trace();
            for with_snapshot in [false, true] {
                let mut times = Vec::new();
                let mut tail = 0;
                for _ in 0..repeat {
                    let (seconds, stored) = cold_load(&trace, with_snapshot).await;
                    tail = stored;
                    println!("  cold load (snapshot {with_snapshot}, {stored} updates) {:>8.1} ms  load {}", seconds * 1e3, load_average());
                    times.push(seconds * 1e3);
                }
                println!(
                    "cold load, snapshot {with_snapshot}, {tail} stored updates after it, median of {repeat}: {:.1} ms",
                    median(times)
                );
            }
        }
        if wanted("renders") {
            let mut rates = Vec::new();
            let mut length = 0;
            for _ in 0..repeat {
                let target = start(Kind::Baraza).await;
                let (rate, chars) = renders(&target).await;
                length = chars;
                println!("  renders/s per core {rate:>8.0} ({chars} characters)  load {}", load_average());
                rates.push(rate);
            }
            println!("draft page renders per second of server CPU ({length} characters), median of {repeat}: {:.0}", median(rates));
        }
        if wanted("guards") {
            for _ in 0..repeat.min(3) {
                let target = start(Kind::Baraza).await;
                let g = guard_rails(&target).await;
                println!(
                    "guard rails: 5 MB update {:?}; others' p99 {:.2} ms; slow client disconnected {}; resynced {}; server alive {}",
                    g.big_update_closed,
                    g.others_p99_ms,
                    g.slow_disconnected,
                    g.slow_resynced,
                    std::fs::metadata(format!("/proc/{}", target.pid)).is_ok()
                );
            }
        }
    });
    println!("load average at end: {}", load_average());
}
