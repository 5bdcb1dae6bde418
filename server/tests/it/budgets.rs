//! Participatory budgets in the store, on SQLite and PostgreSQL: a budget from proposals to a
//! verified count, eligibility (census checks and one-time codes), ballot secrecy in the schema and
//! the rows, and two ballots racing with one code.

use crate::on_both;
use crate::support::{Backend, TestApp};
use app::domain::budget::{
    AreaRules, BallotKind, BudgetPhase, Category, CountingRule, InfeasibleReason, ProjectStatus,
    StaffRole, TieBreak, census_entry, normalize_code, receipt_hash,
};
use app::domain::localized::Localized;
use app::domain::process::Level;
use app::domain::roles::PersonalRole;
use app::error::AppError;
use app::i18n::Msg;
use app::ids::{PersonId, ProcessId};
use app::model::*;
use app::ssr::store::{Ballots, Budgets, Decisions, People, Processes};
use server::store::SqlStore;
use sqlx::Row;

/// Every write in these stories happens at this instant: the clock is fixed, so nothing but
/// the order of the calls differs between two runs.
const NOW: i64 = 1_780_000_000_000;

struct Fixture {
    app: TestApp,
    store: SqlStore,
    admin: PersonId,
    mediator: PersonId,
    reviewer: PersonId,
    officer: PersonId,
    citizens: Vec<PersonId>,
    process: ProcessId,
}

fn text(en: &str, zh: &str) -> Localized {
    let mut text = Localized::one("en", en);
    text.0.insert("zh-Hans".into(), zh.into());
    text
}

fn me(person: PersonId) -> Actor {
    Actor {
        person,
        acting_for: None,
    }
}

/// A fresh database (no demo) with an administrator, a process, its mediator, a reviewer, an
/// officer and five citizens.
async fn fixture(backend: Backend) -> Fixture {
    let app = TestApp::start_with(backend, false).await;
    let store = SqlStore::new(&app.running.as_ref().unwrap().db);
    let mut ids = Vec::new();
    for (i, name) in [
        "admin", "mediator", "reviewer", "officer", "c1", "c2", "c3", "c4", "c5",
    ]
    .iter()
    .enumerate()
    {
        let id = store
            .create_person(
                NewPerson {
                    email: format!("{name}@budget.test"),
                    display_name: format!("Person {name}"),
                    password_hash: "not a hash".into(),
                    language: "en".into(),
                    site_admin: i == 0,
                },
                NOW,
                None,
            )
            .await
            .unwrap();
        ids.push(id);
    }
    let admin = ids[0];
    let process = store
        .create_process(
            me(admin),
            ProcessFields {
                title: text("Kalden test budget", "卡尔登测试预算"),
                summary: text("A budget", "一项预算"),
                level: Level::Local,
                languages: vec!["en".into(), "zh-Hans".into()],
                rules: Localized::default(),
                who_decides: Localized::default(),
                legal_basis: Localized::default(),
                input_outcome: Localized::default(),
                schedule: Vec::new(),
            },
            NOW,
        )
        .await
        .unwrap()
        .unpublished();
    store
        .set_person_role(
            me(admin),
            process,
            ids[1],
            PersonalRole::Mediator,
            true,
            NOW,
        )
        .await
        .unwrap()
        .unpublished();
    Fixture {
        store,
        admin,
        mediator: ids[1],
        reviewer: ids[2],
        officer: ids[3],
        citizens: ids[4..].to_vec(),
        process,
        app,
    }
}

fn city_rules() -> AreaRules {
    AreaRules {
        amount: 1000,
        project_cap: 0,
        ballot: BallotKind::Approval,
        min_projects: 1,
        max_projects: 2,
        rule: CountingRule::Greedy,
        tie_break: TieBreak::LowerCost,
    }
}

fn north_rules() -> AreaRules {
    AreaRules {
        amount: 500,
        project_cap: 400,
        ballot: BallotKind::Knapsack,
        min_projects: 0,
        max_projects: 5,
        rule: CountingRule::EqualShares,
        tie_break: TieBreak::EarlierProposal,
    }
}

fn proposal(area: i64, title: &str, cost: i64) -> NewProject {
    NewProject {
        area_id: area,
        title: text(title, title),
        description: text("Why it matters.", "为什么重要。"),
        place: Localized::one("en", "Market square"),
        category: Category::GreenSpaces,
        estimated_cost: cost,
        image_alt: String::new(),
        paper: None,
    }
}

/// A budget in the voting phase: the city (approval, greedy, census and codes) with projects
/// costing 300, 400 and 500, and the north (knapsack, equal shares, codes only) with 200 and
/// 300; a paper proposal found not feasible. Returns (budget, city, north, city projects, north
/// projects).
struct Voting {
    budget: i64,
    city: i64,
    north: i64,
    city_projects: Vec<i64>,
    north_projects: Vec<i64>,
}

async fn voting_budget(fx: &Fixture) -> Voting {
    let store = &fx.store;
    let budget = store
        .create_budget(
            me(fx.mediator),
            fx.process,
            NewBudget {
                title: text("Neighbourhood budget", "社区预算"),
                description: text("What we fund together.", "我们共同资助的项目。"),
                currency: "EUR".into(),
                areas: vec![
                    NewArea {
                        name: text("City", "全市"),
                        rules: city_rules(),
                        census: true,
                        codes: true,
                    },
                    NewArea {
                        name: text("North", "北区"),
                        rules: north_rules(),
                        census: false,
                        codes: true,
                    },
                ],
            },
            NOW,
        )
        .await
        .unwrap();
    let areas = store.budget(budget).await.unwrap().unwrap().areas;
    let (city, north) = (areas[0].id, areas[1].id);
    for (email, role) in [
        ("reviewer@budget.test", StaffRole::Reviewer),
        ("officer@budget.test", StaffRole::Officer),
    ] {
        store
            .set_budget_staff(fx.mediator, budget, email, role, true, NOW)
            .await
            .unwrap();
    }
    let citizen = fx.citizens[0];
    let mut city_projects = Vec::new();
    for (title, cost) in [("Trees", 300), ("Benches", 400), ("Library", 500)] {
        city_projects.push(
            store
                .propose_project(citizen, budget, proposal(city, title, cost), NOW)
                .await
                .unwrap(),
        );
    }
    let mut north_projects = Vec::new();
    for (title, cost) in [("Playground", 200), ("Bike lane", 300)] {
        north_projects.push(
            store
                .propose_project(citizen, budget, proposal(north, title, cost), NOW)
                .await
                .unwrap(),
        );
    }
    let paper = store
        .propose_project(
            fx.officer,
            budget,
            NewProject {
                paper: Some(NewPaperOrigin {
                    proposer_name: "Mrs Wen".into(),
                    meeting: "Market hall, 3 March".into(),
                }),
                ..proposal(city, "A new bridge", 900)
            },
            NOW,
        )
        .await
        .unwrap();
    store
        .advance_budget(fx.mediator, budget, BudgetPhase::Proposals, NOW)
        .await
        .unwrap();
    for project in city_projects.iter().chain(&north_projects) {
        let cost = store
            .budget_project(*project)
            .await
            .unwrap()
            .unwrap()
            .estimated_cost;
        store
            .review_project(
                fx.reviewer,
                *project,
                ReviewFinding::Feasible {
                    cost,
                    explanation: Localized::one("en", "Costed by the works department."),
                },
                NOW,
            )
            .await
            .unwrap();
    }
    // The paper proposal is still unreviewed: voting cannot open.
    let refused = store
        .advance_budget(fx.mediator, budget, BudgetPhase::Review, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        AppError::Invalid(vec![app::error::FieldError::new(
            "projects",
            Msg::BudgetErrorUnreviewed { count: "1".into() }
        )])
    );
    store
        .review_project(
            fx.reviewer,
            paper,
            ReviewFinding::NotFeasible {
                reason: InfeasibleReason::OutsideCompetence,
                explanation: Localized::one("en", "Bridges over the river are the province's."),
            },
            NOW,
        )
        .await
        .unwrap();
    store
        .advance_budget(fx.mediator, budget, BudgetPhase::Review, NOW)
        .await
        .unwrap();
    Voting {
        budget,
        city,
        north,
        city_projects,
        north_projects,
    }
}

/// The text of every row of every table, as one string (the test's "database dump").
async fn dump(app: &TestApp) -> String {
    let mut out = app.snapshot().await;
    for table in [
        "budgets",
        "budget_areas",
        "budget_staff",
        "budget_projects",
        "budget_census",
        "budget_codes",
        "budget_voters",
        "budget_ballots",
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(app.pool())
            .await
            .unwrap();
        for row in rows {
            for i in 0..row.len() {
                let cell = row
                    .try_get::<Option<String>, _>(i)
                    .map(|v| v.unwrap_or_default())
                    .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                    .unwrap_or_default();
                out.push_str(&cell);
                out.push('|');
            }
            out.push('\n');
        }
    }
    out
}

/// The column names of a table.
async fn columns(app: &TestApp, backend: Backend, table: &str) -> Vec<String> {
    let mut names: Vec<String> = match backend {
        Backend::Sqlite => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(app.pool())
        .await
        .unwrap(),
        Backend::Postgres => sqlx::query_scalar(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_name = $1",
        )
        .bind(table)
        .fetch_all(app.pool())
        .await
        .unwrap(),
    };
    names.sort();
    names
}

on_both!(
    a_budget_runs_from_proposals_to_a_verified_count,
    |backend| async move {
        let fx = fixture(backend).await;
        let store = &fx.store;
        // Only managers open a budget; one per process.
        let citizen = fx.citizens[0];
        let refused = store
            .create_budget(
                me(citizen),
                fx.process,
                NewBudget {
                    title: text("Mine", "我的"),
                    description: Localized::default(),
                    currency: "EUR".into(),
                    areas: vec![],
                },
                NOW,
            )
            .await
            .unwrap_err();
        assert_eq!(refused, AppError::Forbidden(Msg::ErrorNotAllowed));
        let v = voting_budget(&fx).await;
        let again = store
            .create_budget(
                me(fx.admin),
                fx.process,
                NewBudget {
                    title: text("Second", "第二"),
                    description: Localized::default(),
                    currency: "eur".into(),
                    areas: vec![NewArea {
                        name: text("City", "全市"),
                        rules: city_rules(),
                        census: true,
                        codes: true,
                    }],
                },
                NOW,
            )
            .await
            .unwrap_err();
        let AppError::Invalid(errors) = again else {
            panic!("{again:?}")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["currency", "process"]);

        // The rules are frozen once voting opens; a stale click changes nothing.
        let frozen = store
            .save_area(
                fx.mediator,
                v.budget,
                Some(v.city),
                NewArea {
                    name: text("City", "全市"),
                    rules: AreaRules {
                        rule: CountingRule::EqualShares,
                        ..city_rules()
                    },
                    census: true,
                    codes: true,
                },
                NOW,
            )
            .await
            .unwrap_err();
        assert_eq!(frozen, AppError::Forbidden(Msg::ErrorNotAllowedInPhase));
        let stale = store
            .advance_budget(fx.mediator, v.budget, BudgetPhase::Review, NOW)
            .await
            .unwrap_err();
        assert_eq!(stale, AppError::Conflict(Msg::BudgetErrorPhaseMoved));
        assert_eq!(
            store
                .advance_budget(fx.reviewer, v.budget, BudgetPhase::Voting, NOW)
                .await
                .unwrap_err(),
            AppError::Forbidden(Msg::ErrorNotAllowed)
        );

        // Trees 3 votes, Benches 2, Library 1: greedy funds Trees and Benches (700 of 1000).
        let [trees, benches, library] = v.city_projects[..] else {
            panic!()
        };
        let codes = store
            .issue_codes(fx.mediator, v.city, 3, NOW)
            .await
            .unwrap();
        let mut receipts = Vec::new();
        for (code, ballot) in codes.iter().zip([
            vec![trees, benches],
            vec![trees, library],
            vec![benches, trees],
        ]) {
            receipts.push((
                store
                    .cast_ballot(Voter::Code(code.clone()), v.city, ballot.clone(), NOW)
                    .await
                    .unwrap(),
                ballot,
            ));
        }
        let north_codes = store
            .issue_codes(fx.mediator, v.north, 2, NOW)
            .await
            .unwrap();
        for code in &north_codes {
            store
                .cast_ballot(
                    Voter::Code(code.clone()),
                    v.north,
                    v.north_projects.clone(),
                    NOW,
                )
                .await
                .unwrap();
        }
        // Ballots stay secret while voting lasts.
        assert!(store.published_ballots(v.city).await.unwrap().is_empty());

        store
            .advance_budget(fx.mediator, v.budget, BudgetPhase::Voting, NOW)
            .await
            .unwrap();
        let budget = store.budget(v.budget).await.unwrap().unwrap();
        assert_eq!(budget.phase, BudgetPhase::Results);
        assert_eq!(budget.counted_at, Some(NOW));
        let city = budget.area(v.city).unwrap().result.clone().unwrap();
        assert_eq!(city.winners, vec![trees, benches]);
        assert_eq!(city.spent, 700);
        assert_eq!(city.leftover, 300);
        assert_eq!(city.ballots, 3);
        let votes: std::collections::BTreeMap<i64, i64> = city.votes.iter().copied().collect();
        assert_eq!(votes[&trees], 3);
        assert_eq!(votes[&benches], 2);
        assert_eq!(votes[&library], 1);
        let north = budget.area(v.north).unwrap().result.clone().unwrap();
        assert_eq!(north.winners.len(), 2, "both fit the north's 500");
        let statuses: Vec<ProjectStatus> = store
            .budget_projects(v.budget)
            .await
            .unwrap()
            .iter()
            .filter(|p| v.city_projects.contains(&p.id))
            .map(|p| p.status)
            .collect();
        assert_eq!(
            statuses,
            [
                ProjectStatus::Selected,
                ProjectStatus::Selected,
                ProjectStatus::NotSelected
            ]
        );

        // Each voter finds their ballot, exactly as cast, by the hash of their receipt.
        let published = store.published_ballots(v.city).await.unwrap();
        assert_eq!(published.len(), 3);
        let ids: Vec<&String> = published.iter().map(|b| &b.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "published in key order");
        for (receipt, mut ballot) in receipts {
            ballot.sort();
            let hash = receipt_hash(&receipt).unwrap();
            let mine = published.iter().find(|b| b.receipt_hash == hash).unwrap();
            assert_eq!(mine.projects, ballot);
        }

        // The record holds the count with a fingerprint of the published ballots, and verifies.
        let record = store.record(0, 1000).await.unwrap();
        let results = record
            .iter()
            .find(|e| e.event["kind"] == "budget_results")
            .expect("results in the record");
        let area = results.event["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["area"] == v.city)
            .unwrap();
        assert_eq!(area["winners"], serde_json::json!([trees, benches]));
        assert_eq!(area["ballots"], 3);
        assert_eq!(
            area["ballots_sha256"],
            app::domain::record::digest(&serde_json::to_value(&published).unwrap())
        );
        assert!(record.iter().any(|e| e.event["kind"] == "project_reviewed"
            && e.event["finding"] == "not_feasible"
            && e.event["reason"] == "outside_competence"));
        assert!(server::audit::verify_record(store).await.unwrap().is_ok());

        // Implementation: the officer reports on a winner, not on a loser.
        store
            .advance_budget(fx.mediator, v.budget, BudgetPhase::Results, NOW)
            .await
            .unwrap();
        let update = || NewFollowUp {
            status: app::domain::decision::FollowUpStatus::InProgress,
            progress: 40,
            on: app::domain::process::Day::parse("2026-06-01").unwrap(),
            note: "Planting started.".into(),
            review_on: None,
        };
        store
            .post_project_update(fx.officer, trees, update(), NOW)
            .await
            .unwrap();
        assert_eq!(
            store
                .post_project_update(fx.officer, library, update(), NOW)
                .await
                .unwrap_err(),
            AppError::Conflict(Msg::BudgetErrorNotSelected)
        );
        assert_eq!(
            store
                .budget_project(trees)
                .await
                .unwrap()
                .unwrap()
                .updates
                .len(),
            1
        );
    }
);

on_both!(
    codes_and_census_checks_admit_each_voter_once,
    |backend| async move {
        let fx = fixture(backend).await;
        let store = &fx.store;
        let v = voting_budget(&fx).await;
        let [c1, c2, c3, c4, _] = fx.citizens[..] else {
            panic!()
        };
        let ballot = vec![v.city_projects[0]];

        // Codes: the manager prints them, within the limits.
        for count in [0, 5001] {
            assert!(matches!(
                store.issue_codes(fx.mediator, v.city, count, NOW).await,
                Err(AppError::Invalid(_))
            ));
        }
        assert_eq!(
            store.issue_codes(c1, v.city, 1, NOW).await.unwrap_err(),
            AppError::Forbidden(Msg::ErrorNotAllowed)
        );
        let city_codes = store
            .issue_codes(fx.mediator, v.city, 2, NOW)
            .await
            .unwrap();
        let north_codes = store
            .issue_codes(fx.mediator, v.north, 1, NOW)
            .await
            .unwrap();
        assert_eq!(
            store.code_counts(v.budget).await.unwrap(),
            vec![(v.city, 2, 0), (v.north, 1, 0)]
        );
        // A code works once, only in its own area; a typo is told apart from a wrong code.
        let cast = |voter: Voter, area: i64, projects: Vec<i64>| {
            let store = store.clone();
            async move { store.cast_ballot(voter, area, projects, NOW).await }
        };
        let code = city_codes[0].to_lowercase().replace('-', " ");
        cast(Voter::Code(code.clone()), v.city, ballot.clone())
            .await
            .unwrap();
        assert_eq!(
            cast(Voter::Code(code), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::invalid("code", Msg::BallotErrorCodeUsed)
        );
        assert_eq!(
            cast(Voter::Code(north_codes[0].clone()), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::invalid("code", Msg::BallotErrorCodeInvalid)
        );
        assert_eq!(
            cast(Voter::Code("ABCD-EFGH-JKMN".into()), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::invalid("code", Msg::BallotErrorCodeInvalid)
        );
        assert_eq!(
            cast(Voter::Code("ABCD".into()), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::invalid("code", Msg::BallotErrorCodeMalformed)
        );
        // A refused ballot uses no code: the rules, then only this area's feasible projects.
        assert_eq!(
            cast(
                Voter::Code(city_codes[1].clone()),
                v.city,
                v.city_projects.clone()
            )
            .await
            .unwrap_err(),
            AppError::invalid("projects", Msg::BallotErrorTooMany { max: "2".into() })
        );
        assert_eq!(
            cast(
                Voter::Code(city_codes[1].clone()),
                v.city,
                vec![v.north_projects[0]]
            )
            .await
            .unwrap_err(),
            AppError::invalid("projects", Msg::BallotErrorNotOnBallot)
        );
        assert_eq!(
            store.code_counts(v.budget).await.unwrap(),
            vec![(v.city, 2, 1), (v.north, 1, 0)]
        );

        // The census: only keyed hashes are stored; an entry belongs to one account.
        let entry = |n: &str| census_entry(n, "1980-02-29").unwrap();
        assert_eq!(
            store
                .upload_census(
                    fx.mediator,
                    v.city,
                    vec![entry("AB-111"), entry("AB-222"), entry("AB-333")],
                    NOW
                )
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            store.eligibility(c1, v.city).await.unwrap(),
            Eligibility::NeedsCensusCheck
        );
        assert_eq!(
            store.eligibility(c1, v.north).await.unwrap(),
            Eligibility::CodesOnly
        );
        store
            .claim_census(c1, v.city, &entry("ab 111"))
            .await
            .unwrap();
        assert_eq!(
            store
                .claim_census(c2, v.city, &entry("AB-111"))
                .await
                .unwrap_err(),
            AppError::invalid("identity", Msg::BallotErrorCensusTaken)
        );
        assert_eq!(
            store
                .claim_census(c2, v.city, &entry("ZZ-999"))
                .await
                .unwrap_err(),
            AppError::invalid("identity", Msg::BallotErrorCensusNotListed)
        );
        assert_eq!(
            store
                .claim_census(c1, v.city, &entry("AB-222"))
                .await
                .unwrap_err(),
            AppError::invalid("identity", Msg::BallotErrorCensusOther)
        );
        store
            .claim_census(c2, v.city, &entry("AB-222"))
            .await
            .unwrap();
        // A new list keeps the claims of the entries still on it, and drops the others.
        store
            .upload_census(
                fx.mediator,
                v.city,
                vec![entry("AB-111"), entry("AB-444")],
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(
            store.eligibility(c1, v.city).await.unwrap(),
            Eligibility::Eligible
        );
        assert_eq!(
            store.eligibility(c2, v.city).await.unwrap(),
            Eligibility::NeedsCensusCheck
        );

        // A checked account votes once per area; others are told why not.
        let receipt = cast(Voter::Person(c1), v.city, ballot.clone())
            .await
            .unwrap();
        assert_eq!(
            store.eligibility(c1, v.city).await.unwrap(),
            Eligibility::Voted
        );
        assert_eq!(
            cast(Voter::Person(c1), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::Conflict(Msg::BallotErrorAlreadyVoted)
        );
        assert_eq!(
            cast(Voter::Person(c3), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::Forbidden(Msg::BallotErrorNeedsCensus)
        );
        assert_eq!(
            cast(Voter::Person(c4), v.north, vec![v.north_projects[0]])
                .await
                .unwrap_err(),
            AppError::Forbidden(Msg::BallotErrorCodesOnly)
        );

        // Nothing typed or handed out is stored in clear anywhere in the database.
        let dump = dump(&fx.app).await;
        for secret in city_codes.iter().chain(&north_codes) {
            assert!(!dump.contains(secret.as_str()), "code {secret} in clear");
            let plain = normalize_code(secret).unwrap();
            assert!(!dump.contains(&plain), "code {plain} in clear");
        }
        for secret in ["AB111", "AB-111", "AB222", "1980-02-29", &receipt] {
            assert!(!dump.contains(secret), "{secret} in clear");
        }
        assert!(!dump.contains(&receipt.replace('-', "")));

        // Voting closed: nobody votes, nobody prints codes, nobody claims.
        store
            .advance_budget(fx.mediator, v.budget, BudgetPhase::Voting, NOW)
            .await
            .unwrap();
        assert_eq!(
            cast(Voter::Code(city_codes[1].clone()), v.city, ballot.clone())
                .await
                .unwrap_err(),
            AppError::Forbidden(Msg::BallotErrorClosed)
        );
        assert_eq!(
            store
                .issue_codes(fx.mediator, v.city, 1, NOW)
                .await
                .unwrap_err(),
            AppError::Forbidden(Msg::ErrorNotAllowedInPhase)
        );
        assert_eq!(
            store
                .claim_census(c3, v.city, &entry("AB-444"))
                .await
                .unwrap_err(),
            AppError::Forbidden(Msg::BallotErrorClosed)
        );
    }
);

/// Casts, in this order, one ballot per voter (a census-checked account or a code), after the
/// same setup, and returns the app with the receipts in casting order.
async fn cast_in_order(backend: Backend, reversed: bool) -> (Fixture, Voting, Vec<String>) {
    let fx = fixture(backend).await;
    let v = voting_budget(&fx).await;
    let store = &fx.store;
    let [a, b, ..] = fx.citizens[..] else {
        panic!()
    };
    let entries = vec![
        census_entry("A-1", "1970-01-01").unwrap(),
        census_entry("B-2", "1970-01-01").unwrap(),
    ];
    store
        .upload_census(fx.mediator, v.city, entries.clone(), NOW)
        .await
        .unwrap();
    store.claim_census(a, v.city, &entries[0]).await.unwrap();
    store.claim_census(b, v.city, &entries[1]).await.unwrap();
    let codes = store
        .issue_codes(fx.mediator, v.city, 20, NOW)
        .await
        .unwrap();
    let mut voters: Vec<(Voter, Vec<i64>)> = vec![
        (Voter::Person(a), vec![v.city_projects[0]]),
        (
            Voter::Person(b),
            vec![v.city_projects[1], v.city_projects[2]],
        ),
    ];
    for (i, code) in codes.iter().enumerate() {
        voters.push((Voter::Code(code.clone()), vec![v.city_projects[i % 3]]));
    }
    if reversed {
        voters.reverse();
    }
    let mut receipts = Vec::new();
    for (voter, projects) in voters {
        receipts.push(
            store
                .cast_ballot(voter, v.city, projects, NOW)
                .await
                .unwrap(),
        );
    }
    (fx, v, receipts)
}

on_both!(no_query_links_a_voter_to_a_ballot, |backend| async move {
    // The schema: the two halves share only the area, and neither has a time.
    let (fx, v, receipts) = cast_in_order(backend, false).await;
    let ballots = columns(&fx.app, backend, "budget_ballots").await;
    let voters = columns(&fx.app, backend, "budget_voters").await;
    assert_eq!(ballots, ["area_id", "id", "projects", "receipt_hash"]);
    assert_eq!(voters, ["area_id", "person_id"]);
    let codes = columns(&fx.app, backend, "budget_codes").await;
    assert_eq!(codes, ["area_id", "batch", "code_hash", "used"]);

    // The rows: random keys, in no relation to the order of casting.
    // `SELECT *` with no ORDER BY: the table's own order.
    let rows: Vec<(String, String)> = sqlx::query("SELECT * FROM budget_ballots")
        .fetch_all(fx.app.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get("id"), row.get("receipt_hash")))
        .collect();
    assert_eq!(rows.len(), 22);
    assert!(
        rows.iter()
            .all(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    let by_receipt: std::collections::HashMap<&str, &str> = rows
        .iter()
        .map(|(id, hash)| (hash.as_str(), id.as_str()))
        .collect();
    let cast_order: Vec<&str> = receipts
        .iter()
        .map(|r| by_receipt[receipt_hash(r).unwrap().as_str()])
        .collect();
    let mut key_order = cast_order.clone();
    key_order.sort();
    assert_ne!(cast_order, key_order, "keys follow the casting order");
    if backend == Backend::Sqlite {
        // Stored in key order (WITHOUT ROWID): even the table's own order says nothing.
        let stored: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(stored, key_order);
    }
    // Casting votes writes nothing to the activity log or the record.
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM process_events")
        .fetch_one(fx.app.pool())
        .await
        .unwrap();
    let (fx2, _, _) = cast_in_order(backend, true).await;
    let events2: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM process_events")
        .fetch_one(fx2.app.pool())
        .await
        .unwrap();
    assert_eq!(events, events2);

    // Two databases, the same voters in opposite orders at the same instant: what is
    // stored cannot be told apart (only the random keys and receipts differ).
    async fn halves(app: &TestApp) -> (Vec<(i64, String)>, Vec<(i64, i64)>, Vec<(i64, i64)>, i64) {
        let mut ballots: Vec<(i64, String)> =
            sqlx::query_as("SELECT area_id, projects FROM budget_ballots")
                .fetch_all(app.pool())
                .await
                .unwrap();
        ballots.sort();
        let voters: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT area_id, person_id FROM budget_voters ORDER BY area_id, person_id",
        )
        .fetch_all(app.pool())
        .await
        .unwrap();
        let codes: Vec<(i64, i64)> =
            sqlx::query_as("SELECT batch, used FROM budget_codes ORDER BY batch, used")
                .fetch_all(app.pool())
                .await
                .unwrap();
        let record: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM public_record")
            .fetch_one(app.pool())
            .await
            .unwrap();
        (ballots, voters, codes, record)
    }
    assert_eq!(halves(&fx.app).await, halves(&fx2.app).await);

    // PostgreSQL keeps, in every row, the transaction that wrote it: while voting lasts, a
    // voter's mark and their ballot share it. Closing the vote rewrites both tables, so that
    // afterwards they share nothing but the count's transaction, and lie in key order.
    let linked = "SELECT COUNT(*) FROM budget_voters v JOIN budget_ballots b \
                  ON CAST(v.xmin AS TEXT) = CAST(b.xmin AS TEXT)";
    if backend == Backend::Postgres {
        let pairs: i64 = sqlx::query_scalar(linked)
            .fetch_one(fx.app.pool())
            .await
            .unwrap();
        assert_eq!(pairs, 2, "what the count erases: one ballot per voter");
    }
    fx.store
        .advance_budget(fx.mediator, v.budget, BudgetPhase::Voting, NOW)
        .await
        .unwrap();
    if backend == Backend::Postgres {
        let writers: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT CAST(xmin AS TEXT)) FROM \
             (SELECT xmin FROM budget_ballots UNION ALL SELECT xmin FROM budget_voters \
              UNION ALL SELECT xmin FROM budget_codes) AS written",
        )
        .fetch_one(fx.app.pool())
        .await
        .unwrap();
        assert_eq!(writers, 1, "every row rewritten by the count");
    }
    let stored: Vec<String> = sqlx::query("SELECT * FROM budget_ballots")
        .fetch_all(fx.app.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("id"))
        .collect();
    let mut sorted = stored.clone();
    sorted.sort();
    assert_eq!(stored, sorted, "the table's own order is the key order");
    let published = fx.store.published_ballots(v.city).await.unwrap();
    assert_eq!(published.len(), 22, "nothing lost in the rewrite");
    assert!(
        server::audit::verify_record(&fx.store)
            .await
            .unwrap()
            .is_ok()
    );
});

on_both!(
    one_code_cast_twice_at_once_counts_once,
    |backend| async move {
        let fx = fixture(backend).await;
        let v = voting_budget(&fx).await;
        let store = &fx.store;
        let code = store
            .issue_codes(fx.mediator, v.city, 1, NOW)
            .await
            .unwrap()
            .remove(0);
        let (one, two) = tokio::join!(
            store.cast_ballot(
                Voter::Code(code.clone()),
                v.city,
                vec![v.city_projects[0]],
                NOW
            ),
            store.cast_ballot(
                Voter::Code(code.clone()),
                v.city,
                vec![v.city_projects[1]],
                NOW
            ),
        );
        let outcomes = [one, two];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|r| r == &Err(AppError::invalid("code", Msg::BallotErrorCodeUsed)))
        );
        // And one account voting twice at once.
        let c1 = fx.citizens[0];
        let entry = census_entry("Q-1", "1990-05-05").unwrap();
        store
            .upload_census(fx.mediator, v.city, vec![entry.clone()], NOW)
            .await
            .unwrap();
        store.claim_census(c1, v.city, &entry).await.unwrap();
        let (one, two) = tokio::join!(
            store.cast_ballot(Voter::Person(c1), v.city, vec![v.city_projects[0]], NOW),
            store.cast_ballot(Voter::Person(c1), v.city, vec![v.city_projects[1]], NOW),
        );
        let outcomes = [one, two];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|r| r == &Err(AppError::Conflict(Msg::BallotErrorAlreadyVoted)))
        );
        let ballots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM budget_ballots")
            .fetch_one(fx.app.pool())
            .await
            .unwrap();
        assert_eq!(ballots, 2);
    }
);

on_both!(proposals_and_reviews_are_checked, |backend| async move {
    let fx = fixture(backend).await;
    let store = &fx.store;
    let v = voting_budget(&fx).await;
    let _ = v;
    // A second budget elsewhere, still in its proposals phase.
    let process = store
        .create_process(
            me(fx.admin),
            ProcessFields {
                title: text("Youth budget", "青年预算"),
                summary: text("Young people decide", "年轻人决定"),
                level: Level::Local,
                languages: vec!["en".into()],
                rules: Localized::default(),
                who_decides: Localized::default(),
                legal_basis: Localized::default(),
                input_outcome: Localized::default(),
                schedule: Vec::new(),
            },
            NOW,
        )
        .await
        .unwrap()
        .unpublished();
    // The site administrator manages every budget.
    let budget = store
        .create_budget(
            me(fx.admin),
            process,
            NewBudget {
                title: text("Youth", "青年"),
                description: Localized::default(),
                currency: "CNY".into(),
                areas: vec![NewArea {
                    name: text("All", "全部"),
                    rules: north_rules(),
                    census: true,
                    codes: false,
                }],
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store.budget_of_process(process).await.unwrap(),
        Some(budget)
    );
    let area = store.budget(budget).await.unwrap().unwrap().areas[0].id;
    let citizen = fx.citizens[1];
    let bad = store
        .propose_project(
            citizen,
            budget,
            NewProject {
                title: Localized::default(),
                place: Localized::one("en", &"x".repeat(201)),
                ..proposal(area, "", 401)
            },
            NOW,
        )
        .await
        .unwrap_err();
    let AppError::Invalid(errors) = bad else {
        panic!("{bad:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["title", "place", "estimated_cost"]);
    // Another budget's area is not this one's.
    assert_eq!(
        store
            .propose_project(citizen, budget, proposal(v.city, "Here", 10), NOW)
            .await
            .unwrap_err(),
        AppError::invalid("area", Msg::BudgetErrorWrongArea)
    );
    // Paper proposals: officers only, with the proposer and the meeting.
    let paper = NewProject {
        paper: Some(NewPaperOrigin {
            proposer_name: "Mr Li".into(),
            meeting: String::new(),
        }),
        ..proposal(area, "Skate park", 300)
    };
    assert_eq!(
        store
            .propose_project(citizen, budget, paper.clone(), NOW)
            .await
            .unwrap_err(),
        AppError::Forbidden(Msg::ErrorNotAllowed)
    );
    store
        .set_budget_staff(
            fx.admin,
            budget,
            "OFFICER@budget.test",
            StaffRole::Officer,
            true,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .propose_project(fx.officer, budget, paper, NOW)
            .await
            .unwrap_err(),
        AppError::invalid("meeting", Msg::ErrorRequired)
    );
    let skate = store
        .propose_project(citizen, budget, proposal(area, "Skate park", 300), NOW)
        .await
        .unwrap();
    let ramp = store
        .propose_project(citizen, budget, proposal(area, "Skate ramp", 100), NOW)
        .await
        .unwrap();
    let project = store.budget_project(skate).await.unwrap().unwrap();
    assert_eq!(project.proposer_id, Some(citizen));
    assert_eq!(project.status, ProjectStatus::Proposed);
    // Reviews happen in the review phase, by reviewers, with reasons.
    let finding = ReviewFinding::Feasible {
        cost: 350,
        explanation: Localized::default(),
    };
    assert_eq!(
        store
            .review_project(fx.reviewer, skate, finding.clone(), NOW)
            .await
            .unwrap_err(),
        AppError::Forbidden(Msg::ErrorNotAllowed)
    );
    store
        .set_budget_staff(
            fx.admin,
            budget,
            "reviewer@budget.test",
            StaffRole::Reviewer,
            true,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .review_project(fx.reviewer, skate, finding.clone(), NOW)
            .await
            .unwrap_err(),
        AppError::Forbidden(Msg::ErrorNotAllowedInPhase)
    );
    store
        .advance_budget(fx.admin, budget, BudgetPhase::Proposals, NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .review_project(
                fx.reviewer,
                skate,
                ReviewFinding::Feasible {
                    cost: 401,
                    explanation: Localized::default()
                },
                NOW
            )
            .await
            .unwrap_err(),
        AppError::invalid("cost", Msg::BudgetErrorCost { cap: "400".into() })
    );
    assert_eq!(
        store
            .review_project(
                fx.reviewer,
                skate,
                ReviewFinding::NotFeasible {
                    reason: InfeasibleReason::Unlawful,
                    explanation: Localized::one("en", "  ")
                },
                NOW
            )
            .await
            .unwrap_err(),
        AppError::invalid("explanation", Msg::BudgetErrorExplanationRequired)
    );
    store
        .review_project(fx.reviewer, skate, finding, NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .review_project(
                fx.reviewer,
                ramp,
                ReviewFinding::MergedInto {
                    project: ramp,
                    explanation: Localized::one("en", "Same")
                },
                NOW
            )
            .await
            .unwrap_err(),
        AppError::invalid("merge_into", Msg::BudgetErrorMergeTarget)
    );
    store
        .review_project(
            fx.reviewer,
            ramp,
            ReviewFinding::MergedInto {
                project: skate,
                explanation: Localized::one("en", "The ramp is part of the skate park."),
            },
            NOW,
        )
        .await
        .unwrap();
    let ramp = store.budget_project(ramp).await.unwrap().unwrap();
    assert_eq!(ramp.status, ProjectStatus::Merged);
    assert_eq!(ramp.merged_into, Some(skate));
    let skate = store.budget_project(skate).await.unwrap().unwrap();
    assert_eq!(skate.cost(), 350);
    assert_eq!(skate.review.unwrap().by, "Person reviewer");
    // Staff are listed; the activity log tells the story without any vote.
    let staff = store.budget_staff(budget).await.unwrap();
    assert_eq!(staff.len(), 2);
    let events = store.events(process, 100).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::BudgetCreated { .. }))
    );
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::ProjectReviewed {
            status: ProjectStatus::Merged,
            ..
        }
    )));
    let listed = store.budgets().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .any(|b| b.id == budget && b.total == 500 && b.projects == 2)
    );
    assert_eq!(
        store
            .budget_standing(Some(fx.reviewer), budget)
            .await
            .unwrap()
            .staff,
        vec![StaffRole::Reviewer]
    );
    assert!(!store.budget_standing(None, budget).await.unwrap().signed_in);
});
