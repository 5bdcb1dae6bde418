//! Where comment threads stand on the draft page. The list of threads is what the server sent,
//! and what a page without JavaScript and a screen reader get, in reading order; here it is only
//! laid out, in one of three ways:
//! - **beside** (a window of 90rem or more): each thread in the margin, level with the first
//!   highlight of its passage (in the reading view, or in the editor for co-drafters), pushed
//!   down where the one above it is still in the way; `main` gets the class `threads-beside`;
//! - **under** (below 64rem, while the reading view is shown): under each paragraph that has
//!   threads, a button "Comments on this paragraph: 2" that opens them right there, the
//!   paragraph making room for them; `main` gets the class `threads-under`;
//! - **list**: as served (between the two widths, a co-drafter writing on a narrow screen, or
//!   no threads).
//!
//! Threads on the whole draft, or whose words are gone, stay first in the list (beside: at the
//! top of the margin). Laid out again, once per frame at most, after the text is redrawn, when
//! the window changes size and when threads arrive or change; every size is read before any
//! position is written.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

/// The narrowest window that has room for the outline, the text and the margin.
const WIDE: &str = "(min-width: 90rem)";
/// A window too narrow for the outline beside the text (a phone, a small tablet): threads fold
/// under their paragraphs. Between the two, the list under the text.
const NARROW: &str = "(max-width: 63.99rem)";
/// Space between the text and the margin, and between two threads, in pixels.
const GAP: f64 = 32.0;
const BETWEEN: f64 = 12.0;

thread_local! {
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
    /// "Comments on this paragraph: {n}", in the reader's language.
    static LABEL: RefCell<String> = const { RefCell::new(String::new()) };
    /// The paragraphs (by `data-block-start`) whose threads the reader opened.
    static OPEN: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    /// The paragraphs given room for threads on the last layout.
    static ROOMY: RefCell<Vec<HtmlElement>> = const { RefCell::new(Vec::new()) };
    /// Each paragraph's threads button, kept from one layout to the next (so that it keeps
    /// the focus when pressed).
    static BUTTONS: RefCell<HashMap<String, HtmlElement>> = RefCell::new(HashMap::new());
}

/// Lays the threads out now and whenever the window or the list changes. `label` names a
/// paragraph's threads button (`{n}`: how many).
pub(super) fn register(label: String) {
    LABEL.with(|l| *l.borrow_mut() = label);
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

fn px(value: f64) -> String {
    format!("{value}px")
}

/// The first visible highlight of each thread: one pass over the highlights (a thread's may be
/// split by formatting, carets or other passages).
fn first_marks(document: &Document) -> HashMap<String, Element> {
    let mut first: HashMap<String, (f64, Element)> = HashMap::new();
    let Ok(marks) = document
        .query_selector_all(".live-text mark.passage[data-threads], .passage-mark[data-threads]")
    else {
        return HashMap::new();
    };
    for i in 0..marks.length() {
        let Some(mark) = marks.item(i).and_then(|m| m.dyn_into::<Element>().ok()) else {
            continue;
        };
        let top = mark.get_bounding_client_rect();
        // The reading view is hidden while a co-drafter edits: its highlights have no box then.
        if top.height() <= 0.0 {
            continue;
        }
        for id in mark
            .get_attribute("data-threads")
            .unwrap_or_default()
            .split_whitespace()
        {
            match first.get(id) {
                Some((known, _)) if *known <= top.top() => {}
                _ => {
                    first.insert(id.to_string(), (top.top(), mark.clone()));
                }
            }
        }
    }
    first
        .into_iter()
        .map(|(id, (_, mark))| (id, mark))
        .collect()
}

/// The page's parts the layout needs.
struct Page {
    document: Document,
    main: HtmlElement,
    list: HtmlElement,
    column: HtmlElement,
    threads: Vec<HtmlElement>,
}

fn page() -> Option<Page> {
    let document = web_sys::window()?.document()?;
    let main = document.query_selector("main").ok()??.dyn_into().ok()?;
    let list = html(document.get_element_by_id("threads")?)?;
    let column = html(document.query_selector(".editor-column").ok()??)?;
    let children = list.children();
    let threads = (0..children.length())
        .filter_map(|i| children.item(i).and_then(html))
        .filter(|li| li.class_list().contains("thread"))
        .collect();
    Some(Page {
        document,
        main,
        list,
        column,
        threads,
    })
}

fn place() {
    let Some(page) = page() else {
        return;
    };
    let matches = |query: &str| {
        web_sys::window()
            .and_then(|w| w.match_media(query).ok().flatten())
            .is_some_and(|m| m.matches())
    };
    let wide = matches(WIDE);
    let reading = page
        .document
        .query_selector(".live-text")
        .ok()
        .flatten()
        .is_some_and(|text| text.get_bounding_client_rect().height() > 0.0);
    let under_paragraphs = matches(NARROW) && reading && !page.threads.is_empty();
    as_list(&page, under_paragraphs);
    if page.threads.is_empty() {
        return;
    }
    if wide {
        beside(&page);
    } else if under_paragraphs {
        under(&page);
    }
}

/// Undoes any layout: the list as served (the paragraphs' buttons stay if `keep_buttons`).
fn as_list(page: &Page, keep_buttons: bool) {
    for class in ["threads-beside", "threads-under"] {
        let _ = page.main.class_list().remove_1(class);
    }
    let _ = page.main.style().remove_property("min-height");
    for li in &page.threads {
        let _ = li.class_list().remove_2("under", "folded");
        for property in ["top", "left", "width"] {
            let _ = li.style().remove_property(property);
        }
    }
    ROOMY.with(|roomy| {
        for block in roomy.borrow_mut().drain(..) {
            let _ = block.style().remove_property("margin-bottom");
        }
    });
    if !keep_buttons {
        BUTTONS.with(|b| {
            for (_, button) in b.borrow_mut().drain() {
                button.remove();
            }
        });
    }
}

/// Each thread in the margin, level with its passage.
fn beside(page: &Page) {
    let _ = page.main.class_list().add_1("threads-beside");
    let frame = page.main.get_bounding_client_rect();
    let text = page.column.get_bounding_client_rect();
    let left = text.right() - frame.left() + GAP;
    let style = page.list.style();
    let _ = style.set_property("left", &px(left));
    let _ = style.set_property("width", &px((frame.width() - left).max(160.0)));
    let marks = first_marks(&page.document);
    let mut wanted: Vec<(f64, usize, f64)> = page
        .threads
        .iter()
        .enumerate()
        .map(|(at, li)| {
            let id = li.get_attribute("data-thread").unwrap_or_default();
            let top = marks
                .get(&id)
                .map(|m| m.get_bounding_client_rect().top())
                .unwrap_or(text.top());
            (top - frame.top(), at, f64::from(li.offset_height()))
        })
        .collect();
    wanted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut free_from = text.top() - frame.top();
    for (top, at, height) in wanted {
        let top = top.max(free_from);
        let _ = page.threads[at].style().set_property("top", &px(top));
        free_from = top + height + BETWEEN;
    }
    // The page is as tall as its last thread.
    let _ = page.main.style().set_property("min-height", &px(free_from));
}

/// Under each paragraph, a button that opens its threads there.
fn under(page: &Page) {
    let _ = page.main.class_list().add_1("threads-under");
    let marks = first_marks(&page.document);
    // The paragraphs with threads, in the order of the text, each with its threads.
    let mut paragraphs: BTreeMap<u32, (HtmlElement, Vec<&HtmlElement>)> = BTreeMap::new();
    for li in &page.threads {
        let id = li.get_attribute("data-thread").unwrap_or_default();
        let Some(block) = marks
            .get(&id)
            .and_then(|m| m.closest(".live-text [data-block-start]").ok().flatten())
            .and_then(html)
        else {
            continue;
        };
        let start: u32 = block
            .get_attribute("data-block-start")
            .and_then(|s| s.parse().ok())
            .unwrap_or_default();
        paragraphs
            .entry(start)
            .or_insert_with(|| (block, Vec::new()))
            .1
            .push(li);
    }
    let open = OPEN.with(|o| o.borrow().clone());
    let width = page.column.get_bounding_client_rect().width();
    // Writes first: the threads out of the list, folded or not, and a button per paragraph.
    let mut laid: Vec<(HtmlElement, HtmlElement, Vec<&HtmlElement>)> = Vec::new();
    for (start, (block, threads)) in paragraphs {
        let key = start.to_string();
        let is_open = open.contains(&key);
        for li in &threads {
            let _ = li.class_list().add_1("under");
            if !is_open {
                let _ = li.class_list().add_1("folded");
            }
            let _ = li.style().set_property("width", &px(width));
        }
        let Some(button) = threads_button(page, &key, threads.len(), is_open) else {
            continue;
        };
        laid.push((block, button, threads));
    }
    // Buttons of paragraphs that have no threads any more.
    let kept: HashSet<String> = laid
        .iter()
        .filter_map(|(_, button, _)| button.get_attribute("data-block"))
        .collect();
    BUTTONS.with(|b| {
        b.borrow_mut().retain(|key, button| {
            let keep = kept.contains(key);
            if !keep {
                button.remove();
            }
            keep
        })
    });
    // Then sizes, then room under each paragraph, then places.
    let sizes: Vec<(f64, Vec<f64>)> = laid
        .iter()
        .map(|(_, button, threads)| {
            let heights = threads
                .iter()
                .map(|li| f64::from(li.offset_height()))
                .collect();
            (f64::from(button.offset_height()), heights)
        })
        .collect();
    ROOMY.with(|roomy| {
        let mut roomy = roomy.borrow_mut();
        for ((block, _, _), (button, heights)) in laid.iter().zip(&sizes) {
            let room = button + heights.iter().map(|h| h + BETWEEN).sum::<f64>() + BETWEEN;
            let _ = block
                .style()
                .set_property("margin-bottom", &format!("calc(0.85rem + {room}px)"));
            roomy.push(block.clone());
        }
    });
    let frame = page.main.get_bounding_client_rect();
    for ((block, button, threads), (button_height, heights)) in laid.iter().zip(&sizes) {
        let rect = block.get_bounding_client_rect();
        let left = rect.left() - frame.left();
        let mut top = rect.bottom() - frame.top() + BETWEEN / 2.0;
        let _ = button.style().set_property("left", &px(left));
        let _ = button.style().set_property("top", &px(top));
        top += button_height + BETWEEN / 2.0;
        for (li, height) in threads.iter().zip(heights) {
            let _ = li.style().set_property("left", &px(left));
            let _ = li.style().set_property("top", &px(top));
            top += height + BETWEEN;
        }
    }
}

/// The button under paragraph `key` that opens and folds its `count` threads (made once, then
/// kept up to date).
fn threads_button(page: &Page, key: &str, count: usize, open: bool) -> Option<HtmlElement> {
    let known = BUTTONS.with(|b| b.borrow().get(key).cloned());
    let button = match known {
        Some(button) => button,
        None => {
            let button = html(page.document.create_element("button").ok()?)?;
            button.set_class_name("threads-here secondary");
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-block", key);
            let key = key.to_string();
            let toggle = Closure::<dyn FnMut()>::new({
                let key = key.clone();
                move || {
                    OPEN.with(|o| {
                        let mut o = o.borrow_mut();
                        if !o.remove(&key) {
                            o.insert(key.clone());
                        }
                    });
                    schedule();
                }
            });
            button.set_onclick(Some(toggle.as_ref().unchecked_ref()));
            toggle.forget();
            page.main.append_child(&button).ok()?;
            BUTTONS.with(|b| b.borrow_mut().insert(key, button.clone()));
            button
        }
    };
    let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
    let label = LABEL.with(|l| l.borrow().replace("{n}", &count.to_string()));
    if button.text_content().as_deref() != Some(label.as_str()) {
        button.set_text_content(Some(&label));
    }
    Some(button)
}
