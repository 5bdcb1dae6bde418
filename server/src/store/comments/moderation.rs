//! Moderators' decisions on comments, edits, appeals, requests and bars; the queue and the log.

use super::*;
use crate::store::SqlStore;

#[async_trait::async_trait]
impl app::ssr::Moderation for SqlStore {
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
    ) -> AppResult<Written<()>> {
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
        log_event(&mut tx, process, actor, &EventKind::RulesEdited, None, now).await?;
        commit(tx, (), Vec::new()).await
    }

    async fn moderate_comment(
        &self,
        person: PersonId,
        request: ModerationRequest,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, request.comment).await?;
        let role = deciding(&mut tx, comment.process, person, comment.author).await?;
        if !request.action.applies_to(comment.status, comment.reports) {
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
        let entry = LogEntry::on(
            &comment,
            request.action,
            request.reason,
            &request.note,
            Some(person),
            role,
        );
        log(&mut tx, entry, now).await?;
        if next == Status::Visible {
            // If nobody could read it before, its thread and draft hear of it now.
            super::telling::tell_of_comment(&mut tx, self, comment.id, now).await?;
        }
        if comment.author != person {
            let decided = super::telling::Decided {
                action: request.action,
                reason: request.reason,
                note: &request.note,
                moderator: person,
            };
            super::telling::tell_author(&mut tx, self, &comment, decided, now).await?;
        }
        committed(tx, comment.id, true).await
    }

    async fn decide_appeal(
        &self,
        person: PersonId,
        id: CommentId,
        upheld: bool,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        let role = deciding(&mut tx, comment.process, person, comment.author).await?;
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
            super::telling::tell_of_comment(&mut tx, self, id, now).await?;
            ModerationAction::AppealUpheld
        } else {
            ModerationAction::AppealRejected
        };
        let reason = match (&comment.decision, upheld) {
            (_, true) => Reason::WithinRules,
            (Some(decision), false) => decision.reason,
            (None, false) => Reason::Other,
        };
        let entry = LogEntry::on(&comment, action, reason, note, Some(person), role);
        log(&mut tx, entry, now).await?;
        let decided = super::telling::Decided {
            action,
            reason,
            note,
            moderator: person,
        };
        super::telling::tell_author(&mut tx, self, &comment, decided, now).await?;
        committed(tx, id, true).await
    }

    async fn decide_edit(
        &self,
        person: PersonId,
        id: CommentId,
        approve: bool,
        reason: Reason,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = one(&mut tx, id).await?;
        let role = deciding(&mut tx, comment.process, person, comment.author).await?;
        let Some(edit) = comment.pending_edit.clone() else {
            return Err(AppError::Forbidden(Msg::ErrorNoPendingEdit));
        };
        let (action, reason) = if approve {
            replace_text(&mut tx, &comment, &edit.body, edit.stance, edit.at).await?;
            (ModerationAction::EditApproved, Reason::WithinRules)
        } else {
            (ModerationAction::EditDeclined, reason)
        };
        clear_pending_edit(&mut tx, id).await?;
        let entry = LogEntry::on(&comment, action, reason, note, Some(person), role);
        log(&mut tx, entry, now).await?;
        committed(tx, id, true).await
    }

    async fn decide_revision_removal(
        &self,
        person: PersonId,
        process: ProcessId,
        revision: i64,
        remove: bool,
        note: &str,
        now: Millis,
    ) -> AppResult<Written<Comment>> {
        let mut tx = self.begin().await?;
        let comment = comment_of_revision(&mut tx, revision).await?;
        if comment.process != process {
            return Err(AppError::NotFound);
        }
        let role = deciding(&mut tx, comment.process, person, comment.author).await?;
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
        let reason = if remove {
            Reason::PersonalData
        } else {
            Reason::WithinRules
        };
        let entry = LogEntry {
            revision: Some(revision),
            ..LogEntry::on(&comment, action, reason, note, Some(person), role)
        };
        log(&mut tx, entry, now).await?;
        committed(tx, comment.id, true).await
    }

    async fn bar_commenter(
        &self,
        by: PersonId,
        process: ProcessId,
        bar: NewBar,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let NewBar {
            person,
            reason,
            note,
            until,
        } = bar;
        let note = note.as_str();
        let mut tx = self.begin().await?;
        let role = deciding(&mut tx, process, by, person).await?;
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
        let entry = LogEntry::on_bar(
            process,
            bar,
            ModerationAction::Barred,
            reason,
            note,
            by,
            role,
        );
        log(&mut tx, entry, now).await?;
        commit(tx, (), Vec::new()).await
    }

    async fn lift_bar(
        &self,
        by: PersonId,
        process: ProcessId,
        bar: i64,
        now: Millis,
    ) -> AppResult<Written<()>> {
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
        let action = ModerationAction::BarLifted;
        let entry = LogEntry::on_bar(process, bar, action, Reason::WithinRules, "", by, role);
        log(&mut tx, entry, now).await?;
        commit(tx, (), Vec::new()).await
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
            // Held comments first; then everything else that waits, a single report included
            // (reports since the comment was last approved or restored).
            "SELECT c.id FROM comments c LEFT JOIN comment_appeals a ON a.comment_id = c.id \
             WHERE c.process_id = $1 AND (c.status IN ('pending', 'held') \
               OR (c.status = 'hidden' AND a.comment_id IS NOT NULL AND a.outcome IS NULL) \
               OR c.pending_body IS NOT NULL \
               OR (c.status = 'visible' AND EXISTS (SELECT 1 FROM comment_reports rp \
                   WHERE rp.comment_id = c.id AND rp.created_at > COALESCE(c.reviewed_at, -1))) \
               OR EXISTS (SELECT 1 FROM comment_revisions r WHERE r.comment_id = c.id \
                   AND r.removal_requested_at IS NOT NULL AND r.removed_at IS NULL)) \
             ORDER BY CASE WHEN c.status = 'held' THEN 0 ELSE 1 END, c.id",
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
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT m.id, m.created_at, m.action, m.reason, m.actor_role, m.comment_id, c.draft_id, \
             c.project_id, p.budget_id FROM moderation_log m LEFT JOIN comments c ON c.id = m.comment_id \
             LEFT JOIN budget_projects p ON p.id = c.project_id \
             WHERE m.process_id = $1 ORDER BY m.id DESC LIMIT $2",
        )
        .bind(process.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(
                |(id, at, action, reason, role, comment, draft, project, budget)| {
                    let subject = match (draft, project, budget) {
                        (Some(draft), _, _) => Some(Subject::Draft(DraftId(draft))),
                        (None, Some(project), Some(budget)) => {
                            Some(Subject::Project { budget, project })
                        }
                        _ => None,
                    };
                    Ok(ModerationEntry {
                        id,
                        at,
                        action: ModerationAction::from_code(&action)
                            .ok_or_else(|| corrupt("moderation action", &action))?,
                        reason: Reason::from_code(&reason)
                            .ok_or_else(|| corrupt("reason", &reason))?,
                        actor_role: ActorRole::from_code(&role)
                            .ok_or_else(|| corrupt("actor role", &role))?,
                        comment: comment.map(CommentId),
                        subject,
                    })
                },
            )
            .collect()
    }
}
