//! Calendars: a sitting's `.ics` and a process's calendar feed, read back by the reference
//! Python `icalendar` package, in the reader's language and only for those who may see the
//! sitting. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, python, text};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Parses a calendar with `icalendar`: its name and its events' fields, as JSON.
fn parsed(ics: &str) -> Value {
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
def when(event, name):
    value = event.get(name)
    return None if value is None else value.dt.isoformat()
events = [{
    "uid": str(e.get("uid")), "summary": str(e.get("summary")),
    "start": when(e, "dtstart"), "end": when(e, "dtend"),
    "location": str(e.get("location") or ""), "description": str(e.get("description") or ""),
    "url": str(e.get("url")),
} for e in cal.walk("VEVENT")]
print(json.dumps({"name": str(cal.get("x-wr-calname")), "events": events}))
"#;
    let (ok, out) = python(script, ics);
    assert!(ok, "icalendar reads the file: {out}\n{ics}");
    serde_json::from_str(&out).unwrap()
}

async fn calendar_at(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(
            response.headers()["cache-control"],
            "private, no-cache",
            "{path}"
        );
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar"),
            "{path}"
        );
    }
    (status, text(response).await)
}

/// The demo's sitting that is still to come: (process, sitting, title, starts_at, place).
async fn coming_sitting(app: &TestApp) -> (i64, i64, String, i64, String) {
    sqlx::query_as(
        "SELECT process_id, id, title, starts_at, place FROM sittings \
         WHERE closed_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("a demo sitting still to come")
}

/// An instant as Python's `isoformat` writes a UTC time.
fn utc(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(millis / 1000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .replace('Z', "+00:00")
}

on_both!(a_sitting_goes_into_anyones_calendar, |backend| async move {
    let app = TestApp::start(backend).await;
    let (process, sitting, title, starts_at, place) = coming_sitting(&app).await;
    let anonymous = TestApp::client();
    let path = format!("/processes/{process}/sittings/{sitting}.ics");
    let (status, ics) = calendar_at(&app, &anonymous, &path).await;
    assert_eq!(status, StatusCode::OK);
    let cal = parsed(&ics);
    let event = &cal["events"][0];
    assert_eq!(cal["events"].as_array().unwrap().len(), 1);
    assert_eq!(event["summary"], title.as_str());
    assert_eq!(
        event["location"],
        place.as_str(),
        "commas and dashes survive"
    );
    assert_eq!(event["start"], utc(starts_at).as_str());
    assert!(event["end"].is_null(), "a sitting has no planned length");
    assert!(
        event["uid"]
            .as_str()
            .unwrap()
            .starts_with(&format!("sitting-{sitting}@"))
    );
    let page = format!("/processes/{process}/sittings/{sitting}");
    assert!(event["url"].as_str().unwrap().ends_with(&page));
    assert!(
        event["description"]
            .as_str()
            .unwrap()
            .starts_with("Agenda:\n1. ")
    );

    // In Chinese when asked (a calendar program sends no language of its own).
    let (_, ics) = calendar_at(&app, &anonymous, &format!("{path}?lang=zh-Hans")).await;
    let description = parsed(&ics)["events"][0]["description"].clone();
    assert!(
        description.as_str().unwrap().starts_with("议程：\n1. "),
        "{description}"
    );

    // The page is still the page, and it offers the file.
    let response = anonymous.get(app.url(&page)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = text(response).await;
    assert!(html.contains(&format!("href=\"{path}?lang=en\"")), "{html}");

    // Wrong addresses are not found.
    for wrong in [
        format!("/processes/{}/sittings/{sitting}.ics", process + 100),
        format!("/processes/{process}/sittings/{}.ics", sitting + 100),
        format!("/processes/{process}/sittings/x.ics"),
    ] {
        let (status, _) = calendar_at(&app, &anonymous, &wrong).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");
    }

    // An invited-only sitting: not for the public, not even whether it exists; the
    // mediator who runs it still gets it.
    sqlx::query("UPDATE sittings SET public = 0 WHERE id = $1")
        .bind(sitting)
        .execute(app.pool())
        .await
        .unwrap();
    let (status, _) = calendar_at(&app, &anonymous, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let citizen = app.signed_in("citizen@demo.baraza").await;
    let (status, _) = calendar_at(&app, &citizen, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mediator = app.signed_in("mediator@demo.baraza").await;
    let (status, _) = calendar_at(&app, &mediator, &path).await;
    assert_eq!(status, StatusCode::OK);
    let (_, ics) = calendar_at(
        &app,
        &anonymous,
        &format!("/processes/{process}/calendar.ics"),
    )
    .await;
    assert!(
        !ics.contains(&format!("sitting-{sitting}@")),
        "not in the public feed"
    );
});

on_both!(
    a_process_calendar_holds_its_phases_and_sittings,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, closed_at): (i64, i64) = sqlx::query_as(
            "SELECT process_id, closed_at FROM sittings WHERE closed_at IS NOT NULL ORDER BY id LIMIT 1",
        )
        .fetch_one(app.pool())
        .await
        .expect("a demo sitting that closed");
        let anonymous = TestApp::client();
        let (status, ics) = calendar_at(
            &app,
            &anonymous,
            &format!("/processes/{process}/calendar.ics"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let cal = parsed(&ics);
        let api = app.json(&format!("/api/v1/processes/{process}")).await;
        let title = api["title"]["en"].as_str().unwrap();
        assert_eq!(cal["name"], format!("{title}: sittings and dates").as_str());
        let events = cal["events"].as_array().unwrap();
        // Each phase but the closing one is an all-day event over its planned days.
        for phase in api["phases"].as_array().unwrap() {
            let code = phase["phase"].as_str().unwrap();
            let found = events.iter().find(|e| {
                e["uid"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("process-{process}-phase-{code}@"))
            });
            if code == "closed" {
                assert!(found.is_none());
                continue;
            }
            let event = found.unwrap_or_else(|| panic!("the {code} phase"));
            assert_eq!(event["start"], phase["starts_on"]);
            let parts: Vec<i32> = phase["ends_on"]
                .as_str()
                .unwrap()
                .split('-')
                .map(|n| n.parse().unwrap())
                .collect();
            let month = time::Month::try_from(parts[1] as u8).unwrap();
            let ends_on = time::Date::from_calendar_date(parts[0], month, parts[2] as u8).unwrap();
            assert_eq!(
                event["end"],
                ends_on.next_day().unwrap().to_string().as_str(),
                "the end is the day after"
            );
            assert!(
                event["summary"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!(": {title}"))
            );
        }
        // The closed sitting ends when it closed.
        let sitting = events
            .iter()
            .find(|e| e["uid"].as_str().unwrap().starts_with("sitting-"))
            .expect("the process's sitting");
        assert_eq!(sitting["end"], utc(closed_at).as_str());

        // In Chinese, phase names and the process's Chinese title.
        let (_, ics) = calendar_at(
            &app,
            &anonymous,
            &format!("/processes/{process}/calendar.ics?lang=zh-Hans"),
        )
        .await;
        let cal = parsed(&ics);
        let zh_title = api["title"]["zh-Hans"].as_str().unwrap();
        assert_eq!(cal["name"], format!("{zh_title}：会议与日程").as_str());

        let (status, _) = calendar_at(&app, &anonymous, "/processes/999999/calendar.ics").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
