//! What a committed write means to the live parts of the system, and the one way to tell them.
//!
//! A store write that changes a process returns its result wrapped in [`Written`], with the
//! [`Change`]s it committed. The result can be had only by [`publish`]ing those changes to the live
//! system (the hub's rooms, the comment streams, the sitting channels and, through the bus, the
//! other servers), so no use case can forget to: what the store decided is what the live system
//! hears, in one place.

use crate::ids::{CommentId, DraftId};
use crate::model::Sitting;
use std::sync::Arc;

/// One thing a committed write changed that someone connected may need to hear of now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Who may write which draft may have changed: a phase, an organisation's or a person's role,
    /// a membership, a verification, a lock, a frozen text, a sitting's minutes closing. Every room
    /// checks again before it applies the next update.
    DraftAccess,
    /// A comment thread changed (a comment, a reply, an edit, a moderation decision, an answer):
    /// its readers fetch it again.
    Thread { draft: DraftId, thread: CommentId },
    /// A sitting's live state changed: its viewers get the new state.
    Sitting(Arc<Sitting>),
}

/// Where changes are published: the server's hub.
pub trait Publish: Send + Sync {
    /// Tells the live system what a committed write changed.
    fn publish(&self, changes: &[Change]);
}

/// A write's result and what it changed. Its value is reached only through [`publish`].
#[must_use = "what the write changed must be published: pass it to `publish`"]
#[derive(Debug)]
pub struct Written<T> {
    value: T,
    changes: Vec<Change>,
}

impl<T> Written<T> {
    /// A result and the changes its write committed.
    pub fn new(value: T, changes: Vec<Change>) -> Written<T> {
        Written { value, changes }
    }

    /// A result whose write changed nothing anyone connected must hear of.
    pub fn quiet(value: T) -> Written<T> {
        Written::new(value, Vec::new())
    }

    /// The same changes with another value (a use case that returns less than its write).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Written<U> {
        Written {
            value: f(self.value),
            changes: self.changes,
        }
    }

    /// What the write changed.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The value without publishing, only where nobody can be connected to what changed: the
    /// demo, loaded before the server serves anyone, and store-level tests.
    pub fn unpublished(self) -> T {
        self.value
    }
}

/// Publishes what a write changed, then gives its result.
pub fn publish<T>(to: &dyn Publish, written: Written<T>) -> T {
    if !written.changes.is_empty() {
        to.publish(&written.changes);
    }
    written.value
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Heard(Mutex<Vec<Change>>);

    impl Publish for Heard {
        fn publish(&self, changes: &[Change]) {
            self.0.lock().unwrap().extend_from_slice(changes);
        }
    }

    #[test]
    fn the_value_comes_with_its_changes_published() {
        let heard = Heard::default();
        let written = Written::new(7, vec![Change::DraftAccess]);
        assert_eq!(publish(&heard, written.map(|n| n * 6)), 42);
        assert_eq!(*heard.0.lock().unwrap(), vec![Change::DraftAccess]);
        assert_eq!(publish(&heard, Written::quiet("nothing")), "nothing");
        assert_eq!(heard.0.lock().unwrap().len(), 1);
    }
}
