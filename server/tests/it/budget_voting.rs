//! Voting in a budget over HTTP, as people do it: a manager uploads the census list and prints
//! codes, a voter without an account votes with a code, a signed-in voter checks against the
//! census and votes, a second vote is refused, and after the results each voter finds their
//! ballot by its receipt. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, text};
use app::domain::budget::{
    AreaRules, BallotKind, BudgetPhase, Category, CountingRule, StaffRole, TieBreak,
};
use app::domain::localized::Localized;
use app::ids::PersonId;
use app::model::{Actor, NewArea, NewBudget, NewProject, ReviewFinding};
use reqwest::{Client, StatusCode};

/// A budget set up for voting in a demo process that has none.
pub struct VotingBudget {
    pub budget: i64,
    /// One area of 1,000 EUR, a knapsack ballot, census list and codes both admitted.
    pub area: i64,
    /// The feasible projects, costing 300, 400, 500 and 200.
    pub projects: Vec<i64>,
}

/// Titles of the projects [`voting_budget`] puts on the ballot.
pub const TITLES: [&str; 4] = [
    "Shade trees on Market Street",
    "A ramp at the library",
    "Lights on the river path",
    "Benches at the bus stop",
];

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Opens a budget (as the site administrator, who manages every budget) in the first demo
/// process without one, with four projects proposed by the citizen and found feasible by the
/// official, and moves it on to `phase` (review or voting).
pub async fn voting_budget(app: &TestApp, phase: BudgetPhase) -> VotingBudget {
    let store = app.running.as_ref().unwrap().store.clone();
    let admin = PersonId(app.person_id("admin@demo.baraza").await);
    let citizen = PersonId(app.person_id("citizen@demo.baraza").await);
    let gov = PersonId(app.person_id("gov@demo.baraza").await);
    let mut process = None;
    for p in store.processes().await.unwrap() {
        if store.budget_of_process(p.id).await.unwrap().is_none() {
            process = Some(p.id);
            break;
        }
    }
    let process = process.expect("a demo process without a budget");
    let en = |text: &str| Localized::one("en", text);
    let budget = store
        .create_budget(
            Actor {
                person: admin,
                acting_for: None,
            },
            process,
            NewBudget {
                title: en("Riverside budget"),
                description: en("What should Riverside spend 1,000 EUR on?"),
                currency: "EUR".into(),
                areas: vec![NewArea {
                    name: en("Riverside"),
                    rules: AreaRules {
                        amount: 1000,
                        project_cap: 0,
                        ballot: BallotKind::Knapsack,
                        min_projects: 0,
                        max_projects: 4,
                        rule: CountingRule::Greedy,
                        tie_break: TieBreak::LowerCost,
                    },
                    census: true,
                    codes: true,
                }],
            },
            now(),
        )
        .await
        .expect("open a budget");
    let area = store.budget(budget).await.unwrap().unwrap().areas[0].id;
    store
        .set_budget_staff(
            admin,
            budget,
            "gov@demo.baraza",
            StaffRole::Reviewer,
            true,
            now(),
        )
        .await
        .expect("name a reviewer");
    let mut projects = Vec::new();
    for (title, cost) in TITLES.iter().zip([300, 400, 500, 200]) {
        let id = store
            .propose_project(
                citizen,
                budget,
                NewProject {
                    area_id: area,
                    title: en(title),
                    description: en(&format!("{title}, for everyone in Riverside.")),
                    place: Localized::one("en", "Riverside"),
                    category: Category::Mobility,
                    estimated_cost: cost,
                    image_alt: String::new(),
                    paper: None,
                },
                now(),
            )
            .await
            .expect("propose");
        projects.push((id, cost));
    }
    store
        .advance_budget(admin, budget, BudgetPhase::Proposals, now())
        .await
        .expect("to review");
    for (id, cost) in &projects {
        store
            .review_project(
                gov,
                *id,
                ReviewFinding::Feasible {
                    cost: *cost,
                    explanation: Localized::one("en", "Feasible at this cost."),
                },
                now(),
            )
            .await
            .expect("review");
    }
    if phase >= BudgetPhase::Voting {
        store
            .advance_budget(admin, budget, BudgetPhase::Review, now())
            .await
            .expect("to voting");
    }
    VotingBudget {
        budget,
        area,
        projects: projects.into_iter().map(|(id, _)| id).collect(),
    }
}

/// Moves a budget from voting to results (the count is published).
pub async fn publish_results(app: &TestApp, budget: i64) {
    let store = app.running.as_ref().unwrap().store.clone();
    let admin = PersonId(app.person_id("admin@demo.baraza").await);
    store
        .advance_budget(admin, budget, BudgetPhase::Voting, now())
        .await
        .expect("to results");
}

/// Posts a form; the status, the Location header and the body.
pub async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    form: &[(&str, String)],
) -> (StatusCode, String, String, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (location, cache) = (header("location"), header("cache-control"));
    (status, location, cache, text(response).await)
}

/// The text of every `<code>` inside elements of class `class` in a page.
pub fn codes_in(body: &str, class: &str) -> Vec<String> {
    body.split(&format!("class=\"{class}\""))
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find("<code>")? + "<code>".len();
            let end = rest[start..].find("</code>")? + start;
            Some(rest[start..end].to_string())
        })
        .collect()
}

/// A ballot form choosing `projects` in `area`.
fn ballot(area: i64, projects: &[i64], extra: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = vec![("area", area.to_string())];
    for p in projects {
        let name: &'static str = Box::leak(format!("project-{p}").into_boxed_str());
        form.push((name, "yes".into()));
    }
    for (name, value) in extra {
        let name: &'static str = Box::leak(name.to_string().into_boxed_str());
        form.push((name, value.to_string()));
    }
    form
}

on_both!(
    a_code_voter_and_a_census_checked_voter_vote_and_find_their_ballots,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let setup = voting_budget(&app, BudgetPhase::Voting).await;
        let (b, area, p) = (setup.budget, setup.area, setup.projects.clone());
        let eligibility = format!("/budgets/{b}/eligibility");
        let vote = format!("/budgets/{b}/vote");
        let manager = app.signed_in("admin@demo.baraza").await;

        // The manager uploads the census list; a list with a bad line is refused whole, by line.
        let before = app.snapshot().await;
        let (status, _, _, body) = post(
            &app,
            &manager,
            &eligibility,
            &[
                ("intent", "census".into()),
                ("area", area.to_string()),
                (
                    "entries",
                    "document_number,birth_date\nKD-1234567,1990-05-17\nKD7654321,17/05/1990\n"
                        .into(),
                ),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("(YYYY-MM-DD): 3. Nothing was stored."),
            "{body}"
        );
        assert_eq!(app.snapshot().await, before, "a bad list stored something");
        let (status, location, _, _) = post(
            &app,
            &manager,
            &eligibility,
            &[
                ("intent", "census".into()),
                ("area", area.to_string()),
                (
                    "entries",
                    "document_number,birth_date\nKD-1234567,1990-05-17\nKD7654321,1985-01-02\n"
                        .into(),
                ),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with(&eligibility), "{location}");
        let page = text(manager.get(app.url(&eligibility)).send().await.unwrap()).await;
        assert!(
            page.contains("Census list saved: 2 people on it."),
            "{page}"
        );

        // The manager prints three codes: the sheet is the response itself, kept by nobody.
        let (status, location, cache, sheet) = post(
            &app,
            &manager,
            &eligibility,
            &[
                ("intent", "codes".into()),
                ("area", area.to_string()),
                ("count", "3".into()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{sheet}");
        assert!(location.is_empty(), "the sheet is never a redirect");
        assert_eq!(cache, "no-store");
        let codes = codes_in(&sheet, "code-card-code");
        assert_eq!(codes.len(), 3, "{sheet}");
        assert!(
            sheet.contains(&format!("/budgets/{b}/vote")),
            "the card says where to vote"
        );
        let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM budget_codes")
            .fetch_all(app.pool())
            .await
            .unwrap();
        for code in &codes {
            let plain = code.replace('-', "");
            assert!(
                stored.iter().all(|h| !h.contains(&plain)),
                "a code stored in clear"
            );
        }
        let page = text(manager.get(app.url(&eligibility)).send().await.unwrap()).await;
        assert!(
            page.contains("Codes printed: 3. Used to vote: 0."),
            "{page}"
        );
        assert!(!page.contains(&codes[0]), "a code shown again");

        // Anyone reads the ballot, which says before casting that it is final and secret.
        let voter = TestApp::client();
        let page = text(voter.get(app.url(&vote)).send().await.unwrap()).await;
        assert!(page.contains("A ballot is final once cast"), "{page}");
        assert!(page.contains("nothing that links the two"), "{page}");
        assert!(
            page.contains(TITLES[0]) && page.contains(TITLES[3]),
            "{page}"
        );
        assert!(page.contains("Chosen: 0 projects, €0 of €1,000"), "{page}");

        // Without JavaScript, "Check my ballot" gives the total and keeps the choices.
        let (status, _, _, body) = post(
            &app,
            &voter,
            &vote,
            &ballot(area, &[p[0], p[1], p[2]], &[("intent", "check")]),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("Chosen: 3 projects, €1,200 of €1,000"),
            "{body}"
        );
        assert!(body.contains("cost more than the area"), "{body}");
        assert!(
            body.contains(&format!("name=\"project-{}\" value=\"yes\"", p[2])),
            "{body}"
        );
        let (status, _, _, body) = post(
            &app,
            &voter,
            &vote,
            &ballot(area, &[p[0], p[1]], &[("intent", "check")]),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("Your ballot is valid. Nothing has been cast yet."),
            "{body}"
        );
        assert!(
            body.contains("Chosen: 2 projects, €700 of €1,000"),
            "{body}"
        );

        // Casting asks first: unconfirmed, nothing is cast and the choices stay.
        let before = app.snapshot().await;
        let (status, _, _, body) = post(
            &app,
            &voter,
            &vote,
            &ballot(
                area,
                &[p[0], p[1]],
                &[("intent", "cast"), ("code", &codes[0])],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("Tick the box to confirm"), "{body}");
        assert!(
            body.contains(&format!("value=\"{}\"", codes[0])),
            "the code is kept"
        );
        assert_eq!(app.snapshot().await, before);

        // A voter without an account casts with a printed code: the receipt, once, in the answer.
        let (status, location, cache, body) = post(
            &app,
            &voter,
            &vote,
            &ballot(
                area,
                &[p[0], p[1]],
                &[
                    ("intent", "cast"),
                    ("code", &codes[0].to_lowercase()),
                    ("confirmed", "yes"),
                ],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(location.is_empty(), "a receipt is never a redirect");
        assert_eq!(cache, "no-store");
        let receipts = codes_in(&body, "receipt-code");
        assert_eq!(receipts.len(), 1, "{body}");
        let code_receipt = receipts[0].clone();
        assert!(body.contains("cannot be shown again"), "{body}");
        assert!(body.contains(&format!("/budgets/{b}/results")), "{body}");
        // The session holds nothing of it: the next page does not show it.
        let next = text(voter.get(app.url(&vote)).send().await.unwrap()).await;
        assert!(!next.contains(&code_receipt));

        // The code has voted: a second ballot with it is refused, keeping the choices.
        let (status, _, _, body) = post(
            &app,
            &voter,
            &vote,
            &ballot(
                area,
                &[p[3]],
                &[
                    ("intent", "cast"),
                    ("code", &codes[0]),
                    ("confirmed", "yes"),
                ],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("This code has already voted"), "{body}");
        assert!(
            body.contains(&format!(
                "name=\"project-{}\" value=\"yes\" data-cost=\"200\" checked",
                p[3]
            )),
            "{body}"
        );
        // A code that was never printed is refused.
        let (status, _, _, body) = post(
            &app,
            &voter,
            &vote,
            &ballot(
                area,
                &[p[3]],
                &[
                    ("intent", "cast"),
                    ("code", "0000-0000-0000"),
                    ("confirmed", "yes"),
                ],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body.contains("This code is not valid for this area"),
            "{body}"
        );

        // A signed-in citizen must first be found on the census list.
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let page = text(citizen.get(app.url(&vote)).send().await.unwrap()).await;
        assert!(
            page.contains("Check that you are on the census list"),
            "{page}"
        );
        let (status, _, _, body) = post(
            &app,
            &citizen,
            &vote,
            &ballot(area, &[p[1]], &[("intent", "cast"), ("confirmed", "yes")]),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let census = |number: &str, birth: &str| {
            vec![
                ("intent", "census_check".to_string()),
                ("area", area.to_string()),
                ("document_number", number.to_string()),
                ("birth_date", birth.to_string()),
            ]
        };
        let (status, _, _, body) =
            post(&app, &citizen, &vote, &census("KD1234567", "1990-05-18")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("not on this area"), "{body}");
        let (status, location, _, _) =
            post(&app, &citizen, &vote, &census("kd 123 4567", "1990-05-17")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let page = text(citizen.get(app.url(&location)).send().await.unwrap()).await;
        assert!(page.contains("You are on the census list"), "{page}");
        assert!(page.contains("You may vote in this area."), "{page}");
        let (status, _, _, body) = post(
            &app,
            &citizen,
            &vote,
            &ballot(
                area,
                &[p[1], p[2]],
                &[("intent", "cast"), ("confirmed", "yes")],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let citizen_receipt = codes_in(&body, "receipt-code").remove(0);
        // Once is all.
        let (status, _, _, body) = post(
            &app,
            &citizen,
            &vote,
            &ballot(area, &[p[3]], &[("intent", "cast"), ("confirmed", "yes")]),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body.contains("You have already voted in this area"),
            "{body}"
        );
        let page = text(citizen.get(app.url(&vote)).send().await.unwrap()).await;
        assert!(
            page.contains("You have voted in this area. Thank you."),
            "{page}"
        );

        // Before the results, the page says when they come and publishes no ballot.
        let results = format!("/budgets/{b}/results");
        let page = text(voter.get(app.url(&results)).send().await.unwrap()).await;
        assert!(
            page.contains("Results are published when voting closes."),
            "{page}"
        );

        // After: each voter finds their ballot, exactly as cast, by the receipt they were shown.
        publish_results(&app, b).await;
        let page = text(voter.get(app.url(&results)).send().await.unwrap()).await;
        assert!(page.contains("Ballots cast: 2"), "{page}");
        assert!(page.contains("Funded projects"), "{page}");
        assert!(
            page.contains(&format!("/api/v1/budgets/{b}/areas/{area}.pb")),
            "{page}"
        );
        for (receipt, chosen) in [
            (&code_receipt, [TITLES[0], TITLES[1]]),
            (&citizen_receipt, [TITLES[1], TITLES[2]]),
        ] {
            let url = format!(
                "{results}?receipt={}",
                receipt.to_lowercase().replace('-', " ")
            );
            let page = text(voter.get(app.url(&url)).send().await.unwrap()).await;
            let found = page
                .split("class=\"receipt-found\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{receipt} not found: {page}"));
            let found = &found[..found.find("</div>").unwrap()];
            for title in chosen {
                assert!(
                    found.contains(title),
                    "{title} missing for {receipt}: {found}"
                );
            }
            assert!(found.contains("exactly as cast"), "{found}");
        }
        let page = text(
            voter
                .get(app.url(&format!(
                    "{results}?receipt=ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ"
                )))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.contains("No published ballot has this receipt"),
            "{page}"
        );
    }
);
