//! Comments and moderation in SQL: reading comments with their history, decisions and reports, and
//! the public moderation log, for `posting.rs` (the `Comments` part of the store) and
//! `moderation.rs` (the `Moderation` part). Each change is one transaction that checks the actor's
//! standing in the process's current phase, writes, and appends to the public moderation log.

use super::rows::{corrupt, localized};
use super::shared::*;
use app::domain::budget::BudgetAction;
use app::domain::comments::{
    ActorRole, Moderation, ModerationAction, RATE_COMMENTS, RATE_REPORTS, RATE_WINDOW_MS, Reason,
    ReportReason, Stance, Status, is_official, may_decide_about, reply_place,
};
use app::domain::org::OrgKind;
use app::domain::roles::{Action, PersonalRole};
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{CommentId, DraftId, OrgId, PersonId, ProcessId};
use app::model::*;
use app::ssr::changes::{Change, Written};
use sqlx::AnyConnection;
use std::collections::HashMap;

macro_rules! comment_select {
    () => {
        "SELECT c.id, c.draft_id, c.project_id, p.budget_id AS project_budget, c.process_id, c.parent_id, c.thread_id, c.depth, c.person_id, c.org_id, \
         o.name AS org_name, o.verified_at AS org_verified_at, c.display_name, c.official, c.stance, \
         c.body, c.quote, c.anchor_start, c.anchor_end, c.status, c.created_at, c.edited_at, \
         c.reviewed_at, c.pending_body, c.pending_stance, c.pending_at \
         FROM comments c LEFT JOIN organisations o ON o.id = c.org_id \
         LEFT JOIN budget_projects p ON p.id = c.project_id "
    };
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    draft_id: Option<i64>,
    project_id: Option<i64>,
    project_budget: Option<i64>,
    process_id: i64,
    parent_id: Option<i64>,
    thread_id: i64,
    depth: i64,
    person_id: i64,
    org_id: Option<i64>,
    org_name: Option<String>,
    org_verified_at: Option<i64>,
    display_name: String,
    official: i64,
    stance: String,
    body: String,
    quote: Option<String>,
    anchor_start: Option<String>,
    anchor_end: Option<String>,
    status: String,
    created_at: i64,
    edited_at: Option<i64>,
    #[allow(dead_code)] // read by the report count's query, kept here to mirror the table
    reviewed_at: Option<i64>,
    pending_body: Option<String>,
    pending_stance: Option<String>,
    pending_at: Option<i64>,
}

fn stance(code: &str) -> AppResult<Stance> {
    Stance::from_code(code).ok_or_else(|| corrupt("stance", code))
}

fn status(code: &str) -> AppResult<Status> {
    Status::from_code(code).ok_or_else(|| corrupt("comment status", code))
}

impl CommentRow {
    fn into_comment(self) -> AppResult<Comment> {
        let passage = match (self.quote, self.anchor_start, self.anchor_end) {
            (Some(quote), Some(start), Some(end)) => Some(Passage {
                quote,
                anchor: Anchor { start, end },
            }),
            _ => None,
        };
        let pending_edit = match (self.pending_body, self.pending_stance, self.pending_at) {
            (Some(body), Some(code), Some(at)) => Some(PendingEdit {
                body,
                stance: stance(&code)?,
                at,
            }),
            _ => None,
        };
        let subject = match (self.draft_id, self.project_id, self.project_budget) {
            (Some(draft), None, _) => Subject::Draft(DraftId(draft)),
            (None, Some(project), Some(budget)) => Subject::Project { budget, project },
            _ => return Err(corrupt("comment subject", &self.id.to_string())),
        };
        Ok(Comment {
            id: CommentId(self.id),
            subject,
            process: ProcessId(self.process_id),
            parent: self.parent_id.map(CommentId),
            thread: CommentId(self.thread_id),
            depth: self.depth,
            author: PersonId(self.person_id),
            org: self.org_id.map(OrgId),
            org_name: self.org_name.as_deref().map(localized).transpose()?,
            org_verified: self.org_verified_at.is_some(),
            display_name: self.display_name,
            official: self.official == 1,
            stance: stance(&self.stance)?,
            body: self.body,
            passage,
            status: status(&self.status)?,
            created_at: self.created_at,
            edited_at: self.edited_at,
            revisions: Vec::new(),
            pending_edit,
            decision: None,
            appeal: None,
            reports: 0,
            report_reasons: Vec::new(),
        })
    }
}

/// Which comments to load: a draft's, a project's, or one.
#[derive(Clone, Copy)]
enum Scope {
    About(Subject),
    One(CommentId),
}

impl Scope {
    /// The value bound to `$1` in a [`scoped!`] query.
    fn key(self) -> i64 {
        match self {
            Scope::About(Subject::Draft(draft)) => draft.0,
            Scope::About(Subject::Project { project, .. }) => project,
            Scope::One(comment) => comment.0,
        }
    }
}

/// One query over comments `c` in any [`Scope`]: the same text, limited by `c.draft_id = $1`,
/// `c.project_id = $1` or `c.id = $1` (each a literal, as sqlx requires).
macro_rules! scoped {
    ($scope:expr, [$($head:tt)+], $tail:literal) => {
        match $scope {
            Scope::About(Subject::Draft(_)) => concat!($($head)+, " WHERE c.draft_id = $1 ", $tail),
            Scope::About(Subject::Project { .. }) => {
                concat!($($head)+, " WHERE c.project_id = $1 ", $tail)
            }
            Scope::One(_) => concat!($($head)+, " WHERE c.id = $1 ", $tail),
        }
    };
}

/// Loads comments with their revisions, last decision, appeal and current reports, in five
/// queries whatever their number.
async fn load(conn: &mut AnyConnection, scope: Scope) -> AppResult<Vec<Comment>> {
    let rows: Vec<CommentRow> =
        sqlx::query_as(scoped!(scope, [comment_select!()], "ORDER BY c.id"))
            .bind(scope.key())
            .fetch_all(&mut *conn)
            .await
            .map_err(internal)?;
    let mut comments: Vec<Comment> = rows
        .into_iter()
        .map(CommentRow::into_comment)
        .collect::<AppResult<_>>()?;
    if comments.is_empty() {
        return Ok(comments);
    }
    let key = scope.key();
    let index: HashMap<i64, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.0, i))
        .collect();

    #[derive(sqlx::FromRow)]
    struct RevisionRow {
        id: i64,
        comment_id: i64,
        body: String,
        stance: String,
        replaced_at: i64,
        removal_requested_at: Option<i64>,
        removal_note: String,
        removed_at: Option<i64>,
    }
    let revisions: Vec<RevisionRow> = sqlx::query_as(scoped!(
        scope,
        [
            "SELECT r.id, r.comment_id, r.body, r.stance, r.replaced_at, r.removal_requested_at, \
             r.removal_note, r.removed_at FROM comment_revisions r JOIN comments c ON c.id = r.comment_id"
        ],
        "ORDER BY r.replaced_at, r.id"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    for row in revisions {
        if let Some(&i) = index.get(&row.comment_id) {
            comments[i].revisions.push(Revision {
                id: row.id,
                body: row.body,
                stance: stance(&row.stance)?,
                replaced_at: row.replaced_at,
                removal_requested: row.removal_requested_at.map(|at| (at, row.removal_note)),
                removed_at: row.removed_at,
            });
        }
    }

    // The last decision that changed each comment's standing (newest wins).
    let decisions: Vec<(i64, String, String, String, Option<i64>, i64)> = sqlx::query_as(scoped!(
        scope,
        ["SELECT m.comment_id, m.action, m.reason, m.note, m.actor_id, m.created_at FROM moderation_log m \
          JOIN comments c ON c.id = m.comment_id"],
        "AND m.action IN ('held', 'approved', 'hidden', 'restored', 'appeal_upheld', 'appeal_rejected') \
         ORDER BY m.id"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    for (id, action, reason, note, by, at) in decisions {
        if let Some(&i) = index.get(&id) {
            comments[i].decision = Some(Decision {
                action: ModerationAction::from_code(&action)
                    .ok_or_else(|| corrupt("moderation action", &action))?,
                reason: Reason::from_code(&reason).ok_or_else(|| corrupt("reason", &reason))?,
                note,
                by: by.map(PersonId),
                at,
            });
        }
    }

    type AppealRow = (i64, String, i64, Option<i64>, Option<String>, Option<i64>);
    let appeals: Vec<AppealRow> = sqlx::query_as(scoped!(
        scope,
        [
            "SELECT a.comment_id, a.statement, a.created_at, a.hidden_by, a.outcome, a.decided_at \
          FROM comment_appeals a JOIN comments c ON c.id = a.comment_id"
        ],
        ""
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    for (id, statement, created_at, hidden_by, outcome, decided_at) in appeals {
        if let Some(&i) = index.get(&id) {
            comments[i].appeal = Some(Appeal {
                statement,
                created_at,
                hidden_by: hidden_by.map(PersonId),
                upheld: outcome.map(|o| o == "upheld"),
                decided_at,
            });
        }
    }

    // Reports since the comment was last approved or restored are the ones that count.
    let reports: Vec<(i64, String)> = sqlx::query_as(scoped!(
        scope,
        ["SELECT r.comment_id, r.reason FROM comment_reports r JOIN comments c ON c.id = r.comment_id"],
        "AND r.created_at > COALESCE(c.reviewed_at, -1)"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    for (id, reason) in reports {
        if let Some(&i) = index.get(&id) {
            comments[i].reports += 1;
            let reason = ReportReason::from_code(&reason)
                .ok_or_else(|| corrupt("report reason", &reason))?;
            if !comments[i].report_reasons.contains(&reason) {
                comments[i].report_reasons.push(reason);
            }
        }
    }
    Ok(comments)
}

pub(super) async fn one(conn: &mut AnyConnection, id: CommentId) -> AppResult<Comment> {
    load(conn, Scope::One(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Commits a change to a comment and returns the comment as it now is; its thread's readers hear
/// of it when `readers` is true (a change they may see), not otherwise (an appeal, a request).
async fn committed(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    id: CommentId,
    readers: bool,
) -> AppResult<Written<Comment>> {
    let comment = one(&mut tx, id).await?;
    // A draft's readers are connected to its room; a project's page has no live channel.
    let changes = match comment.subject.draft() {
        Some(draft) if readers => vec![Change::Thread {
            draft,
            thread: comment.thread,
        }],
        _ => Vec::new(),
    };
    commit(tx, comment, changes).await
}

async fn set_status(
    conn: &mut AnyConnection,
    id: CommentId,
    status: Status,
    reviewed: Option<Millis>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE comments SET status = $1, reviewed_at = COALESCE($2, reviewed_at) WHERE id = $3",
    )
    .bind(status.code())
    .bind(reviewed)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(())
}

/// One entry of the public moderation log.
struct LogEntry<'a> {
    process: ProcessId,
    comment: Option<CommentId>,
    bar: Option<i64>,
    /// The earlier text a decision on removing one is about.
    revision: Option<i64>,
    action: ModerationAction,
    reason: Reason,
    note: &'a str,
    actor: Option<PersonId>,
    role: ActorRole,
}

impl<'a> LogEntry<'a> {
    /// A moderator's (or the system's) decision on a comment.
    fn on(
        comment: &Comment,
        action: ModerationAction,
        reason: Reason,
        note: &'a str,
        actor: Option<PersonId>,
        role: ActorRole,
    ) -> LogEntry<'a> {
        LogEntry {
            process: comment.process,
            comment: Some(comment.id),
            bar: None,
            revision: None,
            action,
            reason,
            note,
            actor,
            role,
        }
    }

    /// A bar on a person's commenting, or its lifting (the log does not name the person).
    fn on_bar(
        process: ProcessId,
        bar: i64,
        action: ModerationAction,
        reason: Reason,
        note: &'a str,
        by: PersonId,
        role: ActorRole,
    ) -> LogEntry<'a> {
        LogEntry {
            process,
            comment: None,
            bar: Some(bar),
            revision: None,
            action,
            reason,
            note,
            actor: Some(by),
            role,
        }
    }
}

async fn log(conn: &mut AnyConnection, entry: LogEntry<'_>, now: Millis) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO moderation_log (process_id, comment_id, bar_id, revision_id, action, reason, note, actor_id, \
         actor_role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.process.0)
    .bind(entry.comment.map(|c| c.0))
    .bind(entry.bar)
    .bind(entry.revision)
    .bind(entry.action.code())
    .bind(entry.reason.code())
    .bind(entry.note)
    .bind(entry.actor.map(|p| p.0))
    .bind(entry.role.code())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    // The public record carries what the public log shows: never the note or who reported.
    let event = serde_json::json!({
        "kind": "moderation",
        "process": entry.process.0,
        "comment": entry.comment.map(|c| c.0),
        "bar": entry.bar,
        "action": entry.action.code(),
        "reason": entry.reason.code(),
        "by_role": entry.role.code(),
    });
    append_record(conn, event, now).await
}

/// What a comment action is, in the matrix of what the comment is about.
#[derive(Clone, Copy)]
enum Speaking {
    /// Post, reply or edit.
    Comment,
    /// Report someone else's comment.
    Report,
}

/// Checks that `actor` may comment on (or report a comment about) `subject` now, and returns the
/// process whose moderation applies. A draft is governed by its process's matrix in the
/// process's phase ([`Action::Comment`], [`Action::Report`]); a project by its budget's matrix
/// in the budget's phase ([`BudgetAction::Comment`], [`BudgetAction::Report`]), the organisation
/// spoken for checked as everywhere.
async fn authorize_speaking(
    conn: &mut AnyConnection,
    backend: crate::db::Backend,
    subject: Subject,
    actor: Actor,
    what: Speaking,
) -> AppResult<ProcessId> {
    match subject {
        Subject::Draft(draft) => {
            let action = match what {
                Speaking::Comment => Action::Comment,
                Speaking::Report => Action::Report,
            };
            authorize_on_draft(conn, draft, actor, action).await
        }
        Subject::Project { budget, project } => {
            let of: Option<i64> =
                sqlx::query_scalar("SELECT budget_id FROM budget_projects WHERE id = $1")
                    .bind(project)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(internal)?;
            if of != Some(budget) {
                return Err(AppError::NotFound);
            }
            let action = match what {
                Speaking::Comment => BudgetAction::Comment,
                Speaking::Report => BudgetAction::Report,
            };
            let head = crate::store::budgets::authorize_budget(
                conn,
                backend,
                budget,
                actor.person,
                action,
                crate::store::budgets::Hold::Share,
            )
            .await?;
            if let Some(org) = actor.acting_for {
                speaking_for(conn, actor.person, org).await?;
            }
            Ok(head.process)
        }
    }
}

/// Checks that `person` may moderate in `process` and decide about `subject` (never themselves);
/// returns the role the log names.
async fn deciding(
    conn: &mut AnyConnection,
    process: ProcessId,
    person: PersonId,
    subject: PersonId,
) -> AppResult<ActorRole> {
    let role = moderator(conn, process, person).await?;
    may_decide_about(person, subject).map_err(AppError::Forbidden)?;
    Ok(role)
}

/// Checks that `person` may moderate in `process`; returns the role the log names.
async fn moderator(
    conn: &mut AnyConnection,
    process: ProcessId,
    person: PersonId,
) -> AppResult<ActorRole> {
    let actor = Actor {
        person,
        acting_for: None,
    };
    authorize(conn, process, actor, Action::Moderate).await?;
    let standing = standing_on(conn, process, Some(person)).await?;
    Ok(if standing.personal.contains(&PersonalRole::Mediator) {
        ActorRole::Mediator
    } else {
        ActorRole::Moderator
    })
}

async fn settings_on(
    conn: &mut AnyConnection,
    process: ProcessId,
) -> AppResult<ModerationSettings> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT moderation, report_threshold FROM processes WHERE id = $1")
            .bind(process.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?;
    let (mode, report_threshold) = row.ok_or(AppError::NotFound)?;
    Ok(ModerationSettings {
        mode: Moderation::from_code(&mode).ok_or_else(|| corrupt("moderation", &mode))?,
        report_threshold,
    })
}

/// The bar in force for `person` in `process`, if any.
async fn bar_on(
    conn: &mut AnyConnection,
    process: ProcessId,
    person: PersonId,
    now: Millis,
) -> AppResult<Option<Millis>> {
    sqlx::query_scalar(
        "SELECT MAX(until) FROM comment_bars WHERE process_id = $1 AND person_id = $2 AND until > $3 \
         AND lifted_at IS NULL",
    )
    .bind(process.0)
    .bind(person.0)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)
}

/// Replaces a comment's text and stance, keeping the old ones as a revision: what was said stays
/// on record.
async fn replace_text(
    conn: &mut AnyConnection,
    comment: &Comment,
    body: &str,
    stance: Stance,
    at: Millis,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO comment_revisions (comment_id, body, stance, replaced_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(comment.id.0)
    .bind(&comment.body)
    .bind(comment.stance.code())
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE comments SET body = $1, stance = $2, edited_at = $3 WHERE id = $4")
        .bind(body)
        .bind(stance.code())
        .bind(at)
        .bind(comment.id.0)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

async fn clear_pending_edit(conn: &mut AnyConnection, id: CommentId) -> AppResult<()> {
    sqlx::query(
        "UPDATE comments SET pending_body = NULL, pending_stance = NULL, pending_at = NULL WHERE id = $1",
    )
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(())
}

/// The comment an earlier text belongs to.
async fn comment_of_revision(conn: &mut AnyConnection, revision: i64) -> AppResult<Comment> {
    let comment: Option<i64> =
        sqlx::query_scalar("SELECT comment_id FROM comment_revisions WHERE id = $1")
            .bind(revision)
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?;
    one(conn, CommentId(comment.ok_or(AppError::NotFound)?)).await
}

fn day_of(at: Millis) -> String {
    app::domain::process::Day::from_unix_days(at.div_euclid(86_400_000)).to_string()
}

mod moderation;
mod posting;
mod telling;
