//! A long press on the reading view selects the word under the finger, as phones do with any
//! text; where the browser does not (a desktop browser with a touch screen, some tablets' web
//! views), it is done here. The selection then offers "Comment" beside it, as a mouse selection
//! does (`passages.rs`). Nothing is done if the browser has selected something itself.

use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, TouchEvent};

/// How long a finger rests before it is a long press, in milliseconds (Android's default).
const HOLD_MS: i32 = 500;
/// How far it may drift meanwhile, in CSS pixels.
const SLOP: f64 = 10.0;

thread_local! {
    /// The pending long press: its timer and where it started.
    static PRESS: Cell<Option<(i32, f64, f64)>> = const { Cell::new(None) };
}

fn cancel() {
    if let Some((timer, _, _)) = PRESS.with(|p| p.take())
        && let Some(window) = web_sys::window()
    {
        window.clear_timeout_with_handle(timer);
    }
}

/// Listens for long presses on the reading view.
pub(super) fn bind(document: &Document) {
    let Some(text) = document.query_selector(".live-text").ok().flatten() else {
        return;
    };
    let on_start = Closure::<dyn FnMut(TouchEvent)>::new(|event: TouchEvent| {
        cancel();
        let touches = event.touches();
        let (true, Some(touch)) = (touches.length() == 1, touches.get(0)) else {
            return;
        };
        let (x, y) = (f64::from(touch.client_x()), f64::from(touch.client_y()));
        let Some(window) = web_sys::window() else {
            return;
        };
        let then = Closure::once_into_js(move || {
            PRESS.with(|p| p.set(None));
            select_word_at(x, y);
        });
        if let Ok(timer) = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(then.unchecked_ref(), HOLD_MS)
        {
            PRESS.with(|p| p.set(Some((timer, x, y))));
        }
    });
    let on_move = Closure::<dyn FnMut(TouchEvent)>::new(|event: TouchEvent| {
        let Some((_, x, y)) = PRESS.with(|p| p.get()) else {
            return;
        };
        if let Some(touch) = event.touches().get(0) {
            let (dx, dy) = (
                f64::from(touch.client_x()) - x,
                f64::from(touch.client_y()) - y,
            );
            if dx.hypot(dy) > SLOP {
                cancel();
            }
        }
    });
    let on_end = Closure::<dyn FnMut()>::new(cancel);
    for (name, listener) in [
        ("touchstart", on_start.as_ref()),
        ("touchmove", on_move.as_ref()),
        ("touchend", on_end.as_ref()),
        ("touchcancel", on_end.as_ref()),
    ] {
        let _ = text.add_event_listener_with_callback(name, listener.unchecked_ref());
    }
    on_start.forget();
    on_move.forget();
    on_end.forget();
}

/// Selects the word at a point of the window, unless something is selected already.
fn select_word_at(x: f64, y: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Some(document), Ok(Some(selection))) = (window.document(), window.get_selection()) else {
        return;
    };
    if !selection.is_collapsed() {
        return;
    }
    let Some(caret) = document.caret_position_from_point(x as f32, y as f32) else {
        return;
    };
    let Some(node) = caret.offset_node() else {
        return;
    };
    // Only words of the text, not of a button or a marker inside it.
    let inside = node
        .parent_element()
        .and_then(|p| p.closest(".live-text").ok().flatten())
        .is_some();
    if !inside || node.node_type() != web_sys::Node::TEXT_NODE {
        return;
    }
    let _ = selection.collapse_with_offset(Some(&node), caret.offset());
    // To the end of the word, then back to its start: the word under the finger, in any script
    // the browser can break into words (Chinese included).
    let _ = selection.modify("move", "forward", "word");
    let _ = selection.modify("extend", "backward", "word");
}
