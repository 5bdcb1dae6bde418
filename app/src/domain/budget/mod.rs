//! Participatory budgeting: a budget's phases, its areas' voting rules, who may do what, and what
//! makes a valid ballot. The count itself is in `count.rs`, the research community's file format in
//! `pabulib.rs`.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

pub mod count;
pub mod pabulib;

coded! {
    /// The phases a budget passes through, in order. A budget only moves forward.
    BudgetPhase {
        /// Anyone eligible proposes projects; officers record proposals collected on paper.
        Proposals = "proposals" => BudgetPhaseProposals,
        /// The named reviewers find each proposal feasible (with its cost) or not (with a reason).
        Review = "review" => BudgetPhaseReview,
        /// Eligible people vote; the areas' rules are frozen.
        Voting = "voting" => BudgetPhaseVoting,
        /// The count is published with the anonymous ballots.
        Results = "results" => BudgetPhaseResults,
        /// The winning projects are carried out and reported on.
        Implementation = "implementation" => BudgetPhaseImplementation,
    }
}

impl BudgetPhase {
    /// The phase after this one, if any.
    pub fn next(self) -> Option<BudgetPhase> {
        let all = BudgetPhase::ALL;
        let at = all.iter().position(|p| *p == self)?;
        all.get(at + 1).copied()
    }

    /// A sentence telling citizens what happens in this phase.
    pub fn explanation(self) -> Msg {
        match self {
            BudgetPhase::Proposals => Msg::BudgetPhaseAboutProposals,
            BudgetPhase::Review => Msg::BudgetPhaseAboutReview,
            BudgetPhase::Voting => Msg::BudgetPhaseAboutVoting,
            BudgetPhase::Results => Msg::BudgetPhaseAboutResults,
            BudgetPhase::Implementation => Msg::BudgetPhaseAboutImplementation,
        }
    }

    /// Whether an area's amount, ballot and counting rule may still change: only before voting
    /// opens, so nobody can change the rules while votes are cast or after.
    pub fn rules_open(self) -> bool {
        self < BudgetPhase::Voting
    }
}

coded! {
    /// What a voter marks on an area's ballot.
    BallotKind {
        /// Approve between the area's minimum and maximum number of projects.
        Approval = "approval" => BallotKindApproval,
        /// Choose any projects whose costs together fit the area's amount.
        Knapsack = "knapsack" => BallotKindKnapsack,
    }
}

coded! {
    /// How an area's winners are found from its ballots.
    CountingRule {
        /// Most votes first, skipping a project that no longer fits what is left.
        Greedy = "greedy" => CountingRuleGreedy,
        /// The Method of Equal Shares (cost satisfaction), completed by add-one.
        EqualShares = "equal_shares" => CountingRuleEqualShares,
    }
}

coded! {
    /// How a tie between projects is broken; published before voting opens.
    TieBreak {
        /// The cheaper project first; at equal cost, the one proposed first.
        LowerCost = "lower_cost" => TieBreakLowerCost,
        /// The project proposed first (the lower number).
        EarlierProposal = "earlier_proposal" => TieBreakEarlierProposal,
    }
}

coded! {
    /// Where a project stands.
    ProjectStatus {
        /// Proposed, not reviewed yet.
        Proposed = "proposed" => ProjectStatusProposed,
        /// Found feasible by a reviewer, with its reviewed cost: on the ballot.
        Feasible = "feasible" => ProjectStatusFeasible,
        /// Found not feasible, with a coded reason and a public explanation.
        NotFeasible = "not_feasible" => ProjectStatusNotFeasible,
        /// Merged into a similar proposal, which goes on in its place.
        Merged = "merged" => ProjectStatusMerged,
        /// Won in the count.
        Selected = "selected" => ProjectStatusSelected,
        /// On the ballot but not funded.
        NotSelected = "not_selected" => ProjectStatusNotSelected,
    }
}

coded! {
    /// What a project is about (a list filter).
    Category {
        GreenSpaces = "green_spaces" => CategoryGreenSpaces,
        Mobility = "mobility" => CategoryMobility,
        Education = "education" => CategoryEducation,
        Culture = "culture" => CategoryCulture,
        Sport = "sport" => CategorySport,
        Social = "social" => CategorySocial,
        Safety = "safety" => CategorySafety,
        Other = "other" => CategoryOther,
    }
}

coded! {
    /// Why a proposal was found not feasible (always with a public explanation as well).
    InfeasibleReason {
        /// The city may not do this (another authority's task).
        OutsideCompetence = "outside_competence" => InfeasibleReasonOutsideCompetence,
        /// It would cost more than the area's cap per project.
        OverCap = "over_cap" => InfeasibleReasonOverCap,
        /// It cannot be built or run as proposed.
        TechnicallyUnfeasible = "technically_unfeasible" => InfeasibleReasonTechnicallyUnfeasible,
        /// It would break a law or a binding plan.
        Unlawful = "unlawful" => InfeasibleReasonUnlawful,
        /// It is already planned or funded.
        AlreadyPlanned = "already_planned" => InfeasibleReasonAlreadyPlanned,
    }
}

coded! {
    /// A task the process's mediators give someone in one budget.
    StaffRole {
        /// Records proposals collected on paper at public meetings; reports on implementation.
        Officer = "officer" => StaffRoleOfficer,
        /// Reviews proposals for feasibility and cost.
        Reviewer = "reviewer" => StaffRoleReviewer,
    }
}

/// The voting rules of one area, as frozen when voting opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRules {
    /// What the area may spend, in whole units of the budget's currency.
    pub amount: i64,
    /// The most one project may cost (0: no cap beyond the amount).
    pub project_cap: i64,
    /// What a voter marks.
    pub ballot: BallotKind,
    /// For approval ballots, the fewest projects a ballot approves.
    pub min_projects: i64,
    /// For approval ballots, the most projects a ballot approves.
    pub max_projects: i64,
    /// How the winners are found.
    pub rule: CountingRule,
    /// How ties are broken.
    pub tie_break: TieBreak,
}

/// Why rules or a ballot are refused: the message and, for forms, the field it is about.
pub type Refusal = (&'static str, Msg);

impl AreaRules {
    /// Whether these rules make sense: a positive amount, a cap within it, approval limits in order.
    pub fn check(&self) -> Result<(), Refusal> {
        if self.amount <= 0 {
            return Err(("amount", Msg::BudgetErrorAmount));
        }
        if self.project_cap < 0 || self.project_cap > self.amount {
            return Err(("project_cap", Msg::BudgetErrorCap));
        }
        if self.ballot == BallotKind::Approval
            && (self.min_projects < 0
                || self.max_projects < 1
                || self.min_projects > self.max_projects)
        {
            return Err(("max_projects", Msg::BudgetErrorApprovalLimits));
        }
        Ok(())
    }

    /// Whether a ballot choosing these projects (id and cost, each on this area's ballot, no
    /// repeats) is valid under these rules.
    pub fn check_ballot(&self, chosen: &[(i64, i64)]) -> Result<(), Msg> {
        let mut ids: Vec<i64> = chosen.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != chosen.len() {
            return Err(Msg::BallotErrorRepeated);
        }
        match self.ballot {
            BallotKind::Approval => {
                let count = chosen.len() as i64;
                if count < self.min_projects.max(1) {
                    return Err(Msg::BallotErrorTooFew {
                        min: self.min_projects.max(1).to_string(),
                    });
                }
                if count > self.max_projects {
                    return Err(Msg::BallotErrorTooMany {
                        max: self.max_projects.to_string(),
                    });
                }
            }
            BallotKind::Knapsack => {
                if chosen.is_empty() {
                    return Err(Msg::BallotErrorTooFew {
                        min: "1".to_string(),
                    });
                }
                let total: i64 = chosen.iter().map(|(_, cost)| *cost).sum();
                if total > self.amount {
                    return Err(Msg::BallotErrorOverBudget {
                        amount: self.amount.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The letters a voting code is written in: Crockford's base 32 (no I, L, O or U), so a code read
/// aloud or copied by hand from paper is hard to get wrong.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a voting code (60 bits: guessing one among a million printed codes takes longer
/// than any vote lasts, with sign-in style throttling on top).
pub const CODE_LENGTH: usize = 12;

/// A voting code as printed: groups of four, `K7QF-93XM-2HPD`.
pub fn format_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A voting code as typed, in the form that is hashed: case, spaces and dashes ignored, and the
/// letters people confuse read as the digits they look like (O as 0, I and L as 1). `None` if it
/// cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    normalized(typed, CODE_LENGTH)
}

/// Characters in a ballot's receipt: 16 random bytes (128 bits) written in [`CODE_ALPHABET`],
/// shown in groups of four like a code.
pub const RECEIPT_LENGTH: usize = 26;

/// A receipt written out: 128 bits, five to a character of [`CODE_ALPHABET`], in groups of four.
pub fn receipt_text(bytes: [u8; 16]) -> String {
    let mut value = u128::from_be_bytes(bytes);
    let mut letters = [0u8; RECEIPT_LENGTH];
    for letter in letters.iter_mut().rev() {
        *letter = CODE_ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    format_code(&String::from_utf8_lossy(&letters))
}

/// A receipt as typed, in the form that is hashed (forgiving like [`normalize_code`]).
pub fn normalize_receipt(typed: &str) -> Option<String> {
    normalized(typed, RECEIPT_LENGTH)
}

/// What the published ballots show of a receipt: SHA-256 (hex) of its normalised text. `None`
/// if the text cannot be a receipt.
#[cfg(feature = "ssr")]
pub fn receipt_hash(typed: &str) -> Option<String> {
    normalize_receipt(typed).map(|r| crate::domain::record::sha256_hex(&r))
}

/// A code or receipt as typed, normalised, if it has `length` characters of the alphabet.
fn normalized(typed: &str, length: usize) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == length && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// One census entry in the form that is hashed: the identity document's number (case, spaces,
/// dots and dashes ignored) and the date of birth (`YYYY-MM-DD`), joined by `|`. `None` if either
/// is missing or the date is not a date.
pub fn census_entry(document_number: &str, birth_date: &str) -> Option<String> {
    let number: String = document_number
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '/'))
        .flat_map(char::to_uppercase)
        .collect();
    let day = crate::domain::process::Day::parse(birth_date.trim())?;
    (!number.is_empty() && number.len() <= 64).then(|| format!("{number}|{day}"))
}

/// A capacity in which someone acts in one budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BudgetRole {
    /// Anyone, signed in or not (a voter with a printed code is one).
    Observer,
    /// Any signed-in person.
    Participant,
    /// Named by the mediators: records paper proposals, reports on implementation.
    Officer,
    /// Named by the mediators: reviews proposals.
    Reviewer,
    /// The process's mediators and the site's administrators: set the budget up and run it.
    Manager,
}

impl BudgetRole {
    /// Every role, from the least to the most responsibility.
    pub const ALL: [BudgetRole; 5] = [
        BudgetRole::Observer,
        BudgetRole::Participant,
        BudgetRole::Officer,
        BudgetRole::Reviewer,
        BudgetRole::Manager,
    ];

    /// The role's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            BudgetRole::Observer => Msg::BudgetRoleObserver,
            BudgetRole::Participant => Msg::BudgetRoleParticipant,
            BudgetRole::Officer => Msg::BudgetRoleOfficer,
            BudgetRole::Reviewer => Msg::BudgetRoleReviewer,
            BudgetRole::Manager => Msg::BudgetRoleManager,
        }
    }
}

/// Something a person may try to do in a budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BudgetAction {
    /// Read the budget, its projects, reviews and results.
    View,
    /// Propose a project.
    Propose,
    /// Comment on a project, or reply (the process's moderation applies).
    Comment,
    /// Report a comment on a project to the process's moderators.
    Report,
    /// Record a proposal collected on paper at a public meeting.
    RecordPaperProposal,
    /// Find a proposal feasible or not, or merge similar proposals.
    Review,
    /// Change the areas: amounts, caps, ballots, counting rules, tie-breaks, who may vote.
    EditAreas,
    /// Name and remove officers and reviewers.
    NameStaff,
    /// Move the budget to its next phase.
    ChangePhase,
    /// Upload the census list and print voting codes.
    ManageEligibility,
    /// Cast a ballot (who is eligible is decided per area, beyond this).
    Vote,
    /// Report on a winning project's implementation.
    PostUpdate,
}

impl BudgetAction {
    /// Every action, in the order the "how this works" page explains them.
    pub const ALL: [BudgetAction; 12] = [
        BudgetAction::View,
        BudgetAction::Propose,
        BudgetAction::Comment,
        BudgetAction::Report,
        BudgetAction::Vote,
        BudgetAction::RecordPaperProposal,
        BudgetAction::Review,
        BudgetAction::EditAreas,
        BudgetAction::NameStaff,
        BudgetAction::ManageEligibility,
        BudgetAction::ChangePhase,
        BudgetAction::PostUpdate,
    ];

    /// The action's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            BudgetAction::View => Msg::BudgetActionView,
            BudgetAction::Propose => Msg::BudgetActionPropose,
            BudgetAction::Comment => Msg::BudgetActionComment,
            BudgetAction::Report => Msg::BudgetActionReport,
            BudgetAction::RecordPaperProposal => Msg::BudgetActionRecordPaperProposal,
            BudgetAction::Review => Msg::BudgetActionReview,
            BudgetAction::EditAreas => Msg::BudgetActionEditAreas,
            BudgetAction::NameStaff => Msg::BudgetActionNameStaff,
            BudgetAction::ChangePhase => Msg::BudgetActionChangePhase,
            BudgetAction::ManageEligibility => Msg::BudgetActionManageEligibility,
            BudgetAction::Vote => Msg::BudgetActionVote,
            BudgetAction::PostUpdate => Msg::BudgetActionPostUpdate,
        }
    }
}

/// Whether one role permits one action in one budget phase. This is the budget's whole matrix.
pub fn budget_permits(role: BudgetRole, action: BudgetAction, phase: BudgetPhase) -> bool {
    use BudgetPhase::*;
    use BudgetRole::*;
    match action {
        BudgetAction::View => true,
        BudgetAction::Propose => role == Participant && phase == Proposals,
        // Projects are discussed until the vote closes; afterwards their threads stay to read.
        BudgetAction::Comment => role == Participant && phase <= Voting,
        // A comment can break the rules whenever it is shown.
        BudgetAction::Report => role == Participant,
        BudgetAction::RecordPaperProposal => role == Officer && phase == Proposals,
        BudgetAction::Review => role == Reviewer && phase == Review,
        BudgetAction::EditAreas => role == Manager && phase.rules_open(),
        BudgetAction::NameStaff => role == Manager && phase < Implementation,
        BudgetAction::ChangePhase => role == Manager && phase.next().is_some(),
        BudgetAction::ManageEligibility => role == Manager && phase <= Voting,
        // A printed code votes without an account: eligibility, not the role, decides.
        BudgetAction::Vote => phase == Voting,
        BudgetAction::PostUpdate => matches!(role, Officer | Manager) && phase == Implementation,
    }
}

/// Everything that decides a person's roles in one budget, gathered by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetStanding {
    /// Signed in at all.
    pub signed_in: bool,
    /// A mediator of the budget's process, or a site administrator.
    pub manager: bool,
    /// Tasks named in this budget.
    pub staff: Vec<StaffRole>,
}

impl BudgetStanding {
    /// The roles this standing holds.
    pub fn roles(&self) -> Vec<BudgetRole> {
        let mut roles = vec![BudgetRole::Observer];
        if self.signed_in {
            roles.push(BudgetRole::Participant);
            roles.extend(self.staff.iter().map(|s| match s {
                StaffRole::Officer => BudgetRole::Officer,
                StaffRole::Reviewer => BudgetRole::Reviewer,
            }));
            if self.manager {
                roles.push(BudgetRole::Manager);
            }
        }
        roles
    }

    /// Whether the person may take `action` in `phase`.
    pub fn may(&self, action: BudgetAction, phase: BudgetPhase) -> bool {
        self.roles()
            .into_iter()
            .any(|role| budget_permits(role, action, phase))
    }

    /// Whether the person may take `action` in `phase`; if not, why: not in this phase (they may
    /// in another), or not at all.
    pub fn refusal(&self, action: BudgetAction, phase: BudgetPhase) -> Result<(), Msg> {
        if self.may(action, phase) {
            Ok(())
        } else if BudgetPhase::ALL.iter().any(|p| self.may(action, *p)) {
            Err(Msg::ErrorNotAllowedInPhase)
        } else {
            Err(Msg::ErrorNotAllowed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(min: i64, max: i64) -> AreaRules {
        AreaRules {
            amount: 1000,
            project_cap: 0,
            ballot: BallotKind::Approval,
            min_projects: min,
            max_projects: max,
            rule: CountingRule::Greedy,
            tie_break: TieBreak::LowerCost,
        }
    }

    #[test]
    fn approval_ballots_stay_within_their_limits() {
        let rules = approval(1, 2);
        assert!(rules.check_ballot(&[(1, 900)]).is_ok());
        assert!(
            rules.check_ballot(&[(1, 900), (2, 900)]).is_ok(),
            "cost is no limit"
        );
        assert!(rules.check_ballot(&[]).is_err());
        assert!(rules.check_ballot(&[(1, 1), (2, 1), (3, 1)]).is_err());
        assert!(rules.check_ballot(&[(1, 1), (1, 1)]).is_err());
    }

    #[test]
    fn knapsack_ballots_fit_the_amount() {
        let rules = AreaRules {
            ballot: BallotKind::Knapsack,
            ..approval(0, 0)
        };
        assert!(rules.check_ballot(&[(1, 600), (2, 400)]).is_ok());
        assert!(rules.check_ballot(&[(1, 600), (2, 401)]).is_err());
        assert!(rules.check().is_ok());
    }

    #[test]
    fn codes_forgive_what_hands_and_eyes_get_wrong() {
        assert_eq!(format_code("K7QF93XM2HPD"), "K7QF-93XM-2HPD");
        assert_eq!(
            normalize_code(" k7qf-93xm-2hpd "),
            Some("K7QF93XM2HPD".into())
        );
        assert_eq!(
            normalize_code("OIL0-0000-0000"),
            Some("011000000000".into())
        );
        assert_eq!(normalize_code("K7QF-93XM-2HP"), None);
        assert_eq!(
            normalize_code("K7QF-93XM-2HPU"),
            None,
            "U is not in the alphabet"
        );
    }

    #[test]
    fn receipts_carry_128_bits_in_groups_of_four() {
        assert_eq!(receipt_text([0; 16]), "0000-0000-0000-0000-0000-0000-00");
        let all = receipt_text([0xff; 16]);
        assert_eq!(all, "7ZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ");
        assert_eq!(
            normalize_receipt(&all.to_lowercase()),
            Some(all.replace('-', ""))
        );
        assert_eq!(
            normalize_receipt("K7QF-93XM-2HPD"),
            None,
            "a code is not a receipt"
        );
    }

    #[test]
    fn census_entries_are_normalised() {
        assert_eq!(
            census_entry(" ab-12.345 / 6 ", "1980-02-29"),
            Some("AB123456|1980-02-29".into())
        );
        assert_eq!(census_entry("AB123456", "1981-02-29"), None);
        assert_eq!(census_entry(" ", "1980-01-01"), None);
    }

    #[test]
    fn rules_are_checked() {
        assert!(approval(3, 2).check().is_err());
        assert!(
            AreaRules {
                amount: 0,
                ..approval(1, 2)
            }
            .check()
            .is_err()
        );
        assert!(
            AreaRules {
                project_cap: 2000,
                ..approval(1, 2)
            }
            .check()
            .is_err()
        );
    }

    /// The matrix, written out: who may do what in which phase.
    #[test]
    fn the_matrix_in_full() {
        use BudgetAction as A;
        use BudgetPhase as P;
        use BudgetRole as R;
        let rows: &[(A, R, &[P])] = &[
            (A::Propose, R::Participant, &[P::Proposals]),
            (
                A::Comment,
                R::Participant,
                &[P::Proposals, P::Review, P::Voting],
            ),
            (A::Report, R::Participant, P::ALL),
            (A::RecordPaperProposal, R::Officer, &[P::Proposals]),
            (A::Review, R::Reviewer, &[P::Review]),
            (A::EditAreas, R::Manager, &[P::Proposals, P::Review]),
            (
                A::NameStaff,
                R::Manager,
                &[P::Proposals, P::Review, P::Voting, P::Results],
            ),
            (
                A::ChangePhase,
                R::Manager,
                &[P::Proposals, P::Review, P::Voting, P::Results],
            ),
            (
                A::ManageEligibility,
                R::Manager,
                &[P::Proposals, P::Review, P::Voting],
            ),
            (A::PostUpdate, R::Officer, &[P::Implementation]),
            (A::PostUpdate, R::Manager, &[P::Implementation]),
        ];
        for action in BudgetAction::ALL {
            for role in [
                R::Observer,
                R::Participant,
                R::Officer,
                R::Reviewer,
                R::Manager,
            ] {
                for phase in BudgetPhase::ALL.iter().copied() {
                    let expected = match action {
                        A::View => true,
                        A::Vote => phase == P::Voting,
                        _ => rows
                            .iter()
                            .any(|(a, r, ps)| *a == action && *r == role && ps.contains(&phase)),
                    };
                    assert_eq!(
                        budget_permits(role, action, phase),
                        expected,
                        "{action:?} by {role:?} in {phase:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn staff_roles_need_a_sign_in() {
        let anonymous = BudgetStanding {
            signed_in: false,
            manager: true,
            staff: vec![StaffRole::Reviewer],
        };
        assert_eq!(anonymous.roles(), vec![BudgetRole::Observer]);
        let reviewer = BudgetStanding {
            signed_in: true,
            manager: false,
            staff: vec![StaffRole::Reviewer],
        };
        assert!(reviewer.may(BudgetAction::Review, BudgetPhase::Review));
        assert_eq!(
            reviewer.refusal(BudgetAction::Review, BudgetPhase::Voting),
            Err(Msg::ErrorNotAllowedInPhase)
        );
        assert_eq!(
            reviewer.refusal(BudgetAction::EditAreas, BudgetPhase::Proposals),
            Err(Msg::ErrorNotAllowed)
        );
    }
}
