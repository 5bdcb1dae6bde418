//! Who is told of a comment: the followers of its thread of a reply, the followers of its draft
//! of a new thread (co-drafters follow their drafts), and its author of a moderator's decision.

use super::*;
use crate::store::SqlStore;
use crate::store::notifications::{Telling, followers, tell};
use app::domain::notice::{FollowSubject, Notice, excerpt};

/// What the comment's subject is called: the draft's title, or the budget project's.
async fn subject_title(conn: &mut AnyConnection, subject: Subject) -> AppResult<String> {
    match subject {
        Subject::Draft(draft) => sqlx::query_scalar("SELECT title FROM drafts WHERE id = $1")
            .bind(draft.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(internal),
        Subject::Project { project, .. } => {
            sqlx::query_scalar("SELECT title FROM budget_projects WHERE id = $1")
                .bind(project)
                .fetch_one(&mut *conn)
                .await
                .map_err(internal)
        }
    }
}

/// The link to a comment in its thread's page.
fn comment_link(comment: &Comment) -> String {
    format!(
        "{}#comment-{}",
        comment.subject.thread_page(comment.process, comment.thread),
        comment.id
    )
}

/// Tells of a comment now shown to everyone, the first time it is (when posted, or when a
/// moderator first lets it through): a reply to its thread's followers, a new thread to its
/// draft's followers.
pub(super) async fn tell_of_comment(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    store: &SqlStore,
    id: CommentId,
    now: Millis,
) -> AppResult<()> {
    let first_time =
        sqlx::query("UPDATE comments SET announced_at = $1 WHERE id = $2 AND announced_at IS NULL")
            .bind(now)
            .bind(id.0)
            .execute(&mut **tx)
            .await
            .map_err(internal)?
            .rows_affected();
    if first_time == 0 {
        return Ok(());
    }
    let comment = one(tx, id).await?;
    let draft_title = subject_title(tx, comment.subject).await?;
    let (recipients, notice) = if comment.parent.is_some() {
        (
            followers(tx, FollowSubject::Thread, comment.thread.0).await?,
            Notice::Reply {
                draft_title,
                by: comment.display_name.clone(),
                excerpt: excerpt(&comment.body),
            },
        )
    } else if let Some(draft) = comment.subject.draft() {
        (
            followers(tx, FollowSubject::Draft, draft.0).await?,
            Notice::Comment {
                draft_title,
                by: comment.display_name.clone(),
                excerpt: excerpt(&comment.body),
            },
        )
    } else {
        return Ok(());
    };
    let telling = Telling {
        notice,
        process: Some(comment.process),
        link: comment_link(&comment),
        comment: Some(comment.id),
        actor: Some(comment.author),
        calendar: None,
    };
    tell(tx, store, &recipients, &telling, now).await
}

/// A moderator's decision on a comment, as its author is told of it.
pub(super) struct Decided<'a> {
    pub action: ModerationAction,
    pub reason: Reason,
    pub note: &'a str,
    pub moderator: PersonId,
}

/// Tells a comment's author of a moderator's decision on it, with the reason, the moderator's
/// note, and whether they may appeal.
pub(super) async fn tell_author(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    store: &SqlStore,
    comment: &Comment,
    decided: Decided<'_>,
    now: Millis,
) -> AppResult<()> {
    let telling = Telling {
        notice: Notice::Moderated {
            draft_title: subject_title(tx, comment.subject).await?,
            action: decided.action.code().to_string(),
            reason: decided.reason.code().to_string(),
            note: decided.note.to_string(),
            excerpt: excerpt(&comment.body),
            appealable: decided.action == ModerationAction::Hidden,
        },
        process: Some(comment.process),
        link: comment_link(comment),
        comment: Some(comment.id),
        actor: Some(decided.moderator),
        calendar: None,
    };
    tell(tx, store, &[comment.author], &telling, now).await
}
