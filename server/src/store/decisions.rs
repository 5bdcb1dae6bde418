//! Decisions in SQL, and the public record every decision, answer, moderation action and phase
//! change is appended to in the same transaction that made it.

use super::SqlStore;
use super::notifications::{Telling, followers, tell};
use super::rows::corrupt;
use super::shared::*;
use app::domain::comments::Status;
use app::domain::decision::{
    self, Choice, Disposition, FollowUpStatus, Majority, Quorum, Tally, VotingRule,
};
use app::domain::notice::{FollowSubject, Notice};
use app::domain::process::Day;
use app::domain::record::Entry;
use app::domain::roles::Action;
use app::error::{AppError, AppResult, FieldError};
use app::i18n::Msg;
use app::ids::{CommentId, DecisionId, DraftId, OrgId, PersonId, ProcessId};
use app::model::*;
use app::ssr::Decisions;
use app::ssr::changes::{Change, Written};
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// What every change to a decision needs to know about it.
struct Head {
    process: ProcessId,
    draft: DraftId,
    version: Option<i64>,
    published: bool,
}

async fn head(conn: &mut AnyConnection, id: DecisionId) -> AppResult<Head> {
    let row: Option<(i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT process_id, draft_id, version_number, published_at FROM decisions WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let (process, draft, version, published_at) = row.ok_or(AppError::NotFound)?;
    Ok(Head {
        process: ProcessId(process),
        draft: DraftId(draft),
        version,
        published: published_at.is_some(),
    })
}

/// The frozen text: the body of the decision's version, once it is fixed.
async fn frozen_text(
    conn: &mut AnyConnection,
    draft: DraftId,
    version: Option<i64>,
) -> AppResult<Option<String>> {
    let Some(number) = version else {
        return Ok(None);
    };
    sqlx::query_scalar("SELECT body FROM draft_versions WHERE draft_id = $1 AND number = $2")
        .bind(draft.0)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)
}

/// Refuses changes to a published decision: it stays as published.
fn unpublished(head: &Head) -> AppResult<()> {
    if head.published {
        Err(AppError::Conflict(Msg::ErrorDecisionPublished))
    } else {
        Ok(())
    }
}

async fn council_size(conn: &mut AnyConnection, process: ProcessId) -> AppResult<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM process_people WHERE process_id = $1 AND role = 'council_member'",
    )
    .bind(process.0)
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// The draft's top-level threads by status: (visible, awaiting moderation).
async fn threads(conn: &mut AnyConnection, draft: DraftId) -> AppResult<(Vec<i64>, Vec<i64>)> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM comments WHERE draft_id = $1 AND parent_id IS NULL ORDER BY id",
    )
    .bind(draft.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let mut visible = Vec::new();
    let mut waiting = Vec::new();
    for (id, status) in rows {
        match Status::from_code(&status) {
            Some(Status::Visible) => visible.push(id),
            Some(Status::Pending | Status::Held) => waiting.push(id),
            Some(Status::Hidden | Status::Withdrawn) => {}
            None => return Err(corrupt("comment status", &status)),
        }
    }
    Ok((visible, waiting))
}

/// A decision's own row, with its draft's title and language.
#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: i64,
    process_id: i64,
    draft_id: i64,
    title: String,
    language: String,
    version_number: Option<i64>,
    text_hash: Option<String>,
    shares: String,
    quorum: String,
    majority: String,
    frozen_by_name: String,
    frozen_at: i64,
    rationale: String,
    council_size: Option<i64>,
    published_at: Option<i64>,
    published_by_name: Option<String>,
    review_on: Option<String>,
}

macro_rules! decision_select {
    () => {
        "SELECT d.id, d.process_id, d.draft_id, dr.title, dr.language, d.version_number, \
         (SELECT v.content_hash FROM draft_versions v WHERE v.draft_id = d.draft_id AND v.number = d.version_number) \
         AS text_hash, d.shares, d.quorum, d.majority, d.frozen_by_name, d.frozen_at, d.rationale, d.council_size, \
         d.published_at, d.published_by_name, d.review_on FROM decisions d JOIN drafts dr ON dr.id = d.draft_id "
    };
}

async fn load(conn: &mut AnyConnection, row: DecisionRow) -> AppResult<CouncilDecision> {
    let DecisionRow {
        id,
        process_id: process,
        draft_id: draft,
        title: draft_title,
        language,
        version_number: version,
        text_hash,
        shares,
        quorum,
        majority,
        frozen_by_name: frozen_by,
        frozen_at,
        rationale,
        council_size: council,
        published_at,
        published_by_name: published_by,
        review_on,
    } = row;
    let text = frozen_text(conn, DraftId(draft), version).await?;
    let stored: Vec<(Option<i64>, usize)> = serde_json::from_str::<Vec<Value>>(&shares)
        .map_err(|_| corrupt("decision shares", &shares))?
        .iter()
        .map(|s| {
            (
                s["org"].as_i64(),
                s["characters"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect();
    let mut shares = Vec::new();
    for (org, characters) in stored {
        let org_name = match org {
            Some(org) => {
                let name: Option<String> =
                    sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                        .bind(org)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(internal)?;
                name.map(|n| super::rows::localized(&n)).transpose()?
            }
            None => None,
        };
        shares.push(TextShare {
            org: org.map(OrgId),
            org_name,
            characters,
        });
    }
    let answer_rows: Vec<(i64, String, String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT id, disposition, reason, change_quote, actor_name, created_at FROM decision_answers \
         WHERE decision_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let links: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT answer_id, thread_id FROM decision_dispositions WHERE decision_id = $1 ORDER BY thread_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let mut answers = Vec::new();
    for (answer, disposition, reason, change, by, at) in answer_rows {
        let threads: Vec<CommentId> = links
            .iter()
            .filter(|(a, _)| *a == answer)
            .map(|(_, t)| CommentId(*t))
            .collect();
        // An answer every thread of which was answered again later is history (kept in the record).
        if threads.is_empty() {
            continue;
        }
        answers.push(ThreadAnswer {
            id: answer,
            threads,
            disposition: Disposition::from_code(&disposition)
                .ok_or_else(|| corrupt("disposition", &disposition))?,
            reason,
            change,
            by,
            at,
        });
    }
    let vote_rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT person_id, voter_name, choice, statement, cast_at FROM decision_votes \
         WHERE decision_id = $1 ORDER BY cast_at, person_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let votes = vote_rows
        .into_iter()
        .map(|(person, name, choice, statement, at)| {
            Ok(CouncilVote {
                person: PersonId(person),
                name,
                choice: Choice::from_code(&choice).ok_or_else(|| corrupt("vote", &choice))?,
                statement,
                at,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let update_rows: Vec<(i64, String, i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, status, progress, on_day, note, actor_name, created_at FROM decision_updates \
         WHERE decision_id = $1 ORDER BY on_day DESC, id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    let updates = update_rows
        .into_iter()
        .map(|(id, status, progress, on, note, by, at)| {
            Ok(FollowUp {
                id,
                status: FollowUpStatus::from_code(&status)
                    .ok_or_else(|| corrupt("follow-up status", &status))?,
                progress: progress.clamp(0, 100) as u8,
                on: Day::parse(&on).ok_or_else(|| corrupt("day", &on))?,
                note,
                by,
                at,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let council = match council {
        Some(n) => u32::try_from(n).unwrap_or(0),
        None => council_size(conn, ProcessId(process)).await?,
    };
    Ok(CouncilDecision {
        id: DecisionId(id),
        process: ProcessId(process),
        draft: DraftId(draft),
        draft_title,
        language,
        version,
        text,
        text_hash,
        shares,
        rule: VotingRule {
            quorum: Quorum::from_code(&quorum).ok_or_else(|| corrupt("quorum", &quorum))?,
            majority: Majority::from_code(&majority)
                .ok_or_else(|| corrupt("majority", &majority))?,
        },
        council,
        frozen_at,
        frozen_by,
        rationale,
        published_at,
        published_by,
        review_on: review_on
            .map(|d| Day::parse(&d).ok_or_else(|| corrupt("day", &d)))
            .transpose()?,
        answers,
        votes,
        updates,
    })
}

fn rule_of(quorum: &str, majority: &str) -> AppResult<VotingRule> {
    Ok(VotingRule {
        quorum: Quorum::from_code(quorum).ok_or_else(|| corrupt("quorum", quorum))?,
        majority: Majority::from_code(majority).ok_or_else(|| corrupt("majority", majority))?,
    })
}

#[async_trait::async_trait]
impl Decisions for SqlStore {
    async fn voting_rule(&self, process: ProcessId) -> AppResult<VotingRule> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT quorum, majority FROM processes WHERE id = $1")
                .bind(process.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        let (quorum, majority) = row.ok_or(AppError::NotFound)?;
        rule_of(&quorum, &majority)
    }

    async fn set_voting_rule(
        &self,
        actor: Actor,
        process: ProcessId,
        rule: VotingRule,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, process, actor, Action::Manage).await?;
        sqlx::query("UPDATE processes SET quorum = $1, majority = $2 WHERE id = $3")
            .bind(rule.quorum.code())
            .bind(rule.majority.code())
            .bind(process.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        log_event(
            &mut tx,
            process,
            actor,
            &EventKind::DetailsEdited,
            None,
            now,
        )
        .await?;
        commit(tx, (), Vec::new()).await
    }

    async fn freeze_draft(
        &self,
        actor: Actor,
        draft: DraftId,
        now: Millis,
    ) -> AppResult<Written<DecisionId>> {
        let mut tx = self.begin().await?;
        let row: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT d.process_id, (SELECT s.id FROM sittings s WHERE s.minutes_draft_id = d.id) \
             FROM drafts d WHERE d.id = $1",
        )
        .bind(draft.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        let (process, minutes_of) = row.ok_or(AppError::NotFound)?;
        if minutes_of.is_some() {
            return Err(AppError::NotFound);
        }
        let process = ProcessId(process);
        authorize(&mut tx, process, actor, Action::FreezeDraft).await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM decisions WHERE draft_id = $1")
                .bind(draft.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
        if existing.is_some() {
            return Err(AppError::Conflict(Msg::ErrorDraftAlreadyFrozen));
        }
        let (quorum, majority): (String, String) =
            sqlx::query_as("SELECT quorum, majority FROM processes WHERE id = $1")
                .bind(process.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?;
        let name = display_name(&mut tx, actor.person).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO decisions (process_id, draft_id, quorum, majority, frozen_by, frozen_by_name, frozen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(process.0)
        .bind(draft.0)
        .bind(quorum)
        .bind(majority)
        .bind(actor.person.0)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        commit(tx, DecisionId(id), vec![Change::DraftAccess]).await
    }

    async fn fix_decision_text(
        &self,
        id: DecisionId,
        actor: Actor,
        text: FrozenText,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let head = head(&mut tx, id).await?;
        if head.version.is_some() {
            return Ok(Written::quiet(()));
        }
        let number =
            super::versions::insert_version(&mut tx, head.draft, actor, &text.version, now).await?;
        let name = display_name(&mut tx, actor.person).await?;
        let shares: Vec<Value> = text
            .shares
            .iter()
            .map(|s| json!({ "org": s.org.map(|o| o.0), "characters": s.characters }))
            .collect();
        sqlx::query("UPDATE decisions SET version_number = $1, shares = $2 WHERE id = $3")
            .bind(number)
            .bind(Value::Array(shares.clone()).to_string())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        append_record(
            &mut tx,
            json!({
                "kind": "text_frozen",
                "process": head.process.0,
                "decision": id.0,
                "draft": head.draft.0,
                "version": number,
                "text_sha256": text.version.content_hash,
                "shares": shares,
                "by": name,
            }),
            now,
        )
        .await?;
        commit(tx, (), Vec::new()).await
    }

    async fn decision(&self, id: DecisionId) -> AppResult<Option<CouncilDecision>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let row: Option<DecisionRow> =
            sqlx::query_as(concat!(decision_select!(), "WHERE d.id = $1"))
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(internal)?;
        match row {
            Some(row) => Ok(Some(load(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    async fn decision_of_draft(&self, draft: DraftId) -> AppResult<Option<DecisionId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM decisions WHERE draft_id = $1")
            .bind(draft.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        Ok(id.map(DecisionId))
    }

    async fn decisions(&self, process: Option<ProcessId>) -> AppResult<Vec<CouncilDecision>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let rows: Vec<DecisionRow> = match process {
            Some(process) => {
                sqlx::query_as(concat!(
                    decision_select!(),
                    "WHERE d.process_id = $1 ORDER BY d.id"
                ))
                .bind(process.0)
                .fetch_all(&mut *conn)
                .await
            }
            None => {
                sqlx::query_as(concat!(
                    decision_select!(),
                    "ORDER BY d.published_at DESC, d.id DESC"
                ))
                .fetch_all(&mut *conn)
                .await
            }
        }
        .map_err(internal)?;
        let mut decisions = Vec::with_capacity(rows.len());
        for row in rows {
            decisions.push(load(&mut conn, row).await?);
        }
        Ok(decisions)
    }

    async fn answer_threads(
        &self,
        actor: Actor,
        id: DecisionId,
        answer: NewAnswer,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let head = head(&mut tx, id).await?;
        authorize(&mut tx, head.process, actor, Action::AnswerComments).await?;
        unpublished(&head)?;
        if answer.threads.is_empty() {
            return Err(AppError::invalid("threads", Msg::ErrorChooseThreads));
        }
        let (visible, _) = threads(&mut tx, head.draft).await?;
        if let Some(stray) = answer.threads.iter().find(|t| !visible.contains(&t.0)) {
            return Err(AppError::invalid(
                "threads",
                Msg::ErrorNotAThreadHere {
                    n: stray.to_string(),
                },
            ));
        }
        // An answer is never replaced silently: the council is shown which threads already have
        // one (their page lists them, with the threads that share it) and must choose to.
        if !answer.replace {
            let answered: Vec<i64> = sqlx::query_scalar(
                "SELECT thread_id FROM decision_dispositions WHERE decision_id = $1 ORDER BY thread_id",
            )
            .bind(id.0)
            .fetch_all(&mut *tx)
            .await
            .map_err(internal)?;
            let replaced: Vec<String> = answer
                .threads
                .iter()
                .filter(|t| answered.contains(&t.0))
                .map(|t| format!("#{t}"))
                .collect();
            if !replaced.is_empty() {
                return Err(AppError::invalid(
                    "replace",
                    Msg::DecisionReplaceRefused {
                        threads: replaced.join(", "),
                    },
                ));
            }
        }
        if let Some(change) = &answer.change {
            let text = frozen_text(&mut tx, head.draft, head.version).await?;
            if !text.is_some_and(|t| t.contains(change.as_str())) {
                return Err(AppError::invalid("change", Msg::ErrorChangeNotInText));
            }
        }
        let name = display_name(&mut tx, actor.person).await?;
        let answer_id: i64 = sqlx::query_scalar(
            "INSERT INTO decision_answers (decision_id, disposition, reason, change_quote, person_id, actor_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id.0)
        .bind(answer.disposition.code())
        .bind(&answer.reason)
        .bind(answer.change.as_deref())
        .bind(actor.person.0)
        .bind(&name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        for thread in &answer.threads {
            sqlx::query(
                "DELETE FROM decision_dispositions WHERE decision_id = $1 AND thread_id = $2",
            )
            .bind(id.0)
            .bind(thread.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            sqlx::query(
                "INSERT INTO decision_dispositions (decision_id, thread_id, answer_id) VALUES ($1, $2, $3)",
            )
            .bind(id.0)
            .bind(thread.0)
            .bind(answer_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            append_record(
                &mut tx,
                json!({
                    "kind": "disposition",
                    "process": head.process.0,
                    "decision": id.0,
                    "draft": head.draft.0,
                    "thread": thread.0,
                    "disposition": answer.disposition.code(),
                    "reason": answer.reason,
                    "change": answer.change,
                    "by": name,
                }),
                now,
            )
            .await?;
        }
        // Each answered thread shows its answer to its readers.
        let changes = answer
            .threads
            .iter()
            .map(|thread| Change::Thread {
                draft: head.draft,
                thread: *thread,
            })
            .collect();
        commit(tx, (), changes).await
    }

    async fn cast_vote(
        &self,
        actor: Actor,
        id: DecisionId,
        choice: Choice,
        statement: &str,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let head = head(&mut tx, id).await?;
        authorize(&mut tx, head.process, actor, Action::VoteOnDecision).await?;
        unpublished(&head)?;
        if actor.acting_for.is_some() {
            return Err(AppError::Forbidden(Msg::ErrorNotAllowed));
        }
        if head.version.is_none() {
            return Err(AppError::Conflict(Msg::ErrorTextNotFixed));
        }
        let name = display_name(&mut tx, actor.person).await?;
        sqlx::query("DELETE FROM decision_votes WHERE decision_id = $1 AND person_id = $2")
            .bind(id.0)
            .bind(actor.person.0)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        sqlx::query(
            "INSERT INTO decision_votes (decision_id, person_id, voter_name, choice, statement, cast_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.0)
        .bind(actor.person.0)
        .bind(name)
        .bind(choice.code())
        .bind(statement)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        commit(tx, (), Vec::new()).await
    }

    async fn publish_decision(
        &self,
        actor: Actor,
        id: DecisionId,
        rationale: &str,
        review_on: Option<Day>,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let head = head(&mut tx, id).await?;
        authorize(&mut tx, head.process, actor, Action::PublishDecision).await?;
        unpublished(&head)?;
        let Some(version) = head.version else {
            return Err(AppError::Conflict(Msg::ErrorTextNotFixed));
        };
        let row: DecisionRow = sqlx::query_as(concat!(decision_select!(), "WHERE d.id = $1"))
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        let current = load(&mut tx, row).await?;
        let (visible, waiting) = threads(&mut tx, head.draft).await?;
        let unanswered: Vec<i64> = visible
            .into_iter()
            .filter(|t| current.answer_for(CommentId(*t)).is_none())
            .collect();
        let council = council_size(&mut tx, head.process).await?;
        let tally = Tally::of(current.votes.iter().map(|v| v.choice), council);
        let result = tally.result(current.rule);
        let missing = decision::missing(unanswered, waiting, result, rationale);
        if !missing.is_empty() {
            return Err(AppError::Invalid(
                missing
                    .iter()
                    .map(|m| FieldError::new(m.field(), m.message()))
                    .collect(),
            ));
        }
        let name = display_name(&mut tx, actor.person).await?;
        sqlx::query(
            "UPDATE decisions SET rationale = $1, council_size = $2, published_at = $3, published_by_name = $4, \
             review_on = $5 WHERE id = $6",
        )
        .bind(rationale)
        .bind(i64::from(council))
        .bind(now)
        .bind(&name)
        .bind(review_on.map(|d| d.to_string()))
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        append_record(
            &mut tx,
            json!({
                "kind": "decision_published",
                "process": head.process.0,
                "decision": id.0,
                "draft": head.draft.0,
                "version": version,
                "text_sha256": current.text_hash,
                "rationale": rationale,
                "rule": { "quorum": current.rule.quorum.code(), "majority": current.rule.majority.code() },
                "council": council,
                "votes": current.votes.iter().map(|v| json!({
                    "name": v.name,
                    "choice": v.choice.code(),
                    "statement": v.statement,
                })).collect::<Vec<_>>(),
                "result": {
                    "for": tally.for_,
                    "against": tally.against,
                    "abstain": tally.abstain,
                    "quorum_needed": result.quorum_needed,
                    "passed": result.passed,
                },
                "answered_threads": current.answers.iter().map(|a| a.threads.len()).sum::<usize>(),
                "review_on": review_on.map(|d| d.to_string()),
                "by": name,
            }),
            now,
        )
        .await?;
        tell_of_decision(&mut tx, self, actor, id, &head, &current, now).await?;
        commit(tx, (), Vec::new()).await
    }

    async fn post_follow_up(
        &self,
        actor: Actor,
        id: DecisionId,
        update: NewFollowUp,
        now: Millis,
    ) -> AppResult<Written<()>> {
        let mut tx = self.begin().await?;
        let head = head(&mut tx, id).await?;
        authorize(&mut tx, head.process, actor, Action::PostFollowUp).await?;
        if !head.published {
            return Err(AppError::Conflict(Msg::ErrorDecisionNotPublished));
        }
        let name = display_name(&mut tx, actor.person).await?;
        sqlx::query(
            "INSERT INTO decision_updates (decision_id, status, progress, on_day, note, person_id, actor_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.0)
        .bind(update.status.code())
        .bind(i64::from(update.progress))
        .bind(update.on.to_string())
        .bind(&update.note)
        .bind(actor.person.0)
        .bind(&name)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if let Some(review_on) = update.review_on {
            sqlx::query("UPDATE decisions SET review_on = $1 WHERE id = $2")
                .bind(review_on.to_string())
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        commit(tx, (), Vec::new()).await
    }

    async fn record(&self, after: i64, limit: i64) -> AppResult<Vec<Entry>> {
        let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT seq, at, event, prev, hash FROM public_record WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter()
            .map(|(seq, at, event, prev, hash)| {
                Ok(Entry {
                    seq,
                    at,
                    event: serde_json::from_str(&event)
                        .map_err(|_| corrupt("record entry", &event))?,
                    prev,
                    hash,
                })
            })
            .collect()
    }

    async fn record_head(&self) -> AppResult<(i64, String)> {
        sqlx::query_as("SELECT seq, hash FROM record_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(internal)
    }
}

/// Tells of a published decision: each answered thread's followers what the council answered
/// (the disposition, the reason, the change), and the process's followers that it is out.
async fn tell_of_decision(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    store: &SqlStore,
    actor: Actor,
    id: DecisionId,
    head: &Head,
    decision: &CouncilDecision,
    now: Millis,
) -> AppResult<()> {
    let draft_title = decision.draft_title.clone();
    for answer in &decision.answers {
        for thread in &answer.threads {
            let recipients = followers(tx, FollowSubject::Thread, thread.0).await?;
            let telling = Telling {
                notice: Notice::Answered {
                    draft_title: draft_title.clone(),
                    disposition: answer.disposition.code().to_string(),
                    reason: answer.reason.clone(),
                    change: answer.change.clone(),
                },
                process: Some(head.process),
                link: format!(
                    "/processes/{}/drafts/{}/threads/{thread}",
                    head.process, head.draft
                ),
                comment: None,
                actor: Some(actor.person),
                calendar: None,
            };
            tell(tx, store, &recipients, &telling, now).await?;
        }
    }
    let recipients = followers(tx, FollowSubject::Process, head.process.0).await?;
    let telling = Telling {
        notice: Notice::Decision { draft_title },
        process: Some(head.process),
        link: format!("/processes/{}/decisions/{id}", head.process),
        comment: None,
        actor: Some(actor.person),
        calendar: None,
    };
    tell(tx, store, &recipients, &telling, now).await
}
