//! What the editor island displays, computed from the text and the cursors of the others.

use crate::domain::document::{self, Block, Run};
use serde::{Deserialize, Serialize};

/// The connection as the writer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// The page has not come alive (JavaScript off or still loading).
    Static,
    Connecting,
    Connected,
    /// Disconnected: edits are kept and sent when the connection returns.
    Offline,
}

/// Someone else in the draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresentPeer {
    pub client: u64,
    pub name: String,
    pub org: Option<String>,
    pub colour: String,
    /// Their selection in UTF-16 offsets `(anchor, head)`, if known.
    pub cursor: Option<(u32, u32)>,
}

/// A piece of the text as displayed: plain, inside someone's selection, or with a caret before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Where the piece starts in the text (UTF-16 units).
    pub start: u32,
    pub text: String,
    /// The colour of the selection this piece is in.
    pub selected_by: Option<String>,
    /// A caret before this piece: (colour, name).
    pub caret: Option<(String, String)>,
    /// The comment threads whose passage this piece is in.
    pub threads: Vec<i64>,
    /// The threads whose passage ends with this piece (a marker after it leads to the thread).
    pub ends: Vec<i64>,
    /// Who wrote this piece, when the text is coloured by who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Writer>,
}

/// Who wrote a stretch of the text, as the page colours it: the stakeholder group's code
/// (`government`, `informal`, `individual`…) and the organisation's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writer {
    pub group: String,
    pub name: String,
}

/// A stretch of the text `[start, end)` (UTF-16 units) and who wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authored {
    pub start: u32,
    pub end: u32,
    pub by: Writer,
}

/// A commented passage: its thread and where it is now, in UTF-16 offsets `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub thread: i64,
    pub start: u32,
    pub end: u32,
}

/// Splits `text` at the others' selections and carets, at commented passages and at `cuts`
/// (where the document's blocks and formats change). Offsets are UTF-16 code units.
pub fn segments(text: &str, peers: &[PresentPeer], marks: &[Mark], cuts: &[u32]) -> Vec<Segment> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let len = units.len() as u32;
    // Boundaries: 0, len, and every cursor end, clamped and moved off the middle of a surrogate pair.
    let fix = |at: u32| {
        let at = at.min(len);
        if at > 0 && at < len && (0xDC00..0xE000).contains(&units[at as usize]) {
            at - 1
        } else {
            at
        }
    };
    let mut cuts: Vec<u32> = [0, len]
        .into_iter()
        .chain(cuts.iter().map(|c| fix(*c)))
        .collect();
    for peer in peers {
        if let Some((a, h)) = peer.cursor {
            cuts.push(fix(a));
            cuts.push(fix(h));
        }
    }
    let marks: Vec<Mark> = marks
        .iter()
        .map(|m| Mark {
            thread: m.thread,
            start: fix(m.start),
            end: fix(m.end),
        })
        .filter(|m| m.start < m.end)
        .collect();
    for mark in &marks {
        cuts.push(mark.start);
        cuts.push(mark.end);
    }
    cuts.sort();
    cuts.dedup();
    let mut out = Vec::new();
    for window in cuts.windows(2) {
        let (start, end) = (window[0], window[1]);
        let piece = String::from_utf16_lossy(&units[start as usize..end as usize]);
        let caret = peers
            .iter()
            .find(|p| p.cursor.is_some_and(|(_, h)| fix(h) == start))
            .map(|p| (p.colour.clone(), p.name.clone()));
        let selected_by = peers
            .iter()
            .find(|p| {
                p.cursor.is_some_and(|(a, h)| {
                    let (lo, hi) = (fix(a.min(h)), fix(a.max(h)));
                    lo <= start && end <= hi && lo < hi
                })
            })
            .map(|p| p.colour.clone());
        out.push(Segment {
            start,
            text: piece,
            selected_by,
            caret,
            threads: marks
                .iter()
                .filter(|m| m.start <= start && end <= m.end)
                .map(|m| m.thread)
                .collect(),
            ends: marks
                .iter()
                .filter(|m| m.end == end)
                .map(|m| m.thread)
                .collect(),
            by: None,
        });
    }
    // A caret at the very end has no piece after it.
    if let Some(p) = peers
        .iter()
        .find(|p| p.cursor.is_some_and(|(_, h)| fix(h) == len))
    {
        out.push(Segment {
            start: len,
            text: String::new(),
            selected_by: None,
            caret: Some((p.colour.clone(), p.name.clone())),
            threads: Vec::new(),
            ends: Vec::new(),
            by: None,
        });
    }
    if out.is_empty() {
        out.push(Segment {
            start: 0,
            text: String::new(),
            selected_by: None,
            caret: None,
            threads: Vec::new(),
            ends: Vec::new(),
            by: None,
        });
    }
    out
}

/// The document as displayed: its blocks, and the pieces of its text (each inside one block,
/// one inline format, one set of passages and selections) that the blocks are drawn from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Shown {
    pub blocks: Vec<Block>,
    pub pieces: Vec<Segment>,
}

/// Lays out the document's runs with the others' cursors and the commented passages, and, when
/// the text is coloured by who wrote it, the stretches of each writer (`authored`, in order).
pub fn shown(runs: &[Run], peers: &[PresentPeer], marks: &[Mark], authored: &[Authored]) -> Shown {
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    let blocks = document::blocks(runs);
    let cuts: Vec<u32> = blocks
        .iter()
        .flat_map(|b| b.spans.iter().map(|s| s.start).chain([b.start, b.end]))
        .chain(authored.iter().flat_map(|a| [a.start, a.end]))
        .collect();
    let mut pieces = segments(&text, peers, marks, &cuts);
    if !authored.is_empty() {
        let mut stretch = authored.iter().peekable();
        for piece in &mut pieces {
            while stretch.next_if(|a| a.end <= piece.start).is_some() {}
            piece.by = stretch
                .peek()
                .filter(|a| a.start <= piece.start)
                .map(|a| a.by.clone());
        }
    }
    Shown { pieces, blocks }
}

/// The stretches `(text, writer)` of the text laid end to end as [`Authored`] offsets; stretches
/// of one writer in a row are one.
pub fn authored(stretches: impl IntoIterator<Item = (String, Writer)>) -> Vec<Authored> {
    let mut out: Vec<Authored> = Vec::new();
    let mut at = 0u32;
    for (text, by) in stretches {
        let end = at + text.encode_utf16().count() as u32;
        match out.last_mut() {
            Some(last) if last.by == by => last.end = end,
            _ => out.push(Authored { start: at, end, by }),
        }
        at = end;
    }
    out
}

/// The smallest edit turning `old` into `new`, in UTF-16 units: `(at, deleted, inserted)`.
/// Never splits a surrogate pair, so emoji survive.
pub fn text_change(old: &str, new: &str) -> Option<(u32, u32, String)> {
    let (a, b): (Vec<u16>, Vec<u16>) = (old.encode_utf16().collect(), new.encode_utf16().collect());
    if a == b {
        return None;
    }
    let mut prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix > 0 && (0xD800..0xDC00).contains(&a[prefix - 1]) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    if suffix > 0 && (0xDC00..0xE000).contains(&a[a.len() - suffix]) {
        suffix -= 1;
    }
    let deleted = (a.len() - prefix - suffix) as u32;
    let inserted = String::from_utf16_lossy(&b[prefix..b.len() - suffix]);
    Some((prefix as u32, deleted, inserted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_minimal_and_keep_emoji_whole() {
        assert_eq!(text_change("abc", "abc"), None);
        assert_eq!(text_change("abc", "abXc"), Some((2, 0, "X".into())));
        assert_eq!(text_change("abc", "ac"), Some((1, 1, String::new())));
        assert_eq!(text_change("议事", "议事规则"), Some((2, 0, "规则".into())));
        // 😀 and 😃 share their first UTF-16 unit: the change must replace the whole pair.
        assert_eq!(text_change("a😀b", "a😃b"), Some((1, 2, "😃".into())));
        assert_eq!(text_change("aa", "aaa"), Some((2, 0, "a".into())));
    }

    #[test]
    fn pieces_carry_who_wrote_them() {
        let writer = |group: &str| Writer {
            group: group.into(),
            name: group.into(),
        };
        let stretches = authored([
            ("Residents ".to_string(), writer("government")),
            ("and elders ".to_string(), writer("informal")),
            ("decide.\n".to_string(), writer("government")),
        ]);
        assert_eq!(stretches.len(), 3);
        let runs = [Run {
            text: "Residents and elders decide.\n".into(),
            format: Default::default(),
        }];
        let shown = shown(&runs, &[], &[], &stretches);
        let by: Vec<(&str, &str)> = shown
            .pieces
            .iter()
            .filter(|p| !p.text.is_empty())
            .map(|p| {
                (
                    p.text.as_str(),
                    p.by.as_ref().map_or("", |w| w.group.as_str()),
                )
            })
            .collect();
        assert_eq!(
            by,
            vec![
                ("Residents ", "government"),
                ("and elders ", "informal"),
                ("decide.", "government"),
                ("\n", "government"),
            ]
        );
    }

    #[test]
    fn segments_mark_selections_and_carets() {
        let peer = |client, cursor| PresentPeer {
            client,
            name: format!("p{client}"),
            org: None,
            colour: "#000".into(),
            cursor: Some(cursor),
        };
        let parts = segments(
            "hello world",
            &[peer(1, (0, 5)), peer(2, (11, 11))],
            &[],
            &[],
        );
        assert_eq!(parts[0].text, "hello");
        assert!(parts[0].selected_by.is_some());
        assert_eq!(parts[1].text, " world");
        assert!(parts[1].selected_by.is_none());
        assert_eq!(parts.last().unwrap().caret.as_ref().unwrap().1, "p2");
        let text: String = parts.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, "hello world");
        // Cursors beyond the end, or inside an emoji, are moved to a safe place.
        let parts = segments("a😀", &[peer(1, (2, 99))], &[], &[]);
        assert_eq!(
            parts.iter().map(|s| s.text.as_str()).collect::<String>(),
            "a😀"
        );
    }

    #[test]
    fn segments_mark_commented_passages_and_where_they_end() {
        let marks = [
            Mark {
                thread: 7,
                start: 0,
                end: 5,
            },
            Mark {
                thread: 8,
                start: 3,
                end: 11,
            },
            Mark {
                thread: 9,
                start: 4,
                end: 4,
            },
        ];
        let parts = segments("hello world", &[], &marks, &[]);
        let texts: Vec<&str> = parts.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["hel", "lo", " world"]);
        assert_eq!(parts[0].threads, vec![7]);
        assert_eq!(parts[1].threads, vec![7, 8]);
        assert_eq!(parts[1].ends, vec![7]);
        assert_eq!(parts[2].threads, vec![8]);
        assert_eq!(parts[2].ends, vec![8]);
        // An empty passage (deleted text) is not drawn.
        assert!(parts.iter().all(|p| !p.threads.contains(&9)));
        // The document's own boundaries cut too, and every piece knows where it starts.
        let parts = segments("hello world", &[], &marks, &[6]);
        let starts: Vec<u32> = parts.iter().map(|s| s.start).collect();
        assert_eq!(starts, vec![0, 3, 5, 6]);
    }
}
