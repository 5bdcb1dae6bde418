//! What a reader can trust of who said what, tried as a hostile participant would: speaking for
//! an organisation nobody verified, copying a ministry's name or an official's, bypassing
//! pre-moderation with an edit, moderators ruling on themselves, bytes that cannot be stored,
//! oversized bodies, and an author taking personal data out of a comment's history. Each story
//! runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::{Client, StatusCode};

/// The national strategy's draft (public comment phase) and its page.
async fn strategy(app: &TestApp) -> (i64, i64, String) {
    let (process, draft) = (
        app.process_in("public_comment").await,
        app.draft_id("National Strategy").await,
    );
    (
        process,
        draft,
        format!("/processes/{process}/drafts/{draft}"),
    )
}

async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    (response.status(), text(response).await)
}

/// The published comment whose body contains `words`.
async fn published(app: &TestApp, draft: i64, words: &str) -> serde_json::Value {
    app.json(&format!("/api/v1/drafts/{draft}/comments")).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"].as_str().is_some_and(|b| b.contains(words)))
        .cloned()
        .unwrap_or_else(|| panic!("a published comment with {words:?}"))
}

async fn comment_id(app: &TestApp, body: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM comments WHERE body = $1")
        .bind(body)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

on_both!(
    nobody_answers_for_a_ministry_they_were_not_verified_to_speak_for,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (_, draft, page) = strategy(&app).await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let register = |name: &'static str| {
            citizen
                .post(app.url("/organisations/new"))
                .form(&[
                    ("intent", "register"),
                    ("name", name),
                    ("kind", "government"),
                    ("language", "en"),
                ])
                .send()
        };
        // The real ministry's name, and names that only look like it, are taken.
        for copy in [
            "Ministry of Public Service and Digital Government",
            "ministry of public  service and digital government",
            // A Cyrillic М and о, and a zero-width space.
            "\u{041C}inistry \u{043E}f Public Service and Digital\u{200B} Government",
        ] {
            let response = register(copy).await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{copy:?}");
            assert!(
                text(response)
                    .await
                    .contains("a name that reads the same is already registered")
            );
        }
        // A ministry of their own making registers, but nobody speaks for it yet...
        let response = register("Ministry of Digital Affairs").await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let org = app.org_id("Ministry of Digital Affairs").await;
        let answer = |body: &'static str| {
            let org = org.to_string();
            let citizen = citizen.clone();
            let url = app.url(&page);
            async move {
                let response = citizen
                    .post(url)
                    .form(&[
                        ("intent", "comment"),
                        ("body", body),
                        ("acting_for", org.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                (response.status(), text(response).await)
            }
        };
        let before = app.snapshot().await;
        let (status, body) = answer("The ministry confirms the plan.").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("until a site administrator has verified it"));
        assert_eq!(app.snapshot().await, before, "nothing was stored");
        // ...and the form does not offer it.
        let form = text(citizen.get(app.url(&page)).send().await.unwrap()).await;
        assert!(!form.contains(&format!("value=\"{org}\"")));

        // Nor may they take an official's name, as a display name or as a pseudonym.
        let (status, body) = post(
            &app,
            &citizen,
            "/account",
            &[
                ("intent", "profile"),
                ("display_name", "DANIEL  MENSAH"),
                ("language", "en"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("reads the same as that of an office-holder"));
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "comment"),
                ("body", "Signed by someone else."),
                ("pseudonym", "Lucía Ferreira"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Nor the name of a verified organisation, speaking as themselves.
        let (status, _) = post(
            &app,
            &citizen,
            "/account",
            &[
                ("intent", "profile"),
                ("display_name", "Kalden Interfaith Council"),
                ("language", "en"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // An administrator verifies the organisation; the founder's membership still waits.
        let admin = app.signed_in("admin@demo.baraza").await;
        let org_page = format!("/organisations/{org}");
        let (status, _) = post(&app, &admin, &org_page, &[("intent", "verify")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, body) = answer("The ministry confirms the plan.").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("has not yet confirmed that you belong to this organisation"));
        // Confirmed: now they speak for it, and a government body's answer is official.
        let citizen_id = app.person_id("citizen@demo.baraza").await.to_string();
        let (status, _) = post(
            &app,
            &admin,
            &org_page,
            &[("intent", "confirm"), ("person", &citizen_id)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _) = answer("The ministry confirms the plan.").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let comment = published(&app, draft, "confirms the plan").await;
        assert_eq!(comment["official"], true);
        assert_eq!(comment["organisation_verified"], true);

        // The body turns out not to be what it said: its verification is withdrawn, in public.
        let (status, _) = post(
            &app,
            &admin,
            &org_page,
            &[
                ("intent", "withdraw"),
                (
                    "reason",
                    "No such ministry exists in the government's register.",
                ),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _) = answer("Speaking for it again.").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // What it said stays, but no reader takes it for an official answer any more.
        let comment = published(&app, draft, "confirms the plan").await;
        assert_eq!(comment["official"], false);
        assert_eq!(comment["organisation_verified"], false);
        let reader = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(reader.contains("Organisation not verified"));
        assert!(
            reader.contains("Verified organisation"),
            "the real ministry's reply"
        );
        let org_shown = text(
            TestApp::client()
                .get(app.url(&org_page))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(org_shown.contains("No such ministry exists in the government"));
        // Both steps are in the public record, whose chain still verifies.
        let head = app.json("/api/v1/record").await["head"]["seq"]
            .as_i64()
            .unwrap();
        let record = app
            .json(&format!("/api/v1/record?after={}", head - 5))
            .await;
        let kinds: Vec<String> = record["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["kind"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(kinds.iter().any(|k| k == "organisation_verified"));
        assert!(
            kinds
                .iter()
                .any(|k| k == "organisation_verification_withdrawn")
        );
        let store = server::store::SqlStore::new(&app.running.as_ref().unwrap().db);
        assert!(server::audit::verify_record(&store).await.unwrap().is_ok());
    }
);

on_both!(
    an_edit_under_pre_moderation_waits_like_a_new_comment,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft, page) = strategy(&app).await;
        let queue = format!("/processes/{process}/moderation");
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let (status, _) = post(
            &app,
            &mediator,
            &queue,
            &[("intent", "settings"), ("mode", "pre"), ("threshold", "3")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "A measured remark.")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id = comment_id(&app, "A measured remark.").await.to_string();
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "moderate"),
                ("comment", &id),
                ("action", "approved"),
                ("reason", "within_rules"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // The approved comment is edited into something else: it waits, the approved text stays.
        let (status, body) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "edit"),
                ("comment", &id),
                ("stance", "objects"),
                ("body", "Buy cheap watches at example.com"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let shown = published(&app, draft, "A measured remark.").await;
        assert_eq!(shown["body"], "A measured remark.");
        let public = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(!public.contains("cheap watches"));
        let own = text(citizen.get(app.url(&page)).send().await.unwrap()).await;
        assert!(own.contains("cheap watches") && own.contains("waits for a moderator"));
        let waiting = text(moderator.get(app.url(&queue)).send().await.unwrap()).await;
        assert!(waiting.contains("cheap watches"));

        // Declined with a reason: the approved text stays, and the public log says why.
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "edit_decision"),
                ("comment", &id),
                ("outcome", "decline"),
                ("reason", "spam"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            published(&app, draft, "A measured remark.").await["body"],
            "A measured remark."
        );
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        assert!(log.to_string().contains("edit_declined"));

        // A fair edit is approved and published, the earlier text kept in its history.
        post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "edit"),
                ("comment", &id),
                ("stance", "supports"),
                ("body", "A measured remark, with a source."),
            ],
        )
        .await;
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "edit_decision"),
                ("comment", &id),
                ("outcome", "approve"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let shown = published(&app, draft, "with a source").await;
        assert_eq!(shown["stance"], "supports");
        assert_eq!(shown["earlier_versions"], 1);
    }
);

on_both!(
    moderators_never_decide_about_themselves,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, _, page) = strategy(&app).await;
        let queue = format!("/processes/{process}/moderation");
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let (status, _) = post(
            &app,
            &mediator,
            &page,
            &[("intent", "comment"), ("body", "The mediator's own view.")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id = comment_id(&app, "The mediator's own view.")
            .await
            .to_string();
        let hide = [
            ("intent", "moderate"),
            ("comment", id.as_str()),
            ("action", "hidden"),
            ("reason", "off_topic"),
        ];
        // The mediator cannot rule on their own comment...
        let before = app.snapshot().await;
        let (status, body) = post(&app, &mediator, &queue, &hide).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("another moderator or mediator will"));
        assert_eq!(app.snapshot().await, before);
        // ...the moderator can; and then the mediator cannot restore it, nor decide its appeal.
        let (status, _) = post(&app, &moderator, &queue, &hide).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let restore = [
            ("intent", "moderate"),
            ("comment", id.as_str()),
            ("action", "restored"),
            ("reason", "within_rules"),
        ];
        let (status, _) = post(&app, &mediator, &queue, &restore).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = post(
            &app,
            &mediator,
            &page,
            &[
                ("intent", "appeal"),
                ("comment", &id),
                ("statement", "It was on topic."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let before = app.snapshot().await;
        let (status, _) = post(
            &app,
            &mediator,
            &queue,
            &[
                ("intent", "appeal_decision"),
                ("comment", &id),
                ("outcome", "upheld"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.snapshot().await, before);
        // The queue tells them why there is nothing to decide.
        let shown = text(mediator.get(app.url(&queue)).send().await.unwrap()).await;
        assert!(shown.contains("This is your own comment: another moderator or mediator decides"));

        // A bar on themselves cannot be lifted by themselves either.
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "bar"),
                ("comment", &id),
                ("reason", "abuse"),
                ("until", "2099-01-01"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let bar: i64 = sqlx::query_scalar("SELECT id FROM comment_bars ORDER BY id DESC LIMIT 1")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let (status, _) = post(
            &app,
            &mediator,
            &queue,
            &[("intent", "lift"), ("bar", &bar.to_string())],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

on_both!(
    bytes_that_cannot_be_stored_are_refused_with_a_clear_400,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (_, _, page) = strategy(&app).await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let before = app.snapshot().await;
        // A NUL byte, through the ordinary form encoding (%00).
        let (status, body) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "before\u{0}after")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("characters that cannot be stored"));
        // What was typed comes back, minus what could not be kept.
        assert!(body.contains("beforeafter"));
        // Bytes that are not UTF-8, as a hostile client sends them.
        for raw in [
            "intent=comment&body=caf%E9",
            "intent=comment&body=%FF%FE%FD",
        ] {
            let response = citizen
                .post(app.url(&page))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{raw}");
            assert!(
                text(response)
                    .await
                    .contains("characters that cannot be stored")
            );
        }
        // Every text field gets the same treatment, not only comments.
        let (status, _) = post(
            &app,
            &citizen,
            "/account",
            &[
                ("intent", "profile"),
                ("display_name", "Tomás\u{0}"),
                ("language", "en"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(app.snapshot().await, before, "nothing was stored");

        // A body larger than any form needs is 413, not 400.
        let response = citizen
            .post(app.url(&page))
            .form(&[("intent", "comment"), ("body", &"x".repeat(2 << 20))])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(text(response).await.contains("too large"));
    }
);

on_both!(
    an_author_can_have_personal_data_removed_from_a_comments_history,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft, page) = strategy(&app).await;
        let queue = format!("/processes/{process}/moderation");
        let citizen = app.signed_in("citizen@demo.baraza").await;
        post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "comment"),
                (
                    "body",
                    "Call me on +254 700 123456 about the training centres.",
                ),
            ],
        )
        .await;
        let id = comment_id(
            &app,
            "Call me on +254 700 123456 about the training centres.",
        )
        .await
        .to_string();
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "edit"),
                ("comment", &id),
                ("stance", "asks"),
                ("body", "Write to me about the training centres."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // The earlier text, with the phone number, is in the public history.
        let thread = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(thread.contains("+254 700 123456"));
        let revision: i64 =
            sqlx::query_scalar("SELECT id FROM comment_revisions WHERE comment_id = $1")
                .bind(id.parse::<i64>().unwrap())
                .fetch_one(app.pool())
                .await
                .unwrap();
        let revision = revision.to_string();
        // Someone else cannot ask on the author's behalf.
        let (status, _) = post(
            &app,
            &app.signed_in("civil@demo.baraza").await,
            &page,
            &[
                ("intent", "remove_request"),
                ("comment", &id),
                ("revision", &revision),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "remove_request"),
                ("comment", &id),
                ("revision", &revision),
                ("note", "It shows my phone number."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let waiting = text(moderator.get(app.url(&queue)).send().await.unwrap()).await;
        assert!(waiting.contains("It shows my phone number."));
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "removal_decision"),
                ("revision", &revision),
                ("outcome", "remove"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // Gone from the page, the API and the database; the log says an earlier text was removed.
        let thread = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(!thread.contains("+254 700 123456"));
        assert!(thread.contains("this earlier version was removed"));
        let csv = reqwest::get(app.url(&format!("/api/v1/drafts/{draft}/comments?format=csv")))
            .await
            .unwrap();
        assert!(!text(csv).await.contains("123456"));
        let stored: String = sqlx::query_scalar("SELECT body FROM comment_revisions WHERE id = $1")
            .bind(revision.parse::<i64>().unwrap())
            .fetch_one(app.pool())
            .await
            .unwrap();
        assert_eq!(stored, "");
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        assert!(log.to_string().contains("revision_removed"));
    }
);

on_both!(
    live_connections_are_capped_per_client,
    |backend| async move {
        let app = TestApp::start_configured(backend, |launch| {
            launch.max_connections_per_client = 3;
        })
        .await;
        let draft = app.draft_id("National Strategy").await;
        let connect = || {
            use tokio_tungstenite::tungstenite::client::IntoClientRequest;
            let ws = app.base.replacen("http://", "ws://", 1);
            let mut request = format!("{ws}/collab/drafts/{draft}")
                .into_client_request()
                .unwrap();
            request
                .headers_mut()
                .insert("origin", app.base.parse().unwrap());
            tokio_tungstenite::connect_async(request)
        };
        let mut open = Vec::new();
        for _ in 0..2 {
            open.push(connect().await.expect("within the cap").0);
        }
        let _stream = crate::support::comment_events(&app.base, draft).await;
        // The fourth live connection from this address, of any kind, is refused with 429.
        match connect().await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            }
            other => panic!("expected 429, got {:?}", other.map(|_| ())),
        }
        let events = reqwest::get(app.url(&format!("/live/drafts/{draft}/comments")))
            .await
            .unwrap();
        assert_eq!(events.status(), StatusCode::TOO_MANY_REQUESTS);
        // Closing one frees its place.
        let mut closed = open.pop().unwrap();
        closed.close(None).await.unwrap();
        drop(closed);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match connect().await {
                Ok(_) => break,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await
                }
                Err(error) => panic!("a freed place is not given back: {error}"),
            }
        }
    }
);
