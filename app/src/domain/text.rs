//! Plain text with paragraphs and bullet lists: the format of process texts. It is parsed into
//! blocks and rendered as elements, never as raw HTML, so no input can inject markup.

use serde::{Deserialize, Serialize};

/// A block of text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// Lines joined into one paragraph.
    Paragraph(String),
    /// Consecutive lines that start with "- ".
    List(Vec<String>),
}

/// Splits text into paragraphs (separated by blank lines) and bullet lists.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    fn flush(out: &mut Vec<Block>, paragraph: &mut Vec<&str>, items: &mut Vec<String>) {
        if !paragraph.is_empty() {
            out.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
        if !items.is_empty() {
            out.push(Block::List(std::mem::take(items)));
        }
    }
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut out, &mut paragraph, &mut items);
        } else if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            if !paragraph.is_empty() {
                flush(&mut out, &mut paragraph, &mut items);
            }
            items.push(item.trim().to_string());
        } else {
            if !items.is_empty() {
                flush(&mut out, &mut paragraph, &mut items);
            }
            paragraph.push(line);
        }
    }
    flush(&mut out, &mut paragraph, &mut items);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_lists() {
        let text = "We meet in good faith.\nEvidence matters.\n\n- Be brief\n- Cite sources\nAfter the list.\n\n\n";
        assert_eq!(
            blocks(text),
            vec![
                Block::Paragraph("We meet in good faith. Evidence matters.".into()),
                Block::List(vec!["Be brief".into(), "Cite sources".into()]),
                Block::Paragraph("After the list.".into()),
            ]
        );
        assert!(blocks("  \n \n").is_empty());
    }

    #[test]
    fn markup_stays_text() {
        assert_eq!(
            blocks("<script>x</script>"),
            vec![Block::Paragraph("<script>x</script>".into())]
        );
    }
}
