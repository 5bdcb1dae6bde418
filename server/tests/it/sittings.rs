//! Sittings' live state through the store (work in progress for issue 5: the pages and the live
//! websocket come next). Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::TestApp;
use app::domain::sitting::{Answer, Command, PollKind, Refusal, Stage};
use app::error::AppError;
use app::ids::{OrgId, PersonId, ProcessId};
use app::model::{Actor, AgendaItem, NewSitting};

fn as_self(person: i64) -> Actor {
    Actor {
        person: PersonId(person),
        acting_for: None,
    }
}

/// A public hearing ("Budget") on the strategy, with the Union invited and its member Chen having
/// accepted the rules of engagement: where the live-channel stories start.
struct UnionHearing {
    process: ProcessId,
    mediator: i64,
    chen: i64,
    union: i64,
    id: app::ids::SittingId,
}

async fn union_hearing(app: &TestApp) -> UnionHearing {
    let process = ProcessId(app.process_in("public_comment").await);
    let mediator = app.person_id("mediator@demo.baraza").await;
    let chen = app.person_id("chen.jing@demo.baraza").await;
    let union = app.org_id("Union").await;
    let store = app.running.as_ref().unwrap().store.clone();
    let id = store
        .create_sitting(
            as_self(mediator),
            process,
            NewSitting {
                title: "Hearing".into(),
                starts_at: 0,
                place: "Online".into(),
                public: true,
                turn_seconds: 120,
                agenda: vec![AgendaItem {
                    text: "Budget".into(),
                    draft: None,
                    thread: None,
                }],
                invited: vec![OrgId(union)],
                note_takers: vec![],
            },
            0,
        )
        .await
        .unwrap()
        .unpublished();
    store
        .accept_rules(PersonId(chen), process, 0)
        .await
        .unwrap()
        .unpublished();
    UnionHearing {
        process,
        mediator,
        chen,
        union,
        id,
    }
}

on_both!(
    a_sitting_runs_by_its_rules_and_survives_a_restart,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        let process = ProcessId(app.process_in("public_comment").await);
        let mediator = app.person_id("mediator@demo.baraza").await;
        let citizen = app.person_id("citizen@demo.baraza").await;
        let chen = app.person_id("chen.jing@demo.baraza").await;
        let union = OrgId(app.org_id("Union").await);
        let store = app.running.as_ref().unwrap().store.clone();
        let new = || NewSitting {
            title: "Hearing on the participatory budget".into(),
            starts_at: 1_800_000_000_000,
            place: "Service centre, room 2; https://meet.example.org/budget".into(),
            public: true,
            turn_seconds: 180,
            agenda: vec![
                AgendaItem {
                    text: "The 0.5 per cent share".into(),
                    draft: None,
                    thread: None,
                },
                AgendaItem {
                    text: "Paper voting".into(),
                    draft: None,
                    thread: None,
                },
            ],
            invited: vec![union],
            note_takers: vec![],
        };
        let refused = store
            .create_sitting(as_self(citizen), process, new(), 0)
            .await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "a citizen schedules nothing"
        );
        // A schedule may not point outside its process: another process's draft is refused.
        let elsewhere = app.draft_id("as adopted").await;
        let mut astray = new();
        astray.agenda[0].draft = Some(app::ids::DraftId(elsewhere));
        let refused = store
            .create_sitting(as_self(mediator), process, astray, 0)
            .await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
        let mut unknown = new();
        unknown.invited.push(OrgId(999_999));
        let refused = store
            .create_sitting(as_self(mediator), process, unknown, 0)
            .await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
        let id = store
            .create_sitting(as_self(mediator), process, new(), 0)
            .await
            .unwrap()
            .unpublished();

        let chair = as_self(mediator);
        let for_union = Actor {
            person: PersonId(chen),
            acting_for: Some(union),
        };
        assert_eq!(
            store
                .command_sitting(id, chair, Command::Open, 1)
                .await
                .unwrap()
                .unpublished()
                .map(|s| s.state.stage),
            Ok(Stage::Open)
        );
        // Speaking needs the rules accepted first.
        assert_eq!(
            store
                .command_sitting(id, for_union, Command::RaiseHand, 2)
                .await
                .unwrap()
                .unpublished()
                .err(),
            Some(Refusal::SpeakersOnly)
        );
        store
            .accept_rules(PersonId(chen), process, 3)
            .await
            .unwrap()
            .unpublished();
        store
            .command_sitting(id, for_union, Command::RaiseHand, 4)
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        // A citizen who is not invited cannot raise a hand, even after accepting the rules.
        store
            .accept_rules(PersonId(citizen), process, 5)
            .await
            .unwrap()
            .unpublished();
        assert_eq!(
            store
                .command_sitting(id, as_self(citizen), Command::RaiseHand, 6)
                .await
                .unwrap()
                .unpublished()
                .err(),
            Some(Refusal::SpeakersOnly)
        );
        assert_eq!(
            store
                .command_sitting(
                    id,
                    for_union,
                    Command::GiveFloor {
                        person: PersonId(chen)
                    },
                    7
                )
                .await
                .unwrap()
                .unpublished()
                .err(),
            Some(Refusal::ChairOnly)
        );
        store
            .command_sitting(
                id,
                chair,
                Command::GiveFloor {
                    person: PersonId(chen),
                },
                10,
            )
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        store
            .command_sitting(
                id,
                chair,
                Command::OpenPoll {
                    question: "Reserve a minimum share per region?".into(),
                    kind: PollKind::Consent,
                    per_organisation: true,
                    names_shown: true,
                },
                20,
            )
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        store
            .command_sitting(
                id,
                for_union,
                Command::Vote {
                    answer: Answer::Agree,
                },
                21,
            )
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        assert_eq!(
            store
                .command_sitting(
                    id,
                    for_union,
                    Command::Vote {
                        answer: Answer::StandAside
                    },
                    22
                )
                .await
                .unwrap()
                .unpublished()
                .err(),
            Some(Refusal::AlreadyVoted)
        );

        // Stored as it changes: a restart loses nothing.
        let before = store.sitting(id).await.unwrap().unwrap();
        app.restart().await;
        let store = app.running.as_ref().unwrap().store.clone();
        let after = store.sitting(id).await.unwrap().unwrap();
        assert_eq!(after, before);
        assert_eq!(after.state.floor().unwrap().speaker.person, PersonId(chen));
        assert_eq!(after.agenda.len(), 2);

        let closed = store
            .command_sitting(id, chair, Command::Close { confirmed: true }, 100)
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        assert_eq!(closed.closed_at, Some(100));
        assert_eq!(closed.state.turns[0].ended, Some(100));
        assert_eq!(
            store
                .command_sitting(id, chair, Command::SetItem { item: 1 }, 101)
                .await
                .unwrap()
                .unpublished()
                .err(),
            Some(Refusal::NotOpen)
        );
        let listed = store.sittings(process).await.unwrap();
        assert_eq!(listed.iter().filter(|s| s.id == id).count(), 1);
    }
);

type Socket = crate::support::SittingSocket;

async fn watch(app: &TestApp, id: i64, cookie: Option<&str>, query: &str) -> Socket {
    crate::support::watch_sitting(&app.base, id, cookie, query).await
}

/// The next JSON message, within five seconds.
async fn next(socket: &mut Socket) -> serde_json::Value {
    use futures_util::StreamExt;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("a message in time")
            .expect("open")
            .expect("readable");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Reads messages until one satisfies `wanted` (within five seconds each).
async fn until(
    socket: &mut Socket,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    loop {
        let message = next(socket).await;
        if wanted(&message) {
            return message;
        }
    }
}

async fn say(socket: &mut Socket, command: serde_json::Value) {
    use futures_util::SinkExt;
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            command.to_string().into(),
        ))
        .await
        .unwrap();
}

on_both!(
    everyone_watching_sees_each_change_live,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let UnionHearing {
            process,
            mediator,
            chen,
            union,
            id,
        } = union_hearing(&app).await;
        let store = app.running.as_ref().unwrap().store.clone();

        let chair_cookie = app.cookie("mediator@demo.baraza").await;
        let chen_cookie = app.cookie("chen.jing@demo.baraza").await;
        let citizen_cookie = app.cookie("citizen@demo.baraza").await;
        let mut chair = watch(&app, id.0, Some(&chair_cookie), "").await;
        let mut speaker = watch(&app, id.0, Some(&chen_cookie), &format!("?as={union}")).await;
        let mut citizen = watch(&app, id.0, Some(&citizen_cookie), "").await;
        let mut public = watch(&app, id.0, None, "").await;
        for socket in [&mut chair, &mut speaker, &mut citizen, &mut public] {
            assert_eq!(next(socket).await["sitting"]["state"]["stage"], "scheduled");
        }

        say(&mut chair, serde_json::json!({ "do": "open" })).await;
        // The speaker, connected while it opens, is marked present; every viewer hears both.
        for socket in [&mut chair, &mut speaker, &mut citizen, &mut public] {
            until(socket, |m| {
                m["sitting"]["state"]["present"][0]["name"] == "陈静"
            })
            .await;
        }
        say(&mut speaker, serde_json::json!({ "do": "raise_hand" })).await;
        // The sender hears that its command is done (its window then clears the form).
        until(&mut speaker, |m| m["done"] == true).await;
        let mut heard = Vec::new();
        for socket in [&mut chair, &mut speaker, &mut citizen, &mut public] {
            let state = until(socket, |m| {
                !m["sitting"]["state"]["queue"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            })
            .await;
            assert_eq!(state["sitting"]["state"]["queue"][0]["name"], "陈静");
            heard.push(state);
        }
        // Each viewer is told their own place: the speaker's hand is raised, the chair's is not.
        assert_eq!(heard[1]["mine"]["hand_raised"], true);
        assert_eq!(heard[0]["mine"]["hand_raised"], false);

        // Wrong roles are refused, to them alone (by a code the window translates), and nothing
        // changes.
        let before = store.sitting(id).await.unwrap().unwrap();
        say(&mut citizen, serde_json::json!({ "do": "raise_hand" })).await;
        assert_eq!(
            until(&mut citizen, |m| m.get("refused").is_some()).await["refused"],
            "speakers_only"
        );
        say(&mut public, serde_json::json!({ "do": "close" })).await;
        assert_eq!(
            until(&mut public, |m| m.get("refused").is_some()).await["refused"],
            "sign_in_first"
        );
        say(
            &mut speaker,
            serde_json::json!({ "do": "give_floor", "person": chen }),
        )
        .await;
        assert_eq!(
            until(&mut speaker, |m| m.get("refused").is_some()).await["refused"],
            "chair_only"
        );
        say(&mut chair, serde_json::json!({ "do": "dance" })).await;
        assert_eq!(
            until(&mut chair, |m| m.get("refused").is_some()).await["refused"],
            "unreadable"
        );
        // Without JavaScript the same commands are forms; the wrong role is refused there too.
        let page = format!("/processes/{}/sittings/{}", process.0, id.0);
        let response = app
            .signed_in("citizen@demo.baraza")
            .await
            .post(app.url(&page))
            .header("origin", &app.base)
            .form(&[("intent", "command"), ("do", "close")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let after = store.sitting(id).await.unwrap().unwrap();
        assert_eq!(before, after, "refusals change nothing");

        // A late joiner gets the current state.
        let mut late = watch(&app, id.0, None, "").await;
        assert_eq!(
            next(&mut late).await["sitting"]["state"]["queue"][0]["name"],
            "陈静"
        );

        // The chair gives the floor with a plain form (no JavaScript); the websockets hear it.
        let response = app
            .signed_in("mediator@demo.baraza")
            .await
            .post(app.url(&page))
            .header("origin", &app.base)
            .form(&[
                ("intent", "command"),
                ("do", "give_floor"),
                ("person", &chen.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection() || response.status().is_success());
        until(&mut late, |m| {
            m["sitting"]["state"]["turns"][0]["speaker"]["name"] == "陈静"
        })
        .await;

        // The minutes: the chair writes; the speaker may not.
        let minutes = after.minutes;
        let chair_actor = Actor {
            person: PersonId(mediator),
            acting_for: None,
        };
        let speaker_actor = Actor {
            person: PersonId(chen),
            acting_for: None,
        };
        assert_eq!(
            store
                .draft_write_access(minutes, chair_actor)
                .await
                .unwrap(),
            Ok(())
        );
        assert!(
            store
                .draft_write_access(minutes, speaker_actor)
                .await
                .unwrap()
                .is_err()
        );
        // Minutes are not a proposal: not listed with the drafts, not a draft page.
        assert!(
            store
                .drafts(process)
                .await
                .unwrap()
                .iter()
                .all(|d| d.id != minutes)
        );
        let draft_page = app
            .signed_in("mediator@demo.baraza")
            .await
            .get(app.url(&format!("/processes/{}/drafts/{}", process.0, minutes.0)))
            .send()
            .await
            .unwrap();
        assert_eq!(draft_page.status(), 404);

        // The record, as open data: a turn, the balance per group (silent groups included), a poll
        // that hides names.
        say(
            &mut chair,
            serde_json::json!({ "do": "open_poll", "question": "Reserve a share per region?",
            "kind": { "kind": "consent" }, "per_organisation": true, "names_shown": false }),
        )
        .await;
        until(&mut speaker, |m| {
            m["sitting"]["state"]["polls"][0]["open"] == true
        })
        .await;
        say(
            &mut speaker,
            serde_json::json!({ "do": "vote", "answer": { "answer": "agree" } }),
        )
        .await;
        let voted = until(&mut speaker, |m| m["mine"]["voted"] == true).await;
        // Names hidden: the speaker's vote carries no name, even to the speaker.
        assert!(
            !voted["sitting"]["state"]["polls"][0]
                .to_string()
                .contains("陈静")
        );
        say(
            &mut speaker,
            serde_json::json!({ "do": "vote", "answer": { "answer": "agree" } }),
        )
        .await;
        assert_eq!(
            until(&mut speaker, |m| m.get("refused").is_some()).await["refused"],
            "already_voted"
        );
        // Someone claiming to speak for the union learns nothing of its vote.
        let mut pretender = watch(&app, id.0, Some(&citizen_cookie), &format!("?as={union}")).await;
        let seen = next(&mut pretender).await;
        assert_eq!(seen["mine"]["voted"], false, "{seen}");
        say(
            &mut chair,
            serde_json::json!({ "do": "close", "confirmed": true }),
        )
        .await;
        until(&mut speaker, |m| m["sitting"]["state"]["stage"] == "closed").await;
        assert!(
            store
                .draft_write_access(minutes, chair_actor)
                .await
                .unwrap()
                .is_err(),
            "closed minutes are read-only"
        );
        let record = app.json(&format!("/api/v1/sittings/{}", id.0)).await;
        assert_eq!(record["stage"], "closed");
        assert_eq!(record["turns"][0]["group"], "informal");
        assert_eq!(record["attendance"][0]["group"], "informal");
        assert_eq!(record["balance"].as_array().unwrap().len(), 6);
        assert_eq!(record["polls"][0]["results"], serde_json::json!([1, 0, 0]));
        assert!(record["polls"][0]["votes"].is_null(), "names hidden");
        assert!(!record.to_string().contains("@demo.baraza"));
        // After close every command is refused.
        say(
            &mut chair,
            serde_json::json!({ "do": "set_item", "item": 0 }),
        )
        .await;
        assert_eq!(
            until(&mut chair, |m| m.get("refused").is_some()).await["refused"],
            "not_open"
        );
    }
);

on_both!(hands_raised_at_once_are_all_kept, |backend| async move {
    let app = TestApp::start(backend).await;
    let process = ProcessId(app.process_in("public_comment").await);
    let mediator = as_self(app.person_id("mediator@demo.baraza").await);
    let store = app.running.as_ref().unwrap().store.clone();
    let people = [
        ("informal@demo.baraza", "Elders"),
        ("gov@demo.baraza", "City Hall"),
        ("civil@demo.baraza", "Open Data"),
        ("chen.jing@demo.baraza", "Union"),
        ("academia@demo.baraza", "Institute"),
        ("business@demo.baraza", "Industry"),
    ];
    let mut speakers = Vec::new();
    for (email, org) in people {
        speakers.push(Actor {
            person: PersonId(app.person_id(email).await),
            acting_for: Some(OrgId(app.org_id(org).await)),
        });
    }
    let id = store
        .create_sitting(
            mediator,
            process,
            NewSitting {
                title: "Crowded room".into(),
                starts_at: 0,
                place: "Hall".into(),
                public: true,
                turn_seconds: 60,
                agenda: vec![AgendaItem {
                    text: "Everything".into(),
                    draft: None,
                    thread: None,
                }],
                invited: speakers.iter().filter_map(|s| s.acting_for).collect(),
                note_takers: vec![],
            },
            0,
        )
        .await
        .unwrap()
        .unpublished();
    for speaker in &speakers {
        store
            .accept_rules(speaker.person, process, 0)
            .await
            .unwrap()
            .unpublished();
    }
    store
        .command_sitting(id, mediator, Command::Open, 1)
        .await
        .unwrap()
        .unpublished()
        .unwrap();
    // Everyone raises a hand at the same moment: no hand may be lost to another's write.
    let raised = futures_util::future::join_all(speakers.iter().map(|speaker| {
        let store = store.clone();
        let speaker = *speaker;
        async move {
            store
                .command_sitting(id, speaker, Command::RaiseHand, 2)
                .await
        }
    }))
    .await;
    for result in raised {
        assert_eq!(result.unwrap().unpublished().err(), None);
    }
    let stored = store.sitting(id).await.unwrap().unwrap();
    assert_eq!(
        stored.state.queue.len(),
        speakers.len(),
        "{:?}",
        stored.state.queue
    );
    assert_eq!(stored.state.present.len(), speakers.len());
    assert_eq!(stored.state.version, 1 + speakers.len() as u64);
});

/// The HTTP status a websocket upgrade at `path` is answered with (101 when it succeeds).
async fn upgrade_status(app: &TestApp, path: &str, cookie: Option<&str>) -> u16 {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let ws = app.base.replacen("http://", "ws://", 1);
    let mut request = format!("{ws}{path}").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", app.base.parse().unwrap());
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("{other}"),
    }
}

on_both!(
    a_private_sitting_is_shown_only_to_whom_it_concerns,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = ProcessId(app.process_in("public_comment").await);
        let mediator = as_self(app.person_id("mediator@demo.baraza").await);
        let union = OrgId(app.org_id("Union").await);
        let store = app.running.as_ref().unwrap().store.clone();
        let id = store
            .create_sitting(
                mediator,
                process,
                NewSitting {
                    title: "Closed-door talks".into(),
                    starts_at: 0,
                    place: "Union office".into(),
                    public: false,
                    turn_seconds: 120,
                    agenda: vec![AgendaItem {
                        text: "Pay scales".into(),
                        draft: None,
                        thread: None,
                    }],
                    invited: vec![union],
                    note_takers: vec![],
                },
                0,
            )
            .await
            .unwrap()
            .unpublished();
        let sitting = store.sitting(id).await.unwrap().unwrap();
        let page = format!("/processes/{}/sittings/{}", process.0, id.0);
        let status = |client: reqwest::Client, path: String| async move {
            client.get(path).send().await.unwrap().status().as_u16()
        };

        // The page: sign in first; then only the process's mediators and council and the invitees.
        assert_eq!(status(TestApp::client(), app.url(&page)).await, 302);
        let citizen = app.signed_in("citizen@demo.baraza").await;
        assert_eq!(status(citizen.clone(), app.url(&page)).await, 403);
        for email in [
            "chen.jing@demo.baraza",
            "mediator@demo.baraza",
            "council@demo.baraza",
        ] {
            assert_eq!(
                status(app.signed_in(email).await, app.url(&page)).await,
                200,
                "{email}"
            );
        }
        // Its live channel and its minutes, likewise; the open-data API does not know it yet.
        let citizen_cookie = app.cookie("citizen@demo.baraza").await;
        let chen_cookie = app.cookie("chen.jing@demo.baraza").await;
        let live = format!("/live/sittings/{}", id.0);
        let minutes = format!("/collab/drafts/{}", sitting.minutes.0);
        assert_eq!(upgrade_status(&app, &live, None).await, 403);
        assert_eq!(
            upgrade_status(&app, &live, Some(&citizen_cookie)).await,
            403
        );
        assert_eq!(upgrade_status(&app, &live, Some(&chen_cookie)).await, 101);
        assert_eq!(
            upgrade_status(&app, &minutes, Some(&citizen_cookie)).await,
            403
        );
        assert_eq!(
            upgrade_status(&app, &minutes, Some(&chen_cookie)).await,
            101
        );
        let api = app.url(&format!("/api/v1/sittings/{}", id.0));
        assert_eq!(status(TestApp::client(), api.clone()).await, 404);

        // Accepting the rules through it: refused to whoever may not see it, and nothing stored.
        let before = app.snapshot().await;
        let accept = [("intent", "rules"), ("accept", "on")];
        let anonymous = TestApp::client()
            .post(app.url(&page))
            .form(&accept)
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        let refused = citizen
            .post(app.url(&page))
            .form(&accept)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        assert_eq!(app.snapshot().await, before);
        // Scheduling is for mediators: the form itself is refused to others.
        let form = app.url(&format!("/processes/{}/sittings/new", process.0));
        assert_eq!(status(citizen.clone(), form.clone()).await, 403);
        assert_eq!(
            status(app.signed_in("council@demo.baraza").await, form.clone()).await,
            403
        );
        assert_eq!(
            status(app.signed_in("mediator@demo.baraza").await, form).await,
            200
        );

        // Closed, its record is public: page, API and minutes.
        store
            .command_sitting(id, mediator, Command::Open, 1)
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        store
            .command_sitting(id, mediator, Command::Close { confirmed: true }, 2)
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        assert_eq!(status(TestApp::client(), app.url(&page)).await, 200);
        assert_eq!(status(TestApp::client(), api).await, 200);
        assert_eq!(
            upgrade_status(&app, &minutes, Some(&citizen_cookie)).await,
            101
        );
    }
);

on_both!(
    closing_a_sitting_takes_a_confirmation_step,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let UnionHearing {
            process,
            mediator,
            union,
            id,
            ..
        } = union_hearing(&app).await;
        let store = app.running.as_ref().unwrap().store.clone();
        store
            .command_sitting(id, as_self(mediator), Command::Open, 1)
            .await
            .unwrap()
            .unpublished()
            .unwrap();
        let page = format!("/processes/{}/sittings/{}", process.0, id.0);
        let stage = || async { store.sitting(id).await.unwrap().unwrap().state.stage };
        let post = |email: &'static str, fields: Vec<(&'static str, &'static str)>| {
            let (app, page) = (&app, &page);
            async move {
                app.signed_in(email)
                    .await
                    .post(app.url(&format!("{page}?confirm=close")))
                    .header("origin", &app.base)
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
            }
        };

        // The console's control leads to a confirmation step, a plain form: it says what closing
        // does and that it cannot be undone, and offers to keep the sitting open.
        let console = app
            .signed_in("mediator@demo.baraza")
            .await
            .get(app.url(&page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            console.contains("?confirm=close"),
            "the console links the step"
        );
        assert!(
            !console.contains(r#"name="confirmed""#),
            "no confirming at once"
        );
        let step = app
            .signed_in("mediator@demo.baraza")
            .await
            .get(app.url(&format!("{page}?confirm=close")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for said in [
            "Close the sitting for good?",
            "cannot be undone",
            r#"name="confirmed" value="yes""#,
            "Keep the sitting open",
        ] {
            assert!(step.contains(said), "{said}");
        }

        // A close without the confirmation is refused, with a message, over a form and over the
        // live channel; the sitting stays open.
        let response = post(
            "mediator@demo.baraza",
            vec![("intent", "command"), ("do", "close")],
        )
        .await;
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(body.contains("needs confirming"), "{body}");
        assert!(
            body.contains(r#"name="confirmed" value="yes""#),
            "the step again"
        );
        assert_eq!(stage().await, Stage::Open);
        let chair_cookie = app.cookie("mediator@demo.baraza").await;
        let mut chair = watch(&app, id.0, Some(&chair_cookie), "").await;
        next(&mut chair).await;
        for unconfirmed in [
            serde_json::json!({ "do": "close" }),
            serde_json::json!({ "do": "close", "confirmed": false }),
        ] {
            say(&mut chair, unconfirmed).await;
            assert_eq!(
                until(&mut chair, |m| m.get("refused").is_some()).await["refused"],
                "unconfirmed"
            );
        }
        assert_eq!(stage().await, Stage::Open);

        // Confirmed, the wrong roles are still refused: a citizen, an invited speaker.
        let confirmed = vec![("intent", "command"), ("do", "close"), ("confirmed", "yes")];
        assert_eq!(
            post("citizen@demo.baraza", confirmed.clone())
                .await
                .status(),
            403
        );
        let chen_cookie = app.cookie("chen.jing@demo.baraza").await;
        let mut speaker = watch(&app, id.0, Some(&chen_cookie), &format!("?as={union}")).await;
        say(
            &mut speaker,
            serde_json::json!({ "do": "close", "confirmed": true }),
        )
        .await;
        assert_eq!(
            until(&mut speaker, |m| m.get("refused").is_some()).await["refused"],
            "chair_only"
        );
        assert_eq!(stage().await, Stage::Open);

        // The chair's confirmed form closes it; everyone watching hears it.
        let response = post("mediator@demo.baraza", confirmed).await;
        assert!(response.status().is_redirection() || response.status().is_success());
        assert_eq!(stage().await, Stage::Closed);
        until(&mut speaker, |m| m["sitting"]["state"]["stage"] == "closed").await;
    }
);
