//! Comments on a budget's projects: citizens discuss a proposal on its page, in the same
//! threads, moderation and open data as a draft's comments, and only while the budget's phase
//! allows it. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::post;
use crate::support::{TestApp, text};
use reqwest::{Client, StatusCode};

async fn get(client: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), text(response).await)
}

/// A demo project of the budget in `phase`: (process, budget, project).
async fn project_in(app: &TestApp, phase: &str) -> (i64, i64, i64) {
    let row: (i64, i64, i64) = sqlx::query_as(
        "SELECT b.process_id, b.id, p.id FROM budget_projects p JOIN budgets b ON b.id = p.budget_id \
         WHERE b.phase = $1 ORDER BY p.id LIMIT 1",
    )
    .bind(phase)
    .fetch_one(app.pool())
    .await
    .unwrap_or_else(|_| panic!("a demo project in the {phase} phase"));
    row
}

/// The id after `#comment-` in a redirect.
fn comment_in(location: &str) -> i64 {
    location
        .rsplit_once("#comment-")
        .and_then(|(_, id)| id.parse().ok())
        .unwrap_or_else(|| panic!("no comment in {location:?}"))
}

on_both!(
    citizens_discuss_a_proposal_on_its_page,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (process, budget, project) = project_in(&app, "proposals").await;
        let page = format!("/budgets/{budget}/projects/{project}");

        // Someone signed out is invited to sign in, and cannot post.
        let anonymous = TestApp::client();
        let (status, html) = get(&anonymous, &app, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("id=\"comments\""),
            "the page has a discussion"
        );
        assert!(html.contains("Sign in to comment"), "{html}");
        let (status, _, _) = post(
            &app,
            &anonymous,
            &page,
            &[("intent", "comment"), ("body", "Anonymous words.")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // A citizen comments; an empty comment keeps the form and says what is missing.
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let (status, _, html) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "  ")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("This field is required."));
        let (status, location, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "comment"),
                ("body", "Could the study room have a ramp for wheelchairs?"),
                ("stance", "asks"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            location.starts_with(&format!("{page}#comment-")),
            "{location}"
        );
        let question = comment_in(&location);

        // Someone from government answers in the thread.
        let gov = app.signed_in("gov@demo.baraza").await;
        let (status, location, _) = post(
            &app,
            &gov,
            &page,
            &[
                ("intent", "reply"),
                ("parent", &question.to_string()),
                ("body", "Yes: the estimate includes a ramp."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let answer = comment_in(&location);

        // Everyone reads both on the project's page and the thread's own page.
        let (_, html) = get(&anonymous, &app, &page).await;
        assert!(html.contains("Could the study room have a ramp for wheelchairs?"));
        assert!(html.contains("Yes: the estimate includes a ramp."));
        assert!(
            !html.contains("name=\"quote\""),
            "a project's comments quote no passage"
        );
        let (status, html) = get(&anonymous, &app, &format!("{page}/threads/{question}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Yes: the estimate includes a ramp."));

        // A reply belongs to its subject: not to a draft's comment, nor under another budget.
        let draft_comment: i64 =
            sqlx::query_scalar("SELECT id FROM comments WHERE draft_id IS NOT NULL LIMIT 1")
                .fetch_one(app.pool())
                .await
                .unwrap();
        let (status, _, _) = post(
            &app,
            &gov,
            &page,
            &[
                ("intent", "reply"),
                ("parent", &draft_comment.to_string()),
                ("body", "Crossed wires."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let other_budget: i64 = sqlx::query_scalar("SELECT id FROM budgets WHERE id <> $1 LIMIT 1")
            .bind(budget)
            .fetch_one(app.pool())
            .await
            .unwrap();
        let (status, _, _) = post(
            &app,
            &citizen,
            &format!("/budgets/{other_budget}/projects/{project}"),
            &[("intent", "comment"), ("body", "Wrong address.")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = get(
            &anonymous,
            &app,
            &format!("/budgets/{other_budget}/projects/{project}/threads/{question}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Only its author edits a comment.
        let (status, _, _) = post(
            &app,
            &gov,
            &page,
            &[
                ("intent", "edit"),
                ("comment", &question.to_string()),
                ("body", "Rewritten by someone else."),
                ("stance", "none"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "edit"),
                ("comment", &question.to_string()),
                ("body", "Could the study room have a ramp and a bench?"),
                ("stance", "asks"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Another person reports the answer; the mediator hides it with a reason, in the open log.
        let (status, _, _) = post(
            &app,
            &citizen,
            &page,
            &[
                ("intent", "report"),
                ("comment", &answer.to_string()),
                ("reason", "off_topic"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let (status, _, _) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/moderation"),
            &[
                ("intent", "moderate"),
                ("comment", &answer.to_string()),
                ("action", "hidden"),
                ("reason", "off_topic"),
                ("note", "About another project."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let log = app
            .json(&format!("/api/v1/processes/{process}/moderation-log"))
            .await;
        let entry = &log["entries"][0];
        assert_eq!(entry["action"], "hidden");
        assert_eq!(entry["project_id"], project);
        assert!(entry["draft_id"].is_null(), "{entry}");
        let (_, html) = get(&anonymous, &app, &page).await;
        assert!(!html.contains("Yes: the estimate includes a ramp."));
        assert!(
            html.contains("Hidden by a moderator. Reason: Off topic."),
            "{html}"
        );

        // The open data: the published comments as JSON and CSV, the hidden one without its text.
        let data = app
            .json(&format!(
                "/api/v1/budgets/{budget}/projects/{project}/comments"
            ))
            .await;
        assert_eq!(data["project_id"], project);
        let bodies: Vec<_> = data["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(bodies.contains(&"Could the study room have a ramp and a bench?".to_string()));
        assert!(!bodies.iter().any(|b| b.contains("estimate includes")));
        let csv = anonymous
            .get(app.url(&format!(
                "/api/v1/budgets/{budget}/projects/{project}/comments?format=csv"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(text(csv).await.contains("a ramp and a bench"));
        let (status, _) = get(
            &anonymous,
            &app,
            &format!("/api/v1/budgets/{other_budget}/projects/{project}/comments"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The citizen finds their comments among their own, leading back to the project's thread.
        let (status, html) = get(&citizen, &app, "/account/comments").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("a ramp and a bench"), "{html}");
        assert!(html.contains(&format!(
            "href=\"{page}/threads/{question}#comment-{question}\""
        )));
        assert!(html.contains("Your comment on “A study room open late in exam weeks”"));

        // A bar on the citizen stops their comments on projects too.
        let (status, _, _) = post(
            &app,
            &mediator,
            &format!("/processes/{process}/moderation"),
            &[
                ("intent", "bar"),
                ("comment", &question.to_string()),
                ("reason", "abuse"),
                ("until", "2099-12-31"),
                ("note", "Cooling off."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, html) = post(
            &app,
            &citizen,
            &page,
            &[("intent", "comment"), ("body", "Still here.")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("until 2099-12-31"), "{html}");
    }
);

on_both!(discussion_closes_with_the_vote, |backend| async move {
    let app = TestApp::start(backend).await;
    let (_, budget, project) = project_in(&app, "results").await;
    let page = format!("/budgets/{budget}/projects/{project}");
    let citizen = app.signed_in("citizen@demo.baraza").await;
    let (status, _, html) = post(
        &app,
        &citizen,
        &page,
        &[("intent", "comment"), ("body", "Too late?")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("cannot be done in the process&#x27;s current phase")
            || html.contains("cannot be done in the process's current phase"),
        "{html}"
    );
    // The page offers no comment form, and says why.
    let (status, html) = get(&citizen, &app, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("value=\"comment\""),
        "no comment form after the vote"
    );
    assert!(html.contains("closed when the vote ended"), "{html}");
    let (_, html) = get(&TestApp::client(), &app, &page).await;
    assert!(
        !html.contains("Sign in to comment"),
        "nobody is invited to sign in to a closed discussion"
    );
});
