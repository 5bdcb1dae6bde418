//! Markdown (CommonMark): headings, articles as paragraphs led by their number in bold, nested
//! lists, quotations, emphasis and links. Text is escaped, so no word of the draft becomes markup.

use super::super::{Block, Kind};
use super::{Cover, label};

/// Escapes what CommonMark would read as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // A line that starts like a list item or a heading would become one.
    if out.starts_with(['-', '+'])
        || out
            .split_once(". ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
    {
        out.insert(0, '\\');
    }
    out
}

fn inline(block: &Block) -> String {
    block
        .spans
        .iter()
        .map(|span| {
            let mut text = escape(&span.text);
            if span.italic {
                text = format!("*{text}*");
            }
            if span.bold {
                text = format!("**{text}**");
            }
            if let Some(link) = &span.link {
                text = format!("[{text}](<{}>)", link.replace('>', "%3E"));
            }
            text
        })
        .collect()
}

/// The version as Markdown.
pub fn render(cover: &Cover, blocks: &[Block]) -> String {
    let mut out = format!("# {}\n\n", escape(&cover.title));
    let mut previous: Option<Kind> = None;
    for block in blocks {
        let text = inline(block);
        let line = match block.kind {
            Kind::Chapter => format!("## {text}"),
            Kind::Section => format!("### {text}"),
            Kind::Subsection => format!("#### {text}"),
            Kind::Article => format!(
                "**{}** {text}",
                label(block, &cover.language).unwrap_or_default()
            ),
            Kind::Paragraph => text,
            Kind::Bullet => format!("{}- {text}", "  ".repeat(block.indent.into())),
            Kind::Ordered => format!("{}1. {text}", "   ".repeat(block.indent.into())),
            Kind::Quote => format!("> {text}"),
        };
        // Items of one list stay together; everything else is a paragraph of its own.
        let same_list = matches!(
            (previous, block.kind),
            (Some(Kind::Bullet), Kind::Bullet)
                | (Some(Kind::Ordered), Kind::Ordered)
                | (Some(Kind::Quote), Kind::Quote)
        );
        if previous.is_some() {
            out.push_str(if same_list { "\n" } else { "\n\n" });
        }
        out.push_str(&line);
        previous = Some(block.kind);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::{Format, ListKind, Run, blocks};
    use super::*;

    #[test]
    fn headings_articles_lists_and_escaped_text() {
        let line = |f: Format| Run {
            text: "\n".into(),
            format: f,
        };
        let runs = vec![
            Run {
                text: "Chapter 1. Scope".into(),
                format: Format::default(),
            },
            line(Format {
                header: Some(1),
                ..Format::default()
            }),
            Run {
                text: "The city ".into(),
                format: Format::default(),
            },
            Run {
                text: "shall".into(),
                format: Format {
                    bold: true,
                    ..Format::default()
                },
            },
            Run {
                text: " act *now*.".into(),
                format: Format::default(),
            },
            line(Format {
                article: true,
                ..Format::default()
            }),
            Run {
                text: "First".into(),
                format: Format::default(),
            },
            line(Format {
                list: Some(ListKind::Bullet),
                ..Format::default()
            }),
            Run {
                text: "Nested".into(),
                format: Format::default(),
            },
            line(Format {
                list: Some(ListKind::Bullet),
                indent: 1,
                ..Format::default()
            }),
        ];
        let cover = Cover {
            title: "Charter".into(),
            language: "en".into(),
            path: "/processes/1/drafts/1".into(),
            version: 1,
            version_name: "v".into(),
            date: "2026-12-03".into(),
            content_hash: "0".into(),
        };
        assert_eq!(
            render(&cover, &blocks(&runs)),
            "# Charter\n\n## Chapter 1. Scope\n\n**1.** The city **shall** act \\*now\\*.\n\n- First\n  - Nested\n"
        );
    }
}
