//! Deciding: the council's answers to every comment thread, its vote and the rule that computes
//! the result, what still stands in the way of publishing, and whether a review is overdue.

use super::process::Day;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// The longest answer to a thread, in characters.
pub const MAX_REASON: usize = 5_000;
/// The longest quote of the adopted text that shows a change, in characters.
pub const MAX_CHANGE_QUOTE: usize = 500;
/// The longest statement with a vote, in characters.
pub const MAX_STATEMENT: usize = 2_000;
/// The longest rationale of a decision, in characters.
pub const MAX_RATIONALE: usize = 20_000;
/// The longest note with an implementation update, in characters.
pub const MAX_UPDATE_NOTE: usize = 5_000;

coded! {
    /// What became of a comment thread.
    Disposition {
        Accepted = "accepted" => DispositionAccepted,
        PartlyAccepted = "partly_accepted" => DispositionPartlyAccepted,
        NotAccepted = "not_accepted" => DispositionNotAccepted,
        OutOfScope = "out_of_scope" => DispositionOutOfScope,
    }
}

impl Disposition {
    /// Whether the thread led to a change in the text (and so may link to it).
    pub fn changes_text(self) -> bool {
        matches!(self, Disposition::Accepted | Disposition::PartlyAccepted)
    }
}

coded! {
    /// A council member's vote.
    Choice {
        For = "for" => VoteFor,
        Against = "against" => VoteAgainst,
        Abstain = "abstain" => VoteAbstain,
    }
}

coded! {
    /// How many council members must vote (abstaining counts) for the vote to stand.
    Quorum {
        /// More than half of the council.
        Half = "half" => QuorumHalf,
        /// At least two thirds of the council.
        TwoThirds = "two_thirds" => QuorumTwoThirds,
        /// Every member.
        All = "all" => QuorumAll,
    }
}

coded! {
    /// How many votes for it a decision needs.
    Majority {
        /// More votes for than against.
        Simple = "simple" => MajoritySimple,
        /// More than half of the votes cast (an abstention counts as not for).
        Absolute = "absolute" => MajorityAbsolute,
        /// At least two thirds of the votes for or against.
        TwoThirds = "two_thirds" => MajorityTwoThirds,
    }
}

coded! {
    /// Where implementation stands, in an update after the decision.
    FollowUpStatus {
        Planned = "planned" => FollowUpPlanned,
        InProgress = "in_progress" => FollowUpInProgress,
        Done = "done" => FollowUpDone,
        Delayed = "delayed" => FollowUpDelayed,
        Dropped = "dropped" => FollowUpDropped,
    }
}

/// How a process's council decides, set by the process (and fixed for a decision when its text
/// is frozen, so that nobody changes the rule once the votes are in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingRule {
    pub quorum: Quorum,
    pub majority: Majority,
}

impl Default for VotingRule {
    fn default() -> VotingRule {
        VotingRule {
            quorum: Quorum::Half,
            majority: Majority::Simple,
        }
    }
}

/// The votes cast, and what they add up to under a rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
    /// How many council members the process has.
    pub council: u32,
}

/// The computed result of a vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteResult {
    /// Votes cast, abstentions included.
    pub cast: u32,
    /// How many must vote for a quorum.
    pub quorum_needed: u32,
    pub quorate: bool,
    pub majority_reached: bool,
    /// Quorate and carried.
    pub passed: bool,
}

impl Tally {
    /// Counts votes among `council` members.
    pub fn of(choices: impl IntoIterator<Item = Choice>, council: u32) -> Tally {
        let mut tally = Tally {
            council,
            ..Tally::default()
        };
        for choice in choices {
            match choice {
                Choice::For => tally.for_ += 1,
                Choice::Against => tally.against += 1,
                Choice::Abstain => tally.abstain += 1,
            }
        }
        tally
    }

    /// The result under `rule`.
    pub fn result(self, rule: VotingRule) -> VoteResult {
        let cast = self.for_ + self.against + self.abstain;
        let quorum_needed = match rule.quorum {
            Quorum::Half => self.council / 2 + 1,
            Quorum::TwoThirds => (2 * self.council).div_ceil(3),
            Quorum::All => self.council,
        }
        .max(1);
        let quorate = cast >= quorum_needed;
        let majority_reached = match rule.majority {
            Majority::Simple => self.for_ > self.against,
            Majority::Absolute => 2 * self.for_ > cast,
            Majority::TwoThirds => self.for_ > 0 && 3 * self.for_ >= 2 * (self.for_ + self.against),
        };
        VoteResult {
            cast,
            quorum_needed,
            quorate,
            majority_reached,
            passed: quorate && majority_reached,
        }
    }
}

/// Something that stands in the way of publishing a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "missing", rename_all = "snake_case")]
pub enum Missing {
    /// Threads without a disposition (their numbers).
    Unanswered { threads: Vec<i64> },
    /// Threads still waiting for a moderator (pending or held): they must be decided first.
    AwaitingModeration { threads: Vec<i64> },
    /// Too few council members have voted.
    NoQuorum { cast: u32, needed: u32 },
    /// The vote did not carry.
    NotCarried,
    /// No rationale was written.
    NoRationale,
}

impl Missing {
    /// What is missing, in words.
    pub fn message(&self) -> Msg {
        let list = |threads: &[i64]| {
            threads
                .iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Missing::Unanswered { threads } => Msg::DecisionMissingAnswers {
                count: threads.len().to_string(),
                threads: list(threads),
            },
            Missing::AwaitingModeration { threads } => Msg::DecisionMissingModeration {
                threads: list(threads),
            },
            Missing::NoQuorum { cast, needed } => Msg::DecisionMissingQuorum {
                cast: cast.to_string(),
                needed: needed.to_string(),
            },
            Missing::NotCarried => Msg::DecisionMissingMajority,
            Missing::NoRationale => Msg::DecisionMissingRationale,
        }
    }

    /// The form field it belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Missing::NoRationale => "rationale",
            _ => "publish",
        }
    }
}

/// Where a decision stands, for publishing: every thread answered, none awaiting moderation, the
/// vote quorate and carried, a rationale written. Empty when it may be published.
pub fn missing(
    unanswered: Vec<i64>,
    awaiting_moderation: Vec<i64>,
    result: VoteResult,
    rationale: &str,
) -> Vec<Missing> {
    let mut missing = Vec::new();
    if !awaiting_moderation.is_empty() {
        missing.push(Missing::AwaitingModeration {
            threads: awaiting_moderation,
        });
    }
    if !unanswered.is_empty() {
        missing.push(Missing::Unanswered {
            threads: unanswered,
        });
    }
    if !result.quorate {
        missing.push(Missing::NoQuorum {
            cast: result.cast,
            needed: result.quorum_needed,
        });
    } else if !result.majority_reached {
        missing.push(Missing::NotCarried);
    }
    if rationale.trim().is_empty() {
        missing.push(Missing::NoRationale);
    }
    missing
}

/// Whether a review is overdue: its date has passed and no update was posted on or after it.
pub fn review_overdue(review_on: Option<Day>, last_update_on: Option<Day>, today: Day) -> bool {
    match review_on {
        Some(review) => review < today && last_update_on.is_none_or(|update| update < review),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(quorum: Quorum, majority: Majority) -> VotingRule {
        VotingRule { quorum, majority }
    }

    #[test]
    fn quorum_counts_abstentions_and_rounds_up() {
        let half = rule(Quorum::Half, Majority::Simple);
        // Three members: two must vote.
        let one = Tally::of([Choice::For], 3).result(half);
        assert_eq!(
            (one.quorum_needed, one.quorate, one.passed),
            (2, false, false)
        );
        let two = Tally::of([Choice::For, Choice::Abstain], 3).result(half);
        assert!(two.quorate && two.passed);
        // Four members: more than half is three.
        assert_eq!(Tally::of([], 4).result(half).quorum_needed, 3);
        let thirds = rule(Quorum::TwoThirds, Majority::Simple);
        assert_eq!(Tally::of([], 3).result(thirds).quorum_needed, 2);
        assert_eq!(Tally::of([], 4).result(thirds).quorum_needed, 3);
        assert_eq!(
            Tally::of([], 5)
                .result(rule(Quorum::All, Majority::Simple))
                .quorum_needed,
            5
        );
        // A council of nobody can never decide.
        assert!(!Tally::of([], 0).result(half).quorate);
    }

    #[test]
    fn majorities() {
        let votes = [
            Choice::For,
            Choice::For,
            Choice::Against,
            Choice::Abstain,
            Choice::Abstain,
        ];
        let tally = Tally::of(votes, 5);
        assert!(tally.result(rule(Quorum::Half, Majority::Simple)).passed);
        // Two of five cast is not more than half.
        assert!(!tally.result(rule(Quorum::Half, Majority::Absolute)).passed);
        // Two of three for-or-against is two thirds.
        assert!(tally.result(rule(Quorum::Half, Majority::TwoThirds)).passed);
        let tie = Tally::of([Choice::For, Choice::Against], 2);
        assert!(!tie.result(rule(Quorum::Half, Majority::Simple)).passed);
        let abstained = Tally::of([Choice::Abstain, Choice::Abstain], 2);
        assert!(
            !abstained
                .result(rule(Quorum::Half, Majority::TwoThirds))
                .passed
        );
    }

    #[test]
    fn what_is_missing_is_listed_whole() {
        let failed = Tally::of([Choice::For], 3).result(VotingRule::default());
        let missing = missing(vec![4, 9], vec![12], failed, " ");
        assert_eq!(
            missing,
            vec![
                Missing::AwaitingModeration { threads: vec![12] },
                Missing::Unanswered {
                    threads: vec![4, 9]
                },
                Missing::NoQuorum { cast: 1, needed: 2 },
                Missing::NoRationale,
            ]
        );
        let carried = Tally::of([Choice::For, Choice::For], 3).result(VotingRule::default());
        assert!(super::missing(vec![], vec![], carried, "Because.").is_empty());
        let lost = Tally::of([Choice::Against, Choice::Against], 3).result(VotingRule::default());
        assert_eq!(
            super::missing(vec![], vec![], lost, "x"),
            vec![Missing::NotCarried]
        );
    }

    #[test]
    fn reviews_are_overdue_until_an_update_on_or_after_the_date() {
        let day = |s| Day::parse(s).unwrap();
        let today = day("2026-11-22");
        assert!(!review_overdue(None, None, today));
        assert!(!review_overdue(Some(day("2026-12-01")), None, today));
        assert!(review_overdue(Some(day("2026-11-01")), None, today));
        assert!(review_overdue(
            Some(day("2026-11-01")),
            Some(day("2026-10-30")),
            today
        ));
        assert!(!review_overdue(
            Some(day("2026-11-01")),
            Some(day("2026-11-01")),
            today
        ));
    }

    #[test]
    fn codes_round_trip() {
        for d in Disposition::ALL {
            assert_eq!(Disposition::from_code(d.code()), Some(*d));
        }
        assert_eq!(Choice::from_code("for"), Some(Choice::For));
        assert_eq!(Quorum::from_code("nobody"), None);
        assert!(Disposition::PartlyAccepted.changes_text());
        assert!(!Disposition::OutOfScope.changes_text());
    }
}
