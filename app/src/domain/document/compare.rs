//! Two texts of a draft compared block by block, the way a drafter reads a revision: which
//! articles and paragraphs were inserted, deleted, changed (with the words that changed) or moved
//! elsewhere. Blocks are matched by their kind and words, never by their numbers, so inserting an
//! article does not make every later one look changed.

use super::{Block, Kind};
use similar::{Algorithm, DiffOp, TextDiff};

/// A piece of a block's words in a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Same(String),
    Added(String),
    Removed(String),
}

/// What happened to a block between the older and the newer text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    Unchanged,
    Inserted,
    Deleted,
    /// The same block, with some of its words changed (or its kind: a paragraph made an article).
    Changed,
    /// The same words, somewhere else.
    Moved,
}

/// One block of the comparison, in the order the reader meets it: the newer text's order, with
/// deleted blocks where they were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compared {
    pub what: What,
    /// The block in the older text (none if inserted).
    pub old: Option<Block>,
    /// The block in the newer text (none if deleted).
    pub new: Option<Block>,
    /// Its words, with what was added and removed.
    pub pieces: Vec<Change>,
    /// For a moved block: the older text's block it now follows (none: it now comes first).
    pub after: Option<Block>,
}

impl Compared {
    /// The block as the reader sees it here: the newer one, or the deleted one.
    pub fn block(&self) -> &Block {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .expect("a compared block is on one side at least")
    }
}

/// Two blocks this alike (the share of their words in common) are one block revised rather than
/// one deleted and another written.
const REVISED: f32 = 0.5;

/// Compares the blocks of two texts.
pub fn compare(old: &[Block], new: &[Block]) -> Vec<Compared> {
    let key = |b: &Block| (b.kind, b.text().trim().to_string());
    let old_keys: Vec<_> = old.iter().map(key).collect();
    let new_keys: Vec<_> = new.iter().map(key).collect();
    let mut out = Vec::with_capacity(new.len());
    for op in similar::capture_diff_slices(Algorithm::Patience, &old_keys, &new_keys) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    out.push(unchanged(&old[old_index + k], &new[new_index + k]));
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(old[old_index..old_index + old_len].iter().map(deleted)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(new[new_index..new_index + new_len].iter().map(inserted)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => out.extend(revised(
                &old[old_index..old_index + old_len],
                &new[new_index..new_index + new_len],
            )),
        }
    }
    find_moves(out)
}

/// Blocks replaced by others at one place: each older block is paired with the next newer one
/// alike enough to be its revision; the rest were deleted or inserted.
fn revised(old: &[Block], new: &[Block]) -> Vec<Compared> {
    let mut out = Vec::new();
    let mut next_new = 0;
    for before in old {
        let text = before.text();
        let pair = (next_new..new.len()).find(|&j| similarity(&text, &new[j].text()) >= REVISED);
        match pair {
            Some(j) => {
                out.extend(new[next_new..j].iter().map(inserted));
                out.push(changed(before, &new[j]));
                next_new = j + 1;
            }
            None => out.push(deleted(before)),
        }
    }
    out.extend(new[next_new..].iter().map(inserted));
    out
}

/// A deleted block whose words were inserted elsewhere was moved: it is shown once, where it now
/// is, with the block it now follows.
fn find_moves(mut out: Vec<Compared>) -> Vec<Compared> {
    let key = |b: &Block| (b.kind, b.text().trim().to_string());
    let mut i = 0;
    while i < out.len() {
        if out[i].what == What::Inserted {
            let wanted = key(out[i].block());
            let gone = out
                .iter()
                .position(|c| c.what == What::Deleted && key(c.block()) == wanted);
            if let Some(gone) = gone {
                let old = out.remove(gone).old;
                if gone < i {
                    i -= 1;
                }
                let after = out[..i].iter().rev().find_map(|c| match c.what {
                    What::Deleted => None,
                    _ => c.old.clone(),
                });
                let entry = &mut out[i];
                entry.what = What::Moved;
                entry.old = old;
                entry.after = after;
                entry.pieces = vec![Change::Same(entry.block().text())];
            }
        }
        i += 1;
    }
    out
}

fn unchanged(old: &Block, new: &Block) -> Compared {
    Compared {
        what: What::Unchanged,
        old: Some(old.clone()),
        new: Some(new.clone()),
        pieces: vec![Change::Same(new.text())],
        after: None,
    }
}

fn deleted(old: &Block) -> Compared {
    Compared {
        what: What::Deleted,
        old: Some(old.clone()),
        new: None,
        pieces: vec![Change::Removed(old.text())],
        after: None,
    }
}

fn inserted(new: &Block) -> Compared {
    Compared {
        what: What::Inserted,
        old: None,
        new: Some(new.clone()),
        pieces: vec![Change::Added(new.text())],
        after: None,
    }
}

fn changed(old: &Block, new: &Block) -> Compared {
    Compared {
        what: What::Changed,
        old: Some(old.clone()),
        new: Some(new.clone()),
        pieces: diff(&old.text(), &new.text()),
        after: None,
    }
}

/// How alike two texts are, from 0 (nothing in common) to 1 (the same words).
fn similarity(a: &str, b: &str) -> f32 {
    TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(std::time::Duration::from_millis(200))
        .diff_unicode_words(a, b)
        .ratio()
}

/// A readable word-level difference (each Chinese character counts as a word).
pub fn diff(old: &str, new: &str) -> Vec<Change> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(std::time::Duration::from_secs(2))
        .diff_unicode_words(old, new);
    let mut changes: Vec<Change> = Vec::new();
    for change in diff.iter_all_changes() {
        let value = change.value().to_string();
        let next = match change.tag() {
            similar::ChangeTag::Equal => Change::Same(value),
            similar::ChangeTag::Insert => Change::Added(value),
            similar::ChangeTag::Delete => Change::Removed(value),
        };
        match (changes.last_mut(), next) {
            (Some(Change::Same(a)), Change::Same(b))
            | (Some(Change::Added(a)), Change::Added(b))
            | (Some(Change::Removed(a)), Change::Removed(b)) => a.push_str(&b),
            (_, next) => changes.push(next),
        }
    }
    changes
}

/// Where a block is, for naming a change: an article by its number, a heading by its words, any
/// other block by its place in its article (or before the first article).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Article(u32),
    Heading(String),
    /// Paragraph `number` of article `article` (the article's own first paragraph is 1).
    Paragraph {
        article: u32,
        number: u32,
    },
    /// Paragraph `number` of the text before the first article.
    Opening(u32),
}

/// How much of a heading's words a change's name repeats.
const HEADING_IN_NAME: usize = 60;

impl Part {
    /// The part a block is, read from its address (`art-5`, `p-5-2`).
    pub fn of(block: &Block) -> Part {
        if block.kind.heading_level().is_some() {
            let text = block.text();
            let text = text.trim();
            let short: String = text.chars().take(HEADING_IN_NAME).collect();
            let short = if short.len() < text.len() {
                format!("{short}…")
            } else {
                short
            };
            return Part::Heading(short);
        }
        if block.kind == Kind::Article {
            return Part::Article(block.number.unwrap_or_default());
        }
        let mut numbers = block
            .id
            .strip_prefix("p-")
            .unwrap_or_default()
            .split('-')
            .map(|n| n.parse::<u32>().unwrap_or_default());
        let (article, number) = (
            numbers.next().unwrap_or_default(),
            numbers.next().unwrap_or_default(),
        );
        if article == 0 {
            Part::Opening(number)
        } else {
            Part::Paragraph { article, number }
        }
    }

    /// The article this part is in, if any (a moved block is said to follow its article).
    pub fn article(&self) -> Option<u32> {
        match self {
            Part::Article(n) | Part::Paragraph { article: n, .. } => Some(*n),
            _ => None,
        }
    }
}

/// The changes alone (what the comparison lists and steps through), in order.
pub fn changes(compared: &[Compared]) -> impl Iterator<Item = &Compared> {
    compared.iter().filter(|c| c.what != What::Unchanged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::{Format, Run, blocks};

    fn article(text: &str) -> Vec<Run> {
        vec![
            Run {
                text: text.into(),
                format: Format::default(),
            },
            Run {
                text: "\n".into(),
                format: Format {
                    article: true,
                    ..Format::default()
                },
            },
        ]
    }

    fn text(articles: &[&str]) -> Vec<Block> {
        blocks(&articles.iter().flat_map(|a| article(a)).collect::<Vec<_>>())
    }

    fn summary(compared: &[Compared]) -> Vec<(What, Part)> {
        changes(compared)
            .map(|c| (c.what, Part::of(c.block())))
            .collect()
    }

    #[test]
    fn an_inserted_article_renumbers_the_rest_without_changing_them() {
        let old = text(&["Residents take part.", "Data is open.", "Elders are heard."]);
        let new = text(&[
            "Residents take part.",
            "Every answer is public.",
            "Data is open.",
            "Elders are heard.",
        ]);
        let compared = compare(&old, &new);
        assert_eq!(summary(&compared), vec![(What::Inserted, Part::Article(2))]);
        assert_eq!(compared.len(), 4);
    }

    #[test]
    fn a_revised_article_shows_its_words() {
        let old = text(&["Residents take part.", "The city answers in 20 days."]);
        let new = text(&[
            "Residents take part.",
            "The city answers in 15 working days.",
        ]);
        let compared = compare(&old, &new);
        assert_eq!(summary(&compared), vec![(What::Changed, Part::Article(2))]);
        let revised = changes(&compared).next().unwrap();
        assert!(
            revised.pieces.contains(&Change::Added("15 working".into())),
            "{:?}",
            revised.pieces
        );
        assert!(
            revised.pieces.contains(&Change::Removed("20".into())),
            "{:?}",
            revised.pieces
        );
    }

    #[test]
    fn a_rewritten_article_is_deleted_and_inserted() {
        let old = text(&["Residents take part.", "The city answers in 20 days."]);
        let new = text(&["Residents take part.", "Elders hold a yearly assembly."]);
        let compared = compare(&old, &new);
        assert_eq!(
            summary(&compared),
            vec![
                (What::Deleted, Part::Article(2)),
                (What::Inserted, Part::Article(2))
            ]
        );
    }

    #[test]
    fn a_moved_article_is_named_with_what_it_follows() {
        let old = text(&["One.", "Two.", "Three.", "Four."]);
        let new = text(&["One.", "Three.", "Four.", "Two."]);
        let compared = compare(&old, &new);
        let moved: Vec<_> = changes(&compared).collect();
        assert_eq!(moved.len(), 1, "{compared:?}");
        assert_eq!(moved[0].what, What::Moved);
        // Numbers of the older text: article 2 now follows article 4.
        assert_eq!(Part::of(moved[0].old.as_ref().unwrap()), Part::Article(2));
        assert_eq!(Part::of(moved[0].after.as_ref().unwrap()), Part::Article(4));
        assert_eq!(moved[0].new.as_ref().unwrap().number, Some(4));
    }

    #[test]
    fn paragraphs_are_named_by_their_article() {
        let mut runs = article("Residents take part.");
        runs.push(Run {
            text: "In their own language.\n".into(),
            format: Format::default(),
        });
        let parts: Vec<Part> = blocks(&runs).iter().map(Part::of).collect();
        assert_eq!(
            parts,
            vec![
                Part::Article(1),
                Part::Paragraph {
                    article: 1,
                    number: 2
                }
            ]
        );
        let opening = blocks(&[Run {
            text: "A preamble.\n".into(),
            format: Format::default(),
        }]);
        assert_eq!(Part::of(&opening[0]), Part::Opening(1));
    }

    #[test]
    fn the_same_text_has_no_changes() {
        let old = text(&["One.", "Two."]);
        assert_eq!(changes(&compare(&old, &old)).count(), 0);
    }

    #[test]
    fn diffs_read_well_in_english_and_chinese() {
        let changes = diff(
            "Residents decide together.",
            "Residents and elders decide together.",
        );
        assert!(
            changes.contains(&Change::Added("and elders ".into()))
                || changes.contains(&Change::Added(" and elders".into())),
            "{changes:?}"
        );
        let changes = diff("市政府负责。", "市政府和长老会负责。");
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Added(s) if s.contains("长老会"))),
            "{changes:?}"
        );
        assert_eq!(diff("same", "same"), vec![Change::Same("same".into())]);
    }
}
