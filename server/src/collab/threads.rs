//! The comment threads' live channel on this server: which thread of which draft changed, for
//! every comment stream (`live::comments`) to pick out its own draft's. Events carry no content.

use app::ids::{CommentId, DraftId};
use tokio::sync::broadcast;

/// Thread changes waiting for one slow reader before it is told to reload instead.
pub const THREAD_EVENTS: usize = 256;

/// Every thread change on every draft, as it happens.
#[derive(Clone, Debug)]
pub struct ThreadChanges {
    sender: broadcast::Sender<(DraftId, CommentId)>,
}

impl Default for ThreadChanges {
    fn default() -> ThreadChanges {
        ThreadChanges {
            sender: broadcast::channel(THREAD_EVENTS).0,
        }
    }
}

impl ThreadChanges {
    /// Tells the readers here that a thread changed (nobody listening is fine: the next page load
    /// shows it).
    pub fn changed(&self, draft: DraftId, thread: CommentId) {
        let _ = self.sender.send((draft, thread));
    }

    /// Hears every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<(DraftId, CommentId)> {
        self.sender.subscribe()
    }
}
