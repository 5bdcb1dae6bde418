//! Each live sitting's channel on this server: its new states, to every viewer connected here
//! (each connection publishes the state for its own viewer, `live::sittings`).

use super::threads::THREAD_EVENTS;
use app::ids::SittingId;
use app::model::Sitting;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// The sittings someone watches here, by id.
#[derive(Debug, Default)]
pub struct SittingChannels {
    channels: Mutex<HashMap<SittingId, broadcast::Sender<Arc<Sitting>>>>,
}

impl SittingChannels {
    /// The channel of a sitting (made on first use).
    pub fn channel(&self, id: SittingId) -> broadcast::Sender<Arc<Sitting>> {
        let mut channels = match self.channels.lock() {
            Ok(channels) => channels,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A channel nobody listens to any more is dropped when the next one is made.
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(THREAD_EVENTS).0)
            .clone()
    }

    /// Whether anyone here watches the sitting.
    pub fn watched(&self, id: SittingId) -> bool {
        self.channel(id).receiver_count() > 0
    }

    /// Gives the viewers here a sitting's new state.
    pub fn changed(&self, sitting: Arc<Sitting>) {
        let _ = self.channel(sitting.id).send(sitting);
    }
}
