//! The formatting a draft's text may carry, as attributes of its `Y.Text` (the model Quill and
//! `y-quill` use): block formats on the newline that ends a line, inline formats on runs of
//! characters. Every attribute any client sends is checked here, by the server's validator and
//! by the browser, so the document never holds a shape the rest of Baraza cannot read.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The deepest a list may nest (Quill's `indent`, 1 to this).
pub const MAX_INDENT: u8 = 4;
/// The longest link target, in bytes.
pub const MAX_LINK: usize = 2048;

/// What kind of list a line is an item of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Ordered,
    Bullet,
}

/// One attribute, as checked: a value to set, or `None` to remove it (Yjs sends `null`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribute {
    /// `header`: 1 a chapter, 2 a section, 3 a subsection.
    Header(Option<u8>),
    /// `article`: the line opens a numbered article (its first paragraph).
    Article(bool),
    /// `list`: `"ordered"` or `"bullet"`.
    List(Option<ListKind>),
    /// `indent`: how deep a list item nests, 1 to [`MAX_INDENT`].
    Indent(u8),
    /// `blockquote`: the line is quoted.
    Blockquote(bool),
    /// `bold`.
    Bold(bool),
    /// `italic`.
    Italic(bool),
    /// `link`: an `https:`, `http:` or `mailto:` address.
    Link(Option<String>),
}

/// Why an attribute was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadAttribute {
    #[error("the attribute {0:?} is not part of a draft's formatting")]
    Unknown(String),
    #[error("the attribute {0:?} has a value a draft cannot hold")]
    Value(&'static str),
}

impl Attribute {
    /// Checks one attribute as a Yjs client sent it.
    pub fn parse(key: &str, value: &Value) -> Result<Attribute, BadAttribute> {
        let flag = |name: &'static str| match value {
            Value::Null | Value::Bool(false) => Ok(false),
            Value::Bool(true) => Ok(true),
            _ => Err(BadAttribute::Value(name)),
        };
        let level = |name: &'static str, max: u8| match value {
            Value::Null => Ok(None),
            // yrs writes whole numbers it holds as floats with a fraction ("1.0").
            Value::Number(n) => n
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (1.0..=f64::from(max)).contains(n))
                .map(|n| Some(n as u8))
                .ok_or(BadAttribute::Value(name)),
            _ => Err(BadAttribute::Value(name)),
        };
        Ok(match key {
            "header" => Attribute::Header(level("header", 3)?),
            "article" => Attribute::Article(flag("article")?),
            "list" => Attribute::List(match value {
                Value::Null => None,
                Value::String(s) if s == "ordered" => Some(ListKind::Ordered),
                Value::String(s) if s == "bullet" => Some(ListKind::Bullet),
                _ => return Err(BadAttribute::Value("list")),
            }),
            "indent" => Attribute::Indent(level("indent", MAX_INDENT)?.unwrap_or(0)),
            "blockquote" => Attribute::Blockquote(flag("blockquote")?),
            "bold" => Attribute::Bold(flag("bold")?),
            "italic" => Attribute::Italic(flag("italic")?),
            "link" => Attribute::Link(match value {
                Value::Null => None,
                Value::String(s) if is_link(s) => Some(s.clone()),
                _ => return Err(BadAttribute::Value("link")),
            }),
            other => return Err(BadAttribute::Unknown(other.to_string())),
        })
    }
}

/// Whether `target` may be a link in a draft: an absolute `https:`/`http:` address or `mailto:`,
/// without spaces or control characters (so it cannot break out of an `href`, or run a script).
pub fn is_link(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    target.len() <= MAX_LINK
        && (lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("mailto:"))
        && !target.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The formatting of one run of the text: the attributes Yjs reports for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Format {
    /// 1 a chapter, 2 a section, 3 a subsection (block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<u8>,
    /// Opens a numbered article (block).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub article: bool,
    /// An item of a list (block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListKind>,
    /// How deep a list item nests, 0 for the outermost (block).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub indent: u8,
    /// Quoted (block).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blockquote: bool,
    /// Strong emphasis (inline).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    /// Emphasis (inline).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub italic: bool,
    /// A link's target (inline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl Format {
    /// The format of a run from its attributes as yrs or Yjs report them. Attributes that do not
    /// check (which the server never lets in) are ignored rather than trusted.
    pub fn from_attributes<'a>(attributes: impl IntoIterator<Item = (&'a str, Value)>) -> Format {
        let mut format = Format::default();
        for (key, value) in attributes {
            if let Ok(attribute) = Attribute::parse(key, &value) {
                format.set(attribute);
            }
        }
        format
    }

    /// Sets one attribute.
    pub fn set(&mut self, attribute: Attribute) {
        match attribute {
            Attribute::Header(level) => self.header = level,
            Attribute::Article(on) => self.article = on,
            Attribute::List(kind) => self.list = kind,
            Attribute::Indent(depth) => self.indent = depth,
            Attribute::Blockquote(on) => self.blockquote = on,
            Attribute::Bold(on) => self.bold = on,
            Attribute::Italic(on) => self.italic = on,
            Attribute::Link(target) => self.link = target,
        }
    }

    /// Only the inline part (what a run of characters inside a line carries).
    pub fn inline(&self) -> Format {
        Format {
            bold: self.bold,
            italic: self.italic,
            link: self.link.clone(),
            ..Format::default()
        }
    }

    /// The attributes as a Yjs client writes them (for formatting a line or a run).
    pub fn attributes(&self) -> Vec<(&'static str, Value)> {
        let mut out = Vec::new();
        if let Some(level) = self.header {
            out.push(("header", Value::from(level)));
        }
        if self.article {
            out.push(("article", Value::Bool(true)));
        }
        if let Some(kind) = self.list {
            let kind = match kind {
                ListKind::Ordered => "ordered",
                ListKind::Bullet => "bullet",
            };
            out.push(("list", Value::from(kind)));
        }
        if self.indent > 0 {
            out.push(("indent", Value::from(self.indent)));
        }
        if self.blockquote {
            out.push(("blockquote", Value::Bool(true)));
        }
        if self.bold {
            out.push(("bold", Value::Bool(true)));
        }
        if self.italic {
            out.push(("italic", Value::Bool(true)));
        }
        if let Some(link) = &self.link {
            out.push(("link", Value::from(link.as_str())));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_shapes_of_a_policy_text_are_allowed() {
        assert_eq!(
            Attribute::parse("header", &json!(1)),
            Ok(Attribute::Header(Some(1)))
        );
        assert_eq!(
            Attribute::parse("header", &json!(null)),
            Ok(Attribute::Header(None))
        );
        assert_eq!(
            Attribute::parse("list", &json!("bullet")),
            Ok(Attribute::List(Some(ListKind::Bullet)))
        );
        assert_eq!(
            Attribute::parse("indent", &json!(2)),
            Ok(Attribute::Indent(2))
        );
        for (key, value) in [
            ("header", json!(7)),
            ("header", json!("1")),
            ("header", json!(0)),
            ("indent", json!(5)),
            ("list", json!("checked")),
            ("bold", json!("yes")),
            ("bold", json!({"nested": [1]})),
            ("link", json!("javascript:alert(1)")),
            ("link", json!("https://example.org/a b")),
            (
                "link",
                json!(format!("https://example.org/{}", "a".repeat(MAX_LINK))),
            ),
        ] {
            assert!(
                matches!(Attribute::parse(key, &value), Err(BadAttribute::Value(_))),
                "{key} = {value}"
            );
        }
        for key in ["color", "font", "image", "code-block", "script", ""] {
            assert!(matches!(
                Attribute::parse(key, &json!(true)),
                Err(BadAttribute::Unknown(_))
            ));
        }
    }

    #[test]
    fn a_format_reads_back_what_it_writes() {
        let format = Format {
            list: Some(ListKind::Ordered),
            indent: 2,
            bold: true,
            link: Some("https://kalden.example/data".into()),
            ..Format::default()
        };
        let attributes = format.attributes();
        assert_eq!(
            Format::from_attributes(attributes.iter().map(|(k, v)| (*k, v.clone()))),
            format
        );
        assert_eq!(format.inline().list, None);
        assert!(format.inline().bold);
    }
}
