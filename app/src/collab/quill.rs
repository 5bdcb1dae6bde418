//! The co-drafters' editor (browser only): Quill 2, adapted by `frontend/editor/editor.js`, and
//! bound to the yrs document here. Quill shows the text and reports what the writer changed as
//! delta ops; the document is the only truth. Our binding (as `y-quill` is for JavaScript Yjs):
//! the writer's ops go into the document (`document::yjs::apply_delta`), and every change from
//! elsewhere goes back to Quill as ops (`document::yjs::delta_of_change`).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::Element;

#[wasm_bindgen]
extern "C" {
    /// The editor made by `BarazaEditor.create` (frontend/editor/editor.js).
    pub type QuillEditor;

    #[wasm_bindgen(js_namespace = BarazaEditor, js_name = create)]
    fn create_editor(host: &Element, toolbar: &Element, lang: &str, words: &JsValue)
    -> QuillEditor;

    #[wasm_bindgen(method, js_name = onChange)]
    pub fn on_change(this: &QuillEditor, f: &js_sys::Function);
    #[wasm_bindgen(method, js_name = onSelection)]
    pub fn on_selection(this: &QuillEditor, f: &js_sys::Function);
    #[wasm_bindgen(method, js_name = onComposition)]
    pub fn on_composition(this: &QuillEditor, f: &js_sys::Function);
    #[wasm_bindgen(method, js_name = onUndo)]
    pub fn on_undo(this: &QuillEditor, f: &js_sys::Function);
    #[wasm_bindgen(method, js_name = onRedo)]
    pub fn on_redo(this: &QuillEditor, f: &js_sys::Function);
    /// A change from elsewhere (JSON delta ops).
    #[wasm_bindgen(method)]
    pub fn apply(this: &QuillEditor, ops: &str);
    /// The whole document (JSON delta ops).
    #[wasm_bindgen(method, js_name = setContents)]
    pub fn set_contents(this: &QuillEditor, ops: &str);
    #[wasm_bindgen(method, js_name = setReadOnly)]
    pub fn set_read_only(this: &QuillEditor, read_only: bool);
    /// `[index, length]` of the writer's selection, or `[]`.
    #[wasm_bindgen(method)]
    fn selection(this: &QuillEditor) -> js_sys::Array;
    /// Puts the caret at a place and shows it.
    #[wasm_bindgen(method, js_name = goTo)]
    pub fn go_to(this: &QuillEditor, index: u32);
    /// The commented passages: JSON `[{start, end, threads}]`.
    #[wasm_bindgen(method, js_name = setMarks)]
    pub fn set_marks(this: &QuillEditor, marks: &str);
    /// Who wrote what: JSON `[{start, end, group, name}]` (empty: not coloured).
    #[wasm_bindgen(method, js_name = setWriters)]
    pub fn set_writers(this: &QuillEditor, writers: &str);
    /// The others' carets: JSON `[{index, name, colour}]`.
    #[wasm_bindgen(method, js_name = setCarets)]
    pub fn set_carets(this: &QuillEditor, carets: &str);
}

/// Whether the page loaded the editor's scripts (they come before the WebAssembly starts, but a
/// slow or blocked script must leave the page readable rather than break it).
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"BarazaEditor".into()).ok())
        .is_some_and(|v| v.is_object())
}

/// Runs `then` once the editor's scripts have run. They are deferred, and the browser may start
/// the WebAssembly between two deferred scripts, so this waits for the page's `load` (which
/// comes after every deferred script) when they have not run yet.
pub fn when_loaded(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let complete = window
        .document()
        .is_some_and(|d| d.ready_state() == "complete");
    if available() || complete {
        then();
        return;
    }
    let once = std::cell::Cell::new(Some(then));
    let on_load = Closure::<dyn FnMut()>::new(move || {
        if let Some(then) = once.take() {
            then();
        }
    });
    let _ = window.add_event_listener_with_callback("load", on_load.as_ref().unchecked_ref());
    on_load.forget();
}

/// Makes the editor in `host` with its `toolbar`; read-only until the document has synced.
pub fn create(
    host: &Element,
    toolbar: &Element,
    lang: &str,
    label: &str,
    link_prompt: &str,
) -> QuillEditor {
    let words = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&words, &"label".into(), &label.into());
    let _ = js_sys::Reflect::set(&words, &"linkPrompt".into(), &link_prompt.into());
    create_editor(host, toolbar, lang, &words)
}

impl QuillEditor {
    /// The writer's selection `(index, length)`, if the editor has focus.
    pub fn selected(&self) -> Option<(u32, u32)> {
        let range = self.selection();
        let index = range.get(0).as_f64()?;
        let length = range.get(1).as_f64()?;
        Some((index as u32, length as u32))
    }
}
