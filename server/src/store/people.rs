//! People with accounts: sign-up (with the check on names that copy an office-holder's),
//! profiles and site administration.

use super::SqlStore;
use super::rows::*;
use super::shared::*;
use app::domain::roles::SiteAction;
use app::domain::roles::SiteRole;
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::PersonId;
use app::model::*;
use app::ssr::AddressCheck;

#[async_trait::async_trait]
impl app::ssr::People for SqlStore {
    async fn create_person(
        &self,
        new: NewPerson,
        now: Millis,
        check: Option<&AddressCheck<'_>>,
    ) -> AppResult<PersonId> {
        let taken = || AppError::invalid("email", Msg::ErrorEmailTaken);
        let mut tx = self.begin().await?;
        super::names::check_person_name(&mut tx, &new.display_name, None, "display_name").await?;
        let result: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO people (email, display_name, password_hash, language, site_role, created_at, \
             email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&new.email)
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(&new.language)
        .bind(SiteRole::of(new.site_admin).code())
        .bind(now)
        .bind(check.is_none().then_some(now))
        .fetch_one(&mut *tx)
        .await;
        let id = match result {
            Ok(id) => PersonId(id),
            Err(e) if is_unique_violation(&e) => return Err(taken()),
            Err(e) => return Err(internal(e)),
        };
        super::names::set_person_keys(&mut tx, id, &new.display_name).await?;
        if let Some(check) = check {
            let person = Person {
                id,
                email: new.email.clone(),
                display_name: new.display_name.clone(),
                language: new.language.clone(),
                site_admin: new.site_admin,
                created_at: now,
                email_verified: false,
            };
            super::email_verifications::send_check(&mut tx, &self.mail_domain, &person, check, now)
                .await?;
        }
        tx.commit().await.map_err(internal)?;
        Ok(id)
    }

    async fn credentials(&self, email: &str) -> AppResult<Option<(PersonId, String)>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM people WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        Ok(row.map(|(id, hash)| (PersonId(id), hash)))
    }

    async fn person(&self, id: PersonId) -> AppResult<Option<Person>> {
        let row: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(PersonRow::into_person))
    }

    async fn person_by_email(&self, email: &str) -> AppResult<Option<Person>> {
        let row: Option<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        Ok(row.map(PersonRow::into_person))
    }

    async fn people(&self) -> AppResult<Vec<Person>> {
        let rows: Vec<PersonRow> = sqlx::query_as(concat!(
            "SELECT ",
            person_columns!(),
            " FROM people ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        // Sorted here, not in SQL: the two databases collate text differently.
        let mut people: Vec<Person> = rows.into_iter().map(PersonRow::into_person).collect();
        people.sort_by_cached_key(|p| (p.display_name.to_lowercase(), p.id));
        Ok(people)
    }

    async fn update_profile(
        &self,
        id: PersonId,
        display_name: &str,
        language: &str,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        // Only a new name is checked: choosing a language keeps whatever name one has.
        if current.as_deref() != Some(display_name) {
            super::names::check_person_name(&mut tx, display_name, Some(id), "display_name")
                .await?;
        }
        sqlx::query("UPDATE people SET display_name = $1, language = $2 WHERE id = $3")
            .bind(display_name)
            .bind(language)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        super::names::set_person_keys(&mut tx, id, display_name).await?;
        tx.commit().await.map_err(internal)
    }

    async fn set_password_hash(&self, id: PersonId, hash: &str) -> AppResult<()> {
        sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn set_site_admin(&self, by: PersonId, id: PersonId, admin: bool) -> AppResult<()> {
        if by == id {
            return Err(AppError::invalid("person", Msg::ErrorLastAdmin));
        }
        let mut tx = self.begin().await?;
        authorize_site(&mut tx, by, SiteAction::ManagePeople).await?;
        let updated = sqlx::query("UPDATE people SET site_role = $1 WHERE id = $2")
            .bind(SiteRole::of(admin).code())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        if updated.rows_affected() == 0 {
            return Err(AppError::invalid("person", Msg::ErrorNoSuchPerson));
        }
        tx.commit().await.map_err(internal)
    }

    async fn bootstrap_admin(&self, email: &str) -> AppResult<bool> {
        let updated = sqlx::query("UPDATE people SET site_role = 'admin' WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(updated.rows_affected() == 1)
    }
}
