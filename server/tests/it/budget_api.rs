//! The budgets' open data, read from the demo: the Kalden neighbourhood budget (counted), the
//! youth budget (taking proposals) and the digital inclusion fund (voting).

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The demo budget in a phase, as the list publishes it.
async fn budget_in(app: &TestApp, phase: &str) -> Value {
    let list = app.json("/api/v1/budgets").await;
    let id = list["budgets"]
        .as_array()
        .expect("budgets")
        .iter()
        .find(|b| b["phase"] == phase)
        .and_then(|b| b["id"].as_i64())
        .unwrap_or_else(|| panic!("no demo budget in {phase}"));
    app.json(&format!("/api/v1/budgets/{id}")).await
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = TestApp::client().get(app.url(path)).send().await.unwrap();
    let status = response.status();
    (status, text(response).await)
}

/// A pabulib file as sections: META's keys, and PROJECTS' and VOTES' rows by column name.
struct Pabulib {
    meta: BTreeMap<String, String>,
    projects: Vec<BTreeMap<String, String>>,
    votes: Vec<BTreeMap<String, String>>,
}

/// Reads a pabulib file as the reference tools do: sections introduced by a line `META`,
/// `PROJECTS` or `VOTES`, each then a header line and `;`-separated rows.
fn parse_pabulib(file: &str) -> Pabulib {
    let mut sections: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut current = None;
    for line in file.lines().filter(|l| !l.trim().is_empty()) {
        if matches!(line.trim(), "META" | "PROJECTS" | "VOTES") {
            current = Some(line.trim().to_string());
            sections.insert(line.trim().to_string(), Vec::new());
            continue;
        }
        let section = current.clone().expect("a line before any section");
        sections
            .get_mut(&section)
            .unwrap()
            .push(line.split(';').map(|f| f.trim().to_string()).collect());
    }
    let rows = |name: &str| -> Vec<BTreeMap<String, String>> {
        let lines = sections
            .get(name)
            .unwrap_or_else(|| panic!("no {name} section"));
        let header = &lines[0];
        lines[1..]
            .iter()
            .map(|row| {
                assert_eq!(row.len(), header.len(), "{name} row {row:?}");
                header.iter().cloned().zip(row.iter().cloned()).collect()
            })
            .collect()
    };
    let meta = rows("META")
        .into_iter()
        .map(|row| (row["key"].clone(), row["value"].clone()))
        .collect();
    Pabulib {
        meta,
        projects: rows("PROJECTS"),
        votes: rows("VOTES"),
    }
}

on_both!(
    budgets_are_published_with_their_count,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (status, body) = get(&app, "/api/v1/budgets").await;
        assert_eq!(status, StatusCode::OK);
        let list: Value = serde_json::from_str(&body).unwrap();
        let budgets = list["budgets"].as_array().unwrap();
        assert_eq!(budgets.len(), 3, "{body}");
        for b in budgets {
            for field in [
                "id",
                "url",
                "process_id",
                "title",
                "currency",
                "phase",
                "total",
                "projects",
            ] {
                assert!(!b[field].is_null(), "{field}");
            }
        }

        let budget = budget_in(&app, "results").await;
        assert_eq!(budget["currency"], "EUR");
        assert!(budget["title"]["en"].is_string() && budget["title"]["zh-Hans"].is_string());
        assert!(budget["counted_at"].is_string());
        let areas = budget["areas"].as_array().unwrap();
        assert_eq!(areas.len(), 3);
        assert!(areas.iter().any(|a| a["rule"] == "equal_shares"));
        assert!(areas.iter().any(|a| a["ballot"] == "knapsack"));
        let projects = budget["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 21);
        let total: i64 = areas.iter().map(|a| a["amount"].as_i64().unwrap()).sum();
        assert_eq!(budget["total"], total);

        // Every project as the issue names its fields, in both languages.
        for p in projects {
            for field in [
                "id", "url", "area_id", "cost", "status", "review", "category", "place",
            ] {
                assert!(!p[field].is_null(), "{field} of {p}");
            }
            assert!(p["title"]["en"].is_string() && p["title"]["zh-Hans"].is_string());
            assert!(
                !p["review"]["explanation"]["en"]
                    .as_str()
                    .unwrap()
                    .is_empty()
            );
            let on_ballot = p["status"] == "selected" || p["status"] == "not_selected";
            assert_eq!(
                p["votes"].is_i64(),
                on_ballot,
                "votes only for projects on the ballot: {p}"
            );
        }
        let not_feasible: Vec<&Value> = projects
            .iter()
            .filter(|p| p["status"] == "not_feasible")
            .collect();
        assert_eq!(not_feasible.len(), 4);
        for p in &not_feasible {
            assert_eq!(p["review"]["feasible"], false);
            assert!(p["review"]["reason"].is_string(), "a coded reason: {p}");
            assert!(p["review"]["cost"].is_null());
        }
        let merged: Vec<&Value> = projects
            .iter()
            .filter(|p| p["status"] == "merged")
            .collect();
        assert_eq!(merged.len(), 1);
        let into = merged[0]["merged_into"].as_i64().unwrap();
        assert!(
            projects
                .iter()
                .any(|p| p["id"] == into && p["status"] != "merged")
        );
        assert!(projects.iter().any(|p| p["paper"]["meeting"].is_string()));

        // Each area's result adds up, and a recount of the published ballots gives the same votes.
        let ballots = app
            .json(&format!("/api/v1/budgets/{}/ballots", budget["id"]))
            .await;
        let ballots = ballots["ballots"].as_array().unwrap();
        assert!(
            ballots.len() >= 300,
            "several hundred ballots: {}",
            ballots.len()
        );
        for area in areas {
            let id = area["id"].as_i64().unwrap();
            let winners: Vec<i64> = area["winners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_i64().unwrap())
                .collect();
            assert!(!winners.is_empty());
            let cost = |project: i64| {
                projects.iter().find(|p| p["id"] == project).unwrap()["cost"]
                    .as_i64()
                    .unwrap()
            };
            let spent: i64 = winners.iter().map(|w| cost(*w)).sum();
            assert_eq!(area["spent"], spent);
            assert_eq!(area["leftover"], area["amount"].as_i64().unwrap() - spent);
            assert!(spent <= area["amount"].as_i64().unwrap());
            let here: Vec<&Value> = ballots.iter().filter(|b| b["area_id"] == id).collect();
            assert_eq!(area["ballots"], here.len() as i64);
            let mut recount: BTreeMap<i64, i64> = BTreeMap::new();
            for b in &here {
                for p in b["projects"].as_array().unwrap() {
                    *recount.entry(p.as_i64().unwrap()).or_default() += 1;
                }
            }
            for p in projects
                .iter()
                .filter(|p| p["area_id"] == id && p["votes"].is_i64())
            {
                let n = recount
                    .get(&p["id"].as_i64().unwrap())
                    .copied()
                    .unwrap_or(0);
                assert_eq!(p["votes"], n, "the recount of {}", p["id"]);
                let won = winners.contains(&p["id"].as_i64().unwrap());
                assert_eq!(p["status"] == "selected", won);
            }
        }
        for b in ballots {
            let hash = b["receipt_hash"].as_str().unwrap();
            assert!(hash.len() == 64 && hash.bytes().all(|c| c.is_ascii_hexdigit()));
            assert!(b["id"].is_string());
        }
    }
);

on_both!(an_areas_election_is_a_pabulib_file, |backend| async move {
    let app = TestApp::start(backend).await;
    let budget = budget_in(&app, "results").await;
    let projects = budget["projects"].as_array().unwrap();
    let ballots = app
        .json(&format!("/api/v1/budgets/{}/ballots", budget["id"]))
        .await;
    let ballots = ballots["ballots"].as_array().unwrap();
    for area in budget["areas"].as_array().unwrap() {
        let url = area["pabulib_url"].as_str().unwrap();
        let response = TestApp::client().get(app.url(url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
        let file = parse_pabulib(&text(response).await);
        assert_eq!(file.meta["budget"], area["amount"].to_string());
        assert_eq!(file.meta["num_projects"], file.projects.len().to_string());
        assert_eq!(file.meta["num_votes"], file.votes.len().to_string());
        assert_eq!(file.votes.len() as i64, area["ballots"].as_i64().unwrap());
        // PROJECTS: the area's projects on the ballot, by their API id, at their cost.
        let on_ballot: BTreeSet<String> = projects
            .iter()
            .filter(|p| p["area_id"] == area["id"] && p["votes"].is_i64())
            .map(|p| p["id"].to_string())
            .collect();
        let listed: BTreeSet<String> = file
            .projects
            .iter()
            .map(|p| p["project_id"].clone())
            .collect();
        assert_eq!(listed, on_ballot);
        for row in &file.projects {
            let id: i64 = row["project_id"].parse().unwrap();
            let p = projects.iter().find(|p| p["id"] == id).unwrap();
            assert_eq!(row["cost"], p["cost"].to_string());
        }
        // VOTES: the published ballots, exactly, under anonymous voter ids.
        let mut published: Vec<String> = ballots
            .iter()
            .filter(|b| b["area_id"] == area["id"])
            .map(|b| {
                let mut ids: Vec<String> = b["projects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.to_string())
                    .collect();
                ids.sort();
                ids.join(",")
            })
            .collect();
        let mut written: Vec<String> = file
            .votes
            .iter()
            .map(|v| {
                let mut ids: Vec<String> = v["vote"].split(',').map(str::to_string).collect();
                ids.sort();
                ids.join(",")
            })
            .collect();
        published.sort();
        written.sort();
        assert_eq!(written, published);
        let voter_ids: BTreeSet<&String> = file.votes.iter().map(|v| &v["voter_id"]).collect();
        assert_eq!(voter_ids.len(), file.votes.len(), "voter ids are distinct");
    }
    let (status, _) = get(
        &app,
        &format!("/api/v1/budgets/{}/areas/999999.pb", budget["id"]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(
        &app,
        &format!("/api/v1/budgets/{}/areas/x.pb", budget["id"]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both!(ballots_stay_secret_until_the_count, |backend| async move {
    let app = TestApp::start(backend).await;
    for phase in ["voting", "proposals"] {
        let budget = budget_in(&app, phase).await;
        assert!(budget["ballots_url"].is_null());
        for area in budget["areas"].as_array().unwrap() {
            for field in ["winners", "spent", "leftover", "ballots", "pabulib_url"] {
                assert!(area[field].is_null(), "{field} in {phase}");
            }
            assert!(
                area["amount"].is_i64() && area["ballot"].is_string() && area["rule"].is_string()
            );
            let (status, body) = get(
                &app,
                &format!("/api/v1/budgets/{}/areas/{}.pb", budget["id"], area["id"]),
            )
            .await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert!(body.contains("secret"), "{body}");
        }
        for p in budget["projects"].as_array().unwrap() {
            assert!(p["votes"].is_null());
        }
        for path in ["ballots", "ballots?format=csv"] {
            let response = TestApp::client()
                .get(app.url(&format!("/api/v1/budgets/{}/{path}", budget["id"])))
                .header("accept-language", "zh-Hans")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CONFLICT);
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["error"], "conflict");
            assert!(
                error["message"].as_str().unwrap().contains("保密"),
                "{error}"
            );
        }
    }
    // The voting budget has ballots already: they exist, and are not served.
    let voting = budget_in(&app, "voting").await;
    let cast: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM budget_ballots b JOIN budget_areas a ON a.id = b.area_id WHERE a.budget_id = $1",
    )
    .bind(voting["id"].as_i64().unwrap())
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert!(cast > 0);
});

on_both!(
    codes_and_census_never_reach_the_open_data,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let mut secrets: Vec<String> = Vec::new();
        for query in [
            "SELECT census_key FROM budgets",
            "SELECT entry_hash FROM budget_census",
            "SELECT code_hash FROM budget_codes",
        ] {
            let rows: Vec<String> = sqlx::query_scalar(query)
                .fetch_all(app.pool())
                .await
                .unwrap();
            assert!(!rows.is_empty(), "{query}");
            secrets.extend(rows);
        }
        // The demo citizen's census identity, in clear and normalised.
        secrets.extend(["VD-4471-2093".to_string(), "VD44712093".to_string()]);

        let mut paths = vec!["/api/v1/budgets".to_string()];
        let list = app.json("/api/v1/budgets").await;
        for b in list["budgets"].as_array().unwrap() {
            let id = b["id"].as_i64().unwrap();
            paths.push(format!("/api/v1/budgets/{id}"));
            paths.push(format!("/api/v1/budgets/{id}/ballots"));
            paths.push(format!("/api/v1/budgets/{id}/ballots?format=csv"));
            let budget = app.json(&format!("/api/v1/budgets/{id}")).await;
            for area in budget["areas"].as_array().unwrap() {
                paths.push(format!("/api/v1/budgets/{id}/areas/{}.pb", area["id"]));
            }
        }
        paths.push("/api/v1/record?limit=500".to_string());
        for path in &paths {
            let (_, body) = get(&app, path).await;
            for secret in &secrets {
                assert!(!body.contains(secret.as_str()), "{path} shows a secret");
            }
            assert!(!body.contains("@demo.baraza"), "{path} shows an email");
        }
    }
);
