//! The public record: an append-only chain of what was decided (decisions, dispositions,
//! moderation actions, phase changes). Each entry is the canonical JSON of its event plus the
//! SHA-256 of the entry before it, so changing, removing or reordering any stored entry breaks
//! every link after it, and [`verify`] names the first broken one. Server only (it hashes).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored entry of the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its place in the chain, from 1, without gaps.
    pub seq: i64,
    /// When it was appended (milliseconds since the Unix epoch).
    pub at: i64,
    /// What happened, as JSON (hashed in its canonical form).
    pub event: Value,
    /// The hash of the entry before it ([`GENESIS`] for the first).
    pub prev: String,
    /// This entry's hash: see [`hash`].
    pub hash: String,
}

/// Where the chain breaks, and how.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    #[error("entry {seq}: expected number {expected} (an entry is missing or out of order)")]
    Gap { seq: i64, expected: i64 },
    #[error("entry {seq}: it does not point at the entry before it")]
    Link { seq: i64 },
    #[error("entry {seq}: its content does not match its hash (it was changed)")]
    Content { seq: i64 },
}

impl Break {
    /// The entry at which the chain breaks.
    pub fn seq(&self) -> i64 {
        match self {
            Break::Gap { seq, .. } | Break::Link { seq } | Break::Content { seq } => *seq,
        }
    }
}

/// JSON with object keys sorted and no insignificant whitespace, so that one event has exactly
/// one text (whatever order its fields were built in) and anyone can recompute its hash.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        // Strings, numbers, booleans and null have one JSON text each in serde_json.
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// An entry's hash: SHA-256, in lowercase hex, of the canonical JSON of
/// `{"at": …, "event": …, "prev": …, "seq": …}`.
pub fn hash(seq: i64, at: i64, event: &Value, prev: &str) -> String {
    let body = serde_json::json!({ "seq": seq, "at": at, "event": event, "prev": prev });
    crate::domain::hex::encode(&Sha256::digest(canonical(&body).as_bytes()))
}

/// SHA-256 of a text, in lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    crate::domain::hex::encode(&Sha256::digest(text.as_bytes()))
}

/// The record's fingerprint of data published beside it (a budget area's ballots): SHA-256 of
/// its [`canonical`] JSON, so anyone holding the same data computes the same hash.
pub fn digest(value: &Value) -> String {
    sha256_hex(&canonical(value))
}

/// The next entry after `last` (or the first, when the record is empty).
pub fn next(last: Option<&Entry>, at: i64, event: Value) -> Entry {
    let (seq, prev) = match last {
        Some(entry) => (entry.seq + 1, entry.hash.clone()),
        None => (1, GENESIS.to_string()),
    };
    let hash = hash(seq, at, &event, &prev);
    Entry {
        seq,
        at,
        event,
        prev,
        hash,
    }
}

/// Checks a chain entry by entry, in order, without holding it all in memory.
#[derive(Clone, Debug)]
pub struct Verifier {
    prev: String,
    expected: i64,
}

impl Default for Verifier {
    fn default() -> Verifier {
        Verifier {
            prev: GENESIS.to_string(),
            expected: 1,
        }
    }
}

impl Verifier {
    /// Checks the next entry: numbered without gaps, pointing at the one before, matching its hash.
    pub fn check(&mut self, entry: &Entry) -> Result<(), Break> {
        if entry.seq != self.expected {
            return Err(Break::Gap {
                seq: entry.seq,
                expected: self.expected,
            });
        }
        if entry.prev != self.prev {
            return Err(Break::Link { seq: entry.seq });
        }
        if hash(entry.seq, entry.at, &entry.event, &entry.prev) != entry.hash {
            return Err(Break::Content { seq: entry.seq });
        }
        self.prev = entry.hash.clone();
        self.expected += 1;
        Ok(())
    }

    /// How many entries were checked.
    pub fn checked(&self) -> i64 {
        self.expected - 1
    }

    /// The hash of the last entry checked ([`GENESIS`] before any).
    pub fn last_hash(&self) -> &str {
        &self.prev
    }
}

/// Checks a whole chain, in order: numbered from 1 without gaps, each pointing at the one before,
/// each matching its hash. Returns the first break.
pub fn verify(entries: &[Entry]) -> Result<(), Break> {
    let mut verifier = Verifier::default();
    entries.iter().try_for_each(|entry| verifier.check(entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: usize) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for i in 0..n {
            let event =
                json!({ "kind": "phase_changed", "process": 1, "to": format!("phase {i}") });
            entries.push(next(entries.last(), 1_000 + i as i64, event));
        }
        entries
    }

    #[test]
    fn canonical_json_sorts_keys_and_keeps_text_exact() {
        let a = json!({ "b": [1, { "z": null, "a": true }], "a": "中文 \"quoted\"\n" });
        assert_eq!(
            canonical(&a),
            r#"{"a":"中文 \"quoted\"\n","b":[1,{"a":true,"z":null}]}"#
        );
        let b: Value =
            serde_json::from_str(r#"{ "a" : "中文 \"quoted\"\n", "b":[1,{"a":true,"z":null}] }"#)
                .unwrap();
        assert_eq!(canonical(&a), canonical(&b), "one event, one text");
    }

    #[test]
    fn a_chain_verifies_and_starts_from_genesis() {
        let entries = chain(5);
        assert_eq!(entries[0].prev, GENESIS);
        assert_eq!(entries[0].hash.len(), 64);
        assert_eq!(verify(&entries), Ok(()));
        assert_eq!(verify(&[]), Ok(()));
    }

    #[test]
    fn any_change_is_found_at_the_first_broken_entry() {
        // A changed event.
        let mut edited = chain(5);
        edited[2].event["to"] = json!("closed");
        assert_eq!(verify(&edited), Err(Break::Content { seq: 3 }));
        // A changed event whose hash was recomputed: the next link breaks.
        let mut rehashed = chain(5);
        rehashed[2].event["to"] = json!("closed");
        rehashed[2].hash = hash(3, rehashed[2].at, &rehashed[2].event, &rehashed[2].prev);
        assert_eq!(verify(&rehashed), Err(Break::Link { seq: 4 }));
        // A removed entry.
        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(
            verify(&removed),
            Err(Break::Gap {
                seq: 3,
                expected: 2
            })
        );
        // A changed time.
        let mut retimed = chain(5);
        retimed[4].at += 1;
        assert_eq!(verify(&retimed).map_err(|b| b.seq()), Err(5));
    }
}
