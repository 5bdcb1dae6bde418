//! Confirming email addresses: the link sent at sign-up and when an account changes its address,
//! sending it again, and the rule that an unconfirmed account reads and follows but does not post
//! (unless the site relaxes it, `--unverified-may-post`).

use super::account::{count_attempt, hashing, verify_password};
use super::form::Form;
use super::password_reset::token_hash;
use crate::domain::account::normalize_email;
use crate::domain::throttle;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::ids::PersonId;
use crate::mail::Mail;
use crate::mail::account::{VERIFY_LINK_DAYS, address_changing, verify_address};
use crate::model::Person;
use crate::ssr::{AddressCheck, RequestContext};
use std::sync::Arc;

/// A new link: its token, and the check the store keeps of it.
pub struct NewLink {
    pub token: String,
    pub token_hash: String,
    pub expires_at: i64,
}

impl NewLink {
    /// A new link, working for [`VERIFY_LINK_DAYS`] from the request's time.
    pub fn new(cx: &RequestContext) -> NewLink {
        let token = crate::domain::hex::encode(&rand::random::<[u8; 32]>());
        NewLink {
            token_hash: token_hash(&token),
            token,
            expires_at: cx.now + VERIFY_LINK_DAYS * 24 * 3600 * 1000,
        }
    }

    /// The check the store keeps, with the mail `compose` writes (from [`NewLink::composer`]).
    pub fn check<'a>(&self, compose: &'a crate::mail::Compose) -> AddressCheck<'a> {
        AddressCheck {
            token_hash: self.token_hash.clone(),
            expires_at: self.expires_at,
            compose,
        }
    }

    /// What writes the mail that carries it to a person's `email`.
    pub fn composer(&self, site: &Arc<str>) -> impl Fn(&Person) -> Mail + Send + Sync + 'static {
        let (token, site) = (self.token.clone(), site.clone());
        move |person: &Person| verify_address(person, &site, &token)
    }
}

/// The signed-in person, if they may post: their address is confirmed, or the site lets
/// unconfirmed accounts post. Every use case that publishes what a person writes asks this.
pub fn require_verified(cx: &RequestContext) -> AppResult<&Person> {
    let viewer = cx.viewer()?;
    if viewer.email_verified || cx.unverified_may_post {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden(Msg::ErrorVerifyFirst {
            email: viewer.email.clone(),
        }))
    }
}

/// Counts a request for a link against the person's throttle (the limits of reset links).
async fn throttled(cx: &RequestContext, person: PersonId) -> AppResult<()> {
    count_attempt(
        cx,
        &format!("verify:{}", person.0),
        throttle::RESETS_PER_EMAIL,
        |minutes| Msg::ErrorResetLocked { minutes },
    )
    .await
    .map(|_| ())
}

/// Sends the signed-in person a new link for their unconfirmed address; returns the address.
pub async fn resend(cx: &RequestContext) -> AppResult<String> {
    let viewer = cx.viewer()?;
    if viewer.email_verified {
        return Err(AppError::Conflict(Msg::ErrorAlreadyVerified));
    }
    throttled(cx, viewer.id).await?;
    let link = NewLink::new(cx);
    let compose = link.composer(&cx.site_url);
    let check = link.check(&compose);
    cx.store
        .request_email_verification(viewer.id, &viewer.email, &check, None, cx.now)
        .await?;
    Ok(viewer.email.clone())
}

/// Starts changing the signed-in person's address to the form's `email`, after checking
/// `current_password`: a link goes to the new address, a word to the old one, and the address
/// changes when the link is opened. Returns the new address.
pub async fn change(cx: &RequestContext, form: &Form) -> AppResult<String> {
    let viewer = cx.viewer()?;
    let email = normalize_email(form.text("email"))?;
    if email == viewer.email {
        return Err(AppError::invalid("email", Msg::ErrorSameEmail));
    }
    throttled(cx, viewer.id).await?;
    let (_, stored) = cx
        .store
        .credentials(&viewer.email)
        .await?
        .ok_or(AppError::Internal)?;
    let given = form.text("current_password").to_string();
    if !hashing(move || verify_password(&given, &stored)).await? {
        return Err(AppError::invalid(
            "current_password",
            Msg::ErrorCurrentPassword,
        ));
    }
    let link = NewLink::new(cx);
    let compose = link.composer(&cx.site_url);
    let (new, site) = (email.clone(), cx.site_url.clone());
    let tell_old = move |person: &Person| address_changing(person, &new, &site);
    let check = link.check(&compose);
    cx.store
        .request_email_verification(viewer.id, &email, &check, Some(&tell_old), cx.now)
        .await?;
    Ok(email)
}

/// Whose address a link confirms, and which address; `None` for a link that does not work.
pub async fn owner(cx: &RequestContext, token: &str) -> AppResult<Option<(Person, String)>> {
    if !super::password_reset::well_formed(token) {
        return Ok(None);
    }
    cx.store
        .email_verification(&token_hash(token), cx.now)
        .await
}

/// Confirms the address a link was sent to; returns it.
pub async fn confirm(cx: &RequestContext, token: &str) -> AppResult<String> {
    let (_, email) = owner(cx, token)
        .await?
        .ok_or(AppError::Conflict(Msg::ErrorVerifyLinkInvalid))?;
    cx.store
        .verify_email(&token_hash(token), cx.now)
        .await?
        .ok_or(AppError::Conflict(Msg::ErrorVerifyLinkInvalid))?;
    Ok(email)
}
