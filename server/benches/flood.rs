//! One client opens thousands of live connections (comment event streams, draft websockets,
//! sitting channels), holds them, and closes them: how many the server accepts, what they cost
//! while open, and whether the memory comes back afterwards. Run by `scripts/bench`
//! (`cargo bench --package server --bench flood`); figures in docs/BENCHMARKS.md.

mod support;

use futures_util::StreamExt;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const STREAMS: usize = 3_000;
const SOCKETS: usize = 6_000;

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// Opens an event stream; `Some` while it is open (200), `None` when refused.
async fn stream(base: &str, draft: i64) -> Option<TcpStream> {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.ok()?;
    let request = format!(
        "GET /live/drafts/{draft}/comments HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.ok()?;
    head.starts_with(b"HTTP/1.1 200").then_some(stream)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(base: &str, path: &str) -> Option<Socket> {
    let ws = base.replacen("http://", "ws://", 1);
    let mut request = format!("{ws}{path}").into_client_request().ok()?;
    request.headers_mut().insert("origin", base.parse().ok()?);
    tokio_tungstenite::connect_async(request)
        .await
        .ok()
        .map(|(s, _)| s)
}

/// Floods a server; prints what it accepted and its memory at each step.
async fn flood(label: &str, extra: &[&str]) {
    let server = support::Server::start_with(extra);
    let (_, draft) = support::first_draft_in_phase(&server.base, "public_comment").await;
    // The demo's first sitting (the national strategy's hearing) is public: anyone may watch it.
    let watched = reqwest::get(format!("{}/api/v1/sittings/1", server.base))
        .await
        .unwrap();
    assert!(watched.status().is_success(), "the demo has a sitting 1");
    let start = rss_mib(server.pid);
    let mut streams = Vec::new();
    for _ in 0..STREAMS / 500 {
        let opened =
            futures_util::future::join_all((0..500).map(|_| stream(&server.base, draft))).await;
        streams.extend(opened.into_iter().flatten());
    }
    let with_streams = rss_mib(server.pid);
    let mut sockets = Vec::new();
    for chunk in 0..SOCKETS / 500 {
        let opened = futures_util::future::join_all((0..500).map(|i| {
            let path = if (chunk * 500 + i) % 2 == 0 {
                format!("/collab/drafts/{draft}")
            } else {
                "/live/sittings/1".to_string()
            };
            let base = server.base.clone();
            async move { socket(&base, &path).await }
        }))
        .await;
        sockets.extend(opened.into_iter().flatten());
    }
    // Read what the server sent first (sync, the sitting's state), as clients do.
    for s in sockets.iter_mut() {
        let _ = tokio::time::timeout(Duration::from_millis(1), s.next()).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let holding = rss_mib(server.pid);
    let (accepted_streams, accepted_sockets) = (streams.len(), sockets.len());
    drop(streams);
    drop(sockets);
    let closed = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let soon = rss_mib(server.pid);
    tokio::time::sleep(Duration::from_secs(28)).await;
    let later = rss_mib(server.pid);
    println!(
        "{label}: streams {accepted_streams}/{STREAMS}, websockets {accepted_sockets}/{SOCKETS} accepted; \
         RSS {start:.1} MiB idle, {with_streams:.1} with the streams, {holding:.1} with everything, \
         {soon:.1} 2 s after closing, {later:.1} {:.0} s after",
        closed.elapsed().as_secs_f64()
    );
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            flood(
                "cap raised to 100000",
                &["--max-connections-per-client", "100000"],
            )
            .await;
            flood("default cap (1000 per client)", &[]).await;
        });
}
