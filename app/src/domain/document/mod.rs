//! A draft as a document: the runs of its `Y.Text` (text with [`Format`]) read as blocks
//! (chapters, sections, numbered articles, paragraphs, lists, quotations) with inline emphasis,
//! strong and links. The reading view, the live view, the open-data API and the exports all
//! read the document through [`blocks`], so they agree on its structure and on its numbers.
//!
//! Offsets are UTF-16 code units into the plain text, as Yjs counts, so comment passages and
//! carets (which are offsets too) fall into the right block.

#[cfg(any(feature = "ssr", feature = "hydrate"))]
pub mod authorship;
#[cfg(feature = "ssr")]
pub mod compare;
#[cfg(feature = "ssr")]
pub mod export;
pub mod format;
#[cfg(feature = "ssr")]
pub mod import;
pub mod legacy;
#[cfg(any(feature = "ssr", feature = "hydrate"))]
pub mod yjs;

pub use format::{Attribute, BadAttribute, Format, ListKind, MAX_INDENT, MAX_LINK, is_link};
use serde::{Deserialize, Serialize};

/// A run of the text with one formatting, as Yjs reports it (`Y.Text#toDelta`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub text: String,
    #[serde(default)]
    pub format: Format,
}

/// What a block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A level-1 heading.
    Chapter,
    /// A level-2 heading.
    Section,
    /// A level-3 heading.
    Subsection,
    /// The first paragraph of a numbered article.
    Article,
    Paragraph,
    /// An item of a bulleted list.
    Bullet,
    /// An item of a numbered list.
    Ordered,
    /// A quoted paragraph.
    Quote,
}

impl Kind {
    /// The heading level, for headings.
    pub fn heading_level(self) -> Option<u8> {
        match self {
            Kind::Chapter => Some(1),
            Kind::Section => Some(2),
            Kind::Subsection => Some(3),
            _ => None,
        }
    }

    fn of(format: &Format) -> Kind {
        match (format.header, format.list) {
            (Some(1), _) => Kind::Chapter,
            (Some(2), _) => Kind::Section,
            (Some(_), _) => Kind::Subsection,
            (None, Some(ListKind::Bullet)) => Kind::Bullet,
            (None, Some(ListKind::Ordered)) => Kind::Ordered,
            (None, None) if format.article => Kind::Article,
            (None, None) if format.blockquote => Kind::Quote,
            (None, None) => Kind::Paragraph,
        }
    }
}

/// A stretch of a block's text with its inline formatting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Where it starts in the plain text.
    pub start: u32,
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub italic: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// One line of the document that holds text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: Kind,
    /// The stable address of the block on the page: `ch-2`, `sec-3`, `art-5`, and `p-5-2` for
    /// the second paragraph of article 5 (the article's own first paragraph is `art-5`).
    /// It follows the structure, so it stays while the words change.
    pub id: String,
    /// The article's number (articles only), counted through the whole document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// How deep a list item nests (0 outermost).
    #[serde(default)]
    pub indent: u8,
    /// Where the line's text starts and ends in the plain text (`end` is its newline).
    pub start: u32,
    pub end: u32,
    pub spans: Vec<Span>,
}

impl Block {
    /// The block's text without formatting.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

fn units(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

/// Reads the runs of a document as its blocks. Lines without text are left out: they separate,
/// they say nothing.
pub fn blocks(runs: &[Run]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut numbering = Numbering::default();
    let mut spans: Vec<Span> = Vec::new();
    let mut line_start = 0u32;
    let mut at = 0u32;
    let mut finish = |spans: &mut Vec<Span>, format: &Format, start: u32, end: u32| {
        let taken = std::mem::take(spans);
        if taken.iter().all(|s| s.text.trim().is_empty()) {
            return;
        }
        let kind = Kind::of(format);
        let (id, number) = numbering.next(kind);
        out.push(Block {
            kind,
            id,
            number,
            indent: if matches!(kind, Kind::Bullet | Kind::Ordered) {
                format.indent.min(MAX_INDENT)
            } else {
                0
            },
            start,
            end,
            spans: taken,
        });
    };
    for run in runs {
        let mut pieces = run.text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            if !piece.is_empty() {
                match spans.last_mut() {
                    Some(last)
                        if last.bold == run.format.bold
                            && last.italic == run.format.italic
                            && last.link == run.format.link =>
                    {
                        last.text.push_str(piece)
                    }
                    _ => spans.push(Span {
                        start: at,
                        text: piece.to_string(),
                        bold: run.format.bold,
                        italic: run.format.italic,
                        link: run.format.link.clone(),
                    }),
                }
                at += units(piece);
            }
            if pieces.peek().is_some() {
                // A newline: it ends the line, and carries the line's block format.
                finish(&mut spans, &run.format, line_start, at);
                at += 1;
                line_start = at;
            }
        }
    }
    // Text after the last newline (a plain Yjs client need not end with one) is a paragraph.
    finish(&mut spans, &Format::default(), line_start, at);
    out
}

/// The document's counters while its blocks are read, in order.
#[derive(Default)]
struct Numbering {
    chapters: u32,
    sections: u32,
    articles: u32,
    /// Blocks since the current article began (the article itself is 1).
    in_article: u32,
}

impl Numbering {
    fn next(&mut self, kind: Kind) -> (String, Option<u32>) {
        match kind {
            Kind::Chapter => {
                self.chapters += 1;
                (format!("ch-{}", self.chapters), None)
            }
            Kind::Section | Kind::Subsection => {
                self.sections += 1;
                (format!("sec-{}", self.sections), None)
            }
            Kind::Article => {
                self.articles += 1;
                self.in_article = 1;
                (format!("art-{}", self.articles), Some(self.articles))
            }
            _ => {
                self.in_article += 1;
                (format!("p-{}-{}", self.articles, self.in_article), None)
            }
        }
    }
}

/// An article's number as the draft's language writes it: `第五条` in Chinese, `5.` otherwise.
pub fn article_label(number: u32, language: &str) -> String {
    if language == "zh" || language.starts_with("zh-") {
        format!("第{}条", chinese_numeral(number))
    } else {
        format!("{number}.")
    }
}

/// A number in Chinese numerals, as legal texts count articles (一, 十二, 二十, 一百零五).
pub fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return DIGITS[0].into();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let places = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut gap = false;
    for (place, name) in places {
        let digit = (n / place) % 10;
        if digit == 0 {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push_str(DIGITS[0]);
            gap = false;
        }
        // 十二, not 一十二, when ten is the highest place.
        if !(place == 10 && digit == 1 && out.is_empty()) {
            out.push_str(DIGITS[digit as usize]);
        }
        out.push_str(name);
    }
    out
}

/// The headings, for a table of contents: (level, id, text). Articles are left out, so a long
/// draft's contents stay short; each is reached by its own address.
pub fn outline(blocks: &[Block]) -> Vec<(u8, String, String)> {
    blocks
        .iter()
        .filter_map(|b| {
            Some((
                b.kind.heading_level()?,
                b.id.clone(),
                b.text().trim().to_string(),
            ))
        })
        .collect()
}

/// How many words a text has, as a writer counts them: runs of letters and digits between
/// spaces, and each Chinese, Japanese or Korean character on its own (those scripts put no
/// spaces between words, and their word counts count characters).
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_ideograph(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                count += 1;
            }
            in_word = true;
        } else if c.is_whitespace() {
            in_word = false;
        }
    }
    count
}

fn is_ideograph(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F // Han
        | 0xAC00..=0xD7AF) // Hangul
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, format: Format) -> Run {
        Run {
            text: text.into(),
            format,
        }
    }

    fn line(header: Option<u8>, article: bool) -> Format {
        Format {
            header,
            article,
            ..Format::default()
        }
    }

    #[test]
    fn lines_become_blocks_with_their_numbers_and_addresses() {
        let bold = Format {
            bold: true,
            ..Format::default()
        };
        let runs = vec![
            run("Chapter 1. Scope", Format::default()),
            run("\n", line(Some(1), false)),
            run("This charter ", Format::default()),
            run("binds", bold.clone()),
            run(" the city.", Format::default()),
            run("\n", line(None, true)),
            run("It applies to every service.\n\n", Format::default()),
            run("Second article", Format::default()),
            run("\n", line(None, true)),
            run("One", Format::default()),
            run(
                "\n",
                Format {
                    list: Some(ListKind::Bullet),
                    ..Format::default()
                },
            ),
            run("Deeper", Format::default()),
            run(
                "\n",
                Format {
                    list: Some(ListKind::Bullet),
                    indent: 1,
                    ..Format::default()
                },
            ),
            run("trailing words", Format::default()),
        ];
        let blocks = blocks(&runs);
        let summary: Vec<(Kind, &str, Option<u32>, String)> = blocks
            .iter()
            .map(|b| (b.kind, b.id.as_str(), b.number, b.text()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Kind::Chapter, "ch-1", None, "Chapter 1. Scope".into()),
                (
                    Kind::Article,
                    "art-1",
                    Some(1),
                    "This charter binds the city.".into()
                ),
                (
                    Kind::Paragraph,
                    "p-1-2",
                    None,
                    "It applies to every service.".into()
                ),
                (Kind::Article, "art-2", Some(2), "Second article".into()),
                (Kind::Bullet, "p-2-2", None, "One".into()),
                (Kind::Bullet, "p-2-3", None, "Deeper".into()),
                (Kind::Paragraph, "p-2-4", None, "trailing words".into()),
            ]
        );
        // Offsets are into the plain text: the article's "binds" starts where the text has it.
        let plain: String = runs.iter().map(|r| r.text.as_str()).collect();
        let binds = &blocks[1].spans[1];
        assert!(binds.bold);
        assert_eq!(
            plain
                .find("binds")
                .map(|i| plain[..i].encode_utf16().count() as u32),
            Some(binds.start)
        );
        assert_eq!(
            blocks[1].end,
            blocks[1].start + units("This charter binds the city.")
        );
        assert_eq!(blocks[5].indent, 1);
    }

    #[test]
    fn utf16_offsets_count_emoji_as_two() {
        let runs = vec![run("😀 first\nsecond\n", Format::default())];
        let blocks = blocks(&runs);
        assert_eq!(blocks[0].end, 8);
        assert_eq!(blocks[1].start, 9);
    }

    #[test]
    fn words_are_counted_as_writers_count_them() {
        assert_eq!(word_count("The city shall act, within 15 days."), 7);
        assert_eq!(word_count("don't stop"), 2);
        assert_eq!(word_count("为保障居民参与"), 7);
        assert_eq!(word_count("第一条 本宪章 applies"), 7);
        assert_eq!(word_count("  "), 0);
    }

    #[test]
    fn articles_are_numbered_as_the_language_counts() {
        assert_eq!(article_label(5, "en"), "5.");
        assert_eq!(article_label(5, "zh-Hans"), "第五条");
        let cases = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1001, "一千零一"),
        ];
        for (n, want) in cases {
            assert_eq!(chinese_numeral(n), want, "{n}");
        }
    }
}
