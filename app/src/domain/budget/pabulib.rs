//! An area's election in the pabulib format (<https://pabulib.org/format>), the research
//! community's standard for participatory budgeting data, which reference tools such as
//! `pabutools` read.
//!
//! A file has three sections, each a line with its name, a header line and rows, fields
//! separated by semicolons:
//!
//! ```text
//! META
//! key;value
//! description;Kalden neighbourhood budget 2026, Riverside
//! ...
//! PROJECTS
//! project_id;cost;votes;name;selected
//! 14;120000;212;Shade trees on Market Street;1
//! VOTES
//! voter_id;vote
//! 1;14,17
//! ```
//!
//! `project_id` is the project's id in Baraza's API; `voter_id` is only the ballot's place in
//! the list the caller gives (sorted by the ballots' random ids), so it says nothing about who
//! voted or when. Both ballot kinds are pabulib `approval` votes (a voter marks projects);
//! approval ballots carry their `min_length` and `max_length`, knapsack ballots `max_sum_cost`,
//! the area's amount, which is how pabulib describes a ballot whose projects must fit a sum.
//! The counting rules are pabulib's `greedy` and `equalshares/add1`.
//!
//! Text people wrote (names, descriptions) cannot break the file: semicolons become commas,
//! line breaks and other control characters spaces, and double quotes (which CSV readers such as
//! pabutools' take as quoting) single quotes.

use super::{AreaRules, BallotKind, CountingRule, TieBreak};
use std::fmt::Write;

/// What the META section says about the election.
#[derive(Clone, Copy, Debug)]
pub struct Meta<'a> {
    /// What this election is, in a line (e.g. the budget's and the area's names).
    pub description: &'a str,
    /// The country (pabulib lists country names in English).
    pub country: &'a str,
    /// The city, region or organisation holding the budget.
    pub unit: &'a str,
    /// The area, for a budget split into areas.
    pub subunit: Option<&'a str>,
    /// Which edition of the budget (e.g. its year or title).
    pub instance: &'a str,
    /// The budget's currency (ISO 4217 code).
    pub currency: &'a str,
    /// The language of the projects' names (ISO 639-1 code).
    pub language: Option<&'a str>,
    /// When voting opened and closed, as `DD.MM.YYYY`.
    pub date_begin: Option<&'a str>,
    /// See `date_begin`.
    pub date_end: Option<&'a str>,
    /// The area's rules, as frozen when voting opened.
    pub rules: &'a AreaRules,
}

/// A project as the PROJECTS section lists it.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The project's id in the API.
    pub id: i64,
    /// Its reviewed cost.
    pub cost: i64,
    /// Its title.
    pub name: &'a str,
    /// Its category code, if it has one.
    pub category: Option<&'a str>,
    /// Whether it won (once the results are known).
    pub selected: bool,
}

/// The area's election as a pabulib file. `ballots` holds each ballot's chosen project ids, in
/// the order the voter ids are to follow; projects are listed by id.
pub fn write(meta: &Meta, projects: &[Entry], ballots: &[Vec<i64>]) -> String {
    let rules = meta.rules;
    let mut out = String::new();
    let mut fields = vec![
        ("description", meta.description.to_string()),
        ("country", meta.country.to_string()),
        ("unit", meta.unit.to_string()),
    ];
    if let Some(subunit) = meta.subunit {
        fields.push(("subunit", subunit.to_string()));
    }
    fields.extend([
        ("instance", meta.instance.to_string()),
        ("num_projects", projects.len().to_string()),
        ("num_votes", ballots.len().to_string()),
        ("budget", rules.amount.to_string()),
        ("vote_type", "approval".to_string()),
        (
            "rule",
            match rules.rule {
                CountingRule::Greedy => "greedy",
                CountingRule::EqualShares => "equalshares/add1",
            }
            .to_string(),
        ),
    ]);
    for (key, date) in [("date_begin", meta.date_begin), ("date_end", meta.date_end)] {
        if let Some(date) = date {
            fields.push((key, date.to_string()));
        }
    }
    match rules.ballot {
        BallotKind::Approval => {
            fields.push(("min_length", rules.min_projects.max(1).to_string()));
            fields.push(("max_length", rules.max_projects.to_string()));
        }
        BallotKind::Knapsack => {
            fields.push(("min_length", "1".to_string()));
            fields.push(("max_sum_cost", rules.amount.to_string()));
        }
    }
    if rules.project_cap > 0 {
        fields.push(("max_project_cost", rules.project_cap.to_string()));
    }
    if let Some(language) = meta.language {
        fields.push(("language", language.to_string()));
    }
    fields.push(("currency", meta.currency.to_string()));
    // The tie-break is not a pabulib field; its comment says it, so a recount can use it.
    let tie_break = match rules.tie_break {
        TieBreak::LowerCost => {
            "Ties are broken in favour of the lower cost, then the lower project_id"
        }
        TieBreak::EarlierProposal => "Ties are broken in favour of the lower project_id",
    };
    fields.push((
        "comment",
        format!(
            "#1: Exported by Baraza. {tie_break}.{}",
            match rules.rule {
                CountingRule::Greedy => "",
                CountingRule::EqualShares =>
                    " Equal shares use cost satisfaction and add-one completion.",
            }
        ),
    ));

    out.push_str("META\nkey;value\n");
    for (key, value) in &fields {
        let _ = writeln!(out, "{key};{}", clean(value));
    }

    let mut listed: Vec<&Entry> = projects.iter().collect();
    listed.sort_by_key(|p| p.id);
    let with_category = listed.iter().any(|p| p.category.is_some());
    out.push_str("PROJECTS\nproject_id;cost;votes;name;");
    if with_category {
        out.push_str("category;");
    }
    out.push_str("selected\n");
    for project in listed {
        let votes = ballots.iter().filter(|b| b.contains(&project.id)).count();
        let _ = write!(
            out,
            "{};{};{votes};{};",
            project.id,
            project.cost,
            clean(project.name)
        );
        if with_category {
            let _ = write!(out, "{};", clean(project.category.unwrap_or("none")));
        }
        let _ = writeln!(out, "{}", u8::from(project.selected));
    }

    out.push_str("VOTES\nvoter_id;vote\n");
    for (number, ballot) in ballots.iter().enumerate() {
        let mut chosen = ballot.clone();
        chosen.sort_unstable();
        chosen.dedup();
        let vote: Vec<String> = chosen.iter().map(i64::to_string).collect();
        let _ = writeln!(out, "{};{}", number + 1, vote.join(","));
    }
    out
}

/// A field value that cannot break a line or a column, nor be read as quoted.
fn clean(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| match c {
            ';' => ',',
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    cleaned.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(ballot: BallotKind, rule: CountingRule) -> AreaRules {
        AreaRules {
            amount: 500_000,
            project_cap: 200_000,
            ballot,
            min_projects: 1,
            max_projects: 3,
            rule,
            tie_break: TieBreak::LowerCost,
        }
    }

    fn meta(rules: &AreaRules) -> Meta<'_> {
        Meta {
            description: "Kalden neighbourhood budget 2026; Riverside",
            country: "Kalden",
            unit: "Kalden",
            subunit: Some("Riverside"),
            instance: "2026",
            currency: "EUR",
            language: Some("en"),
            date_begin: Some("01.05.2026"),
            date_end: Some("31.05.2026"),
            rules,
        }
    }

    fn section<'a>(file: &'a str, name: &str) -> Vec<&'a str> {
        let lines: Vec<&str> = file.lines().collect();
        let start = lines.iter().position(|l| *l == name).expect("section") + 1;
        lines[start..]
            .iter()
            .take_while(|l| !["META", "PROJECTS", "VOTES"].contains(l))
            .copied()
            .collect()
    }

    #[test]
    fn an_approval_election_has_its_three_sections() {
        let rules = rules(BallotKind::Approval, CountingRule::Greedy);
        let projects = [
            Entry {
                id: 17,
                cost: 90_000,
                name: "Benches",
                category: None,
                selected: false,
            },
            Entry {
                id: 14,
                cost: 120_000,
                name: "Trees",
                category: None,
                selected: true,
            },
        ];
        let file = write(&meta(&rules), &projects, &[vec![17, 14], vec![14]]);
        assert!(file.starts_with("META\nkey;value\n"), "{file}");
        let meta = section(&file, "META");
        for line in [
            "description;Kalden neighbourhood budget 2026, Riverside",
            "subunit;Riverside",
            "num_projects;2",
            "num_votes;2",
            "budget;500000",
            "vote_type;approval",
            "rule;greedy",
            "min_length;1",
            "max_length;3",
            "max_project_cost;200000",
            "currency;EUR",
            "date_begin;01.05.2026",
        ] {
            assert!(meta.contains(&line), "{line} in {meta:?}");
        }
        assert!(!meta.iter().any(|l| l.starts_with("max_sum_cost")));
        assert_eq!(
            section(&file, "PROJECTS"),
            [
                "project_id;cost;votes;name;selected",
                "14;120000;2;Trees;1",
                "17;90000;1;Benches;0"
            ]
        );
        assert_eq!(
            section(&file, "VOTES"),
            ["voter_id;vote", "1;14,17", "2;14"]
        );
    }

    #[test]
    fn a_knapsack_election_is_approval_within_a_sum() {
        let rules = rules(BallotKind::Knapsack, CountingRule::EqualShares);
        let projects = [Entry {
            id: 3,
            cost: 10,
            name: "Lamp",
            category: Some("safety"),
            selected: false,
        }];
        let file = write(&meta(&rules), &projects, &[vec![3]]);
        let meta = section(&file, "META");
        assert!(meta.contains(&"vote_type;approval"));
        assert!(meta.contains(&"max_sum_cost;500000"));
        assert!(meta.contains(&"rule;equalshares/add1"));
        assert!(!meta.iter().any(|l| l.starts_with("max_length")));
        assert!(
            meta.iter()
                .any(|l| l.starts_with("comment;#1: ") && l.contains("lower cost"))
        );
        assert_eq!(
            section(&file, "PROJECTS"),
            [
                "project_id;cost;votes;name;category;selected",
                "3;10;1;Lamp;safety;0"
            ]
        );
    }

    #[test]
    fn citizens_text_cannot_break_the_file() {
        let rules = rules(BallotKind::Approval, CountingRule::Greedy);
        let name = "Play; area\nVOTES\r\n\"Big\" slide\t";
        let projects = [Entry {
            id: 1,
            cost: 5,
            name,
            category: None,
            selected: false,
        }];
        let file = write(&meta(&rules), &projects, &[]);
        assert_eq!(
            section(&file, "PROJECTS"),
            [
                "project_id;cost;votes;name;selected",
                "1;5;0;Play, area VOTES  'Big' slide;0"
            ]
        );
        assert_eq!(file.lines().filter(|l| *l == "VOTES").count(), 1);
        for line in file.lines() {
            assert!(!line.contains('"'));
        }
    }
}
