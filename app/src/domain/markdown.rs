//! The Markdown comments may use: paragraphs, emphasis, links, lists and quotes. Everything else
//! (raw HTML, images, headings, code blocks, tables) is shown as the text that was typed, so no
//! comment can change the page around it.
//!
//! pulldown-cmark parses; we write the HTML ourselves from an allow-list of its events, escaping
//! every text and attribute, and keep only `http`, `https` and `mailto` links (marked `nofollow
//! ugc`, opened without a referrer).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Direction overrides and isolates could reorder the page's text around the comment.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
}

fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// A comment's words without their Markdown (for mail and short excerpts): its text and code,
/// with a space between blocks.
pub fn plain_text(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for event in Parser::new_ext(source, Options::empty()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            // Blocks end with a space; emphasis and links end inside the words.
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)) => out.push(' '),
            Event::End(TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::List(_)) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// Renders a comment's Markdown as safe HTML.
pub fn to_html(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + source.len() / 4);
    // Inside a construct we do not render (a heading, an image, a code block), the source text is
    // shown instead, once, and its inner events are skipped.
    let mut skip_until: Option<TagEnd> = None;
    // For each open link, whether we wrote its `<a>` (a refused link shows only its text).
    let mut open_links: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(source, Options::empty()).into_offset_iter() {
        if let Some(end) = &skip_until {
            if matches!(&event, Event::End(e) if e == end) {
                skip_until = None;
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => out.push_str("<p>"),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::List(Some(first)) => {
                    out.push_str("<ol");
                    if first != 1 {
                        out.push_str(&format!(" start=\"{first}\""));
                    }
                    out.push('>');
                }
                Tag::List(None) => out.push_str("<ul>"),
                Tag::Item => out.push_str("<li>"),
                Tag::Link { dest_url, .. } if safe_link(&dest_url) => {
                    open_links.push(true);
                    out.push_str("<a rel=\"nofollow ugc noopener noreferrer\" href=\"");
                    escape(&dest_url, &mut out);
                    out.push_str("\">");
                }
                Tag::Link { .. } => open_links.push(false),
                other => {
                    // Show what was typed, as text, in a paragraph if it was a block.
                    let block = matches!(
                        other,
                        Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock
                    );
                    skip_until = Some(other.to_end());
                    if block {
                        out.push_str("<p>");
                    }
                    escape(source[range].trim_end(), &mut out);
                    if block {
                        out.push_str("</p>");
                    }
                }
            },
            Event::End(end) => match end {
                TagEnd::Paragraph => out.push_str("</p>"),
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>"),
                TagEnd::List(true) => out.push_str("</ol>"),
                TagEnd::List(false) => out.push_str("</ul>"),
                TagEnd::Item => out.push_str("</li>"),
                TagEnd::Link if open_links.pop() == Some(true) => out.push_str("</a>"),
                _ => {}
            },
            Event::Text(text) => escape(&text, &mut out),
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => {
                escape(&source[range], &mut out)
            }
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>"),
            Event::Rule => out.push_str("<p>---</p>"),
            _ => escape(&source[range], &mut out),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_renders() {
        assert_eq!(
            to_html("*one* **two** [site](https://example.org)"),
            "<p><em>one</em> <strong>two</strong> <a rel=\"nofollow ugc noopener noreferrer\" \
             href=\"https://example.org\">site</a></p>"
        );
        assert_eq!(
            to_html("- a\n- b"),
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n".replace('\n', "")
        );
        assert_eq!(
            to_html("> quoted"),
            "<blockquote><p>quoted</p></blockquote>"
        );
        assert_eq!(to_html("3. c"), "<ol start=\"3\"><li>c</li></ol>");
    }

    /// Hostile bodies: nothing may come out as markup we did not write.
    #[test]
    fn hostile_input_is_inert() {
        let corpus = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click]( javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "![img](https://evil.example/x.png)",
            "<div onmouseover=\"alert(1)\">hover</div>",
            "**<b>broken</i>** <",
            "<svg><script>alert(1)</script></svg>",
            "\" onclick=\"alert(1)",
            "[a](https://example.org\" onclick=\"alert(1))",
            "<https://example.org/<script>>",
            "# heading <script>x</script>",
            "```\n<script>code</script>\n```",
            "`<script>`",
            "right\u{202E}to\u{2066}left",
            &"long".repeat(5000),
        ];
        for body in corpus {
            let html = to_html(body);
            let lower = html.to_lowercase();
            for banned in [
                "<script",
                "<img",
                "<svg",
                "<div",
                "<b>",
                "<iframe",
                "javascript:",
                "data:",
                " on",
                "\u{202e}",
                "\u{2066}",
            ] {
                // " on" would only appear inside a tag as an event handler attribute; check tags.
                if banned == " on" {
                    for (at, _) in lower.match_indices('<') {
                        let tag = lower[at + 1..].split('>').next().unwrap_or("");
                        assert!(!tag.contains(" on"), "{body:?} gave a handler: {html}");
                    }
                    continue;
                }
                if banned == "javascript:" || banned == "data:" {
                    assert!(
                        !lower.contains(&format!("href=\"{banned}")),
                        "{body:?} -> {html}"
                    );
                    continue;
                }
                assert!(!lower.contains(banned), "{body:?} -> {html}");
            }
            // Every tag we emit is one of ours.
            for (at, _) in html.match_indices('<') {
                let name: String = html[at + 1..]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(
                    [
                        "p",
                        "em",
                        "strong",
                        "a",
                        "ul",
                        "ol",
                        "li",
                        "blockquote",
                        "br"
                    ]
                    .contains(&name.as_str()),
                    "{body:?} produced <{name}>: {html}"
                );
            }
        }
    }
}
