//! Drafts written before they had structure: plain text in which chapters were lines such as
//! "Chapter 1. Purpose" or "第一章 总则" and articles lines such as "1.1 This strategy…",
//! "5. Before a process opens…" or "第五条 …". [`structure`] says how to turn such a text into
//! the document model: which newline gets which block format, which typed numbers go (the
//! document numbers articles itself, so they follow when one is inserted or moved) and which
//! blank lines go (a line is a paragraph now). Nothing else is touched, so every comment's
//! passage keeps its characters.

use super::Format;

/// One change to the plain text, at UTF-16 offsets of the text as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Delete `len` units at `at`.
    Delete { at: u32, len: u32 },
    /// Give the newline at `at` a block format.
    Format { at: u32, format: Format },
    /// Append a newline at the end (to carry the last line's format).
    AppendNewline,
}

impl Edit {
    /// Where the edit applies; edits are applied from the last to the first, so each applies to
    /// the text as it was.
    pub fn at(&self) -> u32 {
        match self {
            Edit::Delete { at, .. } | Edit::Format { at, .. } => *at,
            Edit::AppendNewline => u32::MAX,
        }
    }
}

fn units(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

/// What a line of the old plain text was.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    Chapter,
    Section,
    /// An article; the typed number is this many UTF-16 units at the line's start.
    Article(u32),
    /// A bullet; so is its marker.
    Bullet(u32),
    Plain,
}

const CHINESE_DIGITS: &str = "〇零一二三四五六七八九十百千两0123456789";

/// The length of a Chinese ordinal such as "第十二" followed by `unit` (章, 节, 条), with the
/// spaces after it, if the line starts with one.
pub(super) fn chinese_ordinal(line: &str, units_after: &[char]) -> Option<usize> {
    let rest = line.strip_prefix('第')?;
    let digits: usize = rest
        .chars()
        .take_while(|c| CHINESE_DIGITS.contains(*c))
        .map(char::len_utf8)
        .sum();
    if digits == 0 {
        return None;
    }
    let after = &rest[digits..];
    let unit = after.chars().next().filter(|c| units_after.contains(c))?;
    let spaces: usize = after[unit.len_utf8()..]
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(char::len_utf8)
        .sum();
    Some('第'.len_utf8() + digits + unit.len_utf8() + spaces)
}

/// The length of a typed number such as "1.1 " or "5. " at the start of a line, and whether it
/// had two levels ("1.1").
fn typed_number(line: &str) -> Option<(usize, bool)> {
    let mut levels = 0;
    let mut at = 0;
    let bytes = line.as_bytes();
    loop {
        let digits = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 4 {
            break;
        }
        at += digits;
        levels += 1;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
        } else if levels == 1 {
            return None;
        } else {
            break;
        }
    }
    if levels == 0 {
        return None;
    }
    let spaces = line[at..]
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(char::len_utf8)
        .sum::<usize>();
    (spaces > 0).then_some((at + spaces, levels > 1))
}

/// Whether a line starts with a number of two levels ("1.1 "): then a text's "1." lines head
/// chapters rather than articles.
pub(super) fn has_two_level_number(line: &str) -> bool {
    typed_number(line.trim_start()).is_some_and(|(_, deep)| deep)
}

/// What a line (without its leading spaces) is.
pub(super) fn classify(line: &str, two_levels: bool) -> Line {
    let words: Vec<&str> = line.split_whitespace().take(2).collect();
    let first = words.first().copied().unwrap_or("");
    let numbered_word = words.len() == 2
        && words[1]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if matches!(
        first,
        "Chapter" | "CHAPTER" | "Part" | "PART" | "Chapitre" | "Capítulo" | "Глава"
    ) && numbered_word
    {
        return Line::Chapter;
    }
    if matches!(first, "Section" | "SECTION" | "Sección" | "Раздел") && numbered_word {
        return Line::Section;
    }
    if chinese_ordinal(line, &['章', '编']).is_some() {
        return Line::Chapter;
    }
    if chinese_ordinal(line, &['节']).is_some() {
        return Line::Section;
    }
    if let Some(len) = chinese_ordinal(line, &['条']) {
        return Line::Article(units(&line[..len]));
    }
    if let Some((len, deep)) = typed_number(line) {
        // "1. Purpose" heads a chapter in a text whose articles are "1.1 …"; in a text numbered
        // with one level, "1. …" is an article.
        return match (deep, two_levels) {
            (true, _) => Line::Article(units(&line[..len])),
            (false, true) => Line::Chapter,
            (false, false) => Line::Article(units(&line[..len])),
        };
    }
    for marker in ["- ", "* ", "• "] {
        if line.starts_with(marker) {
            return Line::Bullet(units(marker));
        }
    }
    Line::Plain
}

/// The edits that give an old plain-text draft its structure; empty if it has none to give.
pub fn structure(text: &str) -> Vec<Edit> {
    let two_levels = text.lines().any(has_two_level_number);
    let mut edits = Vec::new();
    let mut at = 0u32;
    let mut any = false;
    let mut lines = text.split('\n').peekable();
    while let Some(raw) = lines.next() {
        let ends_with_newline = lines.peek().is_some();
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim_start();
        let len = units(raw);
        if line.trim().is_empty() {
            // A blank line (or spaces): it separated paragraphs, which lines do now.
            if ends_with_newline {
                edits.push(Edit::Delete { at, len: len + 1 });
            }
            at += len + u32::from(ends_with_newline);
            continue;
        }
        let line_start = at + units(&raw[..indent]);
        let format = match classify(line, two_levels) {
            Line::Chapter => Some(Format {
                header: Some(1),
                ..Format::default()
            }),
            Line::Section => Some(Format {
                header: Some(2),
                ..Format::default()
            }),
            Line::Article(number) => {
                edits.push(Edit::Delete {
                    at: line_start,
                    len: number,
                });
                Some(Format {
                    article: true,
                    ..Format::default()
                })
            }
            Line::Bullet(marker) => {
                edits.push(Edit::Delete {
                    at: line_start,
                    len: marker,
                });
                Some(Format {
                    list: Some(super::ListKind::Bullet),
                    ..Format::default()
                })
            }
            Line::Plain => None,
        };
        if let Some(format) = format {
            any = true;
            if ends_with_newline {
                edits.push(Edit::Format {
                    at: at + len,
                    format,
                });
            } else {
                edits.push(Edit::AppendNewline);
                edits.push(Edit::Format {
                    at: at + len,
                    format,
                });
            }
        }
        at += len + u32::from(ends_with_newline);
    }
    if !any {
        return Vec::new();
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.at()));
    edits
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Run, blocks};
    use super::*;

    /// Applies the edits to plain text, the way the server applies them to the document.
    fn apply(text: &str, edits: &[Edit]) -> Vec<Run> {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        let mut formats: Vec<Format> = vec![Format::default(); units.len()];
        for edit in edits {
            match edit {
                Edit::AppendNewline => {
                    units.push(u16::from(b'\n'));
                    formats.push(Format::default());
                }
                Edit::Format { at, format } => {
                    assert_eq!(units[*at as usize], u16::from(b'\n'));
                    formats[*at as usize] = format.clone();
                }
                Edit::Delete { at, len } => {
                    units.drain(*at as usize..(*at + *len) as usize);
                    formats.drain(*at as usize..(*at + *len) as usize);
                }
            }
        }
        units
            .iter()
            .zip(formats)
            .map(|(u, format)| Run {
                text: String::from_utf16(&[*u]).unwrap(),
                format,
            })
            .collect()
    }

    fn shape(text: &str) -> Vec<(Kind, String)> {
        blocks(&apply(text, &structure(text)))
            .into_iter()
            .map(|b| (b.kind, b.text()))
            .collect()
    }

    #[test]
    fn chapters_and_one_level_articles() {
        let text = "Chapter 1. Purpose and scope\n\n1. This charter sets out.\n\n2. It applies.\n\nChapter 2. Principles\n\n3. No single model.\n\n";
        assert_eq!(
            shape(text),
            vec![
                (Kind::Chapter, "Chapter 1. Purpose and scope".into()),
                (Kind::Article, "This charter sets out.".into()),
                (Kind::Article, "It applies.".into()),
                (Kind::Chapter, "Chapter 2. Principles".into()),
                (Kind::Article, "No single model.".into()),
            ]
        );
        // Only the typed numbers and the blank lines go.
        let kept: String = apply(text, &structure(text))
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(
            kept,
            "Chapter 1. Purpose and scope\nThis charter sets out.\nIt applies.\nChapter 2. Principles\nNo single model.\n"
        );
    }

    #[test]
    fn two_level_numbering_makes_the_first_level_chapters() {
        let text = "1. Purpose and scope\n\n1.1 This strategy sets out.\n\n1.2 It covers.\n\n2. Skills\n\n2.1 Every employee.";
        assert_eq!(
            shape(text),
            vec![
                (Kind::Chapter, "1. Purpose and scope".into()),
                (Kind::Article, "This strategy sets out.".into()),
                (Kind::Article, "It covers.".into()),
                (Kind::Chapter, "2. Skills".into()),
                (Kind::Article, "Every employee.".into()),
            ]
        );
    }

    #[test]
    fn chinese_chapters_and_articles() {
        let text = "第一章 总则\n\n第一条 为保障居民参与地方决策。\n\n第十二条　本宪章适用于市政府。\n\n第二章 数据\n";
        assert_eq!(
            shape(text),
            vec![
                (Kind::Chapter, "第一章 总则".into()),
                (Kind::Article, "为保障居民参与地方决策。".into()),
                (Kind::Article, "本宪章适用于市政府。".into()),
                (Kind::Chapter, "第二章 数据".into()),
            ]
        );
    }

    #[test]
    fn plain_prose_is_left_alone() {
        assert!(structure("We meet in good faith.\n\nEvidence matters.\n").is_empty());
        assert!(structure("").is_empty());
        // "2 working days" is not a typed number; a bullet is.
        assert_eq!(
            shape("Intro\n- within 2 working days\n- in plain language\n"),
            vec![
                (Kind::Paragraph, "Intro".into()),
                (Kind::Bullet, "within 2 working days".into()),
                (Kind::Bullet, "in plain language".into()),
            ]
        );
    }
}
