//! The live connection (browser only). One `Editor` per page, shared by the event handlers.

use super::quill::QuillEditor;
use super::reconnect::{self, Backoff};
use super::view::{Mark, PresentPeer, Shown, Status, shown};
use crate::components::draft_editor::EditorText;
use crate::domain::document::yjs::{apply_delta, delta_of_change, delta_of_runs, runs};
use crate::sync::frames::{self, Message};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};
use yrs::undo::UndoManager;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Assoc, Doc, IndexedSequence, Observable, OffsetKind, Options, Origin, ReadTxn, StateVector,
    StickyIndex, Text, TextRef, Transact, Update,
};

const LOCAL: &str = "local";
const REMOTE: &str = "remote";

/// The signals the island renders from.
#[derive(Clone, Copy)]
pub struct Outputs {
    pub status: WriteSignal<Status>,
    pub peers: WriteSignal<Vec<PresentPeer>>,
    pub segments: WriteSignal<Shown>,
    pub denied: WriteSignal<bool>,
    /// Set once the document has synced and the editor takes typing.
    pub ready: WriteSignal<bool>,
}

/// The editor's state. Rule: never hold a borrow of it across a yrs transaction's commit, because
/// the document's observers (which send updates and refresh the screen) borrow it too.
pub(super) struct Editor {
    pub(super) process: i64,
    pub(super) draft: i64,
    /// The organisation this person writes for (`?as=` on the websocket), when chosen.
    pub(super) acting_for: Option<i64>,
    pub(super) doc: Doc,
    pub(super) text: TextRef,
    pub(super) socket: Socket,
    /// The editor, for a co-drafter who may write (`None` for a reader, or once refused).
    pub(super) quill: Option<Rc<QuillEditor>>,
    pub(super) synced: bool,
    pub(super) composing: bool,
    /// Remote updates that arrived during an IME composition, applied when it ends.
    pub(super) held: Vec<Vec<u8>>,
    pub(super) undo: Rc<RefCell<UndoManager<()>>>,
    pub(super) peers: HashMap<u64, (PresentPeer, Option<(StickyIndex, StickyIndex)>)>,
    pub(super) presence_clock: u64,
    pub(super) backoff: Backoff,
    pub(super) out: Outputs,
    pub(super) words: EditorText,
    /// The commented passages on the page: (thread, first character, last character).
    pub(super) marks: Vec<(i64, StickyIndex, StickyIndex)>,
    /// Who wrote what, when the text is coloured by it.
    pub(super) colouring: super::writers::Colouring,
}

pub(super) type Shared = Rc<RefCell<Editor>>;
/// The open websocket, shared apart from the editor so that sending never needs the editor.
type Socket = Rc<RefCell<Option<WebSocket>>>;

fn send(socket: &Socket, bytes: &[u8]) {
    if let Some(socket) = socket.borrow().as_ref()
        && socket.ready_state() == WebSocket::OPEN
    {
        let _ = socket.send_with_u8_array(bytes);
    }
}

use crate::domain::hex::{decode as unhex, encode as hex};

/// Starts the editor of `draft`; `quill` is `None` for a read-only view.
pub fn start(
    process: i64,
    draft: i64,
    acting_for: Option<i64>,
    quill: Option<QuillEditor>,
    out: Outputs,
    words: EditorText,
) {
    let doc = Doc::with_options(Options {
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    });
    let text = doc.get_or_insert_text("body");
    let mut undo = UndoManager::with_options(yrs::undo::Options {
        capture_timeout_millis: 500,
        tracked_origins: std::collections::HashSet::from([Origin::from(LOCAL)]),
        capture_transaction: None,
        // There is no system clock in the browser's WebAssembly: use JavaScript's.
        timestamp: Arc::new(|| js_sys::Date::now() as u64),
        init_undo_stack: Vec::new(),
        init_redo_stack: Vec::new(),
    });
    undo.expand_scope(&doc, &text);
    let editor = Rc::new(RefCell::new(Editor {
        process,
        draft,
        acting_for,
        doc,
        text,
        socket: Rc::new(RefCell::new(None)),
        quill: quill.map(Rc::new),
        synced: false,
        composing: false,
        held: Vec::new(),
        undo: Rc::new(RefCell::new(undo)),
        peers: HashMap::new(),
        presence_clock: 0,
        backoff: Backoff::default(),
        out,
        words,
        marks: Vec::new(),
        colouring: Default::default(),
    }));
    super::writers::register(&editor);
    editor.borrow_mut().read_marks();
    observe(&editor);
    bind_quill(&editor);
    super::passages::bind(&editor);
    super::margin::register(editor.borrow().words.threads_here.clone());
    connect(&editor);
}

/// Sends every change that did not come from the server, and mirrors remote changes to the screen.
fn observe(editor: &Shared) {
    let (doc, text, socket) = {
        let e = editor.borrow();
        (e.doc.clone(), e.text.clone(), e.socket.clone())
    };
    // Typing, undo and redo all end up here; what came from the server does not go back.
    let _ = doc.observe_update_v1("send", move |txn, event| {
        if txn.origin() != Some(&Origin::from(REMOTE)) {
            send(&socket, &frames::update(&event.update));
        }
    });
    let viewer = Rc::downgrade(editor);
    text.observe("screen", move |txn, event| {
        let Some(editor) = viewer.upgrade() else {
            return;
        };
        let Ok(e) = editor.try_borrow() else {
            // Only reachable if the rule above were broken; better a stale screen than a panic.
            return;
        };
        // The writer's own changes are on the screen already; everything else (the others',
        // undo and redo) is shown to the editor as the ops it observed.
        let from_editor = txn.origin() == Some(&Origin::from(LOCAL));
        if let Some(quill) = e.quill.clone()
            && !from_editor
        {
            let ops = delta_of_change(event.delta(txn), txn);
            quill.apply(&serde_json::Value::Array(ops).to_string());
        }
        e.redraw(txn);
        drop(e);
        super::writers::changed(&editor);
    });
}

impl Editor {
    /// The others, with their cursors resolved against the current text.
    fn peer_views<T: ReadTxn>(&self, txn: &T) -> Vec<PresentPeer> {
        let mut peers: Vec<PresentPeer> = self
            .peers
            .values()
            .map(|(peer, sticky)| {
                let mut peer = peer.clone();
                peer.cursor = sticky
                    .as_ref()
                    .and_then(|(a, h)| Some((a.get_offset(txn)?.index, h.get_offset(txn)?.index)));
                peer
            })
            .collect();
        peers.sort_by(|a, b| a.name.cmp(&b.name).then(a.client.cmp(&b.client)));
        peers
    }

    /// Where the commented passages are in the current text.
    fn marks_now<T: ReadTxn>(&self, txn: &T) -> Vec<Mark> {
        self.marks
            .iter()
            .filter_map(|(thread, first, last)| {
                Some(Mark {
                    thread: *thread,
                    start: first.get_offset(txn)?.index,
                    end: last.get_offset(txn)?.index,
                })
            })
            .collect()
    }

    /// Reads the passages of the comment threads on the page (their sticky positions are in
    /// `data-anchor-start` and `data-anchor-end`), as served or as updated live.
    pub(super) fn read_marks(&mut self) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(threads) = document.query_selector_all("#threads > li[data-anchor-start]") else {
            return;
        };
        self.marks.clear();
        for i in 0..threads.length() {
            let Some(element) = threads
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let read = |name: &str| {
                unhex(&element.get_attribute(name)?).and_then(|b| StickyIndex::decode_v1(&b).ok())
            };
            let thread = element
                .get_attribute("data-thread")
                .and_then(|t| t.parse::<i64>().ok());
            if let (Some(thread), Some(first), Some(last)) =
                (thread, read("data-anchor-start"), read("data-anchor-end"))
            {
                self.marks.push((thread, first, last));
            }
        }
    }

    /// Redraws the document with the others' cursors and the commented passages: the reading
    /// view, and in the editor the highlights and the carets. Returns the others.
    fn redraw<T: ReadTxn>(&self, txn: &T) -> Vec<PresentPeer> {
        let peers = self.peer_views(txn);
        let marks = self.marks_now(txn);
        let authored = &self.colouring.authored;
        self.out
            .segments
            .set(shown(&runs(&self.text, txn), &peers, &marks, authored));
        if let Some(quill) = &self.quill {
            let writers: Vec<serde_json::Value> = authored
                .iter()
                .map(|a| serde_json::json!({ "start": a.start, "end": a.end, "group": a.by.group, "name": a.by.name }))
                .collect();
            quill.set_writers(&serde_json::Value::Array(writers).to_string());
            let passages: Vec<serde_json::Value> = marks
                .iter()
                .map(|m| serde_json::json!({ "start": m.start, "end": m.end, "threads": m.thread.to_string() }))
                .collect();
            quill.set_marks(&serde_json::Value::Array(passages).to_string());
            let carets: Vec<serde_json::Value> = peers
                .iter()
                .filter_map(|p| {
                    let (anchor, head) = p.cursor?;
                    Some(serde_json::json!({ "index": head, "anchor": anchor, "name": p.name, "colour": p.colour }))
                })
                .collect();
            quill.set_carets(&serde_json::Value::Array(carets).to_string());
        }
        // The highlights may have moved: so must the threads beside them.
        super::margin::schedule();
        peers
    }

    /// Redraws after the others or the passages changed.
    pub(super) fn refresh_peers(&self) {
        let Ok(txn) = self.doc.try_transact() else {
            return;
        };
        let peers = self.redraw(&txn);
        drop(txn);
        self.out.peers.set(peers);
    }

    /// Tells the others where this writer's selection is (as sticky positions that follow edits).
    fn send_cursor(&mut self) {
        let Some((start, length)) = self.quill.as_ref().and_then(|q| q.selected()) else {
            return;
        };
        let end = start + length;
        let cursor = {
            // Not while a change is being committed (Quill may report a selection then).
            let Ok(txn) = self.doc.try_transact() else {
                return;
            };
            let len = self.text.len(&txn);
            // Stick to the character after the caret; at the very end there is none, so stick to
            // the one before (or the caret would be lost).
            let sticky = |at: u32| {
                let assoc = if at >= len {
                    Assoc::Before
                } else {
                    Assoc::After
                };
                self.text
                    .sticky_index(&txn, at.min(len), assoc)
                    .map(|s| hex(&s.encode_v1()))
            };
            match (sticky(start), sticky(end)) {
                (Some(anchor), Some(head)) => serde_json::json!({ "anchor": anchor, "head": head }),
                _ => serde_json::Value::Null,
            }
        };
        self.presence_clock += 1;
        let state = serde_json::json!({ "cursor": cursor }).to_string();
        let me = (
            self.doc.client_id().get(),
            self.presence_clock,
            state.as_str(),
        );
        let update = frames::encode_awareness(std::iter::once(me));
        send(&self.socket, &frames::awareness(&update));
    }

    fn awareness(&mut self, update: &[u8]) {
        let Ok(entries) = frames::awareness_entries(update) else {
            return;
        };
        let me = self.doc.client_id().get();
        for (client, _clock, state) in entries {
            if client == me {
                continue;
            }
            let state: serde_json::Value =
                serde_json::from_str(state).unwrap_or(serde_json::Value::Null);
            if state.is_null() {
                self.peers.remove(&client);
                continue;
            }
            let user = &state["user"];
            let peer = PresentPeer {
                client,
                name: user["name"].as_str().unwrap_or("?").to_string(),
                org: user["org"].as_str().map(str::to_string),
                colour: user["color"]
                    .as_str()
                    .filter(|c| c.starts_with('#') && c.len() == 7)
                    .unwrap_or("#4a5560")
                    .to_string(),
                cursor: None,
            };
            let sticky = |key: &str| {
                unhex(state["cursor"][key].as_str()?).and_then(|b| StickyIndex::decode_v1(&b).ok())
            };
            let cursor = sticky("anchor").zip(sticky("head"));
            self.peers.insert(client, (peer, cursor));
        }
        self.refresh_peers();
    }
}

/// Applies what the writer changed in the editor (Quill delta ops) to the document.
fn take_change(editor: &Shared, ops: &str) {
    let (doc, text, quill) = {
        let e = editor.borrow();
        let Some(quill) = e.quill.clone() else {
            return;
        };
        if !e.synced {
            return;
        }
        (e.doc.clone(), e.text.clone(), quill)
    };
    let Ok(ops) = serde_json::from_str::<Vec<serde_json::Value>>(ops) else {
        return;
    };
    let faithful = apply_delta(&text, &mut doc.transact_mut_with(LOCAL), &ops);
    if !faithful {
        // Something the document cannot hold (an embed, a colour) was left out: the editor
        // shows it still, so show it the document.
        let runs = runs(&text, &doc.transact());
        quill.set_contents(&serde_json::Value::Array(delta_of_runs(&runs)).to_string());
    }
    editor.borrow_mut().send_cursor();
}

/// Applies an update from the server.
fn apply_remote(editor: &Shared, update: &[u8]) {
    let doc = editor.borrow().doc.clone();
    if let Ok(update) = Update::decode_v1(update) {
        let _ = doc.transact_mut_with(REMOTE).apply_update(update);
    }
}

fn bind_quill(editor: &Shared) {
    let Some(quill) = editor.borrow().quill.clone() else {
        return;
    };
    let e = editor.clone();
    let on_change = Closure::<dyn FnMut(String)>::new(move |ops: String| take_change(&e, &ops));
    quill.on_change(on_change.as_ref().unchecked_ref());
    on_change.forget();
    let e = editor.clone();
    let on_selection = Closure::<dyn FnMut(i32, u32)>::new(move |_index: i32, _length: u32| {
        // Quill also reports selections while it shows a change we handed it (the editor is
        // borrowed, a transaction may be committing): those are not the writer's to send.
        let Ok(mut busy) = e.try_borrow_mut() else {
            return;
        };
        busy.send_cursor();
        drop(busy);
        super::passages::offer_passage(&e);
    });
    quill.on_selection(on_selection.as_ref().unchecked_ref());
    on_selection.forget();
    let e = editor.clone();
    let on_composition = Closure::<dyn FnMut(bool)>::new(move |composing: bool| {
        let Ok(mut busy) = e.try_borrow_mut() else {
            return;
        };
        busy.composing = composing;
        drop(busy);
        if !composing {
            // What arrived while the writer was composing (Chinese, Japanese, Arabic input
            // methods) is shown once the composition is in the document.
            let held = std::mem::take(&mut e.borrow_mut().held);
            for update in held {
                apply_remote(&e, &update);
            }
        }
    });
    quill.on_composition(on_composition.as_ref().unchecked_ref());
    on_composition.forget();
    // The outline's links put the caret on their heading in the editor (the editor's headings
    // have no addresses of their own).
    if let Some(outline) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".outline").ok().flatten())
    {
        let q = quill.clone();
        let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let at = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("a[data-at]").ok().flatten())
                .and_then(|a| a.get_attribute("data-at"))
                .and_then(|at| at.parse::<u32>().ok());
            if let Some(at) = at {
                event.prevent_default();
                q.go_to(at);
            }
        });
        let _ =
            outline.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
    }
    for redo in [false, true] {
        let e = editor.clone();
        let handler = Closure::<dyn FnMut()>::new(move || {
            // Undo and redo touch only this writer's own edits, never the others'. The editor
            // follows through the text's observer, as for any change.
            let Ok(undo) = e.try_borrow().map(|e| e.undo.clone()) else {
                return;
            };
            let mut undo = undo.borrow_mut();
            if redo {
                undo.redo_blocking();
            } else {
                undo.undo_blocking();
            }
        });
        if redo {
            quill.on_redo(handler.as_ref().unchecked_ref());
        } else {
            quill.on_undo(handler.as_ref().unchecked_ref());
        }
        handler.forget();
    }
}

/// Opens the websocket; on close, tries again later, waiting longer each time.
fn connect(editor: &Shared) {
    let (draft, acting_for, status) = {
        let e = editor.borrow();
        (e.draft, e.acting_for, e.out.status)
    };
    status.set(Status::Connecting);
    let location = web_sys::window().map(|w| w.location());
    let (protocol, host) = match location {
        Some(l) => (
            l.protocol().unwrap_or_default(),
            l.host().unwrap_or_default(),
        ),
        None => return,
    };
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    let query = acting_for
        .map(|org| format!("?as={org}"))
        .unwrap_or_default();
    let Ok(socket) = WebSocket::new(&format!("{scheme}://{host}/collab/drafts/{draft}{query}"))
    else {
        retry(editor);
        return;
    };
    socket.set_binary_type(BinaryType::Arraybuffer);

    let e = editor.clone();
    let on_open = Closure::<dyn FnMut()>::new(move || {
        let mut editor = e.borrow_mut();
        editor.backoff.reset();
        editor.out.status.set(Status::Connected);
        let state_vector = editor.doc.transact().state_vector().encode_v1();
        send(&editor.socket, &frames::sync_step_1(&state_vector));
        editor.send_cursor();
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();

    let e = editor.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let bytes = js_sys::Uint8Array::new(&event.data()).to_vec();
        receive(&e, &bytes);
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let e = editor.clone();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_event: CloseEvent| {
        {
            let mut editor = e.borrow_mut();
            editor.socket.borrow_mut().take();
            editor.out.status.set(Status::Offline);
            editor.peers.clear();
        }
        e.borrow().refresh_peers();
        retry(&e);
    });
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();

    let shared = editor.borrow().socket.clone();
    *shared.borrow_mut() = Some(socket);
}

fn retry(editor: &Shared) {
    let e = editor.clone();
    reconnect::after(&mut editor.borrow_mut().backoff, move || connect(&e));
}

fn receive(editor: &Shared, bytes: &[u8]) {
    match frames::decode(bytes) {
        Ok(Message::SyncStep1(state_vector)) => {
            let e = editor.borrow();
            let Ok(remote) = StateVector::decode_v1(state_vector) else {
                return;
            };
            let diff = e.doc.transact().encode_diff_v1(&remote);
            send(&e.socket, &frames::sync_step_2(&diff));
        }
        Ok(Message::SyncStep2(payload)) => apply_synced(editor, payload, true),
        Ok(Message::Update(payload)) => apply_synced(editor, payload, false),
        Ok(Message::Awareness(update)) => editor.borrow_mut().awareness(update),
        Ok(Message::Auth(_)) => {
            // Permission denied: this person reads only. Stop offering the editor for typing.
            let mut e = editor.borrow_mut();
            e.out.denied.set(true);
            if let Some(quill) = e.quill.take() {
                quill.set_read_only(true);
            }
        }
        Ok(Message::QueryAwareness) | Err(_) => {}
    }
}

/// Applies what the server sent (held while the writer composes); the server's sync step 2
/// (`step_2`) is the first full text, which makes the editor writable.
fn apply_synced(editor: &Shared, payload: &[u8], step_2: bool) {
    let first_sync = step_2 && !editor.borrow().synced;
    let composing = editor.borrow().composing;
    if composing {
        editor.borrow_mut().held.push(payload.to_vec());
    } else {
        apply_remote(editor, payload);
    }
    if first_sync {
        let mut e = editor.borrow_mut();
        e.synced = true;
        if let Some(quill) = e.quill.clone() {
            let runs = runs(&e.text, &e.doc.transact());
            quill.set_contents(&serde_json::Value::Array(delta_of_runs(&runs)).to_string());
            quill.set_read_only(false);
        }
        e.out.ready.set(true);
        drop(e);
        editor.borrow().refresh_peers();
        // Words selected while the text was still loading can be commented on now.
        super::passages::offer_passage(editor);
    }
}
