//! The count against the reference implementation: for hundreds of generated elections (random
//! costs and ballots, both ballot kinds, both counting rules, both tie-breaks, and elections
//! built to tie), Baraza's winners, in order, equal those `pabutools` (the research community's
//! Python package) finds in Baraza's own pabulib export of the election.
//!
//! pabutools lives in target/python (`scripts/lib.sh` `ensure_python_tools`, which
//! `scripts/test` runs, installs it and sets BARAZA_TEST_PYTHON); all elections go to one Python
//! process, so the test takes seconds.

use app::domain::budget::count::{Election, Outcome, Project, count};
use app::domain::budget::pabulib::{Entry, Meta, write};
use app::domain::budget::{AreaRules, BallotKind, CountingRule, TieBreak};
use std::io::Write;
use std::process::{Command, Stdio};

/// How many elections are compared (each counted under both tie-breaks).
const ELECTIONS: usize = 500;

/// A small deterministic generator (splitmix64): the same elections on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }

    fn chance(&mut self, percent: i64) -> bool {
        self.between(1, 100) <= percent
    }
}

/// One generated election.
struct Generated {
    rules: AreaRules,
    projects: Vec<Project>,
    ballots: Vec<Vec<i64>>,
}

fn generate(dice: &mut Dice, number: usize) -> Generated {
    let ballot = if number.is_multiple_of(2) {
        BallotKind::Approval
    } else {
        BallotKind::Knapsack
    };
    let rule = if number % 4 < 2 {
        CountingRule::Greedy
    } else {
        CountingRule::EqualShares
    };
    // Most elections are small (quick for pabutools, whose add-one loop runs once per unit of
    // each voter's share); some are crowds, whose shares have large denominators.
    let crowd = number % 25 >= 21;
    let count = dice.between(2, if crowd { 14 } else { 10 }) as usize;
    // Ids with gaps, not in cost order, as a real area's would be.
    let mut id = dice.between(1, 50);
    let ties = dice.chance(35);
    let amount = if crowd {
        dice.between(500, 3000)
    } else {
        dice.between(20, 400)
    };
    let projects: Vec<Project> = (0..count)
        .map(|_| {
            id += dice.between(1, 9);
            let cost = if ties {
                // Few distinct costs: projects tie on votes per cost and on ρ.
                [amount / 4, amount / 3, amount / 2][dice.between(0, 2) as usize].max(1)
            } else {
                dice.between(1, amount * 3 / 4)
            };
            Project { id, cost }
        })
        .collect();
    let max_projects = dice.between(1, count as i64);
    let min_projects = dice.between(1, max_projects);
    let rules = AreaRules {
        amount,
        project_cap: 0,
        ballot,
        min_projects,
        max_projects,
        rule,
        tie_break: TieBreak::LowerCost,
    };
    // Each project's popularity, so that votes differ as in a real election; in tying
    // elections, voters spread evenly instead.
    let popularity: Vec<i64> = projects.iter().map(|_| dice.between(5, 80)).collect();
    let voters = if crowd {
        dice.between(100, 300)
    } else {
        dice.between(1, 40)
    } as usize;
    let mut ballots = Vec::new();
    for voter in 0..voters {
        let mut chosen: Vec<i64> = if ties && voter % 2 == 0 {
            let first = voter % count;
            vec![projects[first].id, projects[(first + 1) % count].id]
        } else {
            projects
                .iter()
                .zip(&popularity)
                .filter(|(_, p)| dice.chance(**p))
                .map(|(project, _)| project.id)
                .collect()
        };
        match ballot {
            BallotKind::Approval => {
                chosen.truncate(max_projects as usize);
                while (chosen.len() as i64) < min_projects {
                    let extra = projects[dice.between(0, count as i64 - 1) as usize].id;
                    if !chosen.contains(&extra) {
                        chosen.push(extra);
                    }
                }
            }
            BallotKind::Knapsack => {
                // Keep what fits, in the order marked.
                let mut total = 0;
                chosen.retain(|id| {
                    let cost = projects.iter().find(|p| p.id == *id).unwrap().cost;
                    let fits = total + cost <= amount;
                    if fits {
                        total += cost;
                    }
                    fits
                });
            }
        }
        let with_costs: Vec<(i64, i64)> = chosen
            .iter()
            .map(|id| (*id, projects.iter().find(|p| p.id == *id).unwrap().cost))
            .collect();
        if rules.check_ballot(&with_costs).is_ok() {
            ballots.push(chosen);
        }
    }
    Generated {
        rules,
        projects,
        ballots,
    }
}

fn counted(election: &Generated, tie_break: TieBreak) -> Outcome {
    let rules = AreaRules {
        tie_break,
        ..election.rules
    };
    count(&Election {
        rules: &rules,
        projects: &election.projects,
        ballots: &election.ballots,
    })
}

fn pabulib(election: &Generated, tie_break: TieBreak) -> String {
    let rules = AreaRules {
        tie_break,
        ..election.rules
    };
    let names: Vec<String> = election
        .projects
        .iter()
        .map(|p| format!("Project {}; \"costs\" {}", p.id, p.cost))
        .collect();
    let entries: Vec<Entry> = election
        .projects
        .iter()
        .zip(&names)
        .map(|(p, name)| Entry {
            id: p.id,
            cost: p.cost,
            name,
            category: None,
            selected: false,
        })
        .collect();
    let meta = Meta {
        description: "Generated election",
        country: "Worldwide",
        unit: "Baraza tests",
        subunit: None,
        instance: "2026",
        currency: "EUR",
        language: Some("en"),
        date_begin: Some("01.05.2026"),
        date_end: Some("31.05.2026"),
        rules: &rules,
    };
    write(&meta, &entries, &election.ballots)
}

fn tie_break_code(tie_break: TieBreak) -> &'static str {
    match tie_break {
        TieBreak::LowerCost => "lower_cost",
        TieBreak::EarlierProposal => "earlier_proposal",
    }
}

#[test]
fn winners_equal_those_of_pabutools_on_the_pabulib_export() {
    let python = std::env::var("BARAZA_TEST_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/python/bin/python").to_string()
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pabutools_check.py");
    let dir = std::env::temp_dir().join(format!("baraza-pabutools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let mut dice = Dice(22);
    let elections: Vec<Generated> = (0..ELECTIONS).map(|n| generate(&mut dice, n)).collect();
    // Each election under both tie-breaks: (election, tie-break, file, Baraza's outcome).
    let mut cases = Vec::new();
    let mut manifest = Vec::new();
    for (number, election) in elections.iter().enumerate() {
        for tie_break in [TieBreak::LowerCost, TieBreak::EarlierProposal] {
            let file = pabulib(election, tie_break);
            let path = dir.join(format!("{number}-{}.pb", tie_break_code(tie_break)));
            std::fs::write(&path, &file).unwrap();
            manifest.push(serde_json::json!({
                "path": path.to_str().unwrap(),
                "tie_break": tie_break_code(tie_break),
            }));
            cases.push((number, tie_break, file, counted(election, tie_break)));
        }
    }

    let started = std::time::Instant::now();
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{python} runs (scripts/test installs pabutools in target/python): {e}")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&manifest).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        output.status.success(),
        "pabutools failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reference.len(), cases.len());

    let mut mismatches = Vec::new();
    for ((number, tie_break, file, ours), theirs) in cases.iter().zip(&reference) {
        let winners: Vec<i64> = serde_json::from_value(theirs["winners"].clone()).unwrap();
        let votes: Vec<(i64, i64)> = ours
            .votes
            .iter()
            .filter(|(id, v)| theirs["votes"][id.to_string()].as_i64() != Some(*v))
            .copied()
            .collect();
        if winners != ours.winners || !votes.is_empty() {
            mismatches.push(format!(
                "election {number} ({:?}, {tie_break:?}): Baraza {:?}, pabutools {winners:?}, \
                 votes differing {votes:?}\n{file}",
                elections[*number].rules.rule, ours.winners
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} counts differ from pabutools:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );

    // The elections exercise what they are meant to: each rule under each ballot kind, and
    // ties that the tie-break decides (the two tie-breaks give different winners).
    let mut decided = Vec::new();
    for rule in [CountingRule::Greedy, CountingRule::EqualShares] {
        for ballot in [BallotKind::Approval, BallotKind::Knapsack] {
            let of_kind = |e: &&Generated| e.rules.rule == rule && e.rules.ballot == ballot;
            let decided_by_ties = elections
                .iter()
                .filter(of_kind)
                .filter(|e| {
                    counted(e, TieBreak::LowerCost) != counted(e, TieBreak::EarlierProposal)
                })
                .count();
            let with_winners = elections
                .iter()
                .filter(of_kind)
                .filter(|e| !counted(e, TieBreak::LowerCost).winners.is_empty())
                .count();
            decided.push(format!("{rule:?}/{ballot:?} {decided_by_ties}"));
            assert!(
                decided_by_ties >= 10 && with_winners >= ELECTIONS / 5,
                "{rule:?} with {ballot:?} ballots: {decided_by_ties} elections decided by the \
                 tie-break, {with_winners} with winners"
            );
        }
    }
    eprintln!(
        "{} counts equal pabutools' ({ELECTIONS} elections, both tie-breaks; decided by the \
         tie-break: {}); pabutools took {:?}",
        cases.len(),
        decided.join(", "),
        started.elapsed()
    );
}
