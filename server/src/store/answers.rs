//! What became of a person's own comments (on drafts and on budget projects): each draft comment
//! with the answer a published decision gave its thread (`decision_dispositions` points a thread
//! at its latest answer).

use super::SqlStore;
use super::rows::{corrupt, localized};
use super::shared::internal;
use app::domain::comments::Status;
use app::domain::decision::Disposition;
use app::domain::localized::Localized;
use app::error::AppResult;
use app::ids::{CommentId, DecisionId, DraftId, PersonId, ProcessId};
use app::model::{OwnComment, PublishedAnswer, Subject};
use app::ssr::Answers;

#[derive(sqlx::FromRow)]
struct OwnCommentRow {
    id: i64,
    thread_id: i64,
    process_id: i64,
    process_title: String,
    languages: String,
    draft_id: Option<i64>,
    draft_title: Option<String>,
    draft_language: Option<String>,
    budget_id: Option<i64>,
    project_id: Option<i64>,
    project_title: Option<String>,
    body: String,
    status: String,
    created_at: i64,
    decision_id: Option<i64>,
    disposition: Option<String>,
    reason: Option<String>,
    change_quote: Option<String>,
    published_at: Option<i64>,
}

impl OwnCommentRow {
    fn into_comment(self) -> AppResult<OwnComment> {
        // Only a published decision's answer is joined (see the query); all of it or nothing.
        let answer = match (self.decision_id, self.disposition, self.published_at) {
            (Some(decision), Some(disposition), Some(published_at)) => Some(PublishedAnswer {
                decision: DecisionId(decision),
                disposition: Disposition::from_code(&disposition)
                    .ok_or_else(|| corrupt("disposition", &disposition))?,
                reason: self.reason.unwrap_or_default(),
                change: self.change_quote,
                published_at,
            }),
            _ => None,
        };
        let (subject, subject_title) = match (self.draft_id, self.budget_id, self.project_id) {
            (Some(draft), _, _) => (
                Subject::Draft(DraftId(draft)),
                Localized::one(
                    &self.draft_language.unwrap_or_default(),
                    &self.draft_title.unwrap_or_default(),
                ),
            ),
            (None, Some(budget), Some(project)) => (
                Subject::Project { budget, project },
                localized(&self.project_title.unwrap_or_default())?,
            ),
            _ => return Err(corrupt("comment subject", &self.id.to_string())),
        };
        Ok(OwnComment {
            id: CommentId(self.id),
            thread: CommentId(self.thread_id),
            process: ProcessId(self.process_id),
            process_title: localized(&self.process_title)?,
            process_languages: self
                .languages
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            subject,
            subject_title,
            body: self.body,
            status: Status::from_code(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            created_at: self.created_at,
            answer,
        })
    }
}

#[async_trait::async_trait]
impl Answers for SqlStore {
    async fn own_comments(
        &self,
        person: PersonId,
        process: Option<ProcessId>,
    ) -> AppResult<Vec<OwnComment>> {
        // A thread's answer counts only once its decision is published: until then the council
        // may still change it, and it is not yet the council's word.
        let rows: Vec<OwnCommentRow> = sqlx::query_as(
            "SELECT c.id, c.thread_id, c.process_id, p.title AS process_title, p.languages, \
                    c.draft_id, d.title AS draft_title, d.language AS draft_language, \
                    bp.budget_id, c.project_id, bp.title AS project_title, c.body, \
                    c.status, c.created_at, dec.id AS decision_id, a.disposition, a.reason, \
                    a.change_quote, dec.published_at \
             FROM comments c \
             JOIN processes p ON p.id = c.process_id \
             LEFT JOIN drafts d ON d.id = c.draft_id \
             LEFT JOIN budget_projects bp ON bp.id = c.project_id \
             LEFT JOIN decisions dec ON dec.draft_id = c.draft_id AND dec.published_at IS NOT NULL \
             LEFT JOIN decision_dispositions dd \
                    ON dd.decision_id = dec.id AND dd.thread_id = c.thread_id \
             LEFT JOIN decision_answers a ON a.id = dd.answer_id \
             WHERE c.person_id = $1 AND c.status <> 'withdrawn' \
               AND ($2 = 0 OR c.process_id = $2) \
             ORDER BY c.created_at DESC, c.id DESC",
        )
        .bind(person.0)
        .bind(process.map_or(0, |p| p.0))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter().map(OwnCommentRow::into_comment).collect()
    }
}
