//! The delivery worker: claims due mail from the outbox, sends it, and records the outcome.
//!
//! - Sent: the SMTP server accepted it.
//! - A temporary failure (the server is down, times out, or answers 4xx): tried again after
//!   [`backoff`], which doubles from the configured base up to [`MAX_BACKOFF`]; after
//!   [`MAX_ATTEMPTS`] the mail is given up on and marked failed.
//! - A permanent refusal (5xx) or a mail that cannot be written: failed at once, with the answer.
//!
//! A claim lasts [`LEASE`], longer than any SMTP conversation may take ([`super::SMTP_TIMEOUT`]);
//! a server that dies holding one leaves the mail to be claimed again when it ends, and the
//! stable Message-ID lets mail programs recognise it if the first attempt did get through.

use super::{MailSettings, Relay, message};
use crate::clock::now_millis;
use crate::store::SqlStore;
use crate::store::outbox::Claimed;
use app::model::{MailState, Millis};
use lettre::AsyncTransport;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long a claim keeps other servers off a mail.
pub const LEASE: Duration = Duration::from_secs(120);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// Attempts before a mail is given up on (with the base of a minute, about two days).
pub const MAX_ATTEMPTS: i64 = 16;
/// How often the worker looks for due mail when there was none.
const POLL: Duration = Duration::from_secs(1);
/// How many mails one claim takes.
const BATCH: i64 = 20;

/// The wait after the `attempts`-th failed attempt.
pub fn backoff(base: Duration, attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 30) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_BACKOFF)
}

/// Starts delivering mail for the server named `server` (unique per running process).
pub fn spawn(store: SqlStore, settings: MailSettings, server: String) -> JoinHandle<()> {
    tokio::spawn(async move {
        match &settings.relay {
            None => loop {
                if let Err(error) = store.keep_waiting_mail(now_millis()).await {
                    tracing::warn!(%error, "could not keep the waiting mail");
                }
                tokio::time::sleep(POLL).await;
            },
            Some(relay) => loop {
                let claimed = deliver_due(&store, &settings, relay, &server).await;
                if claimed < BATCH as usize {
                    tokio::time::sleep(POLL).await;
                }
            },
        }
    })
}

/// Claims one batch of due mail and sends it; returns how many were claimed.
async fn deliver_due(
    store: &SqlStore,
    settings: &MailSettings,
    relay: &Relay,
    server: &str,
) -> usize {
    let now = now_millis();
    let claimed = match store
        .claim_mail(server, now, now + LEASE.as_millis() as Millis, BATCH)
        .await
    {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::warn!(%error, "could not claim mail");
            return 0;
        }
    };
    let count = claimed.len();
    for mail in claimed {
        let (state, next, error) = send(&mail, settings, relay).await;
        match store
            .record_mail(mail.id, server, state, next, error.as_deref(), now_millis())
            .await
        {
            Ok(true) => tracing::info!(
                mail = mail.id,
                state = state.code(),
                "mail delivery recorded"
            ),
            Ok(false) => tracing::warn!(
                mail = mail.id,
                "the claim on a mail ended before its outcome was recorded"
            ),
            Err(error) => {
                tracing::warn!(%error, mail = mail.id, "could not record a mail's outcome")
            }
        }
    }
    count
}

/// Sends one mail: its new state, when to try again (for [`MailState::Waiting`]), and the error.
async fn send(
    mail: &Claimed,
    settings: &MailSettings,
    relay: &Relay,
) -> (MailState, Millis, Option<String>) {
    let now = now_millis();
    let message = match message::build(mail, &settings.from) {
        Ok(message) => message,
        Err(error) => return (MailState::Failed, now, Some(error.to_string())),
    };
    match relay.transport.send(message).await {
        Ok(_) => (MailState::Sent, now, None),
        Err(error) if error.is_permanent() => {
            tracing::warn!(mail = mail.id, %error, "the SMTP server refused a mail for good");
            (MailState::Failed, now, Some(error.to_string()))
        }
        Err(error) if mail.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(mail = mail.id, %error, "a mail was given up on after its last attempt");
            (MailState::Failed, now, Some(error.to_string()))
        }
        Err(error) => {
            let wait = backoff(settings.retry_base, mail.attempts);
            tracing::info!(mail = mail.id, %error, relay = %relay.name, retry_in_s = wait.as_secs(), "mail not sent yet");
            (
                MailState::Waiting,
                now + wait.as_millis() as Millis,
                Some(error.to_string()),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_a_limit() {
        let minute = Duration::from_secs(60);
        assert_eq!(backoff(minute, 1), minute);
        assert_eq!(backoff(minute, 2), 2 * minute);
        assert_eq!(backoff(minute, 5), 16 * minute);
        assert_eq!(backoff(minute, 12), MAX_BACKOFF);
        assert_eq!(backoff(minute, i64::MAX), MAX_BACKOFF);
        let total: Duration = (1..MAX_ATTEMPTS).map(|n| backoff(minute, n)).sum();
        assert!(total > Duration::from_secs(40 * 3600), "{total:?}");
    }
}
