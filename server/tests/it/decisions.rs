//! Councils decide: freezing the text, answering every thread, voting, publishing, follow-up,
//! and the public record that shows any later change. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, post, text};
use app::domain::roles::Phase;
use app::ids::{DraftId, OrgId, PersonId, ProcessId};
use app::model::Actor;
use reqwest::StatusCode;

/// The top-level threads of a draft, oldest first, with their first words.
async fn threads(app: &TestApp, draft: i64) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT id, body FROM comments WHERE draft_id = $1 AND parent_id IS NULL ORDER BY id",
    )
    .bind(draft)
    .fetch_all(app.pool())
    .await
    .unwrap()
}

on_both!(
    a_council_answers_every_thread_votes_and_publishes,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("decision").await;
        let draft = app.draft_id("text for decision").await;
        let council = app.signed_in("council@demo.baraza").await;
        let council2 = app.signed_in("council2@demo.baraza").await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let store = app.running.as_ref().unwrap().store.clone();
        let manage = format!("/processes/{process}/manage");
        let draft_s = draft.to_string();

        // Freezing: a citizen may not; the council may, once.
        let (status, _, _) = post(
            &app,
            &citizen,
            &manage,
            &[("intent", "freeze"), ("draft", &draft_s)],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Freezing cannot be undone: unconfirmed, it is refused with what it would do, and
        // nothing changes; the process page shows the confirmation step.
        let before = app.snapshot().await;
        let (status, _, body) = post(
            &app,
            &council,
            &manage,
            &[("intent", "freeze"), ("draft", &draft_s)],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("cannot be undone"), "{body}");
        assert!(body.contains("it becomes version 1"), "{body}");
        assert!(body.contains("name=\"confirmed\" value=\"yes\""), "{body}");
        assert_eq!(
            app.snapshot().await,
            before,
            "an unconfirmed freeze changed something"
        );
        let (status, location, _) = post(
            &app,
            &council,
            &manage,
            &[
                ("intent", "freeze"),
                ("draft", &draft_s),
                ("confirmed", "yes"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let page = location.clone();
        assert!(
            page.starts_with(&format!("/processes/{process}/decisions/")),
            "{page}"
        );
        let decision: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let (status, _, body) = post(
            &app,
            &mediator,
            &manage,
            &[
                ("intent", "freeze"),
                ("draft", &draft_s),
                ("confirmed", "yes"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "frozen once");
        assert!(body.contains("already frozen"));

        // The live draft is read-only for everyone, whatever the lock or phase says.
        let gov = app.person_id("gov@demo.baraza").await;
        let city = OrgId(app.org_id("City Hall").await);
        let access = store
            .draft_write_access(
                DraftId(draft),
                Actor {
                    person: PersonId(gov),
                    acting_for: Some(city),
                },
            )
            .await
            .unwrap();
        assert_eq!(access, Err(app::i18n::Msg::ErrorDraftFrozen));
        // New threads would go unanswered: refused; replies are still welcome.
        let (status, _, body) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/drafts/{draft}"),
            &[
                ("intent", "comment"),
                ("body", "A late thought."),
                ("stance", "none"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        let frozen = app.json(&format!("/api/v1/drafts/{draft}")).await;
        let version = frozen["versions"][0].clone();
        let frozen_text = frozen["text"].as_str().unwrap().to_string();
        assert_eq!(
            version["content_hash"],
            app::api::drafts::content_hash(&frozen_text)
        );

        // Publishing now is refused with everything that is missing, and changes nothing.
        let path = format!("/processes/{process}/decisions/{decision}");
        let before = app.snapshot().await;
        let (status, _, body) = post(
            &app,
            &council,
            &path,
            &[("intent", "publish"), ("rationale", "")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("4 threads have no answer"), "{body}");
        assert!(body.contains("Too few votes: 0 cast, 2 needed"), "{body}");
        assert!(body.contains("Write the rationale."), "{body}");
        assert_eq!(
            app.snapshot().await,
            before,
            "a refused publication changed something"
        );

        // Answers: two threads of one concern together, with the change in the text.
        let all = threads(&app, draft).await;
        assert_eq!(all.len(), 4);
        let id_of = |words: &str| {
            all.iter()
                .find(|(_, b)| b.contains(words))
                .unwrap()
                .0
                .to_string()
        };
        let (young, paper, union, elders) = (
            id_of("young people"),
            id_of("纸质投票点"),
            id_of("工人活动中心"),
            id_of("elders"),
        );
        let paper_key = format!("thread.{paper}");
        let union_key = format!("thread.{union}");
        let (status, _, body) = post(
            &app,
            &council,
            &path,
            &[
                ("intent", "answer"),
                (&paper_key, "on"),
                (&union_key, "on"),
                ("disposition", "accepted"),
                (
                    "reason",
                    "Paper ballots will be at the Workers' Centre too.",
                ),
                ("change", "words that are nowhere"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("not in the frozen text"), "{body}");
        let (status, _, _) = post(
            &app,
            &council,
            &path,
            &[
                ("intent", "answer"),
                (&paper_key, "on"),
                (&union_key, "on"),
                ("disposition", "accepted"),
                (
                    "reason",
                    "Paper ballots will be at the Workers' Centre too.",
                ),
                ("change", "markets and the Workers' Centre"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let young_key = format!("thread.{young}");
        let (status, _, _) = post(
            &app,
            &citizen,
            &path,
            &[
                ("intent", "answer"),
                (&young_key, "on"),
                ("disposition", "accepted"),
                ("reason", "Yes"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "citizens do not answer");
        let (status, _, _) = post(
            &app,
            &mediator,
            &path,
            &[
                ("intent", "answer"),
                (&young_key, "on"),
                ("disposition", "partly_accepted"),
                (
                    "reason",
                    "City Hall will offer a workshop to any school that asks.",
                ),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let elders_key = format!("thread.{elders}");
        let (status, _, _) = post(&app, &council, &path, &[
            ("intent", "answer"), (&elders_key, "on"), ("disposition", "not_accepted"),
            ("reason", "Facilitators stay neutral; elders are invited to speak first at each assembly."),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Votes: council members only, one each (a second replaces the first).
        for (client, who) in [(&citizen, "citizen"), (&mediator, "mediator")] {
            let (status, _, _) = post(
                &app,
                client,
                &path,
                &[("intent", "vote"), ("choice", "for")],
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} may not vote");
        }
        let (status, _, _) = post(
            &app,
            &council,
            &path,
            &[("intent", "vote"), ("choice", "against")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = post(
            &app,
            &council,
            &path,
            &[("intent", "vote"), ("choice", "for")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = post(
            &app,
            &council2,
            &path,
            &[
                ("intent", "vote"),
                ("choice", "for"),
                ("statement", "同意。"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // A mediator may not publish; the council may.
        let publish = [
            ("intent", "publish"),
            ("rationale", "The rules balance **every ward**."),
            ("review_on", "2099-01-31"),
        ];
        let (status, _, _) = post(&app, &mediator, &path, &publish).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Open data exists only once published.
        for path in [
            format!("/api/v1/decisions/{decision}"),
            format!("/api/v1/decisions/{decision}/dispositions.csv"),
        ] {
            let response = TestApp::client().get(app.url(&path)).send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{path} before publication"
            );
        }
        // Publishing cannot be undone: unconfirmed, it is refused with what it would make
        // permanent, and nothing changes.
        let before = app.snapshot().await;
        let (status, _, body) = post(&app, &council, &path, &publish).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("Publishing cannot be undone") || body.contains("公布后无法撤销"),
            "{body}"
        );
        assert!(body.contains("name=\"confirmed\" value=\"yes\""), "{body}");
        assert_eq!(
            app.snapshot().await,
            before,
            "an unconfirmed publication changed something"
        );
        let publish = [
            ("intent", "publish"),
            ("rationale", "The rules balance **every ward**."),
            ("review_on", "2099-01-31"),
            ("confirmed", "yes"),
        ];
        let (status, _, _) = post(&app, &council, &path, &publish).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Published: nothing about it can change, by anyone.
        let before = app.snapshot().await;
        for (client, form) in [
            (
                &council,
                vec![
                    ("intent", "answer"),
                    (elders_key.as_str(), "on"),
                    ("disposition", "accepted"),
                    ("reason", "Changed our mind"),
                ],
            ),
            (&council2, vec![("intent", "vote"), ("choice", "against")]),
            (&council, publish.to_vec()),
        ] {
            let (status, _, body) = post(&app, client, &path, &form).await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            // council2 reads Chinese.
            assert!(
                body.contains("stays as it was published") || body.contains("保持公布时的原样")
            );
        }
        let (status, _, _) = post(
            &app,
            &app.signed_in("gov@demo.baraza").await,
            &format!("/processes/{process}/drafts/{draft}"),
            &[("intent", "version"), ("name", "Sneaky")],
        )
        .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::CONFLICT,
            "{status}"
        );
        assert_eq!(
            app.snapshot().await,
            before,
            "the published decision changed"
        );

        // The public page, the open data and the feeds.
        let html = text(TestApp::client().get(app.url(&path)).send().await.unwrap()).await;
        assert!(html.contains("4 of 4 threads answered"), "coverage shown");
        assert!(html.contains("Carried"));
        assert!(html.contains("City Hall will offer a workshop"));
        let json = app.json(&format!("/api/v1/decisions/{decision}")).await;
        assert_eq!(json["vote"]["passed"], true);
        assert_eq!(json["vote"]["for"], 2);
        assert_eq!(json["vote"]["council"], 3);
        assert_eq!(json["text_sha256"], version["content_hash"]);
        let dispositions = json["dispositions"].as_array().unwrap();
        assert_eq!(dispositions.len(), 4);
        assert!(dispositions.iter().all(|d| d["disposition"].is_string()));
        let paper_answer = dispositions
            .iter()
            .find(|d| {
                d["thread_id"].as_i64().map(|t| t.to_string()).as_deref() == Some(paper.as_str())
            })
            .unwrap();
        assert_eq!(paper_answer["answered_with"].as_array().unwrap().len(), 2);
        assert_eq!(paper_answer["change"], "markets and the Workers' Centre");
        assert!(
            json["shares"].as_array().unwrap().len() >= 2,
            "co-drafters' shares"
        );
        let csv = text(
            TestApp::client()
                .get(app.url(&format!("/api/v1/decisions/{decision}/dispositions.csv")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(csv.lines().count(), 5, "a header and four threads:\n{csv}");
        assert!(csv.contains("partly_accepted"));
        for feed in [
            "/decisions.atom".to_string(),
            format!("/processes/{process}/decisions.atom"),
        ] {
            let response = TestApp::client().get(app.url(&feed)).send().await.unwrap();
            assert!(
                response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/atom+xml")
            );
            let xml = text(response).await;
            assert!(
                xml.contains(&format!("/processes/{process}/decisions/{decision}</id>")),
                "{xml}"
            );
            assert!(xml.contains("The rules balance **every ward**."));
        }
        // The process's activity feed says it was published, and links to it.
        let activity = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{process}/activity.atom")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            activity.contains("<title>Decision published: "),
            "{activity}"
        );
        assert!(activity.contains(&format!("/processes/{process}/decisions/{decision}\"/>")));
        // Another process's feed does not carry it.
        let other = app.process_in("drafting").await;
        let xml = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{other}/decisions.atom")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(!xml.contains("<entry>"));

        // The record holds the frozen text, each answer and the publication, and checks out.
        let record = app.json("/api/v1/record?limit=500").await;
        let kinds: Vec<&str> = record["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.iter().filter(|k| **k == "disposition").count(), 4);
        assert_eq!(kinds.iter().filter(|k| **k == "text_frozen").count(), 1);
        assert_eq!(kinds.last(), Some(&"decision_published"));
        assert!(kinds.contains(&"phase_changed") && kinds.contains(&"moderation"));
        let intact = server::audit::verify_record(store.as_ref())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(intact.entries as usize, kinds.len());

        // Follow-up: in the follow-up phase, by the council.
        let update = [
            ("intent", "follow_up"),
            ("status", "in_progress"),
            ("progress", "40"),
            ("on", "2026-12-01"),
            ("note", "Voting offices chosen in all twelve wards."),
            ("review_on", ""),
        ];
        let (status, _, _) = post(&app, &council, &path, &update).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "not in the decision phase");
        let admin = app.person_id("admin@demo.baraza").await;
        store
            .set_phase(
                Actor {
                    person: PersonId(admin),
                    acting_for: None,
                },
                ProcessId(process),
                Phase::FollowUp,
                1,
            )
            .await
            .unwrap()
            .unpublished();
        let (status, _, _) = post(&app, &citizen, &path, &update).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, body) = post(
            &app,
            &council,
            &path,
            &[
                ("intent", "follow_up"),
                ("status", "done"),
                ("progress", "140"),
                ("on", "soon"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("from 0 to 100") && body.contains("YYYY-MM-DD"));
        let (status, _, _) = post(&app, &council, &path, &update).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let json = app.json(&format!("/api/v1/decisions/{decision}")).await;
        assert_eq!(json["updates"][0]["progress"], 40);
        assert_eq!(json["review_on"], "2099-01-31");
    }
);

on_both!(
    answering_an_answered_thread_again_says_whose_answer_it_replaces_first,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("decision").await;
        let draft = app.draft_id("text for decision").await;
        let council = app.signed_in("council@demo.baraza").await;
        let draft_s = draft.to_string();
        let (status, location, _) = post(
            &app,
            &council,
            &format!("/processes/{process}/manage"),
            &[
                ("intent", "freeze"),
                ("draft", &draft_s),
                ("confirmed", "yes"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let path = location;
        let all = threads(&app, draft).await;
        let id_of = |words: &str| all.iter().find(|(_, b)| b.contains(words)).unwrap().0;
        let (paper, union, young) = (
            id_of("纸质投票点"),
            id_of("工人活动中心"),
            id_of("young people"),
        );
        let key = |t: i64| format!("thread.{t}");
        let (paper_key, union_key, young_key) = (key(paper), key(union), key(young));
        let (status, _, _) = post(
            &app,
            &council,
            &path,
            &[
                ("intent", "answer"),
                (&paper_key, "on"),
                (&union_key, "on"),
                ("disposition", "accepted"),
                ("reason", "Paper ballots at the Workers' Centre too."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // The page tells answered threads from open ones in words.
        let page = text(council.get(app.url(&path)).send().await.unwrap()).await;
        assert!(page.contains("Answered: Accepted"), "{page}");
        assert!(page.contains("Not answered yet"), "{page}");
        assert!(page.contains(&format!(
            "Answer thread #{paper} again (replaces its answer)"
        )));

        // Ticking an answered thread with an open one: refused, saying whose answer would be
        // replaced and which thread keeps it; nothing recorded.
        let answer = [
            ("intent", "answer"),
            (paper_key.as_str(), "on"),
            (young_key.as_str(), "on"),
            ("disposition", "partly_accepted"),
            ("reason", "Both get a workshop."),
        ];
        let before = app.snapshot().await;
        let (status, _, body) = post(&app, &council, &path, &answer).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains(&format!(
                "Already answered among the threads you ticked: #{paper}."
            )),
            "{body}"
        );
        assert!(
            body.contains(&format!("That answer also covers #{union}; they keep it.")),
            "{body}"
        );
        assert!(body.contains("Replace their answers"), "{body}");
        assert_eq!(
            app.snapshot().await,
            before,
            "an answer was replaced silently"
        );

        // Chosen on purpose, it replaces that thread's answer; the other keeps the joint one.
        let mut replace = answer.to_vec();
        replace.push(("replace", "yes"));
        let (status, _, _) = post(&app, &council, &path, &replace).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let decision: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let answers: Vec<(i64, String)> = sqlx::query_as(
            "SELECT d.thread_id, a.disposition FROM decision_dispositions d \
             JOIN decision_answers a ON a.id = d.answer_id WHERE d.decision_id = $1 ORDER BY d.thread_id",
        )
        .bind(decision)
        .fetch_all(app.pool())
        .await
        .unwrap();
        let of = |t: i64| {
            answers
                .iter()
                .find(|(id, _)| *id == t)
                .map(|(_, d)| d.as_str())
        };
        assert_eq!(of(paper), Some("partly_accepted"));
        assert_eq!(of(young), Some("partly_accepted"));
        assert_eq!(of(union), Some("accepted"));
    }
);

on_both!(
    an_overdue_review_is_flagged_publicly,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("decision").await;
        let draft = app.draft_id("text for decision").await;
        let store = app.running.as_ref().unwrap().store.clone();
        let person = |email: &'static str| {
            let app = &app;
            async move {
                Actor {
                    person: PersonId(app.person_id(email).await),
                    acting_for: None,
                }
            }
        };
        let council = person("council@demo.baraza").await;
        let council3 = person("council3@demo.baraza").await;
        let id = store
            .freeze_draft(council, DraftId(draft), 1)
            .await
            .unwrap()
            .unpublished();
        // The text is fixed through the page's own path in the other test; here, directly.
        store
            .fix_decision_text(
                id,
                council,
                app::model::FrozenText {
                    version: app::model::NewVersion {
                        name: "Frozen".into(),
                        text: "The rules.".into(),
                        content_hash: app::api::drafts::content_hash("The rules."),
                        state: Vec::new(),
                    },
                    shares: Vec::new(),
                },
                2,
            )
            .await
            .unwrap()
            .unpublished();
        for (thread, _) in threads(&app, draft).await {
            store
                .answer_threads(
                    council,
                    id,
                    app::model::NewAnswer {
                        threads: vec![app::ids::CommentId(thread)],
                        disposition: app::domain::decision::Disposition::OutOfScope,
                        reason: "For the budget regulation.".into(),
                        change: None,
                        replace: false,
                    },
                    3,
                )
                .await
                .unwrap()
                .unpublished();
        }
        store
            .cast_vote(council, id, app::domain::decision::Choice::For, "", 4)
            .await
            .unwrap()
            .unpublished();
        // One vote of three is no quorum under "more than half".
        let refused = store
            .publish_decision(council, id, "Because.", None, 5)
            .await
            .unwrap_err();
        assert_eq!(
            refused.fields()[0].msg,
            app::i18n::Msg::DecisionMissingQuorum {
                cast: "1".into(),
                needed: "2".into()
            }
        );
        store
            .cast_vote(council3, id, app::domain::decision::Choice::Abstain, "", 6)
            .await
            .unwrap()
            .unpublished();
        let yesterday =
            app::domain::process::Day::from_unix_days(server::clock::now_millis() / 86_400_000 - 1);
        store
            .publish_decision(council, id, "Because.", Some(yesterday), 7)
            .await
            .unwrap()
            .unpublished();
        let page = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{process}/decisions/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(page.contains("Review overdue"), "flagged on the decision");
        let list = text(
            TestApp::client()
                .get(app.url("/decisions"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(list.contains("Review overdue"), "flagged in the list");
        let process_page = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{process}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            process_page.contains("Review overdue"),
            "flagged on the process"
        );
    }
);

on_both!(
    a_row_changed_in_the_database_breaks_the_record_and_is_found,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let store = app.running.as_ref().unwrap().store.clone();
        // The demo's phase changes and moderation are on record already.
        let intact = server::audit::verify_record(store.as_ref())
            .await
            .unwrap()
            .unwrap();
        assert!(intact.entries >= 5, "{intact:?}");
        let binary = env!("CARGO_BIN_EXE_baraza");
        let verify = || {
            std::process::Command::new(binary)
                .args(["verify-record", "--database-url", &app.database_url()])
                .output()
                .unwrap()
        };
        let ok = verify();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        assert!(String::from_utf8_lossy(&ok.stdout).contains(&intact.head));

        // Someone with database access rewrites history: a phase change that never happened.
        let event: String = sqlx::query_scalar("SELECT event FROM public_record WHERE seq = 3")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let forged = event.replacen("\"kind\"", "\"forged\":true,\"kind\"", 1);
        assert_ne!(forged, event);
        sqlx::query("UPDATE public_record SET event = $1 WHERE seq = 3")
            .bind(&forged)
            .execute(app.pool())
            .await
            .unwrap();
        let finding = server::audit::verify_record(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(finding.seq(), 3);
        let broken = verify();
        assert!(!broken.status.success());
        let said = String::from_utf8_lossy(&broken.stderr);
        assert!(
            said.contains("entry 3") && said.contains("was changed"),
            "{said}"
        );

        // Put back, it checks out again; removing the newest entry is found too.
        sqlx::query("UPDATE public_record SET event = $1 WHERE seq = 3")
            .bind(&event)
            .execute(app.pool())
            .await
            .unwrap();
        assert!(
            server::audit::verify_record(store.as_ref())
                .await
                .unwrap()
                .is_ok()
        );
        sqlx::query("DELETE FROM public_record WHERE seq = (SELECT MAX(seq) FROM public_record)")
            .execute(app.pool())
            .await
            .unwrap();
        let finding = server::audit::verify_record(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(finding.seq(), intact.entries);
        let truncated = verify();
        assert!(String::from_utf8_lossy(&truncated.stderr).contains("removed"));
    }
);

on_both!(concurrent_appends_keep_one_chain, |backend| async move {
    let app = TestApp::start(backend).await;
    let store = app.running.as_ref().unwrap().store.clone();
    let admin = Actor {
        person: PersonId(app.person_id("admin@demo.baraza").await),
        acting_for: None,
    };
    let processes: Vec<i64> = sqlx::query_scalar("SELECT id FROM processes ORDER BY id")
        .fetch_all(app.pool())
        .await
        .unwrap();
    let (before, _) = store.record_head().await.unwrap();
    let mut tasks = Vec::new();
    for round in 0..3 {
        for process in &processes {
            let (store, process) = (store.clone(), ProcessId(*process));
            let phase = [Phase::Framing, Phase::Deliberation, Phase::Drafting][round];
            tasks.push(tokio::spawn(async move {
                store
                    .set_phase(admin, process, phase, 10 + round as i64)
                    .await
            }));
        }
    }
    for task in tasks {
        task.await.unwrap().unwrap().unpublished();
    }
    let (after, _) = store.record_head().await.unwrap();
    assert!(after > before);
    let intact = server::audit::verify_record(store.as_ref())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(intact.entries, after);
});
