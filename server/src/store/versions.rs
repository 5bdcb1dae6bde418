//! Named versions of a draft: its text and hash at a moment, who named it and for whom.

use super::SqlStore;
use super::rows::*;
use super::shared::*;
use app::domain::roles::Action;
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::DraftId;
use app::model::*;
use app::ssr::changes::Written;
use sqlx::AnyConnection;

/// Stores a named version as the draft's next number, by `actor` (their name as it is now).
pub(super) async fn insert_version(
    conn: &mut AnyConnection,
    draft: DraftId,
    actor: Actor,
    version: &NewVersion,
    now: Millis,
) -> AppResult<i64> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM draft_versions WHERE draft_id = $1",
    )
    .bind(draft.0)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    sqlx::query(
        "INSERT INTO draft_versions (draft_id, number, name, body, content_hash, state_v1, person_id, actor_name, \
         org_id, created_at) SELECT $1, $2, $3, $4, $5, $6, id, display_name, $8, $9 FROM people WHERE id = $7",
    )
    .bind(draft.0)
    .bind(number)
    .bind(&version.name)
    .bind(&version.text)
    .bind(&version.content_hash)
    .bind(version.state.as_slice())
    .bind(actor.person.0)
    .bind(actor.acting_for.map(|o| o.0))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(number)
}

#[async_trait::async_trait]
impl app::ssr::Versions for SqlStore {
    async fn create_version(
        &self,
        actor: Actor,
        id: DraftId,
        version: NewVersion,
        now: Millis,
    ) -> AppResult<Written<i64>> {
        let mut tx = self.begin().await?;
        let process = authorize_on_draft(&mut tx, id, actor, Action::EditDraft).await?;
        if is_frozen(&mut tx, id).await? {
            return Err(AppError::Conflict(Msg::ErrorDraftFrozen));
        }
        let number = insert_version(&mut tx, id, actor, &version, now).await?;
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::VersionNamed { draft: id, number },
            Some(&version.name),
            now,
        )
        .await?;
        commit(tx, number, Vec::new()).await
    }

    async fn versions(&self, id: DraftId) -> AppResult<Vec<VersionMeta>> {
        let rows: Vec<VersionRow> = sqlx::query_as(concat!(
            "SELECT ",
            version_columns!(),
            " FROM draft_versions v LEFT JOIN organisations o ON o.id = v.org_id WHERE v.draft_id = $1 \
             ORDER BY v.number DESC"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter().map(|row| row.into_meta()).collect()
    }

    async fn version(&self, id: DraftId, number: i64) -> AppResult<Option<Version>> {
        let row: Option<VersionRow> = sqlx::query_as(concat!(
            "SELECT ",
            version_columns!(),
            " FROM draft_versions v LEFT JOIN organisations o ON o.id = v.org_id \
             WHERE v.draft_id = $1 AND v.number = $2"
        ))
        .bind(id.0)
        .bind(number)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        let Some(row) = row else { return Ok(None) };
        let text = row.body.clone();
        Ok(Some(Version {
            meta: row.into_meta()?,
            text,
        }))
    }

    async fn version_state(&self, id: DraftId, number: i64) -> AppResult<Option<Vec<u8>>> {
        sqlx::query_scalar(
            "SELECT state_v1 FROM draft_versions WHERE draft_id = $1 AND number = $2",
        )
        .bind(id.0)
        .bind(number)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)
    }
}
