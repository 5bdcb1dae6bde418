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
    /// The accessible name of a marker leading to a comment thread; `{n}` is its number.
    pub marker: String,
    /// Announced when a comment thread changes while the page is open.
    pub thread_updated: String,
}

/// A draft, live. Co-drafters get a `<textarea>` bound to the shared document; everyone else a
/// reading view that updates as others write. Without JavaScript both show the text as it was
/// when the page was served, and say that live work needs a script.
#[island]
pub fn DraftEditor(
    /// The process the draft belongs to (for the addresses of its comment threads).
    process: i64,
    /// The draft's id (for the websocket's address).
    draft: i64,
    /// Commented passages when the page was served: (thread, start, end) in UTF-16 offsets.
    marks: Vec<(i64, u32, u32)>,
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
    use crate::collab::view::{Mark, PresentPeer, Status, segments};
    let (status, set_status) = signal(Status::Static);
    let (peers, set_peers) = signal(Vec::<PresentPeer>::new());
    let marks: Vec<Mark> = marks
        .into_iter()
        .map(|(thread, start, end)| Mark { thread, start, end })
        .collect();
    let (pieces, set_pieces) = signal(segments(&text, &[], &marks));
    let (denied, set_denied) = signal(false);
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let words_for_client = words.clone();
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
                    process,
                    draft,
                    acting_for,
                    if writable {
                        textarea.get_untracked()
                    } else {
                        None
                    },
                    outputs,
                    words_for_client.clone(),
                );
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (
                set_status,
                set_peers,
                set_pieces,
                set_denied,
                process,
                draft,
                acting_for,
                &words_for_client,
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
    // Commented passages are highlighted; in the reading view a marker after each leads to its
    // thread (the mirror over the textarea only shows the highlight: it cannot be clicked).
    let marker = words.marker.clone();
    let render_pieces = move |with_markers: bool| {
        let marker = marker.clone();
        move || {
            pieces
                .get()
                .into_iter()
                .map(|piece| {
                    let caret = piece.caret.map(|(colour, name)| {
                        view! { <span class="caret" style=format!("border-color:{colour}") data-name=name></span> }
                    });
                    let style = piece.selected_by.map(|c| format!("background:{c}33"));
                    let text = if piece.threads.is_empty() {
                        view! { <span style=style>{piece.text}</span> }.into_any()
                    } else {
                        let threads = piece
                            .threads
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(" ");
                        view! { <mark class="passage" data-threads=threads style=style>{piece.text}</mark> }.into_any()
                    };
                    let markers = with_markers.then(|| {
                        piece
                            .ends
                            .iter()
                            .map(|n| {
                                let label = marker.replace("{n}", &n.to_string());
                                view! { <a class="thread-marker" href=format!("#thread-{n}") aria-label=label data-n=n.to_string()></a> }
                            })
                            .collect_view()
                    });
                    view! { {caret} {text} {markers} }
                })
                .collect_view()
        }
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
                        <div class="mirror" aria-hidden="true" lang=lang.clone()>{render_pieces(false)}</div>
                        <textarea node_ref=textarea aria-label=words.label.clone() lang=lang.clone() readonly=true spellcheck="true">
                            {text.clone()}
                        </textarea>
                    </div>
                }
                    .into_any()
            } else {
                view! { <div class="live-text" lang=lang.clone()>{render_pieces(true)}</div> }.into_any()
            }}
        </div>
    }
}
