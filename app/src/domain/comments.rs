//! Comments and their moderation: stances, statuses, reasons, limits, and locating a quoted
//! passage in a text. Pure rules; storage and permissions live elsewhere.

use crate::i18n::Msg;
use crate::ids::PersonId;
use serde::{Deserialize, Serialize};

/// The longest comment, in characters.
pub const MAX_BODY: usize = 5_000;
/// The longest quoted passage, in characters.
pub const MAX_QUOTE: usize = 2_000;
/// The longest pseudonym, in characters.
pub const MAX_PSEUDONYM: usize = 60;
/// The longest note on a report, a moderation action or an appeal, in characters.
pub const MAX_NOTE: usize = 1_000;
/// Replies nest this deep (0 is a thread's first comment); a reply deeper than this joins the
/// conversation at the deepest level instead, so threads stay readable on a phone.
pub const MAX_DEPTH: i64 = 3;
/// A person may post this many comments per [`RATE_WINDOW_MS`] in one process.
pub const RATE_COMMENTS: i64 = 10;
/// A person may file this many reports per [`RATE_WINDOW_MS`].
pub const RATE_REPORTS: i64 = 20;
/// The most reports a process may require before a comment is held.
pub const MAX_REPORT_THRESHOLD: i64 = 100;
/// The window of the per-person rate limits: ten minutes.
pub const RATE_WINDOW_MS: i64 = 10 * 60 * 1000;

coded! {
    /// Where a comment stands on the passage.
    Stance {
        None = "none" => CommentStanceNone,
        Supports = "supports" => CommentStanceSupports,
        Objects = "objects" => CommentStanceObjects,
        Asks = "asks" => CommentStanceAsks,
        Suggests = "suggests" => CommentStanceSuggests,
    }
}

coded! {
    /// Where a comment is in moderation.
    Status {
        /// Shown to everyone.
        Visible = "visible" => CommentStatusVisible,
        /// Waiting for approval (pre-moderation); only its author and moderators see it.
        Pending = "pending" => CommentStatusPending,
        /// Held for review after reports; a placeholder is shown.
        Held = "held" => CommentStatusHeld,
        /// Hidden by a moderator, with a reason; a placeholder is shown.
        Hidden = "hidden" => CommentStatusHidden,
        /// Withdrawn by its author; the thread keeps its shape.
        Withdrawn = "withdrawn" => CommentStatusWithdrawn,
    }
}

coded! {
    /// Why someone reports a comment.
    ReportReason {
        Spam = "spam" => ReasonSpam,
        Abuse = "abuse" => ReasonAbuse,
        OffTopic = "off_topic" => ReasonOffTopic,
        PersonalData = "personal_data" => ReasonPersonalData,
        /// Needs a note saying what.
        Other = "other" => ReasonOther,
    }
}

coded! {
    /// Why a moderation action was taken (published in the log).
    Reason {
        Spam = "spam" => ReasonSpam,
        Abuse = "abuse" => ReasonAbuse,
        OffTopic = "off_topic" => ReasonOffTopic,
        PersonalData = "personal_data" => ReasonPersonalData,
        Other = "other" => ReasonOther,
        /// The comment keeps to the rules (approvals, restorations).
        WithinRules = "within_rules" => ReasonWithinRules,
        /// Enough different people reported it (the system's hold).
        Reports = "reports" => ReasonReports,
        /// The author appealed.
        Appeal = "appeal" => ReasonAppeal,
    }
}

coded! {
    /// A moderation decision, as recorded in the public log.
    ModerationAction {
        Held = "held" => ModActionHeld,
        Approved = "approved" => ModActionApproved,
        Hidden = "hidden" => ModActionHidden,
        Restored = "restored" => ModActionRestored,
        Barred = "barred" => ModActionBarred,
        BarLifted = "bar_lifted" => ModActionBarLifted,
        Appealed = "appealed" => ModActionAppealed,
        AppealUpheld = "appeal_upheld" => ModActionAppealUpheld,
        AppealRejected = "appeal_rejected" => ModActionAppealRejected,
        /// An edit of an approved comment is published (pre-moderation).
        EditApproved = "edit_approved" => ModActionEditApproved,
        /// An edit of an approved comment is declined; the approved text stays.
        EditDeclined = "edit_declined" => ModActionEditDeclined,
        /// An earlier text is removed from the public history at its author's request.
        RevisionRemoved = "revision_removed" => ModActionRevisionRemoved,
        /// A request to remove an earlier text is declined.
        RevisionKept = "revision_kept" => ModActionRevisionKept,
    }
}

coded! {
    /// Who acted, as the public log names them: by role, never by name.
    ActorRole {
        System = "system" => ModRoleSystem,
        Mediator = "mediator" => RoleMediator,
        Moderator = "moderator" => RoleModerator,
        Author = "author" => ModRoleAuthor,
    }
}

coded! {
    /// How a process moderates new comments.
    Moderation {
        /// Comments appear at once; reports and moderators act afterwards (the default).
        Post = "post" => ModerationPost,
        /// Each new comment waits for a moderator's approval.
        Pre = "pre" => ModerationPre,
    }
}

impl ModerationAction {
    /// The decisions a moderator takes on a comment (the others come from reports, appeals and
    /// bars).
    pub const DECISIONS: [ModerationAction; 3] = [
        ModerationAction::Approved,
        ModerationAction::Hidden,
        ModerationAction::Restored,
    ];

    /// The status a comment takes after this action, if it changes one.
    pub fn resulting_status(self) -> Option<Status> {
        match self {
            ModerationAction::Held => Some(Status::Held),
            ModerationAction::Approved
            | ModerationAction::Restored
            | ModerationAction::AppealUpheld => Some(Status::Visible),
            ModerationAction::Hidden => Some(Status::Hidden),
            ModerationAction::Barred
            | ModerationAction::BarLifted
            | ModerationAction::Appealed
            | ModerationAction::AppealRejected
            | ModerationAction::EditApproved
            | ModerationAction::EditDeclined
            | ModerationAction::RevisionRemoved
            | ModerationAction::RevisionKept => None,
        }
    }

    /// Whether `reason` can explain this decision in the public log: approving or restoring a
    /// comment says it keeps to the rules; hiding one names the rule it breaks. Any other
    /// pairing ("Approved — Spam or advertising") contradicts itself.
    pub fn fits(self, reason: Reason) -> bool {
        match self {
            ModerationAction::Approved | ModerationAction::Restored => {
                reason == Reason::WithinRules
            }
            ModerationAction::Hidden => Reason::BREACHES.contains(&reason),
            _ => true,
        }
    }

    /// Whether a moderator may take this action on a comment in `status` with `open_reports`
    /// (reports since it was last approved or restored). Approving a shown comment that readers
    /// reported says it keeps to the rules, and answers those reports.
    pub fn applies_to(self, status: Status, open_reports: i64) -> bool {
        match self {
            ModerationAction::Approved => {
                matches!(status, Status::Pending | Status::Held)
                    || (status == Status::Visible && open_reports > 0)
            }
            ModerationAction::Hidden => {
                matches!(status, Status::Visible | Status::Pending | Status::Held)
            }
            ModerationAction::Restored => status == Status::Hidden,
            _ => false,
        }
    }
}

/// Whether a reader sees a comment's content, not a placeholder: everyone once it is shown; its
/// author and the moderators while it waits, is held or hidden; nobody once it is withdrawn. Pages,
/// the open-data API and the feeds all ask this.
pub fn shows_content(status: Status, own: bool, moderator: bool) -> bool {
    match status {
        Status::Visible => true,
        Status::Pending | Status::Held | Status::Hidden => own || moderator,
        Status::Withdrawn => false,
    }
}

/// Whether a comment appears in its thread at all for a reader: one waiting for approval is not
/// in the thread yet, except for its author and the moderators; every other keeps its place.
pub fn listed(status: Status, own: bool, moderator: bool) -> bool {
    status != Status::Pending || own || moderator
}

/// Where a reply to a comment at `parent_depth` goes: under it, one level deeper, unless that
/// passes [`MAX_DEPTH`]; then beside it, answering what it answered (so threads stay readable on a
/// phone). `true` when it goes under the parent itself.
pub fn reply_place(parent_depth: i64) -> (bool, i64) {
    if parent_depth >= MAX_DEPTH {
        (false, MAX_DEPTH)
    } else {
        (true, parent_depth + 1)
    }
}

impl Reason {
    /// The reasons that say which rule a comment breaks: what hiding one needs.
    pub const BREACHES: [Reason; 5] = [
        Reason::Spam,
        Reason::Abuse,
        Reason::OffTopic,
        Reason::PersonalData,
        Reason::Other,
    ];
}

impl Moderation {
    /// The status a new comment (or reply) starts in.
    pub fn first_status(self) -> Status {
        match self {
            Moderation::Post => Status::Visible,
            Moderation::Pre => Status::Pending,
        }
    }
}

/// Whether a comment is an official answer: a council member's, written for themselves, or one
/// written for a government body by someone who may speak for it (a confirmed member of a
/// verified body). Registering an organisation of kind "government" makes nobody official.
pub fn is_official(for_government_body: bool, council_member_for_self: bool) -> bool {
    for_government_body || council_member_for_self
}

/// Whether a moderator may decide on something that concerns `subject` (a comment's author, an
/// appellant, a barred person): never on their own comment, their own appeal, a report about
/// themselves or their own bar. Another moderator or mediator decides, and the page says so.
pub fn may_decide_about(moderator: PersonId, subject: PersonId) -> Result<(), Msg> {
    if moderator == subject {
        Err(Msg::ErrorDecideOwn)
    } else {
        Ok(())
    }
}

/// Where a quoted passage is in `text`, as UTF-16 offsets `[start, end)`: the occurrence nearest
/// `near` (a UTF-16 offset where the person selected it), or the first. `None` if absent.
pub fn locate_quote(text: &str, quote: &str, near: Option<u32>) -> Option<(u32, u32)> {
    if quote.is_empty() {
        return None;
    }
    let quote_units = quote.encode_utf16().count() as u32;
    let mut best: Option<(u32, u32)> = None;
    let mut units_before = 0u32;
    let mut scanned = 0usize;
    for (byte, _) in text.match_indices(quote) {
        units_before += text[scanned..byte].encode_utf16().count() as u32;
        scanned = byte;
        let candidate = (units_before, units_before + quote_units);
        let distance = |c: (u32, u32)| near.map(|n| c.0.abs_diff(n)).unwrap_or(0);
        if best.is_none_or(|b| distance(candidate) < distance(b)) {
            best = Some(candidate);
        }
        if near.is_none() {
            break;
        }
    }
    best
}

/// The characters of `text` between UTF-16 offsets `[start, end)`.
pub fn utf16_slice(text: &str, start: u32, end: u32) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (start, end) = (
        start.min(end) as usize,
        end.min(units.len() as u32) as usize,
    );
    String::from_utf16_lossy(units.get(start..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_takes_only_the_reasons_that_fit_it() {
        for &reason in Reason::ALL {
            assert_eq!(
                ModerationAction::Approved.fits(reason),
                reason == Reason::WithinRules
            );
            assert_eq!(
                ModerationAction::Restored.fits(reason),
                reason == Reason::WithinRules
            );
            assert_eq!(
                ModerationAction::Hidden.fits(reason),
                !matches!(
                    reason,
                    Reason::WithinRules | Reason::Reports | Reason::Appeal
                )
            );
        }
    }

    #[test]
    fn who_sees_what_of_a_comment() {
        for status in Status::ALL.iter().copied() {
            // Its author and the moderators see what anyone sees, and more.
            assert!(!shows_content(status, false, false) || shows_content(status, true, false));
            assert!(!shows_content(status, false, false) || shows_content(status, false, true));
        }
        assert!(shows_content(Status::Visible, false, false));
        assert!(!shows_content(Status::Hidden, false, false));
        assert!(shows_content(Status::Hidden, true, false));
        assert!(!shows_content(Status::Withdrawn, true, true));
        assert!(!listed(Status::Pending, false, false));
        assert!(listed(Status::Pending, true, false) && listed(Status::Hidden, false, false));
    }

    #[test]
    fn replies_nest_no_deeper_than_the_limit() {
        assert_eq!(reply_place(0), (true, 1));
        assert_eq!(reply_place(MAX_DEPTH - 1), (true, MAX_DEPTH));
        assert_eq!(reply_place(MAX_DEPTH), (false, MAX_DEPTH));
        assert_eq!(Moderation::Pre.first_status(), Status::Pending);
        assert_eq!(Moderation::Post.first_status(), Status::Visible);
    }

    #[test]
    fn nobody_decides_about_themselves() {
        assert_eq!(
            may_decide_about(PersonId(4), PersonId(4)),
            Err(Msg::ErrorDecideOwn)
        );
        assert_eq!(may_decide_about(PersonId(4), PersonId(5)), Ok(()));
    }

    #[test]
    fn official_answers_come_from_councils_and_government_bodies_only() {
        assert!(is_official(true, false));
        assert!(is_official(false, true));
        assert!(!is_official(false, false));
    }

    #[test]
    fn codes_round_trip() {
        for s in Stance::ALL {
            assert_eq!(Stance::from_code(s.code()), Some(*s));
        }
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        for r in Reason::ALL {
            assert_eq!(Reason::from_code(r.code()), Some(*r));
        }
        for a in ModerationAction::ALL {
            assert_eq!(ModerationAction::from_code(a.code()), Some(*a));
        }
        assert_eq!(Stance::from_code("nonsense"), None);
    }

    #[test]
    fn quotes_are_found_in_utf16_near_the_selection() {
        let text = "长老会 and the elders; the elders again";
        assert_eq!(locate_quote(text, "长老会", None), Some((0, 3)));
        let first = locate_quote(text, "the elders", None).unwrap();
        let second = locate_quote(text, "the elders", Some(25)).unwrap();
        assert_eq!(utf16_slice(text, first.0, first.1), "the elders");
        assert!(second.0 > first.0);
        assert_eq!(utf16_slice(text, second.0, second.1), "the elders");
        // An emoji is two UTF-16 units, as in JavaScript.
        assert_eq!(locate_quote("🙂 village", "village", None), Some((3, 10)));
        assert_eq!(locate_quote(text, "absent", None), None);
        assert_eq!(locate_quote(text, "", None), None);
    }

    #[test]
    fn moderation_moves_only_between_sensible_states() {
        assert!(ModerationAction::Approved.applies_to(Status::Held, 3));
        assert!(ModerationAction::Approved.applies_to(Status::Pending, 0));
        assert!(!ModerationAction::Approved.applies_to(Status::Hidden, 0));
        // A shown comment is approved only to answer reports about it.
        assert!(ModerationAction::Approved.applies_to(Status::Visible, 1));
        assert!(!ModerationAction::Approved.applies_to(Status::Visible, 0));
        assert!(ModerationAction::Hidden.applies_to(Status::Visible, 0));
        assert!(!ModerationAction::Hidden.applies_to(Status::Withdrawn, 0));
        assert!(ModerationAction::Restored.applies_to(Status::Hidden, 0));
        assert!(!ModerationAction::Restored.applies_to(Status::Visible, 0));
    }
}
