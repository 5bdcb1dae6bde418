//! Mail: what Baraza writes to people, composed in their language as plain text and as HTML.
//! Server only. A mail is put in the outbox by the store, in the transaction of the change that
//! causes it; `server/src/mail` delivers it.

pub mod account;
pub mod notices;

use crate::domain::xml::escape;
use crate::i18n::{Lang, Msg};
use crate::ids::PersonId;
use crate::model::Person;

/// What a mail is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// A link to choose a new password.
    PasswordReset,
    /// The password was changed with a reset link.
    PasswordChanged,
    /// A link to confirm an email address.
    EmailVerification,
    /// The word to the old address that the account's address is changing.
    EmailChanging,
    /// A notice, sent at once.
    Notice,
    /// A daily or weekly digest of notices.
    Digest,
}

impl MailKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            MailKind::PasswordReset => "password_reset",
            MailKind::PasswordChanged => "password_changed",
            MailKind::EmailVerification => "email_verification",
            MailKind::EmailChanging => "email_changing",
            MailKind::Notice => "notice",
            MailKind::Digest => "digest",
        }
    }

    /// Its name in the outbox (unknown codes, from a newer version, are shown as they are).
    pub fn label_of(code: &str) -> Option<Msg> {
        match code {
            "password_reset" => Some(Msg::MailKindPasswordReset),
            "password_changed" => Some(Msg::MailKindPasswordChanged),
            "email_verification" => Some(Msg::MailKindEmailVerification),
            "email_changing" => Some(Msg::MailKindEmailChanging),
            "notice" => Some(Msg::MailKindNotice),
            "digest" => Some(Msg::MailKindDigest),
            _ => None,
        }
    }
}

/// A mail, composed and ready for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub kind: MailKind,
    /// Whose account it is about, if any.
    pub person: Option<PersonId>,
    pub to_address: String,
    pub to_name: String,
    pub lang: Lang,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe address of the list the mail belongs to, if it is one.
    pub unsubscribe: Option<String>,
    /// An iCalendar file to attach (a sitting's invitation).
    pub calendar: Option<String>,
}

/// What writes a mail to a person, once the store has found them inside its transaction.
pub type Compose = dyn for<'p> Fn(&'p Person) -> Mail + Send + Sync;

/// The words of a mail, before they are laid out as plain text and as HTML: a greeting, the
/// paragraphs, at most one link to act on (written out in full in the text, so that a terminal
/// mail program shows it), and what is said after it.
#[derive(Clone, Debug, Default)]
pub struct Letter {
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// The label and absolute URL of the one thing to do.
    pub action: Option<(String, String)>,
    pub after: Vec<String>,
    /// Notices grouped under headings (a digest's processes), between the paragraphs and the action.
    pub groups: Vec<(String, Vec<LetterItem>)>,
    /// Links at the foot (preferences, unsubscribe): label and absolute URL.
    pub footer: Vec<(String, String)>,
}

/// One notice in a letter: its headline, linked; what it says; the absolute URL of its page.
#[derive(Clone, Debug, Default)]
pub struct LetterItem {
    pub headline: String,
    pub details: Vec<String>,
    pub url: String,
}

impl Letter {
    /// The mail of this letter to `person`, in `lang`.
    pub fn to(self, kind: MailKind, person: &Person, lang: Lang) -> Mail {
        let greeting = Msg::MailGreeting {
            name: person.display_name.clone(),
        }
        .render(lang);
        let signature = Msg::MailSignature.render(lang);
        let mut text = format!("{greeting}\n\n");
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5; max-width: 36em\">\n<p>{}</p>\n",
            lang.code(),
            escape(&self.subject),
            escape(&greeting)
        );
        for paragraph in &self.paragraphs {
            text.push_str(paragraph);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        for (heading, items) in &self.groups {
            text.push_str(&format!("== {heading} ==\n\n"));
            html.push_str(&format!(
                "<h2 style=\"font-size: 1.1em\">{}</h2>\n<ul>\n",
                escape(heading)
            ));
            for item in items {
                text.push_str(&format!("* {}\n", item.headline));
                html.push_str(&format!(
                    "<li><p><a href=\"{}\">{}</a></p>\n",
                    escape(&item.url),
                    escape(&item.headline)
                ));
                for detail in &item.details {
                    text.push_str(&format!("  {detail}\n"));
                    html.push_str(&format!("<p>{}</p>\n", escape(detail)));
                }
                text.push_str(&format!("  {}\n\n", item.url));
                html.push_str("</li>\n");
            }
            html.push_str("</ul>\n");
        }
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("{label}:\n{url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>\n",
                escape(url),
                escape(label)
            ));
        }
        for paragraph in &self.after {
            text.push_str(paragraph);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        text.push_str(&format!("-- \n{signature}\n"));
        for (label, url) in &self.footer {
            text.push_str(&format!("{label}: {url}\n"));
        }
        let footer: Vec<String> = self
            .footer
            .iter()
            .map(|(label, url)| format!("<a href=\"{}\">{}</a>", escape(url), escape(label)))
            .collect();
        html.push_str(&format!(
            "<p style=\"color: #555\">{}</p>\n",
            escape(&signature)
        ));
        if !footer.is_empty() {
            html.push_str(&format!(
                "<p style=\"color: #555; font-size: 0.9em\">{}</p>\n",
                footer.join(" · ")
            ));
        }
        html.push_str("</body></html>\n");
        Mail {
            kind,
            person: Some(person.id),
            to_address: person.email.clone(),
            to_name: person.display_name.clone(),
            lang,
            subject: self.subject,
            text,
            html,
            unsubscribe: None,
            calendar: None,
        }
    }
}

/// A mail's text as administrators may read it once it has left: the token of a reset link is a
/// password for an hour, and a confirmation link's proves an address, so both are left out
/// (`/auth/reset/…`). Mail kept on the machine because no SMTP server is configured is shown
/// whole: there, the outbox is how it reaches anyone.
pub fn without_secrets(text: &str) -> String {
    ["/auth/reset/", "/auth/verify/"]
        .into_iter()
        .fold(text.to_string(), |text, mark| {
            without_tokens_after(&text, mark)
        })
}

/// `text` with the hex token after each `mark` replaced by `…`.
fn without_tokens_after(text: &str, mark: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(mark) {
        let (before, after) = rest.split_at(at + mark.len());
        out.push_str(before);
        let token = after.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        if token > 0 {
            out.push('…');
        }
        rest = &after[token..];
    }
    out.push_str(rest);
    out
}

/// The language to write to a person in: the one they chose, else English.
pub fn language_of(person: &Person) -> Lang {
    Lang::from_tag(&person.language).unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Person {
        Person {
            id: PersonId(7),
            email: "amina@example.org".into(),
            display_name: "Amina <& Co>".into(),
            language: "zh-Hans".into(),
            site_admin: false,
            created_at: 0,
            email_verified: true,
        }
    }

    #[test]
    fn a_letter_is_laid_out_as_text_with_its_link_in_full_and_as_escaped_html() {
        let mail = Letter {
            subject: "Subject".into(),
            paragraphs: vec!["First <b>paragraph</b>.".into()],
            action: Some(("Open it".into(), "https://baraza.example/a?b=1&c=2".into())),
            after: vec!["Afterwards.".into()],
            ..Default::default()
        }
        .to(MailKind::PasswordReset, &person(), Lang::En);
        assert!(mail.text.starts_with("Hello Amina <& Co>,\n\n"));
        assert!(
            mail.text
                .contains("Open it:\nhttps://baraza.example/a?b=1&c=2\n")
        );
        assert!(
            mail.text.contains("\n-- \n"),
            "a signature separator mail programs know"
        );
        assert!(
            mail.html
                .contains("href=\"https://baraza.example/a?b=1&amp;c=2\"")
        );
        assert!(mail.html.contains("First &lt;b&gt;paragraph&lt;/b&gt;."));
        assert!(mail.html.contains("Amina &lt;&amp; Co&gt;"));
        assert!(mail.html.contains("<html lang=\"en\">"));
        assert_eq!(mail.to_address, "amina@example.org");
        assert_eq!(mail.person, Some(PersonId(7)));
    }

    #[test]
    fn reset_tokens_are_left_out_of_what_administrators_read() {
        let token = "0f".repeat(32);
        let text = format!("Here:\nhttps://b.example/auth/reset/{token}\n\nand /auth/reset alone.");
        assert_eq!(
            without_secrets(&text),
            "Here:\nhttps://b.example/auth/reset/…\n\nand /auth/reset alone."
        );
        assert_eq!(without_secrets("nothing secret"), "nothing secret");
        assert_eq!(
            without_secrets(&format!("/auth/verify/{token} /auth/reset/{token}")),
            "/auth/verify/… /auth/reset/…"
        );
    }

    #[test]
    fn people_are_written_to_in_their_language() {
        assert_eq!(language_of(&person()), Lang::ZhHans);
        let mut other = person();
        other.language = "xx".into();
        assert_eq!(language_of(&other), Lang::En);
    }
}
