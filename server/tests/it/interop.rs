//! A stock Yjs client (npm `yjs` + `y-websocket`, run by Node) and a yrs client write the same
//! draft through the server: each sees the other's Chinese text and emoji, in both directions.

use crate::on_both;
use crate::support::TestApp;
use crate::yclient::YClient;
use std::process::Stdio;
use std::time::Duration;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../end2end/interop/yjs-client.mjs"
);

on_both!(
    stock_yjs_and_yrs_clients_write_together,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let (gov, civil) = (
            app.cookie("gov@demo.baraza").await,
            app.cookie("civil@demo.baraza").await,
        );
        let mut rust = YClient::connect(&app.base, draft, Some(&gov), 4_242).await;
        let (from_js, from_rust) = ("来自 JavaScript 的问候 🌍", "Rust says 你好 🦀 ");

        let node = tokio::process::Command::new("node")
            .arg(SCRIPT)
            .args([
                app.base.as_str(),
                &draft.to_string(),
                civil.as_str(),
                from_js,
                from_rust,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (scripts/test installs the end2end packages)");

        // JavaScript -> Rust: the JS client appends once synced.
        assert!(
            rust.pump_until(Duration::from_secs(20), |c| c.string().contains(from_js))
                .await,
            "the JS edit arrived"
        );
        // Rust -> JavaScript: insert right before the JS text, which the JS client waits for.
        let at =
            rust.string().encode_utf16().count() as u32 - from_js.encode_utf16().count() as u32;
        rust.insert(at, from_rust).await;

        let output = tokio::time::timeout(Duration::from_secs(30), node.wait_with_output())
            .await
            .expect("node finishes")
            .unwrap();
        assert!(
            output.status.success(),
            "node: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let reported: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("node printed JSON");
        rust.settle().await;
        let text = rust.string();
        assert!(
            text.ends_with(&format!("{from_rust}{from_js}")),
            "{:?}",
            &text[text.len().saturating_sub(80)..]
        );
        assert_eq!(
            reported["text"].as_str().unwrap(),
            text,
            "both clients hold the same text"
        );

        // The JS client's writing is attributed to the open-data organisation like anyone else's.
        let js_client = reported["clientID"].as_u64().unwrap() as i64;
        let org: Option<i64> = sqlx::query_scalar(
            "SELECT org_id FROM draft_clients WHERE draft_id = $1 AND client_id = $2",
        )
        .bind(draft)
        .bind(js_client)
        .fetch_one(app.pool())
        .await
        .unwrap();
        assert_eq!(org, Some(app.org_id("Open Data Kalden").await));
    }
);
