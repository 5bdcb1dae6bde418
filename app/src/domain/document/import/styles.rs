//! What a Word document's styles and numbering say about its paragraphs, as far as a draft
//! cares: which style is a heading of which level, a quotation or a list, and whether a list's
//! level counts with numbers or bullets.

use super::{W, child, is_w, toggle, val};
use crate::domain::document::ListKind;
use roxmltree::{Document, Node};
use std::collections::HashMap;

/// What a paragraph style says, as far as a draft cares.
#[derive(Clone, Debug, Default)]
pub(super) struct Style {
    /// The built-in name, lower case (`heading 1`).
    pub(super) name: String,
    pub(super) based_on: Option<String>,
    pub(super) outline: Option<u8>,
    /// `(numId, level)`.
    pub(super) numbering: Option<(String, Option<u8>)>,
    pub(super) bold: Option<bool>,
    pub(super) italic: Option<bool>,
}

#[derive(Default)]
pub(super) struct Styles(HashMap<String, Style>);

impl Styles {
    pub(super) fn read(doc: &Document) -> Styles {
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
    pub(super) fn find<T>(&self, id: &str, pick: impl Fn(&str, &Style) -> Option<T>) -> Option<T> {
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

pub(super) fn outline_level(paragraph: Node) -> Option<u8> {
    // 0–8 are heading levels; 9 is body text.
    child(paragraph, "outlineLvl")
        .and_then(val)
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|level| *level < 9)
}

pub(super) fn numbering_of(paragraph: Node) -> Option<(String, Option<u8>)> {
    let numbering = child(paragraph, "numPr")?;
    let id = child(numbering, "numId").and_then(val)?.to_string();
    let level = child(numbering, "ilvl")
        .and_then(val)
        .and_then(|v| v.parse().ok());
    Some((id, level))
}

/// Which numbering instances count with numbers and which with bullets, per level.
#[derive(Default)]
pub(super) struct Numbering {
    /// numId → abstractNumId.
    instances: HashMap<String, String>,
    /// (abstractNumId, level) → the level's format (`bullet`, `decimal`, `none`…).
    formats: HashMap<(String, u8), String>,
}

impl Numbering {
    pub(super) fn read(doc: &Document) -> Numbering {
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
    pub(super) fn kind(&self, id: &str, level: u8) -> Option<ListKind> {
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
