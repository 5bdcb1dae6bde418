//! Co-drafting over real websockets: Yjs clients written with yrs, the real server, a real
//! database. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::TestApp;
use crate::yclient::{YClient, awareness_message, sync_message};
use rand::Rng;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

/// The English working draft of the charter (drafting phase; co-drafters: city, opendata, elders).
async fn charter(app: &TestApp) -> i64 {
    app.draft_id("Charter").await
}

on_both!(
    two_organisations_write_together_and_it_lasts,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let gov = app.cookie("gov@demo.baraza").await;
        let civil = app.cookie("civil@demo.baraza").await;
        let mut city = YClient::connect(&app.base, draft, Some(&gov), 101).await;
        let mut opendata = YClient::connect(&app.base, draft, Some(&civil), 202).await;
        let start = city.string();
        assert!(start.len() > 1000, "the demo draft arrives whole at sync");
        assert_eq!(start, opendata.string());

        // The city writes at the start, open data at the end, with Chinese and an emoji.
        city.insert(0, "Preamble. ").await;
        let end = opendata.len();
        opendata
            .insert(end, "附则：本宪章自公布之日起施行。🌍")
            .await;
        assert!(
            city.pump_until(WAIT, |c| c.string().ends_with("施行。🌍"))
                .await
        );
        assert!(
            opendata
                .pump_until(WAIT, |c| c.string().starts_with("Preamble. "))
                .await
        );
        assert_eq!(city.string(), opendata.string());

        // What everyone saw is what the server stored: a restart loads the same text.
        let text = city.string();
        app.restart().await;
        let reader = YClient::connect(&app.base, draft, None, 303).await;
        assert_eq!(reader.string(), text);
    }
);

on_both!(
    many_clients_editing_at_random_converge,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let writers = [
            "gov@demo.baraza",
            "civil@demo.baraza",
            "informal@demo.baraza",
        ];
        let mut clients = Vec::new();
        for (i, email) in writers.iter().cycle().take(6).enumerate() {
            let cookie = app.cookie(email).await;
            clients.push(YClient::connect(&app.base, draft, Some(&cookie), 1_000 + i as u64).await);
        }
        // Each client makes random edits without waiting for the others.
        let tasks = clients.into_iter().enumerate().map(|(i, mut client)| {
            tokio::spawn(async move {
                let mut rng = rand::rngs::StdRng::seed_from_u64(i as u64);
                for step in 0..25 {
                    let len = client.len();
                    if len > 10 && rng.random_bool(0.3) {
                        let at = rng.random_range(0..len - 5);
                        client.delete(at, rng.random_range(1..5)).await;
                    } else {
                        let at = rng.random_range(0..=len);
                        client.insert(at, &format!("[{i}:{step} 议]")).await;
                    }
                    client
                        .pump_until(Duration::from_millis(rng.random_range(0..20)), |_| false)
                        .await;
                }
                client
            })
        });
        let mut clients: Vec<YClient> = futures_util::future::join_all(tasks)
            .await
            .into_iter()
            .map(|c| c.unwrap())
            .collect();
        for client in &mut clients {
            client.settle().await;
        }
        for client in &mut clients {
            client.pump_until(Duration::from_secs(3), |_| false).await;
        }
        let first = clients[0].string();
        for client in &clients {
            assert_eq!(client.string(), first, "every client converged");
        }
        // And a fresh load from the database gives the same text.
        let fresh = YClient::connect(&app.base, draft, None, 9_999).await;
        assert_eq!(fresh.string(), first);
    }
);

use rand::SeedableRng;

on_both!(a_reader_cannot_write_but_reads_live, |backend| async move {
    let app = TestApp::start(backend).await;
    let draft = charter(&app).await;
    let citizen_cookie = app.cookie("citizen@demo.baraza").await;
    let gov_cookie = app.cookie("gov@demo.baraza").await;
    let mut citizen = YClient::connect(&app.base, draft, Some(&citizen_cookie), 404).await;
    let mut writer = YClient::connect(&app.base, draft, Some(&gov_cookie), 505).await;
    let stored = app.stored_updates(draft).await;
    let before = writer.string();

    // The citizen's edit is refused inside the protocol: not applied, stored or relayed.
    citizen.insert(0, "HIJACK ").await;
    assert!(
        citizen
            .pump_until(WAIT, |c| !c.heard.denied.is_empty())
            .await,
        "told it is read-only"
    );
    writer.settle().await;
    assert_eq!(writer.string(), before, "nobody else received it");
    assert_eq!(app.stored_updates(draft).await, stored, "nothing stored");
    // An anonymous reader is refused the same way.
    let mut anonymous = YClient::connect(&app.base, draft, None, 606).await;
    anonymous.insert(0, "ANON ").await;
    assert!(
        anonymous
            .pump_until(WAIT, |c| !c.heard.denied.is_empty())
            .await
    );

    // The citizen still reads live (their refused edit stays only in their own copy).
    writer.insert(0, "Live: ").await;
    assert!(
        citizen
            .pump_until(WAIT, |c| c.string().contains("Live: "))
            .await
    );
    assert_eq!(app.stored_updates(draft).await, stored + 1);
    let fresh = YClient::connect(&app.base, draft, None, 607).await;
    assert!(
        fresh.string().starts_with("Live: ")
            && !fresh.string().contains("HIJACK")
            && !fresh.string().contains("ANON")
    );
});

on_both!(
    bad_frames_close_only_their_connection,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let gov = app.cookie("gov@demo.baraza").await;
        let mut steady = YClient::connect(&app.base, draft, Some(&gov), 700).await;

        let cases: Vec<(Vec<u8>, u16)> = vec![
            (vec![0xff, 0xff, 0xff], 1007), // not a message at all
            (
                sync_message(
                    2,
                    &[1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 4],
                ),
                1007,
            ), // client id >= 2^53
            (
                sync_message(2, &{
                    let mut u = vec![1, 1, 7, 0, 8, 1, 4];
                    u.extend(b"body");
                    u.push(1);
                    u.extend(std::iter::repeat_n([117u8, 1], 7000).flatten());
                    u
                }),
                1007,
            ), // nested thousands deep
            (sync_message(0, &[0xff, 0xff, 0xff, 0xff, 0x0f]), 1007), // a state vector claiming 4 billion entries
            (awareness_message(1, 1, &"x".repeat(10_000)), 1007),     // oversized presence
            (vec![0; 9 * 1024 * 1024], 1009),                         // over the size limit
        ];
        for (i, (frame, code)) in cases.into_iter().enumerate() {
            let mut hostile = YClient::connect(&app.base, draft, Some(&gov), 800 + i as u64).await;
            hostile.send(frame).await;
            let closed = hostile
                .closed(WAIT)
                .await
                .unwrap_or_else(|| panic!("case {i} was not closed"));
            assert_eq!(closed.0, code, "case {i}: {closed:?}");
            assert!(!closed.1.is_empty(), "case {i} gives a reason");
        }
        // The steady writer, the draft and the server carry on.
        steady.insert(0, "Still here. ").await;
        let mut check = YClient::connect(&app.base, draft, None, 901).await;
        assert!(
            check
                .pump_until(WAIT, |c| c.string().starts_with("Still here. "))
                .await
        );
        let _ = steady;
    }
);

on_both!(
    nobody_writes_under_another_authors_client_id,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let gov = app.cookie("gov@demo.baraza").await;
        let civil = app.cookie("civil@demo.baraza").await;
        let mut city = YClient::connect(&app.base, draft, Some(&gov), 1_111).await;
        city.insert(0, "City text. ").await;
        let mut impostor = YClient::connect(&app.base, draft, Some(&civil), 1_111).await;
        impostor.settle().await;
        let stored = app.stored_updates(draft).await;
        // Open data writes under the city's client id: refused, closed, nothing stored.
        impostor.insert(0, "Forged. ").await;
        let closed = impostor.closed(WAIT).await.expect("closed");
        assert_eq!(closed.0, 1008, "{closed:?}");
        assert_eq!(app.stored_updates(draft).await, stored);
    }
);

on_both!(
    websockets_from_other_sites_are_refused,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let ws = app.base.replacen("http://", "ws://", 1);
        let mut request = format!("{ws}/collab/drafts/{draft}")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", "http://evil.example".parse().unwrap());
        let refused = tokio_tungstenite::connect_async(request).await;
        assert!(
            refused.is_err(),
            "a foreign origin is refused before the upgrade"
        );
        let missing = YClient::try_connect(&app.base, 99_999, None, 1, None).await;
        assert!(missing.is_err(), "no such draft");
    }
);

on_both!(
    presence_shows_who_is_here_as_the_server_knows_them,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let gov = app.cookie("gov@demo.baraza").await;
        let informal = app.cookie("informal@demo.baraza").await;
        let mut city = YClient::connect(&app.base, draft, Some(&gov), 2_001).await;
        let mut elders = YClient::connect(&app.base, draft, Some(&informal), 2_002).await;
        // The elders' client claims to be someone else; the server says who they really are.
        elders
            .send(awareness_message(
                2_002,
                1,
                r#"{"user":{"name":"The Mayor"},"cursor":null}"#,
            ))
            .await;
        assert!(
            city.pump_until(WAIT, |c| !c.heard.awareness.is_empty())
                .await
        );
        let heard = String::from_utf8_lossy(&city.heard.awareness.concat()).to_string();
        assert!(!heard.contains("The Mayor"), "{heard}");
        assert!(
            heard.contains("informal"),
            "the stakeholder kind comes from the server: {heard}"
        );
        // When the elders leave, the city hears them go.
        drop(elders);
        let before = city.heard.awareness.len();
        assert!(
            city.pump_until(WAIT, |c| c.heard.awareness.len() > before)
                .await
        );
        assert!(String::from_utf8_lossy(city.heard.awareness.last().unwrap()).contains("null"));
    }
);

on_both!(
    a_long_history_loads_from_its_snapshot_and_tail,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let gov = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, draft, Some(&gov), 3_001).await;
        // More updates than a room keeps before it snapshots.
        let count = server::collab::room::SNAPSHOT_EVERY as usize + 40;
        for i in 0..count {
            writer.insert(0, &format!("{}", i % 10)).await;
        }
        let mut reader = YClient::connect(&app.base, draft, None, 3_002).await;
        let expected = writer.string();
        assert!(
            reader.pump_until(WAIT, |c| c.string() == expected).await,
            "everything was relayed"
        );
        let snapshots: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM draft_snapshots WHERE draft_id = $1")
                .bind(draft)
                .fetch_one(app.pool())
                .await
                .unwrap();
        assert_eq!(snapshots, 1, "a snapshot was taken");
        // A restart loads the snapshot and the updates stored after it: the same text.
        app.restart().await;
        let fresh = YClient::connect(&app.base, draft, None, 3_003).await;
        assert_eq!(fresh.string(), expected);
    }
);

on_both!(
    a_member_of_two_co_drafters_chooses_whom_to_write_for,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let process = app.process_in("drafting").await;
        let opendata = app.org_id("Open Data Kalden").await;
        let admin = app.signed_in("admin@demo.baraza").await;
        let added = admin
            .post(app.url(&format!("/organisations/{opendata}")))
            .form(&[("intent", "member"), ("email", "gov@demo.baraza")])
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), reqwest::StatusCode::SEE_OTHER);

        // The page offers the choice, and writing for Open Data is what it says after choosing.
        let gov = app.signed_in("gov@demo.baraza").await;
        let page = gov
            .get(app.url(&format!("/processes/{process}/drafts/{draft}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(r#"<select id="writing-for" name="as">"#),
            "two co-drafting organisations to choose from"
        );
        let chosen = gov
            .get(app.url(&format!(
                "/processes/{process}/drafts/{draft}?as={opendata}"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(chosen.contains("You are writing for Open Data Kalden"));

        // The editor connects as that organisation, and the server records its writing so.
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut client =
            YClient::try_connect(&app.base, draft, Some(&cookie), 5_151, Some(opendata))
                .await
                .unwrap();
        client.insert(0, "For open data: ").await;
        let mut reader = YClient::connect(&app.base, draft, None, 5_152).await;
        assert!(
            reader
                .pump_until(WAIT, |c| c.string().starts_with("For open data: "))
                .await
        );
        let org: Option<i64> = sqlx::query_scalar(
            "SELECT org_id FROM draft_clients WHERE draft_id = $1 AND client_id = 5151",
        )
        .bind(draft)
        .fetch_one(app.pool())
        .await
        .unwrap();
        assert_eq!(org, Some(opendata));
    }
);

on_both!(
    nobody_appears_under_an_organisation_they_do_not_belong_to,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let elders = app.org_id("Elders").await;
        let watcher_cookie = app.cookie("gov@demo.baraza").await;
        let mut watcher = YClient::connect(&app.base, draft, Some(&watcher_cookie), 6_001).await;
        // A citizen claims to speak for the elders: they connect, but as themselves, and read only.
        let cookie = app.cookie("citizen@demo.baraza").await;
        let mut citizen =
            YClient::try_connect(&app.base, draft, Some(&cookie), 6_002, Some(elders))
                .await
                .unwrap();
        citizen
            .send(awareness_message(6_002, 1, r#"{"cursor":null}"#))
            .await;
        assert!(
            watcher
                .pump_until(WAIT, |c| !c.heard.awareness.is_empty())
                .await
        );
        let heard = String::from_utf8_lossy(&watcher.heard.awareness.concat()).to_string();
        assert!(!heard.contains("Elders"), "{heard}");
        citizen.insert(0, "As the elders: ").await;
        assert!(
            citizen
                .pump_until(WAIT, |c| !c.heard.denied.is_empty())
                .await,
            "and cannot write"
        );
    }
);

on_both!(
    a_long_draft_reaches_a_new_reader_whole_in_several_frames,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = charter(&app).await;
        let gov = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, draft, Some(&gov), 4_001).await;
        // About 200 KB: the first sync is sent in a dozen frames of 16 KiB.
        let paragraph = "Residents decide together how the budget is spent; 参与式预算。\n";
        writer.insert(0, &paragraph.repeat(3_000)).await;
        let expected = writer.string();
        assert!(expected.len() > 12 * server::collab::connection::FRAGMENT);
        let mut reader = YClient::connect(&app.base, draft, None, 4_002).await;
        assert!(
            reader.pump_until(WAIT, |c| c.string() == expected).await,
            "the whole draft arrived: {} of {} bytes",
            reader.string().len(),
            expected.len()
        );
        // And a long update is relayed live the same way.
        writer.insert(0, &paragraph.repeat(1_000)).await;
        let expected = writer.string();
        assert!(reader.pump_until(WAIT, |c| c.string() == expected).await);
    }
);

on_both!(a_plain_request_is_told_to_upgrade, |backend| async move {
    let app = TestApp::start(backend).await;
    let draft = charter(&app).await;
    let response = TestApp::client()
        .get(format!("{}/collab/drafts/{draft}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 426);
    assert_eq!(response.headers()["upgrade"], "websocket");
});
