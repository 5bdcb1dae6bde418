//! What is sent because time passed: every minute, each server sends the digests whose day or
//! week has ended ([`crate::store::SqlStore::send_due_digests`]) and the reminders that are due
//! ([`crate::store::SqlStore::send_reminders`]); the store sees that each goes once.

use crate::clock::now_millis;
use crate::store::SqlStore;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often a server looks: a digest comes within this of midnight.
const EVERY: Duration = Duration::from_secs(60);

/// Starts sending digests and reminders; `moderation_wait` is how long a comment may wait for
/// moderation before the queue's people are told.
pub fn spawn(store: SqlStore, moderation_wait: Duration) -> JoinHandle<()> {
    let queue_wait = i64::try_from(moderation_wait.as_millis()).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            let now = now_millis();
            match store.send_due_digests(now).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "digests written to the outbox"),
                Err(error) => tracing::warn!(%error, "could not send the digests"),
            }
            match store.send_reminders(now, queue_wait).await {
                Ok(0) => {}
                Ok(told) => tracing::info!(told, "reminders told"),
                Err(error) => tracing::warn!(%error, "could not send the reminders"),
            }
        }
    })
}
