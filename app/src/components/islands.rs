//! The small interactive islands (the draft editor and the sitting room have files of their
//! own). Each one enhances HTML that already works without JavaScript.

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
