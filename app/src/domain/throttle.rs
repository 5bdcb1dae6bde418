//! The sign-in throttle: repeated failures slow sign-in down, then pause it for a while.

use crate::model::{Millis, Throttle};

/// Failures count within this window; a lock lasts as long.
pub const WINDOW_MS: Millis = 15 * 60 * 1000;
/// The longest pause added before answering one attempt, in seconds.
pub const MAX_DELAY_SECS: i64 = 5;

/// How the throttle treats one kind of key.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Failures after which each attempt is answered more slowly.
    pub slow_after: i64,
    /// Failures after which attempts are refused until the lock ends.
    pub lock_after: i64,
}

/// Limits per email address.
pub const PER_EMAIL: Limits = Limits {
    slow_after: 3,
    lock_after: 10,
};
/// Limits per network address, which may be shared by a whole village or office.
pub const PER_ADDRESS: Limits = Limits {
    slow_after: 20,
    lock_after: 100,
};

/// What to do with an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password after waiting this many seconds.
    Proceed { delay_secs: i64 },
    /// Refuse without checking; the lock ends in this many minutes (rounded up).
    Locked { minutes: i64 },
}

/// The state still in force at `now` (a passed window is forgotten unless locked).
pub fn current(state: Option<Throttle>, now: Millis) -> Option<Throttle> {
    state.filter(|s| {
        s.locked_until.is_some_and(|until| until > now) || s.window_started_at + WINDOW_MS > now
    })
}

/// Decides an attempt against a key's state.
pub fn verdict(state: Option<Throttle>, now: Millis, limits: Limits) -> Verdict {
    match current(state, now) {
        Some(Throttle {
            locked_until: Some(until),
            ..
        }) if until > now => Verdict::Locked {
            minutes: (until - now + 59_999) / 60_000,
        },
        Some(s) if s.failures >= limits.slow_after => Verdict::Proceed {
            delay_secs: (s.failures - limits.slow_after + 1).min(MAX_DELAY_SECS),
        },
        _ => Verdict::Proceed { delay_secs: 0 },
    }
}

/// The state after one more failure.
pub fn after_failure(state: Option<Throttle>, now: Millis, limits: Limits) -> Throttle {
    let mut state = current(state, now).unwrap_or(Throttle {
        failures: 0,
        window_started_at: now,
        locked_until: None,
    });
    state.failures += 1;
    if state.failures >= limits.lock_after {
        state.locked_until = Some(now + WINDOW_MS);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slows_then_locks_then_forgives() {
        let limits = PER_EMAIL;
        let mut state = None;
        let mut delays = Vec::new();
        for attempt in 0..limits.lock_after {
            match verdict(state, attempt, limits) {
                Verdict::Proceed { delay_secs } => delays.push(delay_secs),
                Verdict::Locked { .. } => panic!("locked too early"),
            }
            state = Some(after_failure(state, attempt, limits));
        }
        assert_eq!(delays, [0, 0, 0, 1, 2, 3, 4, 5, 5, 5]);
        assert_eq!(verdict(state, 10, limits), Verdict::Locked { minutes: 15 });
        // Locked at the tenth failure (t = 9 ms): one minute before it ends, one minute is left.
        assert_eq!(
            verdict(state, 9 + WINDOW_MS - 60_000, limits),
            Verdict::Locked { minutes: 1 }
        );
        // When the lock has run out, the slate is clean.
        assert_eq!(
            verdict(state, WINDOW_MS + 10, limits),
            Verdict::Proceed { delay_secs: 0 }
        );
        assert_eq!(after_failure(state, WINDOW_MS + 10, limits).failures, 1);
    }

    #[test]
    fn an_old_window_is_forgotten() {
        let old = Some(Throttle {
            failures: 7,
            window_started_at: 0,
            locked_until: None,
        });
        assert_eq!(
            verdict(old, WINDOW_MS + 1, PER_EMAIL),
            Verdict::Proceed { delay_secs: 0 }
        );
        assert_eq!(
            verdict(old, 1, PER_EMAIL),
            Verdict::Proceed { delay_secs: 5 }
        );
    }
}
