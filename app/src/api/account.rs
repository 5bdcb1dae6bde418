//! Accounts: sign-up, sign-in (with a throttle), profile and password.

use super::form::{Form, collect};
use crate::domain::account::{check_display_name, check_password, normalize_email};
use crate::domain::throttle::{self, Verdict};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{Lang, Msg};
use crate::ids::PersonId;
use crate::model::{NewPerson, Organisation, Person};
use crate::ssr::RequestContext;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;
use std::time::Duration;

/// Hashes a password with Argon2id (the crate's recommended parameters) and a random salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| AppError::Internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| AppError::Internal)
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so that a wrong email takes as long as a
/// wrong password and timing does not reveal which accounts exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

/// Signs a person in. Unknown email and wrong password give the same error in the same time.
/// `client` is the network address the attempt came from.
pub async fn sign_in(cx: &RequestContext, form: &Form, client: &str) -> AppResult<PersonId> {
    let email = form.text("email").trim().to_lowercase();
    let password = form.text("password");
    if email.is_empty() || password.is_empty() {
        let mut errors = Vec::new();
        if email.is_empty() {
            errors.push(FieldError::new("email", Msg::ErrorRequired));
        }
        if password.is_empty() {
            errors.push(FieldError::new("password", Msg::ErrorRequired));
        }
        return Err(AppError::Invalid(errors));
    }
    let keys = [
        (format!("email:{email}"), throttle::PER_EMAIL),
        (format!("address:{client}"), throttle::PER_ADDRESS),
    ];
    let mut delay_secs = 0;
    let mut states = Vec::new();
    for (key, limits) in &keys {
        let state = cx.store.throttle(key).await?;
        match throttle::verdict(state, cx.now, *limits) {
            Verdict::Locked { minutes } => {
                return Err(AppError::TooMany(Msg::ErrorSignInLocked {
                    minutes: minutes.to_string(),
                }));
            }
            Verdict::Proceed { delay_secs: d } => delay_secs = delay_secs.max(d),
        }
        states.push(state);
    }
    if delay_secs > 0 {
        tokio::time::sleep(Duration::from_secs(delay_secs as u64)).await;
    }
    let credentials = cx.store.credentials(&email).await?;
    let hash = credentials
        .as_ref()
        .map(|(_, hash)| hash.as_str())
        .unwrap_or_else(|| decoy_hash());
    let password = password.to_string();
    let hash = hash.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|_| AppError::Internal)?;
    match credentials {
        Some((id, _)) if matches => {
            for (key, _) in &keys {
                cx.store.clear_throttle(key).await?;
            }
            Ok(id)
        }
        _ => {
            for ((key, limits), state) in keys.iter().zip(states) {
                cx.store
                    .set_throttle(key, throttle::after_failure(state, cx.now, *limits))
                    .await?;
            }
            Err(AppError::invalid("email", Msg::ErrorSignInFailed))
        }
    }
}

/// Creates an account and returns its id; the caller signs the new person in.
pub async fn sign_up(cx: &RequestContext, form: &Form) -> AppResult<PersonId> {
    let mut errors = Vec::new();
    let email = normalize_email(form.text("email"))
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = check_display_name(form.text("display_name"))
        .map_err(|e| errors.push(e))
        .ok();
    let password = form.text("password");
    if let Err(e) = check_password(password, "password") {
        errors.push(e);
    } else if form.text("password_confirm") != password {
        errors.push(FieldError::new(
            "password_confirm",
            Msg::ErrorPasswordMismatch,
        ));
    }
    let language = Lang::from_tag(form.text("language")).unwrap_or(cx.lang);
    collect(errors)?;
    let (Some(email), Some(display_name)) = (email, display_name) else {
        return Err(AppError::Internal);
    };
    let password_hash = hash(password).await?;
    cx.store
        .create_person(
            NewPerson {
                email,
                display_name,
                password_hash,
                language: language.code().to_string(),
                site_admin: false,
            },
            cx.now,
        )
        .await
}

async fn hash(password: &str) -> AppResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

/// What the account page shows.
#[derive(Clone, Debug)]
pub struct AccountPage {
    pub person: Person,
    pub organisations: Vec<Organisation>,
}

/// The signed-in person's account.
pub async fn page(cx: &RequestContext) -> AppResult<AccountPage> {
    let person = cx.viewer()?.clone();
    let organisations = cx.store.memberships(person.id).await?;
    Ok(AccountPage {
        person,
        organisations,
    })
}

/// Changes display name and preferred language.
pub async fn update_profile(cx: &RequestContext, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?;
    let display_name = check_display_name(form.text("display_name"))?;
    let language = form.choice("language", Lang::from_tag)?;
    cx.store
        .update_profile(person.id, &display_name, language.code())
        .await
}

/// Changes the password after checking the current one.
pub async fn change_password(cx: &RequestContext, form: &Form) -> AppResult<()> {
    let person = cx.viewer()?;
    let current = form.text("current_password");
    let new = form.text("new_password");
    check_password(new, "new_password")?;
    if form.text("new_password_confirm") != new {
        return Err(AppError::invalid(
            "new_password_confirm",
            Msg::ErrorPasswordMismatch,
        ));
    }
    let (_, stored) = cx
        .store
        .credentials(&person.email)
        .await?
        .ok_or(AppError::Internal)?;
    let (given, stored_hash) = (current.to_string(), stored);
    let matches = tokio::task::spawn_blocking(move || verify_password(&given, &stored_hash))
        .await
        .map_err(|_| AppError::Internal)?;
    if !matches {
        return Err(AppError::invalid(
            "current_password",
            Msg::ErrorCurrentPassword,
        ));
    }
    let new_hash = hash(new).await?;
    cx.store.set_password_hash(person.id, &new_hash).await
}
