//! A process's activity as an Atom feed: read back by Python's XML parser, with stable entry
//! ids, its public sittings, in the reader's language, and nothing of an invited-only sitting
//! (its published decisions: tests/it/decisions.rs, which publishes one). Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, python, text};
use reqwest::StatusCode;
use serde_json::Value;

/// The feed's title and its entries (id, title, updated, link), as Python's ElementTree reads
/// them.
fn parsed(atom: &str) -> Value {
    let script = r#"
import json, sys
import xml.etree.ElementTree as ET
ns = {"a": "http://www.w3.org/2005/Atom"}
feed = ET.fromstring(sys.stdin.buffer.read())
assert feed.tag == "{http://www.w3.org/2005/Atom}feed", feed.tag
entries = [{
    "id": e.findtext("a:id", namespaces=ns), "title": e.findtext("a:title", namespaces=ns),
    "updated": e.findtext("a:updated", namespaces=ns),
    "link": e.find("a:link", ns).get("href"),
} for e in feed.findall("a:entry", ns)]
print(json.dumps({"title": feed.findtext("a:title", namespaces=ns),
                  "updated": feed.findtext("a:updated", namespaces=ns), "entries": entries}))
"#;
    let (ok, out) = python(script, atom);
    assert!(ok, "the feed parses as Atom: {out}\n{atom}");
    serde_json::from_str(&out).unwrap()
}

fn titles(feed: &Value) -> Vec<String> {
    feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}

on_both!(
    a_process_activity_is_a_feed_anyone_can_follow,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, sitting, title): (i64, i64, String) = sqlx::query_as(
            "SELECT process_id, id, title FROM sittings WHERE closed_at IS NULL ORDER BY id LIMIT 1",
        )
        .fetch_one(app.pool())
        .await
        .expect("a demo sitting still to come");
        let path = format!("/processes/{process}/activity.atom");
        let anonymous = TestApp::client();
        let response = anonymous.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        assert_eq!(response.headers()["cache-control"], "private, no-cache");
        let atom = text(response).await;
        let feed = parsed(&atom);
        assert!(feed["title"].as_str().unwrap().ends_with(": activity"));
        let entries = feed["entries"].as_array().unwrap();
        assert!(!entries.is_empty());
        let ids: std::collections::BTreeSet<&str> =
            entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), entries.len(), "every entry has its own id");
        assert!(
            titles(&feed)
                .iter()
                .any(|t| t.starts_with(&format!("Sitting: {title}, "))),
            "{:?}",
            titles(&feed)
        );
        assert!(
            entries
                .iter()
                .all(|e| e["link"].as_str().unwrap().starts_with(&app.base))
        );
        // The same events keep the same ids, so a feed reader shows each once.
        let again = parsed(&text(anonymous.get(app.url(&path)).send().await.unwrap()).await);
        assert_eq!(again["entries"], feed["entries"]);

        // In Chinese when asked.
        let chinese = parsed(
            &text(
                anonymous
                    .get(app.url(&format!("{path}?lang=zh-Hans")))
                    .send()
                    .await
                    .unwrap(),
            )
            .await,
        );
        assert!(chinese["title"].as_str().unwrap().ends_with("：动态"));
        assert!(titles(&chinese).iter().any(|t| t.starts_with("会议：")));

        // An invited-only sitting is not in it.
        sqlx::query("UPDATE sittings SET public = 0 WHERE id = $1")
            .bind(sitting)
            .execute(app.pool())
            .await
            .unwrap();
        let private = parsed(&text(anonymous.get(app.url(&path)).send().await.unwrap()).await);
        assert!(
            !titles(&private)
                .iter()
                .any(|t| t.starts_with(&format!("Sitting: {title}, ")))
        );

        // Published decisions are in it too: tests/it/decisions.rs publishes one and reads it.
        let missing = anonymous
            .get(app.url("/processes/999999/activity.atom"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
);
