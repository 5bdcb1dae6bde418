//! Akoma Ntoso 3.0 (OASIS LegalDocML): the draft as a `bill`, its chapters, sections and articles
//! as the hierarchy of the body, each with the `eId` the standard's naming convention gives it,
//! and FRBR metadata naming the work, this language version and this version's hash.

use super::super::{Block, Kind};
use super::{Cover, is_list, label, xml_escape};
use std::fmt::Write;

/// The namespace of Akoma Ntoso 3.0.
pub const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

fn inline(block: &Block) -> String {
    block
        .spans
        .iter()
        .map(|span| {
            let mut text = xml_escape(&span.text);
            if span.italic {
                text = format!("<i>{text}</i>");
            }
            if span.bold {
                text = format!("<b>{text}</b>");
            }
            if let Some(link) = &span.link {
                text = format!("<a href=\"{}\">{text}</a>", xml_escape(link));
            }
            text
        })
        .collect()
}

/// ISO 639-2 codes, which FRBR metadata uses, for the languages Baraza knows.
fn language_639_2(tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or(tag);
    match primary {
        "en" => "eng",
        "zh" => "zho",
        "fr" => "fra",
        "es" => "spa",
        "ar" => "ara",
        "ru" => "rus",
        "pt" => "por",
        "sw" => "swa",
        other => other,
    }
    .to_string()
}

/// The open hierarchy while the blocks are read.
#[derive(Default)]
struct Open {
    chapter: Option<u32>,
    section: Option<u32>,
    subsection: bool,
    article: Option<u32>,
    chapters: u32,
    sections: u32,
    paragraphs: u32,
    loose: u32,
}

impl Open {
    fn close_article(&mut self, out: &mut String) {
        if self.article.take().is_some() {
            out.push_str("</article>\n");
        }
    }
    fn close_to(&mut self, out: &mut String, level: u8) {
        self.close_article(out);
        if level <= 3 && std::mem::take(&mut self.subsection) {
            out.push_str("</subsection>\n");
        }
        if level <= 2 && self.section.take().is_some() {
            out.push_str("</section>\n");
        }
        if level <= 1 && self.chapter.take().is_some() {
            out.push_str("</chapter>\n");
        }
    }
    /// The `eId` prefix of what is open (chapters and sections).
    fn prefix(&self) -> String {
        match (self.chapter, self.section) {
            (Some(c), Some(s)) => format!("chp_{c}__sec_{s}"),
            (Some(c), None) => format!("chp_{c}"),
            (None, Some(s)) => format!("sec_{s}"),
            (None, None) => String::new(),
        }
    }
}

/// The version as an Akoma Ntoso document.
pub fn render(cover: &Cover, blocks: &[Block]) -> String {
    let language = language_639_2(&cover.language);
    let work = format!("/akn/xx/bill/{}{}", cover.date, cover.path);
    let expression = format!("{work}/{language}@{}", cover.version);
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="{NAMESPACE}">
<bill name="draft">
<meta>
<identification source="#baraza">
<FRBRWork><FRBRthis value="{work}/!main"/><FRBRuri value="{work}"/><FRBRdate date="{date}" name="version"/><FRBRauthor href="#baraza"/><FRBRcountry value="xx"/></FRBRWork>
<FRBRExpression><FRBRthis value="{expression}/!main"/><FRBRuri value="{expression}"/><FRBRdate date="{date}" name="version"/><FRBRauthor href="#baraza"/><FRBRlanguage language="{language}"/></FRBRExpression>
<FRBRManifestation><FRBRthis value="{expression}/!main.xml"/><FRBRuri value="{expression}.akn"/><FRBRdate date="{date}" name="export"/><FRBRauthor href="#baraza"/></FRBRManifestation>
</identification>
<references source="#baraza"><TLCOrganization eId="baraza" href="/ontology/organization/baraza" showAs="Baraza"/></references>
<proprietary source="#baraza"><baraza:version xmlns:baraza="urn:baraza:akn:1" number="{number}" name="{name}" sha256="{hash}"/></proprietary>
</meta>
<preface><p class="title"><docTitle>{title}</docTitle></p></preface>
<body>
"##,
        date = cover.date,
        number = cover.version,
        name = xml_escape(&cover.version_name),
        hash = cover.content_hash,
        title = xml_escape(&cover.title),
    );
    let mut open = Open::default();
    let mut at = 0;
    while at < blocks.len() {
        let block = &blocks[at];
        match block.kind {
            Kind::Chapter => {
                open.close_to(&mut out, 1);
                open.chapters += 1;
                open.sections = 0;
                open.chapter = Some(open.chapters);
                let _ = writeln!(
                    out,
                    "<chapter eId=\"chp_{}\"><heading>{}</heading>",
                    open.chapters,
                    inline(block)
                );
            }
            Kind::Section => {
                open.close_to(&mut out, 2);
                open.sections += 1;
                open.section = Some(open.sections);
                let _ = writeln!(
                    out,
                    "<section eId=\"{}\"><heading>{}</heading>",
                    open.prefix(),
                    inline(block)
                );
            }
            Kind::Subsection => {
                open.close_to(&mut out, 3);
                open.subsection = true;
                let _ = writeln!(
                    out,
                    "<subsection eId=\"{}__subsec_{at}\"><heading>{}</heading>",
                    open.prefix(),
                    inline(block)
                );
            }
            Kind::Article => {
                open.close_article(&mut out);
                let number = block.number.unwrap_or_default();
                open.article = Some(number);
                open.paragraphs = 1;
                let _ = writeln!(
                    out,
                    "<article eId=\"art_{number}\"><num>{}</num>\n<paragraph eId=\"art_{number}__para_1\"><content><p>{}</p></content></paragraph>",
                    xml_escape(&label(block, &cover.language).unwrap_or_default()),
                    inline(block)
                );
            }
            _ => {
                // A paragraph, a quotation or a whole list: one paragraph of the open article,
                // or an unnumbered container of its own outside any article.
                let mut content = String::new();
                if is_list(block.kind) {
                    content.push_str("<blockList>");
                    while at < blocks.len() && is_list(blocks[at].kind) {
                        let _ = write!(content, "<item><p>{}</p></item>", inline(&blocks[at]));
                        at += 1;
                    }
                    at -= 1;
                    content.push_str("</blockList>");
                } else if block.kind == Kind::Quote {
                    let _ = write!(content, "<p class=\"quotation\">{}</p>", inline(block));
                } else {
                    let _ = write!(content, "<p>{}</p>", inline(block));
                }
                match open.article {
                    Some(number) => {
                        open.paragraphs += 1;
                        let _ = writeln!(
                            out,
                            "<paragraph eId=\"art_{number}__para_{}\"><content>{content}</content></paragraph>",
                            open.paragraphs
                        );
                    }
                    None => {
                        open.loose += 1;
                        let _ = writeln!(
                            out,
                            "<hcontainer name=\"text\" eId=\"hcont_{}\"><content>{content}</content></hcontainer>",
                            open.loose
                        );
                    }
                }
            }
        }
        at += 1;
    }
    open.close_to(&mut out, 1);
    out.push_str("</body>\n</bill>\n</akomaNtoso>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::{Format, Run, blocks};
    use super::*;

    #[test]
    fn chapters_hold_articles_with_their_paragraphs() {
        let line = |f: Format| Run {
            text: "\n".into(),
            format: f,
        };
        let plain = |t: &str| Run {
            text: t.into(),
            format: Format::default(),
        };
        let runs = vec![
            plain("Chapter 1 <Scope> & aims"),
            line(Format {
                header: Some(1),
                ..Format::default()
            }),
            plain("The city acts."),
            line(Format {
                article: true,
                ..Format::default()
            }),
            plain("It reports yearly."),
            line(Format::default()),
            plain("Chapter 2"),
            line(Format {
                header: Some(1),
                ..Format::default()
            }),
            plain("Residents may ask."),
            line(Format {
                article: true,
                ..Format::default()
            }),
        ];
        let cover = Cover {
            title: "Charter".into(),
            language: "en".into(),
            path: "/processes/1/drafts/1".into(),
            version: 2,
            version_name: "For comment".into(),
            date: "2026-12-03".into(),
            content_hash: "ab".into(),
        };
        let xml = render(&cover, &blocks(&runs));
        let body = &xml[xml.find("<body>").unwrap()..];
        assert_eq!(
            body,
            "<body>\n<chapter eId=\"chp_1\"><heading>Chapter 1 &lt;Scope&gt; &amp; aims</heading>\n\
             <article eId=\"art_1\"><num>1.</num>\n<paragraph eId=\"art_1__para_1\"><content><p>The city acts.</p></content></paragraph>\n\
             <paragraph eId=\"art_1__para_2\"><content><p>It reports yearly.</p></content></paragraph>\n\
             </article>\n</chapter>\n\
             <chapter eId=\"chp_2\"><heading>Chapter 2</heading>\n\
             <article eId=\"art_2\"><num>2.</num>\n<paragraph eId=\"art_2__para_1\"><content><p>Residents may ask.</p></content></paragraph>\n\
             </article>\n</chapter>\n</body>\n</bill>\n</akomaNtoso>\n"
        );
        assert!(xml.contains("<FRBRlanguage language=\"eng\"/>"));
        assert!(xml.contains("sha256=\"ab\""));
    }
}
