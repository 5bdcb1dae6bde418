//! Drafts of a process: creating and locking them, and who may write in one now.

use super::SqlStore;
use super::rows::*;
use super::shared::*;
use app::domain::roles::Action;
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{DraftId, ProcessId};
use app::model::*;
use app::ssr::changes::{Change, Written};

#[async_trait::async_trait]
impl app::ssr::Drafts for SqlStore {
    async fn create_draft(
        &self,
        actor: Actor,
        process: ProcessId,
        new: NewDraft,
        now: Millis,
    ) -> AppResult<Written<DraftId>> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, process, actor, Action::CreateDraft).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO drafts (process_id, title, language, summary, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(process.0)
        .bind(&new.title)
        .bind(&new.language)
        .bind(&new.summary)
        .bind(actor.person.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        let draft = DraftId(id);
        // Its co-drafter hears of the comments on it.
        super::follows::follow_without_asking(
            &mut tx,
            actor.person,
            app::domain::notice::FollowSubject::Draft,
            id,
            now,
        )
        .await?;
        if let Some(first) = &new.first_text {
            let client = i64::try_from(first.client).map_err(|_| AppError::Internal)?;
            sqlx::query(
                "INSERT INTO draft_clients (draft_id, client_id, person_id, org_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(client)
            .bind(actor.person.0)
            .bind(actor.acting_for.map(|o| o.0))
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            sqlx::query(
                "INSERT INTO draft_updates (draft_id, seq, person_id, org_id, at, update_v1) \
                 VALUES ($1, 1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(actor.person.0)
            .bind(actor.acting_for.map(|o| o.0))
            .bind(now)
            .bind(first.update.clone())
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        }
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::DraftCreated { draft },
            Some(&new.title),
            now,
        )
        .await?;
        commit(tx, draft, Vec::new()).await
    }

    async fn draft(&self, id: DraftId) -> AppResult<Option<Draft>> {
        let row: Option<DraftRow> = sqlx::query_as(concat!(
            "SELECT ",
            draft_columns!(),
            " FROM drafts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(DraftRow::into_draft))
    }

    async fn drafts(&self, process: ProcessId) -> AppResult<Vec<Draft>> {
        let rows: Vec<DraftRow> = sqlx::query_as(concat!(
            "SELECT ",
            draft_columns!(),
            // A sitting's minutes are shown with the sitting, not among the drafts.
            " FROM drafts WHERE process_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM sittings s WHERE s.minutes_draft_id = drafts.id) ORDER BY id"
        ))
        .bind(process.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows.into_iter().map(DraftRow::into_draft).collect())
    }

    async fn set_draft_lock(
        &self,
        actor: Actor,
        id: DraftId,
        locked: bool,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let process = authorize_on_draft(&mut tx, id, actor, Action::LockDraft).await?;
        sqlx::query("UPDATE drafts SET locked_at = $1, locked_by = $2 WHERE id = $3")
            .bind(locked.then_some(now))
            .bind(locked.then_some(actor.person.0))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        let title: String = sqlx::query_scalar("SELECT title FROM drafts WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::DraftLocked { draft: id, locked },
            Some(&title),
            now,
        )
        .await?;
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn draft_write_access(&self, id: DraftId, actor: Actor) -> AppResult<Result<(), Msg>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        if let Some(answer) = super::sittings::minutes_access(&mut conn, id, actor).await? {
            return Ok(answer);
        }
        let row: Option<(i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT d.process_id, d.locked_at, p.phase FROM drafts d JOIN processes p ON p.id = d.process_id \
             WHERE d.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
        let (process, locked_at, phase) = row.ok_or(AppError::NotFound)?;
        if is_frozen(&mut conn, id).await? {
            return Ok(Err(Msg::ErrorDraftFrozen));
        }
        let phase = parse_phase(&phase)?;
        let standing = standing_on(&mut conn, ProcessId(process), Some(actor.person)).await?;
        if let Some(org) = actor.acting_for
            && !standing.co_drafting_orgs.contains(&org)
        {
            return Ok(Err(Msg::ErrorDraftReadOnly));
        }
        if locked_at.is_some() {
            return Ok(Err(Msg::ErrorDraftLocked));
        }
        // A person who may never write here is told the draft is theirs to read.
        Ok(
            match standing.refusal(actor.acting_for, Action::EditDraft, phase) {
                Err(Msg::ErrorNotAllowed) => Err(Msg::ErrorDraftReadOnly),
                answer => answer,
            },
        )
    }
}
