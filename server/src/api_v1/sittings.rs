//! `GET /api/v1/sittings/{id}`: a public sitting as it stands, or a closed sitting's record.

use super::*;

/// `GET /api/v1/sittings/{id}`: a public sitting as it stands, or any closed sitting's record:
/// agenda, attendance, who spoke and for how long per stakeholder group, polls with their results
/// (names only where the poll shows them), outcomes and minutes.
pub async fn sitting(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::SittingId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let sitting = state
            .store
            .sitting(id)
            .await?
            .filter(|s| s.public || s.state.stage == app::domain::sitting::Stage::Closed)
            .ok_or(AppError::NotFound)?;
        let now = crate::clock::now_millis();
        let minutes = state.live.text(sitting.minutes).await?.text;
        let live = sitting.state.published();
        let balance = app::domain::sitting::balance(&live, now);
        let polls: Vec<serde_json::Value> = live
            .polls
            .iter()
            .map(|poll| {
                let (overall, by_group) = app::domain::sitting::tally(poll);
                serde_json::json!({
                    "question": poll.question,
                    "kind": poll.kind,
                    "per_organisation": poll.per_organisation,
                    "open": poll.open,
                    "agenda_item": poll.item,
                    "results": overall,
                    "results_by_group": by_group
                        .iter()
                        .map(|(kind, counts)| (app::domain::org::group_code(*kind), counts))
                        .collect::<BTreeMap<_, _>>(),
                    "votes": poll.names_shown.then(|| poll.votes.values().map(|v| serde_json::json!({
                        "name": v.by.name,
                        "answer": v.answer,
                    })).collect::<Vec<_>>()),
                })
            })
            .collect();
        Ok::<_, AppError>(serde_json::json!({
            "id": sitting.id.0,
            "process_id": sitting.process.0,
            "title": sitting.title,
            "starts_at": timestamp(sitting.starts_at),
            "place": sitting.place,
            "stage": live.stage,
            "closed_at": sitting.closed_at.map(timestamp),
            "agenda": sitting.agenda.iter().map(|i| serde_json::json!({
                "text": i.text,
                "draft_id": i.draft.map(|d| d.0),
                "thread_id": i.thread.map(|t| t.0),
            })).collect::<Vec<_>>(),
            "current_item": live.current_item,
            "turn_seconds": sitting.turn_seconds,
            "invited_organisations": sitting.invited.iter().map(|o| o.0).collect::<Vec<_>>(),
            "attendance": live.present.iter().map(|p| serde_json::json!({
                "name": p.name,
                "organisation_id": p.org.map(|o| o.0),
                "group": app::domain::org::group_code(p.kind),
            })).collect::<Vec<_>>(),
            "turns": live.turns.iter().map(|t| serde_json::json!({
                "name": t.speaker.name,
                "organisation_id": t.speaker.org.map(|o| o.0),
                "group": app::domain::org::group_code(t.speaker.kind),
                "agenda_item": t.item,
                "started_at": timestamp(t.started),
                "seconds": (t.ended.unwrap_or(now) - t.started) / 1000,
            })).collect::<Vec<_>>(),
            "balance": balance.iter().map(|b| serde_json::json!({
                "group": app::domain::org::group_code(b.kind),
                "turns": b.turns,
                "seconds": b.speaking_ms / 1000,
            })).collect::<Vec<_>>(),
            "polls": polls,
            "outcomes": live.outcomes,
            "minutes": minutes,
        }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
    }
}
