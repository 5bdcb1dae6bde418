//! The sign-in throttle: repeated attempts slow sign-in down, then pause it for a while.
//!
//! Every attempt counts against two keys:
//! - the **client's network address** ([`PER_ADDRESS`]): one guesser is slowed, then paused,
//!   whichever accounts they try;
//! - the **account**, but only as far as this browser is concerned: a browser the person signed
//!   in on before carries a device cookie ([`DEVICE_COOKIE`]) and has a count of its own
//!   ([`PER_DEVICE`]); every other browser shares the account's count for unrecognised browsers
//!   ([`PER_EMAIL`]).
//!
//! So guessing someone's password from elsewhere locks out unrecognised browsers only: the person
//! signs in from their own browser with the right password while the guesser is refused, and
//! nobody can keep a council member out of a vote by typing wrong passwords in their name. A
//! stolen device cookie gains a guesser nothing but the same ten attempts, on that cookie alone.
//!
//! An attempt is counted (atomically, in the database) *before* the password is checked, so that
//! concurrent guesses cannot slip past the count; a successful sign-in then clears the count it
//! was charged to and gives back its one attempt on the network address.

use crate::model::{Millis, Throttle};

/// Attempts count within this window; a lock lasts as long.
pub const WINDOW_MS: Millis = 15 * 60 * 1000;
/// The longest pause added before answering one attempt, in seconds.
pub const MAX_DELAY_SECS: i64 = 5;

/// How the throttle treats one kind of key.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Attempts in a window after which each one is answered more slowly.
    pub slow_after: i64,
    /// Attempts in a window allowed before the key is locked.
    pub lock_after: i64,
}

/// Limits per account, for browsers it does not recognise.
pub const PER_EMAIL: Limits = Limits {
    slow_after: 3,
    lock_after: 10,
};
/// Limits per browser the person signed in on before (per device cookie).
pub const PER_DEVICE: Limits = Limits {
    slow_after: 3,
    lock_after: 10,
};
/// The cookie that marks a browser as one the person signed in on before.
pub const DEVICE_COOKIE: &str = "baraza_device";
/// How long a browser stays recognised after its last sign-in.
pub const DEVICE_TRUST_MS: Millis = 365 * 24 * 60 * 60 * 1000;
/// How many accounts one browser is remembered for (a family's shared computer).
pub const DEVICES_PER_COOKIE: usize = 4;

/// Limits per network address, which a whole village or office may share.
pub const PER_ADDRESS: Limits = Limits {
    slow_after: 30,
    lock_after: 150,
};
/// Limits on creating accounts from one network address.
pub const SIGN_UPS_PER_ADDRESS: Limits = Limits {
    slow_after: 5,
    lock_after: 20,
};

/// Limits on asking for password reset links for one address: a few tries for a slow mail, not a
/// flood into someone's mailbox. Counted for every address asked about, with an account or not.
pub const RESETS_PER_EMAIL: Limits = Limits {
    slow_after: 3,
    lock_after: 5,
};
/// Limits on asking for password reset links from one network address (any addresses).
pub const RESETS_PER_ADDRESS: Limits = Limits {
    slow_after: 10,
    lock_after: 30,
};

/// What to do with an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password after waiting this many seconds.
    Proceed { delay_secs: i64 },
    /// Refuse without checking; the lock ends in this many minutes (rounded up).
    Locked { minutes: i64 },
}

/// Decides an attempt from the key's state *after* this attempt was counted. Returns the verdict
/// and, when the stored state must change (a new window, a new lock), the state to store.
pub fn decide(counted: Throttle, now: Millis, limits: Limits) -> (Verdict, Option<Throttle>) {
    if let Some(until) = counted.locked_until.filter(|until| *until > now) {
        return (
            Verdict::Locked {
                minutes: (until - now + 59_999) / 60_000,
            },
            None,
        );
    }
    if counted.window_started_at + WINDOW_MS <= now || counted.locked_until.is_some() {
        // The window (or the lock) has passed: this attempt opens a new window.
        let fresh = Throttle {
            attempts: 1,
            window_started_at: now,
            locked_until: None,
        };
        return (Verdict::Proceed { delay_secs: 0 }, Some(fresh));
    }
    if counted.attempts > limits.lock_after {
        let locked = Throttle {
            locked_until: Some(now + WINDOW_MS),
            ..counted
        };
        return (
            Verdict::Locked {
                minutes: WINDOW_MS / 60_000,
            },
            Some(locked),
        );
    }
    let delay_secs = (counted.attempts - limits.slow_after).clamp(0, MAX_DELAY_SECS);
    (Verdict::Proceed { delay_secs }, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulates the store: count, then apply what `decide` says to store.
    fn attempt(state: &mut Option<Throttle>, now: Millis, limits: Limits) -> Verdict {
        let mut counted = state.unwrap_or(Throttle {
            attempts: 0,
            window_started_at: now,
            locked_until: None,
        });
        counted.attempts += 1;
        let (verdict, store) = decide(counted, now, limits);
        *state = Some(store.unwrap_or(counted));
        verdict
    }

    #[test]
    fn slows_then_locks_then_forgives() {
        let limits = PER_EMAIL;
        let mut state = None;
        let delays: Vec<Verdict> = (0..limits.lock_after)
            .map(|t| attempt(&mut state, t, limits))
            .collect();
        let expected: Vec<Verdict> = [0, 0, 0, 1, 2, 3, 4, 5, 5, 5]
            .into_iter()
            .map(|d| Verdict::Proceed { delay_secs: d })
            .collect();
        assert_eq!(delays, expected);
        // The eleventh attempt in the window locks the key, without checking the password.
        assert_eq!(
            attempt(&mut state, 10, limits),
            Verdict::Locked { minutes: 15 }
        );
        assert_eq!(
            attempt(&mut state, 10 + WINDOW_MS - 60_000, limits),
            Verdict::Locked { minutes: 1 }
        );
        // When the lock has run out, the slate is clean.
        assert_eq!(
            attempt(&mut state, 11 + WINDOW_MS, limits),
            Verdict::Proceed { delay_secs: 0 }
        );
        assert_eq!(state.unwrap().attempts, 1);
    }

    #[test]
    fn an_old_window_is_forgotten() {
        let old = Throttle {
            attempts: 8,
            window_started_at: 0,
            locked_until: None,
        };
        assert_eq!(
            decide(old, WINDOW_MS + 1, PER_EMAIL).0,
            Verdict::Proceed { delay_secs: 0 }
        );
        assert_eq!(
            decide(old, 1, PER_EMAIL).0,
            Verdict::Proceed { delay_secs: 5 }
        );
    }
}
