//! Names that read the same (`app::domain::names`): organisations never share one, and nobody's
//! display name or pseudonym copies an office-holder's or a verified organisation's.

use super::shared::{internal, is_unique_violation};
use app::domain::localized::Localized;
use app::domain::names::name_keys;
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::{OrgId, PersonId};
use sqlx::{AnyConnection, AnyPool};
use std::collections::BTreeSet;

/// Every key of every language's version of an organisation's name, each once.
fn keys_of(name: &Localized) -> BTreeSet<String> {
    name.0
        .values()
        .flat_map(|text| name_keys(text))
        .filter(|key| !key.is_empty())
        .collect()
}

/// Records an organisation's names; refuses (a field error on `name`) when another organisation
/// has a name that reads the same in any language.
pub(super) async fn claim_org_names(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &Localized,
) -> AppResult<()> {
    for key in keys_of(name) {
        let claimed = sqlx::query("INSERT INTO organisation_names (key, org_id) VALUES ($1, $2)")
            .bind(&key)
            .bind(org.0)
            .execute(&mut *conn)
            .await;
        match claimed {
            Ok(_) => {}
            Err(error) if is_unique_violation(&error) => {
                return Err(AppError::invalid("name", Msg::ErrorOrgNameTaken));
            }
            Err(error) => return Err(internal(error)),
        }
    }
    Ok(())
}

/// Checks that `name`, to be shown for `person` (`None` at sign-up), copies no office-holder's
/// name (a site administrator, a process's mediator, council member or moderator, a confirmed
/// member of a verified government body) and no verified organisation's. The refusal is a field
/// error on `field`.
pub(super) async fn check_person_name(
    conn: &mut AnyConnection,
    name: &str,
    person: Option<PersonId>,
    field: &str,
) -> AppResult<()> {
    let [first, second] = name_keys(name);
    let official: Option<i64> = sqlx::query_scalar(
        "SELECT p.id FROM person_name_keys k JOIN people p ON p.id = k.person_id \
         WHERE k.key IN ($1, $2) AND p.id <> $3 AND ( \
             p.site_role = 'admin' \
             OR EXISTS (SELECT 1 FROM process_people pp WHERE pp.person_id = p.id) \
             OR EXISTS (SELECT 1 FROM memberships m JOIN organisations o ON o.id = m.org_id \
                 WHERE m.person_id = p.id AND m.confirmed_at IS NOT NULL \
                 AND o.verified_at IS NOT NULL AND o.kind = 'government')) \
         LIMIT 1",
    )
    .bind(&first)
    .bind(&second)
    .bind(person.map_or(-1, |p| p.0))
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let organisation: Option<i64> = sqlx::query_scalar(
        "SELECT o.id FROM organisation_names n JOIN organisations o ON o.id = n.org_id \
         WHERE n.key IN ($1, $2) AND o.verified_at IS NOT NULL LIMIT 1",
    )
    .bind(&first)
    .bind(&second)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    if official.is_some() || organisation.is_some() {
        return Err(AppError::invalid(field, Msg::ErrorNameOfOfficial));
    }
    Ok(())
}

/// Records the keys of a person's display name, replacing the earlier ones.
pub(super) async fn set_person_keys(
    conn: &mut AnyConnection,
    person: PersonId,
    name: &str,
) -> AppResult<()> {
    sqlx::query("DELETE FROM person_name_keys WHERE person_id = $1")
        .bind(person.0)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    let keys: BTreeSet<String> = name_keys(name).into_iter().collect();
    for key in keys {
        sqlx::query("INSERT INTO person_name_keys (key, person_id) VALUES ($1, $2)")
            .bind(key)
            .bind(person.0)
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
    }
    Ok(())
}

/// Fills in the keys of people and organisations stored before keys existed (SQL cannot compute
/// them). Two organisations registered earlier under names that read the same keep both names;
/// the second is logged for an administrator to resolve.
pub async fn backfill(pool: &AnyPool) -> AppResult<()> {
    let people: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, display_name FROM people p \
         WHERE NOT EXISTS (SELECT 1 FROM person_name_keys k WHERE k.person_id = p.id)",
    )
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    for (id, name) in people {
        let mut conn = pool.acquire().await.map_err(internal)?;
        set_person_keys(&mut conn, PersonId(id), &name).await?;
    }
    let orgs: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM organisations o \
         WHERE NOT EXISTS (SELECT 1 FROM organisation_names n WHERE n.org_id = o.id) ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    for (id, name) in orgs {
        let name = super::rows::localized(&name)?;
        for key in keys_of(&name) {
            let claimed = sqlx::query(
                "INSERT INTO organisation_names (key, org_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(&key)
            .bind(id)
            .execute(pool)
            .await
            .map_err(internal)?;
            if claimed.rows_affected() == 0 {
                tracing::warn!(
                    organisation = id,
                    name = %name.pick("en", &[]).text,
                    "an organisation registered earlier has a name that reads the same as another's"
                );
            }
        }
    }
    Ok(())
}
