//! Who may do what, in which phase: the one place Baraza's permissions are decided.
//!
//! Every server action asks [`may`] (or [`site_may`]) before it writes, and the interface asks the
//! same functions to show a person only what they may do. The "how this works" page prints the
//! matrix for citizens, so what a participant reads is exactly what the server enforces.

use crate::i18n::Msg;
use crate::ids::OrgId;
use serde::{Deserialize, Serialize};

/// The phases a process moves through, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Framing,
    Drafting,
    PublicComment,
    Deliberation,
    Decision,
    FollowUp,
    Closed,
}

impl Phase {
    /// Every phase, in the order a process passes through them.
    pub const ALL: [Phase; 7] = [
        Phase::Framing,
        Phase::Drafting,
        Phase::PublicComment,
        Phase::Deliberation,
        Phase::Decision,
        Phase::FollowUp,
        Phase::Closed,
    ];

    /// The stable code used in storage, forms and the open-data API.
    pub fn code(self) -> &'static str {
        match self {
            Phase::Framing => "framing",
            Phase::Drafting => "drafting",
            Phase::PublicComment => "public_comment",
            Phase::Deliberation => "deliberation",
            Phase::Decision => "decision",
            Phase::FollowUp => "follow_up",
            Phase::Closed => "closed",
        }
    }

    /// Parses [`Phase::code`].
    pub fn from_code(code: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|phase| phase.code() == code)
    }

    /// The phase's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            Phase::Framing => Msg::PhaseFraming,
            Phase::Drafting => Msg::PhaseDrafting,
            Phase::PublicComment => Msg::PhasePublicComment,
            Phase::Deliberation => Msg::PhaseDeliberation,
            Phase::Decision => Msg::PhaseDecision,
            Phase::FollowUp => Msg::PhaseFollowUp,
            Phase::Closed => Msg::PhaseClosed,
        }
    }

    /// A sentence telling citizens what happens in this phase.
    pub fn explanation(self) -> Msg {
        match self {
            Phase::Framing => Msg::PhaseAboutFraming,
            Phase::Drafting => Msg::PhaseAboutDrafting,
            Phase::PublicComment => Msg::PhaseAboutPublicComment,
            Phase::Deliberation => Msg::PhaseAboutDeliberation,
            Phase::Decision => Msg::PhaseAboutDecision,
            Phase::FollowUp => Msg::PhaseAboutFollowUp,
            Phase::Closed => Msg::PhaseAboutClosed,
        }
    }

    /// Whether people outside the council can still shape the outcome; such processes are listed first.
    pub fn is_open_for_input(self) -> bool {
        match self {
            Phase::Drafting | Phase::PublicComment | Phase::Deliberation => true,
            Phase::Framing | Phase::Decision | Phase::FollowUp | Phase::Closed => false,
        }
    }
}

/// A capacity in which someone takes part in a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Anyone, signed in or not.
    Observer,
    /// Any signed-in person.
    Participant,
    /// A member of a co-drafting organisation, acting for that organisation.
    CoDrafter,
    /// Works the comment moderation queue, named by the process for that alone.
    Moderator,
    /// Runs the deliberation.
    Mediator,
    /// Decides.
    CouncilMember,
    /// Administers the whole site.
    SiteAdmin,
}

impl Role {
    /// Every role, from the least to the most responsibility.
    pub const ALL: [Role; 7] = [
        Role::Observer,
        Role::Participant,
        Role::CoDrafter,
        Role::Moderator,
        Role::Mediator,
        Role::CouncilMember,
        Role::SiteAdmin,
    ];

    /// The stable code used in storage and the open-data API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Observer => "observer",
            Role::Participant => "participant",
            Role::CoDrafter => "co_drafter",
            Role::Moderator => "moderator",
            Role::Mediator => "mediator",
            Role::CouncilMember => "council_member",
            Role::SiteAdmin => "site_admin",
        }
    }

    /// The role's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            Role::Observer => Msg::RoleObserver,
            Role::Participant => Msg::RoleParticipant,
            Role::CoDrafter => Msg::RoleCoDrafter,
            Role::Moderator => Msg::RoleModerator,
            Role::Mediator => Msg::RoleMediator,
            Role::CouncilMember => Msg::RoleCouncilMember,
            Role::SiteAdmin => Msg::RoleSiteAdmin,
        }
    }
}

/// A role held by a person in one process (assigned by an administrator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalRole {
    Mediator,
    CouncilMember,
    Moderator,
}

impl PersonalRole {
    /// Every personal role.
    pub const ALL: [PersonalRole; 3] = [
        PersonalRole::Mediator,
        PersonalRole::CouncilMember,
        PersonalRole::Moderator,
    ];

    /// The general role this assignment confers.
    pub fn role(self) -> Role {
        match self {
            PersonalRole::Mediator => Role::Mediator,
            PersonalRole::CouncilMember => Role::CouncilMember,
            PersonalRole::Moderator => Role::Moderator,
        }
    }

    /// Parses [`Role::code`] of the conferred role.
    pub fn from_code(code: &str) -> Option<PersonalRole> {
        PersonalRole::ALL
            .into_iter()
            .find(|r| r.role().code() == code)
    }
}

/// The part an organisation plays in one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Writes the proposal together with the other co-drafters.
    CoDrafter,
    /// Takes part (comments, sittings) without drafting.
    Participant,
}

impl OrgRole {
    /// Both organisation roles.
    pub const ALL: [OrgRole; 2] = [OrgRole::CoDrafter, OrgRole::Participant];

    /// The stable code used in storage, forms and the open-data API.
    pub fn code(self) -> &'static str {
        match self {
            OrgRole::CoDrafter => "co_drafter",
            OrgRole::Participant => "participant",
        }
    }

    /// Parses [`OrgRole::code`].
    pub fn from_code(code: &str) -> Option<OrgRole> {
        OrgRole::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The role's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            OrgRole::CoDrafter => Msg::OrgRoleCoDrafter,
            OrgRole::Participant => Msg::OrgRoleParticipant,
        }
    }
}

/// Something a person may try to do within a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read the process, its drafts, comments and record.
    View,
    /// Edit the process's details and phase dates, assign roles and organisations.
    Manage,
    /// Move the process to another phase.
    ChangePhase,
    /// Edit the rules of engagement.
    EditRules,
    /// Start a new draft in the process.
    CreateDraft,
    /// Write in a draft, and name versions of it.
    EditDraft,
    /// Lock or unlock a draft.
    LockDraft,
    /// Comment on a draft or reply to a comment.
    Comment,
    /// Report a comment to the moderators.
    Report,
    /// Work the moderation queue: approve, hide, restore, bar, decide appeals.
    Moderate,
    /// Schedule and chair sittings.
    RunSitting,
    /// Take the floor in a sitting.
    SpeakInSitting,
    /// Fix the version of the draft the council decides on.
    FreezeDraft,
    /// Record what became of each comment thread (a disposition with a reason).
    AnswerComments,
    /// Vote on the decision.
    VoteOnDecision,
    /// Publish the decision.
    PublishDecision,
    /// Report on implementation after the decision.
    PostFollowUp,
}

impl Action {
    /// Every action, in the order the "how this works" page explains them.
    pub const ALL: [Action; 17] = [
        Action::View,
        Action::Comment,
        Action::Report,
        Action::EditDraft,
        Action::CreateDraft,
        Action::SpeakInSitting,
        Action::EditRules,
        Action::LockDraft,
        Action::Moderate,
        Action::RunSitting,
        Action::ChangePhase,
        Action::FreezeDraft,
        Action::AnswerComments,
        Action::VoteOnDecision,
        Action::PublishDecision,
        Action::PostFollowUp,
        Action::Manage,
    ];

    /// The action's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            Action::View => Msg::ActionView,
            Action::Manage => Msg::ActionManage,
            Action::ChangePhase => Msg::ActionChangePhase,
            Action::EditRules => Msg::ActionEditRules,
            Action::EditDraft => Msg::ActionEditDraft,
            Action::CreateDraft => Msg::ActionCreateDraft,
            Action::LockDraft => Msg::ActionLockDraft,
            Action::Comment => Msg::ActionComment,
            Action::Report => Msg::ActionReport,
            Action::Moderate => Msg::ActionModerate,
            Action::RunSitting => Msg::ActionRunSitting,
            Action::SpeakInSitting => Msg::ActionSpeakInSitting,
            Action::FreezeDraft => Msg::ActionFreezeDraft,
            Action::AnswerComments => Msg::ActionAnswerComments,
            Action::VoteOnDecision => Msg::ActionVoteOnDecision,
            Action::PublishDecision => Msg::ActionPublishDecision,
            Action::PostFollowUp => Msg::ActionPostFollowUp,
        }
    }
}

/// Whether one role permits one action in one phase. This is the whole matrix.
pub fn permits(role: Role, action: Action, phase: Phase) -> bool {
    use Role::*;
    let open = phase != Phase::Closed;
    match action {
        Action::View => true,
        Action::Manage => role == SiteAdmin,
        Action::ChangePhase => role == SiteAdmin || (role == Mediator && open),
        Action::EditRules => matches!(role, SiteAdmin | Mediator) && open,
        Action::EditDraft => role == CoDrafter && phase == Phase::Drafting,
        // New drafts are started while the text can still be shaped, not once deciding begins.
        Action::CreateDraft => matches!(role, SiteAdmin | Mediator) && phase < Phase::Decision,
        Action::LockDraft => role == Mediator && open,
        Action::Comment => match role {
            Participant => phase == Phase::PublicComment,
            CoDrafter | Mediator => open,
            Observer | Moderator | CouncilMember | SiteAdmin => false,
        },
        // Reports stay possible after a process closes: its comments are still published.
        Action::Report => role == Participant,
        Action::Moderate => matches!(role, Mediator | Moderator),
        Action::RunSitting => role == Mediator && open,
        Action::SpeakInSitting => matches!(role, CoDrafter | Mediator | CouncilMember) && open,
        Action::FreezeDraft | Action::AnswerComments => {
            matches!(role, Mediator | CouncilMember) && phase == Phase::Decision
        }
        Action::VoteOnDecision | Action::PublishDecision => {
            role == CouncilMember && phase == Phase::Decision
        }
        Action::PostFollowUp => role == CouncilMember && phase == Phase::FollowUp,
    }
}

/// Everything that decides a person's roles in one process, gathered by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// Signed in at all (a participant), or an anonymous observer.
    pub signed_in: bool,
    /// A site administrator.
    pub site_admin: bool,
    /// Roles assigned to the person in this process.
    pub personal: Vec<PersonalRole>,
    /// Organisations the person belongs to that co-draft this process.
    pub co_drafting_orgs: Vec<OrgId>,
}

impl Standing {
    /// An anonymous visitor.
    pub fn observer() -> Standing {
        Standing::default()
    }

    /// The roles a person holds when acting as themselves (`None`) or for an organisation.
    /// Speaking for an organisation, a person holds only what the organisation holds (co-drafting,
    /// if it co-drafts): a mediator or an administrator who belongs to an organisation does not
    /// lend it their office, and their office's acts are never recorded as the organisation's.
    pub fn roles(&self, acting_for: Option<OrgId>) -> Vec<Role> {
        let mut roles = vec![Role::Observer];
        if !self.signed_in {
            return roles;
        }
        roles.push(Role::Participant);
        match acting_for {
            Some(org) => {
                if self.co_drafting_orgs.contains(&org) {
                    roles.push(Role::CoDrafter);
                }
            }
            None => {
                roles.extend(self.personal.iter().map(|r| r.role()));
                if self.site_admin {
                    roles.push(Role::SiteAdmin);
                }
            }
        }
        roles.sort();
        roles.dedup();
        roles
    }

    /// Whether the person, acting as given, may take `action` in `phase`.
    pub fn may(&self, acting_for: Option<OrgId>, action: Action, phase: Phase) -> bool {
        self.roles(acting_for)
            .into_iter()
            .any(|role| permits(role, action, phase))
    }

    /// Whether the person, acting as given, may take `action` in `phase`; if not, why: not in this
    /// phase (they may in another), or not at all. What every refusal says.
    pub fn refusal(
        &self,
        acting_for: Option<OrgId>,
        action: Action,
        phase: Phase,
    ) -> Result<(), Msg> {
        if self.may(acting_for, action, phase) {
            Ok(())
        } else if Phase::ALL
            .into_iter()
            .any(|p| self.may(acting_for, action, p))
        {
            Err(Msg::ErrorNotAllowedInPhase)
        } else {
            Err(Msg::ErrorNotAllowed)
        }
    }

    /// Whether the person may take `action` in some capacity open to them (as themselves or for
    /// any co-drafting organisation): what the interface uses to decide whether to offer it.
    pub fn may_somehow(&self, action: Action, phase: Phase) -> bool {
        self.may(None, action, phase)
            || self
                .co_drafting_orgs
                .iter()
                .any(|org| self.may(Some(*org), action, phase))
    }
}

/// Something only a site-wide role may do, outside any one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteAction {
    /// Open a new process.
    CreateProcess,
    /// Register a new organisation (it waits for verification).
    RegisterOrganisation,
    /// Verify an organisation, add and remove its members.
    ManageOrganisations,
    /// See the list of accounts and grant administration.
    ManagePeople,
}

impl SiteAction {
    /// Every site action.
    pub const ALL: [SiteAction; 4] = [
        SiteAction::CreateProcess,
        SiteAction::RegisterOrganisation,
        SiteAction::ManageOrganisations,
        SiteAction::ManagePeople,
    ];
}

coded! {
    /// A person's role on the whole site (`people.site_role`).
    SiteRole {
        /// Everyone with an account.
        Member = "member" => RoleParticipant,
        /// Administers the site: opens processes, verifies organisations, grants administration.
        Admin = "admin" => RoleSiteAdmin,
    }
}

impl SiteRole {
    /// The role of someone who is (or is not) an administrator.
    pub fn of(admin: bool) -> SiteRole {
        if admin {
            SiteRole::Admin
        } else {
            SiteRole::Member
        }
    }

    /// The role a stored code names; an unknown code grants nothing.
    pub fn parse(code: &str) -> SiteRole {
        SiteRole::from_code(code).unwrap_or(SiteRole::Member)
    }

    /// Whether this role administers the site.
    pub fn is_admin(self) -> bool {
        self == SiteRole::Admin
    }
}

/// Whether someone (anonymous when `signed_in` is false) may take a site-wide action.
pub fn site_may(signed_in: bool, site_admin: bool, action: SiteAction) -> bool {
    match action {
        SiteAction::RegisterOrganisation => signed_in,
        SiteAction::CreateProcess | SiteAction::ManageOrganisations | SiteAction::ManagePeople => {
            signed_in && site_admin
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, written out by hand so that any change to [`permits`] must be made twice,
    /// on purpose. Rows are (action, role); columns are the seven phases in order:
    /// framing, drafting, public comment, deliberation, decision, follow-up, closed.
    const EXPECTED: &[(Action, Role, &str)] = &[
        (Action::View, Role::Observer, "1111111"),
        (Action::View, Role::Participant, "1111111"),
        (Action::View, Role::CoDrafter, "1111111"),
        (Action::View, Role::Moderator, "1111111"),
        (Action::View, Role::Mediator, "1111111"),
        (Action::View, Role::CouncilMember, "1111111"),
        (Action::View, Role::SiteAdmin, "1111111"),
        (Action::Manage, Role::SiteAdmin, "1111111"),
        (Action::ChangePhase, Role::Mediator, "1111110"),
        (Action::ChangePhase, Role::SiteAdmin, "1111111"),
        (Action::EditRules, Role::Mediator, "1111110"),
        (Action::EditRules, Role::SiteAdmin, "1111110"),
        (Action::EditDraft, Role::CoDrafter, "0100000"),
        (Action::CreateDraft, Role::Mediator, "1111000"),
        (Action::CreateDraft, Role::SiteAdmin, "1111000"),
        (Action::LockDraft, Role::Mediator, "1111110"),
        (Action::Comment, Role::Participant, "0010000"),
        (Action::Comment, Role::CoDrafter, "1111110"),
        (Action::Comment, Role::Mediator, "1111110"),
        (Action::Report, Role::Participant, "1111111"),
        (Action::Moderate, Role::Moderator, "1111111"),
        (Action::Moderate, Role::Mediator, "1111111"),
        (Action::RunSitting, Role::Mediator, "1111110"),
        (Action::SpeakInSitting, Role::CoDrafter, "1111110"),
        (Action::SpeakInSitting, Role::Mediator, "1111110"),
        (Action::SpeakInSitting, Role::CouncilMember, "1111110"),
        (Action::FreezeDraft, Role::Mediator, "0000100"),
        (Action::FreezeDraft, Role::CouncilMember, "0000100"),
        (Action::AnswerComments, Role::Mediator, "0000100"),
        (Action::AnswerComments, Role::CouncilMember, "0000100"),
        (Action::VoteOnDecision, Role::CouncilMember, "0000100"),
        (Action::PublishDecision, Role::CouncilMember, "0000100"),
        (Action::PostFollowUp, Role::CouncilMember, "0000010"),
    ];

    #[test]
    fn the_whole_matrix_is_as_written() {
        for action in Action::ALL {
            for role in Role::ALL {
                let row = EXPECTED
                    .iter()
                    .find(|(a, r, _)| *a == action && *r == role)
                    .map(|(_, _, row)| *row)
                    .unwrap_or("0000000");
                for (phase, expected) in Phase::ALL.into_iter().zip(row.chars()) {
                    assert_eq!(
                        permits(role, action, phase),
                        expected == '1',
                        "{role:?} {action:?} in {phase:?}"
                    );
                }
            }
        }
        // Every listed row names a real (action, role) pair exactly once.
        for (i, (a, r, _)) in EXPECTED.iter().enumerate() {
            assert!(
                !EXPECTED[i + 1..]
                    .iter()
                    .any(|(a2, r2, _)| a2 == a && r2 == r)
            );
        }
    }

    #[test]
    fn co_drafting_applies_only_when_acting_for_a_co_drafting_organisation() {
        let member = Standing {
            signed_in: true,
            co_drafting_orgs: vec![OrgId(7)],
            ..Standing::default()
        };
        assert!(!member.may(None, Action::EditDraft, Phase::Drafting));
        assert!(!member.may(Some(OrgId(8)), Action::EditDraft, Phase::Drafting));
        assert!(member.may(Some(OrgId(7)), Action::EditDraft, Phase::Drafting));
        assert!(member.may_somehow(Action::EditDraft, Phase::Drafting));
        assert!(!member.may_somehow(Action::EditDraft, Phase::PublicComment));
    }

    #[test]
    fn speaking_for_an_organisation_carries_only_its_role() {
        let mediator_and_member = Standing {
            signed_in: true,
            site_admin: true,
            personal: vec![PersonalRole::Mediator],
            co_drafting_orgs: vec![OrgId(3)],
        };
        assert_eq!(
            mediator_and_member.roles(Some(OrgId(3))),
            vec![Role::Observer, Role::Participant, Role::CoDrafter]
        );
        assert_eq!(
            mediator_and_member.roles(Some(OrgId(4))),
            vec![Role::Observer, Role::Participant]
        );
        assert!(!mediator_and_member.may(Some(OrgId(3)), Action::EditRules, Phase::Drafting));
        assert!(mediator_and_member.may(None, Action::EditRules, Phase::Drafting));
        assert!(!mediator_and_member.may(None, Action::EditDraft, Phase::Drafting));
    }

    /// Every variant has a distinct place, so `ALL` cannot silently leave one out: adding a variant
    /// breaks these matches until it is placed, and the place must then appear in `ALL`.
    #[test]
    fn all_lists_every_variant() {
        fn action_place(a: Action) -> usize {
            match a {
                Action::View => 0,
                Action::Manage => 1,
                Action::ChangePhase => 2,
                Action::EditRules => 3,
                Action::EditDraft => 4,
                Action::LockDraft => 5,
                Action::Comment => 6,
                Action::Moderate => 7,
                Action::RunSitting => 8,
                Action::SpeakInSitting => 9,
                Action::FreezeDraft => 10,
                Action::VoteOnDecision => 11,
                Action::PublishDecision => 12,
                Action::PostFollowUp => 13,
                Action::CreateDraft => 14,
                Action::Report => 15,
                Action::AnswerComments => 16,
            }
        }
        fn role_place(r: Role) -> usize {
            match r {
                Role::Observer => 0,
                Role::Participant => 1,
                Role::CoDrafter => 2,
                Role::Mediator => 3,
                Role::CouncilMember => 4,
                Role::SiteAdmin => 5,
                Role::Moderator => 6,
            }
        }
        fn phase_place(p: Phase) -> usize {
            match p {
                Phase::Framing => 0,
                Phase::Drafting => 1,
                Phase::PublicComment => 2,
                Phase::Deliberation => 3,
                Phase::Decision => 4,
                Phase::FollowUp => 5,
                Phase::Closed => 6,
            }
        }
        fn is_permutation(mut places: Vec<usize>) -> bool {
            places.sort();
            places.iter().enumerate().all(|(i, p)| i == *p)
        }
        assert!(is_permutation(
            Action::ALL.iter().map(|a| action_place(*a)).collect()
        ));
        assert!(is_permutation(
            Role::ALL.iter().map(|r| role_place(*r)).collect()
        ));
        assert!(is_permutation(
            Phase::ALL.iter().map(|p| phase_place(*p)).collect()
        ));
    }

    #[test]
    fn anonymous_visitors_only_observe() {
        let anonymous = Standing {
            signed_in: false,
            site_admin: true,
            personal: vec![PersonalRole::Mediator],
            co_drafting_orgs: vec![OrgId(1)],
        };
        assert_eq!(anonymous.roles(Some(OrgId(1))), vec![Role::Observer]);
        for phase in Phase::ALL {
            for action in Action::ALL {
                assert_eq!(anonymous.may_somehow(action, phase), action == Action::View);
            }
        }
    }

    #[test]
    fn site_actions() {
        for action in SiteAction::ALL {
            assert!(!site_may(false, false, action));
            assert!(site_may(true, true, action));
        }
        assert!(site_may(true, false, SiteAction::RegisterOrganisation));
        assert!(!site_may(true, false, SiteAction::CreateProcess));
        assert!(!site_may(true, false, SiteAction::ManageOrganisations));
        assert!(!site_may(true, false, SiteAction::ManagePeople));
    }

    #[test]
    fn phase_codes_round_trip_and_are_ordered() {
        for (i, phase) in Phase::ALL.into_iter().enumerate() {
            assert_eq!(Phase::from_code(phase.code()), Some(phase));
            if i > 0 {
                assert!(Phase::ALL[i - 1] < phase);
            }
        }
    }
}
