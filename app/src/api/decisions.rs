//! Deciding: freezing a draft's text, the decision's page (the council's workspace until it is
//! published, the public record after), answering threads, voting, publishing and follow-up.

use super::form::{Form, collect};
use crate::domain::comments::Status;
use crate::domain::decision::{
    self, Choice, Disposition, FollowUpStatus, Majority, Quorum, VoteResult, VotingRule,
};
use crate::domain::process::Day;
use crate::domain::roles::{Action, Standing};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::ids::{CommentId, DecisionId, DraftId, ProcessId};
use crate::model::*;
use crate::ssr::RequestContext;

/// A top-level thread of the decided draft, as the dispositions appendix shows it.
#[derive(Clone, Debug)]
pub struct ThreadRow {
    pub id: CommentId,
    pub author: String,
    pub org_name: Option<crate::domain::localized::Localized>,
    pub stance: crate::domain::comments::Stance,
    pub quote: Option<String>,
    pub body: String,
    pub replies: usize,
    /// Pending or held: a moderator must decide it before the decision can be published.
    pub awaiting_moderation: bool,
}

/// Everything the decision's page shows.
#[derive(Clone, Debug)]
pub struct DecisionPage {
    pub process: Process,
    pub decision: CouncilDecision,
    pub standing: Standing,
    /// Visible top-level threads (each needs an answer), then those awaiting moderation.
    pub threads: Vec<ThreadRow>,
    pub result: VoteResult,
    /// The viewer's own vote, if they cast one.
    pub my_vote: Option<CouncilVote>,
    /// The process's sittings (their records and minutes are linked from the decision).
    pub sittings: Vec<Sitting>,
    /// Whether the review date has passed with no update since.
    pub overdue: bool,
}

impl DecisionPage {
    /// Whether the viewer may take `action` on this decision now.
    pub fn may(&self, action: Action) -> bool {
        self.standing.may(None, action, self.process.phase)
    }

    /// Threads that need an answer and have none yet.
    pub fn unanswered(&self) -> Vec<i64> {
        self.threads
            .iter()
            .filter(|t| !t.awaiting_moderation && self.decision.answer_for(t.id).is_none())
            .map(|t| t.id.0)
            .collect()
    }

    /// Threads a moderator must decide before the decision can be published.
    pub fn awaiting_moderation(&self) -> Vec<i64> {
        self.threads
            .iter()
            .filter(|t| t.awaiting_moderation)
            .map(|t| t.id.0)
            .collect()
    }

    /// How many of the threads that need an answer have one, of how many.
    pub fn coverage(&self) -> (usize, usize) {
        let needing = self.threads.len() - self.awaiting_moderation().len();
        (needing - self.unanswered().len(), needing)
    }

    /// Whether individual votes are shown: once published, and before that to those who decide.
    pub fn votes_shown(&self) -> bool {
        self.decision.published_at.is_some()
            || self.may(Action::VoteOnDecision)
            || self.may(Action::AnswerComments)
    }
}

/// The decision's page, for anyone: a published decision is a public record, and one in
/// preparation shows its progress in the open.
pub async fn page(cx: &RequestContext, id: DecisionId) -> AppResult<DecisionPage> {
    let decision = cx.store.decision(id).await?.ok_or(AppError::NotFound)?;
    let process = cx
        .store
        .process(decision.process)
        .await?
        .ok_or(AppError::NotFound)?;
    let viewer = cx.viewer.as_ref().map(|p| p.id);
    let standing = cx.store.standing(process.id, viewer).await?;
    let comments = cx.store.comments(Subject::Draft(decision.draft)).await?;
    let mut threads: Vec<ThreadRow> = comments
        .iter()
        .filter(|c| c.parent.is_none())
        .filter(|c| matches!(c.status, Status::Visible | Status::Pending | Status::Held))
        .map(|c| ThreadRow {
            id: c.id,
            author: c.display_name.clone(),
            org_name: c.org_name.clone(),
            stance: c.stance,
            quote: c.passage.as_ref().map(|p| p.quote.clone()),
            body: if c.status == Status::Visible {
                c.body.clone()
            } else {
                String::new()
            },
            replies: comments
                .iter()
                .filter(|r| r.thread == c.id && r.id != c.id && r.status == Status::Visible)
                .count(),
            awaiting_moderation: c.status != Status::Visible,
        })
        .collect();
    threads.sort_by_key(|t| (t.awaiting_moderation, t.id));
    let result = decision.tally().result(decision.rule);
    let my_vote = viewer.and_then(|me| decision.votes.iter().find(|v| v.person == me).cloned());
    let sittings = cx.store.sittings(process.id).await?;
    let overdue = decision.published_at.is_some()
        && decision::review_overdue(decision.review_on, decision.last_update_on(), cx.today());
    Ok(DecisionPage {
        process,
        decision,
        standing,
        threads,
        result,
        my_vote,
        sittings,
        overdue,
    })
}

/// The form field that confirms an action that cannot be undone (freezing a text, publishing a
/// decision). The confirmation step's form sends it as `yes`; without it the server refuses.
pub const CONFIRMED: &str = "confirmed";

/// Whether `form` confirms the irreversible action; if not, the refusal that asks for it, with
/// `what_happens` in words. The one rule for both actions, checked after every other check, so a
/// person is asked to confirm only what would then be done.
fn confirmed(form: &Form, what_happens: Msg) -> AppResult<()> {
    if form.text(CONFIRMED) == "yes" {
        Ok(())
    } else {
        Err(AppError::invalid(CONFIRMED, what_happens))
    }
}

/// Whether a refused submission asks for confirmation: the page then shows the confirmation
/// step, which says what will happen, in place of the form's error summary.
pub fn asks_confirmation(error: &AppError) -> bool {
    error.fields().iter().any(|e| e.field == CONFIRMED)
}

/// Whether the viewer may take `action` in `process` now; if not, the refusal the store would give.
async fn may_act(cx: &RequestContext, process: &Process, action: Action) -> AppResult<()> {
    let standing = cx.store.standing(process.id, Some(cx.viewer()?.id)).await?;
    standing
        .refusal(None, action, process.phase)
        .map_err(AppError::Forbidden)
}

/// Freezes a draft for the council's decision (council members and mediators, in the decision
/// phase): nobody may write in it from now on, and its text as it then stands becomes a named
/// version whose hash is the decision's. It cannot be undone, so the form must confirm it
/// ([`CONFIRMED`]); unconfirmed, the refusal says what freezing will do.
pub async fn freeze(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<DecisionId> {
    let person = cx.viewer()?.id;
    let draft: DraftId = form
        .text("draft")
        .parse()
        .map_err(|_| AppError::invalid("draft", Msg::ErrorChoice))?;
    let found = cx
        .store
        .draft(draft)
        .await?
        .filter(|d| d.process == process && d.minutes_of.is_none())
        .ok_or(AppError::NotFound)?;
    let deciding = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    may_act(cx, &deciding, Action::FreezeDraft).await?;
    if cx.store.decision_of_draft(draft).await?.is_some() {
        return Err(AppError::Conflict(Msg::ErrorDraftAlreadyFrozen));
    }
    let version = cx
        .store
        .versions(draft)
        .await?
        .iter()
        .map(|v| v.number)
        .max()
        .unwrap_or(0)
        + 1;
    confirmed(
        form,
        Msg::DecisionConfirmFreeze {
            title: found.title,
            version: version.to_string(),
        },
    )?;
    let actor = Actor {
        person,
        acting_for: None,
    };
    // Publishing the freeze takes write access from everyone connected before the text is read,
    // so that what is frozen is exactly what the draft holds from now on.
    let id = cx.publish(cx.store.freeze_draft(actor, draft, cx.now).await?);
    let (text, state) = cx.live.state(draft).await?;
    let live = cx.live.text(draft).await?;
    let orgs = super::drafts::authors(cx.store.as_ref(), &live).await?;
    let shares = super::drafts::shares(&live, &orgs)
        .into_iter()
        .map(|s| TextShare {
            org: s.org.as_ref().map(|o| o.id),
            org_name: s.org.map(|o| o.name),
            characters: s.characters,
        })
        .collect();
    let frozen = FrozenText {
        version: NewVersion {
            name: cx.t(Msg::DecisionFrozenVersionName),
            content_hash: super::drafts::content_hash(&text),
            text,
            state,
        },
        shares,
    };
    cx.publish(
        cx.store
            .fix_decision_text(id, actor, frozen, cx.now)
            .await?,
    );
    Ok(id)
}

/// The decision, checked to belong to `process` (URLs name both).
async fn decision_in(
    cx: &RequestContext,
    process: ProcessId,
    id: DecisionId,
) -> AppResult<CouncilDecision> {
    cx.store
        .decision(id)
        .await?
        .filter(|d| d.process == process)
        .ok_or(AppError::NotFound)
}

fn myself(cx: &RequestContext) -> AppResult<Actor> {
    Ok(Actor {
        person: cx.viewer()?.id,
        acting_for: None,
    })
}

/// The answer form's field that allows replacing the answers of threads already answered: without
/// it, ticking an answered thread is refused with the list of answers that would be replaced.
pub const REPLACE: &str = "replace";

/// Reads the answer form: the threads ticked (`thread.{id}`), a disposition, a reason, and
/// optionally words of the adopted text that show the change.
pub fn answer_from(form: &Form) -> AppResult<NewAnswer> {
    let mut errors = Vec::new();
    let mut threads: Vec<CommentId> = form
        .fields
        .iter()
        .filter(|(name, value)| name.starts_with("thread.") && value.as_str() == "on")
        .filter_map(|(name, _)| name["thread.".len()..].parse().ok())
        .collect();
    threads.sort();
    if threads.is_empty() {
        errors.push(FieldError::new("threads", Msg::ErrorChooseThreads));
    }
    let disposition = form
        .choice("disposition", Disposition::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let reason = form
        .bounded("reason", decision::MAX_REASON, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let change = form
        .bounded("change", decision::MAX_CHANGE_QUOTE, false)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if !change.is_empty() && disposition.is_some_and(|d| !d.changes_text()) {
        errors.push(FieldError::new("change", Msg::ErrorChangeWithoutAcceptance));
    }
    collect(errors)?;
    Ok(NewAnswer {
        threads,
        disposition: disposition.ok_or(AppError::Internal)?,
        reason,
        change: (!change.is_empty()).then_some(change),
        replace: form.text(REPLACE) == "yes",
    })
}

/// Answers one or more threads (council members and mediators).
pub async fn answer(
    cx: &RequestContext,
    process: ProcessId,
    id: DecisionId,
    form: &Form,
) -> AppResult<()> {
    let decision = decision_in(cx, process, id).await?;
    let answer = answer_from(form)?;
    cx.publish(
        cx.store
            .answer_threads(myself(cx)?, decision.id, answer, cx.now)
            .await?,
    );
    Ok(())
}

/// Casts or changes the viewer's vote (council members).
pub async fn vote(
    cx: &RequestContext,
    process: ProcessId,
    id: DecisionId,
    form: &Form,
) -> AppResult<()> {
    let decision = decision_in(cx, process, id).await?;
    let mut errors = Vec::new();
    let choice = form
        .choice("choice", Choice::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let statement = form
        .bounded("statement", decision::MAX_STATEMENT, false)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    collect(errors)?;
    let choice = choice.ok_or(AppError::Internal)?;
    cx.store
        .cast_vote(myself(cx)?, decision.id, choice, &statement, cx.now)
        .await
        .map(|written| cx.publish(written))
}

fn optional_day(form: &Form, name: &str) -> Result<Option<Day>, FieldError> {
    match form.text(name).trim() {
        "" => Ok(None),
        text => Day::parse(text)
            .map(Some)
            .ok_or_else(|| FieldError::new(name, Msg::ErrorDate)),
    }
}

/// Publishes the decision with its rationale and review date (council members). It cannot be
/// undone, so the form must confirm it ([`CONFIRMED`]) once everything else is in order;
/// unconfirmed, the refusal says what publishing will make permanent.
pub async fn publish(
    cx: &RequestContext,
    process: ProcessId,
    id: DecisionId,
    form: &Form,
) -> AppResult<()> {
    let actor = myself(cx)?;
    let page = page(cx, id).await?;
    if page.process.id != process {
        return Err(AppError::NotFound);
    }
    may_act(cx, &page.process, Action::PublishDecision).await?;
    let d = &page.decision;
    if d.published_at.is_some() {
        return Err(AppError::Conflict(Msg::ErrorDecisionPublished));
    }
    if d.version.is_none() {
        return Err(AppError::Conflict(Msg::ErrorTextNotFixed));
    }
    let mut errors = Vec::new();
    let rationale = form
        .bounded("rationale", decision::MAX_RATIONALE, false)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let review_on = optional_day(form, "review_on")
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if review_on.is_some_and(|d| d <= cx.today()) {
        errors.push(FieldError::new("review_on", Msg::ErrorReviewInFuture));
    }
    // What still stands in the way, all at once with the form's own errors.
    let missing = decision::missing(
        page.unanswered(),
        page.awaiting_moderation(),
        page.result,
        &rationale,
    );
    let rationale_refused = errors.iter().any(|e| e.field == "rationale");
    errors.extend(
        missing
            .iter()
            .filter(|m| !(rationale_refused && **m == decision::Missing::NoRationale))
            .map(|m| FieldError::new(m.field(), m.message())),
    );
    collect(errors)?;
    confirmed(
        form,
        Msg::DecisionConfirmPublish {
            threads: page.coverage().1.to_string(),
            votes: d.votes.len().to_string(),
        },
    )?;
    cx.store
        .publish_decision(actor, id, &rationale, review_on, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Posts an implementation update, and perhaps a new review date (council members).
pub async fn follow_up(
    cx: &RequestContext,
    process: ProcessId,
    id: DecisionId,
    form: &Form,
) -> AppResult<()> {
    let decision = decision_in(cx, process, id).await?;
    let mut errors = Vec::new();
    let status = form
        .choice("status", FollowUpStatus::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let progress = form
        .choice("progress", |t| t.parse::<u8>().ok().filter(|p| *p <= 100))
        .map_err(|_| errors.push(FieldError::new("progress", Msg::ErrorPercent)))
        .ok();
    let on = form
        .choice("on", Day::parse)
        .map_err(|_| errors.push(FieldError::new("on", Msg::ErrorDate)))
        .ok();
    let note = form
        .bounded("note", decision::MAX_UPDATE_NOTE, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let review_on = optional_day(form, "review_on")
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    collect(errors)?;
    let update = NewFollowUp {
        status: status.ok_or(AppError::Internal)?,
        progress: progress.ok_or(AppError::Internal)?,
        on: on.ok_or(AppError::Internal)?,
        note,
        review_on,
    };
    cx.store
        .post_follow_up(myself(cx)?, decision.id, update, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Sets how the process's council votes (administrators).
pub async fn set_voting_rule(
    cx: &RequestContext,
    process: ProcessId,
    form: &Form,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let quorum = form
        .choice("quorum", Quorum::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let majority = form
        .choice("majority", Majority::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    collect(errors)?;
    let rule = VotingRule {
        quorum: quorum.ok_or(AppError::Internal)?,
        majority: majority.ok_or(AppError::Internal)?,
    };
    cx.store
        .set_voting_rule(myself(cx)?, process, rule, cx.now)
        .await
        .map(|written| cx.publish(written))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn an_answer_reads_every_ticked_thread() {
        let answer = answer_from(&form(&[
            ("thread.12", "on"),
            ("thread.4", "on"),
            ("thread.9", ""),
            ("disposition", "partly_accepted"),
            ("reason", "Adopted for public bodies."),
            ("change", " every public body "),
        ]))
        .unwrap();
        assert_eq!(answer.threads, vec![CommentId(4), CommentId(12)]);
        assert_eq!(answer.disposition, Disposition::PartlyAccepted);
        assert_eq!(answer.change.as_deref(), Some("every public body"));
        assert!(
            !answer.replace,
            "replacing answers is chosen, never assumed"
        );
        let again = answer_from(&form(&[
            ("thread.4", "on"),
            ("disposition", "accepted"),
            ("reason", "Adopted."),
            (REPLACE, "yes"),
        ]))
        .unwrap();
        assert!(again.replace);
    }

    #[test]
    fn a_bad_answer_says_everything_wrong_at_once() {
        let error = answer_from(&form(&[
            ("thread.x", "on"),
            ("disposition", "maybe"),
            ("reason", " "),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = error.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["threads", "disposition", "reason"]);
        let error = answer_from(&form(&[
            ("thread.3", "on"),
            ("disposition", "not_accepted"),
            ("reason", "No."),
            ("change", "some words"),
        ]))
        .unwrap_err();
        assert_eq!(error.fields()[0].field, "change");
    }
}
