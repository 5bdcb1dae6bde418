//! Threads in the margin: on a wide screen each comment thread stands beside the passage it is
//! about, as in a word processor, instead of in the list under the text. The list stays what the
//! server sent (and what a page without JavaScript, a narrow screen or a screen reader gets, in
//! reading order); here it is only laid out: `main` gets the class `threads-beside` and each
//! thread a `top`, level with the first highlight of its passage (in the reading view, or in the
//! editor for co-drafters), pushed down where the one above it is still in the way. Threads on
//! the whole draft, or whose words are gone, come first.
//!
//! Laid out again, once per frame at most, after the text is redrawn, when the window changes
//! size and when threads arrive or change.

use std::cell::Cell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

/// The narrowest window that has room for the outline, the text and the margin.
const WIDE: &str = "(min-width: 90rem)";
/// Space between the text and the margin, and between two threads, in pixels.
const GAP: f64 = 32.0;
const BETWEEN: f64 = 12.0;

thread_local! {
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
}

/// Lays the threads out now and whenever the window or the list changes.
pub(super) fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_resize = Closure::<dyn FnMut()>::new(schedule);
    let _ = window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    on_resize.forget();
    if let Some(list) = window
        .document()
        .and_then(|d| d.get_element_by_id("threads"))
    {
        // Threads swapped in by the live channel, or new ones.
        let on_change = Closure::<dyn FnMut()>::new(schedule);
        if let Ok(observer) = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()) {
            let options = web_sys::MutationObserverInit::new();
            options.set_child_list(true);
            options.set_subtree(true);
            let _ = observer.observe_with_options(&list, &options);
        }
        on_change.forget();
    }
    schedule();
}

/// Lays the threads out at the next frame (once, however often it is asked for meanwhile).
pub(super) fn schedule() {
    if SCHEDULED.with(|s| s.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let then = Closure::once_into_js(|| {
        SCHEDULED.with(|s| s.set(false));
        place();
    });
    let _ = window.request_animation_frame(then.unchecked_ref());
}

fn html(element: Element) -> Option<HtmlElement> {
    element.dyn_into().ok()
}

/// Where the first visible highlight of each thread is, from the top of the window: one pass
/// over the highlights (a thread's may be split by formatting, carets or other passages).
fn passage_tops(document: &Document) -> HashMap<String, f64> {
    let mut tops = HashMap::new();
    let Ok(marks) = document
        .query_selector_all(".live-text mark.passage[data-threads], .passage-mark[data-threads]")
    else {
        return tops;
    };
    for i in 0..marks.length() {
        let Some(mark) = marks.item(i).and_then(|m| m.dyn_into::<Element>().ok()) else {
            continue;
        };
        let rect = mark.get_bounding_client_rect();
        // The reading view is hidden while a co-drafter edits: its highlights have no box then.
        if rect.height() <= 0.0 {
            continue;
        }
        for id in mark
            .get_attribute("data-threads")
            .unwrap_or_default()
            .split_whitespace()
        {
            let top = tops.entry(id.to_string()).or_insert(rect.top());
            *top = top.min(rect.top());
        }
    }
    tops
}

fn place() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let (Some(main), Some(list), Some(column)) = (
        document
            .query_selector("main")
            .ok()
            .flatten()
            .and_then(html),
        document.get_element_by_id("threads").and_then(html),
        document
            .query_selector(".editor-column")
            .ok()
            .flatten()
            .and_then(html),
    ) else {
        return;
    };
    let threads: Vec<HtmlElement> = {
        let children = list.children();
        (0..children.length())
            .filter_map(|i| children.item(i).and_then(html))
            .filter(|li| li.class_list().contains("thread"))
            .collect()
    };
    let wide = window
        .match_media(WIDE)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if !wide || threads.is_empty() {
        if main.class_list().contains("threads-beside") {
            let _ = main.class_list().remove_1("threads-beside");
            let _ = main.style().remove_property("min-height");
            for li in &threads {
                let _ = li.style().remove_property("top");
            }
        }
        return;
    }
    let _ = main.class_list().add_1("threads-beside");
    let page = main.get_bounding_client_rect();
    let text = column.get_bounding_client_rect();
    let left = text.right() - page.left() + GAP;
    let style = list.style();
    let _ = style.set_property("left", &format!("{left}px"));
    let _ = style.set_property("width", &format!("{}px", (page.width() - left).max(160.0)));
    // Where each thread would stand, level with its passage; then in that order, never over
    // the one above. Every size is read before any position is written (one layout, not one
    // per thread).
    let tops = passage_tops(&document);
    let mut wanted: Vec<(f64, usize, f64)> = threads
        .iter()
        .enumerate()
        .map(|(at, li)| {
            let id = li.get_attribute("data-thread").unwrap_or_default();
            let top = tops.get(&id).copied().unwrap_or(text.top());
            (top - page.top(), at, f64::from(li.offset_height()))
        })
        .collect();
    wanted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut free_from = text.top() - page.top();
    for (top, at, height) in wanted {
        let top = top.max(free_from);
        let _ = threads[at].style().set_property("top", &format!("{top}px"));
        free_from = top + height + BETWEEN;
    }
    // The page is as tall as its last thread.
    let _ = main
        .style()
        .set_property("min-height", &format!("{free_from}px"));
}
