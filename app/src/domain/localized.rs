//! Content written in several languages (a process's title, its rules, an organisation's name).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One text in several languages, keyed by BCP 47 tag. Content languages are the process's own
/// choice and need not be languages the interface is translated into.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<String, String>);

/// A text chosen for a reader, with the language it is actually in (for the `lang` attribute).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    pub text: String,
    pub lang: String,
}

impl Localized {
    /// A text in one language.
    pub fn one(lang: &str, text: &str) -> Localized {
        Localized(BTreeMap::from([(lang.to_string(), text.to_string())]))
    }

    /// The text in `lang` if written, else in the first of `fallbacks` that is, else any.
    pub fn pick(&self, lang: &str, fallbacks: &[String]) -> Shown {
        let found = std::iter::once(lang)
            .chain(fallbacks.iter().map(String::as_str))
            .find_map(|l| self.get(l).map(|t| (l, t)))
            .or_else(|| {
                self.0
                    .iter()
                    .find(|(_, t)| !t.trim().is_empty())
                    .map(|(l, t)| (l.as_str(), t.as_str()))
            });
        match found {
            Some((lang, text)) => Shown {
                text: text.to_string(),
                lang: lang.to_string(),
            },
            None => Shown {
                text: String::new(),
                lang: lang.to_string(),
            },
        }
    }

    /// The non-empty text in exactly this language.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.0
            .get(lang)
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }

    /// Whether no language has any text.
    pub fn is_blank(&self) -> bool {
        self.0.values().all(|t| t.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_reader_language_then_the_fallbacks() {
        let mut text = Localized::one("en", "Charter");
        text.0.insert("zh-Hans".into(), "宪章".into());
        text.0.insert("fr".into(), "  ".into());
        let fallbacks = vec!["en".to_string()];
        assert_eq!(text.pick("zh-Hans", &fallbacks).text, "宪章");
        assert_eq!(
            text.pick("fr", &fallbacks),
            Shown {
                text: "Charter".into(),
                lang: "en".into()
            }
        );
        assert_eq!(
            Localized::one("sw", "Mkataba").pick("en", &fallbacks).lang,
            "sw"
        );
        assert!(Localized::one("en", " ").is_blank());
    }
}
