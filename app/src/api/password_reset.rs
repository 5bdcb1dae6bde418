//! Getting back into an account: a reset link by mail, and choosing a new password with it.
//!
//! Asking answers the same whether or not an account has the address, after the same work (the
//! throttle's counts and one transaction either way), so nobody learns who has an account. The
//! link's token is 256 random bits; only its SHA-256 is stored, it works once, for an hour, and
//! using it ends every session of the account.

use super::account::{count_attempt, hash};
use super::form::Form;
use crate::domain::account::normalize_email;
use crate::domain::throttle;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::ids::PersonId;
use crate::mail::account::{RESET_LINK_MINUTES, password_changed, password_reset};
use crate::model::Person;
use crate::ssr::RequestContext;

/// What the store keeps of a reset token.
pub fn token_hash(token: &str) -> String {
    super::account::device_hash(token)
}

/// Whether `token` has the shape of a reset token (64 lower-case hex digits): anything else is
/// refused before the database is asked.
pub(super) fn well_formed(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Asks for a reset link for the address in the form's `email` field; `client` is the network
/// address, whose requests are throttled like the address's. Returns the address as typed
/// (normalised), for the answer, which is the same whether or not an account has it.
pub async fn request(cx: &RequestContext, form: &Form, client: &str) -> AppResult<String> {
    let email = normalize_email(form.text("email"))?;
    let locked = |minutes| Msg::ErrorResetLocked { minutes };
    let delay = count_attempt(
        cx,
        &format!("reset-email:{email}"),
        throttle::RESETS_PER_EMAIL,
        locked,
    )
    .await?
    .max(
        count_attempt(
            cx,
            &format!("reset-address:{client}"),
            throttle::RESETS_PER_ADDRESS,
            locked,
        )
        .await?,
    );
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_secs(delay as u64)).await;
    }
    let token = crate::domain::hex::encode(&rand::random::<[u8; 32]>());
    let hashed = token_hash(&token);
    let site = cx.site_url.clone();
    let compose = move |person: &Person| password_reset(person, &site, &token);
    cx.store
        .start_password_reset(
            &email,
            &hashed,
            cx.now,
            cx.now + RESET_LINK_MINUTES * 60_000,
            &compose,
        )
        .await?;
    Ok(email)
}

/// The account a reset link still works for; `None` for a link that does not (used, expired,
/// superseded, or never made).
pub async fn owner(cx: &RequestContext, token: &str) -> AppResult<Option<Person>> {
    if !well_formed(token) {
        return Ok(None);
    }
    cx.store
        .password_reset_owner(&token_hash(token), cx.now)
        .await
}

/// Sets the new password in the form's `new_password` (repeated in `new_password_confirm`) with
/// a reset link, once; the caller signs the person in.
pub async fn finish(cx: &RequestContext, token: &str, form: &Form) -> AppResult<PersonId> {
    if owner(cx, token).await?.is_none() {
        return Err(AppError::Conflict(Msg::ErrorResetLinkInvalid));
    }
    let new = super::account::new_password(form)?;
    let password_hash = hash(new).await?;
    let site = cx.site_url.clone();
    let compose = move |person: &Person| password_changed(person, &site);
    cx.store
        .finish_password_reset(&token_hash(token), &password_hash, cx.now, &compose)
        .await?
        .ok_or(AppError::Conflict(Msg::ErrorResetLinkInvalid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_the_right_shape_reach_the_database() {
        assert!(well_formed(&"0a".repeat(32)));
        assert!(!well_formed(&"0A".repeat(32)));
        assert!(!well_formed(&"0a".repeat(31)));
        assert!(!well_formed("../../etc/passwd"));
    }
}
