//! An outbox row as an Internet message: plain text and HTML alternatives, the stored Message-ID
//! and the time it was written as its Date (so every attempt sends the same message), the
//! recipient's language, and `Auto-Submitted` so that vacation replies stay away.

use crate::store::outbox::Claimed;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use std::time::{Duration, SystemTime};

/// Why a row cannot become a message: a permanent failure, never retried.
#[derive(Debug, thiserror::Error)]
#[error("the mail cannot be written: {0}")]
pub struct Unwritable(String);

/// The message for a claimed mail, from `from`.
pub fn build(mail: &Claimed, from: &Mailbox) -> Result<Message, Unwritable> {
    let address = mail.to_address.parse().map_err(|e| {
        Unwritable(format!(
            "the address {} is not valid ({e})",
            mail.to_address
        ))
    })?;
    let to = Mailbox::new(Some(mail.to_name.clone()), address);
    let written = SystemTime::UNIX_EPOCH + Duration::from_millis(mail.created_at.max(0) as u64);
    let mut message = Message::builder()
        .message_id(Some(mail.message_id.clone()))
        .date(written)
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(body(mail)?)
        .map_err(|e| Unwritable(e.to_string()))?;
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Content-Language"),
        mail.language.clone(),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_string(),
    ));
    // One-click unsubscribe (RFC 8058): mail programs show a button that POSTs
    // `List-Unsubscribe=One-Click` to the address, with no page to find and no sign-in.
    if let Some(url) = &mail.unsubscribe_url {
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ));
    }
    Ok(message)
}

/// The text and HTML alternatives, and an attached iCalendar file (`invitation.ics`, which
/// calendar programs offer to add) when the mail carries one.
fn body(mail: &Claimed) -> Result<MultiPart, Unwritable> {
    let words = MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone());
    let Some(calendar) = &mail.calendar else {
        return Ok(words);
    };
    let kind = ContentType::parse("text/calendar; charset=utf-8")
        .map_err(|e| Unwritable(e.to_string()))?;
    Ok(MultiPart::mixed()
        .multipart(words)
        .singlepart(Attachment::new("invitation.ics".to_string()).body(calendar.clone(), kind)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed() -> Claimed {
        Claimed {
            id: 1,
            message_id: "<0123@baraza.example.org>".into(),
            to_address: "amina@example.org".into(),
            to_name: "Amina Wanjiru".into(),
            language: "zh-Hans".into(),
            subject: "设置您的 Baraza 新密码".into(),
            body_text: "您好\n".into(),
            body_html: "<p>您好</p>".into(),
            created_at: 1_700_000_000_000,
            attempts: 1,
            unsubscribe_url: None,
            calendar: None,
        }
    }

    #[test]
    fn every_attempt_sends_the_same_message() {
        let from: Mailbox = "Baraza <baraza@baraza.example.org>".parse().unwrap();
        let first = String::from_utf8(build(&claimed(), &from).unwrap().formatted()).unwrap();
        assert!(first.contains("Message-ID: <0123@baraza.example.org>"));
        assert!(first.contains("Date: Tue, 14 Nov 2023 22:13:20 +0000"));
        assert!(first.contains("Content-Language: zh-Hans"));
        assert!(first.contains("Auto-Submitted: auto-generated"));
        assert!(first.contains("multipart/alternative"));
        // The subject is encoded (RFC 2047), not sent as raw UTF-8.
        assert!(first.contains("Subject: =?utf-8?"));
        let second = String::from_utf8(build(&claimed(), &from).unwrap().formatted()).unwrap();
        let without_boundaries = |m: &str| {
            m.lines()
                .filter(|l| !l.contains("boundary") && !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(without_boundaries(&first), without_boundaries(&second));
    }

    #[test]
    fn an_address_that_is_not_one_is_a_permanent_failure() {
        let from: Mailbox = "baraza@baraza.example.org".parse().unwrap();
        let mut mail = claimed();
        mail.to_address = "no at sign".into();
        assert!(build(&mail, &from).is_err());
    }
}
