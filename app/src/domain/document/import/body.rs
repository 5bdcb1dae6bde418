//! Walking a Word document's body: its paragraphs (in tables and content controls too) with
//! the block format their style gives them, and their runs with bold, italic and links.

use super::structure::{Paragraph, trim_runs};
use super::styles::{Numbering, Style, Styles, numbering_of, outline_level};
use super::{ImportError, Imported, MAX_TEXT_CHARS, R, W, child, is_w, toggle, val};
use crate::domain::document::{Format, ListKind, MAX_INDENT, Run, is_link};
use crate::domain::input::storable_part;
use roxmltree::Node;
use std::collections::HashMap;

/// The walk through the document's body.
pub(super) struct Reader<'a> {
    styles: &'a Styles,
    numbering: &'a Numbering,
    links: &'a HashMap<String, String>,
    out: Imported,
    paragraphs: Vec<Paragraph>,
    chars: usize,
}

/// What a paragraph is, before its text is read.
enum Role {
    /// The document's title (kept as the draft's title, not in its text).
    Title,
    /// A line of a generated table of contents: Baraza makes its own.
    Contents,
    Block(Format),
}

impl<'a> Reader<'a> {
    pub(super) fn new(
        styles: &'a Styles,
        numbering: &'a Numbering,
        links: &'a HashMap<String, String>,
    ) -> Reader<'a> {
        Reader {
            styles,
            numbering,
            links,
            out: Imported::default(),
            paragraphs: Vec::new(),
            chars: 0,
        }
    }

    /// What was read: the title and counts, and the paragraphs in order.
    pub(super) fn finish(self) -> (Imported, Vec<Paragraph>) {
        (self.out, self.paragraphs)
    }

    /// Reads the paragraphs of a body, a table cell or a content control, in order.
    pub(super) fn blocks(&mut self, container: Node) -> Result<(), ImportError> {
        for node in container.children().filter(Node::is_element) {
            if is_w(&node, "p") {
                self.paragraph(node)?;
            } else if is_w(&node, "tbl") {
                self.out.tables_flattened += 1;
                for row in node.children().filter(|n| is_w(n, "tr")) {
                    for cell in row.children().filter(|n| is_w(n, "tc")) {
                        self.blocks(cell)?;
                    }
                }
            } else if is_w(&node, "sdt")
                && let Some(content) = child(node, "sdtContent")
            {
                self.blocks(content)?;
            } else if is_w(&node, "customXml") || is_w(&node, "ins") {
                self.blocks(node)?;
            }
        }
        Ok(())
    }

    fn role(&self, properties: Option<Node>) -> Role {
        let style = properties
            .and_then(|p| child(p, "pStyle"))
            .and_then(val)
            .unwrap_or("Normal");
        let styles = self.styles;
        let name = styles.find(style, |_, s| (!s.name.is_empty()).then(|| s.name.clone()));
        match name.as_deref() {
            Some("title") => return Role::Title,
            Some(n) if n.starts_with("toc ") || n == "toc heading" => return Role::Contents,
            _ => {}
        }
        let mut format = Format::default();
        // The heading level: the paragraph's own outline level, else its style's name or outline.
        let level = properties.and_then(outline_level).or_else(|| {
            styles.find(style, |id, s| {
                s.name
                    .strip_prefix("heading ")
                    .and_then(|n| n.trim().parse::<u8>().ok())
                    .map(|n| n.saturating_sub(1))
                    .or(s.outline)
                    .or_else(|| {
                        // A style with no built-in name, called "Heading2" by its id.
                        id.strip_prefix("Heading")
                            .and_then(|n| n.parse::<u8>().ok())
                            .map(|n| n.saturating_sub(1))
                    })
            })
        });
        if let Some(level) = level {
            format.header = Some((level + 1).min(3));
            return Role::Block(format);
        }
        let numbered = properties
            .and_then(numbering_of)
            .or_else(|| styles.find(style, |_, s| s.numbering.clone()));
        if let Some((id, level)) = numbered {
            let level = level.unwrap_or(0);
            if let Some(kind) = self.numbering.kind(&id, level) {
                format.list = Some(kind);
                format.indent = level.min(MAX_INDENT);
                return Role::Block(format);
            }
        }
        if let Some(name) = &name {
            if name.starts_with("list bullet") {
                format.list = Some(ListKind::Bullet);
            } else if name.starts_with("list number") {
                format.list = Some(ListKind::Ordered);
            } else if matches!(
                name.as_str(),
                "quote" | "intense quote" | "block text" | "block quotation"
            ) {
                format.blockquote = true;
            }
        }
        Role::Block(format)
    }

    fn paragraph(&mut self, node: Node) -> Result<(), ImportError> {
        let properties = child(node, "pPr");
        let mut runs = Vec::new();
        self.inline(node, None, &mut runs);
        // Leading and trailing spaces are layout, not words.
        trim_runs(&mut runs);
        if runs.is_empty() {
            return Ok(());
        }
        let format = match self.role(properties) {
            Role::Title if self.out.title.is_none() => {
                self.out.title = Some(runs.iter().map(|r| r.text.as_str()).collect());
                return Ok(());
            }
            Role::Title => Format::default(),
            Role::Contents => return Ok(()),
            Role::Block(format) => format,
        };
        self.chars += runs.iter().map(|r| r.text.chars().count()).sum::<usize>() + 1;
        if self.chars > MAX_TEXT_CHARS {
            return Err(ImportError::TooLarge);
        }
        self.paragraphs.push(Paragraph { runs, format });
        Ok(())
    }

    /// Collects the runs of a paragraph (or of a link or a tracked insertion within one).
    fn inline(&mut self, node: Node, link: Option<&str>, out: &mut Vec<Run>) {
        for item in node.children().filter(Node::is_element) {
            if is_w(&item, "r") {
                self.run(item, link, out);
            } else if is_w(&item, "hyperlink") {
                let target = item
                    .attribute((R, "id"))
                    .and_then(|id| self.links.get(id))
                    .map(String::as_str)
                    .filter(|t| is_link(t));
                self.inline(item, target.or(link), out);
            } else if ["ins", "smartTag", "customXml", "fldSimple", "dir", "bdo"]
                .iter()
                .any(|name| is_w(&item, name))
            {
                self.inline(item, link, out);
            } else if is_w(&item, "sdt")
                && let Some(content) = child(item, "sdtContent")
            {
                self.inline(content, link, out);
            }
            // Everything else (tracked deletions, moved-from text, bookmarks, properties,
            // comments' ranges) says nothing a reader of the draft reads.
        }
    }

    fn run(&mut self, node: Node, link: Option<&str>, out: &mut Vec<Run>) {
        let properties = child(node, "rPr");
        // Hidden text is not part of what the document says.
        if properties.and_then(|p| toggle(p, "vanish")) == Some(true) {
            return;
        }
        let style = properties.and_then(|p| child(p, "rStyle")).and_then(val);
        let styles = self.styles;
        let from_style =
            |pick: fn(&Style) -> Option<bool>| style.and_then(|id| styles.find(id, |_, s| pick(s)));
        let bold = properties
            .and_then(|p| toggle(p, "b"))
            .or_else(|| from_style(|s| s.bold))
            .unwrap_or(false);
        let italic = properties
            .and_then(|p| toggle(p, "i"))
            .or_else(|| from_style(|s| s.italic))
            .unwrap_or(false);
        let mut text = String::new();
        for piece in node.children().filter(Node::is_element) {
            if is_w(&piece, "t") {
                text.push_str(
                    &storable_part(piece.text().unwrap_or_default())
                        .replace(['\n', '\r', '\t'], " "),
                );
            } else if is_w(&piece, "tab") || is_w(&piece, "cr") {
                text.push(' ');
            } else if is_w(&piece, "br") {
                // A page or column break is layout; a line break within a paragraph reads as a space.
                if !matches!(piece.attribute((W, "type")), Some("page" | "column")) {
                    text.push(' ');
                }
            } else if is_w(&piece, "noBreakHyphen") {
                text.push('\u{2011}');
            } else if is_w(&piece, "drawing") || is_w(&piece, "pict") || is_w(&piece, "object") {
                self.out.pictures_left_out += 1;
            }
        }
        if text.is_empty() {
            return;
        }
        let format = Format {
            bold,
            italic,
            link: link.map(str::to_string),
            ..Format::default()
        };
        match out.last_mut() {
            Some(last) if last.format == format => last.text.push_str(&text),
            _ => out.push(Run { text, format }),
        }
    }
}
