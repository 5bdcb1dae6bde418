//! `GET /api/v1/decisions/{id}` and its dispositions as CSV.

use super::*;

/// A published decision, with the threads it answers, as one document for JSON and CSV alike.
async fn published_decision(
    state: &AppState,
    id: app::ids::DecisionId,
) -> Result<(app::model::CouncilDecision, Vec<app::model::Comment>), AppError> {
    let decision = state
        .store
        .decision(id)
        .await?
        .filter(|d| d.published_at.is_some())
        .ok_or(AppError::NotFound)?;
    let threads = state
        .store
        .comments(app::model::Subject::Draft(decision.draft))
        .await?
        .into_iter()
        .filter(|c| c.parent.is_none() && c.status == app::domain::comments::Status::Visible)
        .collect();
    Ok((decision, threads))
}

/// `GET /api/v1/decisions/{id}`: a published decision: adopted text and its hash, rationale, the
/// vote with its computed result, every thread's answer, co-drafters' shares and follow-up.
pub async fn decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DecisionId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let (d, threads) = published_decision(&state, id).await?;
        let tally = d.tally();
        let result = tally.result(d.rule);
        let sittings = state.store.sittings(d.process).await?;
        let total = d.shares.iter().map(|s| s.characters).sum::<usize>().max(1) as f64;
        Ok::<_, AppError>(serde_json::json!({
            "id": d.id.0,
            "url": format!("/processes/{}/decisions/{}", d.process, d.id),
            "process_id": d.process.0,
            "draft_id": d.draft.0,
            "title": d.draft_title,
            "language": d.language,
            "published_at": d.published_at.map(timestamp),
            "published_by": d.published_by,
            "frozen_at": timestamp(d.frozen_at),
            "frozen_by": d.frozen_by,
            "version": d.version,
            "text": d.text,
            "text_sha256": d.text_hash,
            "rationale": d.rationale,
            "vote": {
                "quorum": d.rule.quorum.code(),
                "majority": d.rule.majority.code(),
                "council": d.council,
                "for": tally.for_,
                "against": tally.against,
                "abstain": tally.abstain,
                "quorum_needed": result.quorum_needed,
                "passed": result.passed,
                "votes": d.votes.iter().map(|v| serde_json::json!({
                    "name": v.name,
                    "choice": v.choice.code(),
                    "statement": v.statement,
                    "cast_at": timestamp(v.at),
                })).collect::<Vec<_>>(),
            },
            "dispositions": threads.iter().map(|c| {
                let answer = d.answer_for(c.id);
                serde_json::json!({
                    "thread_id": c.id.0,
                    "url": format!("/processes/{}/drafts/{}/threads/{}", d.process, d.draft, c.id),
                    "author": c.display_name,
                    "organisation": c.org_name.as_ref().map(texts),
                    "stance": c.stance,
                    "quote": c.passage.as_ref().map(|p| p.quote.clone()),
                    "comment": c.body,
                    "disposition": answer.map(|a| a.disposition.code()),
                    "reason": answer.map(|a| a.reason.clone()),
                    "change": answer.and_then(|a| a.change.clone()),
                    "answered_with": answer.map(|a| a.threads.iter().map(|t| t.0).collect::<Vec<_>>()),
                    "answered_by": answer.map(|a| a.by.clone()),
                })
            }).collect::<Vec<_>>(),
            "shares": d.shares.iter().map(|s| serde_json::json!({
                "organisation_id": s.org.map(|o| o.0),
                "organisation": s.org_name.as_ref().map(texts),
                "characters": s.characters,
                "share": (s.characters as f64 / total * 10_000.0).round() / 10_000.0,
            })).collect::<Vec<_>>(),
            "sittings": sittings.iter().map(|s| serde_json::json!({
                "id": s.id.0,
                "title": s.title,
                "url": format!("/processes/{}/sittings/{}", s.process, s.id),
                "record": format!("/api/v1/sittings/{}", s.id),
            })).collect::<Vec<_>>(),
            "review_on": d.review_on.map(|r| r.to_string()),
            "updates": d.updates.iter().map(|u| serde_json::json!({
                "on": u.on.to_string(),
                "status": u.status.code(),
                "progress": u.progress,
                "note": u.note,
                "by": u.by,
            })).collect::<Vec<_>>(),
        }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/decisions/{id}/dispositions.csv`: one row per thread with its answer.
pub async fn dispositions_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DecisionId>() else {
        return error(AppError::NotFound, &headers);
    };
    match published_decision(&state, id).await {
        Ok((d, threads)) => {
            let mut out = String::from(
                "decision_id,thread_id,author,stance,quote,comment,disposition,reason,change,answered_with\r\n",
            );
            for c in &threads {
                let answer = d.answer_for(c.id);
                let with = answer
                    .map(|a| {
                        a.threads
                            .iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                let fields = [
                    d.id.to_string(),
                    c.id.to_string(),
                    c.display_name.clone(),
                    c.stance.code().to_string(),
                    c.passage
                        .as_ref()
                        .map(|p| p.quote.clone())
                        .unwrap_or_default(),
                    c.body.clone(),
                    answer
                        .map(|a| a.disposition.code().to_string())
                        .unwrap_or_default(),
                    answer.map(|a| a.reason.clone()).unwrap_or_default(),
                    answer.and_then(|a| a.change.clone()).unwrap_or_default(),
                    with,
                ];
                out.push_str(
                    &fields
                        .iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push_str("\r\n");
            }
            open(
                (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"decision-{id}-answers.csv\""),
                        ),
                    ],
                    out,
                )
                    .into_response(),
            )
        }
        Err(e) => error(e, &headers),
    }
}
