//! The co-drafting server under load (a benchmark, not a test): `scripts/bench`.
//!
//! Starts the release `baraza` binary on a fresh SQLite database with the demo content, and for
//! 10, 100 and 500 clients on one draft reports: the time from an edit leaving the writer to its
//! arrival at every other client (median and 99th percentile), durable updates per second (each
//! stored before it is relayed), and the server's memory per connection (resident set growth).
//! Figures go to standard output; docs/BENCHMARKS.md records them with the machine they came from.

mod support;

use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use yrs::{Doc, OffsetKind, Options, Text, Transact};

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn cookie(base: &str, email: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{base}/auth/login"))
        .form(&[("email", email), ("password", "baraza-demo")])
        .send()
        .await
        .unwrap();
    let set = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            v.to_str()
                .ok()
                .filter(|c| c.starts_with("baraza_session="))
                .map(|c| c.split(';').next().unwrap().to_string())
        });
    set.expect("signed in")
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, draft: i64, cookie: Option<&str>) -> Socket {
    let mut request = format!("{}/collab/drafts/{draft}", base.replacen("http", "ws", 1))
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
        .expect("connect")
        .0
}

fn is_update(bytes: &[u8]) -> bool {
    bytes.len() > 2 && bytes[0] == 0 && bytes[1] == 2
}

async fn run(base: &str, draft: i64, pid: u32, readers: usize, writer_cookie: &str) {
    let before = rss_kib(pid);
    // Readers: count each live update and note when it arrived.
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<(usize, Instant)>();
    let mut tasks = Vec::new();
    for reader in 0..readers {
        let mut socket = open(base, draft, None).await;
        let arrivals = arrivals.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = 0usize;
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Binary(bytes) = message
                    && is_update(&bytes)
                {
                    let _ = arrivals.send((seen, Instant::now()));
                    seen += 1;
                }
            }
            reader
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let per_connection = (rss_kib(pid).saturating_sub(before)) as f64 / readers as f64;

    // The writer: one character at a time, at a steady 20 edits per second, for latency.
    let mut writer = open(base, draft, Some(writer_cookie)).await;
    let doc = Doc::with_options(Options {
        client_id: yrs::block::ClientID::new(900_000 + readers as u64),
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    });
    let text = doc.get_or_insert_text("body");
    let edits = 60;
    let mut sent = Vec::with_capacity(edits);
    for i in 0..edits {
        let update = {
            let mut txn = doc.transact_mut();
            text.insert(&mut txn, i as u32, "x");
            txn.encode_update_v1()
        };
        sent.push(Instant::now());
        writer
            .send(Message::Binary(
                server::collab::protocol::update(&update).into(),
            ))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut latencies = Vec::with_capacity(edits * readers);
    let deadline = Instant::now() + Duration::from_secs(30);
    while latencies.len() < edits * readers && Instant::now() < deadline {
        if let Ok(Some((k, at))) =
            tokio::time::timeout(Duration::from_secs(1), arrived.recv()).await
            && k < edits
        {
            latencies.push(at.duration_since(sent[k]).as_secs_f64() * 1000.0);
        }
    }
    let delivered = latencies.len();
    latencies.sort_by(f64::total_cmp);

    // Throughput: a burst of edits as fast as the writer can send them, until every reader has all.
    let burst: usize = 2_000;
    let start = Instant::now();
    for i in 0..burst {
        let update = {
            let mut txn = doc.transact_mut();
            let at = text.len(&txn);
            text.insert(&mut txn, at.min((edits + i) as u32), "y");
            txn.encode_update_v1()
        };
        writer
            .send(Message::Binary(
                server::collab::protocol::update(&update).into(),
            ))
            .await
            .unwrap();
    }
    let mut got = 0usize;
    while got < burst * readers {
        match tokio::time::timeout(Duration::from_secs(20), arrived.recv()).await {
            Ok(Some((k, _))) if k >= edits => got += 1,
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{readers:>4} clients | latency median {:>7.2} ms | p99 {:>7.2} ms | delivered {delivered}/{} | \
         durable updates/s {:>7.0} (all {burst} delivered to {readers}: {}) | memory/connection {:>6.1} KiB",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        edits * readers,
        burst as f64 / elapsed,
        got == burst * readers,
        per_connection,
    );
    drop(writer);
    for task in tasks {
        task.abort();
    }
}

fn main() {
    let server = support::Server::start();
    let base = server.base.clone();
    let pid = server.pid;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let writer = cookie(&base, "gov@demo.baraza").await;
        println!("server baseline: {} KiB resident", rss_kib(pid));
        for readers in [10, 100, 500] {
            // One draft per run, so that each run starts from the same text.
            run(&base, 1, pid, readers, &writer).await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    drop(server);
}
