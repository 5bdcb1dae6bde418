//! Counting an area's ballots: which projects win, in which order, and what is left.
//!
//! Two rules, each the same as a named call of `pabutools` 1.2.3 (the research community's
//! reference implementation), run on the area's pabulib export with a tie-breaking rule that
//! orders projects as the area's [`TieBreak`] does; `app/tests/pabutools.rs` checks this on
//! hundreds of generated elections:
//!
//! - **Greedy**: `greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)`. With cost
//!   satisfaction a project's satisfaction per unit of cost is the number of ballots choosing it,
//!   so this is "most votes first, skipping a project that no longer fits what is left".
//! - **Equal shares**: `method_of_equal_shares(instance, profile, sat_class=Cost_Sat,
//!   voter_budget_increment=1)`, the Method of Equal Shares with add-one completion (pabulib's
//!   rule code `equalshares/add1`). Every voter starts with an equal share of the amount
//!   (amount / number of ballots). Repeatedly, among the projects whose supporters still hold
//!   enough together, the one whose cost can be split among its supporters with the lowest
//!   "price per unit of satisfaction" ρ is bought: each supporter pays ρ times their
//!   satisfaction, or all they have left if that is less. When no project can be bought any
//!   more the run ends. Add-one completion then runs the whole method again with every voter's
//!   starting share one currency unit larger, and again, until a run's winners would cost more
//!   than the amount (then the previous run's winners stand) or no supported project outside
//!   them fits the money left (then that run's winners stand). Nothing is added after that: the
//!   money left is published as the leftover.
//!
//! One difference from pabutools, on purpose: a project no ballot chose never wins. pabutools'
//! greedy rule would fund such projects last, out of the money nobody's votes claimed (its Method
//! of Equal Shares never funds them); we do not spend citizens' money on a project not one of
//! them asked for. Because they would come last, leaving them out changes nothing else.
//!
//! Why cost satisfaction (a voter's satisfaction with a chosen project is its cost) for both
//! ballot kinds: it is what the Method of Equal Shares uses in its real deployments (Wieliczka
//! in Poland, Aarau in Switzerland and those after them, as equalshares.net describes them). It
//! makes every supporter of a project pay the same share of it (ρ × cost), so a voter's budget
//! buys the same amount of "their" projects whatever those cost, and cheap projects are not
//! favoured over expensive ones merely for being cheap (with one unit of satisfaction per
//! project, a voter's share would buy many small projects for the price of one large one).
//! With a knapsack ballot the voter has already weighed costs against the amount, and the same
//! measure keeps the two ballot kinds comparable.
//!
//! Ties: in greedy, between projects with as many votes; in equal shares, between projects with
//! equal ρ. Both are broken by the area's [`TieBreak`]: `LowerCost` puts the cheaper project
//! first and, at equal cost, the lower id; `EarlierProposal` puts the lower id first.
//!
//! All arithmetic is exact (big-integer fractions, as pabutools uses gmpy2's `mpq`): shares are
//! fractions whose denominators outgrow any machine integer with a few hundred voters, and a
//! rounding error could turn a tie into a win.

use super::{AreaRules, CountingRule, TieBreak};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// A project on an area's ballot, as the count sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Project {
    /// The project's id (as in the API).
    pub id: i64,
    /// Its reviewed cost, in whole units of the budget's currency (positive).
    pub cost: i64,
}

/// One area's election: its frozen rules, the projects on its ballot and the ballots cast.
#[derive(Clone, Copy, Debug)]
pub struct Election<'a> {
    /// The rules frozen when voting opened.
    pub rules: &'a AreaRules,
    /// The projects on the ballot.
    pub projects: &'a [Project],
    /// Each ballot: the ids of the projects it chose (ids not on the ballot are ignored).
    pub ballots: &'a [Vec<i64>],
}

/// The result of an area's count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The winning projects' ids, in the order the rule selected them.
    pub winners: Vec<i64>,
    /// Every project's id with the number of ballots choosing it, by id.
    pub votes: Vec<(i64, i64)>,
    /// What the winners cost together.
    pub spent: i64,
    /// What is left of the area's amount.
    pub leftover: i64,
}

/// Counts an area's ballots under its rules (see the module's documentation for the rules).
pub fn count(election: &Election) -> Outcome {
    let projects = election.projects;
    let position: HashMap<i64, usize> = projects
        .iter()
        .enumerate()
        .map(|(at, p)| (p.id, at))
        .collect();
    // Each ballot as the sorted positions of the projects it chose, repeats and unknown ids dropped.
    let ballots: Vec<Vec<usize>> = election
        .ballots
        .iter()
        .map(|ballot| {
            let mut chosen: Vec<usize> = ballot
                .iter()
                .filter_map(|id| position.get(id).copied())
                .collect();
            chosen.sort_unstable();
            chosen.dedup();
            chosen
        })
        .collect();
    let mut votes = vec![0i64; projects.len()];
    for ballot in &ballots {
        for &at in ballot {
            votes[at] += 1;
        }
    }
    let rules = election.rules;
    let order = |a: usize, b: usize| tie_order(rules.tie_break, &projects[a], &projects[b]);
    let winners = match rules.rule {
        CountingRule::Greedy => greedy(rules.amount, projects, &votes, order),
        CountingRule::EqualShares => equal_shares(rules.amount, projects, &ballots, order),
    };
    let spent = winners.iter().map(|&at| projects[at].cost).sum();
    let mut by_id: Vec<(i64, i64)> = projects
        .iter()
        .zip(&votes)
        .map(|(p, v)| (p.id, *v))
        .collect();
    by_id.sort_unstable();
    Outcome {
        winners: winners.iter().map(|&at| projects[at].id).collect(),
        votes: by_id,
        spent,
        leftover: rules.amount - spent,
    }
}

/// Which of two tied projects comes first under a tie-break.
fn tie_order(tie_break: TieBreak, a: &Project, b: &Project) -> Ordering {
    match tie_break {
        TieBreak::LowerCost => a.cost.cmp(&b.cost).then(a.id.cmp(&b.id)),
        TieBreak::EarlierProposal => a.id.cmp(&b.id),
    }
}

/// Greedy: most votes first (ties by `order`), skipping what no longer fits. Returns positions.
fn greedy(
    amount: i64,
    projects: &[Project],
    votes: &[i64],
    order: impl Fn(usize, usize) -> Ordering,
) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..projects.len())
        .filter(|&at| votes[at] > 0 && projects[at].cost > 0)
        .collect();
    ranked.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then_with(|| order(a, b)));
    let mut left = amount;
    let mut winners = Vec::new();
    for at in ranked {
        if projects[at].cost <= left {
            left -= projects[at].cost;
            winners.push(at);
        }
    }
    winners
}

/// The Method of Equal Shares with cost satisfaction and add-one completion. Returns positions.
///
/// Add-one completion reruns the method with every starting share one unit larger until the
/// winners would overspend or leave nothing that fits (see the module's documentation). Done
/// literally that is one full run per unit, which for a large amount and few voters means
/// millions of runs; instead each run also works out how much larger the starting share could
/// be before any comparison it made would come out differently (every quantity in a run is a
/// linear function of the starting share, see [`Linear`]), and the next run starts there. The
/// skipped runs would all have had the same winners, so the result is exactly that of the
/// literal loop; a unit test compares the two.
fn equal_shares(
    amount: i64,
    projects: &[Project],
    ballots: &[Vec<usize>],
    order: impl Fn(usize, usize) -> Ordering + Copy,
) -> Vec<usize> {
    completion(amount, projects, ballots, order, true)
}

/// The add-one loop; `skip` jumps over runs known to give the same winners.
fn completion(
    amount: i64,
    projects: &[Project],
    ballots: &[Vec<usize>],
    order: impl Fn(usize, usize) -> Ordering + Copy,
    skip: bool,
) -> Vec<usize> {
    if ballots.is_empty() {
        return Vec::new();
    }
    let voters = Voters::new(projects, ballots);
    // Only projects someone chose can be bought (pabutools' MES considers no others either).
    let candidates: Vec<usize> = (0..projects.len())
        .filter(|&at| projects[at].cost > 0 && !voters.supporters[at].is_empty())
        .collect();
    let share = BigRational::new(BigInt::from(amount), BigInt::from(ballots.len()));
    let mut increment = BigInt::zero();
    let mut previous = Vec::new();
    loop {
        let start = &share + BigRational::from_integer(increment.clone());
        let (winners, horizon) = run(&start, projects, &voters, &candidates, order);
        let spent: i64 = winners.iter().map(|&at| projects[at].cost).sum();
        if spent > amount {
            return previous;
        }
        let left = amount - spent;
        let exhaustive = candidates
            .iter()
            .all(|at| winners.contains(at) || projects[*at].cost > left);
        if exhaustive {
            return winners;
        }
        previous = winners;
        increment += match (&horizon.until, skip) {
            // Nothing this run compared can change with a larger share: neither will the winners
            // (cannot happen: a share as large as the amount buys every candidate, which is
            // exhaustive or overspends; kept so the loop surely ends).
            (None, true) => return previous,
            (Some(until), true) => until.ceil().to_integer().max(BigInt::one()),
            (_, false) => BigInt::one(),
        };
    }
}

/// The ballots, with identical ballots merged (their voters always hold the same budget).
struct Voters {
    /// Each distinct ballot's number of voters.
    weight: Vec<i64>,
    /// For each project, the distinct ballots choosing it.
    supporters: Vec<Vec<usize>>,
}

impl Voters {
    fn new(projects: &[Project], ballots: &[Vec<usize>]) -> Voters {
        let mut distinct: BTreeMap<&[usize], i64> = BTreeMap::new();
        for ballot in ballots {
            *distinct.entry(ballot.as_slice()).or_default() += 1;
        }
        let mut weight = Vec::with_capacity(distinct.len());
        let mut supporters = vec![Vec::new(); projects.len()];
        for (group, (ballot, count)) in distinct.into_iter().enumerate() {
            weight.push(count);
            for &at in ballot {
                supporters[at].push(group);
            }
        }
        Voters { weight, supporters }
    }
}

/// A quantity of one run as a function of how much larger the starting share is: `at + slope·t`.
/// Decisions are taken on `at` (t = 0); the slope tells for how long they would stay the same.
#[derive(Clone, Debug)]
struct Linear {
    at: BigRational,
    slope: BigRational,
}

impl Linear {
    fn constant(value: i64) -> Linear {
        Linear {
            at: BigRational::from_integer(value.into()),
            slope: BigRational::zero(),
        }
    }

    fn sub(&self, other: &Linear) -> Linear {
        Linear {
            at: &self.at - &other.at,
            slope: &self.slope - &other.slope,
        }
    }

    fn add_times(&mut self, other: &Linear, times: i64) {
        let times = BigRational::from_integer(times.into());
        self.at += &other.at * &times;
        self.slope += &other.slope * &times;
    }

    fn over(&self, divisor: i64) -> Linear {
        let divisor = BigRational::from_integer(divisor.into());
        Linear {
            at: &self.at / &divisor,
            slope: &self.slope / &divisor,
        }
    }
}

/// How much larger the starting share may be (exclusive) with every comparison of a run coming
/// out the same; `None`: without limit.
struct Horizon {
    until: Option<BigRational>,
}

impl Horizon {
    /// Notes that the run relied on the sign of `difference` at t = 0.
    fn keep(&mut self, difference: &Linear) {
        if self.until.as_ref().is_some_and(Zero::is_zero) || difference.slope.is_zero() {
            return;
        }
        let limit = if difference.at.is_zero() {
            // Equal now, different a little later: only this very share is known.
            BigRational::zero()
        } else if difference.at.is_positive() == difference.slope.is_positive() {
            // Moving away from zero: the sign never changes.
            return;
        } else {
            -&difference.at / &difference.slope
        };
        if self.until.as_ref().is_none_or(|until| limit < *until) {
            self.until = Some(limit);
        }
    }
}

/// One run of the Method of Equal Shares with every voter starting with `start`: the winners in
/// order, and how much larger `start` could be with the same run.
///
/// Like pabutools, a round only works out the exact ρ of projects that could beat the best found
/// so far: a project's ρ only grows during a run (its supporters' budgets only shrink), so the ρ
/// it had in an earlier round is a lower bound, and a project whose bound is already worse than
/// the best is not looked at. The bound is also what the horizon checks for every project but
/// the one bought: the equal share worked out with the poor and rich of t = 0 is never more
/// than the true share at any t (paying all one holds instead of the share, or the share instead
/// of all one holds, can only lower the sum), so while the bound stays worse than the winner's
/// ρ, so does the project.
fn run(
    start: &BigRational,
    projects: &[Project],
    voters: &Voters,
    candidates: &[usize],
    order: impl Fn(usize, usize) -> Ordering,
) -> (Vec<usize>, Horizon) {
    // Voters who paid for the same projects hold the same budget: a "purse" each.
    let mut purse_of = vec![0usize; voters.weight.len()];
    let mut purses = vec![Linear {
        at: start.clone(),
        slope: BigRational::one(),
    }];
    let mut horizon = Horizon { until: None };
    // Each remaining project with a lower bound of its ρ: at first, what it would be if every
    // supporter could pay an equal share (1 / supporters).
    let mut remaining: Vec<(usize, Linear)> = candidates
        .iter()
        .map(|&at| {
            let supporters: i64 = voters.supporters[at]
                .iter()
                .map(|&g| voters.weight[g])
                .sum();
            (at, Linear::constant(1).over(supporters))
        })
        .collect();
    // Whether project `a` with ρ `a_rho` comes before project `b` with ρ `b_rho`.
    let before = |a: usize, a_rho: &BigRational, b: usize, b_rho: &BigRational| {
        a_rho.cmp(b_rho).then_with(|| order(a, b)) == Ordering::Less
    };
    let mut winners = Vec::new();
    loop {
        remaining.sort_by(|a, b| a.1.at.cmp(&b.1.at).then_with(|| order(a.0, b.0)));
        // The best so far: its rank in `remaining`, its equal share and what its supporters
        // hold beyond its cost.
        let mut best: Option<(usize, Linear, Linear)> = None;
        let mut out_of_reach = Vec::new();
        for rank in 0..remaining.len() {
            let (at, bound) = &remaining[rank];
            if let Some((best_rank, _, _)) = &best {
                let (best_at, best_rho) = &remaining[*best_rank];
                if !before(*at, &bound.at, *best_at, &best_rho.at) {
                    break;
                }
            }
            let cost = projects[*at].cost;
            let holders = holders(voters, &purse_of, *at);
            let mut total = Linear::constant(0);
            for (&purse, &count) in &holders {
                total.add_times(&purses[purse], count);
            }
            let margin = total.sub(&Linear::constant(cost));
            if margin.at.is_negative() {
                // Budgets only shrink during a run: out of reach for the rest of it, for as
                // long as its supporters hold less than its cost.
                horizon.keep(&margin);
                out_of_reach.push(rank);
                continue;
            }
            let share = equal_share(cost, &holders, &purses);
            let rho = share.over(cost);
            let better = match &best {
                None => true,
                Some((best_rank, _, _)) => {
                    let (best_at, best_rho) = &remaining[*best_rank];
                    before(*at, &rho.at, *best_at, &best_rho.at)
                }
            };
            remaining[rank].1 = rho;
            if better {
                best = Some((rank, share, margin));
            }
        }
        let Some((best_rank, share, margin)) = best else {
            return (winners, horizon);
        };
        let (best_at, best_rho) = remaining[best_rank].clone();
        // Every other project stays behind the winner; the winner stays affordable, and who of
        // its supporters pays the share and who pays all they hold stays the same.
        for (rank, (_, bound)) in remaining.iter().enumerate() {
            if rank != best_rank && !out_of_reach.contains(&rank) {
                horizon.keep(&bound.sub(&best_rho));
            }
        }
        horizon.keep(&margin);
        let holders = holders(voters, &purse_of, best_at);
        for purse in holders.keys() {
            horizon.keep(&purses[*purse].sub(&share));
        }
        // The supporters pay: the share each, or all they hold if that is less.
        let mut paid: HashMap<usize, usize> = HashMap::new();
        for &group in &voters.supporters[best_at] {
            let old = purse_of[group];
            let new = *paid.entry(old).or_insert_with(|| {
                let left = if purses[old].at >= share.at {
                    purses[old].sub(&share)
                } else {
                    Linear::constant(0)
                };
                purses.push(left);
                purses.len() - 1
            });
            purse_of[group] = new;
        }
        let mut rank = 0;
        remaining.retain(|_| {
            rank += 1;
            rank - 1 != best_rank && !out_of_reach.contains(&(rank - 1))
        });
        winners.push(best_at);
    }
}

/// The purses of a project's supporters, with how many of them hold each.
fn holders(voters: &Voters, purse_of: &[usize], project: usize) -> BTreeMap<usize, i64> {
    let mut holders = BTreeMap::new();
    for &group in &voters.supporters[project] {
        *holders.entry(purse_of[group]).or_default() += voters.weight[group];
    }
    holders
}

/// The equal share of `cost` among the holders of `purses` (purse → number of voters): the
/// amount q such that each pays q, or all they hold if that is less, and together they pay the
/// cost. The holders must hold at least the cost together.
fn equal_share(cost: i64, holders: &BTreeMap<usize, i64>, purses: &[Linear]) -> Linear {
    let mut poorest: Vec<(usize, i64)> = holders.iter().map(|(p, c)| (*p, *c)).collect();
    poorest.sort_by(|a, b| purses[a.0].at.cmp(&purses[b.0].at));
    let mut rich: i64 = poorest.iter().map(|h| h.1).sum();
    let mut poor_pay = Linear::constant(0);
    for &(purse, count) in &poorest {
        // Whether this purse holds the share (cost - poor_pay) / rich, without dividing.
        let rest = BigRational::from_integer(cost.into()) - &poor_pay.at;
        if &purses[purse].at * BigRational::from_integer(rich.into()) >= rest {
            return Linear::constant(cost).sub(&poor_pay).over(rich);
        }
        poor_pay.add_times(&purses[purse], count);
        rich -= count;
    }
    unreachable!("the holders hold at least the cost")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::budget::BallotKind;

    fn rules(rule: CountingRule, tie_break: TieBreak, amount: i64) -> AreaRules {
        AreaRules {
            amount,
            project_cap: 0,
            ballot: BallotKind::Approval,
            min_projects: 1,
            max_projects: 10,
            rule,
            tie_break,
        }
    }

    fn projects(costs: &[(i64, i64)]) -> Vec<Project> {
        costs
            .iter()
            .map(|&(id, cost)| Project { id, cost })
            .collect()
    }

    fn repeat(times: usize, ballot: &[i64]) -> Vec<Vec<i64>> {
        vec![ballot.to_vec(); times]
    }

    fn counted(rules: &AreaRules, projects: &[Project], ballots: &[Vec<i64>]) -> Outcome {
        count(&Election {
            rules,
            projects,
            ballots,
        })
    }

    #[test]
    fn greedy_takes_most_votes_first_and_skips_what_no_longer_fits() {
        let rules = rules(CountingRule::Greedy, TieBreak::LowerCost, 100);
        let projects = projects(&[(1, 60), (2, 50), (3, 30), (4, 10)]);
        let mut ballots = repeat(5, &[1, 2]);
        ballots.extend(repeat(4, &[2, 3]));
        ballots.extend(repeat(1, &[4]));
        // Votes: 1 → 5, 2 → 9, 3 → 4, 4 → 1. Project 2 (50), then 1 (60) no longer fits,
        // then 3 (30), then 4 (10): 90 spent.
        let outcome = counted(&rules, &projects, &ballots);
        assert_eq!(outcome.winners, vec![2, 3, 4]);
        assert_eq!(outcome.votes, vec![(1, 5), (2, 9), (3, 4), (4, 1)]);
        assert_eq!((outcome.spent, outcome.leftover), (90, 10));
    }

    #[test]
    fn greedy_ties_follow_the_published_rule() {
        // Projects 1 (cost 40) and 2 (cost 30) have 3 votes each; only one fits after project 3.
        let projects = projects(&[(1, 40), (2, 30), (3, 50)]);
        let mut ballots = repeat(3, &[1, 2]);
        ballots.extend(repeat(4, &[3]));
        let by_cost = counted(
            &rules(CountingRule::Greedy, TieBreak::LowerCost, 90),
            &projects,
            &ballots,
        );
        assert_eq!(by_cost.winners, vec![3, 2]);
        let by_age = counted(
            &rules(CountingRule::Greedy, TieBreak::EarlierProposal, 90),
            &projects,
            &ballots,
        );
        assert_eq!(by_age.winners, vec![3, 1]);
        // At equal cost, the lower id is first under either rule.
        let same = projects_same_cost();
        let ballots = vec![vec![7, 5]];
        for tie_break in [TieBreak::LowerCost, TieBreak::EarlierProposal] {
            let outcome = counted(&rules(CountingRule::Greedy, tie_break, 10), &same, &ballots);
            assert_eq!(outcome.winners, vec![5]);
        }
    }

    fn projects_same_cost() -> Vec<Project> {
        projects(&[(7, 10), (5, 10)])
    }

    #[test]
    fn nothing_is_won_without_ballots_or_money() {
        let projects = projects(&[(1, 10), (2, 20)]);
        for rule in [CountingRule::Greedy, CountingRule::EqualShares] {
            let none = counted(&rules(rule, TieBreak::LowerCost, 100), &projects, &[]);
            assert!(none.winners.is_empty());
            assert_eq!((none.spent, none.leftover), (0, 100));
            assert_eq!(none.votes, vec![(1, 0), (2, 0)]);
            // Every project costs more than the amount.
            let poor = counted(
                &rules(rule, TieBreak::LowerCost, 5),
                &projects,
                &[vec![1, 2]],
            );
            assert!(poor.winners.is_empty(), "{rule:?}");
            assert_eq!(poor.leftover, 5);
        }
    }

    #[test]
    fn a_project_nobody_chose_never_wins() {
        let projects = projects(&[(1, 10), (2, 10)]);
        for rule in [CountingRule::Greedy, CountingRule::EqualShares] {
            let outcome = counted(
                &rules(rule, TieBreak::LowerCost, 100),
                &projects,
                &[vec![1]],
            );
            assert_eq!(outcome.winners, vec![1], "{rule:?}");
            assert_eq!(outcome.leftover, 90);
        }
    }

    /// The example of equalshares.net's explanation, in cost terms: 100 voters, a budget of
    /// 1000. Greedy follows the majority; equal shares gives the minority its share.
    #[test]
    fn equal_shares_gives_a_minority_its_share() {
        // 60 voters want A, B, C (cost 300 each); 40 voters want D, E (cost 300 each) too.
        let projects = projects(&[(1, 300), (2, 300), (3, 300), (4, 300), (5, 300)]);
        let mut ballots = repeat(60, &[1, 2, 3]);
        ballots.extend(repeat(40, &[4, 5]));
        let greedy = counted(
            &rules(CountingRule::Greedy, TieBreak::LowerCost, 1000),
            &projects,
            &ballots,
        );
        assert_eq!(greedy.winners, vec![1, 2, 3]);
        // Each voter holds 10. The majority's projects cost each of them 5 (ρ = 1/60), the
        // minority's 7.5 (ρ = 1/40): project 1 first (the tie between 1, 2 and 3 goes to the
        // lower id at equal cost); then the majority holds 5 each, just enough for project 2;
        // then the minority buys project 4 with 7.5 each and holds 2.5 each, too little for
        // project 5. 900 spent and the 100 left buys nothing more: no add-one round is needed.
        let shares = counted(
            &rules(CountingRule::EqualShares, TieBreak::LowerCost, 1000),
            &projects,
            &ballots,
        );
        assert_eq!(shares.winners, vec![1, 2, 4]);
        assert_eq!((shares.spent, shares.leftover), (900, 100));
    }

    /// Peters and Skowron's running example shape: costs differ, the cheap project is not bought
    /// merely for being cheap, and a voter who cannot pay a full share pays what they hold.
    #[test]
    fn equal_shares_with_unequal_budgets_left() {
        // Amount 30, 3 voters, 10 each. Ballots: {1, 2}, {1, 3}, {2}.
        // Project 1 (cost 20): 2 supporters, share 10 each, ρ = 1/2.
        // Project 2 (cost 12): 2 supporters, share 6 each, ρ = 1/2. Project 3 (cost 5): ρ = 1.
        // Tie between 1 and 2 at ρ = 1/2: lower cost picks project 2; then voter 1 holds 4,
        // voter 3 holds 4, voter 2 holds 10; project 1 now needs 20 from 4 + 10: out of reach;
        // project 3 (5) from voter 2 alone: bought. Spent 17.
        let projects = projects(&[(1, 20), (2, 12), (3, 5)]);
        let ballots = vec![vec![1, 2], vec![1, 3], vec![2]];
        let by_cost = counted(
            &rules(CountingRule::EqualShares, TieBreak::LowerCost, 30),
            &projects,
            &ballots,
        );
        assert_eq!(by_cost.winners, vec![2, 3]);
        // 13 left and project 1 costs 20: exhaustive at once.
        assert_eq!(by_cost.leftover, 13);
        let by_age = counted(
            &rules(CountingRule::EqualShares, TieBreak::EarlierProposal, 30),
            &projects,
            &ballots,
        );
        // Project 1 first: voters 1 and 2 pay 10 each and hold nothing; project 2 needs 12 from
        // voter 1 (0) and voter 3 (10), project 3 needs 5 from voter 2 (0): out of reach. Project
        // 3 would still fit the 10 left, so add-one runs again with 11 each: project 1, then
        // project 2 (voter 1 pays the 1 they hold, voter 3 pays 11), 32 in all: over the amount,
        // so the first run's winners stand.
        assert_eq!(by_age.winners, vec![1]);
        assert_eq!(by_age.leftover, 10);
    }

    #[test]
    fn the_equal_share_makes_the_poor_pay_what_they_hold() {
        // Budgets 2, 6, 10 and a cost of 12: the poorest pays 2, the others 5 each.
        let purses = [2, 6, 10]
            .map(|value| Linear {
                at: BigRational::from_integer(BigInt::from(value)),
                slope: BigRational::one(),
            })
            .to_vec();
        let holders: BTreeMap<usize, i64> = [(0, 1), (1, 1), (2, 1)].into_iter().collect();
        let share = equal_share(12, &holders, &purses);
        assert_eq!(share.at, BigRational::from_integer(5.into()));
        let mut horizon = Horizon { until: None };
        for purse in &purses {
            horizon.keep(&purse.sub(&share));
        }
        // With every purse t larger the poorest pays 2 + t and the share is (10 - t) / 2: the
        // poorest stays poor until 2 + t = 5 - t/2, at t = 2.
        assert_eq!(
            share.slope,
            BigRational::new(BigInt::from(-1), BigInt::from(2))
        );
        assert_eq!(horizon.until, Some(BigRational::from_integer(2.into())));
    }

    /// A small deterministic generator for the property test below.
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, bound: u64) -> u64 {
            // splitmix64
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % bound
        }
    }

    /// Skipping runs in add-one completion gives the same winners as running every unit.
    #[test]
    fn skipping_runs_changes_no_winner() {
        let mut dice = Dice(22);
        for election in 0..200 {
            let count = 2 + dice.below(9) as usize;
            let equal = dice.below(3) == 0;
            let projects: Vec<Project> = (0..count)
                .map(|at| Project {
                    id: at as i64 + 1,
                    cost: if equal {
                        40
                    } else {
                        5 + dice.below(200) as i64
                    },
                })
                .collect();
            let voters = 1 + dice.below(25) as usize;
            let ballots: Vec<Vec<usize>> = (0..voters)
                .map(|_| {
                    let mut ballot: Vec<usize> =
                        (0..count).filter(|_| dice.below(3) == 0).collect();
                    if ballot.is_empty() {
                        ballot.push(dice.below(count as u64) as usize);
                    }
                    ballot
                })
                .collect();
            let amount = 50 + dice.below(400) as i64;
            let tie_break = if election % 2 == 0 {
                TieBreak::LowerCost
            } else {
                TieBreak::EarlierProposal
            };
            let order = |a: usize, b: usize| tie_order(tie_break, &projects[a], &projects[b]);
            let skipping = completion(amount, &projects, &ballots, order, true);
            let literal = completion(amount, &projects, &ballots, order, false);
            assert_eq!(
                skipping, literal,
                "election {election}: {projects:?} {ballots:?} {amount}"
            );
        }
    }

    #[test]
    fn large_amounts_and_few_voters_finish_quickly() {
        // Ten million to spend and three voters: the literal loop would run millions of times.
        let projects = projects(&[(1, 9_000_000), (2, 3_000_000), (3, 2_500_000), (4, 700_000)]);
        let ballots = vec![vec![1], vec![2, 3], vec![3, 4]];
        let started = std::time::Instant::now();
        let outcome = counted(
            &rules(CountingRule::EqualShares, TieBreak::LowerCost, 10_000_000),
            &projects,
            &ballots,
        );
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        assert!(outcome.spent <= 10_000_000);
        assert!(!outcome.winners.is_empty());
    }

    #[test]
    fn an_area_with_hundreds_of_voters_is_counted_exactly() {
        // Many different numbers of supporters make the shares' denominators grow past i128
        // (app/tests/pabutools.rs compares such counts with pabutools').
        let count = 15;
        let projects: Vec<Project> = (1..=count)
            .map(|id| Project {
                id,
                cost: 1_000_000 + 7_919 * id,
            })
            .collect();
        let mut dice = Dice(7);
        let ballots: Vec<Vec<i64>> = (0..400)
            .map(|_| (1..=count).filter(|_| dice.below(4) == 0).collect())
            .collect();
        let outcome = counted(
            &rules(
                CountingRule::EqualShares,
                TieBreak::EarlierProposal,
                6_000_000,
            ),
            &projects,
            &ballots,
        );
        assert!(outcome.spent <= 6_000_000);
        assert!(outcome.winners.len() >= 4, "{outcome:?}");
    }
}
