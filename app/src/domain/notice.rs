//! Notices: what Baraza tells a person about the things they follow, how each kind reaches them
//! (at once by mail, in a daily or weekly digest, or on the site only), and the words of each.
//!
//! A notice is stored as its facts ([`Notice`], as JSON) and worded when it is read, so that the
//! notification centre, the mail sent at once and the digest say the same thing, each in the
//! reader's language at the time.

use crate::i18n::{Lang, Msg};
use crate::model::Millis;
use serde::{Deserialize, Serialize};

/// The longest excerpt of a comment a notice quotes, in characters.
pub const EXCERPT_CHARS: usize = 280;

coded! {
    /// What a notice is about; each person chooses per kind how it reaches them.
    NoticeKind {
        /// Someone replied in a thread I follow (my own threads and those I replied in, at least).
        Reply = "reply" => NoticeKindReply,
        /// The council answered a thread I follow in a published decision.
        Answered = "answered" => NoticeKindAnswered,
        /// A moderator decided on my comment.
        Moderated = "moderated" => NoticeKindModerated,
        /// A process I follow changed phase.
        Phase = "phase" => NoticeKindPhase,
        /// A decision was published in a process I follow.
        Decision = "decision" => NoticeKindDecision,
        /// A sitting was scheduled in a process I follow.
        Sitting = "sitting" => NoticeKindSitting,
        /// A new comment on a draft I follow (co-drafters follow their drafts).
        Comment = "comment" => NoticeKindComment,
        /// For council members: a published decision's review date passed with no update.
        Review = "review" => NoticeKindReview,
        /// For moderators and mediators: comments waited for moderation too long.
        Queue = "queue" => NoticeKindQueue,
    }
}

coded! {
    /// How notices of one kind reach a person.
    Delivery {
        Immediate = "immediate" => DeliveryImmediate,
        Daily = "daily" => DeliveryDaily,
        Weekly = "weekly" => DeliveryWeekly,
        Site = "site" => DeliverySite,
    }
}

coded! {
    /// What may be followed.
    FollowSubject {
        Process = "process" => FollowSubjectProcess,
        Draft = "draft" => FollowSubjectDraft,
        Thread = "thread" => FollowSubjectThread,
    }
}

impl NoticeKind {
    /// How a kind reaches a person who has not chosen: what is addressed to them personally
    /// comes at once, news of what they follow in a daily digest, so that following a busy
    /// process does not fill a mailbox.
    pub fn default_delivery(self) -> Delivery {
        match self {
            NoticeKind::Reply
            | NoticeKind::Answered
            | NoticeKind::Moderated
            | NoticeKind::Review
            | NoticeKind::Queue => Delivery::Immediate,
            NoticeKind::Phase
            | NoticeKind::Decision
            | NoticeKind::Sitting
            | NoticeKind::Comment => Delivery::Daily,
        }
    }

    /// What the preferences page says the kind is.
    pub fn explanation(self) -> Msg {
        match self {
            NoticeKind::Reply => Msg::NotifyAboutReply,
            NoticeKind::Answered => Msg::NotifyAboutAnswered,
            NoticeKind::Moderated => Msg::NotifyAboutModerated,
            NoticeKind::Phase => Msg::NotifyAboutPhase,
            NoticeKind::Decision => Msg::NotifyAboutDecision,
            NoticeKind::Sitting => Msg::NotifyAboutSitting,
            NoticeKind::Comment => Msg::NotifyAboutComment,
            NoticeKind::Review => Msg::NotifyAboutReview,
            NoticeKind::Queue => Msg::NotifyAboutQueue,
        }
    }
}

impl Delivery {
    /// The digest period this delivery waits for, if it is one.
    pub fn period(self) -> Option<Period> {
        match self {
            Delivery::Daily => Some(Period::Daily),
            Delivery::Weekly => Some(Period::Weekly),
            Delivery::Immediate | Delivery::Site => None,
        }
    }
}

/// A digest's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Daily,
    Weekly,
}

impl Period {
    /// The stored code (the same as its delivery's).
    pub fn code(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
        }
    }

    /// Parses [`Self::code`].
    pub fn from_code(code: &str) -> Option<Period> {
        [Period::Daily, Period::Weekly]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// The facts of a notice: enough to word it, and to act on it without opening the site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    Reply {
        draft_title: String,
        by: String,
        excerpt: String,
    },
    Answered {
        draft_title: String,
        /// A [`crate::domain::decision::Disposition`] code.
        disposition: String,
        reason: String,
        change: Option<String>,
    },
    Moderated {
        draft_title: String,
        /// A [`crate::domain::comments::ModerationAction`] code.
        action: String,
        /// A [`crate::domain::comments::Reason`] code.
        reason: String,
        note: String,
        excerpt: String,
        /// Whether the author may appeal (a hidden comment).
        appealable: bool,
    },
    Phase {
        /// A [`crate::domain::roles::Phase`] code.
        phase: String,
    },
    Decision {
        draft_title: String,
    },
    Sitting {
        title: String,
        starts_at: Millis,
        place: String,
    },
    Comment {
        draft_title: String,
        by: String,
        excerpt: String,
    },
    Review {
        draft_title: String,
        /// The day the council promised to review the decision (`2026-12-01`).
        review_on: String,
    },
    Queue {
        /// How many comments wait.
        waiting: i64,
        /// Since when the oldest waits.
        since: Millis,
    },
}

impl Notice {
    /// Its kind.
    pub fn kind(&self) -> NoticeKind {
        match self {
            Notice::Reply { .. } => NoticeKind::Reply,
            Notice::Answered { .. } => NoticeKind::Answered,
            Notice::Moderated { .. } => NoticeKind::Moderated,
            Notice::Phase { .. } => NoticeKind::Phase,
            Notice::Decision { .. } => NoticeKind::Decision,
            Notice::Sitting { .. } => NoticeKind::Sitting,
            Notice::Comment { .. } => NoticeKind::Comment,
            Notice::Review { .. } => NoticeKind::Review,
            Notice::Queue { .. } => NoticeKind::Queue,
        }
    }

    /// Leaves out the words of the comment it quotes (no longer shown to everyone).
    pub fn withhold_excerpt(&mut self) {
        if let Notice::Reply { excerpt, .. }
        | Notice::Comment { excerpt, .. }
        | Notice::Moderated { excerpt, .. } = self
        {
            excerpt.clear();
        }
    }

    /// Its one line, in `lang`; `process` is the process's title in that language.
    pub fn headline(&self, process: &str, lang: Lang) -> String {
        let process = process.to_string();
        match self {
            Notice::Reply {
                draft_title, by, ..
            } => Msg::NotifyReplyHeadline {
                by: by.clone(),
                draft: draft_title.clone(),
            },
            Notice::Answered {
                draft_title,
                disposition,
                ..
            } => Msg::NotifyAnsweredHeadline {
                draft: draft_title.clone(),
                disposition: coded_label::<crate::domain::decision::Disposition>(disposition, lang),
            },
            Notice::Moderated { action, .. } => Msg::NotifyModeratedHeadline {
                action: coded_label::<crate::domain::comments::ModerationAction>(action, lang),
            },
            Notice::Phase { phase } => Msg::NotifyPhaseHeadline {
                process,
                phase: coded_label::<crate::domain::roles::Phase>(phase, lang),
            },
            Notice::Decision { draft_title } => Msg::NotifyDecisionHeadline {
                draft: draft_title.clone(),
            },
            Notice::Sitting { title, .. } => Msg::NotifySittingHeadline {
                process,
                title: title.clone(),
            },
            Notice::Comment {
                draft_title, by, ..
            } => Msg::NotifyCommentHeadline {
                by: by.clone(),
                draft: draft_title.clone(),
            },
            Notice::Review { draft_title, .. } => Msg::NotifyReviewHeadline {
                draft: draft_title.clone(),
            },
            Notice::Queue { .. } => Msg::NotifyQueueHeadline { process },
        }
        .render(lang)
    }

    /// What follows the headline, a paragraph each, in `lang`; `when` words a time (in the
    /// reader's time zone).
    pub fn details(&self, lang: Lang, when: &dyn Fn(Millis) -> String) -> Vec<String> {
        match self {
            Notice::Reply { excerpt, .. } | Notice::Comment { excerpt, .. } => {
                vec![quoted(excerpt, lang)]
            }
            Notice::Answered { reason, change, .. } => {
                let mut lines = vec![
                    Msg::NotifyAnsweredReason {
                        reason: reason.clone(),
                    }
                    .render(lang),
                ];
                if let Some(change) = change.as_ref().filter(|c| !c.is_empty()) {
                    lines.push(
                        Msg::NotifyAnsweredChange {
                            change: change.clone(),
                        }
                        .render(lang),
                    );
                }
                lines
            }
            Notice::Moderated {
                reason,
                note,
                excerpt,
                appealable,
                draft_title,
                ..
            } => {
                let mut lines = vec![
                    Msg::NotifyModeratedOn {
                        draft: draft_title.clone(),
                    }
                    .render(lang),
                    quoted(excerpt, lang),
                    Msg::NotifyModeratedReason {
                        reason: coded_label::<crate::domain::comments::Reason>(reason, lang),
                    }
                    .render(lang),
                ];
                if !note.is_empty() {
                    lines.push(note.clone());
                }
                if *appealable {
                    lines.push(Msg::NotifyModeratedAppeal.render(lang));
                }
                lines
            }
            Notice::Phase { phase } => crate::domain::roles::Phase::from_code(phase)
                .map(|p| vec![p.explanation().render(lang)])
                .unwrap_or_default(),
            Notice::Decision { .. } => vec![Msg::NotifyDecisionBody.render(lang)],
            Notice::Sitting {
                starts_at, place, ..
            } => vec![
                Msg::NotifySittingWhen {
                    when: when(*starts_at),
                }
                .render(lang),
                Msg::NotifySittingWhere {
                    place: place.clone(),
                }
                .render(lang),
            ],
            Notice::Review { review_on, .. } => vec![
                Msg::NotifyReviewBody {
                    day: review_on.clone(),
                }
                .render(lang),
            ],
            Notice::Queue { waiting, since } => vec![
                Msg::NotifyQueueBody {
                    count: waiting.to_string(),
                    since: when(*since),
                }
                .render(lang),
            ],
        }
    }
}

/// `excerpt` in the quotation marks of `lang`, or word that it is withheld.
fn quoted(excerpt: &str, lang: Lang) -> String {
    if excerpt.is_empty() {
        return Msg::NotifyWithheld.render(lang);
    }
    Msg::NotifyQuoted {
        text: excerpt.to_string(),
    }
    .render(lang)
}

/// A value of a closed set of codes, by its label; a code this version does not know (written by
/// a newer one) is shown as it is rather than losing the notice.
trait Coded: Sized {
    fn from_code(code: &str) -> Option<Self>;
    fn label(self) -> Msg;
}

macro_rules! coded_impl {
    ($($t:ty),+) => {$(
        impl Coded for $t {
            fn from_code(code: &str) -> Option<Self> { <$t>::from_code(code) }
            fn label(self) -> Msg { <$t>::label(self) }
        }
    )+};
}

coded_impl!(
    crate::domain::decision::Disposition,
    crate::domain::comments::ModerationAction,
    crate::domain::comments::Reason,
    crate::domain::roles::Phase
);

fn coded_label<T: Coded>(code: &str, lang: Lang) -> String {
    T::from_code(code)
        .map(|v| v.label().render(lang))
        .unwrap_or_else(|| code.to_string())
}

/// The start of a comment (Markdown) for a notice: its plain words up to [`EXCERPT_CHARS`],
/// cut at a word, on one line.
#[cfg(feature = "ssr")]
pub fn excerpt(body: &str) -> String {
    let plain = super::markdown::plain_text(body);
    let flat = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= EXCERPT_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(EXCERPT_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > EXCERPT_CHARS / 2 => &cut[..at],
        _ => &cut,
    };
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_round_trip_as_json_with_their_kind() {
        let notice = Notice::Answered {
            draft_title: "Strategy".into(),
            disposition: "partly_accepted".into(),
            reason: "We agree in part.".into(),
            change: Some("rural clinics".into()),
        };
        let json = serde_json::to_string(&notice).unwrap();
        assert!(json.contains("\"kind\":\"answered\""));
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), notice);
        assert_eq!(notice.kind(), NoticeKind::Answered);
    }

    #[test]
    fn notices_are_worded_in_the_readers_language_and_unknown_codes_survive() {
        let notice = Notice::Answered {
            draft_title: "Strategy".into(),
            disposition: "partly_accepted".into(),
            reason: "Because.".into(),
            change: None,
        };
        let en = notice.headline("P", Lang::En);
        let zh = notice.headline("P", Lang::ZhHans);
        assert!(en.contains("Strategy") && zh.contains("Strategy"));
        assert_ne!(en, zh);
        let newer = Notice::Phase {
            phase: "from_the_future".into(),
        };
        assert!(newer.headline("P", Lang::En).contains("from_the_future"));
        assert!(newer.details(Lang::En, &|_| String::new()).is_empty());
    }

    #[test]
    fn personal_notices_come_at_once_and_news_in_a_daily_digest() {
        assert_eq!(NoticeKind::Answered.default_delivery(), Delivery::Immediate);
        assert_eq!(NoticeKind::Phase.default_delivery(), Delivery::Daily);
        assert_eq!(Delivery::Weekly.period(), Some(Period::Weekly));
        assert_eq!(Delivery::Site.period(), None);
        assert_eq!(Period::from_code("daily"), Some(Period::Daily));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn excerpts_are_one_line_and_cut_at_a_word() {
        assert_eq!(excerpt("a\n\nb  c"), "a b c");
        assert_eq!(
            excerpt("How was **0.5 per cent** chosen?\n\n> quoted"),
            "How was 0.5 per cent chosen? quoted"
        );
        assert_eq!(excerpt("the **shifts**, which"), "the shifts, which");
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word…"));
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
        let chinese = "字".repeat(400);
        assert_eq!(excerpt(&chinese).chars().count(), EXCERPT_CHARS + 1);
    }
}
