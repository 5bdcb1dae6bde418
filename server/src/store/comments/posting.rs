//! Posting, editing, withdrawing, reporting and appealing comments, and asking for an earlier
//! text to be removed.

use super::*;
use crate::store::SqlStore;

#[async_trait::async_trait]
impl app::ssr::Comments for SqlStore {
    async fn create_comment(&self, new: NewComment, now: Millis) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let process = authorize_speaking(
            &mut tx,
            self.backend,
            new.subject,
            new.author,
            Speaking::Comment,
        )
        .await?;
        // A frozen text's threads are being answered: new ones would go unanswered. Replies may
        // still discuss them.
        if let Some(draft) = new.subject.draft()
            && new.parent.is_none()
            && is_frozen(&mut tx, draft).await?
        {
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
                let replied = one(&mut tx, parent).await?;
                if replied.subject != new.subject {
                    return Err(AppError::NotFound);
                }
                let (thread, depth, grandparent) =
                    (replied.thread.0, replied.depth, replied.parent.map(|p| p.0));
                if replied.status != Status::Visible {
                    return Err(AppError::Forbidden(Msg::ErrorReplyToShownOnly));
                }
                match reply_place(depth) {
                    (true, depth) => (Some(parent.0), Some(thread), depth),
                    (false, depth) => (grandparent.or(Some(parent.0)), Some(thread), depth),
                }
            }
        };
        let standing = standing_on(&mut tx, process, Some(new.author.person)).await?;
        // `authorize_speaking` has checked that the author may speak for the organisation.
        let for_government = match new.author.acting_for {
            Some(org) => {
                speaking_for(&mut tx, new.author.person, org).await? == OrgKind::Government
            }
            None => false,
        };
        let council = new.author.acting_for.is_none()
            && standing.personal.contains(&PersonalRole::CouncilMember);
        let official = is_official(for_government, council);
        let settings = settings_on(&mut tx, process).await?;
        let initial = settings.mode.first_status();
        let display_name: String = match &new.pseudonym {
            Some(name) if new.author.acting_for.is_none() => {
                let me = Some(new.author.person);
                crate::store::names::check_person_name(&mut tx, name, me, "pseudonym").await?;
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
            "INSERT INTO comments (draft_id, project_id, process_id, parent_id, thread_id, depth, person_id, org_id, \
             display_name, official, stance, body, quote, anchor_start, anchor_end, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
        )
        .bind(new.subject.draft().map(|d| d.0))
        .bind(match new.subject {
            Subject::Project { project, .. } => Some(project),
            Subject::Draft(_) => None,
        })
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
        // Whoever writes in a thread follows it; the others hear of it once everyone may read it.
        let thread = CommentId(thread.unwrap_or(id));
        crate::store::follows::follow_without_asking(
            &mut tx,
            new.author.person,
            app::domain::notice::FollowSubject::Thread,
            thread.0,
            now,
        )
        .await?;
        if initial == Status::Visible {
            super::telling::tell_of_comment(&mut tx, self, CommentId(id), now).await?;
        }
        committed(tx, CommentId(id), true).await
    }

    async fn comments(&self, subject: Subject) -> AppResult<Vec<Comment>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        load(&mut conn, Scope::About(subject)).await
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
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        if comment.author != person {
            return Err(AppError::Forbidden(Msg::ErrorNotYourComment));
        }
        let actor = Actor {
            person,
            acting_for: comment.org,
        };
        authorize_speaking(
            &mut tx,
            self.backend,
            comment.subject,
            actor,
            Speaking::Comment,
        )
        .await?;
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
            return committed(tx, id, true).await;
        }
        replace_text(&mut tx, &comment, body, new_stance, now).await?;
        committed(tx, id, true).await
    }

    async fn withdraw_comment(
        &self,
        person: PersonId,
        id: CommentId,
        _now: Millis,
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        if comment.author != person {
            return Err(AppError::Forbidden(Msg::ErrorNotYourComment));
        }
        if comment.status == Status::Withdrawn {
            return Err(AppError::Forbidden(Msg::ErrorCommentNotEditable));
        }
        set_status(&mut tx, id, Status::Withdrawn, None).await?;
        committed(tx, id, true).await
    }

    async fn reported_by(&self, person: PersonId, subject: Subject) -> AppResult<Vec<CommentId>> {
        let scope = Scope::About(subject);
        let ids: Vec<i64> = sqlx::query_scalar(scoped!(
            scope,
            ["SELECT r.comment_id FROM comment_reports r JOIN comments c ON c.id = r.comment_id"],
            "AND r.person_id = $2"
        ))
        .bind(scope.key())
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(ids.into_iter().map(CommentId).collect())
    }

    async fn report_comment(
        &self,
        person: PersonId,
        id: CommentId,
        reason: ReportReason,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        let actor = Actor {
            person,
            acting_for: None,
        };
        authorize_speaking(
            &mut tx,
            self.backend,
            comment.subject,
            actor,
            Speaking::Report,
        )
        .await?;
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
        let held = reported.reports >= settings.report_threshold;
        if held {
            set_status(&mut tx, id, Status::Held, None).await?;
            let entry = LogEntry::on(
                &comment,
                ModerationAction::Held,
                Reason::Reports,
                "",
                None,
                ActorRole::System,
            );
            log(&mut tx, entry, now).await?;
        }
        // A hold changes what readers see; a report alone does not.
        committed(tx, id, held).await
    }

    async fn appeal_comment(
        &self,
        person: PersonId,
        id: CommentId,
        statement: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
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
        let entry = LogEntry::on(
            &comment,
            ModerationAction::Appealed,
            Reason::Appeal,
            "",
            Some(person),
            ActorRole::Author,
        );
        log(&mut tx, entry, now).await?;
        committed(tx, id, false).await
    }

    async fn request_revision_removal(
        &self,
        person: PersonId,
        revision: i64,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
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
        committed(tx, comment.id, false).await
    }
}
