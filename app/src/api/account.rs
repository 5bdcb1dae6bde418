//! Accounts: sign-up, sign-in (with a throttle), profile and password.

use super::form::{Form, collect};
use crate::domain::account::{check_display_name, check_password, normalize_email};
use crate::domain::throttle::{self, Verdict};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{Lang, Msg};
use crate::ids::PersonId;
use crate::model::{Membership, NewPerson, OwnComment, Person};
use crate::ssr::RequestContext;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

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

/// Password hashing is costly by design (about 19 MiB and tens of milliseconds each), so only
/// this many run at once; a flood of sign-ins waits its turn instead of exhausting the machine.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
    )
});

/// How long a sign-in waits for a turn to hash before being told the service is busy.
const HASHING_PATIENCE: Duration = Duration::from_secs(10);

/// Runs password hashing work on the blocking pool, at most [`HASHING`] at a time.
pub(super) async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let _turn = tokio::time::timeout(HASHING_PATIENCE, HASHING.acquire())
        .await
        .map_err(|_| AppError::TooMany(Msg::ErrorBusy))?
        .map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::Internal)
}

/// Counts an attempt against a throttle key; refuses it when the key is locked, else says how
/// many seconds to wait before answering.
pub(super) async fn count_attempt(
    cx: &RequestContext,
    key: &str,
    limits: throttle::Limits,
    locked: fn(String) -> Msg,
) -> AppResult<i64> {
    let counted = cx.store.throttle_count(key, cx.now).await?;
    let (verdict, new_state) = throttle::decide(counted, cx.now, limits);
    if let Some(state) = new_state {
        cx.store.set_throttle(key, state).await?;
    }
    match verdict {
        Verdict::Locked { minutes } => Err(AppError::TooMany(locked(minutes.to_string()))),
        Verdict::Proceed { delay_secs } => Ok(delay_secs),
    }
}

/// A successful sign-in: who, and the device cookie's new value (this browser is recognised for
/// them from now on, as well as for whoever it already was).
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub person: PersonId,
    pub device_cookie: String,
}

/// The tokens a device cookie holds (each 64 hex digits), at most [`throttle::DEVICES_PER_COOKIE`].
fn device_tokens(cookie: Option<&str>) -> Vec<String> {
    cookie
        .unwrap_or("")
        .split('.')
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .take(throttle::DEVICES_PER_COOKIE)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// What the store keeps of a device token.
pub fn device_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::domain::hex::encode(&Sha256::digest(token.as_bytes()))
}

/// The token in the device cookie that the store recognises for `person`, if any.
pub async fn recognised_device(
    cx: &RequestContext,
    cookie: Option<&str>,
    person: PersonId,
) -> AppResult<Option<String>> {
    for token in device_tokens(cookie) {
        if cx
            .store
            .trusted_device(&device_hash(&token), cx.now)
            .await?
            == Some(person)
        {
            return Ok(Some(token));
        }
    }
    Ok(None)
}

/// Signs a person in. Unknown email and wrong password give the same error in the same time.
/// `client` is the network address the attempt came from (see `server/src/forms.rs`) and
/// `device_cookie` the browser's [`throttle::DEVICE_COOKIE`]: a browser the person signed in on
/// before has a throttle of its own, so that guessing elsewhere never locks them out.
pub async fn sign_in(
    cx: &RequestContext,
    form: &Form,
    client: &str,
    device_cookie: Option<&str>,
) -> AppResult<SignedIn> {
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
    if email.len() > 254 {
        // No account can have it; do not let it fill the throttle table either.
        return Err(AppError::invalid("email", Msg::ErrorSignInFailed));
    }
    let credentials = cx.store.credentials(&email).await?;
    let device = match &credentials {
        Some((id, _)) => recognised_device(cx, device_cookie, *id).await?,
        None => None,
    };
    // A recognised browser answers for itself; every other browser shares the account's count.
    let (account_key, account_limits, account_locked): (String, _, fn(String) -> Msg) =
        match &device {
            Some(token) => (
                format!("device:{}", device_hash(token)),
                throttle::PER_DEVICE,
                |minutes| Msg::ErrorSignInLocked { minutes },
            ),
            None => (format!("email:{email}"), throttle::PER_EMAIL, |minutes| {
                Msg::ErrorSignInLockedHere { minutes }
            }),
        };
    let address_key = format!("address:{client}");
    let delay = count_attempt(cx, &account_key, account_limits, account_locked)
        .await?
        .max(
            count_attempt(cx, &address_key, throttle::PER_ADDRESS, |minutes| {
                Msg::ErrorSignInLocked { minutes }
            })
            .await?,
        );
    if delay > 0 {
        tokio::time::sleep(Duration::from_secs(delay as u64)).await;
    }
    let hash = credentials
        .as_ref()
        .map(|(_, hash)| hash.clone())
        .unwrap_or_else(|| decoy_hash().to_string());
    let password = password.to_string();
    let matches = hashing(move || verify_password(&password, &hash)).await?;
    match credentials {
        Some((id, _)) if matches => {
            cx.store.clear_throttle(&account_key).await?;
            cx.store.throttle_uncount(&address_key).await?;
            let token =
                device.unwrap_or_else(|| crate::domain::hex::encode(&rand::random::<[u8; 32]>()));
            cx.store
                .trust_device(&device_hash(&token), id, cx.now)
                .await?;
            let mut tokens = vec![token.clone()];
            tokens.extend(
                device_tokens(device_cookie)
                    .into_iter()
                    .filter(|t| *t != token),
            );
            tokens.truncate(throttle::DEVICES_PER_COOKIE);
            Ok(SignedIn {
                person: id,
                device_cookie: tokens.join("."),
            })
        }
        _ => Err(AppError::invalid("email", Msg::ErrorSignInFailed)),
    }
}

/// Creates an account and returns its id; the caller signs the new person in. `client` is the
/// network address, whose sign-ups are throttled.
pub async fn sign_up(cx: &RequestContext, form: &Form, client: &str) -> AppResult<PersonId> {
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
    count_attempt(
        cx,
        &format!("signup:{client}"),
        throttle::SIGN_UPS_PER_ADDRESS,
        |minutes| Msg::ErrorSignUpLocked { minutes },
    )
    .await?;
    let password_hash = hash(password).await?;
    // The address is confirmed with a link; the account exists at once, and posts once confirmed.
    let link = super::email_verification::NewLink::new(cx);
    let compose = link.composer(&cx.site_url);
    let check = link.check(&compose);
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
            Some(&check),
        )
        .await
}

pub(super) async fn hash(password: &str) -> AppResult<String> {
    let password = password.to_string();
    hashing(move || hash_password(&password)).await?
}

/// What the account page shows.
#[derive(Clone, Debug)]
pub struct AccountPage {
    pub person: Person,
    pub organisations: Vec<Membership>,
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

/// The signed-in person's own comments across every process, newest first, each with the answer
/// a published decision gave its thread. Only their own: the person is the one signed in.
pub async fn own_comments(cx: &RequestContext) -> AppResult<Vec<OwnComment>> {
    let person = cx.viewer()?.id;
    cx.store.own_comments(person, None).await
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

/// The new password of a form's `new_password`, checked and repeated the same in
/// `new_password_confirm` (the account page's form and the reset link's).
pub(super) fn new_password(form: &Form) -> AppResult<&str> {
    let new = form.text("new_password");
    check_password(new, "new_password")?;
    if form.text("new_password_confirm") != new {
        return Err(AppError::invalid(
            "new_password_confirm",
            Msg::ErrorPasswordMismatch,
        ));
    }
    Ok(new)
}

/// Changes the password after checking the current one. Every browser but this one stops being
/// recognised (`device_cookie` is this browser's), like every other session ends.
pub async fn change_password(
    cx: &RequestContext,
    form: &Form,
    device_cookie: Option<&str>,
) -> AppResult<()> {
    let person = cx.viewer()?;
    let current = form.text("current_password");
    let new = new_password(form)?;
    let (_, stored) = cx
        .store
        .credentials(&person.email)
        .await?
        .ok_or(AppError::Internal)?;
    let (given, stored_hash) = (current.to_string(), stored);
    let matches = hashing(move || verify_password(&given, &stored_hash)).await?;
    if !matches {
        return Err(AppError::invalid(
            "current_password",
            Msg::ErrorCurrentPassword,
        ));
    }
    let new_hash = hash(new).await?;
    cx.store.set_password_hash(person.id, &new_hash).await?;
    let this_browser = recognised_device(cx, device_cookie, person.id)
        .await?
        .map(|token| device_hash(&token));
    cx.store
        .forget_devices(person.id, this_browser.as_deref())
        .await
}
