//! Comments and moderation in SQL. Each change is one transaction that checks the actor's
//! standing in the process's current phase, writes, and appends to the public moderation log.

use super::rows::{corrupt, localized};
use super::{SqlStore, authorize, internal, standing_on};
use app::domain::comments::{
    ActorRole, MAX_DEPTH, Moderation, ModerationAction, RATE_COMMENTS, RATE_REPORTS,
    RATE_WINDOW_MS, Reason, ReportReason, Stance, Status, is_official, may_decide_about,
};
use app::domain::org::OrgKind;
use app::domain::roles::{Action, PersonalRole};
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{CommentId, DraftId, OrgId, PersonId, ProcessId};
use app::model::*;
use app::ssr::Comments;
use sqlx::AnyConnection;
use std::collections::HashMap;

macro_rules! comment_select {
    () => {
        "SELECT c.id, c.draft_id, c.process_id, c.parent_id, c.thread_id, c.depth, c.person_id, c.org_id, \
         o.name AS org_name, o.verified_at AS org_verified_at, c.display_name, c.official, c.stance, \
         c.body, c.quote, c.anchor_start, c.anchor_end, c.status, c.created_at, c.edited_at, \
         c.reviewed_at, c.pending_body, c.pending_stance, c.pending_at \
         FROM comments c LEFT JOIN organisations o ON o.id = c.org_id "
    };
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    draft_id: i64,
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
        Ok(Comment {
            id: CommentId(self.id),
            draft: DraftId(self.draft_id),
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

/// Which comments to load: a draft's, or one.
#[derive(Clone, Copy)]
enum Scope {
    Draft(DraftId),
    One(CommentId),
}

impl Scope {
    /// The value bound to `$1` in a [`scoped!`] query.
    fn key(self) -> i64 {
        match self {
            Scope::Draft(draft) => draft.0,
            Scope::One(comment) => comment.0,
        }
    }
}

/// One query over comments `c` in either [`Scope`]: the same text, limited by `c.draft_id = $1`
/// or `c.id = $1` (each a literal, as sqlx requires).
macro_rules! scoped {
    ($scope:expr, [$($head:tt)+], $tail:literal) => {
        match $scope {
            Scope::Draft(_) => concat!($($head)+, " WHERE c.draft_id = $1 ", $tail),
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

async fn one(conn: &mut AnyConnection, id: CommentId) -> AppResult<Comment> {
    load(conn, Scope::One(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Commits a change to a comment and returns the comment as it now is.
async fn committed(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    id: CommentId,
) -> AppResult<Comment> {
    let comment = one(&mut tx, id).await?;
    tx.commit().await.map_err(internal)?;
    Ok(comment)
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
    super::decisions::append_record(conn, event, now).await
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

#[async_trait::async_trait]
impl Comments for SqlStore {
    async fn moderation_settings(&self, process: ProcessId) -> AppResult<ModerationSettings> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        settings_on(&mut conn, process).await
    }

    async fn set_moderation_settings(
        &self,
        actor: Actor,
        process: ProcessId,
        settings: ModerationSettings,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, process, actor, Action::EditRules).await?;
        sqlx::query("UPDATE processes SET moderation = $1, report_threshold = $2, updated_at = $3 WHERE id = $4")
            .bind(settings.mode.code())
            .bind(settings.report_threshold)
            .bind(now)
            .bind(process.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        super::log_event(&mut tx, process, actor, &EventKind::RulesEdited, None, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn create_comment(&self, new: NewComment, now: Millis) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let process: Option<i64> =
            sqlx::query_scalar("SELECT process_id FROM drafts WHERE id = $1")
                .bind(new.draft.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        let process = ProcessId(process.ok_or(AppError::NotFound)?);
        authorize(&mut tx, process, new.author, Action::Comment).await?;
        // A frozen text's threads are being answered: new ones would go unanswered. Replies may
        // still discuss them.
        if new.parent.is_none() && super::decisions::is_frozen(&mut tx, new.draft).await? {
            return Err(AppError::Conflict(Msg::ErrorDraftFrozenThreads));
        }
        if let Some(until) = bar_on(&mut tx, process, new.author.person, now).await? {
            return Err(AppError::Forbidden(Msg::ErrorCommentBarred {
                until: day_of(until - 1),
            }));
        }
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments WHERE person_id = $1 AND process_id = $2 AND created_at > $3",
        )
        .bind(new.author.person.0)
        .bind(process.0)
        .bind(now - RATE_WINDOW_MS)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        if recent >= RATE_COMMENTS {
            return Err(AppError::TooMany(Msg::ErrorCommentRate {
                count: RATE_COMMENTS.to_string(),
                minutes: (RATE_WINDOW_MS / 60_000).to_string(),
            }));
        }
        // A reply joins its parent's thread, no deeper than the limit.
        let (parent, thread, depth) = match new.parent {
            None => (None, None, 0),
            Some(parent) => {
                let row: Option<(i64, i64, i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT draft_id, thread_id, depth, parent_id, status FROM comments WHERE id = $1",
                )
                .bind(parent.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
                let (draft, thread, depth, grandparent, code) = row.ok_or(AppError::NotFound)?;
                if draft != new.draft.0 {
                    return Err(AppError::NotFound);
                }
                if status(&code)? != Status::Visible {
                    return Err(AppError::Forbidden(Msg::ErrorReplyToShownOnly));
                }
                if depth >= MAX_DEPTH {
                    (grandparent.or(Some(parent.0)), Some(thread), MAX_DEPTH)
                } else {
                    (Some(parent.0), Some(thread), depth + 1)
                }
            }
        };
        let standing = standing_on(&mut tx, process, Some(new.author.person)).await?;
        // `authorize` has checked that the author may speak for the organisation.
        let for_government = match new.author.acting_for {
            Some(org) => {
                super::speaking_for(&mut tx, new.author.person, org).await? == OrgKind::Government
            }
            None => false,
        };
        let council = new.author.acting_for.is_none()
            && standing.personal.contains(&PersonalRole::CouncilMember);
        let official = is_official(for_government, council);
        let settings = settings_on(&mut tx, process).await?;
        let initial = match settings.mode {
            Moderation::Post => Status::Visible,
            Moderation::Pre => Status::Pending,
        };
        let display_name: String = match &new.pseudonym {
            Some(name) if new.author.acting_for.is_none() => {
                let me = Some(new.author.person);
                super::names::check_person_name(&mut tx, name, me, "pseudonym").await?;
                name.clone()
            }
            _ => sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
                .bind(new.author.person.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?,
        };
        let passage = new.passage.as_ref().filter(|_| new.parent.is_none());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (draft_id, process_id, parent_id, thread_id, depth, person_id, org_id, display_name, \
             official, stance, body, quote, anchor_start, anchor_end, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(new.draft.0)
        .bind(process.0)
        .bind(parent)
        .bind(thread.unwrap_or(0))
        .bind(depth)
        .bind(new.author.person.0)
        .bind(new.author.acting_for.map(|o| o.0))
        .bind(&display_name)
        .bind(i64::from(official))
        .bind(new.stance.code())
        .bind(&new.body)
        .bind(passage.map(|p| p.quote.clone()))
        .bind(passage.map(|p| p.anchor.start.clone()))
        .bind(passage.map(|p| p.anchor.end.clone()))
        .bind(initial.code())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        if thread.is_none() {
            sqlx::query("UPDATE comments SET thread_id = id WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        committed(tx, CommentId(id)).await
    }

    async fn comments(&self, draft: DraftId) -> AppResult<Vec<Comment>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        load(&mut conn, Scope::Draft(draft)).await
    }

    async fn comment(&self, id: CommentId) -> AppResult<Option<Comment>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        Ok(load(&mut conn, Scope::One(id)).await?.pop())
    }

    async fn edit_comment(
        &self,
        person: PersonId,
        id: CommentId,
        body: &str,
        new_stance: Stance,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        if comment.author != person {
            return Err(AppError::Forbidden(Msg::ErrorNotYourComment));
        }
        let actor = Actor {
            person,
            acting_for: comment.org,
        };
        authorize(&mut tx, comment.process, actor, Action::Comment).await?;
        if !matches!(comment.status, Status::Visible | Status::Pending) {
            return Err(AppError::Forbidden(Msg::ErrorCommentNotEditable));
        }
        let settings = settings_on(&mut tx, comment.process).await?;
        if settings.mode == Moderation::Pre && comment.status == Status::Visible {
            // The edit waits for approval like a new comment; the approved text stays shown.
            // A second edit before the decision replaces the first.
            sqlx::query(
                "UPDATE comments SET pending_body = $1, pending_stance = $2, pending_at = $3 WHERE id = $4",
            )
            .bind(body)
            .bind(new_stance.code())
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            return committed(tx, id).await;
        }
        sqlx::query("INSERT INTO comment_revisions (comment_id, body, stance, replaced_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(&comment.body)
            .bind(comment.stance.code())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        sqlx::query("UPDATE comments SET body = $1, stance = $2, edited_at = $3 WHERE id = $4")
            .bind(body)
            .bind(new_stance.code())
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        committed(tx, id).await
    }

    async fn withdraw_comment(
        &self,
        person: PersonId,
        id: CommentId,
        _now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        if comment.author != person {
            return Err(AppError::Forbidden(Msg::ErrorNotYourComment));
        }
        if comment.status == Status::Withdrawn {
            return Err(AppError::Forbidden(Msg::ErrorCommentNotEditable));
        }
        set_status(&mut tx, id, Status::Withdrawn, None).await?;
        committed(tx, id).await
    }

    async fn report_comment(
        &self,
        person: PersonId,
        id: CommentId,
        reason: ReportReason,
        note: &str,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        let actor = Actor {
            person,
            acting_for: None,
        };
        authorize(&mut tx, comment.process, actor, Action::Report).await?;
        if comment.author == person {
            return Err(AppError::Forbidden(Msg::ErrorReportOwn));
        }
        if comment.status != Status::Visible {
            return Err(AppError::Forbidden(Msg::ErrorReportNotShown));
        }
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT created_at FROM comment_reports WHERE comment_id = $1 AND person_id = $2",
        )
        .bind(id.0)
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        if already.is_some() {
            return Err(AppError::Forbidden(Msg::ErrorAlreadyReported));
        }
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comment_reports WHERE person_id = $1 AND created_at > $2",
        )
        .bind(person.0)
        .bind(now - RATE_WINDOW_MS)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        if recent >= RATE_REPORTS {
            return Err(AppError::TooMany(Msg::ErrorReportRate {
                minutes: (RATE_WINDOW_MS / 60_000).to_string(),
            }));
        }
        sqlx::query(
            "INSERT INTO comment_reports (comment_id, person_id, reason, note, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.0)
        .bind(person.0)
        .bind(reason.code())
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        let settings = settings_on(&mut tx, comment.process).await?;
        let reported = one(&mut tx, id).await?;
        if reported.reports >= settings.report_threshold {
            set_status(&mut tx, id, Status::Held, None).await?;
            let entry = LogEntry {
                process: comment.process,
                comment: Some(id),
                bar: None,
                revision: None,
                action: ModerationAction::Held,
                reason: Reason::Reports,
                note: "",
                actor: None,
                role: ActorRole::System,
            };
            log(&mut tx, entry, now).await?;
        }
        committed(tx, id).await
    }

    async fn moderate_comment(
        &self,
        person: PersonId,
        request: ModerationRequest,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, request.comment).await?;
        let role = moderator(&mut tx, comment.process, person).await?;
        may_decide_about(person, comment.author).map_err(AppError::Forbidden)?;
        if !request.action.applies_to(comment.status) {
            return Err(AppError::Forbidden(Msg::ErrorModerationNotApplicable));
        }
        let Some(next) = request.action.resulting_status() else {
            return Err(AppError::Forbidden(Msg::ErrorModerationNotApplicable));
        };
        let reviewed = (next == Status::Visible).then_some(now);
        set_status(&mut tx, comment.id, next, reviewed).await?;
        if next == Status::Hidden {
            // A hidden comment's waiting edit is moot: its author may appeal, not edit.
            clear_pending_edit(&mut tx, comment.id).await?;
        }
        let entry = LogEntry {
            process: comment.process,
            comment: Some(comment.id),
            bar: None,
            revision: None,
            action: request.action,
            reason: request.reason,
            note: &request.note,
            actor: Some(person),
            role,
        };
        log(&mut tx, entry, now).await?;
        committed(tx, comment.id).await
    }

    async fn appeal_comment(
        &self,
        person: PersonId,
        id: CommentId,
        statement: &str,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        if comment.author != person {
            return Err(AppError::Forbidden(Msg::ErrorNotYourComment));
        }
        if comment.status != Status::Hidden {
            return Err(AppError::Forbidden(Msg::ErrorAppealNotHidden));
        }
        if comment.appeal.is_some() {
            return Err(AppError::Forbidden(Msg::ErrorAppealOnce));
        }
        let hidden_by = comment.decision.as_ref().and_then(|d| d.by);
        sqlx::query(
            "INSERT INTO comment_appeals (comment_id, statement, hidden_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(statement)
        .bind(hidden_by.map(|p| p.0))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        let entry = LogEntry {
            process: comment.process,
            comment: Some(id),
            bar: None,
            revision: None,
            action: ModerationAction::Appealed,
            reason: Reason::Appeal,
            note: "",
            actor: Some(person),
            role: ActorRole::Author,
        };
        log(&mut tx, entry, now).await?;
        committed(tx, id).await
    }

    async fn decide_appeal(
        &self,
        person: PersonId,
        id: CommentId,
        upheld: bool,
        note: &str,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        let role = moderator(&mut tx, comment.process, person).await?;
        may_decide_about(person, comment.author).map_err(AppError::Forbidden)?;
        let Some(appeal) = comment.appeal.as_ref().filter(|a| a.upheld.is_none()) else {
            return Err(AppError::Forbidden(Msg::ErrorNoOpenAppeal));
        };
        if appeal.hidden_by == Some(person) {
            return Err(AppError::Forbidden(Msg::ErrorAppealSameModerator));
        }
        sqlx::query("UPDATE comment_appeals SET decided_by = $1, decided_at = $2, outcome = $3 WHERE comment_id = $4")
            .bind(person.0)
            .bind(now)
            .bind(if upheld { "upheld" } else { "rejected" })
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        let action = if upheld {
            set_status(&mut tx, id, Status::Visible, Some(now)).await?;
            ModerationAction::AppealUpheld
        } else {
            ModerationAction::AppealRejected
        };
        let reason = match (&comment.decision, upheld) {
            (_, true) => Reason::WithinRules,
            (Some(decision), false) => decision.reason,
            (None, false) => Reason::Other,
        };
        let entry = LogEntry {
            process: comment.process,
            comment: Some(id),
            bar: None,
            revision: None,
            action,
            reason,
            note,
            actor: Some(person),
            role,
        };
        log(&mut tx, entry, now).await?;
        committed(tx, id).await
    }

    async fn decide_edit(
        &self,
        person: PersonId,
        id: CommentId,
        approve: bool,
        reason: Reason,
        note: &str,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        let role = moderator(&mut tx, comment.process, person).await?;
        may_decide_about(person, comment.author).map_err(AppError::Forbidden)?;
        let Some(edit) = comment.pending_edit.clone() else {
            return Err(AppError::Forbidden(Msg::ErrorNoPendingEdit));
        };
        let (action, reason) = if approve {
            sqlx::query(
                "INSERT INTO comment_revisions (comment_id, body, stance, replaced_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(&comment.body)
            .bind(comment.stance.code())
            .bind(edit.at)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            sqlx::query("UPDATE comments SET body = $1, stance = $2, edited_at = $3 WHERE id = $4")
                .bind(&edit.body)
                .bind(edit.stance.code())
                .bind(edit.at)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            (ModerationAction::EditApproved, Reason::WithinRules)
        } else {
            (ModerationAction::EditDeclined, reason)
        };
        clear_pending_edit(&mut tx, id).await?;
        let entry = LogEntry {
            process: comment.process,
            comment: Some(id),
            bar: None,
            revision: None,
            action,
            reason,
            note,
            actor: Some(person),
            role,
        };
        log(&mut tx, entry, now).await?;
        committed(tx, id).await
    }

    async fn request_revision_removal(
        &self,
        person: PersonId,
        revision: i64,
        note: &str,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = comment_of_revision(&mut tx, revision).await?;
        if comment.author != person {
            return Err(AppError::Forbidden(Msg::ErrorNotYourComment));
        }
        let asked = sqlx::query(
            "UPDATE comment_revisions SET removal_requested_at = $1, removal_note = $2 \
             WHERE id = $3 AND removal_requested_at IS NULL AND removed_at IS NULL",
        )
        .bind(now)
        .bind(note)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if asked.rows_affected() == 0 {
            return Err(AppError::Forbidden(Msg::ErrorRemovalAlreadyAsked));
        }
        committed(tx, comment.id).await
    }

    async fn decide_revision_removal(
        &self,
        person: PersonId,
        process: ProcessId,
        revision: i64,
        remove: bool,
        note: &str,
        now: Millis,
    ) -> AppResult<Comment> {
        let mut tx = self.begin().await?;
        let comment = comment_of_revision(&mut tx, revision).await?;
        if comment.process != process {
            return Err(AppError::NotFound);
        }
        let role = moderator(&mut tx, comment.process, person).await?;
        may_decide_about(person, comment.author).map_err(AppError::Forbidden)?;
        let waiting = comment
            .revisions
            .iter()
            .any(|r| r.id == revision && r.removal_requested.is_some() && r.removed_at.is_none());
        if !waiting {
            return Err(AppError::Forbidden(Msg::ErrorNoRemovalRequest));
        }
        let action = if remove {
            // The text is gone for good: the public history says only that something was removed.
            sqlx::query("UPDATE comment_revisions SET body = '', removed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(revision)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            ModerationAction::RevisionRemoved
        } else {
            sqlx::query(
                "UPDATE comment_revisions SET removal_requested_at = NULL, removal_note = '' WHERE id = $1",
            )
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            ModerationAction::RevisionKept
        };
        let entry = LogEntry {
            process: comment.process,
            comment: Some(comment.id),
            bar: None,
            revision: Some(revision),
            action,
            reason: if remove {
                Reason::PersonalData
            } else {
                Reason::WithinRules
            },
            note,
            actor: Some(person),
            role,
        };
        log(&mut tx, entry, now).await?;
        committed(tx, comment.id).await
    }

    async fn bar_commenter(
        &self,
        by: PersonId,
        process: ProcessId,
        bar: NewBar,
        now: Millis,
    ) -> AppResult<()> {
        let NewBar {
            person,
            reason,
            note,
            until,
        } = bar;
        let note = note.as_str();
        let mut tx = self.begin().await?;
        let role = moderator(&mut tx, process, by).await?;
        may_decide_about(by, person).map_err(AppError::Forbidden)?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        exists.ok_or(AppError::NotFound)?;
        let bar: i64 = sqlx::query_scalar(
            "INSERT INTO comment_bars (process_id, person_id, reason, note, until, by_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(process.0)
        .bind(person.0)
        .bind(reason.code())
        .bind(note)
        .bind(until)
        .bind(by.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        let entry = LogEntry {
            process,
            comment: None,
            bar: Some(bar),
            revision: None,
            action: ModerationAction::Barred,
            reason,
            note,
            actor: Some(by),
            role,
        };
        log(&mut tx, entry, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn lift_bar(
        &self,
        by: PersonId,
        process: ProcessId,
        bar: i64,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let role = moderator(&mut tx, process, by).await?;
        let barred: Option<i64> = sqlx::query_scalar(
            "SELECT person_id FROM comment_bars WHERE id = $1 AND process_id = $2",
        )
        .bind(bar)
        .bind(process.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        may_decide_about(by, PersonId(barred.ok_or(AppError::NotFound)?))
            .map_err(AppError::Forbidden)?;
        let lifted = sqlx::query(
            "UPDATE comment_bars SET lifted_at = $1 WHERE id = $2 AND process_id = $3 AND lifted_at IS NULL",
        )
        .bind(now)
        .bind(bar)
        .bind(process.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if lifted.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        let entry = LogEntry {
            process,
            comment: None,
            bar: Some(bar),
            revision: None,
            action: ModerationAction::BarLifted,
            reason: Reason::WithinRules,
            note: "",
            actor: Some(by),
            role,
        };
        log(&mut tx, entry, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn bars(&self, process: ProcessId, now: Millis) -> AppResult<Vec<Bar>> {
        let rows: Vec<(i64, i64, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT b.id, b.person_id, p.display_name, b.reason, b.note, b.until, b.created_at \
             FROM comment_bars b JOIN people p ON p.id = b.person_id \
             WHERE b.process_id = $1 AND b.until > $2 AND b.lifted_at IS NULL ORDER BY b.id",
        )
        .bind(process.0)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|(id, person, name, reason, note, until, created_at)| {
                Ok(Bar {
                    id,
                    person: PersonId(person),
                    person_name: name,
                    reason: Reason::from_code(&reason).ok_or_else(|| corrupt("reason", &reason))?,
                    note,
                    until,
                    created_at,
                })
            })
            .collect()
    }

    async fn moderation_queue(&self, process: ProcessId) -> AppResult<Vec<Comment>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT c.id FROM comments c LEFT JOIN comment_appeals a ON a.comment_id = c.id \
             WHERE c.process_id = $1 AND (c.status IN ('pending', 'held') \
               OR (c.status = 'hidden' AND a.comment_id IS NOT NULL AND a.outcome IS NULL) \
               OR c.pending_body IS NOT NULL \
               OR EXISTS (SELECT 1 FROM comment_revisions r WHERE r.comment_id = c.id \
                   AND r.removal_requested_at IS NOT NULL AND r.removed_at IS NULL)) \
             ORDER BY c.id",
        )
        .bind(process.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
        let mut queue = Vec::with_capacity(ids.len());
        for id in ids {
            queue.push(one(&mut conn, CommentId(id)).await?);
        }
        Ok(queue)
    }

    async fn moderation_log(
        &self,
        process: ProcessId,
        limit: i64,
    ) -> AppResult<Vec<ModerationEntry>> {
        let rows: Vec<(i64, i64, String, String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT m.id, m.created_at, m.action, m.reason, m.actor_role, m.comment_id, c.draft_id \
             FROM moderation_log m LEFT JOIN comments c ON c.id = m.comment_id \
             WHERE m.process_id = $1 ORDER BY m.id DESC LIMIT $2",
        )
        .bind(process.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|(id, at, action, reason, role, comment, draft)| {
                Ok(ModerationEntry {
                    id,
                    at,
                    action: ModerationAction::from_code(&action)
                        .ok_or_else(|| corrupt("moderation action", &action))?,
                    reason: Reason::from_code(&reason).ok_or_else(|| corrupt("reason", &reason))?,
                    actor_role: ActorRole::from_code(&role)
                        .ok_or_else(|| corrupt("actor role", &role))?,
                    comment: comment.map(CommentId),
                    draft: draft.map(DraftId),
                })
            })
            .collect()
    }
}
