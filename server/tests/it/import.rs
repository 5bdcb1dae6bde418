//! Starting a draft from a Word document: the structure comes through (checked by a round trip
//! through Baraza's own Word export), the text is the importer's, and a file that cannot be
//! imported, or a person who may not start drafts, leaves nothing behind.

use crate::documents::blocks;
use crate::on_both;
use crate::support::{TestApp, text};
use crate::yclient::YClient;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};

/// A `multipart/form-data` body as a browser sends it: the text fields, then the file (in the
/// field `document`). Returns the content type (with its boundary) and the body.
pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----BarazaTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn import(
    client: &reqwest::Client,
    app: &TestApp,
    process: i64,
    title: &str,
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let (content_type, body) = multipart(
        &[("intent", "draft"), ("title", title), ("language", "en")],
        file,
    );
    client
        .post(app.url(&format!("/processes/{process}/manage")))
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The demo charter as Baraza's own Word export writes it (a co-drafter names a version first).
async fn charter_docx(app: &TestApp, process: i64, charter: i64) -> Vec<u8> {
    let gov = app.signed_in("gov@demo.baraza").await;
    let named = gov
        .post(app.url(&format!("/processes/{process}/drafts/{charter}")))
        .form(&[("intent", "version"), ("name", "To share")])
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), StatusCode::SEE_OTHER);
    let exported = TestApp::client()
        .get(app.url(&format!(
            "/api/v1/drafts/{charter}/versions/1/export?format=docx"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(exported.status(), StatusCode::OK);
    exported.bytes().await.unwrap().to_vec()
}

async fn draft_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM drafts")
        .fetch_one(app.pool())
        .await
        .unwrap()
}

on_both!(
    a_word_document_starts_a_draft_with_its_structure_written_by_the_importer,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let charter = app.draft_id("Charter").await;
        let process = app.process_in("drafting").await;
        let docx = charter_docx(&app, process, charter).await;

        let mediator = app.signed_in("mediator@demo.baraza").await;
        // No title given: the document's own is used.
        let created = import(&mediator, &app, process, "", Some(("charter.docx", &docx))).await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let to = created.headers()[LOCATION].to_str().unwrap().to_string();
        let imported: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
        assert!(
            to.starts_with(&format!("/processes/{process}/drafts/")),
            "{to}"
        );

        // The same chapters, articles, paragraphs and lists, with the same words.
        assert_eq!(blocks(&app, imported).await, blocks(&app, charter).await);
        let original = app.json(&format!("/api/v1/drafts/{charter}")).await;
        let detail = app.json(&format!("/api/v1/drafts/{imported}")).await;
        assert_eq!(detail["title"], original["title"]);
        assert_eq!(detail["text"], original["text"]);

        // The text is the mediator's, stored as one update under a client of theirs.
        assert_eq!(app.stored_updates(imported).await, 1);
        let writers = app
            .json(&format!("/api/v1/drafts/{imported}/writers"))
            .await;
        assert_eq!(writers["writers"].as_array().unwrap().len(), 1);
        let page = mediator.get(app.url(&to)).send().await.unwrap();
        let page = text(page).await;
        assert!(
            page.contains("started from the Word document"),
            "the notice"
        );
        assert!(
            page.contains("id=\"art-1\""),
            "articles have their addresses"
        );

        // A stock Yjs client reads it live and writes on.
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, imported, Some(&cookie), 7_401).await;
        assert_eq!(writer.string(), detail["text"].as_str().unwrap());
        writer.insert(0, "Imported and edited. ").await;
        writer.settle().await;
        let after = app.json(&format!("/api/v1/drafts/{imported}")).await;
        assert!(
            after["text"]
                .as_str()
                .unwrap()
                .starts_with("Imported and edited. ")
        );
    }
);

on_both!(
    a_file_that_cannot_be_imported_is_refused_by_name_and_leaves_no_draft,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("drafting").await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let before = draft_count(&app).await;

        let refused = import(
            &mediator,
            &app,
            process,
            "Annex",
            Some(("annex.docx", b"This is a text file named .docx")),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let page = text(refused).await;
        assert!(
            page.contains("This file is not a Word document (.docx)."),
            "{page}"
        );
        // The form comes back with what was typed.
        assert!(page.contains("value=\"Annex\""));

        // Without a title and without a file, the title is required, as before.
        let untitled = import(&mediator, &app, process, " ", None).await;
        assert_eq!(untitled.status(), StatusCode::BAD_REQUEST);
        assert!(text(untitled).await.contains("This field is required."));

        // Past the upload limit: refused before anything is read.
        let huge = vec![b'x'; app::domain::document::import::MAX_FILE_BYTES + (2 << 20)];
        let too_large = import(&mediator, &app, process, "Huge", Some(("huge.docx", &huge))).await;
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // A malformed multipart body is a bad form, not a crash.
        let garbled = mediator
            .post(app.url(&format!("/processes/{process}/manage")))
            .header(CONTENT_TYPE, "multipart/form-data; boundary=nope")
            .body("--other\r\nContent-Disposition: form-data\r\n\r\nx")
            .send()
            .await
            .unwrap();
        assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);

        assert_eq!(draft_count(&app).await, before);
    }
);

on_both!(
    only_those_who_may_start_drafts_may_import_one,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("drafting").await;
        let charter = app.draft_id("Charter").await;
        let docx = charter_docx(&app, process, charter).await;
        let before = draft_count(&app).await;
        for email in [
            "citizen@demo.baraza",
            "gov@demo.baraza",
            "moderator@demo.baraza",
        ] {
            let who = app.signed_in(email).await;
            let refused = import(&who, &app, process, "", Some(("charter.docx", &docx))).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{email}");
        }
        let anonymous = import(
            &TestApp::client(),
            &app,
            process,
            "",
            Some(("charter.docx", &docx)),
        )
        .await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(draft_count(&app).await, before);
        // A process past drafting takes no new drafts, imported or not.
        let decided = app.process_in("decision").await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let late = import(&mediator, &app, decided, "", Some(("charter.docx", &docx))).await;
        assert_eq!(late.status(), StatusCode::FORBIDDEN);
        assert_eq!(draft_count(&app).await, before);
    }
);
