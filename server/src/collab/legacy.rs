//! Drafts written before drafts had structure get their chapters and articles, once each, at
//! start-up, before anyone can connect. `app::domain::document::legacy` says what to change; the
//! change is stored as one update like any co-drafter's, so every server, client and later
//! version sees the same document, and every comment keeps its characters.

use app::domain::document::{legacy, yjs};
use app::error::{AppError, AppResult};
use app::model::{Actor, Millis};
use app::ssr::Store;
use std::sync::Arc;

/// Structures every draft still on the list; returns how many changed.
pub async fn structure_legacy_drafts(store: &Arc<dyn Store>, now: Millis) -> AppResult<usize> {
    let mut changed = 0;
    for (draft, creator) in store.legacy_plain_drafts().await? {
        let (doc, last, _) = super::room::load_doc(draft, store).await?;
        let edits = legacy::structure(&doc.text());
        // A Yjs client id of its own, bound to the draft's creator: formatting and deletions
        // add no characters, so nobody's share of the text changes.
        let clients = doc.clients();
        let mut client = (1u64 << 52) + draft.0.unsigned_abs();
        while clients.contains(&client) {
            client += 1;
        }
        let update = doc
            .edit_as(client, |body, txn| yjs::apply_edits(body, txn, &edits))
            .map_err(|_| AppError::Internal)?;
        if let Some(update) = update {
            let author = Actor {
                person: creator,
                acting_for: None,
            };
            store.bind_draft_client(draft, client, author).await?;
            if !store
                .append_draft_updates(draft, last + 1, &[(author, update)], now)
                .await?
            {
                // Another server numbered an update first: it is structuring this draft too,
                // or someone is writing in it; the next start looks again.
                continue;
            }
            changed += 1;
            tracing::info!(
                draft = draft.0,
                "the draft's chapters and articles were given their structure"
            );
        }
        store.forget_legacy_draft(draft).await?;
    }
    Ok(changed)
}
