//! A right taken away is gone for the next message: a co-drafter connected to a draft, whose
//! right to write is taken by a phase change, a change of their organisation's role, their removal
//! from it or its verification withdrawn, has the very next edit refused, stored nowhere and
//! relayed to nobody; so has a note-taker of a sitting's minutes once the sitting closes. Each
//! story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::TestApp;
use crate::yclient::YClient;
use reqwest::StatusCode;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

/// A writer connected to `draft` who has just written (so their right to write is known to the
/// room), and a reader who would receive whatever is relayed.
async fn writing(app: &TestApp, draft: i64, email: &str) -> (YClient, YClient) {
    let cookie = app.cookie(email).await;
    let mut writer = YClient::connect(&app.base, draft, Some(&cookie), 9_101).await;
    let mut reader = YClient::connect(&app.base, draft, None, 9_102).await;
    writer.insert(0, "Allowed. ").await;
    assert!(
        reader
            .pump_until(WAIT, |r| r.string().starts_with("Allowed. "))
            .await,
        "the writer may write at first"
    );
    (writer, reader)
}

/// The writer's next edit, sent as soon as the change is answered, is refused inside the protocol:
/// not stored, not relayed.
async fn next_edit_refused(app: &TestApp, draft: i64, writer: &mut YClient, reader: &mut YClient) {
    let stored = app.stored_updates(draft).await;
    writer.insert(0, "TOO LATE ").await;
    assert!(
        writer
            .pump_until(WAIT, |w| !w.heard.denied.is_empty())
            .await,
        "the writer is told at once"
    );
    reader.settle().await;
    assert!(!reader.string().contains("TOO LATE"), "relayed to nobody");
    assert_eq!(app.stored_updates(draft).await, stored, "stored nowhere");
}

/// Posts a form that must succeed.
async fn post(app: &TestApp, email: &str, path: &str, form: &[(&str, &str)]) {
    let response = app
        .signed_in(email)
        .await
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path} {form:?}");
}

/// The charter (being drafted) and its process; gov@ writes it for Kalden City Hall.
async fn charter(app: &TestApp) -> (i64, i64) {
    (
        app.process_in("drafting").await,
        app.draft_id("Charter").await,
    )
}

on_both!(a_phase_change_stops_the_next_edit, |backend| async move {
    let app = TestApp::start(backend).await;
    let (process, draft) = charter(&app).await;
    let (mut writer, mut reader) = writing(&app, draft, "gov@demo.baraza").await;
    post(
        &app,
        "mediator@demo.baraza",
        &format!("/processes/{process}/manage"),
        &[("intent", "phase"), ("phase", "public_comment")],
    )
    .await;
    next_edit_refused(&app, draft, &mut writer, &mut reader).await;
});

on_both!(
    an_organisations_new_role_stops_the_next_edit,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = charter(&app).await;
        let city = app.org_id("Kalden City Hall").await.to_string();
        let (mut writer, mut reader) = writing(&app, draft, "gov@demo.baraza").await;
        post(
            &app,
            "admin@demo.baraza",
            &format!("/admin/processes/{process}"),
            &[
                ("intent", "org_role"),
                ("org", &city),
                ("role", "participant"),
            ],
        )
        .await;
        next_edit_refused(&app, draft, &mut writer, &mut reader).await;
    }
);

on_both!(
    leaving_the_organisation_stops_the_next_edit,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (_, draft) = charter(&app).await;
        let city = app.org_id("Kalden City Hall").await;
        let gov = app.person_id("gov@demo.baraza").await.to_string();
        let (mut writer, mut reader) = writing(&app, draft, "gov@demo.baraza").await;
        post(
            &app,
            "admin@demo.baraza",
            &format!("/organisations/{city}"),
            &[("intent", "member"), ("remove", &gov)],
        )
        .await;
        next_edit_refused(&app, draft, &mut writer, &mut reader).await;
    }
);

on_both!(
    a_withdrawn_verification_stops_the_next_edit,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (_, draft) = charter(&app).await;
        let city = app.org_id("Kalden City Hall").await;
        let (mut writer, mut reader) = writing(&app, draft, "gov@demo.baraza").await;
        post(
            &app,
            "admin@demo.baraza",
            &format!("/organisations/{city}"),
            &[("intent", "withdraw"), ("reason", "Under review.")],
        )
        .await;
        next_edit_refused(&app, draft, &mut writer, &mut reader).await;
    }
);

on_both!(
    closing_a_sitting_stops_its_note_takers_next_edit,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("public_comment").await;
        // The national strategy's hearing; Priya Raman (civil@) takes its notes.
        let (sitting, minutes): (i64, i64) = sqlx::query_as(
            "SELECT id, minutes_draft_id FROM sittings WHERE process_id = $1 AND closed_at IS NULL",
        )
        .bind(process)
        .fetch_one(app.pool())
        .await
        .unwrap();
        let room = format!("/processes/{process}/sittings/{sitting}");
        post(
            &app,
            "mediator@demo.baraza",
            &room,
            &[("intent", "command"), ("do", "open")],
        )
        .await;
        let (mut writer, mut reader) = writing(&app, minutes, "civil@demo.baraza").await;
        post(
            &app,
            "mediator@demo.baraza",
            &room,
            &[("intent", "command"), ("do", "close"), ("confirmed", "yes")],
        )
        .await;
        next_edit_refused(&app, minutes, &mut writer, &mut reader).await;
    }
);
