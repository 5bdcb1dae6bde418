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

mod body;
mod structure;
mod styles;

pub use structure::article_label;

use super::Run;
use crate::domain::input::storable_part;
use body::Reader;
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::HashMap;
use std::io::Read;
use styles::{Numbering, Styles};

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
    let mut reader = Reader::new(&styles, &numbering, &links);
    reader.blocks(body)?;
    let (mut imported, paragraphs) = reader.finish();
    imported.runs = structure::structured(paragraphs);
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

#[cfg(test)]
mod tests {
    use super::super::{Block, Kind, Run, blocks};
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
