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
        let id = store
            .create_sitting(as_self(mediator), process, new(), 0)
            .await
            .unwrap();

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
                .map(|s| s.state.stage),
            Ok(Stage::Open)
        );
        // Speaking needs the rules accepted first.
        assert_eq!(
            store
                .command_sitting(id, for_union, Command::RaiseHand, 2)
                .await
                .unwrap()
                .err(),
            Some(Refusal::SpeakersOnly)
        );
        store
            .accept_rules(PersonId(chen), process, 3)
            .await
            .unwrap();
        store
            .command_sitting(id, for_union, Command::RaiseHand, 4)
            .await
            .unwrap()
            .unwrap();
        // A citizen who is not invited cannot raise a hand, even after accepting the rules.
        store
            .accept_rules(PersonId(citizen), process, 5)
            .await
            .unwrap();
        assert_eq!(
            store
                .command_sitting(id, as_self(citizen), Command::RaiseHand, 6)
                .await
                .unwrap()
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
            .command_sitting(id, chair, Command::Close, 100)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(closed.closed_at, Some(100));
        assert_eq!(closed.state.turns[0].ended, Some(100));
        assert_eq!(
            store
                .command_sitting(id, chair, Command::SetItem { item: 1 }, 101)
                .await
                .unwrap()
                .err(),
            Some(Refusal::NotOpen)
        );
        assert_eq!(store.sittings(process).await.unwrap().len(), 1);
    }
);
