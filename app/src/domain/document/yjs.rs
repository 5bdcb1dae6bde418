//! The document model in a yrs `Y.Text`: reading its runs, and writing edits to it. Shared by the
//! server's document and the browser's, so both read the same structure from the same bytes.

use super::legacy::Edit;
use super::{Attribute, Format, Run};
use serde_json::{Value, json};
use yrs::types::{Attrs, Delta};
use yrs::{Any, In, Out, ReadTxn, Text, TextRef, TransactionMut};

/// A yrs value as JSON (what the attribute rules read).
pub fn json_of(value: &Any) -> serde_json::Value {
    let mut text = String::new();
    value.to_json(&mut text);
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// The attributes that give a run `format`, as yrs writes them.
pub fn attributes_of(format: &Format) -> Attrs {
    format
        .attributes()
        .into_iter()
        .filter_map(|(key, value)| Some((key.into(), Any::from_json(&value.to_string()).ok()?)))
        .collect()
}

/// The text as runs of one formatting each. Embeds (which the server never lets in) are skipped.
pub fn runs<T: ReadTxn>(text: &TextRef, txn: &T) -> Vec<Run> {
    text.diff(txn, |_| ())
        .into_iter()
        .filter_map(|chunk| {
            let Out::Any(Any::String(words)) = chunk.insert else {
                return None;
            };
            let format = chunk
                .attributes
                .map(|attributes| {
                    Format::from_attributes(
                        attributes.iter().map(|(k, v)| (k.as_ref(), json_of(v))),
                    )
                })
                .unwrap_or_default();
            Some(Run {
                text: words.to_string(),
                format,
            })
        })
        .collect()
}

/// The runs of a whole stored document (a Yjs v1 update, as versions are kept); `None` if the
/// bytes are not one.
#[cfg(feature = "ssr")]
pub fn runs_of_state(state: &[u8]) -> Option<Vec<Run>> {
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, Transact, Update};
    let doc = Doc::new();
    let body = doc.get_or_insert_text("body");
    let update = Update::decode_v1(state).ok()?;
    doc.transact_mut().apply_update(update).ok()?;
    Some(runs(&body, &doc.transact()))
}

/// A whole document written from `runs` by the Yjs client `client`: the one update that makes
/// it, as an editor typing it would (formats checked as any client's are).
#[cfg(feature = "ssr")]
pub fn update_of_runs(client: u64, runs: &[Run]) -> Vec<u8> {
    use yrs::{Doc, OffsetKind, Options, Transact};
    let doc = Doc::with_options(Options {
        client_id: yrs::block::ClientID::new(client),
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    });
    let body = doc.get_or_insert_text("body");
    let mut txn = doc.transact_mut();
    apply_delta(&body, &mut txn, &delta_of_runs(runs));
    txn.encode_update_v1()
}

/// Applies [`Edit`]s (made against the text as it was, ordered last first) in one transaction.
pub fn apply_edits(text: &TextRef, txn: &mut TransactionMut, edits: &[Edit]) {
    for edit in edits {
        match edit {
            Edit::AppendNewline => {
                let end = text.len(txn);
                text.insert(txn, end, "\n");
            }
            Edit::Format { at, format } => text.format(txn, *at, 1, attributes_of(format)),
            Edit::Delete { at, len } => text.remove_range(txn, *at, *len),
        }
    }
}

/// The runs as a Quill (and `Y.Text#toDelta`) delta: `[{insert, attributes}]`.
pub fn delta_of_runs(runs: &[Run]) -> Vec<Value> {
    runs.iter()
        .map(|run| {
            let attributes: serde_json::Map<String, Value> = run
                .format
                .attributes()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            if attributes.is_empty() {
                json!({ "insert": run.text })
            } else {
                json!({ "insert": run.text, "attributes": attributes })
            }
        })
        .collect()
}

fn attributes_json(attributes: &Option<Box<Attrs>>) -> Option<Value> {
    let attributes = attributes.as_ref().filter(|a| !a.is_empty())?;
    Some(Value::Object(
        attributes
            .iter()
            .map(|(k, v)| (k.to_string(), json_of(v)))
            .collect(),
    ))
}

/// A change to the text (a yrs text event's delta) as Quill delta ops, for an editor showing
/// the text to follow it.
pub fn delta_of_change<T: ReadTxn>(change: &[Delta<Out>], txn: &T) -> Vec<Value> {
    change
        .iter()
        .map(|op| {
            let (mut out, attributes) = match op {
                Delta::Inserted(value, attributes) => {
                    let words = match value {
                        Out::Any(Any::String(words)) => words.to_string(),
                        // Only text is ever let in; anything else would be an embed.
                        other => other.clone().to_string(txn),
                    };
                    (json!({ "insert": words }), attributes_json(attributes))
                }
                Delta::Deleted(n) => (json!({ "delete": n }), None),
                Delta::Retain(n, attributes) => {
                    (json!({ "retain": n }), attributes_json(attributes))
                }
            };
            if let Some(attributes) = attributes {
                out["attributes"] = attributes;
            }
            out
        })
        .collect()
}

/// Applies an editor's change (Quill delta ops) to the text, keeping only the attributes a
/// draft may hold. Returns `false` if anything had to be left out, so the editor, which shows
/// what it asked for, must be shown the text again.
pub fn apply_delta(text: &TextRef, txn: &mut TransactionMut, ops: &[Value]) -> bool {
    let mut faithful = true;
    let attributes_of = |op: &Value, faithful: &mut bool| -> Option<Box<Attrs>> {
        let object = op.get("attributes")?.as_object()?;
        let mut kept = Attrs::new();
        for (key, value) in object {
            match (
                Attribute::parse(key, value),
                Any::from_json(&value.to_string()),
            ) {
                (Ok(_), Ok(any)) => {
                    kept.insert(key.as_str().into(), any);
                }
                _ => *faithful = false,
            }
        }
        (!kept.is_empty()).then(|| Box::new(kept))
    };
    let mut delta: Vec<Delta<In>> = Vec::with_capacity(ops.len());
    for op in ops {
        if let Some(words) = op.get("insert").and_then(Value::as_str) {
            if !crate::domain::input::is_storable_text(words) {
                faithful = false;
                continue;
            }
            let attributes = attributes_of(op, &mut faithful);
            delta.push(Delta::Inserted(In::Any(Any::from(words)), attributes));
        } else if let Some(n) = op.get("retain").and_then(Value::as_u64) {
            let attributes = attributes_of(op, &mut faithful);
            delta.push(Delta::Retain(n as u32, attributes));
        } else if let Some(n) = op.get("delete").and_then(Value::as_u64) {
            delta.push(Delta::Deleted(n as u32));
        } else {
            // An embed (an image pasted in): a draft holds text only.
            faithful = false;
        }
    }
    text.apply_delta(txn, delta);
    faithful
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, blocks, legacy};
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, GetString, Observable, OffsetKind, Options, Transact};

    #[test]
    fn a_structured_text_reads_back_as_blocks() {
        let doc = Doc::with_options(Options {
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        let body = doc.get_or_insert_text("body");
        let old = "Chapter 1. Scope\n\n1. This charter 😀 binds.\n\n2. It applies.";
        body.insert(&mut doc.transact_mut(), 0, old);
        let edits = legacy::structure(old);
        apply_edits(&body, &mut doc.transact_mut(), &edits);
        let txn = doc.transact();
        assert_eq!(
            body.get_string(&txn),
            "Chapter 1. Scope\nThis charter 😀 binds.\nIt applies.\n"
        );
        let kinds: Vec<Kind> = blocks(&runs(&body, &txn)).iter().map(|b| b.kind).collect();
        assert_eq!(kinds, vec![Kind::Chapter, Kind::Article, Kind::Article]);
    }

    #[test]
    fn an_editor_change_round_trips_and_is_kept_to_a_drafts_formats() {
        let writer = Doc::with_options(Options {
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        let body = writer.get_or_insert_text("body");
        let ops: Vec<Value> = serde_json::from_str(
            r#"[{"insert":"Scope"},{"insert":"\n","attributes":{"header":1}},
                {"insert":"The city "},{"insert":"shall","attributes":{"bold":true,"color":"red"}},
                {"insert":" act.\n","attributes":{}}]"#,
        )
        .unwrap();
        // "color" is not a draft's format: it is left out, and the editor must be told.
        assert!(!apply_delta(&body, &mut writer.transact_mut(), &ops));
        let runs_now = runs(&body, &writer.transact());
        assert_eq!(blocks(&runs_now)[0].kind, Kind::Chapter);
        assert!(blocks(&runs_now)[1].spans[1].bold);
        // A reader's copy follows the change through the delta it observes.
        let reader = Doc::with_options(Options {
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        let seen = reader.get_or_insert_text("body");
        let shown = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = shown.clone();
        seen.observe(
            "test",
            move |txn: &yrs::TransactionMut<'_>, event: &yrs::types::text::TextEvent| {
                sink.borrow_mut()
                    .extend(delta_of_change(event.delta(txn), txn));
            },
        );
        let update = writer
            .transact()
            .encode_state_as_update_v1(&yrs::StateVector::default());
        reader
            .transact_mut()
            .apply_update(yrs::Update::decode_v1(&update).unwrap())
            .unwrap();
        assert_eq!(
            Value::Array(shown.borrow().clone()),
            Value::Array(delta_of_runs(&runs_now))
        );
        // Making a line an article, as the toolbar does: a retain with the line's attributes.
        let ops: Vec<Value> = serde_json::from_str(
            r#"[{"retain":6},{"retain":19},{"retain":1,"attributes":{"article":true}}]"#,
        )
        .unwrap();
        assert!(apply_delta(&body, &mut writer.transact_mut(), &ops));
        assert_eq!(
            blocks(&runs(&body, &writer.transact()))[1].kind,
            Kind::Article
        );
    }
}
