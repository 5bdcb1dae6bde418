//! A person who commented finds what became of their comments: on their account ("My comments
//! and their answers") and, once a decision is published, first on the process page. Only their
//! own comments, and only answers the council published. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, text};
use app::ids::{PersonId, ProcessId};
use reqwest::{Client, StatusCode};

async fn get(app: &TestApp, client: &Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    text(response).await
}

async fn post(app: &TestApp, client: &Client, path: &str, form: &[(&str, &str)]) -> String {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path} {form:?}");
    response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The part of a page's HTML from `from` to the end of the element `until` closes.
fn between<'a>(html: &'a str, from: &str, until: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    let end = html[start..].find(until).map_or(html.len(), |e| start + e);
    &html[start..end]
}

on_both!(
    a_commenter_finds_the_published_answers_to_their_own_comments,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let process = app.process_in("decision").await;
        let draft = app.draft_id("text for decision").await;
        let council = app.signed_in("council@demo.baraza").await;
        let council2 = app.signed_in("council2@demo.baraza").await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let reader = app.signed_in("lakeside.reader@demo.baraza").await;

        // Anonymous: sent to sign in, and brought back.
        let response = TestApp::client()
            .get(app.url("/account/comments"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection());
        assert_eq!(
            response.headers()["location"],
            "/auth/login?next=/account/comments"
        );

        // Before any decision: every comment of theirs, none answered, nobody else's.
        let mine = get(&app, &citizen, "/account/comments").await;
        assert!(mine.contains("Good that young people can propose projects"));
        assert!(
            mine.contains("How was <strong>0.5 per cent</strong> chosen?"),
            "rendered as on the draft's page"
        );
        assert!(
            mine.contains("A minimum share per region"),
            "their reply too"
        );
        assert_eq!(mine.matches("class=\"own-comment\"").count(), 3, "{mine}");
        assert_eq!(mine.matches("Not answered yet").count(), 3);
        assert!(
            !mine.contains("纸质投票点"),
            "another person's comment is listed"
        );
        assert!(!mine.contains("elders have chaired"));
        let process_page = format!("/processes/{process}");
        assert!(
            !get(&app, &citizen, &process_page)
                .await
                .contains("See how your comments were answered")
        );

        // The council freezes the text, answers every thread and votes.
        let location = post(
            &app,
            &council,
            &format!("/processes/{process}/manage"),
            &[
                ("intent", "freeze"),
                ("draft", &draft.to_string()),
                ("confirmed", "yes"),
            ],
        )
        .await;
        let decision = location.split('#').next().unwrap().to_string();
        let threads: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, body FROM comments WHERE draft_id = $1 AND parent_id IS NULL ORDER BY id",
        )
        .bind(draft)
        .fetch_all(app.pool())
        .await
        .unwrap();
        for (id, body) in &threads {
            let key = format!("thread.{id}");
            let (disposition, reason, change) = if body.contains("young people") {
                (
                    "partly_accepted",
                    "City Hall will offer a proposal workshop to any school that asks.",
                    "",
                )
            } else if body.contains("纸质投票点") || body.contains("工人活动中心") {
                (
                    "accepted",
                    "Paper ballots at the Workers Centre until 8 p.m.",
                    "markets and the Workers' Centre",
                )
            } else {
                ("not_accepted", "Facilitators stay neutral.", "")
            };
            let mut form = vec![
                ("intent", "answer"),
                (key.as_str(), "on"),
                ("disposition", disposition),
                ("reason", reason),
            ];
            if !change.is_empty() {
                form.push(("change", change));
            }
            post(&app, &council, &decision, &form).await;
        }
        // Answered but not published: not the council's word yet, so not shown as an answer.
        let mine = get(&app, &citizen, "/account/comments").await;
        assert!(
            !mine.contains("proposal workshop"),
            "an unpublished answer is shown"
        );
        assert_eq!(mine.matches("Not answered yet").count(), 3);

        post(
            &app,
            &council,
            &decision,
            &[("intent", "vote"), ("choice", "for")],
        )
        .await;
        post(
            &app,
            &council2,
            &decision,
            &[("intent", "vote"), ("choice", "for")],
        )
        .await;
        post(
            &app,
            &council,
            &decision,
            &[
                ("intent", "publish"),
                ("rationale", "Every ward gets a fair share."),
                ("confirmed", "yes"),
            ],
        )
        .await;

        // Published: their thread's answer, with its reason, and links to the thread and the
        // decision; their comments elsewhere still wait.
        let mine = get(&app, &citizen, "/account/comments").await;
        let young = between(&mine, "Good that young people", "</li>");
        assert!(young.contains("Partly accepted"), "{young}");
        assert!(young.contains("City Hall will offer a proposal workshop"));
        assert!(young.contains(&format!("{decision}#thread-")), "{young}");
        assert!(young.contains(&format!("/processes/{process}/drafts/{draft}/threads/")));
        assert_eq!(mine.matches("Not answered yet").count(), 2);

        // Another commenter sees their own answer, with the change it made, and not the citizen's.
        let theirs = get(&app, &reader, "/account/comments").await;
        assert!(theirs.contains("纸质投票点"));
        assert!(theirs.contains("Accepted") || theirs.contains("采纳"));
        assert!(
            theirs.contains("markets and the Workers"),
            "the change: {theirs}"
        );
        assert!(
            !theirs.contains("young people"),
            "the citizen's comment is listed"
        );

        // The process page offers the answers first, before the summary, and shows them.
        let page = get(&app, &citizen, &process_page).await;
        let button = page
            .find("See how your comments were answered")
            .expect("the button");
        let summary = page
            .find("Each year the City of Kalden sets aside")
            .expect("the summary");
        assert!(button < summary, "the next step comes before the summary");
        assert!(page.contains("href=\"#your-answers\""));
        let section = between(&page, "id=\"your-answers\"", "</section>");
        assert!(section.contains("City Hall will offer a proposal workshop"));
        // A council member who did not comment has nothing to read there.
        let theirs = get(&app, &council, &process_page).await;
        assert!(!theirs.contains("See how your comments were answered"));

        // The store gives each person theirs only.
        let store = app.running.as_ref().unwrap().store.clone();
        let citizen_id = PersonId(app.person_id("citizen@demo.baraza").await);
        let all = store.own_comments(citizen_id, None).await.unwrap();
        assert_eq!(all.len(), 3);
        let here = store
            .own_comments(citizen_id, Some(ProcessId(process)))
            .await
            .unwrap();
        assert_eq!(here.len(), 1);
        assert_eq!(
            here[0].answer.as_ref().map(|a| a.disposition.code()),
            Some("partly_accepted")
        );
        let authors: Vec<i64> = {
            let mut ids = Vec::new();
            for c in &all {
                let author: i64 =
                    sqlx::query_scalar("SELECT person_id FROM comments WHERE id = $1")
                        .bind(c.id.0)
                        .fetch_one(app.pool())
                        .await
                        .unwrap();
                ids.push(author);
            }
            ids
        };
        assert!(authors.iter().all(|a| *a == citizen_id.0), "{authors:?}");
    }
);
