//! The structure of an imported text beyond Word's styles: plain paragraphs typed the way
//! drafts were before they had structure, and "Article 5." labels, become chapters, sections,
//! bullets and numbered articles (whose typed numbers go: Baraza numbers articles itself).

use crate::domain::document::{Format, ListKind, Run, legacy};

/// A paragraph as read, before its typed numbers and labels are read as structure.
pub(super) struct Paragraph {
    pub(super) runs: Vec<Run>,
    pub(super) format: Format,
}

/// The document's text from its paragraphs. Plain paragraphs typed the way drafts were before
/// they had structure ("Chapter 1. Purpose", "1.1 The strategy…", "5. Before…", "第五条 …",
/// "- item") are read as old drafts are ([`legacy`]), and so are "Article 5." labels: at the head
/// of a paragraph, or alone on the line before the article's text (as in many statutes).
pub(super) fn structured(paragraphs: Vec<Paragraph>) -> Vec<Run> {
    let plain = |p: &Paragraph| p.format == Format::default();
    let text = |p: &Paragraph| p.runs.iter().map(|r| r.text.as_str()).collect::<String>();
    let two_levels = paragraphs
        .iter()
        .filter(|p| plain(p))
        .any(|p| legacy::has_two_level_number(&text(p)));
    // "Chapter 2" typed in a paragraph heads a chapter only in a document without Word's
    // headings ("Part of the budget…" would otherwise be one).
    let typed_headings = !paragraphs.iter().any(|p| p.format.header.is_some());
    let mut out: Vec<Run> = Vec::new();
    let mut article_pending = false;
    for mut paragraph in paragraphs {
        let words = text(&paragraph);
        let label_only = article_label(&words).is_some_and(|len| words[len..].trim().is_empty());
        if paragraph.format.header.is_some() && label_only {
            // "Article 5" set as a heading: the article's text follows.
            article_pending = true;
            continue;
        }
        if plain(&paragraph) {
            let (format, label) = match legacy::classify(&words, two_levels) {
                legacy::Line::Chapter if typed_headings => (header(1), 0),
                legacy::Line::Section if typed_headings => (header(2), 0),
                legacy::Line::Chapter | legacy::Line::Section => (Format::default(), 0),
                legacy::Line::Article(units) => (article(), bytes_of_units(&words, units)),
                legacy::Line::Bullet(units) => (
                    Format {
                        list: Some(ListKind::Bullet),
                        ..Format::default()
                    },
                    bytes_of_units(&words, units),
                ),
                legacy::Line::Plain => match article_label(&words) {
                    // "Article 5" alone: a label for the paragraph that follows.
                    Some(_) if label_only => {
                        article_pending = true;
                        continue;
                    }
                    Some(len) => (article(), len),
                    None if article_pending => (article(), 0),
                    None => (Format::default(), 0),
                },
            };
            drop_leading(&mut paragraph.runs, label);
            trim_runs(&mut paragraph.runs);
            paragraph.format = format;
        }
        article_pending = false;
        for run in paragraph.runs {
            match out.last_mut() {
                Some(last) if last.format == run.format && !last.text.ends_with('\n') => {
                    last.text.push_str(&run.text)
                }
                _ => out.push(run),
            }
        }
        out.push(Run {
            text: "\n".into(),
            format: paragraph.format,
        });
    }
    out
}

fn header(level: u8) -> Format {
    Format {
        header: Some(level),
        ..Format::default()
    }
}

fn article() -> Format {
    Format {
        article: true,
        ..Format::default()
    }
}

/// How many bytes of `text` its first `units` UTF-16 units are.
fn bytes_of_units(text: &str, units: u32) -> usize {
    let mut counted = 0u32;
    let mut bytes = 0usize;
    for c in text.chars() {
        if counted >= units {
            break;
        }
        counted += c.len_utf16() as u32;
        bytes += c.len_utf8();
    }
    bytes
}

/// The length in bytes of an article label heading a paragraph: "Article 5.", "Art. 12 –",
/// "Artículo 3:", "Статья 4.", "المادة 7", "第五条 ". The label must end the line or be followed
/// by punctuation (or, in Chinese, a space), so "Article 5 of the Constitution says…" stays a
/// sentence.
pub fn article_label(text: &str) -> Option<usize> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    if let Some(len) = legacy::chinese_ordinal(trimmed, &['条']) {
        let label = &trimmed[..len];
        let spaced = label.ends_with(char::is_whitespace) || trimmed[len..].trim().is_empty();
        return spaced.then_some(lead + len);
    }
    const WORDS: [&str; 9] = [
        "Article",
        "ARTICLE",
        "Art.",
        "Artículo",
        "ARTÍCULO",
        "Artigo",
        "Статья",
        "المادة",
        "Articolo",
    ];
    let word = WORDS.iter().find(|w| trimmed.starts_with(**w))?;
    let rest = &trimmed[word.len()..];
    let spaces_after_word = rest.len() - rest.trim_start().len();
    if spaces_after_word == 0 {
        return None;
    }
    let rest = &rest[spaces_after_word..];
    let number: usize = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | '٠'..='٩'))
        .map(char::len_utf8)
        .sum();
    if number == 0 || number > 12 {
        return None;
    }
    // After the number: the end of the line, punctuation, a dash, or the article's first word
    // with a capital (as Baraza's own Word export writes "Article 5 The city…"); never a
    // word in lower case, which continues a sentence ("Article 5 of the law").
    let after = &rest[number..];
    let mut end = number;
    let mut dashed = false;
    if let Some(mark) = after
        .chars()
        .next()
        .filter(|c| matches!(c, '.' | ':' | ')' | '-' | '–' | '—'))
    {
        end += mark.len_utf8();
        dashed = true;
    } else if let Some(next) = after.trim_start().chars().next()
        && !(next.is_uppercase() || matches!(next, '-' | '–' | '—'))
    {
        return None;
    }
    let spaces = |from: usize| rest[from..].len() - rest[from..].trim_start().len();
    end += spaces(end);
    if !dashed
        && let Some(dash) = rest[end..]
            .chars()
            .next()
            .filter(|c| matches!(c, '-' | '–' | '—'))
    {
        end += dash.len_utf8();
        end += spaces(end);
    }
    Some(lead + word.len() + spaces_after_word + end)
}

/// Removes the first `len` bytes of the runs' text (a typed label Baraza numbers itself).
fn drop_leading(runs: &mut Vec<Run>, mut len: usize) {
    while len > 0 && !runs.is_empty() {
        let first = &mut runs[0];
        if first.text.len() <= len {
            len -= first.text.len();
            runs.remove(0);
        } else {
            first.text.drain(..len);
            len = 0;
        }
    }
}

pub(super) fn trim_runs(runs: &mut Vec<Run>) {
    while runs.first().is_some_and(|r| r.text.trim_start().is_empty()) {
        runs.remove(0);
    }
    if let Some(first) = runs.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    while runs.last().is_some_and(|r| r.text.trim_end().is_empty()) {
        runs.pop();
    }
    if let Some(last) = runs.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_told_from_sentences() {
        for (text, label) in [
            ("Article 1. The city", Some("Article 1. ")),
            ("Article 12 – Scope", Some("Article 12 – ")),
            ("Art. 3: Who", Some("Art. 3: ")),
            ("ARTICLE IV", Some("ARTICLE IV")),
            ("Artículo 7. El", Some("Artículo 7. ")),
            ("Article 5 of the law", None),
            ("Articles 5 and 6", None),
            ("Article the first", None),
            ("第五条规定", None),
        ] {
            assert_eq!(article_label(text).map(|n| &text[..n]), label, "{text}");
        }
    }
}
