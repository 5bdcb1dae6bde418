//! Following and notices, for real: a reply and a moderator's decision mailed at once through a
//! real SMTP server (aiosmtpd) with one-click unsubscribe (RFC 8058); the council's answer to a
//! thread told to its followers in their language; daily digests once per period in the person's
//! time zone, however many servers look; and nobody reading or changing another's notices.

use crate::mailbox::{Mailbox, Received};
use crate::on_both;
use crate::support::{Backend, TestApp, post, text};
use reqwest::{Client, StatusCode};
use server::store::SqlStore;
use std::time::Duration;

const CITIZEN: &str = "citizen@demo.baraza";
const CHEN: &str = "chen.jing@demo.baraza";
const DAY: i64 = 86_400_000;

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), text(response).await)
}

async fn app_sending_to(backend: Backend, mailbox: &Mailbox) -> TestApp {
    let url = mailbox.url();
    TestApp::start_configured(backend, move |launch| {
        launch.smtp_url = Some(url);
        launch.mail_retry = Duration::from_secs(1);
    })
    .await
}

/// The store of the running app, linking to its address (for the digest worker's step).
fn store_of(app: &TestApp) -> SqlStore {
    SqlStore::new(&app.running.as_ref().unwrap().db).with_site_url(&app.base)
}

/// Follows a subject (`acting_for` empty for oneself) and gives the answer's status.
async fn follow(
    app: &TestApp,
    client: &Client,
    subject: &str,
    id: &str,
    acting_for: &str,
) -> StatusCode {
    let form = [
        ("subject", subject),
        ("id", id),
        ("acting_for", acting_for),
        ("intent", "follow"),
        ("back", "/"),
    ];
    post(app, client, "/follows", &form).await.0
}

/// Posts a new thread on `draft` and returns its id.
async fn comment(app: &TestApp, client: &Client, process: i64, draft: i64, body: &str) -> i64 {
    let (status, location, page) = post(
        app,
        client,
        &format!("/processes/{process}/drafts/{draft}"),
        &[("intent", "comment"), ("body", body), ("stance", "none")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    location
        .rsplit("#comment-")
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn reply(app: &TestApp, client: &Client, process: i64, draft: i64, to: i64, body: &str) {
    let (status, _, page) = post(
        app,
        client,
        &format!("/processes/{process}/drafts/{draft}"),
        &[
            ("intent", "reply"),
            ("parent", &to.to_string()),
            ("body", body),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
}

/// A header of a received message, as Python's `email` package reads it.
fn header(mail: &Received, name: &str) -> String {
    let script = format!(
        "import email, email.policy, sys\nm = email.message_from_string(sys.stdin.read(), policy=email.policy.default)\nprint(m['{name}'] or '', end='')"
    );
    let (ok, out) = crate::support::python(&script, &mail.data);
    assert!(ok, "{out}");
    out
}

/// The council of the demo's process in its decision phase freezes `draft`, answers every thread
/// ("Paper ballots stay at every market."), votes and publishes; returns the decision's id.
async fn decide(app: &TestApp, process: i64, draft: i64) -> i64 {
    let council = app.signed_in("council@demo.baraza").await;
    let council2 = app.signed_in("council2@demo.baraza").await;
    let (status, location, _) = post(
        app,
        &council,
        &format!("/processes/{process}/manage"),
        &[
            ("intent", "freeze"),
            ("draft", &draft.to_string()),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let decision = location.split('#').next().unwrap().to_string();
    let threads: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM comments WHERE draft_id = $1 AND parent_id IS NULL ORDER BY id",
    )
    .bind(draft)
    .fetch_all(app.pool())
    .await
    .unwrap();
    for thread in &threads {
        let key = format!("thread.{thread}");
        let (status, _, body) = post(
            app,
            &council,
            &decision,
            &[
                ("intent", "answer"),
                (&key, "on"),
                ("disposition", "partly_accepted"),
                ("reason", "Paper ballots stay at every market."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    for client in [&council, &council2] {
        let (status, _, _) = post(
            app,
            client,
            &decision,
            &[("intent", "vote"), ("choice", "for")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, _, body) = post(
        app,
        &council,
        &decision,
        &[
            ("intent", "publish"),
            ("rationale", "Every ward is heard."),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    decision.rsplit('/').next().unwrap().parse().unwrap()
}

/// How many of `email`'s notifications are unread.
async fn unread(app: &TestApp, email: &str) -> i64 {
    let person = app.person_id(email).await;
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person)
    .fetch_one(app.pool())
    .await
    .unwrap()
}

/// `person`'s delivery of `kind`, as stored.
async fn delivery(app: &TestApp, email: &str, kind: &str) -> Option<String> {
    let person = app.person_id(email).await;
    sqlx::query_scalar(
        "SELECT delivery FROM notification_preferences WHERE person_id = $1 AND kind = $2",
    )
    .bind(person)
    .bind(kind)
    .fetch_optional(app.pool())
    .await
    .unwrap()
}

on_both!(
    a_reply_and_a_moderators_decision_are_mailed_at_once_and_stop_with_one_click,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        let process = app.process_in("public_comment").await;
        let draft: i64 =
            sqlx::query_scalar("SELECT id FROM drafts WHERE process_id = $1 ORDER BY id")
                .bind(process)
                .fetch_one(app.pool())
                .await
                .unwrap();
        let citizen = app.signed_in(CITIZEN).await;
        let chen = app.signed_in(CHEN).await;

        // The citizen starts a thread: they follow it without asking; Chen replies.
        let thread = comment(
            &app,
            &citizen,
            process,
            draft,
            "Night buses should run on Sundays too.",
        )
        .await;
        reply(
            &app,
            &chen,
            process,
            draft,
            thread,
            "同意，周日也需要夜班车。",
        )
        .await;
        let mail = mailbox.expect().await;
        assert_eq!(
            mail.to,
            vec![CITIZEN.to_string()],
            "only the thread's follower, not Chen"
        );
        let parsed = mail.parse();
        assert!(
            parsed.subject.contains("replied in a thread"),
            "{}",
            parsed.subject
        );
        assert!(parsed.subject.contains("陈静"), "{}", parsed.subject);
        let body = parsed.text.clone().unwrap();
        assert!(body.contains("同意，周日也需要夜班车。"), "{body}");
        let link = mail.link("/threads/");
        assert!(link.starts_with(&app.base), "{link}");
        let (status, thread_page) = page(&app, &citizen, &link.replace(&app.base, "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(thread_page.contains("同意，周日也需要夜班车。"));
        // One-click unsubscribe (RFC 8058): the headers, and the link in the mail's foot.
        let unsubscribe = header(&mail, "List-Unsubscribe");
        assert!(
            unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.base)),
            "{unsubscribe}"
        );
        assert_eq!(
            header(&mail, "List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click"
        );
        let url = unsubscribe
            .trim_matches(|c| c == '<' || c == '>')
            .to_string();
        assert!(
            body.contains(&url),
            "the text carries the same link: {body}"
        );

        // The notification centre: the header counts it, the page shows it and marks it read.
        let waiting = unread(&app, CITIZEN).await;
        assert!(waiting >= 1);
        let (_, home) = page(&app, &citizen, "/").await;
        assert!(
            home.contains(&format!("{waiting} unread")),
            "the header's count"
        );
        let (status, centre) = page(&app, &citizen, "/notifications").await;
        assert_eq!(status, StatusCode::OK);
        assert!(centre.contains("replied in a thread"), "{centre}");
        assert!(
            centre.contains("class=\"badge\">New"),
            "shown as new this once"
        );
        let (_, home) = page(&app, &citizen, "/").await;
        assert!(!home.contains("unread"), "seen, so read");
        let (_, centre) = page(&app, &citizen, "/notifications").await;
        assert!(!centre.contains("class=\"badge\">New"));

        // A moderator hides the reply: Chen is told why, and how to appeal.
        let reply_id: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE parent_id = $1")
            .bind(thread)
            .fetch_one(app.pool())
            .await
            .unwrap();
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, _, _) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/moderation"),
            &[
                ("intent", "moderate"),
                ("comment", &reply_id.to_string()),
                ("action", "hidden"),
                ("reason", "off_topic"),
                ("note", "Please keep to the timetable."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let told = mailbox.expect().await;
        assert_eq!(told.to, vec![CHEN.to_string()]);
        let told = told.parse();
        assert_eq!(told.language, "zh-Hans");
        let words = told.text.unwrap();
        assert!(words.contains("Please keep to the timetable."), "{words}");
        assert!(words.contains("申诉"), "how to appeal: {words}");
        // The thread's follower no longer reads the hidden reply's words in their notice.
        let (_, centre) = page(&app, &citizen, "/notifications").await;
        assert!(!centre.contains("同意，周日也需要夜班车。"), "{centre}");
        assert!(centre.contains("This comment is no longer shown."));
        // Its author still does, with the decision.
        let (_, theirs) = page(&app, &chen, "/notifications").await;
        assert!(theirs.contains("同意，周日也需要夜班车。"));

        // A mail program's one-click: no session, another site's origin; the reply list only.
        let clicked = TestApp::client()
            .post(&url)
            .header("origin", "https://webmail.example")
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(clicked.status(), StatusCode::OK);
        assert_eq!(
            delivery(&app, CITIZEN, "reply").await.as_deref(),
            Some("site")
        );
        assert_eq!(
            delivery(&app, CITIZEN, "answered").await,
            None,
            "other lists unchanged"
        );
        assert_eq!(
            delivery(&app, CHEN, "reply").await,
            None,
            "other people unchanged"
        );
        // The next reply is on the site, not in the mailbox.
        reply(&app, &chen, process, draft, thread, "再补充一点。").await;
        assert!(mailbox.next(3).await.is_none(), "unsubscribed");
        assert_eq!(unread(&app, CITIZEN).await, 1);
        let (_, home) = page(&app, &citizen, "/").await;
        assert!(home.contains("1 unread"));
        // A link that is not one stops nothing.
        let unknown = TestApp::client()
            .post(app.url("/unsubscribe/0123456789abcdef"))
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    }
);

on_both!(
    the_councils_answer_reaches_the_threads_followers_in_their_language,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        let process = app.process_in("decision").await;
        let draft = app.draft_id("text for decision").await;
        let threads: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, person_id FROM comments WHERE draft_id = $1 AND parent_id IS NULL ORDER BY id",
        )
        .bind(draft)
        .fetch_all(app.pool())
        .await
        .unwrap();
        // A citizen follows one thread they did not write: they hear of its answer too.
        let follower = app.signed_in("civil@demo.baraza").await;
        assert_eq!(
            follow(&app, &follower, "thread", &threads[0].0.to_string(), "").await,
            StatusCode::SEE_OTHER
        );
        decide(&app, process, draft).await;

        // Every author and the follower are mailed, each once per thread, in their language.
        let mut expected: Vec<String> = Vec::new();
        for (_, author) in &threads {
            let email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
                .bind(author)
                .fetch_one(app.pool())
                .await
                .unwrap();
            expected.push(email);
        }
        expected.push("civil@demo.baraza".into());
        let mut received = Vec::new();
        for _ in 0..expected.len() {
            received.push(mailbox.expect().await);
        }
        assert!(mailbox.next(2).await.is_none(), "no more than that");
        let mut to: Vec<String> = received.iter().map(|m| m.to[0].clone()).collect();
        to.sort();
        expected.sort();
        assert_eq!(to, expected);
        let chinese = received
            .iter()
            .find(|m| m.to[0] == CHEN)
            .expect("Chen wrote a thread in the demo")
            .parse();
        assert_eq!(chinese.language, "zh-Hans");
        assert!(
            chinese.subject.contains("理事会答复了"),
            "{}",
            chinese.subject
        );
        assert!(
            chinese.subject.contains("部分采纳") || chinese.subject.contains("部分"),
            "{}",
            chinese.subject
        );
        let words = chinese.text.unwrap();
        assert!(
            words.contains("Paper ballots stay at every market."),
            "{words}"
        );
        // And in the notification centre, in Chinese.
        let chen = app.signed_in(CHEN).await;
        let (_, centre) = page(&app, &chen, "/notifications").await;
        assert!(centre.contains("理事会答复了"), "{centre}");
        assert!(centre.contains("Paper ballots stay at every market."));
    }
);

on_both!(
    a_daily_digest_goes_once_after_midnight_in_the_persons_time_zone,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        let process = app.process_in("drafting").await;
        let citizen = app.signed_in(CITIZEN).await;
        // The citizen lives in Shanghai and wants phase changes in a daily digest.
        let (status, _, body) = post(
            &app,
            &citizen,
            "/notifications/preferences",
            &[("phase", "daily"), ("time_zone", "Asia/Shanghai")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(
            follow(&app, &citizen, "process", &process.to_string(), "").await,
            StatusCode::SEE_OTHER
        );
        let (_, process_page) = page(&app, &citizen, &format!("/processes/{process}")).await;
        assert!(
            process_page.contains("You follow this."),
            "the control says so"
        );
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, _, _) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/manage"),
            &[("intent", "phase"), ("phase", "public_comment")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(mailbox.next(2).await.is_none(), "not mailed at once");

        let store = store_of(&app);
        let now = server::clock::now_millis();
        assert_eq!(
            store.send_due_digests(now).await.unwrap(),
            0,
            "the day has not ended"
        );
        // The notice was made yesterday (a day passes); two servers look at once: one digest.
        sqlx::query("UPDATE notifications SET created_at = created_at - $1 WHERE kind = 'phase'")
            .bind(DAY)
            .execute(app.pool())
            .await
            .unwrap();
        let other_server = store_of(&app);
        let (a, b) = tokio::join!(
            store.send_due_digests(now),
            other_server.send_due_digests(now)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1, "one digest for the day");
        assert_eq!(store.send_due_digests(now + 60_000).await.unwrap(), 0);
        let mail = mailbox.expect().await;
        assert_eq!(mail.to, vec![CITIZEN.to_string()]);
        let parsed = mail.parse();
        assert_eq!(parsed.subject, "Your daily Baraza digest: 1");
        let words = parsed.text.clone().unwrap();
        assert!(
            words.contains("has moved to a new phase: Public comment"),
            "{words}"
        );
        assert!(
            words.contains(&format!("{}/processes/{process}", app.base)),
            "{words}"
        );
        let key: String = sqlx::query_scalar("SELECT period_key FROM digests")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let expected = {
            // The Shanghai day that ended last.
            let shanghai = now + 8 * 3_600_000;
            let day = app::domain::process::Day::from_unix_days(shanghai.div_euclid(DAY) - 1);
            day.to_string()
        };
        assert_eq!(key, expected, "counted in the person's time zone");
        // One click on the digest's link stops the digest of phase changes only.
        let url = header(&mail, "List-Unsubscribe");
        let url = url.trim_matches(|c| c == '<' || c == '>');
        let response = TestApp::client()
            .post(url)
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            delivery(&app, CITIZEN, "phase").await.as_deref(),
            Some("site")
        );
        assert_eq!(
            delivery(&app, CITIZEN, "reply").await.as_deref(),
            Some("immediate")
        );
    }
);

on_both!(
    nobody_reads_or_changes_anothers_notices,
    |backend| async move {
        let app = TestApp::start(backend).await;
        // Signed out: the centre and the preferences send to sign-in, and nothing is saved.
        let anonymous = TestApp::client();
        for path in ["/notifications", "/notifications/preferences"] {
            let response = anonymous.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FOUND, "{path}");
            assert!(
                response.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/auth/login")
            );
        }
        let before = delivery(&app, CITIZEN, "reply").await;
        let (status, _, _) = post(
            &app,
            &anonymous,
            "/notifications/preferences",
            &[("reply", "site")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(delivery(&app, CITIZEN, "reply").await, before);
        // Bad choices are refused with the field named, and nothing changes.
        let citizen = app.signed_in(CITIZEN).await;
        for form in [
            [("reply", "hourly"), ("time_zone", "UTC")],
            [("reply", "site"), ("time_zone", "Mars/Olympus_Mons")],
        ] {
            let (status, _, body) = post(&app, &citizen, "/notifications/preferences", &form).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}");
            assert!(body.contains("aria-invalid=\"true\""), "{body}");
            assert_eq!(delivery(&app, CITIZEN, "reply").await, None);
        }
        // The preferences page works without JavaScript: a plain form with every kind.
        let (status, form) = page(&app, &citizen, "/notifications/preferences").await;
        assert_eq!(status, StatusCode::OK);
        for name in [
            "reply",
            "answered",
            "moderated",
            "phase",
            "decision",
            "sitting",
            "comment",
            "time_zone",
        ] {
            assert!(form.contains(&format!("name=\"{name}\"")), "{name}");
        }
        // Following: unknown subjects are not found; following for an organisation needs the
        // right to speak for it.
        let process = app.process_in("public_comment").await;
        assert_eq!(
            follow(&app, &citizen, "process", "999999", "").await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            follow(&app, &citizen, "planet", &process.to_string(), "").await,
            StatusCode::BAD_REQUEST
        );
        let city = app.org_id("City Hall").await;
        assert_eq!(
            follow(
                &app,
                &citizen,
                "process",
                &process.to_string(),
                &city.to_string()
            )
            .await,
            StatusCode::FORBIDDEN
        );
        // A member follows for their organisation: the other members hear of it.
        let gov = app.signed_in("gov@demo.baraza").await;
        assert_eq!(
            follow(
                &app,
                &gov,
                "process",
                &process.to_string(),
                &city.to_string()
            )
            .await,
            StatusCode::SEE_OTHER
        );
        let (_, centre) = page(&app, &gov, "/notifications").await;
        assert!(
            centre.contains("City Hall"),
            "listed as followed for City Hall"
        );
        // Nobody outside City Hall may stop its follow, and nobody signed out may follow.
        let follows = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM follows WHERE org_id = $1")
                .bind(city)
                .fetch_one(app.pool())
                .await
                .unwrap()
        };
        assert_eq!(follows().await, 1);
        let pid = process.to_string();
        let city_id = city.to_string();
        let unfollow = [
            ("subject", "process"),
            ("id", pid.as_str()),
            ("acting_for", city_id.as_str()),
            ("intent", "unfollow"),
            ("back", "/"),
        ];
        let (status, _, _) = post(&app, &citizen, "/follows", &unfollow).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(follows().await, 1, "the organisation still follows");
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follows")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let (status, _, _) = post(
            &app,
            &anonymous,
            "/follows",
            &[
                ("subject", "process"),
                ("id", &pid),
                ("acting_for", ""),
                ("intent", "follow"),
                ("back", "/"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follows")
            .fetch_one(app.pool())
            .await
            .unwrap();
        assert_eq!(after, before, "nothing followed");
        // A member may stop it for the organisation.
        let (status, _, _) = post(&app, &gov, "/follows", &unfollow).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(follows().await, 0);
        // The citizen's centre shows only their own notices.
        let chen = app.signed_in(CHEN).await;
        let (_, theirs) = page(&app, &chen, "/notifications").await;
        assert!(!theirs.contains("City Hall)"), "{theirs}");
        // Opening an unsubscribe page changes nothing; an unknown one is not found.
        let response = anonymous
            .get(app.url("/unsubscribe/nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

on_both!(
    reminders_go_once_to_the_council_and_to_the_moderation_queues_people,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let store = store_of(&app);
        let now = server::clock::now_millis();
        // A published decision whose review date passed with no update since.
        let process = app.process_in("decision").await;
        let decision = decide(&app, process, app.draft_id("text for decision").await).await;
        for statement in [
            "UPDATE decisions SET review_on = '2026-01-15' WHERE id = $1",
            "DELETE FROM decision_updates WHERE decision_id = $1",
        ] {
            sqlx::query(statement)
                .bind(decision)
                .execute(app.pool())
                .await
                .unwrap();
        }
        // And a comment that has waited two days for a moderator.
        let waiting: i64 = sqlx::query_scalar(
            "SELECT id FROM comments WHERE process_id = $1 AND parent_id IS NULL ORDER BY id",
        )
        .bind(process)
        .fetch_one(app.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE comments SET status = 'pending', created_at = $1 WHERE id = $2")
            .bind(now - 2 * DAY)
            .bind(waiting)
            .execute(app.pool())
            .await
            .unwrap();
        let told = store.send_reminders(now, DAY).await.unwrap();
        assert_eq!(told, 2, "the review and the queue");
        assert_eq!(
            store.send_reminders(now + 60_000, DAY).await.unwrap(),
            0,
            "once each"
        );

        let people: Vec<(String, String)> = sqlx::query_as(
            "SELECT p.email, pp.role FROM process_people pp JOIN people p ON p.id = pp.person_id \
             WHERE pp.process_id = $1",
        )
        .bind(process)
        .fetch_all(app.pool())
        .await
        .unwrap();
        let kinds = |email: String| {
            let app = &app;
            async move {
                let person = app.person_id(&email).await;
                sqlx::query_scalar::<_, String>(
                    "SELECT kind FROM notifications WHERE person_id = $1 AND kind IN ('review', 'queue') ORDER BY kind",
                )
                .bind(person)
                .fetch_all(app.pool())
                .await
                .unwrap()
            }
        };
        let council = people
            .iter()
            .find(|(_, role)| role == "council_member")
            .unwrap()
            .0
            .clone();
        assert!(kinds(council.clone()).await.contains(&"review".to_string()));
        let moderating = people
            .iter()
            .find(|(_, role)| role == "mediator" || role == "moderator")
            .unwrap()
            .0
            .clone();
        assert!(
            kinds(moderating.clone())
                .await
                .contains(&"queue".to_string())
        );
        assert!(
            kinds(CITIZEN.to_string()).await.is_empty(),
            "nobody else is told"
        );
        let client = app.signed_in(&council).await;
        let (_, centre) = page(&app, &client, "/notifications").await;
        assert!(centre.contains("review date of the decision"), "{centre}");
        assert!(centre.contains(&format!("/processes/{process}/decisions/{decision}")));
        let client = app.signed_in(&moderating).await;
        let (_, centre) = page(&app, &client, "/notifications").await;
        assert!(centre.contains("waiting for moderation"), "{centre}");
    }
);

on_both!(
    a_followers_notice_of_a_public_sitting_carries_an_invitation_for_their_calendar,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        let process = app.process_in("public_comment").await;
        let chen = app.signed_in(CHEN).await;
        for form in [vec![
            ("sitting", "immediate"),
            ("time_zone", "Asia/Shanghai"),
        ]] {
            let (status, _, _) = post(&app, &chen, "/notifications/preferences", &form).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
        }
        let id = process.to_string();
        assert_eq!(
            follow(&app, &chen, "process", &id, "").await,
            StatusCode::SEE_OTHER
        );
        let union = format!("invite.{}", app.org_id("Union").await);
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, location, body) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/sittings/new"),
            &[
                ("intent", "schedule"),
                ("title", "Hearing on night buses"),
                ("starts_at", "2027-02-01T10:00"),
                ("place", "City Hall, room 4"),
                ("turn_minutes", "3"),
                ("item.0.text", "Sunday timetables"),
                (&union, "on"),
                ("public", "on"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let sitting: i64 = location
            .rsplit('/')
            .next()
            .unwrap()
            .split(['?', '#'])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let mail = mailbox.expect().await;
        assert_eq!(mail.to, vec![CHEN.to_string()]);
        let parsed = mail.parse();
        assert!(
            parsed.subject.contains("Hearing on night buses"),
            "{}",
            parsed.subject
        );
        let words = parsed.text.unwrap();
        assert!(
            words.contains("2027-02-01 18:00 (Asia/Shanghai)"),
            "her time: {words}"
        );
        // The attachment, read by Python's email package and the reference icalendar package.
        let script = r#"
import email, email.policy, json, sys, icalendar
m = email.message_from_string(sys.stdin.read(), policy=email.policy.default)
parts = [p for p in m.iter_attachments() if p.get_content_type() == 'text/calendar']
cal = icalendar.Calendar.from_ical(parts[0].get_content())
e = next(iter(cal.walk('VEVENT')))
print(json.dumps({"file": parts[0].get_filename(), "summary": str(e.get('summary')),
                  "start": e.get('dtstart').dt.isoformat(), "location": str(e.get('location')),
                  "url": str(e.get('url')), "description": str(e.get('description'))}))
"#;
        let (ok, out) = crate::support::python(script, &mail.data);
        assert!(ok, "{out}\n{}", mail.data);
        let event: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(event["file"], "invitation.ics");
        assert_eq!(event["summary"], "Hearing on night buses");
        assert_eq!(event["start"], "2027-02-01T10:00:00+00:00");
        assert_eq!(event["location"], "City Hall, room 4");
        assert_eq!(
            event["url"],
            format!("{}/processes/{process}/sittings/{sitting}", app.base)
        );
        assert!(
            event["description"].as_str().unwrap().contains("议程"),
            "in her language: {event}"
        );
    }
);
