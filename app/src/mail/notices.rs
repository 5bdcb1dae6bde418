//! Mail of notices: one notice sent at once, and the daily or weekly digest that gathers the
//! rest, grouped by process. Both say what the notification centre says ([`Notice`]'s words)
//! and end with the links to choose how notices come and to stop this list with one click.

use super::{Letter, LetterItem, Mail, MailKind, language_of};
use crate::domain::localized::Localized;
use crate::domain::notice::{Notice, Period};
use crate::domain::zone;
use crate::i18n::{Lang, Msg};
use crate::model::Person;

/// Where a notice's mail leads: the site, the person's time zone, their unsubscribe link.
pub struct Addressed<'a> {
    pub person: &'a Person,
    pub time_zone: &'a str,
    /// The site's public URL, without a trailing `/`.
    pub site: &'a str,
    /// The one-click unsubscribe URL of the list this mail belongs to.
    pub unsubscribe: String,
}

/// One notice, for a mail: its facts, its process's title and the path of its page.
pub struct Item<'a> {
    pub notice: &'a Notice,
    pub process_title: Option<&'a Localized>,
    pub link: &'a str,
}

impl Item<'_> {
    fn process(&self, lang: Lang) -> String {
        self.process_title
            .map(|t| t.pick(lang.code(), &[]).text)
            .unwrap_or_default()
    }

    fn letter_item(&self, to: &Addressed, lang: Lang) -> LetterItem {
        let when = |at| zone::local_time(at, to.time_zone);
        LetterItem {
            headline: self.notice.headline(&self.process(lang), lang),
            details: self.notice.details(lang, &when),
            url: format!("{}{}", to.site, self.link),
        }
    }
}

/// The footer every notice mail carries: why it came, where to choose, how to stop it.
fn footer(to: &Addressed, lang: Lang) -> Vec<(String, String)> {
    vec![
        (
            Msg::MailNoticePreferences.render(lang),
            format!("{}/notifications/preferences", to.site),
        ),
        (Msg::MailNoticeStop.render(lang), to.unsubscribe.clone()),
    ]
}

/// The mail of one notice, sent at once.
pub fn notice(to: &Addressed, item: &Item) -> Mail {
    let lang = language_of(to.person);
    let shown = item.letter_item(to, lang);
    let mut paragraphs = shown.details;
    let process = item.process(lang);
    if !process.is_empty() {
        paragraphs.insert(0, Msg::MailNoticeProcess { process }.render(lang));
    }
    let mut mail = Letter {
        subject: shown.headline,
        paragraphs,
        action: Some((Msg::MailNoticeAction.render(lang), shown.url)),
        after: vec![Msg::MailNoticeWhy.render(lang)],
        groups: Vec::new(),
        footer: footer(to, lang),
    }
    .to(MailKind::Notice, to.person, lang);
    mail.unsubscribe = Some(to.unsubscribe.clone());
    mail
}

/// The digest of `items` for the `period` that ended, grouped by process in the order given.
pub fn digest(to: &Addressed, period: Period, items: &[Item]) -> Mail {
    let lang = language_of(to.person);
    let count = items.len().to_string();
    let (subject, intro) = match period {
        Period::Daily => (
            Msg::MailDigestDailySubject { count },
            Msg::MailDigestDailyIntro,
        ),
        Period::Weekly => (
            Msg::MailDigestWeeklySubject { count },
            Msg::MailDigestWeeklyIntro,
        ),
    };
    let mut groups: Vec<(String, Vec<LetterItem>)> = Vec::new();
    for item in items {
        let heading = match item.process(lang) {
            process if process.is_empty() => Msg::MailDigestElsewhere.render(lang),
            process => process,
        };
        let shown = item.letter_item(to, lang);
        match groups.iter_mut().find(|(h, _)| *h == heading) {
            Some((_, list)) => list.push(shown),
            None => groups.push((heading, vec![shown])),
        }
    }
    let mut mail = Letter {
        subject: subject.render(lang),
        paragraphs: vec![intro.render(lang)],
        action: Some((
            Msg::MailDigestAction.render(lang),
            format!("{}/notifications", to.site),
        )),
        after: vec![Msg::MailNoticeWhy.render(lang)],
        groups,
        footer: footer(to, lang),
    }
    .to(MailKind::Digest, to.person, lang);
    mail.unsubscribe = Some(to.unsubscribe.clone());
    mail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;

    fn person(language: &str) -> Person {
        Person {
            id: PersonId(3),
            email: "wanjiru@example.org".into(),
            display_name: "Wanjiru".into(),
            language: language.into(),
            site_admin: false,
            created_at: 0,
            email_verified: true,
        }
    }

    fn answered() -> Notice {
        Notice::Answered {
            draft_title: "Health strategy".into(),
            disposition: "accepted".into(),
            reason: "Clinics will open on Saturdays.".into(),
            change: Some("open six days a week".into()),
        }
    }

    #[test]
    fn a_notice_mail_says_everything_and_links_to_its_page_and_to_stop() {
        let person = person("en");
        let to = Addressed {
            person: &person,
            time_zone: "UTC",
            site: "https://baraza.example",
            unsubscribe: "https://baraza.example/unsubscribe/abc".into(),
        };
        let title = Localized::one("en", "National strategy");
        let notice = answered();
        let mail = super::notice(
            &to,
            &Item {
                notice: &notice,
                process_title: Some(&title),
                link: "/processes/1/drafts/2/threads/3",
            },
        );
        assert!(mail.subject.contains("Health strategy"));
        for needed in [
            "National strategy",
            "Clinics will open on Saturdays.",
            "open six days a week",
            "https://baraza.example/processes/1/drafts/2/threads/3",
            "https://baraza.example/notifications/preferences",
            "https://baraza.example/unsubscribe/abc",
        ] {
            assert!(mail.text.contains(needed), "{needed} in {}", mail.text);
        }
        assert_eq!(
            mail.unsubscribe.as_deref(),
            Some("https://baraza.example/unsubscribe/abc")
        );
        assert_eq!(mail.kind, MailKind::Notice);
    }

    #[test]
    fn a_digest_groups_by_process_in_the_readers_language() {
        let person = person("zh-Hans");
        let to = Addressed {
            person: &person,
            time_zone: "Asia/Shanghai",
            site: "https://b.example",
            unsubscribe: "https://b.example/unsubscribe/x".into(),
        };
        let one = Localized(
            [
                ("en".to_string(), "Strategy".to_string()),
                ("zh-Hans".to_string(), "战略".to_string()),
            ]
            .into(),
        );
        let two = Localized::one("en", "Budget");
        let phase = Notice::Phase {
            phase: "public_comment".into(),
        };
        let answered = answered();
        let items = [
            Item {
                notice: &phase,
                process_title: Some(&one),
                link: "/processes/1",
            },
            Item {
                notice: &answered,
                process_title: Some(&two),
                link: "/processes/2",
            },
            Item {
                notice: &phase,
                process_title: Some(&one),
                link: "/processes/1",
            },
        ];
        let mail = digest(&to, Period::Weekly, &items);
        assert_eq!(mail.kind, MailKind::Digest);
        assert_eq!(mail.text.matches("== 战略 ==").count(), 1);
        assert_eq!(mail.text.matches("== Budget ==").count(), 1);
        assert!(mail.subject.contains('3'));
        assert!(mail.html.contains("<h2"));
        assert_eq!(mail.lang, Lang::ZhHans);
    }
}
