//! Several `baraza serve` processes on one PostgreSQL database: the people of one draft or
//! sitting connected to different servers see each other's edits, presence and events; a server
//! killed in the middle of a burst loses nothing, its clients resync on another; compaction by
//! several servers keeps exactly one snapshot and every update.

use crate::support::{
    Backend, SittingSocket, TestDb, comment_events, cookie_at, drafting_draft, next_event, serve,
    watch_sitting,
};
use crate::yclient::{YClient, awareness_message};
use app::ids::DraftId;
use futures_util::{SinkExt, StreamExt};
use sqlx::AnyPool;
use std::process::Child;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(20);
const MARKS_EACH: usize = 400;

/// Stops a server when the test ends, however it ends.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn pool(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(url).await.unwrap()
}

/// Reads sitting messages until one satisfies `wanted`.
async fn sitting_until(
    socket: &mut SittingSocket,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = message
            && wanted(&serde_json::from_str(&text).unwrap())
        {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_serve_one_draft_and_losing_one_loses_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    let (a, base_a) = serve(&db.url, true);
    let mut a = Node(a);
    let (b, base_b) = serve(&db.url, false);
    let _b = Node(b);
    let draft = drafting_draft(&base_a).await;
    // Sessions live in the database: a cookie from one server works on the other.
    let gov = cookie_at(&base_a, "gov@demo.baraza").await;
    let civil = cookie_at(&base_b, "civil@demo.baraza").await;

    let mut reader_a = YClient::connect(&base_a, draft, None, 8_000).await;
    let mut reader_b = YClient::connect(&base_b, draft, None, 8_001).await;
    let mut writer_a = YClient::connect(&base_a, draft, Some(&gov), 8_002).await;
    let writer_b = YClient::connect(&base_b, draft, Some(&civil), 8_003).await;

    // Presence crosses servers, with the identity the first server gave it.
    writer_a
        .send(awareness_message(8_002, 1, r#"{"cursor":{"at":3}}"#))
        .await;
    assert!(
        reader_b
            .pump_until(WAIT, |c| c.heard.awareness.iter().any(|a| {
                let text = String::from_utf8_lossy(a);
                text.contains("cursor") && text.contains("\"user\"")
            }))
            .await,
        "presence from server A reaches a reader on server B"
    );

    // A new comment thread on A is announced to a reader of B.
    let strategy: i64 =
        sqlx::query_scalar("SELECT id FROM drafts WHERE title LIKE '%National Strategy%'")
            .fetch_one(&pool(&db.url).await)
            .await
            .unwrap();
    let mut events = comment_events(&base_b, strategy).await;
    let citizen = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = citizen
        .post(format!("{base_a}/auth/login"))
        .form(&[
            ("email", "citizen@demo.baraza"),
            ("password", server::demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), reqwest::StatusCode::SEE_OTHER);
    let process: i64 = sqlx::query_scalar("SELECT process_id FROM drafts WHERE id = $1")
        .bind(strategy)
        .fetch_one(&pool(&db.url).await)
        .await
        .unwrap();
    let posted = citizen
        .post(format!("{base_a}/processes/{process}/drafts/{strategy}"))
        .header("origin", &base_a)
        .form(&[("intent", "comment"), ("body", "Heard on every server.")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), reqwest::StatusCode::SEE_OTHER);
    assert!(
        next_event(&mut events, "\"thread\":").await,
        "a thread change on A is announced on B"
    );

    // A sitting changed through A is seen live by a watcher of B.
    let sittings: Vec<i64> = sqlx::query_scalar("SELECT id FROM sittings WHERE public = 1")
        .fetch_all(&pool(&db.url).await)
        .await
        .unwrap();
    let mediator = cookie_at(&base_a, "mediator@demo.baraza").await;
    let mut opened = false;
    for sitting in sittings {
        let mut watcher = watch_sitting(&base_b, sitting, None, "").await;
        let first = sitting_until(&mut watcher, |_| true).await;
        assert!(first);
        let mut chair = watch_sitting(&base_a, sitting, Some(&mediator), "").await;
        let scheduled = sitting_until(&mut chair, |m| {
            m["sitting"]["state"]["stage"] == "scheduled"
        })
        .await;
        if !scheduled {
            continue;
        }
        chair
            .send(Message::Text(r#"{"do":"open"}"#.into()))
            .await
            .unwrap();
        assert!(sitting_until(&mut chair, |m| m["done"] == true).await);
        assert!(
            sitting_until(&mut watcher, |m| m["sitting"]["state"]["stage"] == "open").await,
            "a watcher on B sees the sitting opened on A"
        );
        opened = true;
        break;
    }
    assert!(opened, "the demo has a scheduled public sitting");

    // Both write as fast as they can, one on each server.
    let bursts: Vec<_> = [(0, writer_a), (1, writer_b)]
        .into_iter()
        .map(|(w, mut writer)| {
            tokio::spawn(async move {
                for i in 0..MARKS_EACH {
                    let at = if w == 0 { 0 } else { writer.len() };
                    writer.insert(at, &format!("<{w}:{i}>")).await;
                }
                writer
            })
        })
        .collect();
    // Once B's reader has seen a good part of A's writing, A dies without warning.
    assert!(
        reader_b
            .pump_until(WAIT, |c| c.string().matches("<0:").count() >= 100)
            .await
    );
    a.0.kill().expect("kill -9");
    a.0.wait().expect("reaped");
    let mut writers = Vec::new();
    for burst in bursts {
        writers.push(burst.await.unwrap());
    }
    let mut writer_b = writers.pop().unwrap();
    let mut writer_a = writers.pop().unwrap();
    // A's clients reconnect to B and resync; what A's writer had not got stored is sent again.
    writer_a.reconnect(&base_b, draft, Some(&gov)).await;
    reader_a.reconnect(&base_b, draft, None).await;
    // A client of B that fell behind reading may have been told to reconnect; it does.
    writer_b.settle().await;
    if writer_b.heard.closed.is_some() {
        writer_b.reconnect(&base_b, draft, Some(&civil)).await;
    }
    reader_b.settle().await;
    if reader_b.heard.closed.is_some() {
        reader_b.reconnect(&base_b, draft, None).await;
    }
    let all = 2 * MARKS_EACH;
    for client in [&mut writer_a, &mut writer_b, &mut reader_a, &mut reader_b] {
        assert!(
            client
                .pump_until(WAIT, |c| c.string().matches('<').count() == all)
                .await,
            "every mark reaches every client (has {})",
            client.string().matches('<').count()
        );
    }
    let text = writer_b.string();
    for client in [&writer_a, &reader_a, &reader_b] {
        assert_eq!(client.string(), text, "all converged");
    }

    // What is stored is exactly that: a third server loading from the database agrees.
    let (c, base_c) = serve(&db.url, false);
    let _c = Node(c);
    let fresh = YClient::connect(&base_c, draft, None, 8_004).await;
    assert_eq!(fresh.string(), text);
    // The stored log has no gap and no number twice.
    let pool = pool(&db.url).await;
    let (count, low, high): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), MIN(seq), MAX(seq) FROM draft_updates WHERE draft_id = $1",
    )
    .bind(draft)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(count, high - low + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_by_several_servers_keeps_exactly_one_snapshot_and_every_update() {
    let db = TestDb::new(Backend::Postgres).await;
    let (a, base_a) = serve(&db.url, true);
    let _a = Node(a);
    let (b, base_b) = serve(&db.url, false);
    let _b = Node(b);
    let draft = drafting_draft(&base_a).await;
    let gov = cookie_at(&base_a, "gov@demo.baraza").await;
    let civil = cookie_at(&base_b, "civil@demo.baraza").await;
    // Enough updates, from both servers at once, that both reach their compaction point together.
    let each = server::collab::room::SNAPSHOT_EVERY as usize / 2 + 200;
    let clients = [(&base_a, &gov, 9_001u64), (&base_b, &civil, 9_002u64)];
    // Both connect before either writes, so both start from the same text.
    let mut connected = Vec::new();
    for (base, cookie, client) in clients {
        connected.push(YClient::connect(base, draft, Some(cookie), client).await);
    }
    let start = connected[0].len() as usize;
    assert_eq!(connected[1].len() as usize, start);
    let mut bursts = Vec::new();
    for (w, mut writer) in connected.into_iter().enumerate() {
        bursts.push(tokio::spawn(async move {
            for i in 0..each {
                let at = if w == 0 { 0 } else { writer.len() };
                writer.insert(at, &format!("{}", i % 10)).await;
            }
            writer
        }));
    }
    let mut writers = Vec::new();
    for burst in bursts {
        writers.push(burst.await.unwrap());
    }
    // A writer that fell behind reading may have been told to reconnect; it does, as y-websocket
    // would, and sends what the server lacks.
    for (writer, (base, cookie, _)) in writers.iter_mut().zip(clients) {
        writer.settle().await;
        if writer.heard.closed.is_some() {
            writer.reconnect(base, draft, Some(cookie)).await;
        }
    }
    for writer in &mut writers {
        let done = writer
            .pump_until(WAIT, |c| c.len() as usize == start + 2 * each)
            .await;
        assert!(
            done,
            "each writer has both writers' text: has {} of {}, closed {:?}",
            writer.len() as usize - start,
            2 * each,
            writer.heard.closed
        );
    }
    let text = writers[0].string();
    assert_eq!(writers[1].string(), text, "both servers' writers converged");

    let pool = pool(&db.url).await;
    let snapshot_at: i64 =
        sqlx::query_scalar("SELECT seq FROM draft_snapshots WHERE draft_id = $1")
            .bind(draft)
            .fetch_one(&pool)
            .await
            .expect("exactly one snapshot row");
    let (count, low, high): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(seq), MAX(seq) FROM draft_updates WHERE draft_id = $1",
    )
    .bind(draft)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(snapshot_at >= server::collab::room::SNAPSHOT_EVERY as i64);
    if let (Some(low), Some(high)) = (low, high) {
        assert_eq!(
            low,
            snapshot_at + 1,
            "only updates after the snapshot are kept"
        );
        assert_eq!(count, high - low + 1, "no gap");
    }
    // A third server loads snapshot and tail: the same text, nothing lost or doubled.
    let (c, base_c) = serve(&db.url, false);
    let _c = Node(c);
    let fresh = YClient::connect(&base_c, draft, None, 9_003).await;
    assert_eq!(fresh.string(), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_compactions_at_once_exactly_one_wins() {
    let db = TestDb::new(Backend::Postgres).await;
    let (a, base_a) = serve(&db.url, true);
    let _a = Node(a);
    let draft = drafting_draft(&base_a).await;
    let snapshot_at = 0;
    // The store itself: two compactions at once, exactly one wins; an older one changes nothing.
    let database = server::db::connect(&db.url).await.unwrap();
    let store = std::sync::Arc::new(server::store::SqlStore::new(&database));
    use app::ssr::DraftLog;
    let state = server::collab::doc::DraftDoc::load(None, [])
        .unwrap()
        .encode_state()
        .unwrap();
    let next = snapshot_at + 10_000;
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let store = store.clone();
            let state = state.clone();
            tokio::spawn(async move {
                store
                    .compact_draft(DraftId(draft), next, &state, 1)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for racer in racers {
        won += usize::from(racer.await.unwrap());
    }
    assert_eq!(won, 1, "exactly one of two compactions at once wins");
    assert!(
        !store
            .compact_draft(DraftId(draft), next - 1, &state, 2)
            .await
            .unwrap(),
        "an older snapshot never replaces a newer one"
    );
}
