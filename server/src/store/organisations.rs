//! Organisations: registration (names that read like another's refused), verification and its
//! withdrawal (public-record events), and members, whose membership an administrator confirms.

use super::SqlStore;
use super::rows::*;
use super::shared::*;
use app::domain::roles::SiteAction;
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{OrgId, PersonId};
use app::model::*;
use app::ssr::changes::{Change, Written};
use sqlx::AnyConnection;

/// An organisation's name (as the public record and the log name it), or 404.
pub(super) async fn org_name(conn: &mut AnyConnection, id: OrgId) -> AppResult<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(display_name_of(&localized(
        &name.ok_or(AppError::NotFound)?,
    )?))
}

/// Puts a verification (`withdrawn` `None`) or its withdrawal, with the reason, in the public
/// record.
async fn record_verification(
    conn: &mut AnyConnection,
    id: OrgId,
    name: &str,
    by: PersonId,
    withdrawn: Option<&str>,
    now: Millis,
) -> AppResult<()> {
    let by = display_name(conn, by).await?;
    let event = match withdrawn {
        None => serde_json::json!({
            "kind": "organisation_verified",
            "organisation": id.0,
            "name": name,
            "by": by,
        }),
        Some(reason) => serde_json::json!({
            "kind": "organisation_verification_withdrawn",
            "organisation": id.0,
            "name": name,
            "reason": reason,
            "by": by,
        }),
    };
    append_record(conn, event, now).await
}

#[async_trait::async_trait]
impl app::ssr::Organisations for SqlStore {
    async fn create_organisation(
        &self,
        new: NewOrganisation,
        founder: PersonId,
        now: Millis,
    ) -> AppResult<Written<OrgId>> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, founder, SiteAction::RegisterOrganisation).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (name, description, kind, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(localized_json(&new.name))
        .bind(localized_json(&new.description))
        .bind(new.kind.code())
        .bind(founder.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        super::names::claim_org_names(&mut tx, OrgId(id), &new.name).await?;
        // The founder belongs to it, but speaks for it only once an administrator confirms that.
        sqlx::query("INSERT INTO memberships (org_id, person_id, joined_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(founder.0)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        commit(tx, OrgId(id), Vec::new()).await
    }

    async fn organisation(&self, id: OrgId) -> AppResult<Option<Organisation>> {
        let row: Option<OrgRow> = sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        row.map(OrgRow::into_org).transpose()
    }

    async fn organisations(&self) -> AppResult<Vec<Organisation>> {
        let rows: Vec<OrgRow> = sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter().map(OrgRow::into_org).collect()
    }

    async fn organisations_among(&self, ids: &[OrgId]) -> AppResult<Vec<Organisation>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            concat!(
                "SELECT ",
                org_columns!(),
                " FROM organisations WHERE id IN ({}) ORDER BY id"
            ),
            placeholders.join(", ")
        );
        // Built only from placeholders numbered here; every id is bound.
        let mut query = sqlx::query_as::<_, OrgRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.0);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(internal)?;
        rows.into_iter().map(OrgRow::into_org).collect()
    }

    async fn verify_organisation(
        &self,
        by: PersonId,
        id: OrgId,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let name = org_name(&mut tx, id).await?;
        let updated = sqlx::query(
            "UPDATE organisations SET verified_at = $1, verified_by = $2, withdrawn_at = NULL, \
             withdrawn_reason = '' WHERE id = $3 AND verified_at IS NULL",
        )
        .bind(now)
        .bind(by.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 1 {
            record_verification(&mut tx, id, &name, by, None, now).await?;
        }
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn withdraw_verification(
        &self,
        by: PersonId,
        id: OrgId,
        reason: &str,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let name = org_name(&mut tx, id).await?;
        let updated = sqlx::query(
            "UPDATE organisations SET verified_at = NULL, verified_by = NULL, withdrawn_at = $1, \
             withdrawn_reason = $2 WHERE id = $3 AND verified_at IS NOT NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Err(AppError::Conflict(Msg::ErrorOrgNotVerified));
        }
        record_verification(&mut tx, id, &name, by, Some(reason), now).await?;
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn confirm_membership(
        &self,
        by: PersonId,
        org: OrgId,
        person: PersonId,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let updated = sqlx::query(
            "UPDATE memberships SET confirmed_at = $1, confirmed_by = $2 \
             WHERE org_id = $3 AND person_id = $4 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(by.0)
        .bind(org.0)
        .bind(person.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Err(AppError::invalid("person", Msg::ErrorNoSuchMember));
        }
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn set_membership(
        &self,
        by: PersonId,
        org: OrgId,
        person: PersonId,
        member: bool,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManageOrganisations).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
            .bind(org.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        exists.ok_or(AppError::NotFound)?;
        // An administrator who adds a member vouches for them: the membership is confirmed (and a
        // waiting one becomes confirmed).
        let statement = if member {
            "INSERT INTO memberships (org_id, person_id, joined_at, confirmed_at, confirmed_by) \
             VALUES ($1, $2, $3, $3, $4) ON CONFLICT (org_id, person_id) DO UPDATE SET \
             confirmed_at = COALESCE(memberships.confirmed_at, excluded.confirmed_at), \
             confirmed_by = COALESCE(memberships.confirmed_by, excluded.confirmed_by)"
        } else {
            "DELETE FROM memberships WHERE org_id = $1 AND person_id = $2 AND $3 = $3 AND $4 = $4"
        };
        sqlx::query(statement)
            .bind(org.0)
            .bind(person.0)
            .bind(now)
            .bind(by.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if e.as_database_error()
                    .is_some_and(|d| d.is_foreign_key_violation())
                {
                    AppError::invalid("email", Msg::ErrorNoSuchPerson)
                } else {
                    internal(e)
                }
            })?;
        commit(tx, (), vec![Change::DraftAccess]).await
    }

    async fn members(&self, org: OrgId) -> AppResult<Vec<Member>> {
        let rows: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT p.id, p.display_name, m.joined_at, m.confirmed_at FROM memberships m \
             JOIN people p ON p.id = m.person_id WHERE m.org_id = $1 ORDER BY p.id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        let mut members: Vec<Member> = rows
            .into_iter()
            .map(|(id, display_name, joined_at, confirmed_at)| Member {
                person: PersonId(id),
                display_name,
                joined_at,
                confirmed_at,
            })
            .collect();
        members.sort_by_cached_key(|m| (m.display_name.to_lowercase(), m.person));
        Ok(members)
    }

    async fn memberships(&self, person: PersonId) -> AppResult<Vec<Membership>> {
        #[derive(sqlx::FromRow)]
        struct MembershipRow {
            #[sqlx(flatten)]
            org: OrgRow,
            confirmed_at: Option<i64>,
        }
        // No column of memberships shares a name with one of organisations', so the one column
        // list serves here without table prefixes.
        let rows: Vec<MembershipRow> = sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            ", confirmed_at FROM organisations o \
             JOIN memberships m ON m.org_id = o.id WHERE m.person_id = $1 ORDER BY o.id"
        ))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|row| {
                Ok(Membership {
                    org: row.org.into_org()?,
                    confirmed_at: row.confirmed_at,
                })
            })
            .collect()
    }
}
