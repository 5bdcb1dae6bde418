//! The open-data API.

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::StatusCode;

on_both!(processes_are_published_as_open_data, |backend| async move {
    let app = TestApp::start(backend).await;
    let response = TestApp::client()
        .get(app.url("/api/v1/processes"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let list: serde_json::Value = response.json().await.unwrap();
    let processes = list["processes"].as_array().unwrap();
    assert_eq!(processes.len(), 4);
    for process in processes {
        for field in [
            "id",
            "url",
            "title",
            "summary",
            "level",
            "languages",
            "phase",
            "open_for_input",
            "phases",
            "created_at",
            "updated_at",
        ] {
            assert!(!process[field].is_null(), "{field}");
        }
        assert!(process["title"]["en"].is_string() && process["title"]["zh-Hans"].is_string());
        assert_eq!(process["phases"].as_array().unwrap().len(), 7);
    }

    let id = app.process_in("drafting").await;
    let body = text(
        TestApp::client()
            .get(app.url(&format!("/api/v1/processes/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        !body.contains("@demo.baraza"),
        "no personal data beyond display names"
    );
    assert!(!body.contains("password"));
    let detail: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(detail["id"], id);
    let organisations = detail["organisations"].as_array().unwrap();
    assert!(
        organisations
            .iter()
            .any(|o| o["role"] == "co_drafter" && o["stakeholder"] == "informal")
    );
    assert!(
        organisations
            .iter()
            .all(|o| o["kind"].is_string() && o["name"].is_object())
    );
    assert!(
        detail["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["role"] == "mediator" && p["display_name"].is_string())
    );
    assert!(detail["rules"]["en"].is_string());
});

on_both!(missing_processes_are_json_errors, |backend| async move {
    let app = TestApp::start(backend).await;
    for path in ["/api/v1/processes/99999", "/api/v1/processes/not-a-number"] {
        let response = TestApp::client()
            .get(app.url(path))
            .header("accept-language", "zh-Hans")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"], "not_found");
        assert_eq!(
            error["message"],
            app::i18n::Msg::ErrorNotFound.render(app::i18n::Lang::ZhHans)
        );
    }
});

on_both!(health_answers, |backend| async move {
    let app = TestApp::start(backend).await;
    let response = TestApp::client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
});

on_both!(
    drafts_are_published_with_shares_and_versions,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("drafting").await;
        let detail: serde_json::Value = app.json(&format!("/api/v1/processes/{process}")).await;
        let drafts = detail["drafts"].as_array().unwrap();
        assert_eq!(drafts.len(), 2);
        let id = drafts[0]["id"].as_i64().unwrap();
        let response = TestApp::client()
            .get(app.url(&format!("/api/v1/drafts/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
        let draft: serde_json::Value = response.json().await.unwrap();
        assert!(draft["text"].as_str().unwrap().contains("Chapter 1"));
        let shares = draft["shares"].as_array().unwrap();
        let kinds: Vec<&str> = shares
            .iter()
            .filter_map(|s| s["organisation"]["stakeholder"].as_str())
            .collect();
        assert!(
            kinds.contains(&"government")
                && kinds.contains(&"civil_society")
                && kinds.contains(&"informal"),
            "{kinds:?}"
        );
        let total: f64 = shares.iter().map(|s| s["share"].as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 0.001, "shares add up: {total}");
        assert_eq!(draft["versions"].as_array().unwrap().len(), 0);
        let missing = TestApp::client()
            .get(app.url(&format!("/api/v1/drafts/{id}/versions/1")))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        // A co-drafter names a version; its text and SHA-256 are published as they were.
        let gov = app.signed_in("gov@demo.baraza").await;
        let named = gov
            .post(app.url(&format!("/processes/{process}/drafts/{id}")))
            .form(&[("intent", "version"), ("name", "Consultation text")])
            .send()
            .await
            .unwrap();
        assert_eq!(named.status(), StatusCode::SEE_OTHER);
        let version: serde_json::Value = app.json(&format!("/api/v1/drafts/{id}/versions/1")).await;
        let named_text = version["text"].as_str().unwrap();
        assert_eq!(named_text, draft["text"].as_str().unwrap());
        assert_eq!(
            version["content_hash"],
            app::api::drafts::content_hash(named_text)
        );
        assert_eq!(version["name"], "Consultation text");
        let page = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{process}/drafts/{id}/compare?from=1")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(page.contains("Changes from 1. Consultation text to the live text"));
    }
);
