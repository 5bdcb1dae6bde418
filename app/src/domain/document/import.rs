//! Reading a Word document (`.docx`, Office Open XML) into the document model, so that a draft
//! written in Word or Google Docs can start life in Baraza with its structure: Heading 1–3 become
//! chapters, sections and subsections, list paragraphs become bulleted or numbered items at
//! their level, quotations stay quotations, and bold, italic and links are kept. "Article 5." at
//! the head of a paragraph (or alone on its line, before the article's text) makes it a numbered
//! article whose number Baraza then keeps. Pictures, tables' grid, footnotes, comments, tracked
//! deletions and page layout are left out: a draft is a policy text, not a page.
//!
//! Styles are recognised by their built-in names (`heading 1`, `Quote`, `List Bullet`), which
//! Word keeps in English whatever the interface language, and by outline levels; numbering by
//! the format of its level (`bullet` or a number). Server only.
//!
//! Every limit is checked before anything is kept: the file's size, each part's size once
//! unpacked (a small ZIP can unpack to gigabytes), the number of XML nodes and the text's length.

use super::{Format, ListKind, MAX_INDENT, Run, is_link, legacy};
use crate::domain::input::storable_part;
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::HashMap;
use std::io::Read;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// The largest `.docx` accepted, in bytes (a long strategy with its pictures fits).
pub const MAX_FILE_BYTES: usize = 10 << 20;
/// The largest XML part read, once unpacked.
const MAX_PART_BYTES: u64 = 40 << 20;
/// The most XML nodes one part may hold.
const MAX_NODES: u32 = 2_000_000;
/// The longest text imported, in characters (some 600 pages).
pub const MAX_TEXT_CHARS: usize = 1_500_000;

/// What was read from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// The document's title: its Title paragraph, else its properties' title.
    pub title: Option<String>,
    /// The text with its formats: each paragraph's runs, then a newline run carrying its block
    /// format, as the editor writes them.
    pub runs: Vec<Run>,
    /// Pictures and other drawings left out.
    pub pictures_left_out: u32,
    /// Tables whose cells were kept as paragraphs.
    pub tables_flattened: u32,
}

/// Why a file could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not a Word document (.docx)")]
    NotDocx,
    #[error("the file is larger than a draft can hold")]
    TooLarge,
    #[error("the document holds no text")]
    Empty,
}

/// Reads a `.docx` file.
pub fn read_docx(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge);
    }
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| ImportError::NotDocx)?;
    let main = main_part(&mut zip)?;
    let document = part(&mut zip, &main)?.ok_or(ImportError::NotDocx)?;
    let folder = main.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
    let file = |name: &str| {
        if folder.is_empty() {
            name.to_string()
        } else {
            format!("{folder}/{name}")
        }
    };
    let styles = part(&mut zip, &file("styles.xml"))?;
    let numbering = part(&mut zip, &file("numbering.xml"))?;
    let (_, leaf) = main.rsplit_once('/').unwrap_or(("", &main));
    let relationships = part(&mut zip, &file(&format!("_rels/{leaf}.rels")))?;
    let properties = part(&mut zip, "docProps/core.xml")?;

    let document = parse(&document)?;
    let styles = match &styles {
        Some(text) => Styles::read(&parse(text)?),
        None => Styles::default(),
    };
    let numbering = match &numbering {
        Some(text) => Numbering::read(&parse(text)?),
        None => Numbering::default(),
    };
    let links = match &relationships {
        Some(text) => external_targets(&parse(text)?),
        None => HashMap::new(),
    };
    let body = document
        .root_element()
        .children()
        .find(|n| is_w(n, "body"))
        .ok_or(ImportError::NotDocx)?;
    let mut reader = Reader {
        styles: &styles,
        numbering: &numbering,
        links: &links,
        out: Imported::default(),
        paragraphs: Vec::new(),
        chars: 0,
    };
    reader.blocks(body)?;
    let mut imported = reader.out;
    imported.runs = structured(reader.paragraphs);
    if imported.title.is_none() {
        imported.title = properties
            .as_deref()
            .and_then(|text| parse(text).ok().and_then(|doc| core_title(&doc)));
    }
    if imported.runs.iter().all(|run| run.text.trim().is_empty()) {
        return Err(ImportError::Empty);
    }
    Ok(imported)
}

/// The main document part's name, from the package's relationships (`word/document.xml` in
/// every file Word writes, but the package says where it is).
fn main_part(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>) -> Result<String, ImportError> {
    let Some(text) = part(zip, "_rels/.rels")? else {
        return Ok("word/document.xml".into());
    };
    let rels = parse(&text)?;
    let target = rels
        .descendants()
        .filter(|n| n.has_tag_name((PACKAGE_RELATIONSHIPS, "Relationship")))
        .find(|n| {
            n.attribute("Type")
                .is_some_and(|t| t.ends_with("/officeDocument"))
        })
        .and_then(|n| n.attribute("Target"))
        .map(|t| t.trim_start_matches('/').to_string());
    Ok(target.unwrap_or_else(|| "word/document.xml".into()))
}

/// One part of the package as text, `None` if the package has none by that name.
fn part(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, ImportError> {
    let file = match zip.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err(ImportError::NotDocx),
    };
    if file.size() > MAX_PART_BYTES {
        return Err(ImportError::TooLarge);
    }
    // The size in the directory is the sender's word: read no more than the limit either way.
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| ImportError::NotDocx)?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(ImportError::TooLarge);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ImportError::NotDocx)
}

fn parse(text: &str) -> Result<Document<'_>, ImportError> {
    Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
            ..ParsingOptions::default()
        },
    )
    .map_err(|error| match error {
        roxmltree::Error::NodesLimitReached => ImportError::TooLarge,
        _ => ImportError::NotDocx,
    })
}

fn is_w(node: &Node, name: &str) -> bool {
    node.has_tag_name((W, name))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is_w(n, name))
}

fn val<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attribute((W, "val"))
}

/// A toggle such as `<w:b/>` or `<w:b w:val="0"/>`.
fn toggle(properties: Node, name: &str) -> Option<bool> {
    child(properties, name).map(|n| !matches!(val(n), Some("0" | "false" | "off" | "none")))
}

/// Hyperlink targets by relationship id (external ones only: a draft links to the web).
fn external_targets(rels: &Document) -> HashMap<String, String> {
    rels.descendants()
        .filter(|n| n.has_tag_name((PACKAGE_RELATIONSHIPS, "Relationship")))
        .filter(|n| n.attribute("TargetMode") == Some("External"))
        .filter_map(|n| {
            Some((
                n.attribute("Id")?.to_string(),
                n.attribute("Target")?.to_string(),
            ))
        })
        .collect()
}

fn core_title(properties: &Document) -> Option<String> {
    properties
        .descendants()
        .find(|n| n.has_tag_name(("http://purl.org/dc/elements/1.1/", "title")))
        .and_then(|n| n.text())
        .map(|t| storable_part(t).trim().to_string())
        .filter(|t| !t.is_empty())
}

/// What a paragraph style says, as far as a draft cares.
#[derive(Clone, Debug, Default)]
struct Style {
    /// The built-in name, lower case (`heading 1`).
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    /// `(numId, level)`.
    numbering: Option<(String, Option<u8>)>,
    bold: Option<bool>,
    italic: Option<bool>,
}

#[derive(Default)]
struct Styles(HashMap<String, Style>);

impl Styles {
    fn read(doc: &Document) -> Styles {
        let mut styles = HashMap::new();
        for node in doc.descendants().filter(|n| is_w(n, "style")) {
            let Some(id) = node.attribute((W, "styleId")) else {
                continue;
            };
            let paragraph = child(node, "pPr");
            let run = child(node, "rPr");
            styles.insert(
                id.to_string(),
                Style {
                    name: child(node, "name")
                        .and_then(val)
                        .unwrap_or_default()
                        .to_lowercase(),
                    based_on: child(node, "basedOn").and_then(val).map(str::to_string),
                    outline: paragraph.and_then(outline_level),
                    numbering: paragraph.and_then(numbering_of),
                    bold: run.and_then(|r| toggle(r, "b")),
                    italic: run.and_then(|r| toggle(r, "i")),
                },
            );
        }
        Styles(styles)
    }

    /// The first answer `pick` gives along the style and the styles it is based on.
    fn find<T>(&self, id: &str, pick: impl Fn(&str, &Style) -> Option<T>) -> Option<T> {
        let mut id = id.to_string();
        // A chain of basedOn is short in any real file; a loop in a hostile one ends here.
        for _ in 0..16 {
            let style = self.0.get(&id)?;
            if let Some(found) = pick(&id, style) {
                return Some(found);
            }
            id = style.based_on.clone()?;
        }
        None
    }
}

fn outline_level(paragraph: Node) -> Option<u8> {
    // 0–8 are heading levels; 9 is body text.
    child(paragraph, "outlineLvl")
        .and_then(val)
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|level| *level < 9)
}

fn numbering_of(paragraph: Node) -> Option<(String, Option<u8>)> {
    let numbering = child(paragraph, "numPr")?;
    let id = child(numbering, "numId").and_then(val)?.to_string();
    let level = child(numbering, "ilvl")
        .and_then(val)
        .and_then(|v| v.parse().ok());
    Some((id, level))
}

/// Which numbering instances count with numbers and which with bullets, per level.
#[derive(Default)]
struct Numbering {
    /// numId → abstractNumId.
    instances: HashMap<String, String>,
    /// (abstractNumId, level) → the level's format (`bullet`, `decimal`, `none`…).
    formats: HashMap<(String, u8), String>,
}

impl Numbering {
    fn read(doc: &Document) -> Numbering {
        let mut numbering = Numbering::default();
        for node in doc.root_element().children() {
            if is_w(&node, "abstractNum") {
                let Some(id) = node.attribute((W, "abstractNumId")) else {
                    continue;
                };
                for level in node.children().filter(|n| is_w(n, "lvl")) {
                    let (Some(at), Some(format)) = (
                        level
                            .attribute((W, "ilvl"))
                            .and_then(|v| v.parse::<u8>().ok()),
                        child(level, "numFmt").and_then(val),
                    ) else {
                        continue;
                    };
                    numbering
                        .formats
                        .insert((id.to_string(), at), format.to_string());
                }
            } else if is_w(&node, "num")
                && let (Some(id), Some(abstract_id)) = (
                    node.attribute((W, "numId")),
                    child(node, "abstractNumId").and_then(val),
                )
            {
                numbering
                    .instances
                    .insert(id.to_string(), abstract_id.to_string());
            }
        }
        numbering
    }

    /// The kind of list `numId` at `level` makes; `None` where it numbers nothing.
    fn kind(&self, id: &str, level: u8) -> Option<ListKind> {
        // numId 0 takes a paragraph out of a list its style would put it in.
        if id == "0" {
            return None;
        }
        let format = self
            .instances
            .get(id)
            .and_then(|abstract_id| self.formats.get(&(abstract_id.clone(), level)));
        match format.map(String::as_str) {
            Some("none") => None,
            Some("bullet") => Some(ListKind::Bullet),
            Some(_) => Some(ListKind::Ordered),
            // A numbering the file does not describe: a list all the same.
            None => Some(ListKind::Bullet),
        }
    }
}

/// The walk through the document's body.
struct Reader<'a> {
    styles: &'a Styles,
    numbering: &'a Numbering,
    links: &'a HashMap<String, String>,
    out: Imported,
    paragraphs: Vec<Paragraph>,
    chars: usize,
}

/// A paragraph as read, before its typed numbers and labels are read as structure.
struct Paragraph {
    runs: Vec<Run>,
    format: Format,
}

/// What a paragraph is, before its text is read.
enum Role {
    /// The document's title (kept as the draft's title, not in its text).
    Title,
    /// A line of a generated table of contents: Baraza makes its own.
    Contents,
    Block(Format),
}

impl Reader<'_> {
    /// Reads the paragraphs of a body, a table cell or a content control, in order.
    fn blocks(&mut self, container: Node) -> Result<(), ImportError> {
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

/// The document's text from its paragraphs. Plain paragraphs typed the way drafts were before
/// they had structure ("Chapter 1. Purpose", "1.1 The strategy…", "5. Before…", "第五条 …",
/// "- item") are read as old drafts are ([`legacy`]), and so are "Article 5." labels: at the head
/// of a paragraph, or alone on the line before the article's text (as in many statutes).
fn structured(paragraphs: Vec<Paragraph>) -> Vec<Run> {
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

fn trim_runs(runs: &mut Vec<Run>) {
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
    use super::super::{Block, Kind, blocks};
    use super::*;
    use std::io::Write;

    /// A package with the given parts, as Word lays one out.
    fn package(document_body: &str, styles: &str, numbering: &str, links: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let parts = [
            (
                "_rels/.rels",
                format!(
                    "<?xml version=\"1.0\"?><Relationships xmlns=\"{PACKAGE_RELATIONSHIPS}\">\
                     <Relationship Id=\"rId1\" Type=\"{R}/officeDocument\" Target=\"word/document.xml\"/></Relationships>"
                ),
            ),
            (
                "word/document.xml",
                format!(
                    "<?xml version=\"1.0\"?><w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{document_body}</w:body></w:document>"
                ),
            ),
            (
                "word/styles.xml",
                format!("<?xml version=\"1.0\"?><w:styles xmlns:w=\"{W}\">{styles}</w:styles>"),
            ),
            (
                "word/numbering.xml",
                format!(
                    "<?xml version=\"1.0\"?><w:numbering xmlns:w=\"{W}\">{numbering}</w:numbering>"
                ),
            ),
            (
                "word/_rels/document.xml.rels",
                format!(
                    "<?xml version=\"1.0\"?><Relationships xmlns=\"{PACKAGE_RELATIONSHIPS}\">{links}</Relationships>"
                ),
            ),
        ];
        for (name, text) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn p(style: &str, runs: &str) -> String {
        let style = if style.is_empty() {
            String::new()
        } else {
            format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>")
        };
        format!("<w:p>{style}{runs}</w:p>")
    }

    fn r(text: &str) -> String {
        format!("<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>")
    }

    fn kinds(blocks: &[Block]) -> Vec<(Kind, String)> {
        blocks.iter().map(|b| (b.kind, b.text())).collect()
    }

    /// Style ids as a German Word names them; the built-in names say what they are.
    const STYLES: &str = "<w:style w:type=\"paragraph\" w:styleId=\"Titel\"><w:name w:val=\"Title\"/></w:style>\
        <w:style w:type=\"paragraph\" w:styleId=\"berschrift1\"><w:name w:val=\"heading 1\"/></w:style>\
        <w:style w:type=\"paragraph\" w:styleId=\"berschrift2\"><w:name w:val=\"heading 2\"/></w:style>\
        <w:style w:type=\"paragraph\" w:styleId=\"Zitat\"><w:name w:val=\"Quote\"/></w:style>\
        <w:style w:type=\"paragraph\" w:styleId=\"Aufzhlungszeichen\"><w:name w:val=\"List Bullet\"/></w:style>\
        <w:style w:type=\"paragraph\" w:styleId=\"Meine\"><w:name w:val=\"Mine\"/><w:basedOn w:val=\"berschrift2\"/></w:style>\
        <w:style w:type=\"character\" w:styleId=\"Fett\"><w:name w:val=\"Strong\"/><w:rPr><w:b/></w:rPr></w:style>";

    const NUMBERING: &str = "<w:abstractNum w:abstractNumId=\"7\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"decimal\"/></w:lvl>\
        <w:lvl w:ilvl=\"1\"><w:numFmt w:val=\"bullet\"/></w:lvl></w:abstractNum><w:num w:numId=\"3\"><w:abstractNumId w:val=\"7\"/></w:num>";

    fn numbered(level: u8, text: &str) -> String {
        format!(
            "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"3\"/></w:numPr></w:pPr>{}</w:p>",
            r(text)
        )
    }

    #[test]
    fn headings_lists_quotes_and_emphasis_come_through_by_their_built_in_names() {
        let body = [
            p("Titel", &r("Mediation Strategy")),
            p("berschrift1", &r("Purpose")),
            p("", &format!("{}<w:r><w:rPr><w:i/></w:rPr><w:t>all</w:t></w:r>{}<w:r><w:rPr><w:rStyle w:val=\"Fett\"/></w:rPr><w:t>everyone</w:t></w:r>", r("The city hears "), r(" of "))),
            p("Meine", &r("Who takes part")),
            numbered(0, "Residents"),
            numbered(1, "Of every district"),
            p("Aufzhlungszeichen", &r("Unions")),
            p("Zitat", &r("Nothing about us without us.")),
            "<w:p><w:hyperlink r:id=\"rL\"><w:r><w:t>the charter</w:t></w:r></w:hyperlink></w:p>".to_string(),
            "<w:p><w:r><w:t>kept</w:t></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:ins><w:r><w:t> added</w:t></w:r></w:ins></w:p>".to_string(),
        ]
        .concat();
        let links = format!(
            "<Relationship Id=\"rL\" Type=\"{R}/hyperlink\" Target=\"https://city.example/charter\" TargetMode=\"External\"/>"
        );
        let imported = read_docx(&package(&body, STYLES, NUMBERING, &links)).unwrap();
        assert_eq!(imported.title.as_deref(), Some("Mediation Strategy"));
        let all = blocks(&imported.runs);
        assert_eq!(
            kinds(&all),
            vec![
                (Kind::Chapter, "Purpose".into()),
                (Kind::Paragraph, "The city hears all of everyone".into()),
                (Kind::Section, "Who takes part".into()),
                (Kind::Ordered, "Residents".into()),
                (Kind::Bullet, "Of every district".into()),
                (Kind::Bullet, "Unions".into()),
                (Kind::Quote, "Nothing about us without us.".into()),
                (Kind::Paragraph, "the charter".into()),
                (Kind::Paragraph, "kept added".into()),
            ]
        );
        assert!(all[1].spans.iter().any(|s| s.italic && s.text == "all"));
        assert!(all[1].spans.iter().any(|s| s.bold && s.text == "everyone"));
        assert_eq!(all[4].indent, 1);
        assert_eq!(
            all[7].spans[0].link.as_deref(),
            Some("https://city.example/charter")
        );
    }

    #[test]
    fn article_labels_become_numbered_articles() {
        let body = [
            p("", &r("Article 1. This charter binds the city.")),
            p("", &r("Article 2")),
            p("", &r("Mediators are independent.")),
            p("", &r("Article 5 of the Constitution applies.")),
            p("", &r("第三条 本宪章适用于全市。")),
        ]
        .concat();
        let imported = read_docx(&package(&body, "", "", "")).unwrap();
        assert_eq!(
            kinds(&blocks(&imported.runs)),
            vec![
                (Kind::Article, "This charter binds the city.".into()),
                (Kind::Article, "Mediators are independent.".into()),
                (
                    Kind::Paragraph,
                    "Article 5 of the Constitution applies.".into()
                ),
                (Kind::Article, "本宪章适用于全市。".into()),
            ]
        );
    }

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

    #[test]
    fn tables_are_read_cell_by_cell_and_pictures_counted() {
        let body = format!(
            "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>{}",
            p("", &r("Cell one")),
            p("", &r("Cell two")),
            p(
                "",
                "<w:r><w:drawing/></w:r><w:r><w:t>After the picture</w:t></w:r>"
            )
        );
        let imported = read_docx(&package(&body, "", "", "")).unwrap();
        assert_eq!(imported.tables_flattened, 1);
        assert_eq!(imported.pictures_left_out, 1);
        assert_eq!(blocks(&imported.runs).len(), 3);
    }

    #[test]
    fn what_is_not_a_word_document_is_refused() {
        assert_eq!(read_docx(b"plain text"), Err(ImportError::NotDocx));
        assert_eq!(read_docx(b"PK\x03\x04broken"), Err(ImportError::NotDocx));
        // A ZIP without a document part.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"hi").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(read_docx(&bytes), Err(ImportError::NotDocx));
        // A document without text.
        assert_eq!(
            read_docx(&package(&p("", ""), "", "", "")),
            Err(ImportError::Empty)
        );
        // XML with a DTD (entity expansion) is not read.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><d>&b;</d>")
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(read_docx(&bytes), Err(ImportError::NotDocx));
    }

    #[test]
    fn a_part_that_unpacks_past_the_limit_is_refused_without_reading_it_all() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", options).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_PART_BYTES >> 20) {
            zip.write_all(&zeros).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(
            bytes.len() < MAX_FILE_BYTES,
            "the bomb is small: {}",
            bytes.len()
        );
        assert_eq!(read_docx(&bytes), Err(ImportError::TooLarge));
    }

    #[test]
    fn the_word_export_reads_back_with_the_same_structure() {
        use super::super::export::{Cover, docx};
        let original: Vec<Run> = serde_json::from_value(serde_json::json!([
            {"text": "Scope"}, {"text": "\n", "format": {"header": 1}},
            {"text": "The charter "}, {"text": "binds", "format": {"bold": true}}, {"text": " the city."},
            {"text": "\n", "format": {"article": true}},
            {"text": "It applies to every "}, {"text": "department", "format": {"link": "https://city.example/d"}},
            {"text": "\n"},
            {"text": "Residents"}, {"text": "\n", "format": {"list": "bullet"}},
            {"text": "Of every district"}, {"text": "\n", "format": {"list": "ordered", "indent": 1}},
            {"text": "Quoted."}, {"text": "\n", "format": {"blockquote": true}},
        ]))
        .unwrap();
        let cover = Cover {
            title: "Charter".into(),
            language: "en".into(),
            path: "/processes/1/drafts/1".into(),
            version: 1,
            version_name: "First".into(),
            date: "2026-12-04".into(),
            content_hash: "0".into(),
        };
        let file = docx::render(&cover, &blocks(&original)).unwrap();
        let imported = read_docx(&file).unwrap();
        assert_eq!(imported.title.as_deref(), Some("Charter"));
        let strip = |blocks: Vec<Block>| {
            blocks
                .into_iter()
                .map(|b| {
                    (
                        b.kind,
                        b.indent,
                        b.spans
                            .into_iter()
                            .map(|s| (s.text, s.bold, s.link))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(blocks(&imported.runs)), strip(blocks(&original)));
    }
}
