//! Every action that changes state, tried by every demo account that may not take it (refused,
//! nothing changed), with bad input by one that may (refused with a message, nothing changed),
//! and finally by one that may (it works: the check is not vacuous).

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::{Client, StatusCode};
use std::collections::HashMap;

const EVERYONE: [&str; 9] = [
    "admin@demo.baraza",
    "mediator@demo.baraza",
    "moderator@demo.baraza",
    "council@demo.baraza",
    "citizen@demo.baraza",
    "gov@demo.baraza",
    "civil@demo.baraza",
    "informal@demo.baraza",
    "academia@demo.baraza",
];

/// One state-changing request and who may make it.
struct Case {
    what: &'static str,
    path: String,
    form: Vec<(&'static str, String)>,
    allowed: &'static [&'static str],
    /// A variation of `form` with bad input, and the message that must explain it.
    bad: Option<(Vec<(&'static str, String)>, &'static str)>,
}

fn process_form(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("intent", "details".into()),
        ("languages", "en, zh-Hans".into()),
        ("level", "local".into()),
        ("title.en", title.into()),
        ("summary.en", "A summary.".into()),
        ("phase.framing.starts_on", "2027-01-01".into()),
        ("phase.framing.ends_on", "2027-01-31".into()),
    ]
}

fn with(
    mut form: Vec<(&'static str, String)>,
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    form.retain(|(n, _)| *n != name);
    form.push((name, value.to_string()));
    form
}

async fn cases(app: &TestApp) -> Vec<Case> {
    let drafting = app.process_in("drafting").await;
    let closed = app.process_in("closed").await;
    let deciding = app.process_in("decision").await;
    let budget = app.draft_id("text for decision").await;
    let next_decision: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM decisions")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let first_thread: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM comments WHERE draft_id = $1 AND parent_id IS NULL",
    )
    .bind(budget)
    .fetch_one(app.pool())
    .await
    .unwrap();
    // Form field names are `&'static str` here; one leaked name per test run is fine.
    let thread_field: &'static str = Box::leak(format!("thread.{first_thread}").into_boxed_str());
    let charter = app.draft_id("Charter").await;
    let citizen = app.person_id("citizen@demo.baraza").await;
    let unverified: i64 = sqlx::query_scalar(
        "SELECT id FROM organisations WHERE verified_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    let verified: i64 = sqlx::query_scalar(
        "SELECT id FROM organisations WHERE verified_at IS NOT NULL AND id NOT IN \
         (SELECT org_id FROM process_organisations WHERE process_id = $1) ORDER BY id LIMIT 1",
    )
    .bind(drafting)
    .fetch_one(app.pool())
    .await
    .unwrap_or_else(|_| panic!("a verified organisation outside process {drafting}"));
    // Comments: the national strategy is open for public comment; the charter is being drafted.
    let consulting = app.process_in("public_comment").await;
    let strategy = app.draft_id("National Strategy").await;
    let adopted = app.draft_id("as adopted").await;
    let on_strategy = format!("/processes/{consulting}/drafts/{strategy}");
    let queue = format!("/processes/{consulting}/moderation");
    let comment_by = |author: &'static str| async move {
        let id: i64 = sqlx::query_scalar(
            "SELECT c.id FROM comments c JOIN people p ON p.id = c.person_id \
             WHERE p.email = $1 AND c.status = 'visible' ORDER BY c.id LIMIT 1",
        )
        .bind(author)
        .fetch_one(app.pool())
        .await
        .unwrap();
        id.to_string()
    };
    let citizens_comment = comment_by("citizen@demo.baraza").await;
    let officials_reply = comment_by("gov@demo.baraza").await;
    let readers_comment = comment_by("lakeside.reader@demo.baraza").await;
    // The demo's hidden comment, appealed by its author: the appeal waits for a decision.
    let hidden: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE status = 'hidden'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let hidden = hidden.to_string();
    // The mediator's own comment, hidden by the moderator: who may restore it?
    let mediator = app.signed_in("mediator@demo.baraza").await;
    let posted = mediator
        .post(app.url(&on_strategy))
        .form(&[("intent", "comment"), ("body", "The mediator's aside.")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let mediators_comment: i64 =
        sqlx::query_scalar("SELECT id FROM comments WHERE body = 'The mediator''s aside.'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    let mediators_comment = mediators_comment.to_string();
    let hid = app
        .signed_in("moderator@demo.baraza")
        .await
        .post(app.url(&queue))
        .form(&[
            ("intent", "moderate"),
            ("comment", mediators_comment.as_str()),
            ("action", "hidden"),
            ("reason", "off_topic"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(hid.status(), StatusCode::SEE_OTHER);
    // An organisation of kind "government" that the citizen registered: nobody verified it.
    let registered = app
        .signed_in("citizen@demo.baraza")
        .await
        .post(app.url("/organisations/new"))
        .form(&[
            ("intent", "register"),
            ("name", "Ministry of Lakeshore Affairs"),
            ("kind", "government"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::SEE_OTHER);
    let self_made = app
        .org_id("Ministry of Lakeshore Affairs")
        .await
        .to_string();
    let appealed = app
        .signed_in("li.mingyuan@demo.baraza")
        .await
        .post(app.url(&on_strategy))
        .form(&[
            ("intent", "appeal"),
            ("comment", hidden.as_str()),
            ("statement", "The number is gone."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(appealed.status(), StatusCode::SEE_OTHER);
    let comment = |body: &str| {
        vec![
            ("intent", "comment".to_string()),
            ("body", body.to_string()),
        ]
    };
    let rules = |text: &str| {
        vec![
            ("intent", "rules".to_string()),
            ("rules.en", text.to_string()),
            ("rules.zh-Hans", "规则".to_string()),
        ]
    };
    // Sittings: the demo's hearing on the national strategy is scheduled, not yet open.
    let hearing: i64 = sqlx::query_scalar(
        "SELECT id FROM sittings WHERE process_id = $1 AND closed_at IS NULL ORDER BY id LIMIT 1",
    )
    .bind(consulting)
    .fetch_one(app.pool())
    .await
    .unwrap();
    // The invitation checkbox is named after the organisation's id (cases name fields statically).
    let invite: &'static str =
        Box::leak(format!("invite.{}", app.org_id("Union").await).into_boxed_str());
    let schedule = vec![
        ("intent", "schedule".to_string()),
        ("title", "Hearing on the budget".to_string()),
        ("starts_at", "2027-02-01T10:00".to_string()),
        ("place", "City Hall, room 4".to_string()),
        ("turn_minutes", "3".to_string()),
        ("item.0.text", "The budget share".to_string()),
        (invite, "on".to_string()),
    ];
    let command = |what: &str| vec![("intent", "command".to_string()), ("do", what.to_string())];
    vec![
        Case {
            what: "speak for an unverified organisation",
            path: on_strategy.clone(),
            form: vec![
                ("intent", "comment".into()),
                ("body", "The ministry agrees.".into()),
                ("acting_for", self_made.clone()),
            ],
            // Not even its founder, until an administrator verifies it and confirms them.
            allowed: &[],
            bad: None,
        },
        Case {
            what: "decide on one's own comment",
            path: queue.clone(),
            form: vec![
                ("intent", "moderate".into()),
                ("comment", mediators_comment.clone()),
                ("action", "restored".into()),
                ("reason", "within_rules".into()),
            ],
            // The mediator may moderate, but not their own comment: the moderator decides.
            allowed: &["moderator@demo.baraza"],
            bad: None,
        },
        Case {
            what: "schedule a sitting",
            path: format!("/processes/{consulting}/sittings/new"),
            form: schedule.clone(),
            allowed: &["mediator@demo.baraza"],
            bad: Some((
                with(schedule.clone(), "starts_at", "next Tuesday"),
                "Give the date and time",
            )),
        },
        Case {
            what: "open a sitting",
            path: format!("/processes/{consulting}/sittings/{hearing}"),
            form: command("open"),
            allowed: &["mediator@demo.baraza"],
            bad: Some((command("dance"), "could not be read")),
        },
        Case {
            // Irreversible: only the confirmation step's form closes it (opened by the case above).
            what: "close a sitting",
            path: format!("/processes/{consulting}/sittings/{hearing}?confirm=close"),
            form: [command("close"), vec![("confirmed", "yes".to_string())]].concat(),
            allowed: &["mediator@demo.baraza"],
            bad: Some((command("close"), "needs confirming")),
        },
        Case {
            what: "comment on a draft open for public comment",
            path: on_strategy.clone(),
            form: comment("Please publish the costing."),
            allowed: &EVERYONE,
            bad: Some((comment("   "), "This field is required.")),
        },
        Case {
            what: "comment on a draft still being drafted",
            path: format!("/processes/{drafting}/drafts/{charter}"),
            form: comment("A note for the co-drafters."),
            allowed: &["mediator@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "comment".into()),
                    ("quote", "not in this text at all".into()),
                    ("body", "On these words.".into()),
                ],
                "These words are not in the draft now.",
            )),
        },
        Case {
            what: "comment on the draft of a closed process",
            path: format!("/processes/{closed}/drafts/{adopted}"),
            form: comment("Too late."),
            allowed: &[],
            bad: None,
        },
        Case {
            what: "reply to a comment",
            path: on_strategy.clone(),
            form: vec![
                ("intent", "reply".into()),
                ("parent", citizens_comment.clone()),
                ("body", "Seconded.".into()),
            ],
            allowed: &EVERYONE,
            bad: Some((
                vec![
                    ("intent", "reply".into()),
                    ("parent", citizens_comment.clone()),
                    ("body", "x".repeat(5001)),
                ],
                "This is too long: at most 5000 characters.",
            )),
        },
        Case {
            what: "edit a comment",
            path: on_strategy.clone(),
            form: vec![
                ("intent", "edit".into()),
                ("comment", citizens_comment.clone()),
                ("stance", "objects".into()),
                ("body", "Reworded.".into()),
            ],
            allowed: &["citizen@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "edit".into()),
                    ("comment", citizens_comment.clone()),
                    ("stance", "shrugs".into()),
                    ("body", "Reworded.".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "report a comment",
            path: on_strategy.clone(),
            form: vec![
                ("intent", "report".into()),
                ("comment", officials_reply.clone()),
                ("reason", "off_topic".into()),
            ],
            // Everyone but its author (a report counts once, so only the first allowed succeeds).
            allowed: &[
                "admin@demo.baraza",
                "mediator@demo.baraza",
                "moderator@demo.baraza",
                "council@demo.baraza",
                "citizen@demo.baraza",
                "civil@demo.baraza",
                "informal@demo.baraza",
                "academia@demo.baraza",
            ],
            bad: Some((
                vec![
                    ("intent", "report".into()),
                    ("comment", officials_reply.clone()),
                    ("reason", "other".into()),
                ],
                "Say in a few words what the problem is.",
            )),
        },
        Case {
            what: "hide a comment",
            path: queue.clone(),
            form: vec![
                ("intent", "moderate".into()),
                ("comment", readers_comment.clone()),
                ("action", "hidden".into()),
                ("reason", "off_topic".into()),
            ],
            allowed: &["mediator@demo.baraza", "moderator@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "moderate".into()),
                    ("comment", readers_comment.clone()),
                    ("action", "hidden".into()),
                    ("reason", "dislike".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "appeal against hiding someone else's comment",
            path: on_strategy.clone(),
            form: vec![
                ("intent", "appeal".into()),
                ("comment", hidden.clone()),
                ("statement", "Show it.".into()),
            ],
            allowed: &[],
            bad: None,
        },
        Case {
            what: "decide an appeal (not by the moderator who hid the comment)",
            path: queue.clone(),
            form: vec![
                ("intent", "appeal_decision".into()),
                ("comment", hidden.clone()),
                ("outcome", "upheld".into()),
            ],
            allowed: &["moderator@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "appeal_decision".into()),
                    ("comment", hidden.clone()),
                    ("outcome", "maybe".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "bar a commenter",
            path: queue.clone(),
            form: vec![
                ("intent", "bar".into()),
                ("comment", citizens_comment.clone()),
                ("reason", "abuse".into()),
                ("until", "2099-01-01".into()),
            ],
            allowed: &["mediator@demo.baraza", "moderator@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "bar".into()),
                    ("comment", citizens_comment.clone()),
                    ("reason", "abuse".into()),
                    ("until", "soon".into()),
                ],
                "Enter a date as YYYY-MM-DD",
            )),
        },
        Case {
            what: "change how comments are moderated",
            path: queue.clone(),
            form: vec![
                ("intent", "settings".into()),
                ("mode", "pre".into()),
                ("threshold", "5".into()),
            ],
            allowed: &["admin@demo.baraza", "mediator@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "settings".into()),
                    ("mode", "pre".into()),
                    ("threshold", "0".into()),
                ],
                "Enter a whole number from 1 to 100.",
            )),
        },
        Case {
            what: "edit the rules of engagement",
            path: format!("/processes/{drafting}/manage"),
            form: rules("- Be kind\n- Cite sources"),
            allowed: &["admin@demo.baraza", "mediator@demo.baraza"],
            bad: Some((rules(""), "This field is required.")),
        },
        Case {
            what: "start a draft",
            path: format!("/processes/{drafting}/manage"),
            form: vec![
                ("intent", "draft".into()),
                ("title", "Annex on market stalls".into()),
                ("language", "en".into()),
            ],
            allowed: &["admin@demo.baraza", "mediator@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "draft".into()),
                    ("title", "Annex".into()),
                    ("language", "English!".into()),
                ],
                "is not a language tag",
            )),
        },
        Case {
            what: "name a version of a draft",
            path: format!("/processes/{drafting}/drafts/{charter}"),
            form: vec![
                ("intent", "version".into()),
                ("name", "Text for the public comment".into()),
            ],
            allowed: &[
                "gov@demo.baraza",
                "civil@demo.baraza",
                "informal@demo.baraza",
            ],
            bad: Some((
                vec![("intent", "version".into()), ("name", "  ".into())],
                "This field is required.",
            )),
        },
        Case {
            what: "lock a draft",
            path: format!("/processes/{drafting}/drafts/{charter}"),
            form: vec![("intent", "lock".into()), ("locked", "true".into())],
            allowed: &["mediator@demo.baraza"],
            bad: None,
        },
        Case {
            what: "edit the rules of a closed process",
            path: format!("/processes/{closed}/manage"),
            form: rules("- Too late"),
            allowed: &[],
            bad: None,
        },
        Case {
            what: "change the phase",
            path: format!("/processes/{drafting}/manage"),
            form: vec![
                ("intent", "phase".into()),
                ("phase", "public_comment".into()),
            ],
            allowed: &["admin@demo.baraza", "mediator@demo.baraza"],
            bad: Some((
                vec![("intent", "phase".into()), ("phase", "someday".into())],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "give an organisation a role",
            path: format!("/admin/processes/{drafting}"),
            form: vec![
                ("intent", "org_role".into()),
                ("org", verified.to_string()),
                ("role", "participant".into()),
            ],
            allowed: &["admin@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "org_role".into()),
                    ("org", unverified.to_string()),
                    ("role", "co_drafter".into()),
                ],
                "Only verified organisations can take a role in a process.",
            )),
        },
        Case {
            what: "assign a mediator",
            path: format!("/admin/processes/{drafting}"),
            form: vec![
                ("intent", "person_role".into()),
                ("email", "citizen@demo.baraza".into()),
                ("role", "mediator".into()),
                ("assigned", "true".into()),
            ],
            allowed: &["admin@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "person_role".into()),
                    ("email", "nobody@demo.baraza".into()),
                    ("role", "mediator".into()),
                ],
                "There is no account with this email address.",
            )),
        },
        Case {
            what: "edit a process's details",
            path: format!("/admin/processes/{drafting}"),
            form: process_form("A better title"),
            allowed: &["admin@demo.baraza"],
            bad: Some((
                with(process_form("X"), "phase.framing.ends_on", "2026-12-01"),
                "A phase cannot end before it starts.",
            )),
        },
        Case {
            what: "open a process",
            path: "/admin/processes/new".into(),
            form: process_form("Street vending by-law"),
            allowed: &["admin@demo.baraza"],
            bad: Some((
                with(process_form(""), "title.en", ""),
                "Enter a title in the process",
            )),
        },
        Case {
            what: "verify an organisation",
            path: format!("/organisations/{unverified}"),
            form: vec![("intent", "verify".into())],
            allowed: &["admin@demo.baraza"],
            bad: Some((
                vec![("intent", "shred".into())],
                "The form could not be read.",
            )),
        },
        Case {
            what: "add a member to an organisation",
            path: format!("/organisations/{verified}"),
            form: vec![
                ("intent", "member".into()),
                ("email", "citizen@demo.baraza".into()),
            ],
            allowed: &["admin@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "member".into()),
                    ("email", "not an email".into()),
                ],
                "Enter an email address like name@example.org.",
            )),
        },
        Case {
            what: "register an organisation",
            path: "/organisations/new".into(),
            form: vec![
                ("intent", "register".into()),
                ("name", "Riverbank Fishers".into()),
                ("kind", "community_group".into()),
            ],
            allowed: &EVERYONE,
            bad: Some((
                vec![
                    ("intent", "register".into()),
                    ("name", "Fishers".into()),
                    ("kind", "cartel".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "edit one's profile",
            path: "/account".into(),
            form: vec![
                ("intent", "profile".into()),
                ("display_name", "New name".into()),
                ("language", "en".into()),
            ],
            allowed: &EVERYONE,
            bad: Some((
                vec![
                    ("intent", "profile".into()),
                    ("display_name", "   ".into()),
                    ("language", "en".into()),
                ],
                "Enter a display name; a pseudonym is fine.",
            )),
        },
        Case {
            what: "set how the council votes",
            path: format!("/admin/processes/{deciding}"),
            form: vec![
                ("intent", "voting_rule".into()),
                ("quorum", "all".into()),
                ("majority", "absolute".into()),
            ],
            allowed: &["admin@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "voting_rule".into()),
                    ("quorum", "most".into()),
                    ("majority", "absolute".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "freeze a draft for the decision",
            path: format!("/processes/{deciding}/manage"),
            form: vec![
                ("intent", "freeze".into()),
                ("draft", budget.to_string()),
                ("confirmed", "yes".into()),
            ],
            allowed: &["mediator@demo.baraza", "council@demo.baraza"],
            bad: Some((
                vec![("intent", "freeze".into()), ("draft", "x".into())],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "answer a comment thread",
            path: format!("/processes/{deciding}/decisions/{next_decision}"),
            form: vec![
                ("intent", "answer".into()),
                (thread_field, "on".into()),
                ("disposition", "accepted".into()),
                ("reason", "Adopted.".into()),
            ],
            allowed: &["mediator@demo.baraza", "council@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "answer".into()),
                    (thread_field, "on".into()),
                    ("disposition", "maybe".into()),
                    ("reason", "Adopted.".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "vote on a decision",
            path: format!("/processes/{deciding}/decisions/{next_decision}"),
            form: vec![("intent", "vote".into()), ("choice", "for".into())],
            allowed: &["council@demo.baraza"],
            bad: Some((
                vec![("intent", "vote".into()), ("choice", "maybe".into())],
                "Choose one of the options offered.",
            )),
        },
        Case {
            what: "grant site administration",
            path: "/admin".into(),
            form: vec![
                ("intent", "admin".into()),
                ("person", citizen.to_string()),
                ("admin", "true".into()),
            ],
            allowed: &["admin@demo.baraza"],
            bad: Some((
                vec![
                    ("intent", "admin".into()),
                    ("person", "x".into()),
                    ("admin", "true".into()),
                ],
                "Choose one of the options offered.",
            )),
        },
    ]
}

on_both!(
    every_action_refuses_the_wrong_people_and_bad_input,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let mut clients: HashMap<&str, Client> = HashMap::new();
        for email in EVERYONE {
            clients.insert(email, app.signed_in(email).await);
        }
        check(&app, &clients, cases(&app).await).await;
    }
);

/// Tries each case as anonymous, as every account it does not allow, with its bad input, and
/// finally as the first account it allows (see the module's documentation).
async fn check(app: &TestApp, clients: &HashMap<&str, Client>, cases: Vec<Case>) {
    for case in cases {
        let post = |client: &Client, form: &[(&'static str, String)]| {
            client.post(app.url(&case.path)).form(form).send()
        };

        // Anonymous: must sign in first.
        let before = app.snapshot().await;
        let response = post(&TestApp::client(), &case.form).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous may not {}",
            case.what
        );
        assert_eq!(
            app.snapshot().await,
            before,
            "anonymous attempt to {} changed something",
            case.what
        );

        // Every signed-in account that may not.
        for email in EVERYONE.iter().filter(|e| !case.allowed.contains(e)) {
            let response = post(&clients[email], &case.form).await.unwrap();
            let status = response.status();
            let body = text(response).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{email} may not {}",
                case.what
            );
            assert!(
                body.contains("not allowed")
                    || body.contains("Only")
                    || body.contains("cannot be done")
                    || body.contains("your own comment")
                    || body.contains("a different moderator")
                    || body.contains("speak for an organisation you belong to")
                    || body.contains("until a site administrator has verified it")
                    || body.contains("another moderator or mediator will"),
                "{email}: {}",
                case.what
            );
            assert_eq!(
                app.snapshot().await,
                before,
                "{email}'s attempt to {} changed something",
                case.what
            );
        }

        let Some(first_allowed) = case.allowed.first() else {
            continue;
        };
        let client = &clients[first_allowed];
        // Bad input from someone allowed: a clear message, nothing changed.
        if let Some((bad_form, message)) = &case.bad {
            let response = post(client, bad_form).await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "bad input to {}",
                case.what
            );
            let body = text(response).await;
            assert!(
                body.contains(message),
                "{}: expected {message:?}",
                case.what
            );
            assert_eq!(
                app.snapshot().await,
                before,
                "bad input to {} changed something",
                case.what
            );
        }
        // And the real thing works.
        let response = post(client, &case.form).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{first_allowed} may {}",
            case.what
        );
        assert_ne!(
            app.snapshot().await,
            before,
            "{} changed nothing",
            case.what
        );
    }
}

on_both!(
    speaking_for_an_organisation_requires_membership,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let drafting = app.process_in("drafting").await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let someone_elses: i64 = sqlx::query_scalar(
        "SELECT id FROM organisations WHERE id NOT IN (SELECT org_id FROM memberships m JOIN people p ON p.id = m.person_id \
         WHERE p.email = 'mediator@demo.baraza') ORDER BY id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
        let before = app.snapshot().await;
        let response = mediator
            .post(app.url(&format!("/processes/{drafting}/manage")))
            .form(&[
                ("intent", "rules"),
                ("rules.en", "- Speak for others"),
                ("acting_for", &someone_elses.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            text(response)
                .await
                .contains("You can only speak for an organisation you belong to.")
        );
        assert_eq!(app.snapshot().await, before);
    }
);

on_both!(
    speaking_for_an_organisation_lends_it_no_office,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let drafting = app.process_in("drafting").await;
        // The mediator joins a verified organisation...
        let admin = app.signed_in("admin@demo.baraza").await;
        let org = app.org_id("Interfaith").await;
        let added = admin
            .post(app.url(&format!("/organisations/{org}")))
            .form(&[("intent", "member"), ("email", "mediator@demo.baraza")])
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let edit = |acting_for: String| {
            mediator
                .post(app.url(&format!("/processes/{drafting}/manage")))
                .form(&[
                    ("intent", "rules".to_string()),
                    ("rules.en", "- Listen first".to_string()),
                    ("acting_for", acting_for),
                ])
                .send()
        };
        // ...but speaking for it, they hold only what it holds: the mediator's tools are not its.
        let before = app.snapshot().await;
        let response = edit(org.to_string()).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.snapshot().await, before);
        // As themselves, the edit is recorded with their name, as it was at the time.
        assert_eq!(
            edit(String::new()).await.unwrap().status(),
            StatusCode::SEE_OTHER
        );
        let (person, actor_name, org_of_event): (i64, String, Option<i64>) = sqlx::query_as(
        "SELECT person_id, actor_name, org_id FROM process_events WHERE process_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(drafting)
    .fetch_one(app.pool())
    .await
    .unwrap();
        assert_eq!(person, app.person_id("mediator@demo.baraza").await);
        assert_eq!(org_of_event, None);
        mediator
            .post(app.url("/account"))
            .form(&[
                ("intent", "profile"),
                ("display_name", "Renamed"),
                ("language", "en"),
            ])
            .send()
            .await
            .unwrap();
        let page = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{drafting}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.contains(&actor_name),
            "the log keeps the name used then"
        );
        assert!(
            !page.contains("by Renamed"),
            "a later rename does not rewrite the log"
        );
    }
);

on_both!(
    unknown_and_known_emails_get_the_same_refusal,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let drafting = app.process_in("drafting").await;
        let org = app.org_id("Elders").await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        for email in ["gov@demo.baraza", "nobody-here@demo.baraza"] {
            let member = citizen
                .post(app.url(&format!("/organisations/{org}")))
                .form(&[("intent", "member"), ("email", email)])
                .send()
                .await
                .unwrap();
            assert_eq!(member.status(), StatusCode::FORBIDDEN, "{email}");
            let role = citizen
                .post(app.url(&format!("/admin/processes/{drafting}")))
                .form(&[
                    ("intent", "person_role"),
                    ("email", email),
                    ("role", "mediator"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(role.status(), StatusCode::FORBIDDEN, "{email}");
        }
    }
);

/// Who manages a budget: its process's mediators and the site administrators.
async fn budget_managers(app: &TestApp, budget: i64) -> Vec<&'static str> {
    let store = app.running.as_ref().unwrap().store.clone();
    let mut managers = Vec::new();
    for email in EVERYONE {
        let person = app::ids::PersonId(app.person_id(email).await);
        if store
            .budget_standing(Some(person), budget)
            .await
            .unwrap()
            .manager
        {
            managers.push(email);
        }
    }
    managers
}

on_both!(
    only_a_budgets_managers_upload_its_census_and_print_its_codes,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let setup =
            crate::budget_voting::voting_budget(&app, app::domain::budget::BudgetPhase::Voting)
                .await;
        let managers = budget_managers(&app, setup.budget).await;
        assert!(managers.contains(&"admin@demo.baraza"));
        let path = format!("/budgets/{}/eligibility", setup.budget);
        let area = setup.area.to_string();
        let census = vec![
            ("intent", "census".to_string()),
            ("area", area.clone()),
            ("entries", "AB123,1970-01-01\n".to_string()),
        ];
        let codes = vec![
            ("intent", "codes".to_string()),
            ("area", area.clone()),
            ("count", "2".to_string()),
        ];
        for (what, form, bad, message) in [
            (
                "upload a census list",
                census,
                with(
                    vec![("intent", "census".into()), ("area", area.clone())],
                    "entries",
                    "AB123,1970-13-01",
                ),
                "These lines are not a document number and a date of birth",
            ),
            (
                "print voting codes",
                codes,
                with(
                    vec![("intent", "codes".into()), ("area", area.clone())],
                    "count",
                    "50000",
                ),
                "Between 1 and 5,000 at a time.",
            ),
        ] {
            let before = app.snapshot().await;
            let response = TestApp::client()
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "anonymous may not {what}"
            );
            assert_eq!(app.snapshot().await, before);
            for email in EVERYONE.iter().filter(|e| !managers.contains(e)) {
                let client = app.signed_in(email).await;
                let response = client
                    .post(app.url(&path))
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.status(),
                    StatusCode::FORBIDDEN,
                    "{email} may not {what}"
                );
                assert!(
                    text(response).await.contains("not allowed"),
                    "{email}: {what}"
                );
                assert_eq!(app.snapshot().await, before, "{email}'s attempt to {what}");
                let page = client.get(app.url(&path)).send().await.unwrap();
                assert_eq!(
                    page.status(),
                    StatusCode::FORBIDDEN,
                    "{email} sees the page"
                );
            }
            let manager = app.signed_in(managers[0]).await;
            let response = manager
                .post(app.url(&path))
                .form(&bad)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "bad input to {what}"
            );
            assert!(text(response).await.contains(message), "{what}: {message}");
            assert_eq!(app.snapshot().await, before, "bad input to {what}");
            let response = manager
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success() || response.status() == StatusCode::SEE_OTHER,
                "{what}"
            );
            assert_ne!(app.snapshot().await, before, "{what} changed nothing");
        }
        // Once voting has closed, nobody may.
        crate::budget_voting::publish_results(&app, setup.budget).await;
        let before = app.snapshot().await;
        let admin = app.signed_in("admin@demo.baraza").await;
        let response = admin
            .post(app.url(&path))
            .form(&[("intent", "codes"), ("area", area.as_str()), ("count", "2")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.snapshot().await, before);
    }
);

on_both!(
    a_ballot_is_refused_outside_voting_and_to_the_ineligible,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let setup =
            crate::budget_voting::voting_budget(&app, app::domain::budget::BudgetPhase::Review)
                .await;
        let path = format!("/budgets/{}/vote", setup.budget);
        let cast = vec![
            ("intent", "cast".to_string()),
            ("area", setup.area.to_string()),
            (
                Box::leak(format!("project-{}", setup.projects[0]).into_boxed_str())
                    as &'static str,
                "yes".to_string(),
            ),
            ("confirmed", "yes".to_string()),
        ];
        // Before voting opens, nobody may cast, with a code or an account.
        let before = app.snapshot().await;
        for email in EVERYONE {
            let client = app.signed_in(email).await;
            let response = client
                .post(app.url(&path))
                .form(&cast)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{email} voted before voting"
            );
            assert!(
                text(response).await.contains("Voting is not open"),
                "{email}"
            );
        }
        let with_code = with(cast.clone(), "code", "K7QF-93XM-2HPD");
        let response = TestApp::client()
            .post(app.url(&path))
            .form(&with_code)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.snapshot().await, before, "a ballot before voting");

        // In voting: an account not on the census list is refused with what to do, as is an
        // anonymous voter without a code.
        let store = app.running.as_ref().unwrap().store.clone();
        let admin = app::ids::PersonId(app.person_id("admin@demo.baraza").await);
        store
            .advance_budget(
                admin,
                setup.budget,
                app::domain::budget::BudgetPhase::Review,
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as i64,
            )
            .await
            .unwrap();
        let before = app.snapshot().await;
        for email in EVERYONE {
            let client = app.signed_in(email).await;
            let response = client
                .post(app.url(&path))
                .form(&cast)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{email} voted unchecked"
            );
            assert!(text(response).await.contains("census list"), "{email}");
        }
        let response = TestApp::client()
            .post(app.url(&path))
            .form(&cast)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(
            text(response)
                .await
                .contains("or sign in to vote with your account")
        );
        assert_eq!(app.snapshot().await, before, "an ineligible ballot");
    }
);

/// A budget's fields for an area (`area` empty: a new one), as the manage page sends them.
fn area_form(area: &str, amount: &str) -> Vec<(&'static str, String)> {
    vec![
        ("intent", "area".into()),
        ("area", area.into()),
        ("name", "Riverside".into()),
        ("amount", amount.into()),
        ("project_cap", "".into()),
        ("ballot", "knapsack".into()),
        ("min_projects", "1".into()),
        ("max_projects", "3".into()),
        ("rule", "greedy".into()),
        ("tie_break", "earlier_proposal".into()),
        ("census", "yes".into()),
        ("codes", "yes".into()),
    ]
}

fn advance(from: &str) -> Vec<(&'static str, String)> {
    vec![
        ("intent", "advance".into()),
        ("from", from.into()),
        ("confirmed", "yes".into()),
    ]
}

// Every action of a budget's pages (issue 22), tried by every wrong role and outside its phase:
// the budget is opened, staffed and moved through all its phases by the cases themselves.
on_both!(
    budget_actions_refuse_the_wrong_people_and_phases,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let mut clients: HashMap<&str, Client> = HashMap::new();
        for email in EVERYONE {
            clients.insert(email, app.signed_in(email).await);
        }
        const MANAGERS: &[&str] = &["admin@demo.baraza", "mediator@demo.baraza"];
        let process = crate::budget_pages::mediated_process_without_budget(&app).await;
        let form = crate::budget_pages::budget_form(process, "Permissions budget");
        check(
            &app,
            &clients,
            vec![Case {
                what: "open a budget",
                path: "/budgets/new".into(),
                form: form.clone(),
                allowed: MANAGERS,
                bad: Some((with(form, "currency", "euro"), "three-letter code")),
            }],
        )
        .await;
        let budget: i64 = sqlx::query_scalar("SELECT id FROM budgets WHERE process_id = $1")
            .bind(process)
            .fetch_one(app.pool())
            .await
            .unwrap();
        let area: i64 = sqlx::query_scalar("SELECT MIN(id) FROM budget_areas WHERE budget_id = $1")
            .bind(budget)
            .fetch_one(app.pool())
            .await
            .unwrap();
        let manage = format!("/budgets/{budget}/manage");
        let propose = format!("/budgets/{budget}/propose");
        let proposal = |area: i64, title: &str| {
            vec![
                ("intent", "propose".to_string()),
                ("area", area.to_string()),
                ("title", title.to_string()),
                ("description", "For everyone.".to_string()),
                ("category", "culture".to_string()),
                ("estimated_cost", "1,000".to_string()),
            ]
        };
        let staff = |email: &str, role: &str| {
            vec![
                ("intent", "staff".to_string()),
                ("email", email.to_string()),
                ("role", role.to_string()),
                ("change", "add".to_string()),
            ]
        };
        let paper = with(
            with(
                proposal(area, "Lights in the market hall"),
                "intent",
                "paper",
            ),
            "proposer_name",
            "Amina Yusuf",
        );
        // Proposals.
        check(
            &app,
            &clients,
            vec![
                Case {
                    what: "name a reviewer",
                    path: manage.clone(),
                    form: staff("gov@demo.baraza", "reviewer"),
                    allowed: MANAGERS,
                    bad: Some((
                        staff("gov@demo.baraza", "boss"),
                        "Choose one of the options offered.",
                    )),
                },
                Case {
                    what: "name an officer",
                    path: manage.clone(),
                    form: staff("moderator@demo.baraza", "officer"),
                    allowed: MANAGERS,
                    bad: None,
                },
                Case {
                    what: "add an area",
                    path: manage.clone(),
                    form: area_form("", "5000"),
                    allowed: MANAGERS,
                    bad: Some((area_form("", "lots"), "Enter a whole number from 1 to")),
                },
                Case {
                    what: "propose a project",
                    path: propose.clone(),
                    form: proposal(area, "A reading room"),
                    allowed: &EVERYONE,
                    bad: Some((
                        with(proposal(area, "A reading room"), "estimated_cost", "60,000"),
                        "at most 6000",
                    )),
                },
                Case {
                    what: "record a paper proposal",
                    path: propose.clone(),
                    form: with(paper.clone(), "meeting", "Eastgate market, 3 March"),
                    allowed: &["moderator@demo.baraza"],
                    bad: Some((paper, "This field is required.")),
                },
            ],
        )
        .await;
        let projects = || async {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, area_id, status FROM budget_projects WHERE budget_id = $1 ORDER BY id",
            )
            .bind(budget)
            .fetch_all(app.pool())
            .await
            .unwrap();
            rows
        };
        let first = projects().await[0].0;
        let on_first = format!("/budgets/{budget}/projects/{first}");
        let comment = |body: &str| {
            vec![("intent", "comment"), ("body", body)]
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect::<Vec<_>>()
        };
        let not_feasible = vec![
            ("intent", "review".to_string()),
            ("finding", "not_feasible".to_string()),
            ("reason", "already_planned".to_string()),
            (
                "explanation",
                "The library opens a reading room next spring.".to_string(),
            ),
        ];
        // The new area gets a proposal of its own, so that voting can open later.
        let second_area: i64 =
            sqlx::query_scalar("SELECT MAX(id) FROM budget_areas WHERE budget_id = $1")
                .bind(budget)
                .fetch_one(app.pool())
                .await
                .unwrap();
        let response = clients["citizen@demo.baraza"]
            .post(app.url(&propose))
            .form(&proposal(second_area, "A stage in Riverside park"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        check(
            &app,
            &clients,
            vec![
                Case {
                    what: "review before the review phase",
                    path: on_first.clone(),
                    form: not_feasible.clone(),
                    allowed: &[],
                    bad: None,
                },
                Case {
                    what: "comment on a project",
                    path: on_first.clone(),
                    form: comment("Will it open on Sundays?"),
                    allowed: &EVERYONE,
                    bad: Some((comment(" "), "This field is required.")),
                },
                Case {
                    what: "close the proposals",
                    path: manage.clone(),
                    form: advance("proposals"),
                    allowed: MANAGERS,
                    bad: Some((
                        vec![("intent", "advance".into()), ("from", "proposals".into())],
                        "Proposals close now",
                    )),
                },
                // Technical review.
                Case {
                    what: "propose once the proposals closed",
                    path: propose.clone(),
                    form: proposal(area, "Too late"),
                    allowed: &[],
                    bad: None,
                },
                Case {
                    what: "review a proposal",
                    path: on_first.clone(),
                    form: not_feasible.clone(),
                    allowed: &["gov@demo.baraza"],
                    bad: Some((
                        with(not_feasible.clone(), "reason", ""),
                        "Choose one of the options offered.",
                    )),
                },
            ],
        )
        .await;
        // The reviewer finds the rest feasible, so that every area has a ballot.
        for (id, _, status) in projects().await {
            if status == "proposed" {
                let response = clients["gov@demo.baraza"]
                    .post(app.url(&format!("/budgets/{budget}/projects/{id}")))
                    .form(&[
                        ("intent", "review"),
                        ("finding", "feasible"),
                        ("cost", "1000"),
                        ("explanation", "Costed by the works office."),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::SEE_OTHER);
            }
        }
        check(
            &app,
            &clients,
            vec![
                Case {
                    what: "open the vote",
                    path: manage.clone(),
                    form: advance("review"),
                    allowed: MANAGERS,
                    bad: Some((
                        vec![("intent", "advance".into()), ("from", "review".into())],
                        "frozen from this moment",
                    )),
                },
                // Voting.
                Case {
                    what: "change an area's rules while votes are cast",
                    path: manage.clone(),
                    form: area_form(&area.to_string(), "20000"),
                    allowed: &[],
                    bad: None,
                },
            ],
        )
        .await;
        // One ballot, with a printed code, for a project of the first area.
        let store = app.running.as_ref().unwrap().store.clone();
        let admin = app::ids::PersonId(app.person_id("admin@demo.baraza").await);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let code = store
            .issue_codes(admin, area, 1, now)
            .await
            .unwrap()
            .remove(0);
        let winner = projects()
            .await
            .into_iter()
            .find(|(_, a, status)| *a == area && status == "feasible")
            .unwrap()
            .0;
        store
            .cast_ballot(app::model::Voter::Code(code), area, vec![winner], now)
            .await
            .unwrap();
        let on_winner = format!("/budgets/{budget}/projects/{winner}");
        let update = vec![
            ("intent", "update".to_string()),
            ("status", "in_progress".to_string()),
            ("progress", "40".to_string()),
            ("on", "2027-03-01".to_string()),
            ("note", "The floor is laid.".to_string()),
        ];
        check(
            &app,
            &clients,
            vec![
                Case {
                    what: "report on a project before implementation",
                    path: on_winner.clone(),
                    form: update.clone(),
                    allowed: &[],
                    bad: None,
                },
                Case {
                    what: "publish the count",
                    path: manage.clone(),
                    form: advance("voting"),
                    allowed: MANAGERS,
                    bad: Some((
                        vec![("intent", "advance".into()), ("from", "voting".into())],
                        "This cannot be undone.",
                    )),
                },
                // Results.
                Case {
                    what: "comment once the vote is over",
                    path: on_first.clone(),
                    form: comment("Too late to ask?"),
                    allowed: &[],
                    bad: None,
                },
                Case {
                    what: "start implementation",
                    path: manage.clone(),
                    form: advance("results"),
                    allowed: MANAGERS,
                    bad: None,
                },
                // Implementation.
                Case {
                    what: "report on a winning project",
                    path: on_winner,
                    form: update.clone(),
                    allowed: &[
                        "moderator@demo.baraza",
                        "admin@demo.baraza",
                        "mediator@demo.baraza",
                    ],
                    bad: Some((
                        with(update, "progress", "150"),
                        "Enter a whole number from 0 to 100.",
                    )),
                },
                Case {
                    what: "review once voting is over",
                    path: on_first,
                    form: not_feasible,
                    allowed: &[],
                    bad: None,
                },
            ],
        )
        .await;
    }
);
