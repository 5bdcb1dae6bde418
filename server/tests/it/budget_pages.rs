//! A participatory budget through its pages, as the people who run it and take part in it use
//! them: a mediator opens a budget and names a reviewer, a citizen proposes, the reviewer finds
//! one proposal not feasible with a reason the citizen then reads, and the budget moves on to
//! voting and results, each step asked first. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, post, text};
use reqwest::{Client, StatusCode};

async fn get(app: &TestApp, client: &Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    text(response).await
}

/// The number at the end of a redirect's path (`/budgets/4` -> 4).
fn id_in(location: &str) -> i64 {
    location
        .split(['#', '?'])
        .next()
        .and_then(|path| path.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location:?}"))
}

/// A process the demo's mediator mediates that holds no budget yet.
pub async fn mediated_process_without_budget(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT pp.process_id FROM process_people pp JOIN people p ON p.id = pp.person_id \
         WHERE p.email = 'mediator@demo.baraza' AND pp.role = 'mediator' \
         AND pp.process_id NOT IN (SELECT process_id FROM budgets) ORDER BY pp.process_id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("a process the mediator runs without a budget")
}

/// The form that opens a budget with one area of 10,000 EUR (a project up to 6,000).
pub fn budget_form(process: i64, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("intent", "create".into()),
        ("process", process.to_string()),
        ("title", title.into()),
        (
            "description",
            "What the neighbourhood wants, funded.".into(),
        ),
        ("currency", "EUR".into()),
        ("name", "Whole town".into()),
        ("amount", "10,000".into()),
        ("project_cap", "6000".into()),
        ("ballot", "approval".into()),
        ("min_projects", "1".into()),
        ("max_projects", "2".into()),
        ("rule", "equal_shares".into()),
        ("tie_break", "lower_cost".into()),
        ("census", "yes".into()),
        ("codes", "yes".into()),
    ]
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

on_both!(
    a_citizen_reads_why_a_proposal_is_not_on_the_ballot,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let gov = app.signed_in("gov@demo.baraza").await;
        let process = mediated_process_without_budget(&app).await;

        // The mediator opens a budget; the list and the process page lead to it.
        let form = budget_form(process, "Riverside Budget 2027");
        let (status, location, _) = post(&app, &mediator, "/budgets/new", &pairs(&form)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let budget = id_in(&location);
        let overview_path = format!("/budgets/{budget}");
        let list = get(&app, &TestApp::client(), "/budgets").await;
        assert!(list.contains("Riverside Budget 2027") && list.contains("€10,000"));
        let process_page = get(&app, &TestApp::client(), &format!("/processes/{process}")).await;
        assert!(process_page.contains(&format!("href=\"{overview_path}\"")));
        // Its overview says what the phase means, the rules in words, and the next step.
        let overview = get(&app, &TestApp::client(), &overview_path).await;
        assert!(overview.contains("Proposals are open."));
        assert!(overview.contains("Choose 1 to 2 projects."));
        assert!(overview.contains("Winners by the Method of Equal Shares"));
        assert!(overview.contains("Sign in to propose a project"));
        let overview = get(&app, &citizen, &overview_path).await;
        assert!(overview.contains(&format!("href=\"/budgets/{budget}/propose\"")));

        // The mediator names Daniel Mensah reviewer.
        let manage = format!("/budgets/{budget}/manage");
        let (status, _, _) = post(
            &app,
            &mediator,
            &manage,
            &[
                ("intent", "staff"),
                ("email", "gov@demo.baraza"),
                ("role", "reviewer"),
                ("change", "add"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            get(&app, &mediator, &manage)
                .await
                .contains("gov@demo.baraza")
        );

        // The citizen proposes; too costly a proposal is refused with what the cap is, keeping
        // what was typed.
        let area: i64 = sqlx::query_scalar("SELECT id FROM budget_areas WHERE budget_id = $1")
            .bind(budget)
            .fetch_one(app.pool())
            .await
            .unwrap();
        let area = area.to_string();
        let propose = format!("/budgets/{budget}/propose");
        let proposal = |title: &'static str, cost: &'static str| {
            vec![
                ("intent", "propose"),
                ("area", area.as_str()),
                ("title", title),
                ("description", "So children can cross safely."),
                ("place", "Mill Lane"),
                ("category", "mobility"),
                ("estimated_cost", cost),
            ]
        };
        let (status, _, body) = post(
            &app,
            &citizen,
            &propose,
            &proposal("A bridge over the river", "60,000"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("at most 6000"), "the cap is said");
        assert!(
            body.contains("A bridge over the river"),
            "nothing typed is lost"
        );
        let (status, location, _) = post(
            &app,
            &citizen,
            &propose,
            &proposal("A zebra crossing at the school", "4,000"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let crossing = id_in(&location);
        let (status, location, _) = post(
            &app,
            &citizen,
            &propose,
            &proposal("Benches in Mill Park", "2500"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let benches = id_in(&location);
        let project_path = format!("/budgets/{budget}/projects/{crossing}");
        assert!(
            get(&app, &TestApp::client(), &project_path)
                .await
                .contains("A zebra crossing at the school")
        );

        // Closing the proposals asks first, and says what it will do.
        let advance = |from: &'static str, confirmed: bool| {
            let mut form = vec![("intent", "advance"), ("from", from)];
            if confirmed {
                form.push(("confirmed", "yes"));
            }
            form
        };
        let (status, _, body) = post(&app, &mediator, &manage, &advance("proposals", false)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("Proposals close now"),
            "the step says what happens"
        );
        assert!(body.contains("confirm-step"));
        let (status, _, _) = post(&app, &mediator, &manage, &advance("proposals", true)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // A second click (the page as it was) changes nothing.
        let (status, _, _) = post(&app, &mediator, &manage, &advance("proposals", true)).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The reviewer sees the review form; the citizen does not.
        assert!(
            get(&app, &gov, &project_path)
                .await
                .contains("name=\"finding\"")
        );
        assert!(
            !get(&app, &citizen, &project_path)
                .await
                .contains("name=\"finding\"")
        );
        // A finding without a reason or an explanation is refused.
        let (status, _, body) = post(
            &app,
            &gov,
            &project_path,
            &[("intent", "review"), ("finding", "not_feasible")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("Choose one of the options offered."));
        let explanation = "Crossings on Mill Lane are the regional roads office's, not the city's.";
        let (status, location, _) = post(
            &app,
            &gov,
            &project_path,
            &[
                ("intent", "review"),
                ("finding", "not_feasible"),
                ("reason", "outside_competence"),
                ("explanation", explanation),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.ends_with("#review"));

        // The citizen reads why, on the project's page and in the list.
        let page = get(&app, &citizen, &project_path).await;
        assert!(page.contains("Why this proposal is not on the ballot"));
        assert!(
            page.contains("Not the city&#x27;s responsibility")
                || page.contains("Not the city's responsibility")
        );
        assert!(page.contains("regional roads office"));
        assert!(page.contains("Reviewed by Daniel Mensah"));
        let filtered = get(
            &app,
            &citizen,
            &format!("{overview_path}?status=not_feasible"),
        )
        .await;
        assert!(filtered.contains("A zebra crossing at the school"));
        assert!(
            !filtered.contains("Benches in Mill Park"),
            "the filter leaves others out"
        );
        assert!(filtered.contains("Showing 1 of 2 projects."));

        // Voting cannot open while a proposal waits for its review; the manage page says so.
        let (status, _, body) = post(&app, &mediator, &manage, &advance("review", true)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("1 proposals still wait"));
        let (status, _, _) = post(
            &app,
            &gov,
            &format!("/budgets/{budget}/projects/{benches}"),
            &[
                ("intent", "review"),
                ("finding", "feasible"),
                ("cost", "3,000"),
                ("explanation", "Three benches, installed."),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, body) = post(&app, &mediator, &manage, &advance("review", false)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("frozen from this moment"),
            "entering voting freezes the rules"
        );
        let (status, _, _) = post(&app, &mediator, &manage, &advance("review", true)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // The rules are frozen: the manage page says so, and a change is refused.
        let page = get(&app, &mediator, &manage).await;
        assert!(page.contains("the areas and their rules are frozen"));
        assert!(!page.contains("intent\" value=\"area\""));
        let mut change = budget_form(process, "x");
        change.retain(|(k, _)| {
            !matches!(
                *k,
                "intent" | "process" | "title" | "description" | "currency"
            )
        });
        change.extend([("intent", "area".to_string()), ("area", area.clone())]);
        let (status, _, _) = post(&app, &mediator, &manage, &pairs(&change)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            get(&app, &TestApp::client(), &overview_path)
                .await
                .contains(&format!("href=\"/budgets/{budget}/vote\""))
        );

        // Publishing the count says it cannot be undone, then the overview leads to the results.
        let (status, _, body) = post(&app, &mediator, &manage, &advance("voting", false)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("This cannot be undone."));
        let (status, _, _) = post(&app, &mediator, &manage, &advance("voting", true)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let overview = get(&app, &citizen, &overview_path).await;
        assert!(overview.contains("the count is published"));
        assert!(overview.contains(&format!("href=\"/budgets/{budget}/results\"")));
    }
);

on_both!(
    an_officer_records_a_proposal_collected_on_paper,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let mediator = app.signed_in("mediator@demo.baraza").await;
        let moderator = app.signed_in("moderator@demo.baraza").await;
        let process = mediated_process_without_budget(&app).await;
        let (_, location, _) = post(
            &app,
            &mediator,
            "/budgets/new",
            &pairs(&budget_form(process, "Paper budget")),
        )
        .await;
        let budget = id_in(&location);
        // Not an officer yet: the page is refused.
        let propose = format!("/budgets/{budget}/propose");
        let page = moderator.get(app.url(&propose)).send().await.unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "as a resident, Nadia may propose herself"
        );
        assert!(!text(page).await.contains("name=\"meeting\""));
        post(
            &app,
            &mediator,
            &format!("/budgets/{budget}/manage"),
            &[
                ("intent", "staff"),
                ("email", "moderator@demo.baraza"),
                ("role", "officer"),
                ("change", "add"),
            ],
        )
        .await;
        let page = get(&app, &moderator, &propose).await;
        assert!(page.contains("name=\"meeting\""), "the officer's form");
        let area: i64 = sqlx::query_scalar("SELECT id FROM budget_areas WHERE budget_id = $1")
            .bind(budget)
            .fetch_one(app.pool())
            .await
            .unwrap();
        let (status, location, _) = post(
            &app,
            &moderator,
            &propose,
            &[
                ("intent", "paper"),
                ("proposer_name", "Amina Yusuf"),
                ("meeting", "Eastgate market meeting, 3 March"),
                ("area", &area.to_string()),
                ("title", "Lights in the market hall"),
                ("description", "It is dark by five in winter."),
                ("category", "safety"),
                ("estimated_cost", "1200"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let page = get(&app, &TestApp::client(), &location).await;
        assert!(
            page.contains(
                "Collected on paper at Eastgate market meeting, 3 March (from Amina Yusuf)"
            )
        );
    }
);
