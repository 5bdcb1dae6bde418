//! One draft's Yjs document on the server: loading, applying checked updates, answering sync
//! requests, and reading the text with who wrote each part.
//!
//! Every call into yrs runs under `catch_unwind`: if yrs panics, the caller gets an error and
//! throws this document away (it is reloaded from storage), so one bad update cannot take the
//! server down or poison the draft.

use std::panic::{AssertUnwindSafe, catch_unwind};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Assoc, Doc, GetString, IndexedSequence, OffsetKind, Options, ReadTxn, StateVector, StickyIndex,
    Text, TextRef, Transact, Update,
};

/// The name of the root text every draft keeps its body in (stock Yjs clients use `getText('body')`).
pub const BODY: &str = "body";
/// The root types a draft accepts updates for.
pub const ROOTS: &[&str] = &[BODY];

/// Why the document could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    #[error("yrs could not decode the data")]
    Decode,
    #[error("the update depends on changes this draft does not have")]
    MissingDependencies,
    #[error("yrs failed on this data")]
    Panicked,
}

fn contained<T>(work: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or(Err(DocError::Panicked))
}

/// A stretch of the current text and the Yjs client that wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stretch {
    pub text: String,
    pub client: u64,
}

/// A draft's live document.
pub struct DraftDoc {
    doc: Doc,
    body: TextRef,
}

impl DraftDoc {
    /// An empty document counting text positions in UTF-16 code units, as JavaScript Yjs does.
    pub fn empty() -> DraftDoc {
        // The server never writes content itself; its client id is never seen by anyone.
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(1),
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        let body = doc.get_or_insert_text(BODY);
        DraftDoc { doc, body }
    }

    /// A document built from a snapshot (a full state update) and the updates stored after it.
    pub fn load<'a>(
        snapshot: Option<&'a [u8]>,
        tail: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<DraftDoc, DocError> {
        let mut draft = DraftDoc::empty();
        draft.extend(snapshot.into_iter().chain(tail))?;
        Ok(draft)
    }

    /// Applies stored updates (already checked when they were accepted) in one transaction.
    pub fn extend<'a>(
        &mut self,
        updates: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<(), DocError> {
        contained(|| {
            let mut txn = self.doc.transact_mut();
            for update in updates {
                txn.apply_update(Update::decode_v1(update).map_err(|_| DocError::Decode)?)
                    .map_err(|_| DocError::Decode)?;
            }
            if txn.has_missing_updates() {
                return Err(DocError::MissingDependencies);
            }
            Ok(())
        })
    }

    /// Every Yjs client that has written in the document.
    pub fn clients(&self) -> Vec<u64> {
        self.doc
            .transact()
            .state_vector()
            .iter()
            .map(|(client, _)| client.get())
            .collect()
    }

    /// The state vector, encoded (for sync step 1).
    pub fn state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }

    /// The highest clock known for each client.
    pub fn clock_of(&self, client: u64) -> u64 {
        u64::from(
            self.doc
                .transact()
                .state_vector()
                .get(&yrs::block::ClientID::new(client)),
        )
    }

    /// What a peer with state vector `remote` lacks (for sync step 2). `remote` must have been
    /// validated by `validate::check_state_vector`.
    pub fn diff_for(&self, remote: &[u8]) -> Result<Vec<u8>, DocError> {
        contained(|| {
            let sv = StateVector::decode_v1(remote).map_err(|_| DocError::Decode)?;
            Ok(self.doc.transact().encode_diff_v1(&sv))
        })
    }

    /// Applies a validated update. Returns what it added, re-encoded by yrs (so what is stored
    /// and relayed is never the raw bytes a client sent), or an empty vector if nothing was new.
    /// On any error the document may be inconsistent: the caller must reload it from storage.
    pub fn apply(&mut self, update: &[u8]) -> Result<Vec<u8>, DocError> {
        contained(|| {
            let update = Update::decode_v1(update).map_err(|_| DocError::Decode)?;
            let mut txn = self.doc.transact_mut();
            let before = txn.state_vector();
            let deletes_before = txn.delete_set().clone();
            txn.apply_update(update).map_err(|_| DocError::Decode)?;
            if txn.has_missing_updates() {
                return Err(DocError::MissingDependencies);
            }
            let changed = txn.state_vector() != before || *txn.delete_set() != deletes_before;
            if !changed {
                return Ok(Vec::new());
            }
            // Encoding what was added proves the new structs can be encoded at all.
            let added = txn.encode_update_v1();
            drop(txn);
            Ok(added)
        })
    }

    /// The whole state as one update (a snapshot). Proves the document still encodes.
    pub fn encode_state(&self) -> Result<Vec<u8>, DocError> {
        contained(|| {
            Ok(self
                .doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default()))
        })
    }

    /// Sticky positions for the passage `[start, end)` (UTF-16 offsets): one on its first
    /// character, one on its last, so text typed at either edge stays outside the passage and
    /// text typed inside it is inside. `None` for an empty or out-of-range passage.
    pub fn anchor(&self, start: u32, end: u32) -> Option<(Vec<u8>, Vec<u8>)> {
        contained(|| {
            let txn = self.doc.transact();
            if start >= end || end > self.body.len(&txn) {
                return Ok(None);
            }
            let first = self.body.sticky_index(&txn, start, Assoc::After);
            let last = self.body.sticky_index(&txn, end, Assoc::Before);
            Ok(first.zip(last).map(|(a, b)| (a.encode_v1(), b.encode_v1())))
        })
        .ok()
        .flatten()
    }

    /// Where a sticky position (yrs v1 bytes, from anyone) is now, as a UTF-16 offset. A position
    /// on a deleted character resolves to where the character was. `None` if it cannot be read or
    /// refers to something not in this draft's body.
    pub fn offset_of(&self, sticky: &[u8]) -> Option<u32> {
        contained(|| {
            let Ok(index) = StickyIndex::decode_v1(sticky) else {
                return Ok(None);
            };
            let txn = self.doc.transact();
            let Some(offset) = index.get_offset(&txn) else {
                return Ok(None);
            };
            // The position must be in the body, not in some other root a client named.
            let body: &yrs::branch::Branch = self.body.as_ref();
            if offset.branch.id() != body.id() {
                return Ok(None);
            }
            Ok(Some(offset.index))
        })
        .ok()
        .flatten()
    }

    /// Reads the body (its runs with their formats, for instance) under `catch_unwind`.
    pub fn read<R>(
        &self,
        read: impl FnOnce(&TextRef, &yrs::Transaction<'_>) -> R,
    ) -> Result<R, DocError> {
        contained(|| Ok(read(&self.body, &self.doc.transact())))
    }

    /// Makes an edit as the Yjs client `client` would (the server's own id is never used for
    /// content), without applying it here: returns the update, to be stored and applied like
    /// any other, or `None` if the edit changed nothing.
    pub fn edit_as(
        &self,
        client: u64,
        edit: impl FnOnce(&TextRef, &mut yrs::TransactionMut<'_>),
    ) -> Result<Option<Vec<u8>>, DocError> {
        contained(|| {
            let doc = Doc::with_options(Options {
                client_id: yrs::block::ClientID::new(client),
                offset_kind: OffsetKind::Utf16,
                ..Options::default()
            });
            let body = doc.get_or_insert_text(BODY);
            let state = self
                .doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            doc.transact_mut()
                .apply_update(Update::decode_v1(&state).map_err(|_| DocError::Decode)?)
                .map_err(|_| DocError::Decode)?;
            let mut txn = doc.transact_mut();
            let before = txn.state_vector();
            let deletes_before = txn.delete_set().clone();
            edit(&body, &mut txn);
            let changed = txn.state_vector() != before || *txn.delete_set() != deletes_before;
            Ok(changed.then(|| txn.encode_update_v1()))
        })
    }

    /// The current text.
    pub fn text(&self) -> String {
        self.body.get_string(&self.doc.transact())
    }

    /// The current text in stretches, each with the client that wrote it.
    pub fn stretches(&self) -> Result<Vec<Stretch>, DocError> {
        contained(|| {
            let mut txn = self.doc.transact_mut();
            let stretches = app::domain::document::authorship::stretches(&self.body, &mut txn);
            Ok(stretches
                .into_iter()
                .map(|(text, client)| Stretch { text, client })
                .collect())
        })
    }
}

/// Merges updates into one (to relay a group of updates as one message). For groups, not for
/// long logs: merging many updates costs more than applying them to a document.
pub fn merge(updates: &[&[u8]]) -> Result<Vec<u8>, DocError> {
    if let [only] = updates {
        return Ok(only.to_vec());
    }
    contained(|| yrs::merge_updates_v1(updates).map_err(|_| DocError::Decode))
}

/// Writes `sections` one after another at the end of the body, each by its own Yjs client, as
/// co-drafters taking turns would; returns each section's update. Used to seed the demo.
pub fn compose(sections: &[(u64, &str)]) -> Result<Vec<Vec<u8>>, DocError> {
    contained(|| {
        let mut updates: Vec<Vec<u8>> = Vec::new();
        for (client, text) in sections {
            let doc = Doc::with_options(Options {
                client_id: yrs::block::ClientID::new(*client),
                offset_kind: OffsetKind::Utf16,
                ..Options::default()
            });
            let body = doc.get_or_insert_text(BODY);
            let mut txn = doc.transact_mut();
            for update in &updates {
                txn.apply_update(Update::decode_v1(update).map_err(|_| DocError::Decode)?)
                    .map_err(|_| DocError::Decode)?;
            }
            drop(txn);
            let mut txn = doc.transact_mut();
            let end = body.len(&txn);
            body.insert(&mut txn, end, text);
            updates.push(txn.encode_update_v1());
        }
        Ok(updates)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_doc(client: u64) -> (Doc, TextRef) {
        let doc = Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(client),
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        let text = doc.get_or_insert_text(BODY);
        (doc, text)
    }

    fn edit(doc: &Doc, text: &TextRef, at: u32, insert: &str) -> Vec<u8> {
        let mut txn = doc.transact_mut();
        text.insert(&mut txn, at, insert);
        txn.encode_update_v1()
    }

    #[test]
    fn applies_updates_and_attributes_the_text() {
        let (a, a_text) = client_doc(11);
        let (b, b_text) = client_doc(22);
        let mut server = DraftDoc::empty();
        let first = edit(&a, &a_text, 0, "Residents decide. ");
        server.apply(&first).unwrap();
        b.transact_mut()
            .apply_update(Update::decode_v1(&first).unwrap())
            .unwrap();
        let second = edit(&b, &b_text, 18, "长老会同意 🌍");
        assert!(!server.apply(&second).unwrap().is_empty());
        assert_eq!(server.text(), "Residents decide. 长老会同意 🌍");
        let stretches = server.stretches().unwrap();
        assert_eq!(
            stretches,
            vec![
                Stretch {
                    text: "Residents decide. ".into(),
                    client: 11
                },
                Stretch {
                    text: "长老会同意 🌍".into(),
                    client: 22
                },
            ]
        );
        // Applying the same update again adds nothing.
        assert!(server.apply(&second).unwrap().is_empty());
        // Reloading from a snapshot gives the same text.
        let reloaded = DraftDoc::load(Some(&server.encode_state().unwrap()), []).unwrap();
        assert_eq!(reloaded.text(), server.text());
    }

    #[test]
    fn composed_sections_keep_their_authors() {
        let updates = compose(&[(5, "Purpose. "), (6, "目的。"), (5, "Review.")]).unwrap();
        let doc = DraftDoc::load(None, updates.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(doc.text(), "Purpose. 目的。Review.");
        let clients: Vec<u64> = doc.stretches().unwrap().iter().map(|s| s.client).collect();
        assert_eq!(clients, vec![5, 6, 5]);
    }

    #[test]
    fn updates_with_missing_dependencies_are_refused() {
        let (a, a_text) = client_doc(11);
        let _first = edit(&a, &a_text, 0, "one ");
        let second = edit(&a, &a_text, 4, "two");
        let mut server = DraftDoc::empty();
        assert_eq!(server.apply(&second), Err(DocError::MissingDependencies));
    }

    #[test]
    fn sync_answers_what_a_peer_lacks() {
        let (a, a_text) = client_doc(11);
        let mut server = DraftDoc::empty();
        server.apply(&edit(&a, &a_text, 0, "hello")).unwrap();
        let (fresh, fresh_text) = client_doc(33);
        let diff = server
            .diff_for(&fresh.transact().state_vector().encode_v1())
            .unwrap();
        fresh
            .transact_mut()
            .apply_update(Update::decode_v1(&diff).unwrap())
            .unwrap();
        assert_eq!(fresh_text.get_string(&fresh.transact()), "hello");
        assert_eq!(server.clock_of(11), 5);
    }
}
