//! The storage interface. The server implements it once, over SQLite and PostgreSQL alike.
//!
//! Each method that changes a process is one use case in one transaction: it checks, inside that
//! transaction, that the actor may act (with [`crate::domain::roles`]), writes, and appends to the
//! process's public activity log.

use super::changes::{Publish, Written};
#[allow(unused_imports)] // for the doc links
use crate::domain::budget::BudgetAction;
use crate::domain::budget::{BudgetPhase, BudgetStanding, StaffRole};
use crate::domain::comments::{ReportReason, Stance};
use crate::domain::decision::{Choice, VotingRule};
use crate::domain::localized::Localized;
use crate::domain::notice::FollowSubject;
use crate::domain::process::Day;
use crate::domain::record::Entry;
#[allow(unused_imports)] // for the doc links
use crate::domain::roles::Action;
use crate::domain::roles::{OrgRole, PersonalRole, Phase, Standing};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::ids::{CommentId, DecisionId, DraftId, OrgId, PersonId, ProcessId, SittingId};
use crate::model::*;

/// Baraza's persistent state: every part of it, one trait per concept, each implemented in its
/// own file of `server/src/store`.
#[async_trait::async_trait]
pub trait Store:
    People
    + Throttles
    + Sessions
    + Organisations
    + Processes
    + Drafts
    + DraftLog
    + Versions
    + Comments
    + Moderation
    + Sittings
    + Decisions
    + Answers
    + Budgets
    + Ballots
    + Devices
    + Outbox
    + PasswordResets
    + EmailVerifications
    + Follows
    + Notifications
    + Send
    + Sync
    + 'static
{
    /// Whether the database holds no people and no processes (the demo loads only then).
    async fn is_empty(&self) -> AppResult<bool>;
}

/// Mail on its way out, as administrators read it at `/admin/outbox`. Mail is written by the use
/// case that causes it, in its transaction; the server's delivery worker sends it.
#[async_trait::async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Up to `limit` mails, newest first, older than the mail `before` when given.
    async fn outbox(&self, before: Option<i64>, limit: i64) -> AppResult<Vec<OutboxMail>>;
    /// How many mails are in each state (states without mail are left out).
    async fn outbox_counts(&self) -> AppResult<Vec<(MailState, i64)>>;
}

/// Following processes, drafts and threads, for oneself or on behalf of an organisation.
#[async_trait::async_trait]
pub trait Follows: Send + Sync + 'static {
    /// `person` follows the subject, or, with `org`, follows it on behalf of that organisation
    /// (they must be able to speak for it). Following twice is following once.
    async fn follow(
        &self,
        person: PersonId,
        subject: FollowSubject,
        id: i64,
        org: Option<OrgId>,
        now: Millis,
    ) -> AppResult<()>;
    /// Stops following (for oneself, or for `org`, which a member may do for it).
    async fn unfollow(
        &self,
        person: PersonId,
        subject: FollowSubject,
        id: i64,
        org: Option<OrgId>,
    ) -> AppResult<()>;
    /// Who follows the subject among `person` (`None`) and the organisations they belong to.
    async fn followed_as(
        &self,
        person: PersonId,
        subject: FollowSubject,
        id: i64,
    ) -> AppResult<Vec<Option<OrgId>>>;
    /// Everything `person` follows, themselves or through their organisations.
    async fn follows(&self, person: PersonId) -> AppResult<Vec<Followed>>;
}

/// The notification centre, and how notices reach a person. Notices themselves are written by
/// the use cases that cause them, in their transactions.
#[async_trait::async_trait]
pub trait Notifications: Send + Sync + 'static {
    /// Up to `limit` of `person`'s notifications, newest first, older than `before` if given.
    async fn notifications(
        &self,
        person: PersonId,
        before: Option<i64>,
        limit: i64,
    ) -> AppResult<Vec<Notification>>;
    /// How many of `person`'s notifications are unread.
    async fn unread_notifications(&self, person: PersonId) -> AppResult<i64>;
    /// Marks `person`'s notifications with ids from `oldest` to `newest` (those a page showed)
    /// as read; returns how many were unread.
    async fn mark_notifications_read(
        &self,
        person: PersonId,
        oldest: i64,
        newest: i64,
        now: Millis,
    ) -> AppResult<u64>;
    /// How notices reach `person`.
    async fn notification_settings(&self, person: PersonId) -> AppResult<NotificationSettings>;
    /// Saves how notices reach `person`; notices waiting for a digest move to the new choice.
    async fn set_notification_settings(
        &self,
        person: PersonId,
        settings: &NotificationSettings,
    ) -> AppResult<()>;
    /// What the unsubscribe link `token` stops (a kind's code, `daily` or `weekly`), if it is one.
    async fn unsubscribe_list(&self, token: &str) -> AppResult<Option<String>>;
    /// Stops the mail of the link's list (its notices stay on the site); returns the list.
    async fn unsubscribe(&self, token: &str) -> AppResult<Option<String>>;
}

/// A link that confirms an email address, and the mail that carries it.
pub struct AddressCheck<'a> {
    /// The SHA-256 of the link's token.
    pub token_hash: String,
    pub expires_at: Millis,
    /// Writes the mail to the person, whose `email` is the address to confirm.
    pub compose: &'a crate::mail::Compose,
}

/// Confirming email addresses: at sign-up, and when an account changes its address.
#[async_trait::async_trait]
pub trait EmailVerifications: Send + Sync + 'static {
    /// Sends a link to confirm `email` as `person`'s address: their own (again), or a new one
    /// (`tell_old` then writes the word to the old address, in the same transaction). A new
    /// address another account has is a field error on `email`. Older links stop working.
    async fn request_email_verification(
        &self,
        person: PersonId,
        email: &str,
        check: &AddressCheck<'_>,
        tell_old: Option<&crate::mail::Compose>,
        now: Millis,
    ) -> AppResult<()>;
    /// Whose address a link still confirms, and which address (unused, unexpired, the newest).
    async fn email_verification(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> AppResult<Option<(Person, String)>>;
    /// Uses a link once: the account's address becomes the one it confirms, confirmed now.
    /// `None` if the link does not work; a conflict if another account took the address since.
    async fn verify_email(&self, token_hash: &str, now: Millis) -> AppResult<Option<PersonId>>;
}

/// Password reset links, kept only as hashes.
#[async_trait::async_trait]
pub trait PasswordResets: Send + Sync + 'static {
    /// If an account has `email`, stores a reset link's `token_hash` (working until `expires_at`)
    /// and, in the same transaction, puts the mail `compose` writes for its owner in the outbox.
    /// An unknown address does nothing, and the caller cannot tell the difference.
    async fn start_password_reset(
        &self,
        email: &str,
        token_hash: &str,
        now: Millis,
        expires_at: Millis,
        compose: &crate::mail::Compose,
    ) -> AppResult<()>;
    /// Whose account a reset link still works for (unused, unexpired, and the newest).
    async fn password_reset_owner(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> AppResult<Option<Person>>;
    /// Uses a reset link once: sets the new password, ends every session and forgets every
    /// recognised browser of its owner, makes their other links useless, and puts the mail
    /// `compose` writes in the outbox, all in one transaction. `None` if the link does not work.
    async fn finish_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
        compose: &crate::mail::Compose,
    ) -> AppResult<Option<PersonId>>;
}

/// People with accounts: sign-up, profiles, site administration.
#[async_trait::async_trait]
pub trait People: Send + Sync + 'static {
    /// Creates an account; an email already in use is a field error on `email`, a display name
    /// that reads the same as an office-holder's or a verified organisation's one on
    /// `display_name` (`domain::names`). With `check`, the address waits to be confirmed and the
    /// mail with the link goes in the outbox in the same transaction; without one, it counts as
    /// confirmed (the demo's accounts).
    async fn create_person(
        &self,
        new: NewPerson,
        now: Millis,
        check: Option<&AddressCheck<'_>>,
    ) -> AppResult<PersonId>;
    /// The id and password hash for an (already normalised) email.
    async fn credentials(&self, email: &str) -> AppResult<Option<(PersonId, String)>>;
    /// One person.
    async fn person(&self, id: PersonId) -> AppResult<Option<Person>>;
    /// One person, by normalised email.
    async fn person_by_email(&self, email: &str) -> AppResult<Option<Person>>;
    /// Everyone, for administrators.
    async fn people(&self) -> AppResult<Vec<Person>>;
    /// Changes display name and preferred language (the display name checked as at sign-up).
    async fn update_profile(
        &self,
        id: PersonId,
        display_name: &str,
        language: &str,
    ) -> AppResult<()>;
    /// Replaces the password hash.
    async fn set_password_hash(&self, id: PersonId, hash: &str) -> AppResult<()>;
    /// Grants or withdraws site administration; `by` must be an administrator.
    async fn set_site_admin(&self, by: PersonId, id: PersonId, admin: bool) -> AppResult<()>;
    /// Makes the account with this email an administrator, for the operator at the command line
    /// (how a new installation gets its first administrator). False if there is no such account.
    async fn bootstrap_admin(&self, email: &str) -> AppResult<bool>;
}

/// The sign-in throttle's counts, shared by every server node (`domain::throttle`).
#[async_trait::async_trait]
pub trait Throttles: Send + Sync + 'static {
    /// Counts one attempt for a key, atomically, and returns the key's state after it.
    async fn throttle_count(&self, key: &str, now: Millis) -> AppResult<Throttle>;
    /// Gives back one attempt (a sign-in from this address succeeded).
    async fn throttle_uncount(&self, key: &str) -> AppResult<()>;
    /// Stores a key's throttle state (a new window, a lock).
    async fn set_throttle(&self, key: &str, state: Throttle) -> AppResult<()>;
    /// Forgets a key's attempts (after a successful sign-in).
    async fn clear_throttle(&self, key: &str) -> AppResult<()>;
    /// Forgets keys whose window and lock have both passed.
    async fn throttle_purge(&self, now: Millis) -> AppResult<u64>;
}

/// Sign-in sessions (opaque JSON records for tower-sessions).
#[async_trait::async_trait]
pub trait Sessions: Send + Sync + 'static {
    /// Inserts a new session record; false if the id is taken.
    async fn session_create(
        &self,
        id: &str,
        data: &str,
        expires_at: Millis,
        person: Option<PersonId>,
    ) -> AppResult<bool>;
    /// Inserts or replaces a session record.
    async fn session_save(
        &self,
        id: &str,
        data: &str,
        expires_at: Millis,
        person: Option<PersonId>,
    ) -> AppResult<()>;
    /// Ends every session of a person except `keep` (after a password change).
    async fn sessions_end_others(&self, person: PersonId, keep: &str) -> AppResult<u64>;
    /// A session record that has not expired, with its expiry time.
    async fn session_load(&self, id: &str, now: Millis) -> AppResult<Option<(String, Millis)>>;
    /// Deletes a session record.
    async fn session_delete(&self, id: &str) -> AppResult<()>;
    /// Deletes expired session records; returns how many.
    async fn session_purge(&self, now: Millis) -> AppResult<u64>;
}

/// Organisations, their verification and their members.
#[async_trait::async_trait]
pub trait Organisations: Send + Sync + 'static {
    /// Registers an organisation (unverified) with its founder as first member (unconfirmed); a
    /// name that reads the same as another organisation's is a field error on `name`.
    async fn create_organisation(
        &self,
        new: NewOrganisation,
        founder: PersonId,
        now: Millis,
    ) -> AppResult<Written<OrgId>>;
    /// One organisation.
    async fn organisation(&self, id: OrgId) -> AppResult<Option<Organisation>>;
    /// All organisations.
    async fn organisations(&self) -> AppResult<Vec<Organisation>>;
    /// The organisations with these ids (those that exist), in one query.
    async fn organisations_among(&self, ids: &[OrgId]) -> AppResult<Vec<Organisation>>;
    /// Marks an organisation verified, in the public record; `by` must be allowed to manage
    /// organisations.
    async fn verify_organisation(
        &self,
        by: PersonId,
        id: OrgId,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Withdraws an organisation's verification, with a public reason, in the public record: its
    /// members stop speaking for it at once (409 if it is not verified).
    async fn withdraw_verification(
        &self,
        by: PersonId,
        id: OrgId,
        reason: &str,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Confirms that a member belongs to the organisation, so that they may speak for it.
    async fn confirm_membership(
        &self,
        by: PersonId,
        org: OrgId,
        person: PersonId,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Adds (confirmed, since an administrator vouches for them) or removes a member; `by` must
    /// be allowed to manage organisations.
    async fn set_membership(
        &self,
        by: PersonId,
        org: OrgId,
        person: PersonId,
        member: bool,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// An organisation's members.
    async fn members(&self, org: OrgId) -> AppResult<Vec<Member>>;
    /// The organisations a person belongs to, and whether each membership is confirmed.
    async fn memberships(&self, person: PersonId) -> AppResult<Vec<Membership>>;
}

/// Processes: their fields, phases, roles and public activity log.
#[async_trait::async_trait]
pub trait Processes: Send + Sync + 'static {
    /// Opens a process in its framing phase; `actor` must be allowed to create processes.
    async fn create_process(
        &self,
        actor: Actor,
        fields: ProcessFields,
        now: Millis,
    ) -> AppResult<Written<ProcessId>>;
    /// One process.
    async fn process(&self, id: ProcessId) -> AppResult<Option<Process>>;
    /// All processes.
    async fn processes(&self) -> AppResult<Vec<Process>>;
    /// Replaces a process's editable fields ([`Action::Manage`]).
    async fn update_process(
        &self,
        actor: Actor,
        id: ProcessId,
        fields: ProcessFields,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Moves a process to another phase ([`Action::ChangePhase`]).
    async fn set_phase(
        &self,
        actor: Actor,
        id: ProcessId,
        phase: Phase,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Replaces the rules of engagement ([`Action::EditRules`]).
    async fn set_rules(
        &self,
        actor: Actor,
        id: ProcessId,
        rules: Localized,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Gives an organisation a role in a process, or removes it (`None`) ([`Action::Manage`]).
    async fn set_org_role(
        &self,
        actor: Actor,
        id: ProcessId,
        org: OrgId,
        role: Option<OrgRole>,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Assigns or withdraws a person's role in a process ([`Action::Manage`]).
    async fn set_person_role(
        &self,
        actor: Actor,
        id: ProcessId,
        person: PersonId,
        role: PersonalRole,
        assigned: bool,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Who takes part in a process.
    async fn participants(&self, id: ProcessId) -> AppResult<Participants>;
    /// A person's standing in a process (an anonymous observer's when `person` is `None`).
    async fn standing(&self, id: ProcessId, person: Option<PersonId>) -> AppResult<Standing>;
    /// The newest entries of a process's activity log.
    async fn events(&self, id: ProcessId, limit: i64) -> AppResult<Vec<ProcessEvent>>;
}

/// Drafts of a process, and who may write in them.
#[async_trait::async_trait]
pub trait Drafts: Send + Sync + 'static {
    /// Creates a draft in a process ([`Action::CreateDraft`]), with its first text, if any, in
    /// the same transaction.
    async fn create_draft(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewDraft,
        now: Millis,
    ) -> AppResult<Written<DraftId>>;
    /// One draft.
    async fn draft(&self, id: DraftId) -> AppResult<Option<Draft>>;
    /// A process's drafts, oldest first.
    async fn drafts(&self, process: ProcessId) -> AppResult<Vec<Draft>>;
    /// Locks or unlocks a draft ([`Action::LockDraft`]).
    async fn set_draft_lock(
        &self,
        actor: Actor,
        id: DraftId,
        locked: bool,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Whether `actor` may write in the draft now; if not, why ([`Action::EditDraft`], the lock).
    async fn draft_write_access(&self, id: DraftId, actor: Actor) -> AppResult<Result<(), Msg>>;
}

/// A draft's live document as stored: snapshots, the update log, client bindings, compaction.
#[async_trait::async_trait]
pub trait DraftLog: Send + Sync + 'static {
    /// The latest snapshot of the draft's document: `(seq, state)`, the document as of update `seq`.
    async fn draft_snapshot(&self, id: DraftId) -> AppResult<Option<(i64, Vec<u8>)>>;
    /// The number of the update the latest snapshot ends with (0 without one). Cheap: a reader
    /// checks it to find out whether a compaction removed updates it was about to read.
    async fn draft_snapshot_seq(&self, id: DraftId) -> AppResult<i64>;
    /// At most `limit` stored updates numbered after `after`, in order: `(seq, update)`.
    async fn draft_updates_after(
        &self,
        id: DraftId,
        after: i64,
        limit: i64,
    ) -> AppResult<Vec<(i64, Vec<u8>)>>;
    /// Stores accepted updates as numbers `first_seq`, `first_seq + 1`, … in one transaction
    /// (one commit for the group). `Ok(false)` stores nothing: another server took one of these
    /// numbers first, so the caller must read what it missed and number its updates again.
    async fn append_draft_updates(
        &self,
        id: DraftId,
        first_seq: i64,
        updates: &[(Actor, Vec<u8>)],
        now: Millis,
    ) -> AppResult<bool>;
    /// Compaction: stores `state`, the document as of update `seq`, and deletes the updates it
    /// contains, in one transaction. `Ok(false)` changes nothing: a snapshot as new or newer is
    /// already stored (another server compacted first).
    async fn compact_draft(
        &self,
        id: DraftId,
        seq: i64,
        state: &[u8],
        now: Millis,
    ) -> AppResult<bool>;
    /// Binds a Yjs client id to an author, unless already bound; returns the binding in force.
    async fn bind_draft_client(&self, id: DraftId, client: u64, author: Actor) -> AppResult<Actor>;
    /// Every client id of the draft and its author.
    async fn draft_clients(&self, id: DraftId) -> AppResult<Vec<(u64, Actor)>>;
    /// Drafts written as plain text before drafts had structure, still waiting to be given it,
    /// each with the person who created it.
    async fn legacy_plain_drafts(&self) -> AppResult<Vec<(DraftId, PersonId)>>;
    /// Takes a draft off that list (it has its structure now, or never needs one).
    async fn forget_legacy_draft(&self, id: DraftId) -> AppResult<()>;
}

/// Named versions of drafts.
#[async_trait::async_trait]
pub trait Versions: Send + Sync + 'static {
    /// Names the current text a version ([`Action::EditDraft`]); returns its number.
    async fn create_version(
        &self,
        actor: Actor,
        id: DraftId,
        version: NewVersion,
        now: Millis,
    ) -> AppResult<Written<i64>>;
    /// A draft's named versions, newest first.
    async fn versions(&self, id: DraftId) -> AppResult<Vec<VersionMeta>>;
    /// One named version with its text.
    async fn version(&self, id: DraftId, number: i64) -> AppResult<Option<Version>>;
    /// The whole document of a named version (a Yjs update), with its formatting: what its
    /// exports are made from.
    async fn version_state(&self, id: DraftId, number: i64) -> AppResult<Option<Vec<u8>>>;
}

/// Comments on drafts and on budget projects: posting, reading, editing, withdrawing, reporting
/// and appealing. Every method that changes something checks, in its transaction, who may do it
/// now: in the process's current phase for a draft ([`Action::Comment`], [`Action::Report`]), in
/// the budget's for a project (`BudgetAction::Comment`, `BudgetAction::Report`).
#[async_trait::async_trait]
pub trait Comments: Send + Sync + 'static {
    /// Posts a comment or a reply ([`Action::Comment`]), unless the author is barred or over the
    /// rate limit. Pre-moderated processes keep it pending.
    async fn create_comment(&self, new: NewComment, now: Millis) -> AppResult<Written<Comment>>;
    /// Every comment on a draft or a project, oldest first, whatever its status.
    async fn comments(&self, subject: Subject) -> AppResult<Vec<Comment>>;
    /// One comment.
    async fn comment(&self, id: CommentId) -> AppResult<Option<Comment>>;
    /// Replaces a comment's text and stance, keeping the old ones (its author, while they may
    /// still comment).
    async fn edit_comment(
        &self,
        person: PersonId,
        id: CommentId,
        body: &str,
        stance: Stance,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// Withdraws a comment (its author, in any phase); its place in the thread remains.
    async fn withdraw_comment(
        &self,
        person: PersonId,
        id: CommentId,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// Reports a comment ([`Action::Report`]); once per person. Enough reports hold it.
    async fn report_comment(
        &self,
        person: PersonId,
        id: CommentId,
        reason: ReportReason,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// The comments on a draft or a project that `person` has reported.
    async fn reported_by(&self, person: PersonId, subject: Subject) -> AppResult<Vec<CommentId>>;
    /// The author appeals against hiding their comment, once.
    async fn appeal_comment(
        &self,
        person: PersonId,
        id: CommentId,
        statement: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// The author asks for an earlier text of their comment to be removed from its public history.
    async fn request_revision_removal(
        &self,
        person: PersonId,
        revision: i64,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
}

/// Moderation in the open: the process's settings, decisions on comments, edits, appeals and
/// requests, bars, the queue and the public moderation log. Every decision checks
/// [`Action::Moderate`] in its transaction and that nobody decides about themselves.
#[async_trait::async_trait]
pub trait Moderation: Send + Sync + 'static {
    /// How a process moderates comments.
    async fn moderation_settings(&self, process: ProcessId) -> AppResult<ModerationSettings>;
    /// Changes how a process moderates comments ([`Action::EditRules`]).
    async fn set_moderation_settings(
        &self,
        actor: Actor,
        process: ProcessId,
        settings: ModerationSettings,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Approves, hides or restores a comment ([`Action::Moderate`]); never its own author.
    async fn moderate_comment(
        &self,
        person: PersonId,
        request: ModerationRequest,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// Decides an appeal ([`Action::Moderate`]); not by the moderator who hid the comment, nor
    /// by its author.
    async fn decide_appeal(
        &self,
        person: PersonId,
        id: CommentId,
        upheld: bool,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// Publishes (`approve`) or declines an edit of an approved comment that waits under
    /// pre-moderation ([`Action::Moderate`]); never its own author. A decline needs a breach
    /// reason.
    async fn decide_edit(
        &self,
        person: PersonId,
        id: CommentId,
        approve: bool,
        reason: crate::domain::comments::Reason,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// Removes (`remove`) an earlier text of a comment in `process` at its author's request, or
    /// keeps it ([`Action::Moderate`]); never by the author.
    async fn decide_revision_removal(
        &self,
        person: PersonId,
        process: ProcessId,
        revision: i64,
        remove: bool,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>>;
    /// Bars a person from commenting in a process until a time ([`Action::Moderate`]).
    async fn bar_commenter(
        &self,
        by: PersonId,
        process: ProcessId,
        bar: NewBar,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Lifts a bar early ([`Action::Moderate`]).
    async fn lift_bar(
        &self,
        by: PersonId,
        process: ProcessId,
        bar: i64,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// The bars in force in a process.
    async fn bars(&self, process: ProcessId, now: Millis) -> AppResult<Vec<Bar>>;
    /// What waits for moderators in a process: pending and held comments, edits waiting for
    /// approval, open appeals and requests to remove an earlier text.
    async fn moderation_queue(&self, process: ProcessId) -> AppResult<Vec<Comment>>;
    /// The newest entries of a process's public moderation log.
    async fn moderation_log(
        &self,
        process: ProcessId,
        limit: i64,
    ) -> AppResult<Vec<ModerationEntry>>;
}

/// Browsers a person signed in on before (the sign-in throttle's device cookies,
/// `domain::throttle`). Tokens are stored only as their SHA-256.
#[async_trait::async_trait]
pub trait Devices: Send + Sync + 'static {
    /// Whose browser carries this token, if it is still recognised.
    async fn trusted_device(&self, token_hash: &str, now: Millis) -> AppResult<Option<PersonId>>;
    /// Recognises (or renews) a browser for a person after a successful sign-in.
    async fn trust_device(&self, token_hash: &str, person: PersonId, now: Millis) -> AppResult<()>;
    /// Forgets every browser of a person but `keep` (after a password change).
    async fn forget_devices(&self, person: PersonId, keep: Option<&str>) -> AppResult<()>;
}

/// Sittings: scheduling them, and their live state. The live state changes only through
/// [`Sittings::command_sitting`], which decides with `domain::sitting` in one transaction.
#[async_trait::async_trait]
pub trait Sittings: Send + Sync + 'static {
    /// Schedules a sitting ([`Action::RunSitting`]).
    async fn create_sitting(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewSitting,
        now: Millis,
    ) -> AppResult<Written<SittingId>>;
    /// One sitting.
    async fn sitting(&self, id: SittingId) -> AppResult<Option<Sitting>>;
    /// A process's sittings, by start time.
    async fn sittings(&self, process: ProcessId) -> AppResult<Vec<Sitting>>;
    /// Records that a person accepted a process's rules of engagement (once is enough).
    async fn accept_rules(
        &self,
        person: PersonId,
        process: ProcessId,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Whether a person has accepted a process's rules of engagement.
    async fn accepted_rules(&self, person: PersonId, process: ProcessId) -> AppResult<bool>;
    /// Who `actor` is in a sitting: its chair, a speaker (or one once they accept the rules), or
    /// neither. The same decision [`Sittings::command_sitting`] makes.
    async fn sitting_actor(
        &self,
        id: SittingId,
        actor: Actor,
    ) -> AppResult<crate::domain::sitting::Actor>;
    /// Applies a command to a sitting's live state as `actor` (chair: a mediator of the process
    /// acting as themselves; speaker: a member of an invited organisation speaking for it, who
    /// accepted the rules). Returns the new state, or why the command was refused.
    async fn command_sitting(
        &self,
        id: SittingId,
        actor: Actor,
        command: crate::domain::sitting::Command,
        now: Millis,
    ) -> AppResult<Written<Result<Sitting, crate::domain::sitting::Refusal>>>;
}

/// Decisions: freezing a draft's text, answering every thread, the council's vote, publishing,
/// follow-up, and the public record that chains what was decided. Each change checks in its
/// transaction who may make it in the process's phase, and that a published decision stays as it
/// was published.
#[async_trait::async_trait]
pub trait Decisions: Send + Sync + 'static {
    /// How a process's council votes.
    async fn voting_rule(&self, process: ProcessId) -> AppResult<VotingRule>;
    /// Sets how a process's council votes ([`Action::Manage`]); decisions already frozen keep
    /// the rule they were frozen with.
    async fn set_voting_rule(
        &self,
        actor: Actor,
        process: ProcessId,
        rule: VotingRule,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Freezes a draft for the council's decision ([`Action::FreezeDraft`]): from now on nobody
    /// may write in it. The text is fixed next, with [`Decisions::fix_decision_text`].
    async fn freeze_draft(
        &self,
        actor: Actor,
        draft: DraftId,
        now: Millis,
    ) -> AppResult<Written<DecisionId>>;
    /// Stores the frozen text as a named version and records its hash (once).
    async fn fix_decision_text(
        &self,
        id: DecisionId,
        actor: Actor,
        text: FrozenText,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// One decision, with its answers, votes and updates.
    async fn decision(&self, id: DecisionId) -> AppResult<Option<CouncilDecision>>;
    /// The decision on a draft, if it was frozen.
    async fn decision_of_draft(&self, draft: DraftId) -> AppResult<Option<DecisionId>>;
    /// A process's decisions (or every process's, newest first).
    async fn decisions(&self, process: Option<ProcessId>) -> AppResult<Vec<CouncilDecision>>;
    /// Gives one answer to one or more top-level threads of the decision's draft
    /// ([`Action::AnswerComments`]), replacing what they were answered before. Refused once
    /// published.
    async fn answer_threads(
        &self,
        actor: Actor,
        id: DecisionId,
        answer: NewAnswer,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Casts or changes a council member's vote ([`Action::VoteOnDecision`]) until publication.
    async fn cast_vote(
        &self,
        actor: Actor,
        id: DecisionId,
        choice: Choice,
        statement: &str,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Publishes the decision ([`Action::PublishDecision`]) if every thread is answered and the
    /// vote carried; otherwise the error lists everything still missing, and nothing changes.
    async fn publish_decision(
        &self,
        actor: Actor,
        id: DecisionId,
        rationale: &str,
        review_on: Option<Day>,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Posts an implementation update ([`Action::PostFollowUp`]) on a published decision.
    async fn post_follow_up(
        &self,
        actor: Actor,
        id: DecisionId,
        update: NewFollowUp,
        now: Millis,
    ) -> AppResult<Written<()>>;
    /// Up to `limit` entries of the public record after entry `after`, in order.
    async fn record(&self, after: i64, limit: i64) -> AppResult<Vec<Entry>>;
    /// The number and hash of the newest entry, as the store keeps them apart from the entries
    /// (so that removing the newest entries is found too).
    async fn record_head(&self) -> AppResult<(i64, String)>;
}

/// What became of a person's own comments: read across processes for "My comments and their
/// answers" and for the process page's "See how your comments were answered".
#[async_trait::async_trait]
pub trait Answers: Send + Sync + 'static {
    /// Every comment `person` wrote (in `process` only, if given) that they have not withdrawn,
    /// newest first, each with the answer a published decision gave its thread. Nobody else's.
    async fn own_comments(
        &self,
        person: PersonId,
        process: Option<ProcessId>,
    ) -> AppResult<Vec<OwnComment>>;
}

/// Participatory budgets: setting one up, proposals, the technical review, the staff, the phases
/// (`server/src/store/budgets.rs`). Each write checks [`BudgetStanding::refusal`] in its
/// transaction and appends to the process's activity log; reviews, phase changes and the count go
/// into the public record.
#[async_trait::async_trait]
pub trait Budgets: Send + Sync + 'static {
    /// Opens a budget in a process ([`Action::Manage`]-like: the process's mediators and site
    /// administrators); one per process. Starts in the proposals phase with a fresh census key.
    async fn create_budget(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewBudget,
        now: Millis,
    ) -> AppResult<i64>;
    /// Every budget, newest first.
    async fn budgets(&self) -> AppResult<Vec<BudgetSummary>>;
    /// One budget with its areas (and their results once counted).
    async fn budget(&self, id: i64) -> AppResult<Option<Budget>>;
    /// The budget of a process, if it holds one.
    async fn budget_of_process(&self, process: ProcessId) -> AppResult<Option<i64>>;
    /// What `person` (None: anonymous) may do in a budget.
    async fn budget_standing(
        &self,
        person: Option<PersonId>,
        budget: i64,
    ) -> AppResult<BudgetStanding>;
    /// Adds an area (`area` None) or changes one ([`BudgetAction::EditAreas`]: refused from the
    /// voting phase on, so rules never change while votes are cast). Returns the area's id.
    async fn save_area(
        &self,
        actor: PersonId,
        budget: i64,
        area: Option<i64>,
        new: NewArea,
        now: Millis,
    ) -> AppResult<i64>;
    /// The budget's officers and reviewers.
    async fn budget_staff(&self, budget: i64) -> AppResult<Vec<BudgetStaff>>;
    /// Names (`add`) or removes a person, found by email, as officer or reviewer
    /// ([`BudgetAction::NameStaff`]).
    async fn set_budget_staff(
        &self,
        actor: PersonId,
        budget: i64,
        email: &str,
        role: StaffRole,
        add: bool,
        now: Millis,
    ) -> AppResult<()>;
    /// Moves the budget to the phase after `from` ([`BudgetAction::ChangePhase`]; `from` must be
    /// the current phase, so a repeated click changes nothing). Entering voting needs at least one
    /// feasible project in every area and no proposal left unreviewed; entering results counts
    /// every area (`domain::budget::count`), stores each result, marks projects selected or not,
    /// and appends the results to the public record, all in the one transaction.
    async fn advance_budget(
        &self,
        actor: PersonId,
        budget: i64,
        from: BudgetPhase,
        now: Millis,
    ) -> AppResult<BudgetPhase>;
    /// A budget's projects (every status), by area then number.
    async fn budget_projects(&self, budget: i64) -> AppResult<Vec<BudgetProject>>;
    /// One project, with its review and updates.
    async fn budget_project(&self, id: i64) -> AppResult<Option<BudgetProject>>;
    /// Proposes a project ([`BudgetAction::Propose`]), or records a paper proposal
    /// ([`BudgetAction::RecordPaperProposal`]) when `new.paper` is set. The cost must be within
    /// the area's cap. Returns its id.
    async fn propose_project(
        &self,
        actor: PersonId,
        budget: i64,
        new: NewProject,
        now: Millis,
    ) -> AppResult<i64>;
    /// Records a reviewer's finding ([`BudgetAction::Review`]); a later finding replaces an
    /// earlier one while the review phase lasts. Every finding is in the public record.
    async fn review_project(
        &self,
        actor: PersonId,
        project: i64,
        finding: ReviewFinding,
        now: Millis,
    ) -> AppResult<()>;
    /// Reports on a winning project's implementation ([`BudgetAction::PostUpdate`]).
    async fn post_project_update(
        &self,
        actor: PersonId,
        project: i64,
        update: NewFollowUp,
        now: Millis,
    ) -> AppResult<()>;
}

/// Eligibility and secret ballots (`server/src/store/ballots.rs`). *That* someone voted and
/// *what* was voted are written in one transaction to two tables that share nothing but the
/// area: no person, no time, no order.
#[async_trait::async_trait]
pub trait Ballots: Send + Sync + 'static {
    /// Replaces an area's census list ([`BudgetAction::ManageEligibility`]) with the keyed
    /// hashes of these entries (each already normalised by `domain::budget::census_entry`);
    /// claims of entries still on the list are kept. Returns how many entries the list holds.
    async fn upload_census(
        &self,
        actor: PersonId,
        area: i64,
        entries: Vec<String>,
        now: Millis,
    ) -> AppResult<usize>;
    /// Checks a signed-in person against an area's census: the entry must be on the list and not
    /// claimed by another account; it is then theirs. A field error on `identity` otherwise.
    async fn claim_census(&self, person: PersonId, area: i64, entry: &str) -> AppResult<()>;
    /// Prints a batch of one-time codes for an area ([`BudgetAction::ManageEligibility`]); only
    /// their hashes are kept, so the returned codes are the only copy.
    async fn issue_codes(
        &self,
        actor: PersonId,
        area: i64,
        count: usize,
        now: Millis,
    ) -> AppResult<Vec<String>>;
    /// Codes issued and used per area of a budget: (area, issued, used).
    async fn code_counts(&self, budget: i64) -> AppResult<Vec<(i64, i64, i64)>>;
    /// Whether a person may vote in an area now.
    async fn eligibility(&self, person: PersonId, area: i64) -> AppResult<Eligibility>;
    /// Casts a ballot ([`BudgetAction::Vote`], the voting phase): checks eligibility and the
    /// area's rules (`AreaRules::check_ballot`, only feasible projects of this area), records
    /// that the voter voted and the anonymous ballot in one transaction, and returns the receipt
    /// (shown once; only its hash is kept). A second ballot is refused.
    async fn cast_ballot(
        &self,
        voter: Voter,
        area: i64,
        projects: Vec<i64>,
        now: Millis,
    ) -> AppResult<String>;
    /// The ballots of an area, ordered by their random key; only once the budget's results are
    /// published (an empty list before).
    async fn published_ballots(&self, area: i64) -> AppResult<Vec<PublishedBallot>>;
    /// How many ballots an area has published (0 before the results).
    async fn published_ballot_count(&self, area: i64) -> AppResult<usize>;
    /// At most `limit` of an area's published ballots from the `offset`-th, in the order of
    /// [`Ballots::published_ballots`] (an empty list before the results): a page without reading
    /// the whole area.
    async fn published_ballot_page(
        &self,
        area: i64,
        offset: usize,
        limit: usize,
    ) -> AppResult<Vec<PublishedBallot>>;
    /// The published ballot of a budget whose receipt's SHA-256 is `receipt_hash`, found
    /// through its index; `None` if there is none or the results are not published yet.
    async fn ballot_by_receipt(
        &self,
        budget: i64,
        receipt_hash: &str,
    ) -> AppResult<Option<PublishedBallot>>;
}

/// The live side of drafts: the server's hub, which owns each draft's document while it is in use,
/// and hears every committed change ([`Publish`]).
#[async_trait::async_trait]
pub trait Live: Publish + Send + Sync + 'static {
    /// The current text of a draft with who wrote each stretch.
    async fn text(&self, id: DraftId) -> AppResult<LiveText>;
    /// The current text and the whole document state (for naming a version).
    async fn state(&self, id: DraftId) -> AppResult<(String, Vec<u8>)>;
    /// Where a passage is: the sticky positions the person's browser made, if they still cover
    /// `quote`; otherwise the occurrence of `quote` nearest `near`. `None` if the words are not
    /// in the draft.
    async fn anchor(
        &self,
        id: DraftId,
        quote: &str,
        proposed: Option<Anchor>,
        near: Option<u32>,
    ) -> AppResult<Option<Anchor>>;
    /// Where each anchor is in the current text, as UTF-16 offsets; an empty range when its
    /// passage was deleted; `None` when an anchor cannot be read.
    async fn locate(&self, id: DraftId, anchors: Vec<Anchor>)
    -> AppResult<Vec<Option<(u32, u32)>>>;
}
