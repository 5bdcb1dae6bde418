//! Serving a draft page with many comments (a benchmark, not a test): `scripts/bench`.
//!
//! Starts the release `baraza` binary on a fresh SQLite database with the demo content, adds
//! comments to the national strategy's draft straight into the database (a third on passages,
//! a third replies, Markdown bodies of about 400 characters), and for 100, 1,000 and 5,000
//! comments reports how long the server takes to answer `GET` of the draft page (median and 90th
//! percentile of 15 requests, read whole over loopback) and how large the page is, for an
//! anonymous reader. Figures go to standard output; docs/BENCHMARKS.md records them.

mod support;

use sqlx::any::AnyPoolOptions;
use std::time::Instant;

const BODY: &str = "We support the aim of this section, but the **timeline** is too short for \
smaller municipalities. Please consider:\n\n- a transition period of two years;\n- a named \
contact in each ministry;\n- publishing the costing, as [the pilot report](https://example.org/pilot) \
did.\n\n> Paper and assisted voting will remain available\n\nThis matters for *older residents* \
most of all.";

async fn add_comments(url: &str, draft: i64, process: i64, from: usize, to: usize) {
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    // A passage that exists in the demo draft: the first demo comment's anchor.
    let (quote, start, end): (String, String, String) = sqlx::query_as(
        "SELECT quote, anchor_start, anchor_end FROM comments WHERE draft_id = $1 AND quote IS NOT NULL \
         ORDER BY id LIMIT 1",
    )
    .bind(draft)
    .fetch_one(&pool)
    .await
    .unwrap();
    let person: i64 =
        sqlx::query_scalar("SELECT id FROM people WHERE email = 'citizen@demo.baraza'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let mut last_root = 0i64;
    for i in from..to {
        let reply = i % 3 == 2 && last_root != 0;
        let passage = i % 3 == 0;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (draft_id, process_id, parent_id, thread_id, depth, person_id, org_id, \
             display_name, official, stance, body, quote, anchor_start, anchor_end, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, 0, 'suggests', $8, $9, $10, $11, 'visible', 0) RETURNING id",
        )
        .bind(draft)
        .bind(process)
        .bind(reply.then_some(last_root))
        .bind(if reply { last_root } else { 0 })
        .bind(i64::from(reply))
        .bind(person)
        .bind(format!("Reader {i}"))
        .bind(BODY)
        .bind((passage && !reply).then(|| quote.clone()))
        .bind((passage && !reply).then(|| start.clone()))
        .bind((passage && !reply).then(|| end.clone()))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        if !reply {
            sqlx::query("UPDATE comments SET thread_id = id WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
            last_root = id;
        }
    }
    tx.commit().await.unwrap();
    pool.close().await;
}

async fn measure(base: &str, path: &str) -> (f64, f64, usize) {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..15 {
        let started = Instant::now();
        let body = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        size = body.len();
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[(times.len() * 9) / 10], size)
}

fn main() {
    sqlx::any::install_default_drivers();
    let server = support::Server::start();
    let base = server.base.clone();
    let url = server.database_url.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (process, draft) = support::first_draft_in_phase(&base, "public_comment").await;
        let path = format!("/processes/{process}/drafts/{draft}");
        let (median, p90, size) = measure(&base, &path).await;
        println!(
            "demo comments only: median {median:.1} ms, p90 {p90:.1} ms, {} KiB",
            size / 1024
        );
        let mut have = 0;
        for total in [100, 1_000, 5_000] {
            add_comments(&url, draft, process, have, total).await;
            have = total;
            let (median, p90, size) = measure(&base, &path).await;
            println!(
                "{total:>5} comments: draft page median {median:.1} ms, p90 {p90:.1} ms, {} KiB",
                size / 1024
            );
        }
    });
    drop(server);
}
