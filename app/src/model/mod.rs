//! Values that pass between the store, the use cases and the pages. Database rows are the
//! server's business (`server/src/store`); these are what the application talks about.

use crate::domain::comments::{
    ActorRole, Moderation, ModerationAction, Reason, ReportReason, Stance, Status,
};
use crate::domain::localized::Localized;
use crate::domain::org::OrgKind;
use crate::domain::process::{Level, PhaseDates};
use crate::domain::roles::{OrgRole, PersonalRole, Phase};
use crate::ids::{CommentId, DraftId, OrgId, PersonId, ProcessId, SittingId};
use serde::{Deserialize, Serialize};

mod budget;
mod mail;
mod notification;
pub use budget::*;
pub use mail::*;
pub use notification::*;

/// Milliseconds since the Unix epoch; every stored time is one of these.
pub type Millis = i64;

/// A person with an account, as the application sees them (never their password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub email: String,
    pub display_name: String,
    /// Preferred interface language (a BCP 47 tag).
    pub language: String,
    pub site_admin: bool,
    pub created_at: Millis,
    /// Whether the person has confirmed their address with a link sent to it.
    pub email_verified: bool,
}

/// What sign-up stores.
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub language: String,
    pub site_admin: bool,
}

/// An organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrgId,
    pub name: Localized,
    pub description: Localized,
    pub kind: OrgKind,
    /// When an administrator verified it; unverified organisations cannot take a role in a
    /// process, and nobody speaks for them.
    pub verified_at: Option<Millis>,
    /// When an administrator withdrew its verification, and why (public).
    pub withdrawn: Option<(Millis, String)>,
    pub created_at: Millis,
}

/// A person's membership of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org: Organisation,
    /// When an administrator confirmed that the person belongs to it.
    pub confirmed_at: Option<Millis>,
}

impl Membership {
    /// Whether the member may speak for the organisation now, and if not, why.
    pub fn may_speak(&self) -> Result<(), crate::i18n::Msg> {
        crate::domain::org::may_speak_for(
            self.org.verified_at.is_some(),
            self.confirmed_at.is_some(),
        )
    }
}

/// What registering an organisation stores.
#[derive(Clone, Debug)]
pub struct NewOrganisation {
    pub name: Localized,
    pub description: Localized,
    pub kind: OrgKind,
}

/// A member of an organisation, by public display name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person: PersonId,
    pub display_name: String,
    pub joined_at: Millis,
    /// When an administrator confirmed the membership; until then the member cannot speak for
    /// the organisation.
    pub confirmed_at: Option<Millis>,
}

/// Everything editable about a process, as one value so that create and edit share one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessFields {
    pub title: Localized,
    pub summary: Localized,
    pub level: Level,
    /// Content languages, the first being the one every text must exist in.
    pub languages: Vec<String>,
    pub rules: Localized,
    pub who_decides: Localized,
    pub legal_basis: Localized,
    pub input_outcome: Localized,
    pub schedule: Vec<PhaseDates>,
}

/// A process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub id: ProcessId,
    pub fields: ProcessFields,
    pub phase: Phase,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Process {
    /// The planned dates of a phase, if set.
    pub fn dates(&self, phase: Phase) -> Option<PhaseDates> {
        self.fields
            .schedule
            .iter()
            .copied()
            .find(|d| d.phase == phase)
    }
}

/// An organisation taking part in a process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessOrg {
    pub org: Organisation,
    pub role: OrgRole,
}

/// A person holding a role in a process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessPerson {
    pub person: PersonId,
    pub display_name: String,
    pub role: PersonalRole,
}

/// Who takes part in a process.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participants {
    pub organisations: Vec<ProcessOrg>,
    pub people: Vec<ProcessPerson>,
}

/// Who did something: a person, and the organisation they spoke for, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub person: PersonId,
    pub acting_for: Option<OrgId>,
}

/// What happened in a process; each is shown in its public activity log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    ProcessCreated,
    DetailsEdited,
    PhaseChanged {
        from: Phase,
        to: Phase,
    },
    RulesEdited,
    OrganisationRole {
        org: OrgId,
        role: Option<OrgRole>,
    },
    PersonRole {
        person: PersonId,
        role: PersonalRole,
        assigned: bool,
    },
    DraftCreated {
        draft: DraftId,
    },
    DraftLocked {
        draft: DraftId,
        locked: bool,
    },
    VersionNamed {
        draft: DraftId,
        number: i64,
    },
    /// A budget was opened in the process (participatory budgeting).
    BudgetCreated {
        budget: i64,
    },
    /// The budget's areas (amounts, rules, who may vote) were changed.
    BudgetAreasEdited {
        budget: i64,
    },
    /// An officer or reviewer was named or removed (the subject is the person).
    BudgetStaff {
        budget: i64,
        role: crate::domain::budget::StaffRole,
        assigned: bool,
    },
    BudgetPhaseChanged {
        budget: i64,
        from: crate::domain::budget::BudgetPhase,
        to: crate::domain::budget::BudgetPhase,
    },
    /// A project was proposed, or recorded from paper (the subject is its title).
    ProjectProposed {
        budget: i64,
        project: i64,
    },
    /// A reviewer's finding (the subject is the project's title).
    ProjectReviewed {
        budget: i64,
        project: i64,
        status: crate::domain::budget::ProjectStatus,
    },
    /// A winning project's implementation report (the subject is its title).
    ProjectUpdated {
        budget: i64,
        project: i64,
    },
    /// An area's census list was replaced (how many entries; never the entries).
    CensusUploaded {
        budget: i64,
        area: i64,
        entries: i64,
    },
    /// A batch of voting codes was printed for an area (how many; never the codes).
    CodesIssued {
        budget: i64,
        area: i64,
        count: i64,
    },
}

/// One entry of a process's public activity log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessEvent {
    pub at: Millis,
    pub actor_name: String,
    /// The organisation the actor spoke for, by name.
    pub org_name: Option<Localized>,
    pub kind: EventKind,
    /// Names of the organisation or person the event is about, resolved for display.
    pub subject_name: Option<String>,
}

/// The state of the sign-in throttle for one key (an email address or a network address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// Attempts in the current window not known to have succeeded.
    pub attempts: i64,
    pub window_started_at: Millis,
    pub locked_until: Option<Millis>,
}

/// A draft of a process: a proposal written together, live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: DraftId,
    pub process: ProcessId,
    pub title: String,
    /// The language the body is written in.
    pub language: String,
    pub summary: String,
    /// When a mediator locked it (nobody writes while locked).
    pub locked_at: Option<Millis>,
    pub created_at: Millis,
    /// Set when the draft holds a sitting's minutes (shown with the sitting, not as a proposal).
    pub minutes_of: Option<SittingId>,
}

/// What creating a draft stores.
#[derive(Clone, Debug)]
pub struct NewDraft {
    pub title: String,
    pub language: String,
    pub summary: String,
    /// The text it starts with (an imported document): stored with the draft, in the same
    /// transaction, so a draft never exists without the text it was started from.
    pub first_text: Option<FirstText>,
}

/// A draft's first text: one Yjs update written by `client`, bound to the draft's creator.
#[derive(Clone, Debug)]
pub struct FirstText {
    pub client: u64,
    pub update: Vec<u8>,
}

/// What naming a version stores: the text as it is, its hash, and the document state.
#[derive(Clone, Debug)]
pub struct NewVersion {
    pub name: String,
    pub text: String,
    /// SHA-256 of the text, hex.
    pub content_hash: String,
    pub state: Vec<u8>,
}

/// A named version of a draft, without its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionMeta {
    pub number: i64,
    pub name: String,
    /// SHA-256 of the text, hex.
    pub content_hash: String,
    pub author_name: String,
    pub org_name: Option<Localized>,
    pub created_at: Millis,
}

/// A named version with its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub meta: VersionMeta,
    pub text: String,
}

/// The live text of a draft, with who wrote each surviving stretch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveText {
    pub text: String,
    /// The same text in runs of one formatting each: the document's structure
    /// (`domain::document::blocks` reads it).
    pub runs: Vec<crate::domain::document::Run>,
    /// Consecutive stretches of the text and their authors (`None`: unknown, e.g. imported).
    pub stretches: Vec<(String, Option<Actor>)>,
}

/// Where a commented passage is: Yjs sticky positions of its first and last character (hex of
/// yrs's v1 encoding). They follow the passage through every later edit, by anyone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub start: String,
    pub end: String,
}

/// Where an anchored passage is now: UTF-16 offsets `(start, end)`, an empty range when its text
/// was deleted, `None` when the anchor cannot be read.
pub type Location = Option<(u32, u32)>;

/// A passage being commented on: the words as quoted, and where they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    pub quote: String,
    pub anchor: Anchor,
}

/// What a discussion is about: a draft (a passage of it, or the whole text), or a project
/// proposed to a participatory budget. Both are discussed in the same threads under their
/// process's moderation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    Draft(DraftId),
    Project { budget: i64, project: i64 },
}

impl Subject {
    /// The page its discussion is shown on, where its comment forms post.
    pub fn page(self, process: ProcessId) -> String {
        match self {
            Subject::Draft(draft) => format!("/processes/{process}/drafts/{draft}"),
            Subject::Project { budget, project } => {
                format!("/budgets/{budget}/projects/{project}")
            }
        }
    }

    /// A thread's own page.
    pub fn thread_page(self, process: ProcessId, thread: CommentId) -> String {
        format!("{}/threads/{thread}", self.page(process))
    }

    /// The draft, for a discussion of one.
    pub fn draft(self) -> Option<DraftId> {
        match self {
            Subject::Draft(draft) => Some(draft),
            Subject::Project { .. } => None,
        }
    }
}

/// What posting a comment stores.
#[derive(Clone, Debug)]
pub struct NewComment {
    pub subject: Subject,
    /// The comment replied to; `None` starts a thread.
    pub parent: Option<CommentId>,
    pub author: Actor,
    /// A name to show instead of the display name (not when speaking for an organisation).
    pub pseudonym: Option<String>,
    pub stance: Stance,
    pub body: String,
    /// The passage a thread is about; `None` for the draft as a whole (and for replies).
    pub passage: Option<Passage>,
}

/// An earlier text of an edited comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    /// Empty once removed.
    pub body: String,
    pub stance: Stance,
    pub replaced_at: Millis,
    /// The author asked for it to be removed from the public history: when, and why (shown to
    /// moderators only).
    pub removal_requested: Option<(Millis, String)>,
    /// When a moderator removed it at the author's request.
    pub removed_at: Option<Millis>,
}

/// An edit of an approved comment that waits for a moderator (pre-moderation); the approved text
/// stays shown meanwhile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEdit {
    pub body: String,
    pub stance: Stance,
    pub at: Millis,
}

/// The last moderation decision about a comment, as its author and moderators see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub action: ModerationAction,
    pub reason: Reason,
    /// The moderator's note to the author (never published in the log).
    pub note: String,
    pub by: Option<PersonId>,
    pub at: Millis,
}

/// An author's appeal against hiding their comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appeal {
    pub statement: String,
    pub created_at: Millis,
    /// The moderator who hid the comment (who may not decide the appeal).
    pub hidden_by: Option<PersonId>,
    /// `Some(true)` upheld (restored), `Some(false)` rejected, `None` waiting.
    pub upheld: Option<bool>,
    pub decided_at: Option<Millis>,
}

/// A comment with everything any reader might be shown; the use cases decide what each sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: CommentId,
    pub subject: Subject,
    pub process: ProcessId,
    pub parent: Option<CommentId>,
    pub thread: CommentId,
    pub depth: i64,
    pub author: PersonId,
    pub org: Option<OrgId>,
    pub org_name: Option<Localized>,
    /// Whether the organisation spoken for is verified now (a verification may be withdrawn).
    pub org_verified: bool,
    /// The name shown (display name or pseudonym, as it was when posted).
    pub display_name: String,
    /// Written by a council member, or by a confirmed member for a verified government body.
    pub official: bool,
    pub stance: Stance,
    pub body: String,
    pub passage: Option<Passage>,
    pub status: Status,
    pub created_at: Millis,
    pub edited_at: Option<Millis>,
    pub revisions: Vec<Revision>,
    /// An edit waiting for approval (its author and moderators see it).
    pub pending_edit: Option<PendingEdit>,
    pub decision: Option<Decision>,
    pub appeal: Option<Appeal>,
    /// Reports counting towards a hold now (for moderators).
    pub reports: i64,
    /// The reasons given in those reports (for moderators; reporters are never shown).
    pub report_reasons: Vec<ReportReason>,
}

impl Comment {
    /// Whether readers are shown it as an official answer: only while the body it was written for
    /// is still verified (or when a council member wrote it for themselves).
    pub fn shows_official(&self) -> bool {
        self.official && (self.org.is_none() || self.org_verified)
    }
}

/// One entry of a process's public moderation log: what, when, by which role, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationEntry {
    pub id: i64,
    pub at: Millis,
    pub action: ModerationAction,
    pub reason: Reason,
    pub actor_role: ActorRole,
    pub comment: Option<CommentId>,
    /// What the comment is about, for a link to it.
    pub subject: Option<Subject>,
}

/// A person barred from commenting in a process until a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bar {
    pub id: i64,
    pub person: PersonId,
    pub person_name: String,
    pub reason: Reason,
    pub note: String,
    pub until: Millis,
    pub created_at: Millis,
}

/// A bar a moderator puts on a person's commenting in a process.
#[derive(Clone, Debug)]
pub struct NewBar {
    pub person: PersonId,
    pub reason: Reason,
    /// Shown to moderators (the public log shows only the reason).
    pub note: String,
    /// The bar ends at this time.
    pub until: Millis,
}

/// How a process moderates comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationSettings {
    pub mode: Moderation,
    /// Reports from this many different people hold a comment for review.
    pub report_threshold: i64,
}

/// A moderator's decision on a comment.
#[derive(Clone, Debug)]
pub struct ModerationRequest {
    pub comment: CommentId,
    pub action: ModerationAction,
    pub reason: Reason,
    pub note: String,
}

/// An agenda item: what is discussed, and what it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub text: String,
    pub draft: Option<DraftId>,
    /// A comment thread the item takes up.
    pub thread: Option<CommentId>,
}

/// What scheduling a sitting stores.
#[derive(Clone, Debug)]
pub struct NewSitting {
    pub title: String,
    pub starts_at: Millis,
    /// A place, a link, or both.
    pub place: String,
    /// Whether the public may watch live.
    pub public: bool,
    /// How long a turn at speaking may run, in seconds.
    pub turn_seconds: u32,
    pub agenda: Vec<AgendaItem>,
    /// Organisations whose representatives are invited to speak.
    pub invited: Vec<OrgId>,
    /// People who write the minutes with the chair.
    pub note_takers: Vec<PersonId>,
}

/// A sitting with its schedule and its live state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sitting {
    pub id: SittingId,
    pub process: ProcessId,
    pub title: String,
    pub starts_at: Millis,
    pub place: String,
    pub public: bool,
    /// How long a turn at speaking may run, in seconds.
    pub turn_seconds: u32,
    /// The draft that holds the minutes.
    pub minutes: DraftId,
    pub agenda: Vec<AgendaItem>,
    pub invited: Vec<OrgId>,
    pub note_takers: Vec<PersonId>,
    pub state: crate::domain::sitting::LiveState,
    pub created_at: Millis,
    pub closed_at: Option<Millis>,
}

/// A council's decision on a draft: from the moment its text is frozen, through the answers to
/// every comment thread and the council's vote, to publication and the follow-up after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilDecision {
    pub id: crate::ids::DecisionId,
    pub process: ProcessId,
    pub draft: DraftId,
    pub draft_title: String,
    /// The language the text is written in.
    pub language: String,
    /// The named version that holds the frozen text (`None` for the moment it is being fixed).
    pub version: Option<i64>,
    /// The frozen text, and its SHA-256 in hex.
    pub text: Option<String>,
    pub text_hash: Option<String>,
    /// How much of the frozen text each organisation wrote (`None`: people for themselves).
    pub shares: Vec<TextShare>,
    /// The voting rule, fixed when the text was frozen.
    pub rule: crate::domain::decision::VotingRule,
    /// How many council members the process has (as it had when the decision was published).
    pub council: u32,
    pub frozen_at: Millis,
    pub frozen_by: String,
    pub rationale: String,
    pub published_at: Option<Millis>,
    pub published_by: Option<String>,
    pub review_on: Option<crate::domain::process::Day>,
    pub answers: Vec<ThreadAnswer>,
    pub votes: Vec<CouncilVote>,
    pub updates: Vec<FollowUp>,
}

impl CouncilDecision {
    /// The vote as it stands, computed under the decision's rule.
    pub fn tally(&self) -> crate::domain::decision::Tally {
        crate::domain::decision::Tally::of(self.votes.iter().map(|v| v.choice), self.council)
    }

    /// The answer recorded for a thread, if any.
    pub fn answer_for(&self, thread: CommentId) -> Option<&ThreadAnswer> {
        self.answers.iter().find(|a| a.threads.contains(&thread))
    }

    /// The day of the newest implementation update.
    pub fn last_update_on(&self) -> Option<crate::domain::process::Day> {
        self.updates.iter().map(|u| u.on).max()
    }
}

/// How much of a text one organisation (or nobody's organisation) wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextShare {
    pub org: Option<OrgId>,
    pub org_name: Option<Localized>,
    pub characters: usize,
}

/// One answer, given to one thread or to several threads of the same concern together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadAnswer {
    pub id: i64,
    pub threads: Vec<CommentId>,
    pub disposition: crate::domain::decision::Disposition,
    pub reason: String,
    /// Words of the adopted text that show the change it led to.
    pub change: Option<String>,
    pub by: String,
    pub at: Millis,
}

/// One of a person's own comments, and what the council answered its thread in a published
/// decision (`None` until one is published): what "My comments and their answers" lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnComment {
    pub id: CommentId,
    /// The thread it belongs to (its own id for a thread's first comment).
    pub thread: CommentId,
    pub process: ProcessId,
    pub process_title: Localized,
    /// The process's languages, to pick its title in.
    pub process_languages: Vec<String>,
    /// What it is about: a draft, or a budget's project.
    pub subject: Subject,
    /// The draft's title (in the draft's language) or the project's (in each of its languages).
    pub subject_title: Localized,
    pub body: String,
    pub status: Status,
    pub created_at: Millis,
    /// The thread's answer in a published decision (only a draft's threads are answered so).
    pub answer: Option<PublishedAnswer>,
}

/// The answer a published decision gave to a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedAnswer {
    pub decision: crate::ids::DecisionId,
    pub disposition: crate::domain::decision::Disposition,
    pub reason: String,
    /// Words of the adopted text that show the change it led to.
    pub change: Option<String>,
    pub published_at: Millis,
}

/// What answering threads stores.
#[derive(Clone, Debug)]
pub struct NewAnswer {
    pub threads: Vec<CommentId>,
    pub disposition: crate::domain::decision::Disposition,
    pub reason: String,
    pub change: Option<String>,
    /// Whether it may replace the answers of threads already answered (the council was shown
    /// which, and chose to); without it, such a selection is refused.
    pub replace: bool,
}

/// A council member's vote on a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilVote {
    pub person: PersonId,
    pub name: String,
    pub choice: crate::domain::decision::Choice,
    pub statement: String,
    pub at: Millis,
}

/// An implementation update after a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: i64,
    pub status: crate::domain::decision::FollowUpStatus,
    /// Per cent done.
    pub progress: u8,
    /// The day the update reports on.
    pub on: crate::domain::process::Day,
    pub note: String,
    pub by: String,
    pub at: Millis,
}

/// What posting an implementation update stores; it may also move the review date.
#[derive(Clone, Debug)]
pub struct NewFollowUp {
    pub status: crate::domain::decision::FollowUpStatus,
    pub progress: u8,
    pub on: crate::domain::process::Day,
    pub note: String,
    pub review_on: Option<crate::domain::process::Day>,
}

/// The frozen text of a decision, read from the live draft once nobody can write in it.
#[derive(Clone, Debug)]
pub struct FrozenText {
    /// The named version that holds it.
    pub version: NewVersion,
    pub shares: Vec<TextShare>,
}
