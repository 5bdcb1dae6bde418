//! The interactive islands: the only components that ship to the browser as WebAssembly.
//! Each one enhances HTML that already works without JavaScript.

use leptos::prelude::*;

/// A password input with a button that shows or hides what was typed. Without JavaScript the
/// button is absent (it is rendered hidden and revealed on hydration) and the input works as usual.
#[island]
pub fn PasswordInput(
    /// The input's id.
    id: String,
    /// The input's name.
    name: String,
    /// `current-password` or `new-password`.
    autocomplete: String,
    /// The button's label when the password is hidden.
    show_label: String,
    /// The button's label when the password is shown.
    hide_label: String,
    /// Whether the field is required.
    required: bool,
    /// The id of the field's hint or error, if any.
    described_by: Option<String>,
    /// Whether the field currently has an error.
    invalid: bool,
) -> impl IntoView {
    let (visible, set_visible) = signal(false);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <span class="password-input">
            <input
                id=id
                name=name
                type=move || if visible.get() { "text" } else { "password" }
                autocomplete=autocomplete
                required=required
                aria-describedby=described_by
                aria-invalid=invalid.then_some("true")
            />
            <button
                type="button"
                class="secondary"
                hidden=move || !hydrated.get()
                aria-pressed=move || if visible.get() { "true" } else { "false" }
                on:click=move |_| set_visible.update(|v| *v = !*v)
            >
                {move || if visible.get() { hide_label.clone() } else { show_label.clone() }}
            </button>
        </span>
    }
}

/// The words of the draft editor, in the reader's language (islands cannot reach the server's
/// messages, so the page passes them in).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EditorText {
    pub label: String,
    pub connecting: String,
    pub connected: String,
    pub offline: String,
    pub read_only: String,
    pub present: String,
    pub you: String,
    pub no_script: String,
}

/// A draft, live. Co-drafters get a `<textarea>` bound to the shared document; everyone else a
/// reading view that updates as others write. Without JavaScript both show the text as it was
/// when the page was served, and say that live work needs a script.
#[island]
pub fn DraftEditor(
    /// The draft's id (for the websocket's address).
    draft: i64,
    /// The co-drafting organisation this person writes for, when they chose one.
    acting_for: Option<i64>,
    /// Whether this person may write now (the server decides again for every change).
    writable: bool,
    /// The text when the page was served.
    text: String,
    /// The language the draft is written in.
    lang: String,
    /// The editor's words.
    words: EditorText,
) -> impl IntoView {
    use crate::collab::view::{PresentPeer, Segment, Status};
    let (status, set_status) = signal(Status::Static);
    let (peers, set_peers) = signal(Vec::<PresentPeer>::new());
    let (pieces, set_pieces) = signal(vec![Segment {
        text: text.clone(),
        selected_by: None,
        caret: None,
    }]);
    let (denied, set_denied) = signal(false);
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |started: Option<bool>| {
        if started.is_none() {
            #[cfg(feature = "hydrate")]
            {
                let outputs = crate::collab::client::Outputs {
                    status: set_status,
                    peers: set_peers,
                    segments: set_pieces,
                    denied: set_denied,
                };
                crate::collab::start(
                    draft,
                    acting_for,
                    if writable {
                        textarea.get_untracked()
                    } else {
                        None
                    },
                    outputs,
                );
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (
                set_status, set_peers, set_pieces, set_denied, draft, acting_for,
            );
        }
        true
    });
    let words_for_status = words.clone();
    let status_text = move || {
        let w = &words_for_status;
        let reading = !writable || denied.get();
        match status.get() {
            Status::Static => w.no_script.clone(),
            Status::Connecting => w.connecting.clone(),
            Status::Connected if reading => w.read_only.clone(),
            Status::Connected => w.connected.clone(),
            Status::Offline => w.offline.clone(),
        }
    };
    let render_pieces = move || {
        pieces
            .get()
            .into_iter()
            .map(|piece| {
                let caret = piece.caret.map(|(colour, name)| {
                    view! { <span class="caret" style=format!("border-color:{colour}") data-name=name></span> }
                });
                let style = piece.selected_by.map(|c| format!("background:{c}33"));
                view! { {caret} <span style=style>{piece.text}</span> }
            })
            .collect_view()
    };
    let present = words.present.clone();
    let people = move || {
        peers
            .get()
            .into_iter()
            .map(|p| {
                let who = match p.org {
                    Some(org) => format!("{} ({org})", p.name),
                    None => p.name,
                };
                view! { <li><span class="swatch" style=format!("background:{}", p.colour)></span> {who}</li> }
            })
            .collect_view()
    };
    view! {
        <div class="editor">
            <p class="editor-status" role="status">{status_text}</p>
            <div class="presence" hidden=move || peers.get().is_empty()>
                <span>{present}</span>
                <ul>{people}</ul>
            </div>
            {if writable {
                view! {
                    <div class="editor-frame">
                        <div class="mirror" aria-hidden="true" lang=lang.clone()>{render_pieces}</div>
                        <textarea node_ref=textarea aria-label=words.label.clone() lang=lang.clone() readonly=true spellcheck="true">
                            {text.clone()}
                        </textarea>
                    </div>
                }
                    .into_any()
            } else {
                view! { <div class="live-text" lang=lang.clone()>{render_pieces}</div> }.into_any()
            }}
        </div>
    }
}
