//! What any text a person sends may hold. A NUL byte cannot be stored by PostgreSQL and ends C
//! strings elsewhere; other control characters (except tab and line breaks) are invisible tricks.
//! Every text field, every websocket command and every draft update is checked with this one rule,
//! so that both databases store exactly the same texts.

/// Whether `c` may appear in a stored text.
pub fn is_storable(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}')
}

/// Whether the whole text may be stored.
pub fn is_storable_text(text: &str) -> bool {
    text.chars().all(is_storable)
}

/// The text without the characters that cannot be stored: what a refused form shows again, so
/// that the person loses nothing but the characters that could not be kept.
pub fn storable_part(text: &str) -> String {
    text.chars().filter(|c| is_storable(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_control_characters_are_refused_line_breaks_are_not() {
        assert!(is_storable_text("Two lines\nand a\ttab\r\n, 中文, عربي"));
        for bad in ["a\u{0}b", "\u{1B}[31m", "bell\u{7}", "\u{7F}"] {
            assert!(!is_storable_text(bad), "{bad:?}");
        }
        assert_eq!(storable_part("a\u{0}b\u{1B}c\n"), "abc\n");
    }
}
