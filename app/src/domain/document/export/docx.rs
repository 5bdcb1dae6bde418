//! Word's `.docx` (Office Open XML): chapters, sections and subsections as Heading 1–3 (so Word's
//! navigation pane lists them), articles as paragraphs led by their number, bulleted and numbered
//! lists with their levels, quotations, bold, italic and links. Only the parts Word needs.

use super::super::{Block, Kind};
use super::{Cover, label, xml_escape};
use std::io::Write;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn run(text: &str, bold: bool, italic: bool) -> String {
    let mut properties = String::new();
    if bold {
        properties.push_str("<w:b/>");
    }
    if italic {
        properties.push_str("<w:i/>");
    }
    let properties = if properties.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{properties}</w:rPr>")
    };
    format!(
        "<w:r>{properties}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        xml_escape(text)
    )
}

/// The document part and the hyperlinks it refers to (relationship id, target).
fn document(cover: &Cover, blocks: &[Block]) -> (String, Vec<(String, String)>) {
    let mut links: Vec<(String, String)> = Vec::new();
    let mut body = format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr>{}</w:p>",
        run(&cover.title, false, false)
    );
    for block in blocks {
        let style = match block.kind {
            Kind::Chapter => Some("Heading1"),
            Kind::Section => Some("Heading2"),
            Kind::Subsection => Some("Heading3"),
            Kind::Quote => Some("Quote"),
            Kind::Bullet | Kind::Ordered => Some("ListParagraph"),
            Kind::Article | Kind::Paragraph => None,
        };
        let numbering = match block.kind {
            Kind::Bullet => Some(1),
            Kind::Ordered => Some(2),
            _ => None,
        }
        .map(|id| {
            format!(
                "<w:numPr><w:ilvl w:val=\"{}\"/><w:numId w:val=\"{id}\"/></w:numPr>",
                block.indent
            )
        });
        let properties = format!(
            "<w:pPr>{}{}</w:pPr>",
            style
                .map(|s| format!("<w:pStyle w:val=\"{s}\"/>"))
                .unwrap_or_default(),
            numbering.unwrap_or_default()
        );
        let mut runs = label(block, &cover.language)
            .map(|l| run(&format!("{l} "), true, false))
            .unwrap_or_default();
        for span in &block.spans {
            let inner = run(&span.text, span.bold, span.italic);
            match &span.link {
                Some(target) => {
                    let id = format!("rLink{}", links.len() + 1);
                    runs.push_str(&format!("<w:hyperlink r:id=\"{id}\">{inner}</w:hyperlink>"));
                    links.push((id, target.clone()));
                }
                None => runs.push_str(&inner),
            }
        }
        body.push_str(&format!("<w:p>{properties}{runs}</w:p>"));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr>\
         </w:body></w:document>"
    );
    (xml, links)
}

fn styles(language: &str) -> String {
    let heading = |id: u8, size: u8| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{id}\"><w:name w:val=\"heading {id}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
             <w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"{}\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"{size}\"/></w:rPr></w:style>",
            id - 1
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:styles xmlns:w=\"{W}\">\
         <w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val=\"22\"/><w:lang w:val=\"{}\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:rPr><w:b/><w:sz w:val=\"40\"/></w:rPr></w:style>\
         {}{}{}\
         <w:style w:type=\"paragraph\" w:styleId=\"Quote\"><w:name w:val=\"Quote\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:ind w:left=\"720\"/></w:pPr><w:rPr><w:i/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/></w:style>\
         </w:styles>",
        xml_escape(language),
        heading(1, 32),
        heading(2, 28),
        heading(3, 24)
    )
}

fn numbering() -> String {
    let levels = |ordered: bool| {
        (0..=4)
            .map(|level| {
                let (format, text) = if ordered {
                    ("decimal", format!("%{}.", level + 1))
                } else {
                    ("bullet", ["•", "◦", "▪", "•", "◦"][level].to_string())
                };
                format!(
                    "<w:lvl w:ilvl=\"{level}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{format}\"/><w:lvlText w:val=\"{text}\"/><w:lvlJc w:val=\"left\"/>\
                     <w:pPr><w:ind w:left=\"{}\" w:hanging=\"360\"/></w:pPr></w:lvl>",
                    720 * (level + 1)
                )
            })
            .collect::<String>()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:numbering xmlns:w=\"{W}\">\
         <w:abstractNum w:abstractNumId=\"1\">{}</w:abstractNum><w:abstractNum w:abstractNumId=\"2\">{}</w:abstractNum>\
         <w:num w:numId=\"1\"><w:abstractNumId w:val=\"1\"/></w:num><w:num w:numId=\"2\"><w:abstractNumId w:val=\"2\"/></w:num></w:numbering>",
        levels(false),
        levels(true)
    )
}

/// The version as a `.docx` file.
pub fn render(cover: &Cover, blocks: &[Block]) -> std::io::Result<Vec<u8>> {
    let (document, links) = document(cover, blocks);
    let hyperlinks: String = links
        .iter()
        .map(|(id, target)| {
            format!(
                "<Relationship Id=\"{id}\" Type=\"{R}/hyperlink\" Target=\"{}\" TargetMode=\"External\"/>",
                xml_escape(target)
            )
        })
        .collect();
    let parts: [(&str, String); 7] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
             <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
             <Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>\
             <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rDoc\" Type=\"{R}/officeDocument\" Target=\"word/document.xml\"/>\
             <Relationship Id=\"rCore\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>"),
        ),
        (
            "word/_rels/document.xml.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rStyles\" Type=\"{R}/styles\" Target=\"styles.xml\"/><Relationship Id=\"rNumbering\" Type=\"{R}/numbering\" Target=\"numbering.xml\"/>{hyperlinks}</Relationships>"),
        ),
        ("word/document.xml", document),
        ("word/styles.xml", styles(&cover.language)),
        ("word/numbering.xml", numbering()),
        (
            "docProps/core.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
             <dc:title>{}</dc:title><dc:language>{}</dc:language><dc:identifier>sha256:{}</dc:identifier></cp:coreProperties>",
                xml_escape(&cover.title), xml_escape(&cover.language), cover.content_hash),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}
