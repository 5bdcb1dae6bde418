//! Comments on drafts and on budget projects, and their moderation: what each reader is shown,
//! and every action on a comment. Each writing use case validates the form, makes one store call
//! (which checks who may act, in the process's or the budget's phase), and tells the draft's live
//! readers which thread changed.

use super::drafts::draft_in;
use super::form::{Form, collect};
use crate::domain::budget::{BudgetAction, BudgetRole, budget_permits};
use crate::domain::comments::*;
use crate::domain::roles::{Action, Standing};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::ids::{CommentId, DraftId, PersonId, ProcessId};
use crate::model::*;
use crate::ssr::RequestContext;

/// A thread as one reader sees it.
#[derive(Clone, Debug)]
pub struct Thread {
    pub id: CommentId,
    /// The thread's comments in reading order (each reply after the comment it answers), only
    /// those this reader may see at all.
    pub comments: Vec<Comment>,
    /// Where the thread's passage is now; `None` for a thread on the whole draft.
    pub place: Option<Place>,
}

impl Thread {
    /// Whether the thread's passage was deleted from the text.
    pub fn removed(&self) -> bool {
        self.place == Some(Place::Removed)
    }
}

/// Where a commented passage is in the live text now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// UTF-16 offsets `[start, end)`.
    At { start: u32, end: u32 },
    /// Every character of it was deleted (or its anchor cannot be read).
    Removed,
}

/// Where each comment's passage is now, in order; `None` for a comment without one.
pub async fn place_passages(
    live: &dyn crate::ssr::Live,
    draft: DraftId,
    comments: &[&Comment],
) -> AppResult<Vec<Option<Place>>> {
    let anchors: Vec<Anchor> = comments
        .iter()
        .filter_map(|c| c.passage.as_ref().map(|p| p.anchor.clone()))
        .collect();
    let mut located = live.locate(draft, anchors).await?.into_iter();
    Ok(comments
        .iter()
        .map(|c| {
            c.passage.as_ref().map(|_| match located.next().flatten() {
                Some((start, end)) if start < end => Place::At { start, end },
                _ => Place::Removed,
            })
        })
        .collect())
}

/// The comments on a draft or a project for one reader.
#[derive(Clone, Debug)]
pub struct Discussion {
    /// The process whose moderation applies.
    pub process: Process,
    pub subject: Subject,
    /// The draft's or the project's title, in the reader's language where it has one.
    pub title: String,
    /// The language of a draft's text, for the passages quoted from it.
    pub language: Option<String>,
    pub threads: Vec<Thread>,
    pub viewer: Option<PersonId>,
    /// Whether the reader may post now, and if not, why.
    pub may_comment: Result<(), Msg>,
    pub may_report: bool,
    /// The comments the reader has reported (each person reports a comment once).
    pub reported: Vec<CommentId>,
    pub moderator: bool,
    /// Organisations the reader may speak for.
    pub acting_options: Vec<Organisation>,
    /// Whether each comment carries its forms (a thread's own page) or links to them (the draft
    /// page, which stays light however many comments it has).
    pub with_forms: bool,
    /// The form to show open on a thread's page (`reply-12`), from its address.
    pub open: Option<String>,
    /// The organisation the forms choose at first: a co-drafter who may comment in this phase
    /// only for their organisation speaks for it unless they choose otherwise.
    pub default_acting_for: Option<crate::ids::OrgId>,
}

impl Thread {
    /// The passage to highlight for this reader: only where some of the thread is shown to them.
    pub fn highlight(&self, d: &Discussion) -> Option<&Anchor> {
        let shown = self.comments.iter().any(|c| d.shows_content(c));
        shown
            .then(|| self.comments.first()?.passage.as_ref().map(|p| &p.anchor))
            .flatten()
    }
}

impl Discussion {
    /// Whether this reader sees a comment's content (not a placeholder).
    pub fn shows_content(&self, comment: &Comment) -> bool {
        shows_content(
            comment.status,
            Some(comment.author) == self.viewer,
            self.moderator,
        )
    }
}

/// Orders a thread's comments so that each reply follows the comment it answers.
fn reading_order(mut comments: Vec<Comment>) -> Vec<Comment> {
    comments.sort_by_key(|c| c.id);
    let mut ordered = Vec::with_capacity(comments.len());
    fn visit(parent: Option<CommentId>, all: &[Comment], out: &mut Vec<Comment>) {
        for c in all.iter().filter(|c| c.parent == parent) {
            out.push(c.clone());
            visit(Some(c.id), all, out);
        }
    }
    let root = comments.iter().find(|c| c.parent.is_none()).map(|c| c.id);
    if let Some(root) = root {
        if let Some(first) = comments.iter().find(|c| c.id == root) {
            ordered.push(first.clone());
        }
        visit(Some(root), &comments, &mut ordered);
    }
    ordered
}

/// The threads on a draft or a project for one reader: on a draft, passages in text order
/// first, then the draft as a whole; on a project, oldest first.
async fn threads(
    cx: &RequestContext,
    subject: Subject,
    only: Option<CommentId>,
    moderator: bool,
) -> AppResult<Vec<Thread>> {
    let viewer = cx.viewer.as_ref().map(|v| v.id);
    let all = cx.store.comments(subject).await?;
    let mut grouped: std::collections::BTreeMap<CommentId, Vec<Comment>> = Default::default();
    for comment in all {
        let own = Some(comment.author) == viewer;
        if only.is_some_and(|t| t != comment.thread) || !listed(comment.status, own, moderator) {
            continue;
        }
        grouped.entry(comment.thread).or_default().push(comment);
    }
    let mut threads: Vec<Thread> = grouped
        .into_iter()
        .filter_map(|(id, comments)| {
            let comments = reading_order(comments);
            (!comments.is_empty()).then_some(Thread {
                id,
                comments,
                place: None,
            })
        })
        .collect();
    let Some(draft) = subject.draft() else {
        return Ok(threads);
    };
    let roots: Vec<&Comment> = threads.iter().map(|t| &t.comments[0]).collect();
    let places = place_passages(cx.live.as_ref(), draft, &roots).await?;
    for (thread, place) in threads.iter_mut().zip(places) {
        thread.place = place;
    }
    // Passages in the order of the text, then removed passages, then the draft as a whole.
    threads.sort_by_key(|t| match t.place {
        Some(Place::At { start, .. }) => (0, start, t.id),
        Some(Place::Removed) => (1, 0, t.id),
        None => (2, 0, t.id),
    });
    Ok(threads)
}

/// Whether the viewer may comment now on this process, and if not, why.
fn may_comment(standing: &Standing, phase: crate::domain::roles::Phase) -> Result<(), Msg> {
    if !standing.signed_in {
        Err(Msg::CommentSignInToComment)
    } else if standing.may_somehow(Action::Comment, phase) {
        Ok(())
    } else {
        Err(Msg::ErrorNotAllowedInPhase)
    }
}

/// What a reader may do in a discussion, decided by the matrix of its subject.
struct Rights {
    may_comment: Result<(), Msg>,
    may_report: bool,
    moderator: bool,
    /// The organisation the forms choose at first.
    default_acting_for: Option<crate::ids::OrgId>,
}

/// A discussion for the reader from its rights; `only` narrows it to one thread.
async fn assemble(
    cx: &RequestContext,
    process: Process,
    subject: Subject,
    (title, language): (String, Option<String>),
    rights: Rights,
    only: Option<CommentId>,
) -> AppResult<Discussion> {
    let threads = threads(cx, subject, only, rights.moderator).await?;
    let viewer = cx.viewer.as_ref().map(|v| v.id);
    let acting_options = super::organisations::speaking_options(cx.store.as_ref(), viewer).await?;
    let reported = match viewer {
        Some(person) => cx.store.reported_by(person, subject).await?,
        None => Vec::new(),
    };
    Ok(Discussion {
        reported,
        with_forms: only.is_some(),
        open: None,
        default_acting_for: rights.default_acting_for,
        may_comment: rights.may_comment,
        may_report: rights.may_report,
        process,
        subject,
        title,
        language,
        threads,
        viewer,
        moderator: rights.moderator,
        acting_options,
    })
}

/// A draft's discussion for the reader; `only` narrows it to one thread (its own page).
pub async fn discussion(
    cx: &RequestContext,
    process: Process,
    draft: Draft,
    standing: &Standing,
    only: Option<CommentId>,
) -> AppResult<Discussion> {
    let phase = process.phase;
    let default_acting_for = if standing.may(None, Action::Comment, phase) {
        None
    } else {
        standing
            .co_drafting_orgs
            .iter()
            .copied()
            .find(|org| standing.may(Some(*org), Action::Comment, phase))
    };
    let rights = Rights {
        may_comment: may_comment(standing, phase),
        may_report: standing.may(None, Action::Report, phase),
        moderator: standing.may(None, Action::Moderate, phase),
        default_acting_for,
    };
    let subject = Subject::Draft(draft.id);
    let about = (draft.title, Some(draft.language));
    assemble(cx, process, subject, about, rights, only).await
}

/// A budget project's discussion for the reader: who may comment or report follows the budget's
/// matrix in its phase; moderation is the process's.
pub async fn project_discussion(
    cx: &RequestContext,
    view: &super::budgets::ProjectView,
    only: Option<CommentId>,
) -> AppResult<Discussion> {
    let budget = &view.budget;
    let phase = budget.budget.phase;
    let standing = cx
        .store
        .standing(budget.process.id, cx.viewer.as_ref().map(|v| v.id))
        .await?;
    // Once the vote is over nobody may comment, signed in or not: say so rather than invite a
    // sign-in that would not help.
    let may_comment = if !budget_permits(BudgetRole::Participant, BudgetAction::Comment, phase) {
        Err(Msg::CommentProjectClosed)
    } else if !budget.standing.signed_in {
        Err(Msg::CommentSignInToComment)
    } else {
        budget.standing.refusal(BudgetAction::Comment, phase)
    };
    let rights = Rights {
        may_comment,
        may_report: budget.may(BudgetAction::Report),
        moderator: standing.may(None, Action::Moderate, budget.process.phase),
        default_acting_for: None,
    };
    let subject = Subject::Project {
        budget: budget.budget.id,
        project: view.project.id,
    };
    let title = view
        .project
        .title
        .pick(cx.lang.code(), &budget.process.fields.languages)
        .text;
    assemble(
        cx,
        budget.process.clone(),
        subject,
        (title, None),
        rights,
        only,
    )
    .await
}

/// One thread on its own page (its permalink, and what live readers fetch when it changes).
pub async fn thread_page(
    cx: &RequestContext,
    process: ProcessId,
    subject: Subject,
    thread: CommentId,
) -> AppResult<Discussion> {
    let discussion = match subject {
        Subject::Draft(draft) => {
            let found = draft_in(cx, process, draft).await?;
            let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
            let standing = cx
                .store
                .standing(process.id, cx.viewer.as_ref().map(|v| v.id))
                .await?;
            discussion(cx, process, found, &standing, Some(thread)).await?
        }
        Subject::Project { budget, project } => {
            let view = super::budgets::project(cx, budget, project).await?;
            project_discussion(cx, &view, Some(thread)).await?
        }
    };
    if discussion.threads.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(discussion)
}

/// The process whose moderation governs a subject named by a URL, checking that its parts belong
/// together (the draft is in the process; the project is in the budget).
pub async fn process_of(
    cx: &RequestContext,
    process: Option<ProcessId>,
    subject: Subject,
) -> AppResult<ProcessId> {
    match (subject, process) {
        (Subject::Draft(draft), Some(process)) => {
            draft_in(cx, process, draft).await?;
            Ok(process)
        }
        // A draft's address always names its process.
        (Subject::Draft(_), None) => Err(AppError::NotFound),
        (Subject::Project { budget, project }, process) => {
            let of = project_process(cx.store.as_ref(), budget, project).await?;
            if process.is_some_and(|p| p != of) {
                return Err(AppError::NotFound);
            }
            Ok(of)
        }
    }
}

/// The process of a budget's project, if the project is in that budget (else not found).
pub async fn project_process(
    store: &dyn crate::ssr::Store,
    budget: i64,
    project: i64,
) -> AppResult<ProcessId> {
    store
        .budget_project(project)
        .await?
        .filter(|p| p.budget_id == budget)
        .ok_or(AppError::NotFound)?;
    Ok(store
        .budget(budget)
        .await?
        .ok_or(AppError::NotFound)?
        .process_id)
}

fn comment_id(form: &Form) -> AppResult<CommentId> {
    form.text("comment")
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("form", Msg::ErrorBadForm))
}

/// Who is acting, and on which comment: the one the form names, if it is about the subject in
/// the URL.
async fn comment_on(
    cx: &RequestContext,
    subject: Subject,
    form: &Form,
) -> AppResult<(PersonId, Comment)> {
    let person = cx.viewer()?.id;
    let comment = cx
        .store
        .comment(comment_id(form)?)
        .await?
        .filter(|c| c.subject == subject)
        .ok_or(AppError::NotFound)?;
    Ok((person, comment))
}

/// Posts a comment (`parent` empty) or a reply on a subject whose URL [`process_of`] has
/// checked. Returns it (pending under pre-moderation). Only a draft's comments quote passages.
pub async fn post(cx: &RequestContext, subject: Subject, form: &Form) -> AppResult<Comment> {
    let person = super::email_verification::require_verified(cx)?.id;
    let parent = match form.text("parent").trim() {
        "" => None,
        id => Some(
            id.parse::<CommentId>()
                .map_err(|_| AppError::invalid("form", Msg::ErrorBadForm))?,
        ),
    };
    let mut errors = Vec::new();
    let body = form
        .bounded("body", MAX_BODY, true)
        .map_err(|e| errors.push(e))
        .ok();
    let quote = if parent.is_none() && subject.draft().is_some() {
        form.bounded("quote", MAX_QUOTE, false)
            .map_err(|e| errors.push(e))
            .ok()
    } else {
        Some(String::new())
    };
    let stance = form
        .choice("stance", |code| match code {
            "" => Some(Stance::None),
            code => Stance::from_code(code),
        })
        .map_err(|e| errors.push(e))
        .ok();
    let acting_for = form.acting_for().map_err(|e| errors.push(e)).ok().flatten();
    let pseudonym = match form.text("pseudonym").trim() {
        "" => None,
        raw => crate::domain::account::check_display_name(raw)
            .map_err(|e| errors.push(FieldError::new("pseudonym", e.msg)))
            .ok(),
    };
    collect(errors)?;
    let (body, quote, stance) = (
        body.unwrap_or_default(),
        quote.unwrap_or_default(),
        stance.unwrap_or(Stance::None),
    );
    let passage = match subject.draft() {
        Some(draft) if !quote.is_empty() => {
            let proposed = match (form.text("anchor_start"), form.text("anchor_end")) {
                (start, end) if !start.is_empty() && !end.is_empty() => Some(Anchor {
                    start: start.to_string(),
                    end: end.to_string(),
                }),
                _ => None,
            };
            let near = form.text("near").trim().parse::<u32>().ok();
            let anchor = cx
                .live
                .anchor(draft, &quote, proposed, near)
                .await?
                .ok_or_else(|| AppError::invalid("quote", Msg::ErrorQuoteNotFound))?;
            Some(Passage { quote, anchor })
        }
        _ => None,
    };
    let comment = cx.publish(
        cx.store
            .create_comment(
                NewComment {
                    subject,
                    parent,
                    author: Actor { person, acting_for },
                    pseudonym,
                    stance,
                    body,
                    passage,
                },
                cx.now,
            )
            .await?,
    );
    Ok(comment)
}

/// Changes a comment's text and stance (its author). Under pre-moderation the edit of an
/// approved comment waits for approval (`pending_edit` of what is returned).
pub async fn edit(cx: &RequestContext, subject: Subject, form: &Form) -> AppResult<Comment> {
    let (person, comment) = comment_on(cx, subject, form).await?;
    let body = form.bounded("body", MAX_BODY, true)?;
    let stance = form.choice("stance", Stance::from_code)?;
    let edited = cx.publish(
        cx.store
            .edit_comment(person, comment.id, &body, stance, cx.now)
            .await?,
    );
    Ok(edited)
}

/// The id in a form's `revision` field.
fn revision_id(form: &Form) -> AppResult<i64> {
    form.text("revision")
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("form", Msg::ErrorBadForm))
}

/// The author asks for an earlier version of their comment to be removed from its public
/// history (`revision`, and an optional `note` for the moderators).
pub async fn request_removal(cx: &RequestContext, subject: Subject, form: &Form) -> AppResult<()> {
    let (person, comment) = comment_on(cx, subject, form).await?;
    let revision = revision_id(form)?;
    if !comment.revisions.iter().any(|r| r.id == revision) {
        return Err(AppError::NotFound);
    }
    let note = form.bounded("note", MAX_NOTE, false)?;
    cx.publish(
        cx.store
            .request_revision_removal(person, revision, &note, cx.now)
            .await?,
    );
    Ok(())
}

/// Publishes or declines an edit waiting under pre-moderation (`outcome` = `approve` or
/// `decline`; a decline needs a `reason` that is a breach of the rules).
pub async fn decide_edit(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let comment = comment_in_process(cx, process, form).await?;
    let mut errors = Vec::new();
    let approve = form
        .choice("outcome", |code| match code {
            "approve" => Some(true),
            "decline" => Some(false),
            _ => None,
        })
        .map_err(|e| errors.push(e))
        .ok();
    let reason = match approve {
        Some(false) => form
            .choice("reason", |code| {
                Reason::from_code(code).filter(|r| {
                    !matches!(r, Reason::WithinRules | Reason::Reports | Reason::Appeal)
                })
            })
            .map_err(|e| errors.push(e))
            .ok(),
        _ => Some(Reason::WithinRules),
    };
    let note = form
        .bounded("note", MAX_NOTE, false)
        .map_err(|e| errors.push(e))
        .ok();
    collect(errors)?;
    let (Some(approve), Some(reason), Some(note)) = (approve, reason, note) else {
        return Err(AppError::Internal);
    };
    cx.publish(
        cx.store
            .decide_edit(person, comment.id, approve, reason, &note, cx.now)
            .await?,
    );
    Ok(())
}

/// Removes an earlier version at its author's request, or keeps it (`revision`, `outcome` =
/// `remove` or `keep`, optional `note` to the author).
pub async fn decide_removal(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let revision = revision_id(form)?;
    let remove = form.choice("outcome", |code| match code {
        "remove" => Some(true),
        "keep" => Some(false),
        _ => None,
    })?;
    let note = form.bounded("note", MAX_NOTE, false)?;
    cx.publish(
        cx.store
            .decide_revision_removal(person, process, revision, remove, &note, cx.now)
            .await?,
    );
    Ok(())
}

/// Withdraws a comment (its author).
pub async fn withdraw(cx: &RequestContext, subject: Subject, form: &Form) -> AppResult<()> {
    let (person, comment) = comment_on(cx, subject, form).await?;
    cx.publish(
        cx.store
            .withdraw_comment(person, comment.id, cx.now)
            .await?,
    );
    Ok(())
}

/// Reports a comment.
pub async fn report(cx: &RequestContext, subject: Subject, form: &Form) -> AppResult<()> {
    super::email_verification::require_verified(cx)?;
    let (person, comment) = comment_on(cx, subject, form).await?;
    let reason = form.choice("reason", ReportReason::from_code)?;
    let note = form
        .bounded("note", MAX_NOTE, reason == ReportReason::Other)
        .map_err(|e| {
            // "Other" needs a word on what the problem is.
            let msg = match e.msg {
                Msg::ErrorRequired => Msg::ErrorNoteRequired,
                msg => msg,
            };
            AppError::invalid("note", msg)
        })?;
    cx.publish(
        cx.store
            .report_comment(person, comment.id, reason, &note, cx.now)
            .await?,
    );
    Ok(())
}

/// The author appeals against hiding their comment.
pub async fn appeal(cx: &RequestContext, subject: Subject, form: &Form) -> AppResult<()> {
    let (person, comment) = comment_on(cx, subject, form).await?;
    let statement = form.bounded("statement", MAX_NOTE, true)?;
    cx.publish(
        cx.store
            .appeal_comment(person, comment.id, &statement, cx.now)
            .await?,
    );
    Ok(())
}

/// The comment named by a moderation form, if it belongs to the process in the URL.
async fn comment_in_process(
    cx: &RequestContext,
    process: ProcessId,
    form: &Form,
) -> AppResult<Comment> {
    cx.store
        .comment(comment_id(form)?)
        .await?
        .filter(|c| c.process == process)
        .ok_or(AppError::NotFound)
}

/// Approves, hides or restores a comment, with a reason (moderators).
pub async fn moderate(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let comment = comment_in_process(cx, process, form).await?;
    let mut errors = Vec::new();
    let action = form
        .choice("action", |code| {
            ModerationAction::from_code(code).filter(|a| ModerationAction::DECISIONS.contains(a))
        })
        .map_err(|e| errors.push(e))
        .ok();
    let reason = form
        .choice("reason", Reason::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let note = form
        .bounded("note", MAX_NOTE, false)
        .map_err(|e| errors.push(e))
        .ok();
    collect(errors)?;
    let (Some(action), Some(reason), Some(note)) = (action, reason, note) else {
        return Err(AppError::Internal);
    };
    if !action.fits(reason) {
        return Err(AppError::invalid(
            "reason",
            Msg::ErrorReasonDoesNotFit {
                decision: cx.t(action.label()),
            },
        ));
    }
    let request = ModerationRequest {
        comment: comment.id,
        action,
        reason,
        note,
    };
    cx.publish(cx.store.moderate_comment(person, request, cx.now).await?);
    Ok(())
}

/// Decides an appeal (a moderator other than the one who hid the comment).
pub async fn decide_appeal(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let comment = comment_in_process(cx, process, form).await?;
    let upheld = form.choice("outcome", |code| match code {
        "upheld" => Some(true),
        "rejected" => Some(false),
        _ => None,
    })?;
    let note = form.bounded("note", MAX_NOTE, false)?;
    cx.publish(
        cx.store
            .decide_appeal(person, comment.id, upheld, &note, cx.now)
            .await?,
    );
    Ok(())
}

/// Bars the author of a comment from commenting in the process until a day (moderators).
pub async fn bar(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let by = cx.viewer()?.id;
    let comment = comment_in_process(cx, process, form).await?;
    let mut errors = Vec::new();
    let reason = form
        .choice("reason", Reason::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let note = form
        .bounded("note", MAX_NOTE, false)
        .map_err(|e| errors.push(e))
        .ok();
    let until = match crate::domain::process::Day::parse(form.text("until").trim()) {
        Some(day) if day > cx.today() => Some((day.unix_days() + 1) * 86_400_000),
        Some(_) => {
            errors.push(FieldError::new("until", Msg::ErrorDateInFuture));
            None
        }
        None => {
            errors.push(FieldError::new("until", Msg::ErrorDate));
            None
        }
    };
    collect(errors)?;
    let (Some(reason), Some(note), Some(until)) = (reason, note, until) else {
        return Err(AppError::Internal);
    };
    let bar = NewBar {
        person: comment.author,
        reason,
        note,
        until,
    };
    cx.store
        .bar_commenter(by, process, bar, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Lifts a bar early (moderators).
pub async fn lift_bar(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let by = cx.viewer()?.id;
    let bar = form
        .text("bar")
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::invalid("form", Msg::ErrorBadForm))?;
    cx.store
        .lift_bar(by, process, bar, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Changes how the process moderates comments (mediators).
pub async fn settings(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?.id;
    let mut errors = Vec::new();
    let mode = form
        .choice("mode", Moderation::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let threshold = match form.text("threshold").trim().parse::<i64>() {
        Ok(n) if (1..=MAX_REPORT_THRESHOLD).contains(&n) => Some(n),
        _ => {
            let (min, max) = ("1".to_string(), MAX_REPORT_THRESHOLD.to_string());
            errors.push(FieldError::new(
                "threshold",
                Msg::ErrorWholeNumber { min, max },
            ));
            None
        }
    };
    collect(errors)?;
    let (Some(mode), Some(report_threshold)) = (mode, threshold) else {
        return Err(AppError::Internal);
    };
    let actor = Actor {
        person,
        acting_for: None,
    };
    cx.store
        .set_moderation_settings(
            actor,
            process,
            ModerationSettings {
                mode,
                report_threshold,
            },
            cx.now,
        )
        .await
        .map(|written| cx.publish(written))
}

/// What the moderation page shows.
#[derive(Clone, Debug)]
pub struct Queue {
    pub process: Process,
    pub waiting: Vec<Comment>,
    pub drafts: Vec<Draft>,
    /// The projects of the process's budget, if it holds one (comments on them wait here too).
    pub projects: Vec<BudgetProject>,
    pub bars: Vec<Bar>,
    pub settings: ModerationSettings,
    pub may_edit_settings: bool,
    pub viewer: PersonId,
}

/// The moderation queue of a process (moderators only).
pub async fn queue(cx: &RequestContext, process: ProcessId) -> AppResult<Queue> {
    let viewer = cx.viewer()?.id;
    let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    let standing = cx.store.standing(process.id, Some(viewer)).await?;
    if !standing.may(None, Action::Moderate, process.phase) {
        return Err(AppError::Forbidden(Msg::ErrorNotAllowed));
    }
    let projects = match cx.store.budget_of_process(process.id).await? {
        Some(budget) => cx.store.budget_projects(budget).await?,
        None => Vec::new(),
    };
    Ok(Queue {
        waiting: cx.store.moderation_queue(process.id).await?,
        drafts: cx.store.drafts(process.id).await?,
        projects,
        bars: cx.store.bars(process.id, cx.now).await?,
        settings: cx.store.moderation_settings(process.id).await?,
        may_edit_settings: standing.may(None, Action::EditRules, process.phase),
        process,
        viewer,
    })
}

/// The public moderation log of a process.
pub async fn log(
    cx: &RequestContext,
    process: ProcessId,
) -> AppResult<(Process, Vec<ModerationEntry>)> {
    let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    let entries = cx.store.moderation_log(process.id, 1000).await?;
    Ok((process, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent: Option<i64>) -> Comment {
        Comment {
            id: CommentId(id),
            subject: Subject::Draft(DraftId(1)),
            process: ProcessId(1),
            parent: parent.map(CommentId),
            thread: CommentId(1),
            depth: 0,
            author: PersonId(1),
            org: None,
            org_name: None,
            org_verified: false,
            display_name: "A".into(),
            official: false,
            stance: Stance::None,
            body: String::new(),
            passage: None,
            status: Status::Visible,
            created_at: 0,
            edited_at: None,
            revisions: vec![],
            pending_edit: None,
            decision: None,
            appeal: None,
            reports: 0,
            report_reasons: vec![],
        }
    }

    #[test]
    fn replies_follow_what_they_answer() {
        let order = reading_order(vec![
            comment(4, Some(2)),
            comment(1, None),
            comment(3, Some(1)),
            comment(2, Some(1)),
        ]);
        let ids: Vec<i64> = order.iter().map(|c| c.id.0).collect();
        assert_eq!(ids, vec![1, 2, 4, 3]);
    }
}
