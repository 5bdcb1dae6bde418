//! Following: a person follows a process, a draft or a comment thread for themselves, or on
//! behalf of an organisation they may speak for (then every confirmed member is told). People
//! follow their own threads and the threads they reply in without asking ([`follow_thread`]).

use super::SqlStore;
use super::rows::localized;
use super::shared::{internal, speaking_for};
use app::domain::comments::Status;
use app::domain::localized::Localized;
use app::domain::notice::{FollowSubject, excerpt};
use app::error::{AppError, AppResult};
use app::ids::{CommentId, OrgId, PersonId};
use app::model::{Followed, Millis};
use sqlx::AnyConnection;

/// Checks that the subject exists and may be followed: any process or draft, and a thread whose
/// first comment is shown to everyone.
async fn check_subject(conn: &mut AnyConnection, subject: FollowSubject, id: i64) -> AppResult<()> {
    let found: Option<i64> = match subject {
        FollowSubject::Process => {
            sqlx::query_scalar("SELECT id FROM processes WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
        }
        FollowSubject::Draft => {
            sqlx::query_scalar("SELECT id FROM drafts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
        }
        FollowSubject::Thread => {
            sqlx::query_scalar(
                "SELECT id FROM comments WHERE id = $1 AND thread_id = id AND status = $2",
            )
            .bind(id)
            .bind(Status::Visible.code())
            .fetch_optional(&mut *conn)
            .await
        }
    }
    .map_err(internal)?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}

/// Makes `person` follow a subject unless they do, inside the caller's transaction: what they
/// follow without asking (a thread they write in, a draft they create).
pub(super) async fn follow_without_asking(
    conn: &mut AnyConnection,
    person: PersonId,
    subject: FollowSubject,
    id: i64,
    now: Millis,
) -> AppResult<()> {
    insert_follow(conn, Some(person), None, subject, id, person, now).await
}

/// Adds a follow unless it exists (the partial unique indexes say so; two at once are one).
async fn insert_follow(
    conn: &mut AnyConnection,
    person: Option<PersonId>,
    org: Option<OrgId>,
    subject: FollowSubject,
    id: i64,
    by: PersonId,
    now: Millis,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO follows (person_id, org_id, subject_kind, subject_id, followed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(person.map(|p| p.0))
    .bind(org.map(|o| o.0))
    .bind(subject.code())
    .bind(id)
    .bind(by.0)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(())
}

/// The page of a followed subject and its title.
async fn describe(
    conn: &mut AnyConnection,
    subject: FollowSubject,
    id: i64,
) -> AppResult<Option<(String, Localized)>> {
    Ok(match subject {
        FollowSubject::Process => {
            let title: Option<String> =
                sqlx::query_scalar("SELECT title FROM processes WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(internal)?;
            match title {
                Some(title) => Some((format!("/processes/{id}"), localized(&title)?)),
                None => None,
            }
        }
        FollowSubject::Draft => {
            let row: Option<(i64, String, String)> =
                sqlx::query_as("SELECT process_id, title, language FROM drafts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(internal)?;
            row.map(|(process, title, language)| {
                (
                    format!("/processes/{process}/drafts/{id}"),
                    Localized::one(&language, &title),
                )
            })
        }
        FollowSubject::Thread => match super::comments::one(conn, CommentId(id)).await {
            Ok(comment) => {
                // Its words only while everyone may read them; else only its number.
                let title = if comment.status == Status::Visible {
                    excerpt(&comment.body)
                } else {
                    format!("#{id}")
                };
                Some((
                    comment.subject.thread_page(comment.process, comment.thread),
                    Localized::one("", &title),
                ))
            }
            Err(AppError::NotFound) => None,
            Err(error) => return Err(error),
        },
    })
}

#[async_trait::async_trait]
impl app::ssr::Follows for SqlStore {
    async fn follow(
        &self,
        person: PersonId,
        subject: FollowSubject,
        id: i64,
        org: Option<OrgId>,
        now: Millis,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        check_subject(&mut tx, subject, id).await?;
        if let Some(org) = org {
            speaking_for(&mut tx, person, org).await?;
        }
        let for_person = org.is_none().then_some(person);
        insert_follow(&mut tx, for_person, org, subject, id, person, now).await?;
        tx.commit().await.map_err(internal)
    }

    async fn unfollow(
        &self,
        person: PersonId,
        subject: FollowSubject,
        id: i64,
        org: Option<OrgId>,
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        match org {
            Some(org) => {
                speaking_for(&mut tx, person, org).await?;
                sqlx::query(
                    "DELETE FROM follows WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3",
                )
                .bind(org.0)
            }
            None => sqlx::query(
                "DELETE FROM follows WHERE person_id = $1 AND subject_kind = $2 AND subject_id = $3",
            )
            .bind(person.0),
        }
        .bind(subject.code())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        tx.commit().await.map_err(internal)
    }

    async fn followed_as(
        &self,
        person: PersonId,
        subject: FollowSubject,
        id: i64,
    ) -> AppResult<Vec<Option<OrgId>>> {
        let rows: Vec<(Option<i64>,)> = sqlx::query_as(
            "SELECT org_id FROM follows WHERE subject_kind = $2 AND subject_id = $3 \
             AND (person_id = $1 OR org_id IN (SELECT org_id FROM memberships \
             WHERE person_id = $1 AND confirmed_at IS NOT NULL)) ORDER BY org_id",
        )
        .bind(person.0)
        .bind(subject.code())
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        Ok(rows.into_iter().map(|(org,)| org.map(OrgId)).collect())
    }

    async fn follows(&self, person: PersonId) -> AppResult<Vec<Followed>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let rows: Vec<(String, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT f.subject_kind, f.subject_id, f.org_id, o.name FROM follows f \
             LEFT JOIN organisations o ON o.id = f.org_id \
             WHERE f.person_id = $1 OR f.org_id IN (SELECT org_id FROM memberships \
             WHERE person_id = $1 AND confirmed_at IS NOT NULL) ORDER BY f.id DESC",
        )
        .bind(person.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
        let mut followed = Vec::with_capacity(rows.len());
        for (kind, id, org, org_name) in rows {
            let Some(subject) = FollowSubject::from_code(&kind) else {
                continue;
            };
            let Some((link, title)) = describe(&mut conn, subject, id).await? else {
                continue;
            };
            let org = match (org, org_name) {
                (Some(org), Some(name)) => Some((OrgId(org), localized(&name)?)),
                _ => None,
            };
            followed.push(Followed {
                subject,
                id,
                title,
                link,
                org,
            });
        }
        Ok(followed)
    }
}
