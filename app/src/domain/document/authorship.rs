//! Who wrote each stretch of a draft's text, read from the document itself: every character
//! carries the Yjs client that inserted it. Shared by the server (each organisation's share, the
//! writers' list) and the browser (the live "who wrote what" colours). Depends on yrs alone, so
//! the fuzzer, which includes the server's document code, includes this file too.

use yrs::{Any, Out, ReadTxn, Text, TextRef, TransactionMut};

/// The current text in stretches, each with the Yjs client that wrote it (0 where unknown):
/// `(text, client)`. Who wrote what is read from here on the server and in the browser alike.
pub fn stretches(text: &TextRef, txn: &mut TransactionMut) -> Vec<(String, u64)> {
    use yrs::Snapshot;
    use yrs::types::text::{ChangeKind, YChange};
    let now = txn.snapshot();
    let chunks = text.diff_range(
        txn,
        Some(&now),
        Some(&Snapshot::default()),
        YChange::identity,
    );
    let mut out: Vec<(String, u64)> = Vec::new();
    for chunk in chunks {
        let Out::Any(Any::String(words)) = &chunk.insert else {
            continue;
        };
        let client = match chunk.ychange {
            Some(YChange {
                kind: ChangeKind::Added,
                id,
            }) => id.client.get(),
            _ => 0,
        };
        match out.last_mut() {
            Some((last, by)) if *by == client => last.push_str(words),
            _ => out.push((words.to_string(), client)),
        }
    }
    out
}
