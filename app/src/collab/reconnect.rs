//! Reconnecting a live socket, the same way for both browser clients (the draft editor and the
//! sitting room): after a dropped connection, wait half a second, then twice as long each time up
//! to 15 seconds, each wait spread by ±20 % so that a restarted server is not met by everyone at
//! once; a connection that opens starts the count again.

/// The first wait after a dropped connection, in milliseconds.
pub const FIRST_WAIT_MS: u32 = 500;
/// The longest wait, in milliseconds.
pub const LAST_WAIT_MS: u32 = 15_000;

/// The waits between attempts to reconnect.
#[derive(Clone, Debug)]
pub struct Backoff {
    next_ms: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            next_ms: FIRST_WAIT_MS,
        }
    }
}

impl Backoff {
    /// The connection is open: the next drop waits the shortest time again.
    pub fn reset(&mut self) {
        self.next_ms = FIRST_WAIT_MS;
    }

    /// How long to wait before the next attempt, given `spread` in `[0, 1)` (a random number),
    /// and doubles the wait after it.
    pub fn next_wait(&mut self, spread: f64) -> i32 {
        let wait = self.next_ms;
        self.next_ms = (self.next_ms * 2).min(LAST_WAIT_MS);
        (f64::from(wait) * (0.8 + 0.4 * spread.clamp(0.0, 1.0))) as i32
    }
}

/// Runs `again` after the backoff's next wait.
#[cfg(feature = "hydrate")]
pub fn after(backoff: &mut Backoff, again: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let wait = backoff.next_wait(js_sys::Math::random());
    let again = wasm_bindgen::closure::Closure::once_into_js(again);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_a_limit_and_start_again_once_connected() {
        let mut backoff = Backoff::default();
        let waits: Vec<i32> = (0..8).map(|_| backoff.next_wait(0.5)).collect();
        assert_eq!(
            waits,
            [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]
        );
        backoff.reset();
        assert_eq!(backoff.next_wait(0.0), 400);
        assert_eq!(backoff.next_wait(0.999_999), 1_199);
    }
}
