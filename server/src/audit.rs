//! Checking the stored public record (`baraza verify-record`): every entry in order, each link,
//! each hash, and that the chain ends where the store's head says it does.

use app::domain::record::{Break, Verifier};
use app::error::AppResult;
use app::ssr::Store;

/// How many entries are read at a time.
const BATCH: i64 = 1_000;

/// A record that checked out.
#[derive(Debug, PartialEq, Eq)]
pub struct Intact {
    pub entries: i64,
    /// The hash of the newest entry: publish it elsewhere, and anyone can later confirm that
    /// nothing before it changed.
    pub head: String,
}

/// What is wrong with a record.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Finding {
    #[error("the public record is broken at {0}")]
    Broken(Break),
    #[error(
        "the public record ends at entry {last}, but entry {head} was written: entries were removed"
    )]
    Truncated { last: i64, head: i64 },
    #[error("the public record's newest hash differs from the one written: entry {0} was replaced")]
    HeadMismatch(i64),
}

impl Finding {
    /// The first entry found wrong.
    pub fn seq(&self) -> i64 {
        match self {
            Finding::Broken(b) => b.seq(),
            Finding::Truncated { last, .. } => last + 1,
            Finding::HeadMismatch(seq) => *seq,
        }
    }
}

/// Reads the whole stored record and checks it.
pub async fn verify_record(store: &dyn Store) -> AppResult<Result<Intact, Finding>> {
    let mut verifier = Verifier::default();
    loop {
        let batch = store.record(verifier.checked(), BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for entry in &batch {
            if let Err(broken) = verifier.check(entry) {
                return Ok(Err(Finding::Broken(broken)));
            }
        }
    }
    let (head_seq, head_hash) = store.record_head().await?;
    let last = verifier.checked();
    if head_seq != last {
        return Ok(Err(Finding::Truncated {
            last,
            head: head_seq,
        }));
    }
    if head_hash != verifier.last_hash() {
        return Ok(Err(Finding::HeadMismatch(last)));
    }
    Ok(Ok(Intact {
        entries: last,
        head: head_hash,
    }))
}
