//! Comments on passages, in the browser: selecting words in the text fills the comment form with
//! the quote and its sticky positions, and comment threads that change elsewhere are fetched and
//! replaced in the page as they happen (Server-Sent Events from the server's live channel).
//!
//! The threads are rendered on the server only (one renderer for the page, the thread's own page
//! and live updates, so a comment is made safe in one place); the browser swaps in the thread's
//! element from its own page.

use super::client::Shared;
use crate::domain::comments::utf16_slice;
use crate::domain::hex::encode as hex;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, EventSource, HtmlInputElement, HtmlTextAreaElement, MessageEvent,
    XmlHttpRequest, XmlHttpRequestResponseType,
};
use yrs::updates::encoder::Encode;
use yrs::{Assoc, GetString, IndexedSequence, Text, Transact};

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

fn input(document: &Document, id: &str) -> Option<HtmlInputElement> {
    document.get_element_by_id(id)?.dyn_into().ok()
}

/// Listens for selections in the text and for changes to the draft's comment threads.
pub fn bind(editor: &Shared) {
    let Some(document) = document() else {
        return;
    };
    // The reading view: the document's selection. The editor reports its own (client.rs).
    let e = editor.clone();
    let on_select = Closure::<dyn FnMut()>::new(move || offer_passage(&e));
    let _ = document
        .add_event_listener_with_callback("selectionchange", on_select.as_ref().unchecked_ref());
    on_select.forget();
    // Typing a quote by hand drops the positions of an earlier selection: the server then finds
    // the words in the text instead.
    if let Some(quote) = document.get_element_by_id("comment-quote") {
        let on_input = Closure::<dyn FnMut()>::new(move || {
            if let Some(document) = self::document() {
                set_passage(&document, None);
            }
        });
        let _ = quote.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
        on_input.forget();
    }
    bind_comment_buttons(editor, &document);
    super::long_press::bind(&document);
    watch(editor);
}

/// The "Comment" button beside a selection, and the "Comment on this paragraph" buttons: each
/// opens the comment form next to its passage, with the passage filled in.
fn bind_comment_buttons(editor: &Shared, document: &Document) {
    if document.get_element_by_id("comment-quote").is_none() {
        return;
    }
    let Ok(float) = document.create_element("button") else {
        return;
    };
    float.set_class_name("comment-float");
    let _ = float.set_attribute("type", "button");
    let _ = float.set_attribute("hidden", "");
    float.set_text_content(Some(&editor.borrow().words.comment_selection));
    if let Some(body) = document.body() {
        let _ = body.append_child(&float);
    }
    // Pressing the button must not take the selection away before it is read.
    let keep =
        Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| event.prevent_default());
    let _ = float.add_event_listener_with_callback("mousedown", keep.as_ref().unchecked_ref());
    keep.forget();
    let on_float = Closure::<dyn FnMut()>::new(move || {
        if let Some(document) = self::document() {
            let near = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .filter(|s| s.range_count() > 0)
                .and_then(|s| s.get_range_at(0).ok())
                .and_then(|r| r.start_container().ok());
            open_form(&document, near.and_then(|n| block_of(&n)));
        }
    });
    let _ = float.add_event_listener_with_callback("click", on_float.as_ref().unchecked_ref());
    on_float.forget();
    // "Comment on this paragraph": the reading view is redrawn on every change, so the buttons
    // are found by delegation.
    let e = editor.clone();
    let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest(".comment-block").ok().flatten())
        else {
            return;
        };
        let read = |name: &str| button.get_attribute(name)?.parse::<u32>().ok();
        if let (Some(start), Some(end), Some(document)) = (
            read("data-block-start"),
            read("data-block-end"),
            self::document(),
        ) {
            offer_range(&e, &document, start, end);
            open_form(&document, block_of(&button));
        }
    });
    let _ = document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
}

/// The block of the reading view a node is in.
fn block_of(node: &web_sys::Node) -> Option<Element> {
    let element = match node.dyn_ref::<Element>() {
        Some(element) => element.clone(),
        None => node.parent_element()?,
    };
    element.closest("[data-block-start]").ok().flatten()
}

/// Shows the comment form beside `block` (below it, or in the margin on a wide screen) and puts
/// the reader in its comment field. Escape puts the form back where the page has it.
fn open_form(document: &Document, block: Option<Element>) {
    let Some(section) = document.query_selector(".new-comment").ok().flatten() else {
        return;
    };
    if let Some(float) = document.query_selector(".comment-float").ok().flatten() {
        let _ = float.set_attribute("hidden", "");
    }
    let top = block.map(|b| {
        let main = document.query_selector("main").ok().flatten();
        let origin = main
            .map(|m| m.get_bounding_client_rect().top())
            .unwrap_or(0.0);
        b.get_bounding_client_rect().bottom() - origin
    });
    if let (Some(top), Some(section)) = (top, section.dyn_ref::<web_sys::HtmlElement>()) {
        let _ = section.class_list().add_1("floating");
        let _ = section.style().set_property("top", &format!("{top}px"));
        if section.has_attribute("data-closes") {
            return focus_body(document);
        }
        let _ = section.set_attribute("data-closes", "");
        let close = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new({
            let section = section.clone();
            move |event: web_sys::KeyboardEvent| {
                if event.key() == "Escape" {
                    let _ = section.class_list().remove_1("floating");
                    let _ = section.style().remove_property("top");
                }
            }
        });
        let _ = section.add_event_listener_with_callback("keydown", close.as_ref().unchecked_ref());
        close.forget();
    }
    focus_body(document);
}

fn focus_body(document: &Document) {
    if let Some(body) = document
        .get_element_by_id("comment-body")
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = body.focus();
    }
}

/// Shows the "Comment" button just after the reader's selection.
fn show_float(document: &Document) {
    let Some(float) = document
        .query_selector(".comment-float")
        .ok()
        .flatten()
        .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let Some(rect) = web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .filter(|s| s.range_count() > 0 && !s.is_collapsed())
        .and_then(|s| s.get_range_at(0).ok())
        .map(|r| r.get_bounding_client_rect())
    else {
        let _ = float.set_attribute("hidden", "");
        return;
    };
    let (x, y) = web_sys::window()
        .map(|w| (w.scroll_x().unwrap_or(0.0), w.scroll_y().unwrap_or(0.0)))
        .unwrap_or_default();
    let style = float.style();
    let _ = style.set_property("left", &format!("{}px", rect.right() + x));
    let _ = style.set_property("top", &format!("{}px", rect.bottom() + y + 4.0));
    let _ = float.remove_attribute("hidden");
}

fn hide_float(document: &Document) {
    if let Some(float) = document.query_selector(".comment-float").ok().flatten() {
        let _ = float.set_attribute("hidden", "");
    }
}

/// The selection in the text, as UTF-16 offsets and the words selected.
fn selection(editor: &Shared, document: &Document) -> Option<(u32, u32, String)> {
    let e = editor.borrow();
    if let Some(quill) = &e.quill {
        let (start, length) = quill.selected()?;
        let text = e.text.get_string(&e.doc.try_transact().ok()?);
        let end = start + length;
        return (length > 0).then(|| (start, end, utf16_slice(&text, start, end)));
    }
    let container = document.query_selector(".live-text").ok()??;
    let selection = web_sys::window()?.get_selection().ok()??;
    if selection.is_collapsed() || selection.range_count() == 0 {
        return None;
    }
    let range = selection.get_range_at(0).ok()?;
    if !container.contains(Some(&range.common_ancestor_container().ok()?)) {
        return None;
    }
    let start = offset_at(
        document,
        &range.start_container().ok()?,
        range.start_offset().ok()?,
    )?;
    let end = offset_at(
        document,
        &range.end_container().ok()?,
        range.end_offset().ok()?,
    )?;
    let text = e.text.get_string(&e.doc.try_transact().ok()?);
    (start < end).then(|| (start, end, utf16_slice(&text, start, end)))
}

/// The document offset of a point in the reading view: the offset of the piece it is in
/// (`data-at`) plus the text before it within the piece. A point outside any piece (on an
/// article's number) stands for the start of its block.
fn offset_at(document: &Document, node: &web_sys::Node, offset: u32) -> Option<u32> {
    let element = match node.dyn_ref::<Element>() {
        Some(element) => element.clone(),
        None => node.parent_element()?,
    };
    if let Some(piece) = element.closest("[data-at]").ok()? {
        let at: u32 = piece.get_attribute("data-at")?.parse().ok()?;
        let before = document.create_range().ok()?;
        before.set_start(&piece, 0).ok()?;
        before.set_end(node, offset).ok()?;
        return Some(at + String::from(before.to_string()).encode_utf16().count() as u32);
    }
    element
        .closest("[data-block-start]")
        .ok()??
        .get_attribute("data-block-start")?
        .parse()
        .ok()
}

/// Offers the selected words to the comment form, with sticky positions made from the document.
pub fn offer_passage(editor: &Shared) {
    let Some(document) = document() else {
        return;
    };
    let Ok(synced) = editor.try_borrow().map(|e| e.synced) else {
        return;
    };
    if document.get_element_by_id("comment-quote").is_none() || !synced {
        return;
    }
    let Some((start, end, quote)) = selection(editor, &document) else {
        hide_float(&document);
        return;
    };
    if quote.trim().is_empty() {
        hide_float(&document);
        return;
    }
    offer_range(editor, &document, start, end);
    show_float(&document);
}

/// Fills the comment form with the passage `[start, end)` and its sticky positions.
fn offer_range(editor: &Shared, document: &Document, start: u32, end: u32) {
    let Ok(text) = editor.try_borrow().map_err(|_| ()).and_then(|e| {
        e.doc
            .try_transact()
            .map(|t| e.text.get_string(&t))
            .map_err(|_| ())
    }) else {
        return;
    };
    let quote = utf16_slice(&text, start, end);
    let anchors = {
        let e = editor.borrow();
        let Ok(txn) = e.doc.try_transact() else {
            return;
        };
        if end > e.text.len(&txn) {
            return;
        }
        let first = e.text.sticky_index(&txn, start, Assoc::After);
        let last = e.text.sticky_index(&txn, end, Assoc::Before);
        first
            .zip(last)
            .map(|(a, b)| (hex(&a.encode_v1()), hex(&b.encode_v1())))
    };
    if let Some(quote_field) = document
        .get_element_by_id("comment-quote")
        .and_then(|q| q.dyn_into::<HtmlTextAreaElement>().ok())
    {
        quote_field.set_value(&quote);
    }
    set_passage(document, anchors.map(|(a, b)| (a, b, start)));
}

/// Fills (or clears) the hidden passage fields and the "commenting on the selection" note.
fn set_passage(document: &Document, passage: Option<(String, String, u32)>) {
    let (start, end, near) = match &passage {
        Some((a, b, near)) => (a.as_str(), b.as_str(), near.to_string()),
        None => ("", "", String::new()),
    };
    for (id, value) in [
        ("comment-anchor_start", start),
        ("comment-anchor_end", end),
        ("comment-near", near.as_str()),
    ] {
        if let Some(field) = input(document, id) {
            field.set_value(value);
        }
    }
    if let Some(note) = document.get_element_by_id("comment-selected") {
        let _ = if passage.is_some() {
            note.remove_attribute("hidden")
        } else {
            note.set_attribute("hidden", "")
        };
    }
}

/// Follows the draft's thread changes; the browser's EventSource reconnects by itself.
fn watch(editor: &Shared) {
    let draft = editor.borrow().draft;
    let Ok(source) = EventSource::new(&format!("/live/drafts/{draft}/comments")) else {
        return;
    };
    let e = editor.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data().as_string().unwrap_or_default();
        let event = serde_json::from_str::<serde_json::Value>(&data).unwrap_or_default();
        if let Some(thread) = event["thread"].as_i64() {
            fetch_thread(&e, thread);
        } else if event["reload"] == true {
            // Fell behind: bring every thread on the page up to date.
            for thread in shown_threads() {
                fetch_thread(&e, thread);
            }
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Kept alive for the page's lifetime.
    std::mem::forget(source);
}

/// The threads on the page.
fn shown_threads() -> Vec<i64> {
    let Some(list) =
        document().and_then(|d| d.query_selector_all("#threads > li[data-thread]").ok())
    else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .filter_map(|e| e.get_attribute("data-thread")?.parse().ok())
        .collect()
}

/// Fetches a thread's own page and puts its current state in place of the one shown.
fn fetch_thread(editor: &Shared, thread: i64) {
    let (process, draft) = {
        let e = editor.borrow();
        (e.process, e.draft)
    };
    let Ok(request) = XmlHttpRequest::new() else {
        return;
    };
    let url = format!("/processes/{process}/drafts/{draft}/threads/{thread}?as_listed");
    if request.open("GET", &url).is_err() {
        return;
    }
    request.set_response_type(XmlHttpRequestResponseType::Document);
    let e = editor.clone();
    let loaded = request.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        let Some(document) = document() else {
            return;
        };
        let id = format!("thread-{thread}");
        let fresh = match loaded.status() {
            Ok(200) => loaded
                .response_xml()
                .ok()
                .flatten()
                .and_then(|fetched| fetched.get_element_by_id(&id))
                .and_then(|element| document.import_node_with_deep(&element, true).ok()),
            // Gone for this reader (e.g. waiting for approval): take it away.
            Ok(404) => None,
            _ => return,
        };
        let shown = document.get_element_by_id(&id);
        match (fresh, shown) {
            (Some(fresh), Some(shown)) => {
                let _ = shown.replace_with_with_node_1(&fresh);
            }
            (Some(fresh), None) => {
                if let Some(list) = document.get_element_by_id("threads") {
                    let _ = list.append_child(&fresh);
                }
                if let Some(none) = document.get_element_by_id("comments-none") {
                    let _ = none.set_attribute("hidden", "");
                }
            }
            (None, Some(shown)) => shown.remove(),
            (None, None) => {}
        }
        if let Some(live) = document.get_element_by_id("comments-live") {
            live.set_text_content(Some(&e.borrow().words.thread_updated));
        }
        e.borrow_mut().read_marks();
        e.borrow().refresh_peers();
    });
    request.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let _ = request.send();
}
