//! `GET /api/v1/record`: the public record's hash chain, in pages.

use super::*;

/// The most entries one request of the record returns.
const RECORD_PAGE: i64 = 500;

/// `GET /api/v1/record[?after=N&limit=M]`: the public record, in order, with each entry's event,
/// the hash it points back to and its own hash, and where the chain's head is.
pub async fn record(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let after = query
        .get("after")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let limit = query
        .get("limit")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(RECORD_PAGE)
        .clamp(1, RECORD_PAGE);
    let result = async {
        let entries = state.store.record(after, limit).await?;
        let (head_seq, head_hash) = state.store.record_head().await?;
        let next = entries
            .last()
            .filter(|e| e.seq < head_seq)
            .map(|e| format!("/api/v1/record?after={}&limit={limit}", e.seq));
        Ok::<_, AppError>(serde_json::json!({
            "algorithm": "sha256 of canonical JSON {at, event, prev, seq} (keys sorted, no spaces)",
            "genesis": app::domain::record::GENESIS,
            "head": { "seq": head_seq, "hash": head_hash },
            "entries": entries.iter().map(|e| serde_json::json!({
                "seq": e.seq,
                "at": e.at,
                "time": timestamp(e.at),
                "event": e.event,
                "prev": e.prev,
                "hash": e.hash,
            })).collect::<Vec<_>>(),
            "next": next,
        }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
    }
}
