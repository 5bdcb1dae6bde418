//! Checks every incoming Yjs update, state vector and awareness message before yrs sees it.
//!
//! yrs trusts its input: deep nesting overflows the stack, declared counts reserve gigabytes,
//! client ids of 2^53 and above alias others, and some shapes leave a document that can no
//! longer be encoded. A draft needs only formatted text in one root type, so the validator
//! accepts exactly that shape (strings, deletions, and formatting marks of the formats a draft
//! has, in an allowed root text) and refuses everything else with a reason.

use super::lib0::{ReadError, Reader};
use std::collections::BTreeMap;

/// The largest client id JavaScript can represent exactly; Yjs clients pick ids below it.
pub const MAX_CLIENT_ID: u64 = (1 << 53) - 1;
/// The longest run one struct, deletion or skip may declare.
pub const MAX_RUN: u64 = 1 << 30;
/// The highest clock a client may reach. yrs keeps clocks in 32 bits and sometimes does signed
/// arithmetic on them, so anything past `i32::MAX` overflows inside yrs (found by the fuzzer:
/// `fuzz/regressions/delete-range-past-u32-clock`, `fuzz/regressions/clock-past-i32`).
pub const MAX_CLOCK: u64 = i32::MAX as u64;
/// How deeply a JSON value (a format attribute) may nest.
pub const MAX_JSON_DEPTH: usize = 16;
/// The longest JSON text of one attribute.
pub const MAX_JSON_BYTES: usize = 4 * 1024;
/// The most entries one awareness message may carry from a client.
pub const MAX_AWARENESS_ENTRIES: usize = 8;
/// The longest awareness state of one client, in bytes of JSON.
pub const MAX_AWARENESS_STATE: usize = 4 * 1024;

/// Why a message was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("malformed: {0}")]
    Read(#[from] ReadError),
    #[error("client id {0} is outside the range Yjs clients use")]
    ClientId(u64),
    #[error("a run of {0} is longer than allowed")]
    Run(u64),
    #[error("clock {0} is beyond what a document can hold")]
    Clock(u64),
    #[error("client {0} appears twice in one update")]
    RepeatedClient(u64),
    #[error("content of kind {0} is not allowed in a draft")]
    Content(u8),
    #[error("the root type {0:?} is not part of a draft")]
    Root(String),
    #[error("nested types are not allowed in a draft")]
    Nested,
    #[error("map entries are not allowed in a draft")]
    MapEntry,
    #[error("a JSON value is too large or too deep")]
    Json,
    #[error("too many awareness entries")]
    AwarenessEntries,
    #[error("an awareness state is too large or not a JSON object")]
    AwarenessState,
    #[error("{0} unread bytes after the end of the message")]
    Trailing(usize),
    #[error("the text holds a NUL byte or a control character")]
    Unstorable,
    #[error(transparent)]
    Format(#[from] super::format::BadAttribute),
    #[error(transparent)]
    Frame(#[from] super::protocol::FrameError),
}

/// What a valid update contains: for each client, the clocks its new structs span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    /// client -> (first clock, end clock) of the structs it carries.
    pub structs: BTreeMap<u64, (u64, u64)>,
    /// Whether it deletes anything.
    pub deletes: bool,
}

impl UpdateSummary {
    /// Whether the update carries nothing at all (as a client's empty sync step 2 does).
    pub fn is_empty(&self) -> bool {
        self.structs.is_empty() && !self.deletes
    }
}

fn client_id(reader: &mut Reader<'_>) -> Result<u64, Invalid> {
    let id = reader.var_u64()?;
    if id > MAX_CLIENT_ID {
        Err(Invalid::ClientId(id))
    } else {
        Ok(id)
    }
}

fn read_clock(reader: &mut Reader<'_>) -> Result<u64, Invalid> {
    let clock = reader.var_u64()?;
    if clock > MAX_CLOCK {
        Err(Invalid::Clock(clock))
    } else {
        Ok(clock)
    }
}

fn run(reader: &mut Reader<'_>) -> Result<u64, Invalid> {
    let len = reader.var_u64()?;
    if len > MAX_RUN {
        Err(Invalid::Run(len))
    } else {
        Ok(len)
    }
}

fn json(reader: &mut Reader<'_>) -> Result<serde_json::Value, Invalid> {
    let text = reader.var_str()?;
    if text.len() > MAX_JSON_BYTES || json_depth(text) > MAX_JSON_DEPTH {
        return Err(Invalid::Json);
    }
    serde_json::from_str::<serde_json::Value>(text).map_err(|_| Invalid::Json)
}

/// The bracket depth of a JSON text, counted without parsing (so without recursion).
fn json_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in text.bytes() {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                max = max.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Checks a Yjs v1 update against the shape of a draft whose root texts are `roots`.
pub fn check_update(bytes: &[u8], roots: &[&str]) -> Result<UpdateSummary, Invalid> {
    let mut reader = Reader::new(bytes);
    let mut summary = UpdateSummary::default();
    let mut seen = std::collections::BTreeSet::new();
    // Each client section takes at least three bytes (count, client, clock).
    let clients = reader.count(3)?;
    for _ in 0..clients {
        let structs = reader.count(1)?;
        let client = client_id(&mut reader)?;
        // Yjs writes each client once; a repeated one, with overlapping ranges, underflows inside
        // yrs (found by the fuzzer: fuzz/regressions/same-client-twice).
        if summary.structs.contains_key(&client) || !seen.insert(client) {
            return Err(Invalid::RepeatedClient(client));
        }
        let start = read_clock(&mut reader)?;
        let mut clock = start;
        for _ in 0..structs {
            let info = reader.u8()?;
            let len = match info & 0x1f {
                // GC and Skip: a run of clocks without content.
                0 | 10 => run(&mut reader)?,
                kind => {
                    let has_origin = info & 0x80 != 0;
                    let has_right_origin = info & 0x40 != 0;
                    if has_origin {
                        client_id(&mut reader)?;
                        read_clock(&mut reader)?;
                    }
                    if has_right_origin {
                        client_id(&mut reader)?;
                        read_clock(&mut reader)?;
                    }
                    if !has_origin && !has_right_origin {
                        // The parent must be named: a root type of the draft, not another item.
                        if reader.var_u64()? != 1 {
                            return Err(Invalid::Nested);
                        }
                        let root = reader.var_str()?;
                        if !roots.contains(&root) {
                            return Err(Invalid::Root(root.to_string()));
                        }
                        if info & 0x20 != 0 {
                            return Err(Invalid::MapEntry);
                        }
                    }
                    content(&mut reader, kind)?
                }
            };
            if len == 0 {
                return Err(Invalid::Run(0));
            }
            clock = clock
                .checked_add(len)
                .filter(|c| *c <= MAX_CLOCK)
                .ok_or(Invalid::Clock(clock))?;
        }
        if clock > start {
            let entry = summary.structs.entry(client).or_insert((start, clock));
            entry.0 = entry.0.min(start);
            entry.1 = entry.1.max(clock);
        }
    }
    // The delete set: per client, ranges of (clock, length).
    let clients = reader.count(2)?;
    for _ in 0..clients {
        client_id(&mut reader)?;
        let ranges = reader.count(2)?;
        for _ in 0..ranges {
            let start = read_clock(&mut reader)?;
            let len = run(&mut reader)?;
            start
                .checked_add(len)
                .filter(|c| *c <= MAX_CLOCK)
                .ok_or(Invalid::Clock(start))?;
            summary.deletes = true;
        }
    }
    match reader.remaining() {
        0 => Ok(summary),
        n => Err(Invalid::Trailing(n)),
    }
}

/// Reads one item's content and returns its length in clock units.
fn content(reader: &mut Reader<'_>, kind: u8) -> Result<u64, Invalid> {
    match kind {
        // Deleted content: a run.
        1 => run(reader),
        // A string: its length is counted in UTF-16 code units, as Yjs counts.
        // Control characters (a NUL above all, which PostgreSQL cannot store in the versions'
        // text) are refused as in every other text field (`app::domain::input`).
        4 => {
            let text = reader.var_str()?;
            if !super::input::is_storable_text(text) {
                return Err(Invalid::Unstorable);
            }
            Ok(text.encode_utf16().count() as u64)
        }
        // A formatting mark: a key and a JSON value, which must be one of the formats a draft
        // has (`app::domain::document::format`), so every reader can render what is stored.
        6 => {
            let key = reader.var_str()?;
            if key.len() > 256 {
                return Err(Invalid::Json);
            }
            let value = json(reader)?;
            super::format::Attribute::parse(key, &value)?;
            Ok(1)
        }
        // Embeds (a draft holds text, not images or widgets), JSON arrays, binary, nested
        // types, Any values and sub-documents belong to other kinds of document.
        other => Err(Invalid::Content(other)),
    }
}

/// Checks a state vector (sync step 1): client ids in range, nothing left over.
pub fn check_state_vector(bytes: &[u8]) -> Result<(), Invalid> {
    let mut reader = Reader::new(bytes);
    let entries = reader.count(2)?;
    for _ in 0..entries {
        client_id(&mut reader)?;
        read_clock(&mut reader)?;
    }
    match reader.remaining() {
        0 => Ok(()),
        n => Err(Invalid::Trailing(n)),
    }
}

/// One entry of an awareness message.
#[derive(Clone, Debug, PartialEq)]
pub struct AwarenessEntry {
    pub client: u64,
    pub clock: u64,
    /// The state, or `None` when the client leaves.
    pub state: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Reads an awareness update sent by a client.
pub fn check_awareness(bytes: &[u8]) -> Result<Vec<AwarenessEntry>, Invalid> {
    let mut reader = Reader::new(bytes);
    let count = reader.count(3)?;
    if count > MAX_AWARENESS_ENTRIES {
        return Err(Invalid::AwarenessEntries);
    }
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let client = client_id(&mut reader)?;
        let clock = reader.var_u64()?;
        let text = reader.var_str()?;
        if text.len() > MAX_AWARENESS_STATE || json_depth(text) > MAX_JSON_DEPTH {
            return Err(Invalid::AwarenessState);
        }
        let state = match serde_json::from_str::<serde_json::Value>(text)
            .map_err(|_| Invalid::AwarenessState)?
        {
            serde_json::Value::Null => None,
            serde_json::Value::Object(map) => Some(map),
            _ => return Err(Invalid::AwarenessState),
        };
        entries.push(AwarenessEntry {
            client,
            clock,
            state,
        });
    }
    match reader.remaining() {
        0 => Ok(entries),
        n => Err(Invalid::Trailing(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collab::lib0::{write_var_bytes, write_var_u64};
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, GetString, Map, Options, Text, Transact};

    const ROOTS: &[&str] = &["body"];

    fn text_update(insertions: &[(u32, &str)]) -> Vec<u8> {
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(7),
            offset_kind: yrs::OffsetKind::Utf16,
            ..Options::default()
        });
        let text = doc.get_or_insert_text("body");
        let mut txn = doc.transact_mut();
        for (at, s) in insertions {
            text.insert(&mut txn, *at, s);
        }
        txn.encode_update_v1()
    }

    #[test]
    fn real_text_updates_pass() {
        let update = text_update(&[(0, "议事规则 🌍 rules"), (2, "X")]);
        let summary = check_update(&update, ROOTS).unwrap();
        assert_eq!(summary.structs.keys().copied().collect::<Vec<_>>(), vec![7]);
        // Deletions pass too.
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(9),
            ..Options::default()
        });
        let text = doc.get_or_insert_text("body");
        doc.transact_mut()
            .apply_update(yrs::Update::decode_v1(&update).unwrap())
            .unwrap();
        let mut txn = doc.transact_mut();
        text.remove_range(&mut txn, 0, 3);
        assert!(
            check_update(&txn.encode_update_v1(), ROOTS)
                .unwrap()
                .deletes
        );
        assert!(check_update(&[0, 0], ROOTS).unwrap().is_empty());
        let _ = text.get_string(&txn);
    }

    /// An update that writes `text` and formats it with `attributes` (as Quill would).
    fn formatted_update(text: &str, attributes: Vec<(&str, yrs::Any)>) -> Vec<u8> {
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(7),
            offset_kind: yrs::OffsetKind::Utf16,
            ..Options::default()
        });
        let body = doc.get_or_insert_text("body");
        let mut txn = doc.transact_mut();
        body.insert(&mut txn, 0, text);
        let attributes: yrs::types::Attrs = attributes
            .into_iter()
            .map(|(k, v)| (std::sync::Arc::from(k), v))
            .collect();
        body.format(&mut txn, 0, text.encode_utf16().count() as u32, attributes);
        txn.encode_update_v1()
    }

    #[test]
    fn the_formats_of_a_draft_pass_and_no_others() {
        for attributes in [
            vec![("header", yrs::Any::from(1))],
            vec![("article", yrs::Any::Bool(true))],
            vec![
                ("list", yrs::Any::from("bullet")),
                ("indent", yrs::Any::from(2)),
            ],
            vec![
                ("bold", yrs::Any::Bool(true)),
                ("italic", yrs::Any::Bool(true)),
            ],
            vec![("link", yrs::Any::from("https://kalden.example/charter"))],
        ] {
            let update = formatted_update("Chapter 1\n", attributes.clone());
            assert!(check_update(&update, ROOTS).is_ok(), "{attributes:?}");
        }
        for (attributes, refused) in [
            (vec![("color", yrs::Any::from("red"))], "unknown"),
            (vec![("header", yrs::Any::from(9))], "value"),
            (
                vec![("link", yrs::Any::from("javascript:alert(1)"))],
                "value",
            ),
            (vec![("list", yrs::Any::from("checked"))], "value"),
        ] {
            let result = check_update(&formatted_update("x\n", attributes.clone()), ROOTS);
            assert!(
                matches!(result, Err(Invalid::Format(_))),
                "{attributes:?} should be refused ({refused}): {result:?}"
            );
        }
        // An embed (an image, a formula) is not part of a policy text.
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(7),
            ..Options::default()
        });
        let body = doc.get_or_insert_text("body");
        let mut txn = doc.transact_mut();
        body.insert_embed(&mut txn, 0, yrs::Any::from("image.png"));
        assert_eq!(
            check_update(&txn.encode_update_v1(), ROOTS),
            Err(Invalid::Content(5))
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(7),
            ..Options::default()
        });
        let map = doc.get_or_insert_map("body");
        let mut txn = doc.transact_mut();
        map.insert(&mut txn, "k", "v");
        assert_eq!(
            check_update(&txn.encode_update_v1(), ROOTS),
            Err(Invalid::MapEntry)
        );
        drop(txn);
        let other = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(7),
            ..Options::default()
        });
        let elsewhere = other.get_or_insert_text("elsewhere");
        let mut txn = other.transact_mut();
        elsewhere.insert(&mut txn, 0, "x");
        assert_eq!(
            check_update(&txn.encode_update_v1(), ROOTS),
            Err(Invalid::Root("elsewhere".into()))
        );
    }

    #[test]
    fn hostile_updates_are_refused() {
        // A client id at 2^53.
        let mut update = vec![1, 1];
        write_var_u64(&mut update, 1 << 53);
        update.extend([0, 4, 1, 4, b'b', b'o', b'd', b'y', 1, b'x', 0]);
        assert_eq!(
            check_update(&update, ROOTS),
            Err(Invalid::ClientId(1 << 53))
        );
        // A count that claims far more entries than bytes.
        let mut update = Vec::new();
        write_var_u64(&mut update, 1 << 40);
        assert!(matches!(
            check_update(&update, ROOTS),
            Err(Invalid::Read(_))
        ));
        // An Any value (content 8) nested thousands deep.
        let mut update = vec![1, 1, 7, 0, 0b0000_1000, 1];
        write_var_bytes(&mut update, b"body");
        update.push(1);
        update.extend(std::iter::repeat_n([117u8, 1], 7000).flatten());
        assert_eq!(check_update(&update, ROOTS), Err(Invalid::Content(8)));
        // A struct whose parent is another item: nested types are not part of a draft.
        let update = [1, 1, 7, 0, 0b0000_0100, 0, 3, 0, 1, b'x', 0];
        assert_eq!(check_update(&update, ROOTS), Err(Invalid::Nested));
        // Trailing garbage.
        assert_eq!(check_update(&[0, 0, 9], ROOTS), Err(Invalid::Trailing(1)));
        // A NUL byte in the text, which PostgreSQL could not store in a version.
        assert_eq!(
            check_update(&text_update(&[(0, "a\u{0}b")]), ROOTS),
            Err(Invalid::Unstorable)
        );
        // Truncation anywhere is malformed, never a panic.
        let good = text_update(&[(0, "hello")]);
        for cut in 0..good.len() {
            assert!(check_update(&good[..cut], ROOTS).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn json_depth_is_bounded_without_recursion() {
        let deep = "[".repeat(100_000);
        assert_eq!(json_depth(&deep), 100_000);
        assert_eq!(json_depth(r#"{"a":"[[[[","b":[1]}"#), 2);
    }

    #[test]
    fn state_vectors() {
        assert!(check_state_vector(&[0]).is_ok());
        assert!(check_state_vector(&[1, 5, 9]).is_ok());
        let mut huge = Vec::new();
        write_var_u64(&mut huge, u64::MAX);
        assert!(check_state_vector(&huge).is_err());
    }

    #[test]
    fn awareness() {
        let mut message = vec![1, 42, 3];
        write_var_bytes(&mut message, br#"{"cursor":null}"#);
        let entries = check_awareness(&message).unwrap();
        assert_eq!(entries[0].client, 42);
        assert!(entries[0].state.as_ref().unwrap().contains_key("cursor"));
        let mut leaving = vec![1, 42, 4];
        write_var_bytes(&mut leaving, b"null");
        assert_eq!(check_awareness(&leaving).unwrap()[0].state, None);
        let mut big = vec![1, 42, 3];
        write_var_bytes(
            &mut big,
            format!("{{\"x\":\"{}\"}}", "a".repeat(5000)).as_bytes(),
        );
        assert_eq!(check_awareness(&big), Err(Invalid::AwarenessState));
        let mut deep = vec![1, 42, 3];
        write_var_bytes(
            &mut deep,
            format!("{{\"x\":{}}}", "[".repeat(40)).as_bytes(),
        );
        assert_eq!(check_awareness(&deep), Err(Invalid::AwarenessState));
        let mut many = vec![9];
        for i in 0..9 {
            many.extend([i, 1]);
            write_var_bytes(&mut many, b"{}");
        }
        assert_eq!(check_awareness(&many), Err(Invalid::AwarenessEntries));
    }
}
