//! Accessible form controls. Each shows what the person typed when a submission failed, the
//! field's error beside it (linked with `aria-describedby`), and works without JavaScript.

use super::islands::PasswordInput;
use super::layout::t;
use crate::i18n::Msg;
use crate::model::Organisation;
use crate::ssr::cx;
use leptos::prelude::*;

/// The intent of the form being rendered, so that its fields get ids unique on the page even
/// when two forms have a field of the same name.
#[derive(Clone, Copy, Debug)]
pub struct FormIntent(pub &'static str);

/// The id of the field `name` in the form being rendered.
pub fn field_id(name: &str) -> String {
    match use_context::<FormIntent>() {
        Some(FormIntent(intent)) => format!("{intent}-{name}"),
        None => name.to_string(),
    }
}

/// A form that posts to `action`, tagged with the `intent` its handler dispatches on.
#[component]
pub fn PostForm(
    action: String,
    intent: &'static str,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    provide_context(FormIntent(intent));
    view! {
        <form method="post" action=action class=class>
            <input type="hidden" name="intent" value=intent />
            {children()}
        </form>
    }
}

/// The summary of a failed submission, announced to screen readers, linking to each field.
/// Shown only on the form whose `intent` was submitted.
#[component]
pub fn ErrorSummary(intent: &'static str) -> impl IntoView {
    let cx = cx();
    let feedback = cx.feedback.clone().filter(|f| {
        f.values.get("intent").map(String::as_str).unwrap_or("") == intent
            && !f.error.fields().is_empty()
    });
    feedback.map(|feedback| {
        let items = feedback
            .error
            .fields()
            .iter()
            .filter(|e| !is_request_level(&e.field))
            .map(|e| {
                view! {
                    <li>
                        <a href=format!("#{intent}-{}", e.field)>{cx.t(e.msg.clone())}</a>
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
    cx().field_error(name)
        .map(|msg| (format!("{name}-error"), t(msg)))
}

fn describe(name: &str, hint: &Option<String>, error: &Option<(String, String)>) -> Option<String> {
    let ids: Vec<String> = [
        hint.as_ref().map(|_| format!("{name}-hint")),
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
    let value = cx().typed(&name).unwrap_or(value);
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
    let value = cx().typed(&name).unwrap_or(value);
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
    let selected = cx().typed(&name).unwrap_or(selected);
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

/// "Speaking as": oneself, or one of the organisations the person belongs to. What they do is
/// recorded with both their name and the organisation they chose.
#[component]
pub fn ActingAsField(organisations: Vec<Organisation>) -> impl IntoView {
    let cx = cx();
    let lang = cx.lang.code().to_string();
    let mut options = vec![(String::new(), t(Msg::FormActingAsMyself))];
    options.extend(
        organisations
            .iter()
            .filter(|o| o.verified_at.is_some())
            .map(|o| (o.id.to_string(), o.name.pick(&lang, &[]).text)),
    );
    (options.len() > 1).then(|| {
        view! {
            <Select
                name="acting_for".to_string()
                label=t(Msg::FormActingAs)
                options=options
                hint=t(Msg::FormActingAsHint)
            />
        }
    })
}
