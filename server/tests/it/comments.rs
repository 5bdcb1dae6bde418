//! Comments on exact passages and their open moderation, through the real server: forms as a
//! browser without JavaScript sends them, Yjs clients writing around the passages, the live
//! channel, the open-data API. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, comment_events, next_event, text};
use crate::yclient::YClient;
use rand::Rng;
use reqwest::{Client, StatusCode};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
/// The passage the anchor tests write and comment on: letters no other text uses.
const GREEK: &str = "αβγδεζηθικλμνξοπ";

/// The national strategy's draft (public comment phase).
async fn strategy(app: &TestApp) -> (i64, i64) {
    (
        app.process_in("public_comment").await,
        app.draft_id("National Strategy").await,
    )
}

/// Posts a form to a page, as a browser would.
async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    (response.status(), text(response).await)
}

/// The published comments of a draft (the open-data API).
async fn published(app: &TestApp, draft: i64) -> Vec<serde_json::Value> {
    app.json(&format!("/api/v1/drafts/{draft}/comments")).await["comments"]
        .as_array()
        .unwrap()
        .clone()
}

async fn comment_with(app: &TestApp, draft: i64, words: &str) -> serde_json::Value {
    published(app, draft)
        .await
        .into_iter()
        .find(|c| {
            c["body"].as_str().is_some_and(|b| b.contains(words))
                || c["quote"].as_str() == Some(words)
        })
        .unwrap_or_else(|| panic!("a published comment with {words:?}"))
}

fn utf16_index(text: &str, byte: usize) -> u32 {
    text[..byte].encode_utf16().count() as u32
}

on_both!(
    anchors_follow_their_passage_through_concurrent_edits_and_restarts,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let process = app.process_in("drafting").await;
        let mut writers = Vec::new();
        for (i, email) in [
            "gov@demo.baraza",
            "civil@demo.baraza",
            "informal@demo.baraza",
        ]
        .iter()
        .enumerate()
        {
            let cookie = app.cookie(email).await;
            writers.push(YClient::connect(&app.base, draft, Some(&cookie), 500 + i as u64).await);
        }
        // The city writes a passage no other text shares, and the mediator comments on it (as a
        // browser without JavaScript does: the words only, which the server finds in the text).
        let middle = writers[0].len() / 2;
        writers[0].insert(middle, GREEK).await;
        for w in writers.iter_mut() {
            assert!(w.pump_until(WAIT, |c| c.string().contains(GREEK)).await);
        }
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let (status, _) = post(
            &app,
            &mediator,
            &page,
            &[
                ("intent", "comment"),
                ("quote", GREEK),
                ("body", "Is this list complete?"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // A second thread on words far from the edits, which must not move off them.
        let steady = "Chapter 1. Purpose and scope";
        let (status, _) = post(
            &app,
            &mediator,
            &page,
            &[
                ("intent", "comment"),
                ("quote", steady),
                ("body", "The scope is clear."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Random edits by three writers at once, most of them in and around the passage. Inside
        // the passage (between its first and last letter) they insert digits, elsewhere Cyrillic
        // letters; deletions may take inner letters of the passage but never its two ends.
        let (first, last) = ('α', 'π');
        let mut rng = rand::rng();
        for round in 0..60 {
            for w in writers.iter_mut() {
                let text = w.string();
                let start = utf16_index(&text, text.find(first).unwrap());
                let end = utf16_index(&text, text.find(last).unwrap()) + 1;
                let near = (start.saturating_sub(6) + rng.random_range(0..(end - start + 12)))
                    .min(w.len());
                if rng.random_bool(0.65) {
                    let inside = near > start && near < end;
                    let piece = if inside {
                        ["1", "22", "345"][rng.random_range(0..3)]
                    } else {
                        ["Ж", "ЖЖ"][rng.random_range(0..2)]
                    };
                    w.insert(near, piece).await;
                } else {
                    let len = rng.random_range(1..4u32);
                    let hits_end = (near..near + len).contains(&start)
                        || (near..near + len).contains(&(end - 1));
                    if !hits_end && near + len <= w.len() {
                        w.delete(near, len).await;
                    }
                }
            }
            if round % 10 == 9 {
                for w in writers.iter_mut() {
                    w.settle().await;
                }
            }
        }
        for w in writers.iter_mut() {
            w.settle().await;
        }
        let final_text = writers[0].string();
        for w in writers.iter_mut() {
            assert!(
                w.pump_until(WAIT, |c| c.string() == final_text).await,
                "the writers converge"
            );
        }
        let expected = (
            utf16_index(&final_text, final_text.find(first).unwrap()),
            utf16_index(&final_text, final_text.find(last).unwrap()) + 1,
        );
        let check = |comments: Vec<serde_json::Value>, removed: bool| {
            let thread = comments
                .iter()
                .find(|c| c["quote"] == GREEK)
                .expect("the thread");
            if removed {
                assert_eq!(thread["passage_removed"], true);
                assert!(thread["location"].is_null());
            } else {
                assert_eq!(thread["passage_removed"], false);
                let at = (
                    thread["location"]["start"].as_u64().unwrap() as u32,
                    thread["location"]["end"].as_u64().unwrap() as u32,
                );
                assert_eq!(
                    at, expected,
                    "the anchor covers exactly the passage as edited"
                );
            }
            let other = comments
                .iter()
                .find(|c| c["quote"] == steady)
                .expect("the other thread");
            let (s, e) = (
                other["location"]["start"].as_u64().unwrap() as u32,
                other["location"]["end"].as_u64().unwrap() as u32,
            );
            assert_eq!(crate::support::utf16_slice(&final_text, s, e), steady);
        };
        check(published(&app, draft).await, false);
        for w in writers {
            drop(w);
        }
        app.restart().await;
        check(published(&app, draft).await, false);

        // The whole passage is deleted: the thread stays, marked as removed text.
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut city = YClient::connect(&app.base, draft, Some(&cookie), 600).await;
        city.delete(expected.0, expected.1 - expected.0).await;
        city.settle().await;
        check(published(&app, draft).await, true);
        let html = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(html.contains("This passage has since been removed from the text."));
        assert!(html.contains(&format!("<del>{GREEK}</del>")));
    }
);

on_both!(
    a_quote_is_found_without_javascript_and_a_wrong_one_is_explained,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let before = app.snapshot().await;
        let (status, html) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "comment"),
                ("quote", "words that are nowhere"),
                ("body", "My careful comment."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("These words are not in the draft now."));
        assert!(
            html.contains("My careful comment."),
            "what was typed is kept"
        );
        assert_eq!(app.snapshot().await, before);

        // Forged positions are ignored: the server anchors the words where they really are.
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "comment"),
                ("quote", "Paper and assisted voting"),
                ("anchor_start", "00ff"),
                ("anchor_end", "zz"),
                ("body", "Keep paper voting."),
                ("stance", "supports"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let c = comment_with(&app, draft, "Keep paper voting.").await;
        assert_eq!(c["stance"], "supports");
        assert_eq!(c["quote"], "Paper and assisted voting");
        assert_eq!(
            c["location"]["end"].as_u64().unwrap() - c["location"]["start"].as_u64().unwrap(),
            25
        );
    }
);

on_both!(
    readers_hear_of_new_comments_and_decisions_live,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let mut stream = comment_events(&app.base, draft).await;

        let citizen = app.signed_in("citizen@demo.baraza").await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "Arrives live.")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id = comment_with(&app, draft, "Arrives live.").await["thread_id"]
            .as_i64()
            .unwrap();
        assert!(
            next_event(&mut stream, &format!("\"thread\":{id}")).await,
            "the new thread is announced"
        );

        // The thread's own page is what live readers fetch: it shows the comment.
        let thread = text(
            TestApp::client()
                .get(app.url(&format!("{page}/threads/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(thread.contains("Arrives live."));

        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, _) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/moderation"),
            &[
                ("intent", "moderate"),
                ("comment", &id.to_string()),
                ("action", "hidden"),
                ("reason", "spam"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            next_event(&mut stream, &format!("\"thread\":{id}")).await,
            "the decision is announced"
        );
        let thread = text(
            TestApp::client()
                .get(app.url(&format!("{page}/threads/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            !thread.contains("Arrives live."),
            "hidden content is not in the live view"
        );
        assert!(thread.contains("Hidden by a moderator. Reason: Spam or advertising."));
    }
);

on_both!(
    reports_count_once_per_person_and_hold_at_the_threshold,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let target_id = comment_with(&app, draft, "A clear strategy").await["id"].clone();
        let target = target_id.to_string();
        let status_of = || async {
            published(&app, draft)
                .await
                .into_iter()
                .find(|c| c["id"] == target_id)
                .unwrap()
        };
        let report = |reason: &'static str, note: &'static str| {
            vec![
                ("intent", "report"),
                ("comment", target.as_str()),
                ("reason", reason),
                ("note", note),
            ]
        };
        let reader = app.signed_in("citizen@demo.baraza").await;
        let (status, html) = post(&app, &reader, &page, &report("other", "")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("Say in a few words what the problem is."));
        assert_eq!(
            post(&app, &reader, &page, &report("spam", "")).await.0,
            StatusCode::SEE_OTHER
        );
        let before = app.snapshot().await;
        let (status, html) = post(&app, &reader, &page, &report("abuse", "again")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            html.contains("Each person&#x27;s report counts once")
                || html.contains("Each person's report counts once")
        );
        assert_eq!(
            app.snapshot().await,
            before,
            "a second report by the same person changes nothing"
        );
        assert_eq!(status_of().await["status"], "visible");

        // The author cannot report themselves; two more people make three: held.
        let author = app.signed_in("lakeside.reader@demo.baraza").await;
        assert_eq!(
            post(&app, &author, &page, &report("spam", "")).await.0,
            StatusCode::FORBIDDEN
        );
        for email in ["gov@demo.baraza", "academia@demo.baraza"] {
            let client = app.signed_in(email).await;
            assert_eq!(
                post(&app, &client, &page, &report("off_topic", "")).await.0,
                StatusCode::SEE_OTHER
            );
        }
        let held = status_of().await;
        assert_eq!(held["status"], "held");
        assert!(held["body"].is_null(), "held content is not published");
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        let entry = &log["entries"][0];
        assert_eq!(entry["action"], "held");
        assert_eq!(entry["by_role"], "system");
        assert_eq!(entry["reason"], "reports");
        let everything = log.to_string();
        for private in ["Tomás", "citizen@", "Ingrid"] {
            assert!(
                !everything.contains(private),
                "the log names no reporter ({private})"
            );
        }
    }
);

on_both!(
    pre_moderated_comments_wait_for_approval,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let queue = format!("/processes/{process}/moderation");
        let (status, _) = post(
            &app,
            &mediator,
            &queue,
            &[("intent", "settings"), ("mode", "pre"), ("threshold", "2")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "Waiting in line.")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            !published(&app, draft)
                .await
                .iter()
                .any(|c| c["body"].as_str() == Some("Waiting in line."))
        );
        let public = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(!public.contains("Waiting in line."));
        let own = text(citizen.get(app.url(&page)).send().await.unwrap()).await;
        assert!(
            own.contains("Waiting in line.") && own.contains("only you and the moderators see it")
        );

        let waiting = text(
            app.signed_in("moderator@demo.baraza")
                .await
                .get(app.url(&queue))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(waiting.contains("Waiting in line."));
        let id: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE body = 'Waiting in line.'")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "moderate"),
                ("comment", &id.to_string()),
                ("action", "approved"),
                ("reason", "within_rules"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let approved = comment_with(&app, draft, "Waiting in line.").await;
        assert_eq!(approved["status"], "visible");
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        assert_eq!(log["entries"][0]["action"], "approved");
        assert_eq!(log["entries"][0]["by_role"], "moderator");
    }
);

on_both!(
    hidden_comments_keep_their_place_and_are_appealed_once_to_another_moderator,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let queue = format!("/processes/{process}/moderation");
        // The demo's hidden comment: its author sees the reason and the note, others a placeholder.
        let hidden: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE status = 'hidden'")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let public = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(public.contains("Hidden by a moderator. Reason: Personal data."));
        assert!(!public.contains("555-0143"), "hidden content is not served");
        let author = app.signed_in("li.mingyuan@demo.baraza").await;
        let own = text(author.get(app.url(&page)).send().await.unwrap()).await;
        assert!(
            own.contains("555-0143"),
            "the author sees their own hidden comment"
        );
        assert!(
            own.contains("name and phone number"),
            "and the moderator's note"
        );
        let appeal = [
            ("intent", "appeal"),
            ("comment", &hidden.to_string() as &str),
            ("statement", "I will remove the number."),
        ];
        let someone_else = app.signed_in("citizen@demo.baraza").await;
        assert_eq!(
            post(&app, &someone_else, &page, &appeal).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(&app, &author, &page, &appeal).await.0,
            StatusCode::SEE_OTHER
        );
        let before = app.snapshot().await;
        let (status, html) = post(&app, &author, &page, &appeal).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            html.contains("只能申诉一次"),
            "the author reads Chinese: {html}"
        );
        assert_eq!(app.snapshot().await, before);

        // The mediator hid it, so the mediator may not decide the appeal; the moderator may.
        let decide = [
            ("intent", "appeal_decision"),
            ("comment", &hidden.to_string() as &str),
            ("outcome", "rejected"),
            ("note", ""),
        ];
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, html) = post(&app, &mediator, &queue, &decide).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("a different moderator must decide"));
        assert_eq!(app.snapshot().await, before);
        let moderator = app.signed_in("moderator@demo.baraza").await;
        assert_eq!(
            post(&app, &moderator, &queue, &decide).await.0,
            StatusCode::SEE_OTHER
        );
        let own = text(author.get(app.url(&page)).send().await.unwrap()).await;
        assert!(own.contains("申诉已被驳回"), "the author reads Chinese");
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        let actions: Vec<&str> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["appeal_rejected", "appealed", "hidden"]);
        assert!(!log.to_string().contains("555-0143"));
    }
);

on_both!(
    edits_keep_their_history_and_withdrawal_keeps_the_thread,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let root = comment_with(&app, draft, "How was").await["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let edit = [
            ("intent", "edit"),
            ("key", root.as_str()),
            ("comment", root.as_str()),
            ("stance", "objects"),
            ("body", "Reworded: 0.5 per cent is too little."),
        ];
        let official = app.signed_in("gov@demo.baraza").await;
        assert_eq!(
            post(&app, &official, &page, &edit).await.0,
            StatusCode::FORBIDDEN,
            "only the author edits"
        );
        assert_eq!(
            post(&app, &citizen, &page, &edit).await.0,
            StatusCode::SEE_OTHER
        );
        let edited = comment_with(&app, draft, "Reworded").await;
        assert_eq!(edited["earlier_versions"], 1);
        assert!(edited["edited_at"].is_string());
        let html = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(
            html.contains("Earlier versions")
                && html.contains("How was <strong>0.5 per cent</strong> chosen?")
        );

        assert_eq!(
            post(
                &app,
                &citizen,
                &page,
                &[("intent", "withdraw"), ("comment", &root)]
            )
            .await
            .0,
            StatusCode::SEE_OTHER
        );
        let html = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        assert!(html.contains("Withdrawn by its author."));
        assert!(!html.contains("Reworded"));
        assert!(
            html.contains("The figure follows the pilot"),
            "the replies stay"
        );
        let withdrawn = published(&app, draft)
            .await
            .into_iter()
            .find(|c| c["id"].as_i64().map(|i| i.to_string()) == Some(root.clone()))
            .unwrap();
        assert_eq!(withdrawn["status"], "withdrawn");
        assert!(withdrawn["body"].is_null());
        // Nobody replies to a withdrawn comment.
        let (status, _) = post(
            &app,
            &official,
            &page,
            &[
                ("intent", "reply"),
                ("parent", &root),
                ("body", "Too late."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

on_both!(
    replies_nest_to_a_limit_and_officials_are_marked,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let council = app.signed_in("council@demo.baraza").await;
        let mut parent = comment_with(&app, draft, "A clear strategy").await["id"]
            .as_i64()
            .unwrap();
        for depth in 1..=5 {
            let body = format!("Reply at depth {depth}.");
            let (status, _) = post(
                &app,
                &council,
                &page,
                &[
                    ("intent", "reply"),
                    ("parent", &parent.to_string()),
                    ("body", &body),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let reply = comment_with(&app, draft, &body).await;
            assert_eq!(reply["depth"], depth.min(3));
            assert_eq!(
                reply["official"], true,
                "a council member's reply is official"
            );
            parent = reply["id"].as_i64().unwrap();
        }
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let (status, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "reply"),
                ("parent", &parent.to_string()),
                ("body", "Not official."),
                ("pseudonym", "Valley voice"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let reply = comment_with(&app, draft, "Not official.").await;
        assert_eq!(reply["official"], false);
        assert_eq!(
            reply["display_name"], "Valley voice",
            "a pseudonym may be shown"
        );
    }
);

on_both!(
    bars_and_rate_limits_stop_commenting_with_an_explanation,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let queue = format!("/processes/{process}/moderation");
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let theirs = comment_with(&app, draft, "How was").await["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, html) = post(
            &app,
            &mediator,
            &queue,
            &[
                ("intent", "bar"),
                ("comment", &theirs),
                ("reason", "abuse"),
                ("until", "2001-01-01"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("Enter a date after today"), "{html}");
        let (status, _) = post(
            &app,
            &mediator,
            &queue,
            &[
                ("intent", "bar"),
                ("comment", &theirs),
                ("reason", "abuse"),
                ("until", "2099-12-31"),
                ("note", "Cooling off."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, html) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "Still here.")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("barred you from commenting in this process until 2099-12-31"));
        let bar: i64 = sqlx::query_scalar("SELECT id FROM comment_bars")
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
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Ten comments in ten minutes (counting the demo's, posted just now); the next one waits,
        // and keeps what was typed.
        let already: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments c JOIN people p ON p.id = c.person_id \
             WHERE p.email = 'citizen@demo.baraza' AND c.process_id = $1",
        )
        .bind(process)
        .fetch_one(app.pool())
        .await
        .unwrap();
        for i in already..10 {
            let body = format!("Comment number {i}.");
            assert_eq!(
                post(
                    &app,
                    &citizen,
                    &page,
                    &[("intent", "comment"), ("body", &body)]
                )
                .await
                .0,
                StatusCode::SEE_OTHER
            );
        }
        let (status, html) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "One too many.")],
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(html.contains("Please wait a few minutes"));
        assert!(html.contains("One too many."));
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        let actions: Vec<&str> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(&actions[..2], ["bar_lifted", "barred"]);
        assert!(
            !log.to_string().contains("Tomás"),
            "the log does not name the barred person"
        );
    }
);

/// Comment bodies that try to change the page; each must come out as text.
pub const HOSTILE: &[&str] = &[
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "[click](javascript:alert('x3'))",
    "<a href=\"javascript:alert('x4')\">x</a>",
    "<div onmouseover=\"alert('x5')\">hover</div>",
    "**<b>broken</i>** <",
    "<svg><script>alert('x6')</script></svg>",
    "\" onclick=\"alert('x7')",
    "right\u{202E}to left override",
];

on_both!(
    hostile_comments_render_inert_on_the_page_and_in_the_live_view,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let writers = [
            "citizen@demo.baraza",
            "gov@demo.baraza",
            "civil@demo.baraza",
        ];
        for (i, body) in HOSTILE.iter().enumerate() {
            let client = app.signed_in(writers[i % writers.len()]).await;
            let long = format!("{body} {}", "x".repeat(3000));
            let (status, _) = post(
                &app,
                &client,
                &page,
                &[
                    ("intent", "comment"),
                    ("body", &long),
                    ("pseudonym", "<b>name</b>"),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        }
        let html = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
        let threads: Vec<i64> =
            sqlx::query_scalar("SELECT thread_id FROM comments WHERE body LIKE '%xxxxxxxxxx%'")
                .fetch_all(app.pool())
                .await
                .unwrap();
        let mut pages = vec![html];
        for thread in threads {
            pages.push(
                text(
                    TestApp::client()
                        .get(app.url(&format!("{page}/threads/{thread}")))
                        .send()
                        .await
                        .unwrap(),
                )
                .await,
            );
        }
        for html in pages {
            for marker in ["alert('x", "alert(&#x27;x", "alert(&#39;x"] {
                for found in html.match_indices(marker).map(|(i, _)| i) {
                    // Wherever the words appear, they are text: not inside a tag we did not write.
                    let before = &html[..found];
                    let open = before.rfind('<').unwrap_or(0);
                    let close = before.rfind('>').unwrap_or(0);
                    assert!(
                        close > open,
                        "script text inside a tag: {}",
                        &html[open..found + 20]
                    );
                }
            }
            assert!(!html.contains("<script>alert"));
            assert!(!html.contains("<img src=x"));
            assert!(!html.contains("href=\"javascript:"));
            assert!(!html.contains("<div onmouseover"));
            assert!(!html.contains("<b>name</b>"));
            assert!(!html.contains('\u{202E}'));
        }
    }
);

on_both!(
    open_data_lists_comments_as_json_and_csv,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (_, draft) = strategy(&app).await;
        let comments = published(&app, draft).await;
        assert!(comments.len() >= 6);
        let hidden = comments
            .iter()
            .find(|c| c["status"] == "hidden")
            .expect("the demo's hidden comment");
        assert!(hidden["body"].is_null());
        assert_eq!(hidden["moderation"]["reason"], "personal_data");
        let passage = comments
            .iter()
            .find(|c| c["quote"] == "initially 0.5 per cent")
            .unwrap();
        assert!(passage["anchor_start"].is_string() && passage["location"]["start"].is_u64());
        let reply = comments
            .iter()
            .find(|c| c["parent_id"] == passage["id"])
            .unwrap();
        assert_eq!(reply["thread_id"], passage["id"]);
        assert_eq!(reply["official"], true);
        assert!(
            !serde_json::Value::Array(comments.clone())
                .to_string()
                .contains("@demo.baraza"),
            "no emails"
        );

        let response = TestApp::client()
            .get(app.url(&format!("/api/v1/drafts/{draft}/comments?format=csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = text(response).await;
        assert!(csv.starts_with("id,thread_id,parent_id,depth,status,display_name"));
        // One line per comment after the header (line breaks inside a body are quoted `\n`).
        assert_eq!(csv.matches("\r\n").count(), comments.len() + 1);
        assert!(csv.contains(",How was **0.5 per cent** chosen?"));
        assert!(!csv.contains("555-0143"));
        assert_eq!(
            app.json("/api/v1/drafts/999999/comments").await["error"],
            "not_found"
        );
    }
);

on_both!(
    co_drafters_comment_for_their_organisation_while_drafting,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("drafting").await;
        let draft = app.draft_id("Charter").await;
        let city = app.org_id("City Hall").await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let gov = app.signed_in("gov@demo.baraza").await;
        // Speaking for themselves they may not comment while drafting, so the form speaks for the city.
        let html = text(gov.get(app.url(&page)).send().await.unwrap()).await;
        assert!(
            html.contains(&format!("<option value=\"{city}\" selected")),
            "the city is chosen"
        );
        let (status, _) = post(
            &app,
            &gov,
            &page,
            &[("intent", "comment"), ("body", "As myself.")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = post(
            &app,
            &gov,
            &page,
            &[
                ("intent", "comment"),
                ("body", "For the city."),
                ("acting_for", &city.to_string()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let c = comment_with(&app, draft, "For the city.").await;
        assert!(
            c["organisation"]["en"]
                .as_str()
                .unwrap()
                .contains("City Hall")
        );
        assert_eq!(c["official"], true, "City Hall is a government body");
    }
);

on_both!(
    moderators_decide_from_the_thread_as_well_as_the_queue,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let id = comment_with(&app, draft, "A clear strategy").await["thread_id"]
            .as_i64()
            .unwrap();
        let thread = format!("{page}/threads/{id}");
        // Nobody reported it, so it is not in the queue; the moderator acts from the thread.
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let listed = text(moderator.get(app.url(&page)).send().await.unwrap()).await;
        assert!(listed.contains(&format!("{thread}?open=moderate-{id}#comment-{id}")));
        let own = text(moderator.get(app.url(&thread)).send().await.unwrap()).await;
        assert!(own.contains(&format!("action=\"/processes/{process}/moderation\"")));
        // Hiding asks which rule is broken, none chosen in advance.
        assert!(own.contains(&format!("id=\"moderate-{id}-reason\"")));
        for email in ["citizen@demo.baraza", "gov@demo.baraza"] {
            let html = text(
                app.signed_in(email)
                    .await
                    .get(app.url(&thread))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert!(
                !html.contains("moderate-"),
                "{email} is offered no moderation"
            );
        }
        let (status, _) = post(
            &app,
            &moderator,
            &format!("/processes/{process}/moderation"),
            &[
                ("intent", "moderate"),
                ("key", &id.to_string()),
                ("comment", &id.to_string()),
                ("action", "hidden"),
                ("reason", "off_topic"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        assert_eq!(log["entries"][0]["action"], "hidden");
        assert_eq!(log["entries"][0]["by_role"], "moderator");
    }
);

on_both!(
    a_moderation_decision_takes_only_a_reason_that_fits_it,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let queue = format!("/processes/{process}/moderation");
        let log = format!("/api/v1/processes/{process}/moderation-log");
        let entries = |log: serde_json::Value| log["entries"].as_array().unwrap().len();
        let before = entries(app.json(&log).await);
        let visible: i64 = sqlx::query_scalar(
            "SELECT id FROM comments WHERE status = 'visible' AND draft_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(draft)
        .fetch_one(app.pool())
        .await
        .unwrap();
        let hidden: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE status = 'hidden'")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let moderator = app.signed_in("moderator@demo.baraza").await;
        for (comment, action, reason, says) in [
            // Restoring a hidden comment "because it is spam" would contradict itself in public.
            (
                hidden,
                "restored",
                "spam",
                "does not fit the decision “Restored”",
            ),
            // Hiding one "within the rules" too.
            (
                visible,
                "hidden",
                "within_rules",
                "does not fit the decision “Hidden”",
            ),
            // Hiding needs a reason chosen on purpose.
            (visible, "hidden", "", "Choose one of the options offered."),
        ] {
            let (status, page) = post(
                &app,
                &moderator,
                &queue,
                &[
                    ("intent", "moderate"),
                    ("comment", &comment.to_string()),
                    ("action", action),
                    ("reason", reason),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{action} {reason}");
            assert!(page.contains(says), "{action} {reason}: {says}");
        }
        // Nothing was recorded, nothing changed.
        assert_eq!(entries(app.json(&log).await), before);
        let status: String = sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
            .bind(hidden)
            .fetch_one(app.pool())
            .await
            .unwrap();
        assert_eq!(status, "hidden");
        // The fitting pairs are recorded as they read.
        let (status, _) = post(
            &app,
            &moderator,
            &queue,
            &[
                ("intent", "moderate"),
                ("comment", &visible.to_string()),
                ("action", "hidden"),
                ("reason", "off_topic"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let newest = &app.json(&log).await["entries"][0];
        assert_eq!(newest["action"], "hidden");
        assert_eq!(newest["reason"], "off_topic");
    }
);

on_both!(
    a_single_report_reaches_the_queue_and_approving_the_comment_answers_it,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, draft) = strategy(&app).await;
        let page = format!("/processes/{process}/drafts/{draft}");
        let queue = format!("/processes/{process}/moderation");
        let reader = app.signed_in("citizen@demo.baraza").await;
        let (status, _) = post(
            &app,
            &reader,
            &page,
            &[
                ("intent", "comment"),
                ("body", "Only one person will find this wrong."),
                ("stance", "none"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM comments WHERE body = 'Only one person will find this wrong.'",
        )
        .fetch_one(app.pool())
        .await
        .unwrap();
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let listed = |html: &str| html.contains("Only one person will find this wrong.");
        let before = text(moderator.get(app.url(&queue)).send().await.unwrap()).await;
        assert!(!listed(&before), "not reported yet");

        let other = app.signed_in("civil@demo.baraza").await;
        let (status, notice) = post(
            &app,
            &other,
            &page,
            &[
                ("intent", "report"),
                ("comment", &id.to_string()),
                ("reason", "off_topic"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{notice}");
        let after = text(moderator.get(app.url(&queue)).send().await.unwrap()).await;
        assert!(listed(&after), "one report puts it in the queue");
        assert!(
            after.contains("Reports: 1 (Off topic)"),
            "with its count and reason"
        );
        // Held comments come first.
        let held = sqlx::query_scalar::<_, String>(
            "SELECT body FROM comments WHERE status = 'held' AND process_id = $1 LIMIT 1",
        )
        .bind(process)
        .fetch_optional(app.pool())
        .await
        .unwrap();
        if let Some(held) = held {
            let first_words: String = held.chars().take(20).collect();
            let held_at = after
                .find(&first_words)
                .expect("the held comment is listed");
            assert!(held_at < after.find("Only one person").unwrap());
        }

        // A reader may not answer the report; a moderator approves: it stays, the queue empties.
        let approve = [
            ("intent", "moderate"),
            ("comment", &id.to_string() as &str),
            ("action", "approved"),
            ("reason", "within_rules"),
        ];
        let (status, _) = post(&app, &reader, &queue, &approve).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = post(&app, &moderator, &queue, &approve).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let later = text(moderator.get(app.url(&queue)).send().await.unwrap()).await;
        assert!(!listed(&later), "answered");
        assert_eq!(
            comment_with(&app, draft, "Only one person").await["status"],
            "visible"
        );
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        assert_eq!(log["entries"][0]["action"], "approved");
        assert_eq!(log["entries"][0]["reason"], "within_rules");
        // Approving again, with nothing reported, is not a decision there is to take.
        let (status, _) = post(&app, &moderator, &queue, &approve).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);
