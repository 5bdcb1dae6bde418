//! Who wrote what, live: when the reader asks for it, the text is coloured by the stakeholder
//! group each stretch's writer spoke for, and stays so as people write. The stretches come from
//! the document itself (each character's Yjs client); which organisation a client wrote for comes
//! from `GET /api/v1/drafts/{id}/writers`, asked again when a client it did not list appears.

use super::client::Shared;
use super::view::{Authored, Writer, authored};
use crate::domain::document::authorship::stretches;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::XmlHttpRequest;
use yrs::Transact;

/// How long after a change the colours are worked out again: typing stays smooth on long drafts.
const SETTLE_MS: i32 = 200;
/// The writers are asked for again at most this often (a new writer's first words wait for it).
const ASK_AGAIN_MS: f64 = 3_000.0;

/// The colouring's state, kept in the editor.
#[derive(Default)]
pub(super) struct Colouring {
    pub(super) on: bool,
    /// Who each Yjs client wrote for, as the server last said.
    writers: HashMap<u64, Writer>,
    /// The current text's stretches, as last worked out.
    pub(super) authored: Vec<Authored>,
    asking: bool,
    asked_at: f64,
    scheduled: bool,
}

thread_local! {
    /// The page's editor (one draft per page), for the island's "colour by who wrote it" switch.
    static EDITOR: RefCell<Weak<RefCell<super::client::Editor>>> = const { RefCell::new(Weak::new()) };
}

/// Remembers the page's editor.
pub(super) fn register(editor: &Shared) {
    EDITOR.with(|e| *e.borrow_mut() = Rc::downgrade(editor));
}

/// Turns the colouring on or off (the island's switch).
pub fn colour_by_writer(on: bool) {
    let Some(editor) = EDITOR.with(|e| e.borrow().upgrade()) else {
        return;
    };
    let Ok(mut e) = editor.try_borrow_mut() else {
        return;
    };
    e.colouring.on = on;
    if !on {
        e.colouring.authored.clear();
    }
    drop(e);
    if on {
        ask(&editor);
    }
    editor.borrow().refresh_peers();
}

/// The text changed: work the colours out again shortly (once for a burst of changes).
pub(super) fn changed(editor: &Shared) {
    let Ok(mut e) = editor.try_borrow_mut() else {
        return;
    };
    if !e.colouring.on || e.colouring.scheduled {
        return;
    }
    e.colouring.scheduled = true;
    drop(e);
    let weak = Rc::downgrade(editor);
    after(SETTLE_MS, move || {
        if let Some(editor) = weak.upgrade() {
            editor.borrow_mut().colouring.scheduled = false;
            recolour(&editor);
        }
    });
}

/// Runs `then` once, `ms` milliseconds from now.
fn after(ms: i32, then: impl FnOnce() + 'static) {
    let later = Closure::once_into_js(then);
    if let Some(window) = web_sys::window() {
        let _ =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), ms);
    }
}

/// Works out the stretches of the current text and shows them.
fn recolour(editor: &Shared) {
    let (doc, text) = {
        let e = editor.borrow();
        if !e.colouring.on {
            return;
        }
        (e.doc.clone(), e.text.clone())
    };
    // Not while another transaction is open (a change being shown): the next change comes here again.
    let Ok(mut txn) = doc.try_transact_mut() else {
        return;
    };
    let pieces = stretches(&text, &mut txn);
    drop(txn);
    let mut unknown = false;
    {
        let mut e = editor.borrow_mut();
        let writers = &e.colouring.writers;
        let mut by = Vec::with_capacity(pieces.len());
        for (words, client) in pieces {
            match writers.get(&client) {
                Some(writer) => by.push((words, Some(writer.clone()))),
                None => {
                    unknown |= client != 0;
                    by.push((words, None));
                }
            }
        }
        e.colouring.authored = authored_known(by);
    }
    if unknown {
        ask(editor);
    }
    editor.borrow().refresh_peers();
}

/// The stretches whose writer is known, at their places in the whole text.
fn authored_known(stretches: Vec<(String, Option<Writer>)>) -> Vec<Authored> {
    let unknown = Writer {
        group: String::new(),
        name: String::new(),
    };
    authored(
        stretches
            .into_iter()
            .map(|(words, by)| (words, by.unwrap_or_else(|| unknown.clone()))),
    )
    .into_iter()
    .filter(|a| !a.by.group.is_empty())
    .collect()
}

/// Asks the server who each client wrote for (at most every few seconds), then recolours.
fn ask(editor: &Shared) {
    let now = js_sys::Date::now();
    let draft = {
        let Ok(mut e) = editor.try_borrow_mut() else {
            return;
        };
        let c = &mut e.colouring;
        if c.asking {
            return;
        }
        c.asking = true;
        let wait = ASK_AGAIN_MS - (now - c.asked_at);
        if wait > 0.0 {
            // Asked a moment ago: ask once more when the moment has passed.
            drop(e);
            let weak = Rc::downgrade(editor);
            after(wait as i32, move || {
                if let Some(editor) = weak.upgrade() {
                    editor.borrow_mut().colouring.asking = false;
                    ask(&editor);
                }
            });
            return;
        }
        c.asked_at = now;
        e.draft
    };
    let Ok(request) = XmlHttpRequest::new() else {
        return;
    };
    if request
        .open("GET", &format!("/api/v1/drafts/{draft}/writers"))
        .is_err()
    {
        return;
    }
    let individuals = editor.borrow().words.individuals.clone();
    let lang = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .unwrap_or_else(|| "en".into());
    let weak = Rc::downgrade(editor);
    let loaded = request.clone();
    let on_load = Closure::once_into_js(move || {
        let Some(editor) = weak.upgrade() else {
            return;
        };
        editor.borrow_mut().colouring.asking = false;
        let body = loaded.response_text().ok().flatten().unwrap_or_default();
        let Some(writers) = parse_writers(&body, &lang, &individuals) else {
            return;
        };
        editor.borrow_mut().colouring.writers = writers;
        recolour(&editor);
    });
    request.set_onloadend(Some(on_load.unchecked_ref()));
    let _ = request.send();
}

/// Reads the server's list of writers: each client's group, and its organisation's name in the
/// page's language (or English, or any); `individuals` names text written by people speaking
/// for themselves.
fn parse_writers(body: &str, lang: &str, individuals: &str) -> Option<HashMap<u64, Writer>> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let mut out = HashMap::new();
    for writer in value.get("writers")?.as_array()? {
        let Some(client) = writer.get("client").and_then(|c| c.as_u64()) else {
            continue;
        };
        let org = writer.get("organisation").filter(|o| !o.is_null());
        let group = org
            .and_then(|o| o.get("stakeholder")?.as_str())
            .unwrap_or("individual")
            .to_string();
        let name = org
            .and_then(|o| {
                let names = o.get("name")?.as_object()?;
                names
                    .get(lang)
                    .or_else(|| names.get("en"))
                    .or_else(|| names.values().next())?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| individuals.to_string());
        out.insert(client, Writer { group, name });
    }
    Some(out)
}
