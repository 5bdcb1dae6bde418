//! Rendering stored text safely: as elements, never as raw HTML.

use crate::domain::localized::Shown;
use crate::domain::text::{Block, blocks};
use leptos::prelude::*;

/// Paragraphs and lists of a text, marked with the language the text is actually in.
#[component]
pub fn TextBlocks(shown: Shown) -> impl IntoView {
    let rendered = blocks(&shown.text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(text) => view! { <p>{text}</p> }.into_any(),
            Block::List(items) => {
                view! { <ul>{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ul> }
                    .into_any()
            }
        })
        .collect_view();
    view! { <div class="prose" lang=shown.lang>{rendered}</div> }
}

/// A short text inline, marked with its language.
#[component]
pub fn Local(shown: Shown) -> impl IntoView {
    view! { <span lang=shown.lang>{shown.text}</span> }
}
