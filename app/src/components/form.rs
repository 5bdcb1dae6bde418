//! Accessible form controls. Each shows what the person typed when a submission failed, the
//! field's error beside it (linked with `aria-describedby`), and works without JavaScript.

use super::islands::PasswordInput;
use super::layout::t;
use crate::i18n::Msg;
use crate::model::Organisation;
use crate::ssr::cx;
use leptos::prelude::*;

/// The form being rendered: its intent, and a key when the page repeats the form (one reply form
/// per comment), so that its fields get ids unique on the page and a failed submission is shown
/// again in the form it came from, not in its siblings.
#[derive(Clone, Debug)]
pub struct FormIntent {
    pub intent: &'static str,
    pub key: Option<String>,
}

impl FormIntent {
    fn prefix(&self) -> String {
        match &self.key {
            Some(key) => format!("{}-{key}", self.intent),
            None => self.intent.to_string(),
        }
    }

    /// Whether the failed submission being shown again came from this form.
    /// A submission without an intent comes from a page with a single form (the handlers of pages
    /// with several refuse it), so it is that form's. One without a key (a client other than our
    /// pages) is shown in every form of its intent rather than in none.
    fn was_submitted(&self, values: &std::collections::HashMap<String, String>) -> bool {
        let intent = values.get("intent").map(String::as_str);
        let key = values.get("key").map(String::as_str);
        intent.is_none_or(|intent| intent == self.intent)
            && match (self.key.as_deref(), key) {
                (Some(mine), Some(sent)) => mine == sent,
                _ => true,
            }
    }
}

/// The id of the field `name` in the form being rendered.
pub fn field_id(name: &str) -> String {
    match use_context::<FormIntent>() {
        Some(form) => format!("{}-{name}", form.prefix()),
        None => name.to_string(),
    }
}

/// Whether the failed submission on this page (if any) belongs to the form being rendered.
fn this_form_failed() -> bool {
    let cx = cx();
    match (use_context::<FormIntent>(), &cx.feedback) {
        (Some(form), Some(feedback)) => form.was_submitted(&feedback.values),
        (None, Some(_)) => true,
        (_, None) => false,
    }
}

/// A form that posts to `action`, tagged with the `intent` its handler dispatches on (and the
/// `key` of the thing it acts on, when the page repeats it).
#[component]
pub fn PostForm(
    action: String,
    intent: &'static str,
    #[prop(optional)] key: Option<String>,
    #[prop(optional)] class: &'static str,
    /// `multipart/form-data` for a form with a file field.
    #[prop(optional)]
    enctype: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let form = FormIntent {
        intent,
        key: key.clone(),
    };
    // The notice after this form was sent comes back in it, unless it is about something else.
    let notice = super::layout::notice_at(format!("form:{}", form.prefix()));
    provide_context(form);
    view! {
        <form method="post" action=action class=class enctype=enctype>
            {notice}
            <input type="hidden" name="intent" value=intent />
            {key.map(|key| view! { <input type="hidden" name="key" value=key /> })}
            {children()}
        </form>
    }
}

/// The summary of a failed submission, announced to screen readers, linking to each field.
/// Shown only on the form whose `intent` (and `key`, for a repeated form) was submitted.
#[component]
pub fn ErrorSummary(intent: &'static str, #[prop(optional)] key: Option<String>) -> impl IntoView {
    let cx = cx();
    let form = FormIntent { intent, key };
    let prefix = form.prefix();
    let feedback = cx
        .feedback
        .clone()
        .filter(|f| form.was_submitted(&f.values) && !f.error.fields().is_empty());
    feedback.map(|feedback| {
        if let Some(shown) = use_context::<super::layout::SummaryShown>() {
            shown.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let items = feedback
            .error
            .fields()
            .iter()
            .filter(|e| !is_request_level(&e.field))
            .map(|e| {
                view! {
                    <li>
                        <a href=format!("#{prefix}-{}", e.field)>{cx.t(e.msg.clone())}</a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="error-summary" role="alert">
                <h2>{cx.t(feedback.error.message())}</h2>
                <ul>{items}</ul>
            </div>
        }
    })
}

/// Errors about the request as a whole rather than one field; the page banner shows them.
pub fn is_request_level(field: &str) -> bool {
    matches!(field, "form" | "intent")
}

fn error_of(name: &str) -> Option<(String, String)> {
    if !this_form_failed() {
        return None;
    }
    cx().field_error(name)
        .map(|msg| (format!("{}-error", field_id(name)), t(msg)))
}

/// What the person typed into `name`, when this form's submission failed.
fn typed(name: &str) -> Option<String> {
    this_form_failed().then(|| cx().typed(name)).flatten()
}

fn describe(name: &str, hint: &Option<String>, error: &Option<(String, String)>) -> Option<String> {
    let ids: Vec<String> = [
        hint.as_ref().map(|_| format!("{}-hint", field_id(name))),
        error.as_ref().map(|(id, _)| id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[component]
fn HintAndError(
    name: String,
    hint: Option<String>,
    error: Option<(String, String)>,
) -> impl IntoView {
    view! {
        {hint.map(|h| view! { <p class="hint" id=format!("{}-hint", field_id(&name))>{h}</p> })}
        {error.map(|(id, text)| view! { <p class="field-error" id=id>{text}</p> })}
    }
}

/// A one-line input.
#[component]
pub fn TextField(
    name: String,
    label: String,
    #[prop(optional)] value: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] lang: Option<String>,
) -> impl IntoView {
    let value = typed(&name).unwrap_or(value);
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    view! {
        <div class="field" class:has-error=error.is_some()>
            <label for=field_id(&name)>{label}</label>
            <HintAndError name=name.clone() hint=hint error=error.clone() />
            <input
                id=field_id(&name)
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                lang=lang
                aria-describedby=described
                aria-invalid=error.is_some().then_some("true")
            />
        </div>
    }
}

/// A file input (its form needs `enctype="multipart/form-data"`). A browser never fills one in
/// again, so a refused form shows only the error.
#[component]
pub fn FileField(
    name: String,
    label: String,
    #[prop(optional)] hint: Option<String>,
    /// What the picker offers, as `accept` lists it (`.docx,application/…`).
    accept: &'static str,
) -> impl IntoView {
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    view! {
        <div class="field" class:has-error=error.is_some()>
            <label for=field_id(&name)>{label}</label>
            <HintAndError name=name.clone() hint=hint error=error.clone() />
            <input
                id=field_id(&name)
                name=name
                type="file"
                accept=accept
                aria-describedby=described
                aria-invalid=error.is_some().then_some("true")
            />
        </div>
    }
}

/// A multi-line input.
#[component]
pub fn TextArea(
    name: String,
    label: String,
    #[prop(optional)] value: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(default = 6)] rows: u32,
    #[prop(optional)] required: bool,
    #[prop(optional)] lang: Option<String>,
) -> impl IntoView {
    let value = typed(&name).unwrap_or(value);
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    view! {
        <div class="field" class:has-error=error.is_some()>
            <label for=field_id(&name)>{label}</label>
            <HintAndError name=name.clone() hint=hint error=error.clone() />
            <textarea
                id=field_id(&name)
                name=name
                rows=rows
                required=required
                lang=lang
                aria-describedby=described
                aria-invalid=error.is_some().then_some("true")
            >
                {value}
            </textarea>
        </div>
    }
}

/// A drop-down choice among `(value, label)` options.
#[component]
pub fn Select(
    name: String,
    label: String,
    options: Vec<(String, String)>,
    #[prop(optional)] selected: String,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let selected = typed(&name).unwrap_or(selected);
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = value == selected;
            view! {
                <option value=value selected=is_selected>
                    {text}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field" class:has-error=error.is_some()>
            <label for=field_id(&name)>{label}</label>
            <HintAndError name=name.clone() hint=hint error=error.clone() />
            <select id=field_id(&name) name=name aria-describedby=described aria-invalid=error.is_some().then_some("true")>
                {options}
            </select>
        </div>
    }
}

/// A choice among a few options as radio buttons, none chosen at first unless `selected` says
/// so: for a choice that must be made on purpose.
#[component]
pub fn RadioGroup(
    name: String,
    legend: String,
    options: Vec<(String, String)>,
    #[prop(optional)] selected: String,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let selected = typed(&name).unwrap_or(selected);
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    let first_id = field_id(&name);
    let radios = options
        .into_iter()
        .enumerate()
        .map(|(i, (value, text))| {
            // The first radio carries the field's id, so the error summary's link reaches it.
            let id = if i == 0 {
                first_id.clone()
            } else {
                format!("{first_id}-{value}")
            };
            let checked = value == selected;
            let label_for = id.clone();
            view! {
                <label class="radio" for=label_for>
                    <input type="radio" id=id name=name.clone() value=value checked=checked />
                    " "
                    {text}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field radios" class:has-error=error.is_some() aria-describedby=described aria-invalid=error.is_some().then_some("true")>
            <legend>{legend}</legend>
            <HintAndError name=name.clone() hint=hint error=error.clone() />
            {radios}
        </fieldset>
    }
}

/// A new password and its repetition (`new_password`, `new_password_confirm`), with the rule
/// for a good one: the account page's form and the reset link's.
#[component]
pub fn NewPasswordFields() -> impl IntoView {
    let hint = cx().t(Msg::AuthPasswordHint {
        min: crate::domain::account::MIN_PASSWORD.to_string(),
    });
    view! {
        <PasswordField
            name="new_password".into()
            label=t(Msg::AccountNewPassword)
            autocomplete="new-password"
            hint=hint
        />
        <PasswordField name="new_password_confirm".into() label=t(Msg::AuthPasswordConfirm) autocomplete="new-password" />
    }
}

/// A password input; never pre-filled, even after a failed submission.
#[component]
pub fn PasswordField(
    name: String,
    label: String,
    #[prop(default = "current-password")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    view! {
        <div class="field" class:has-error=error.is_some()>
            <label for=field_id(&name)>{label}</label>
            <HintAndError name=name.clone() hint=hint error=error.clone() />
            <PasswordInput
                id=field_id(&name)
                name=name
                autocomplete=autocomplete.to_string()
                show_label=t(Msg::FormShowPassword)
                hide_label=t(Msg::FormHidePassword)
                required=true
                described_by=described
                invalid=error.is_some()
            />
        </div>
    }
}

/// "Speaking as": oneself, or one of `organisations`, those the person may speak for
/// ([`crate::api::organisations::speaking_options`]). What they do is recorded with both their
/// name and the organisation they chose.
#[component]
pub fn ActingAsField(
    organisations: Vec<Organisation>,
    /// The organisation chosen at first (when the person may act only through it).
    #[prop(default = None)]
    selected: Option<crate::ids::OrgId>,
) -> impl IntoView {
    let cx = cx();
    let lang = cx.lang.code().to_string();
    let mut options = vec![(String::new(), t(Msg::FormActingAsMyself))];
    options.extend(
        organisations
            .iter()
            .map(|o| (o.id.to_string(), o.name.pick(&lang, &[]).text)),
    );
    (options.len() > 1).then(|| {
        view! {
            <Select
                name="acting_for".to_string()
                label=t(Msg::FormActingAs)
                options=options
                selected=selected.map(|o| o.to_string()).unwrap_or_default()
                hint=t(Msg::FormActingAsHint)
            />
        }
    })
}

/// A checkbox; after a failed submission it keeps what the person ticked.
#[component]
pub fn Checkbox(
    name: String,
    label: String,
    #[prop(optional)] checked: bool,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let checked = if this_form_failed() {
        typed(&name).is_some_and(|v| !v.is_empty())
    } else {
        checked
    };
    let error = error_of(&name);
    let described = describe(&name, &hint, &error);
    let has_error = error.is_some();
    view! {
        <div class="field check" class:has-error=has_error>
            <input
                type="checkbox"
                id=field_id(&name)
                name=name.clone()
                value="on"
                checked=checked
                aria-describedby=described
            />
            <label for=field_id(&name)>{label}</label>
            <HintAndError name=name hint=hint error=error />
        </div>
    }
}
