//! Mail about a person's account: the password reset link and the word that the password
//! changed; the link that confirms an address and the word to the old one that it is changing.

use super::{Letter, Mail, MailKind, language_of};
use crate::i18n::Msg;
use crate::model::Person;

/// How long a reset link works, in minutes.
pub const RESET_LINK_MINUTES: i64 = 60;
/// How long a link that confirms an address works, in days (mail is not always read at once).
pub const VERIFY_LINK_DAYS: i64 = 7;

/// The mail with a link to choose a new password; `site` is the site's public URL.
pub fn password_reset(person: &Person, site: &str, token: &str) -> Mail {
    let lang = language_of(person);
    Letter {
        subject: Msg::MailResetSubject.render(lang),
        paragraphs: vec![
            Msg::MailResetBody {
                email: person.email.clone(),
            }
            .render(lang),
        ],
        action: Some((
            Msg::MailResetAction.render(lang),
            format!("{site}/auth/reset/{token}"),
        )),
        after: vec![
            Msg::MailResetExpiry {
                minutes: RESET_LINK_MINUTES.to_string(),
            }
            .render(lang),
            Msg::MailResetNotYou.render(lang),
        ],
        ..Default::default()
    }
    .to(MailKind::PasswordReset, person, lang)
}

/// The mail that tells a person their password was changed with a reset link, so that a change
/// they did not make does not go unnoticed.
pub fn password_changed(person: &Person, site: &str) -> Mail {
    let lang = language_of(person);
    Letter {
        subject: Msg::MailChangedSubject.render(lang),
        paragraphs: vec![Msg::MailChangedBody.render(lang)],
        action: Some((
            Msg::MailChangedAction.render(lang),
            format!("{site}/auth/reset"),
        )),
        after: Vec::new(),
        ..Default::default()
    }
    .to(MailKind::PasswordChanged, person, lang)
}

/// The mail with a link that confirms `person.email` as their address (at sign-up, or the new
/// address of a change).
pub fn verify_address(person: &Person, site: &str, token: &str) -> Mail {
    let lang = language_of(person);
    Letter {
        subject: Msg::MailVerifySubject.render(lang),
        paragraphs: vec![
            Msg::MailVerifyBody {
                email: person.email.clone(),
            }
            .render(lang),
        ],
        action: Some((
            Msg::MailVerifyAction.render(lang),
            format!("{site}/auth/verify/{token}"),
        )),
        after: vec![
            Msg::MailVerifyExpiry {
                days: VERIFY_LINK_DAYS.to_string(),
            }
            .render(lang),
            Msg::MailVerifyNotYou.render(lang),
        ],
        ..Default::default()
    }
    .to(MailKind::EmailVerification, person, lang)
}

/// The word to a person's current address that the account is changing to `new_email`, so that
/// a change they did not ask for does not go unnoticed.
pub fn address_changing(person: &Person, new_email: &str, site: &str) -> Mail {
    let lang = language_of(person);
    Letter {
        subject: Msg::MailChangingSubject.render(lang),
        paragraphs: vec![
            Msg::MailChangingBody {
                old: person.email.clone(),
                new: new_email.to_string(),
            }
            .render(lang),
        ],
        action: Some((
            Msg::MailChangingAction.render(lang),
            format!("{site}/auth/reset"),
        )),
        after: Vec::new(),
        ..Default::default()
    }
    .to(MailKind::EmailChanging, person, lang)
}
