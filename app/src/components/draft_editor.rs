//! The draft, live: for co-drafters the editor (Quill bound to the shared document, with its
//! toolbar, outline and word count), for everyone else a reading view that updates as others
//! write. Without JavaScript both show the document as it was when the page was served, with its
//! outline, and say that live work needs a script.

use crate::collab::view::{Mark, PresentPeer, Status, shown};
use crate::components::document::document_view;
use crate::domain::document::{Run, outline, word_count};
use leptos::prelude::*;

/// The words of the draft editor, in the reader's language (islands cannot reach the server's
/// messages, so the page passes them in).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EditorText {
    pub label: String,
    pub connecting: String,
    /// Said while the editor is shown but cannot take typing yet.
    pub connecting_editor: String,
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
    /// The toolbar's name, and each button's label and description (with its shortcut).
    pub toolbar: String,
    pub buttons: Vec<ToolbarButton>,
    /// Asks for a link's address.
    pub link_prompt: String,
    /// The outline's name.
    pub outline: String,
    /// "Words: {n}".
    pub words: String,
    /// The button after each paragraph, and the one beside a selection, that open the comment
    /// form on that passage.
    pub comment_block: String,
    pub comment_selection: String,
    /// The switch that colours the live text by who wrote it, and the name shown for text
    /// written by people speaking for themselves.
    pub colour_by_writer: String,
    pub individuals: String,
    /// The button under a paragraph that opens its comment threads there (narrow screens);
    /// `{n}` is how many.
    pub threads_here: String,
}

/// One toolbar button: the Quill format it applies (`ql-<format>`, with `value`) and its words.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ToolbarButton {
    pub format: String,
    pub value: Option<String>,
    pub label: String,
    pub description: String,
}

/// A draft, live.
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
    /// Whether this person may comment on the draft now (the page has the comment form).
    may_comment: bool,
    /// The document when the page was served, as runs of one formatting each.
    runs: Vec<Run>,
    /// The language the draft is written in.
    lang: String,
    /// The editor's words.
    words: EditorText,
) -> impl IntoView {
    let (status, set_status) = signal(Status::Static);
    let (peers, set_peers) = signal(Vec::<PresentPeer>::new());
    let marks: Vec<Mark> = marks
        .into_iter()
        .map(|(thread, start, end)| Mark { thread, start, end })
        .collect();
    let (pieces, set_pieces) = signal(shown(&runs, &[], &marks, &[]));
    let (denied, set_denied) = signal(false);
    // Whether the editor takes typing: once the document has synced (until then what is typed
    // could not be kept, so the editor is read-only, and says why).
    let (ready, set_ready) = signal(false);
    // Whether the editor has taken the place of the served text.
    let (editing, set_editing) = signal(false);
    let host = NodeRef::<leptos::html::Div>::new();
    let toolbar = NodeRef::<leptos::html::Div>::new();
    let words_for_client = words.clone();
    let lang_for_client = lang.clone();
    Effect::new(move |started: Option<bool>| {
        if started.is_none() {
            #[cfg(feature = "hydrate")]
            {
                let outputs = crate::collab::client::Outputs {
                    status: set_status,
                    peers: set_peers,
                    segments: set_pieces,
                    denied: set_denied,
                    ready: set_ready,
                };
                let (runs, lang, words) = (
                    runs.clone(),
                    lang_for_client.clone(),
                    words_for_client.clone(),
                );
                let begin = move || {
                    let quill = match (host.get_untracked(), toolbar.get_untracked()) {
                        (Some(host), Some(toolbar))
                            if writable && crate::collab::quill::available() =>
                        {
                            let quill = crate::collab::quill::create(
                                &host,
                                &toolbar,
                                &lang,
                                &words.label,
                                &words.link_prompt,
                            );
                            // What the page was served with, until the document has synced.
                            let ops = crate::domain::document::yjs::delta_of_runs(&runs);
                            quill.set_contents(&serde_json::Value::Array(ops).to_string());
                            set_editing.set(true);
                            Some(quill)
                        }
                        _ => None,
                    };
                    crate::collab::start(process, draft, acting_for, quill, outputs, words);
                };
                if writable {
                    crate::collab::quill::when_loaded(begin);
                } else {
                    begin();
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (
                set_status,
                set_peers,
                set_pieces,
                set_denied,
                set_ready,
                set_editing,
                process,
                draft,
                acting_for,
                &words_for_client,
                &lang_for_client,
                &runs,
                host,
                toolbar,
            );
        }
        true
    });
    let words_for_status = words.clone();
    let status_text = move || {
        let w = &words_for_status;
        let reading = !writable || denied.get();
        if !reading && editing.get() && !ready.get() && status.get() != Status::Offline {
            return w.connecting_editor.clone();
        }
        match status.get() {
            Status::Static => w.no_script.clone(),
            Status::Connecting => w.connecting.clone(),
            Status::Connected if reading => w.read_only.clone(),
            Status::Connected => w.connected.clone(),
            Status::Offline => w.offline.clone(),
        }
    };
    let marker = words.marker.clone();
    let reading_lang = lang.clone();
    let comment_label = words.comment_block.clone();
    let reading = move || {
        let live = may_comment && status.get() != Status::Static;
        document_view(
            &pieces.get(),
            &reading_lang,
            Some(&marker),
            live.then_some(comment_label.as_str()),
        )
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
    // The headings, live: a link to each (in the editor, the link puts the caret there).
    let outline_entries = move || {
        let shown = pieces.get();
        outline(&shown.blocks)
            .into_iter()
            .zip(
                shown
                    .blocks
                    .iter()
                    .filter(|b| b.kind.heading_level().is_some()),
            )
            .map(|((level, id, text), block)| {
                view! {
                    <li class=format!("toc-{level}")>
                        <a href=format!("#{id}") data-at=block.start>{text}</a>
                    </li>
                }
            })
            .collect_view()
    };
    let has_outline =
        move || pieces.with(|s| s.blocks.iter().any(|b| b.kind.heading_level().is_some()));
    let count_label = words.words.clone();
    let count = move || {
        let n = pieces.with(|s| {
            s.blocks
                .iter()
                .map(|b| word_count(&b.text()))
                .sum::<usize>()
        });
        count_label.replace("{n}", &n.to_string())
    };
    let buttons = words
        .buttons
        .iter()
        .map(|b| {
            view! {
                <button
                    type="button"
                    class=format!("ql-{}", b.format)
                    value=b.value.clone()
                    title=b.description.clone()
                >
                    {b.label.clone()}
                </button>
            }
        })
        .collect_view();
    let writer_tools = writable.then(|| {
        view! {
            <div class="editor-bar" hidden=move || !editing.get()>
                <div class="toolbar" role="toolbar" aria-label=words.toolbar.clone() node_ref=toolbar>
                    {buttons}
                </div>
                <span class="word-count">{count.clone()}</span>
                // Where the writer is looking, in the bar that stays in view; the status line
                // above says it to screen readers.
                <span class="editor-wait" aria-hidden="true" hidden=move || ready.get()>
                    {words.connecting_editor.clone()}
                </span>
            </div>
        }
    });
    let editor_host = writable.then(|| {
        view! {
            <div
                class="editor-host"
                lang=lang.clone()
                node_ref=host
                hidden=move || !editing.get()
                aria-busy=move || (!ready.get()).then_some("true")
            ></div>
        }
    });
    // Who wrote what, live (the page's "Who wrote what" section explains the colours).
    let colour_switch = view! {
        <label class="colour-switch" hidden=move || status.get() == Status::Static>
            <input
                type="checkbox"
                on:change=move |event| {
                    #[cfg(feature = "hydrate")]
                    crate::collab::writers::colour_by_writer(event_target_checked(&event));
                    #[cfg(not(feature = "hydrate"))]
                    let _ = event;
                }
            />
            " "
            {words.colour_by_writer.clone()}
        </label>
    };
    view! {
        <div class="editor">
            <p class="editor-status" role="status">{status_text}</p>
            {colour_switch}
            <div class="presence" hidden=move || peers.get().is_empty()>
                <span>{present}</span>
                <ul>{people}</ul>
            </div>
            {writer_tools}
            <div class="editor-layout">
                <nav class="outline" aria-label=words.outline.clone() hidden=move || !has_outline()>
                    <ol lang=lang.clone()>{outline_entries}</ol>
                </nav>
                <div class="editor-column">
                    {editor_host}
                    <div class="live-text document" lang=lang.clone() hidden=move || editing.get()>{reading}</div>
                    {(!writable).then(|| view! { <p class="word-count">{count}</p> })}
                </div>
            </div>
        </div>
    }
}
