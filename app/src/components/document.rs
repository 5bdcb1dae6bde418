//! A draft drawn as semantic HTML: chapters and sections as headings, numbered articles and
//! paragraphs with their addresses (`#art-5`, `#p-5-2`), nested lists, quotations, emphasis and
//! links, with the commented passages, the others' selections and carets, and a marker after each
//! passage leading to its thread. The server renders it in the page and the browser redraws it
//! on every change, from the same code.

use crate::collab::view::{Segment, Shown};
use crate::domain::document::{Block, Kind, Span, article_label};
use leptos::prelude::*;
use std::iter::Peekable;

/// One block, drawn, waiting to be put in its list or quotation.
struct Drawn {
    kind: Kind,
    /// Where the block starts in the text (`data-block-start`, for selections that begin on
    /// an article's number).
    start: u32,
    indent: u8,
    id: String,
    number: Option<u32>,
    content: AnyView,
}

/// The whole document. `marker` is the accessible name of a thread marker (`{n}` is the
/// thread's number), or `None` where there are no threads to lead to (an export); `comment`
/// labels a button after each paragraph that comments on it (keyboard users' way to a passage),
/// where the reader may comment and the page is live.
pub fn document_view(
    shown: &Shown,
    lang: &str,
    marker: Option<&str>,
    comment: Option<&str>,
) -> AnyView {
    let mut pieces = shown.pieces.iter().peekable();
    let mut drawn = Vec::with_capacity(shown.blocks.len());
    for block in &shown.blocks {
        let mut inside = Vec::new();
        while let Some(piece) = pieces.peek() {
            if piece.start < block.start {
                // A blank line between blocks: nothing to draw.
                pieces.next();
            } else if piece.start > block.end {
                break;
            } else {
                inside.extend(pieces.next());
            }
        }
        drawn.push(Drawn {
            kind: block.kind,
            start: block.start,
            indent: block.indent,
            id: block.id.clone(),
            number: block.number,
            content: {
                let text = inline_view(block, &inside, marker);
                let button = comment
                    .filter(|_| block.kind.heading_level().is_none())
                    .map(|label| view! {
                        <button type="button" class="comment-block" data-block-start=block.start data-block-end=block.end>{label.to_string()}</button>
                    });
                view! { {text} {button} }.into_any()
            },
        });
    }
    let mut drawn = drawn.into_iter().peekable();
    let mut out: Vec<AnyView> = Vec::new();
    while let Some(next) = drawn.peek() {
        match next.kind {
            Kind::Bullet | Kind::Ordered => out.push(list_view(&mut drawn, 0)),
            Kind::Quote => {
                let mut paragraphs = Vec::new();
                while let Some(quote) = drawn.next_if(|d| d.kind == Kind::Quote) {
                    paragraphs.push(
                        view! { <p id=quote.id data-block-start=quote.start>{quote.content}</p> },
                    );
                }
                out.push(view! { <blockquote>{paragraphs}</blockquote> }.into_any());
            }
            _ => {
                if let Some(block) = drawn.next() {
                    out.push(block_view(block, lang));
                }
            }
        }
    }
    out.into_any()
}

fn block_view(block: Drawn, lang: &str) -> AnyView {
    let Drawn {
        kind,
        start,
        id,
        number,
        content,
        ..
    } = block;
    match kind {
        Kind::Chapter => view! { <h2 id=id data-block-start=start>{content}</h2> }.into_any(),
        Kind::Section => view! { <h3 id=id data-block-start=start>{content}</h3> }.into_any(),
        Kind::Subsection => view! { <h4 id=id data-block-start=start>{content}</h4> }.into_any(),
        Kind::Article => {
            let label = article_label(number.unwrap_or_default(), lang);
            view! {
                <p class="article" id=id data-block-start=start>
                    <a class="article-number" href=format!("#art-{}", number.unwrap_or_default())>{label}</a>
                    " "
                    {content}
                </p>
            }
            .into_any()
        }
        _ => view! { <p id=id data-block-start=start>{content}</p> }.into_any(),
    }
}

/// Consecutive list items as nested lists: an item nests under the one before it when it is
/// indented further; a change of list kind at the same depth starts a new list.
fn list_view(items: &mut Peekable<std::vec::IntoIter<Drawn>>, depth: u8) -> AnyView {
    let ordered = items.peek().is_some_and(|i| i.kind == Kind::Ordered);
    let kind = if ordered { Kind::Ordered } else { Kind::Bullet };
    let mut entries: Vec<AnyView> = Vec::new();
    while let Some(item) = items.peek() {
        let is_item = matches!(item.kind, Kind::Bullet | Kind::Ordered);
        if !is_item
            || item.indent < depth
            || (item.indent == depth && item.kind != kind && !entries.is_empty())
        {
            break;
        }
        if item.indent > depth {
            // Indented without an item above it at this depth: a list inside an empty entry.
            let inner = list_view(items, depth + 1);
            entries.push(view! { <li class="nested">{inner}</li> }.into_any());
            continue;
        }
        let Some(item) = items.next() else { break };
        let children = items
            .peek()
            .filter(|n| matches!(n.kind, Kind::Bullet | Kind::Ordered) && n.indent > depth)
            .is_some()
            .then(|| list_view(items, depth + 1));
        entries.push(
            view! { <li id=item.id data-block-start=item.start>{item.content}{children}</li> }
                .into_any(),
        );
    }
    if ordered {
        view! { <ol>{entries}</ol> }.into_any()
    } else {
        view! { <ul>{entries}</ul> }.into_any()
    }
}

/// A block's text: each piece in its inline format. The newline that ends the block is not
/// drawn, but a caret or a marker on it is.
fn inline_view(block: &Block, pieces: &[&Segment], marker: Option<&str>) -> AnyView {
    pieces
        .iter()
        .map(|piece| {
            let words = (piece.start < block.end)
                .then(|| formatted(span_at(block, piece.start), piece.text.clone()));
            piece_view(piece, words, marker)
        })
        .collect_view()
        .into_any()
}

/// One piece: inside its passages' highlight and the selection it is in, after the caret that
/// stands before it, followed by the markers of the passages that end with it.
fn piece_view(piece: &Segment, words: Option<AnyView>, marker: Option<&str>) -> AnyView {
    let caret = piece.caret.clone().map(|(colour, name)| {
        view! { <span class="caret" style=format!("border-color:{colour}") data-name=name></span> }
    });
    let style = piece
        .selected_by
        .as_ref()
        .map(|c| format!("background:{c}33"));
    // `data-at`: where the piece's words start in the text, so a selection in the page maps
    // back to the document (the page has article numbers and no newlines; the text has both
    // the other way round).
    let at = piece.start;
    // Coloured by who wrote it: the group's colour, the organisation's name on hover.
    let (by, by_name) = match &piece.by {
        Some(w) => (Some(format!("by-{}", w.group)), Some(w.name.clone())),
        None => (None, None),
    };
    let text = if piece.threads.is_empty() {
        view! { <span data-at=at style=style class=by title=by_name>{words}</span> }.into_any()
    } else {
        let threads = piece
            .threads
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        // Inside a passage, the writer's colour goes on the words within the highlight.
        let words = match by {
            Some(by) => view! { <span class=by title=by_name>{words}</span> }.into_any(),
            None => words.into_any(),
        };
        view! { <mark class="passage" data-at=at data-threads=threads style=style>{words}</mark> }
            .into_any()
    };
    let markers = marker.map(|label| {
        piece
            .ends
            .iter()
            .map(|n| {
                let label = label.replace("{n}", &n.to_string());
                view! { <a class="thread-marker" href=format!("#thread-{n}") aria-label=label data-n=n.to_string()></a> }
            })
            .collect_view()
    });
    view! { {caret} {text} {markers} }.into_any()
}

fn span_at(block: &Block, at: u32) -> Option<&Span> {
    block.spans.iter().rev().find(|s| s.start <= at)
}

/// Words in their inline format: emphasis, strong, a link.
fn formatted(span: Option<&Span>, words: String) -> AnyView {
    let Some(span) = span else {
        return words.into_any();
    };
    let mut view = words.into_any();
    if span.italic {
        view = view! { <em>{view}</em> }.into_any();
    }
    if span.bold {
        view = view! { <strong>{view}</strong> }.into_any();
    }
    if let Some(link) = &span.link {
        // Only https, http and mailto targets are ever stored (`document::is_link`).
        view = view! { <a href=link.clone() rel="nofollow ugc noopener">{view}</a> }.into_any();
    }
    view
}

/// A version as a standalone HTML page (the `html` export): the same semantic HTML as the
/// reading view, with the draft's title, language and the version's hash.
#[cfg(feature = "ssr")]
pub fn standalone_html(
    cover: &crate::domain::document::export::Cover,
    runs: &[crate::domain::document::Run],
) -> String {
    use leptos::tachys::view::RenderHtml;
    let shown = crate::collab::view::shown(runs, &[], &[], &[]);
    let body = document_view(&shown, &cover.language, None, None).to_html();
    let escape = crate::domain::xml::escape;
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><meta name=\"generator\" content=\"Baraza\">\
         <style>body{{font-family:system-ui,sans-serif;line-height:1.6;max-width:46rem;margin:2rem auto;padding:0 1rem}}\
         .article-number{{font-weight:700;color:inherit;text-decoration:none}}</style></head>\
         <body><article><h1>{title}</h1><p>{version}</p>{body}</article></body></html>\n",
        lang = escape(&cover.language),
        title = escape(&cover.title),
        version = escape(&format!(
            "{}. {} — {} — SHA-256 {}",
            cover.version, cover.version_name, cover.date, cover.content_hash
        )),
    )
}
