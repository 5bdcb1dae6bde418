//! A draft's stored document: the snapshot, the numbered update log (written in one statement
//! per group), compaction, and which Yjs client ids belong to whom.

use super::SqlStore;
use super::shared::*;
use app::error::{AppError, AppResult};
use app::ids::{DraftId, OrgId, PersonId};
use app::model::*;

#[async_trait::async_trait]
impl app::ssr::DraftLog for SqlStore {
    async fn draft_snapshot(&self, id: DraftId) -> AppResult<Option<(i64, Vec<u8>)>> {
        sqlx::query_as("SELECT seq, state_v1 FROM draft_snapshots WHERE draft_id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)
    }

    async fn draft_snapshot_seq(&self, id: DraftId) -> AppResult<i64> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM draft_snapshots WHERE draft_id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        Ok(seq.unwrap_or(0))
    }

    async fn draft_updates_after(
        &self,
        id: DraftId,
        after: i64,
        limit: i64,
    ) -> AppResult<Vec<(i64, Vec<u8>)>> {
        sqlx::query_as(
            "SELECT seq, update_v1 FROM draft_updates WHERE draft_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(id.0)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)
    }

    async fn append_draft_updates(
        &self,
        id: DraftId,
        first_seq: i64,
        updates: &[(Actor, Vec<u8>)],
        now: Millis,
    ) -> AppResult<bool> {
        /// Rows per INSERT: 6 parameters each stays far below both databases' limits.
        const ROWS: usize = 100;
        let insert = |chunk: &[(Actor, Vec<u8>)], mut seq: i64| {
            let rows: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let p = row * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO draft_updates (draft_id, seq, person_id, org_id, at, update_v1) VALUES {}",
                rows.join(", ")
            );
            // Built only from placeholders numbered here; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (author, update) in chunk {
                query = query
                    .bind(id.0)
                    .bind(seq)
                    .bind(author.person.0)
                    .bind(author.acting_for.map(|o| o.0))
                    .bind(now)
                    .bind(update.clone());
                seq += 1;
            }
            query
        };
        if updates.len() <= ROWS {
            // One statement is atomic on its own: no transaction, so one round trip to the
            // database instead of three for the usual group of a few keystrokes.
            return match insert(updates, first_seq).execute(&self.pool).await {
                Ok(_) => Ok(true),
                Err(error) if is_unique_violation(&error) => Ok(false),
                Err(error) => Err(internal(error)),
            };
        }
        let mut tx = self.begin().await?;
        let mut seq = first_seq;
        for chunk in updates.chunks(ROWS) {
            match insert(chunk, seq).execute(&mut *tx).await {
                Ok(_) => seq += chunk.len() as i64,
                // Dropping the transaction rolls it back: nothing of the group is stored.
                Err(error) if is_unique_violation(&error) => return Ok(false),
                Err(error) => return Err(internal(error)),
            }
        }
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }

    async fn compact_draft(
        &self,
        id: DraftId,
        seq: i64,
        state: &[u8],
        now: Millis,
    ) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        // The row lock taken here makes a second compacting server wait, then see the newer
        // snapshot and change nothing: exactly one wins.
        let stored = sqlx::query(
            "INSERT INTO draft_snapshots (draft_id, seq, state_v1, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (draft_id) DO UPDATE SET seq = excluded.seq, state_v1 = excluded.state_v1, \
             created_at = excluded.created_at WHERE draft_snapshots.seq < excluded.seq",
        )
        .bind(id.0)
        .bind(seq)
        .bind(state.to_vec())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if stored == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM draft_updates WHERE draft_id = $1 AND seq <= $2")
            .bind(id.0)
            .bind(seq)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }

    async fn bind_draft_client(&self, id: DraftId, client: u64, author: Actor) -> AppResult<Actor> {
        let client = i64::try_from(client).map_err(|_| AppError::Internal)?;
        sqlx::query(
            "INSERT INTO draft_clients (draft_id, client_id, person_id, org_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (draft_id, client_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(client)
        .bind(author.person.0)
        .bind(author.acting_for.map(|o| o.0))
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        let (person, org): (i64, Option<i64>) = sqlx::query_as(
            "SELECT person_id, org_id FROM draft_clients WHERE draft_id = $1 AND client_id = $2",
        )
        .bind(id.0)
        .bind(client)
        .fetch_one(&self.pool)
        .await
        .map_err(internal)?;
        Ok(Actor {
            person: PersonId(person),
            acting_for: org.map(OrgId),
        })
    }

    async fn draft_clients(&self, id: DraftId) -> AppResult<Vec<(u64, Actor)>> {
        let rows: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT client_id, person_id, org_id FROM draft_clients WHERE draft_id = $1",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|(client, person, org)| {
                (
                    client as u64,
                    Actor {
                        person: PersonId(person),
                        acting_for: org.map(OrgId),
                    },
                )
            })
            .collect())
    }

    async fn legacy_plain_drafts(&self) -> AppResult<Vec<(DraftId, PersonId)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT d.id, d.created_by FROM legacy_plain_drafts l JOIN drafts d ON d.id = l.draft_id ORDER BY d.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|(draft, person)| (DraftId(draft), PersonId(person)))
            .collect())
    }

    async fn forget_legacy_draft(&self, id: DraftId) -> AppResult<()> {
        sqlx::query("DELETE FROM legacy_plain_drafts WHERE draft_id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }
}
