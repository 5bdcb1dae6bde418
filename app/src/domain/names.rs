//! Names that read the same: the key under which two organisation names, or a display name and
//! an official's, count as one.
//!
//! A reader cannot tell "Ministry of Public Service" from "ministry of public  service", from
//! "Мinistry of Public Service" (a Cyrillic М) or from "Ministry of Public Service\u{200B}" (a
//! zero-width space). [`name_keys`] folds all of these: compatibility forms (full-width letters,
//! ligatures), invisible characters, case, spacing and punctuation, and the confusable characters
//! of Unicode Technical Standard #39 (its "skeleton"). Two names read the same when they share a
//! key; the store keeps both keys of every name, so a unique index can refuse a copy.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The keys of a name: two names a reader would take for one another share at least one.
///
/// Two keys, because case and confusables pull in different directions. The skeleton maps each
/// character to a prototype case by case: a Cyrillic "М" to a Latin "M", a Latin "m" to "rn",
/// but an upper-case "I" to "l" and a lower-case "i" to itself. Lowering first makes "MINISTRY"
/// and "Ministry" one, but turns the Cyrillic "М" into "м", whose prototype is another letter;
/// mapping first (twice, lowering between) makes "Мinistry" and "Ministry" one, but not "I" and
/// "i". Each key catches what the other misses.
pub fn name_keys(name: &str) -> [String; 2] {
    let visible: String = name.nfkc().filter(|c| !is_invisible(*c)).collect();
    let skeleton = |text: &str| -> String {
        unicode_security::skeleton(text)
            .flat_map(char::to_lowercase)
            .collect()
    };
    let lowered_first = skeleton(&visible.to_lowercase());
    let mapped_first = skeleton(&skeleton(&visible));
    [
        words(&lowered_first, &visible),
        words(&mapped_first, &visible),
    ]
}

/// The words of a key, joined by single spaces: spacing and punctuation do not count. A name of
/// symbols only (emoji, say) is compared as written.
fn words(key: &str, visible: &str) -> String {
    let words: Vec<&str> = key
        .split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c)))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        visible
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        words.join(" ")
    }
}

/// Whether two names read the same.
pub fn read_the_same(a: &str, b: &str) -> bool {
    let (a, b) = (name_keys(a), name_keys(b));
    a.iter().any(|key| b.contains(key))
}

/// Characters that show nothing (or only steer the text's direction), which would make two
/// names that look alike differ.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark
        | '\u{115F}' | '\u{1160}'   // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'   // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'   // Mongolian selectors and vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space, joiners, direction marks
        | '\u{202A}'..='\u{202E}'   // direction embeddings and overrides
        | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, direction isolates
        | '\u{3164}'                // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // zero-width no-break space
        | '\u{FFA0}'                // half-width Hangul filler
        | '\u{E0000}'..='\u{E0FFF}' // tags and variation selectors supplement
    ) || (c.is_control() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_read_the_same_share_a_key() {
        let ministry = "Ministry of Public Service and Digital Government";
        for alike in [
            "ministry of public service and digital government",
            "  Ministry   of Public Service and\tDigital Government ",
            "MINISTRY OF PUBLIC SERVICE AND DIGITAL GOVERNMENT",
            // Cyrillic М, і and о in place of the Latin letters.
            "\u{041C}in\u{0456}stry \u{043E}f Public Service and Digital Government",
            // A zero-width space and a soft hyphen inside words.
            "Mini\u{200B}stry of Pub\u{00AD}lic Service and Digital Government",
            // Full-width letters.
            "Ｍｉｎｉｓｔｒｙ of Public Service and Digital Government",
            // Punctuation a reader skims over.
            "Ministry of Public Service and Digital Government.",
            "Ministry of Public-Service and Digital Government",
            // rn for m.
            "Ministry of Public Service and Digital Governrnent",
        ] {
            assert!(read_the_same(alike, ministry), "{alike:?}");
        }
        assert!(!read_the_same("Ministry of Finance", ministry));
        // Capitals that only look Latin.
        assert!(read_the_same("МІNISTRY OF FINANCE", "MINISTRY OF FINANCE"));
        assert!(read_the_same("Кalden City Hall", "Kalden City Hall"));
    }

    #[test]
    fn scripts_other_than_latin_keep_their_words() {
        assert!(read_the_same(
            "公共服务与数字政府部",
            " 公共服务与数字政府部 "
        ));
        assert!(!read_the_same("公共服务与数字政府部", "财政部"));
        assert!(read_the_same("وزارة المالية", "وزارة\u{200F} المالية"));
        // Combining marks stay part of their word rather than splitting it.
        assert!(read_the_same("कमल", "कमल"));
        assert!(!read_the_same("कमल", "कमाल"));
        // Different people stay different.
        assert!(!read_the_same("Daniel Mensah", "Daniela Mensah"));
    }

    #[test]
    fn names_of_symbols_only_are_compared_as_written() {
        assert_eq!(name_keys("🌻 🌻")[0], "🌻 🌻");
        assert!(!read_the_same("🌻", "🌼"));
    }
}
