//! The frame around every page: skip link, header, language switcher, notices, footer.

use crate::domain::roles::{SiteAction, site_may};
use crate::i18n::{Lang, Msg};
use crate::ssr::cx;
use leptos::prelude::*;
use leptos_meta::Title;

/// A message in the current request's language.
pub fn t(msg: Msg) -> String {
    cx().t(msg)
}

/// Set by a form's error summary when it shows the failed submission's errors.
#[derive(Clone, Default)]
pub struct SummaryShown(pub std::sync::Arc<std::sync::atomic::AtomicBool>);

/// A page: its `<title>`, the site header, the main landmark holding `children`, and the footer.
#[component]
pub fn Page(
    /// The page's title, also its first heading unless `heading` is false.
    title: String,
    #[prop(optional)] no_heading: bool,
    children: Children,
) -> impl IntoView {
    let cx = cx();
    // The notice goes beside what it is about when the page holds it (see `notice_at`); this
    // closure runs once the page is built, so it knows whether a place was found.
    let notice = cx.notice.clone().map(|notice| {
        let lang = cx.lang;
        move || {
            notice
                .shown_at()
                .is_none()
                .then(|| notice_view(&notice, lang))
        }
    });
    // Refusals, and problems with the request as a whole, shown above everything: the form that
    // was sent may not even be on the page the person may now see.
    let refusal = cx.feedback.as_ref().and_then(|f| {
        let request_level: Vec<String> = f
            .error
            .fields()
            .iter()
            .filter(|e| crate::components::form::is_request_level(&e.field))
            .map(|e| cx.t(e.msg.clone()))
            .collect();
        if f.error.fields().is_empty() {
            Some(vec![cx.t(f.error.message())])
        } else if !request_level.is_empty() {
            Some(request_level)
        } else {
            None
        }
    });
    let refusal = refusal.map(|messages| {
        view! {
            <div class="error-summary" role="alert">
                {messages.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        }
    });
    // Field errors whose form is no longer on the page (the comment left the queue meanwhile) would
    // otherwise vanish: the forms' summaries mark themselves shown while the page is built, and
    // this closure, run when the page is written out, lists whatever none of them showed.
    let shown = SummaryShown::default();
    provide_context(shown.clone());
    let feedback = cx.feedback.clone();
    let lang = cx.lang;
    let unshown = move || {
        let feedback = feedback.as_ref()?;
        let fields: Vec<String> = feedback
            .error
            .fields()
            .iter()
            .filter(|e| !crate::components::form::is_request_level(&e.field))
            .map(|e| e.msg.render(lang))
            .collect();
        (!fields.is_empty() && !shown.0.load(std::sync::atomic::Ordering::Relaxed)).then(|| {
            view! {
                <div class="error-summary" role="alert">
                    <h2>{feedback.error.message().render(lang)}</h2>
                    <ul>{fields.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            }
        })
    };
    // Until a person confirms their address they read and follow but do not post: every page
    // says so, and where to send the link again (the account page says it in its own words).
    let unconfirmed = cx
        .viewer
        .as_ref()
        .filter(|v| !v.email_verified && !cx.unverified_may_post && cx.path != "/account")
        .map(|v| {
            view! {
                <p class="confirm-banner">
                    {cx.t(Msg::VerifyBanner { email: v.email.clone() })} " "
                    <a href="/account#email">{t(Msg::VerifyBannerLink)}</a>
                </p>
            }
        });
    view! {
        <Title text=format!("{title} · Baraza") />
        <a class="skip-link" href="#main">{t(Msg::LayoutSkipToContent)}</a>
        <Header />
        <main id="main" tabindex="-1">
            {unconfirmed}
            {notice}
            {refusal}
            {unshown}
            {(!no_heading).then(|| view! { <h1>{title.clone()}</h1> })}
            {children()}
        </main>
        <footer class="site-footer">
            <p>{t(Msg::LayoutFooter)}</p>
            <p>
                <a href="/api/v1/processes">{t(Msg::LayoutOpenData)}</a>
            </p>
        </footer>
    }
}

/// The one-time notice, if it belongs at `place` (an element's id, or `form:<intent>` for a form):
/// put this first inside that element. The notice is shown at the first place it belongs that
/// the page holds, once, and at the top of the page when it holds none of them.
pub fn notice_at(place: String) -> impl IntoView {
    let cx = cx();
    // Only the first element of a place may show it (a form repeated without a key).
    let notice = cx.notice.filter(|n| n.found(&place));
    let lang = cx.lang;
    move || {
        notice
            .as_ref()
            .filter(|n| n.shown_at().as_deref() == Some(place.as_str()))
            .map(|n| notice_view(n, lang))
    }
}

/// A notice, announced politely; `id="notice"` is where a form's redirect scrolls to.
fn notice_view(notice: &crate::ssr::context::Notice, lang: Lang) -> impl IntoView + use<> {
    view! { <p class="notice" id="notice" role="status">{notice.msg.render(lang)}</p> }
}

#[component]
fn Header() -> impl IntoView {
    let cx = cx();
    let account = move || {
        match &cx.viewer {
        Some(person) => {
            let admin = site_may(true, person.site_admin, SiteAction::ManagePeople).then(|| {
                view! {
                    <li>
                        <a href="/admin">{t(Msg::NavAdmin)}</a>
                    </li>
                }
            });
            // The count is part of the link's name, so a screen reader says it too.
            let count = cx.unread.load(std::sync::atomic::Ordering::Relaxed);
            let unread = (count > 0).then(|| {
                view! {
                    " "
                    <span class="count">{cx.t(Msg::NotificationsUnread { count: count.to_string() })}</span>
                }
            });
            view! {
                {admin}
                <li>
                    <a href="/notifications" class="notifications-link">{t(Msg::NotificationsTitle)}{unread}</a>
                </li>
                <li>
                    <a href="/account">{person.display_name.clone()}</a>
                </li>
                <li>
                    <form method="post" action="/auth/logout" class="inline">
                        <button type="submit" class="link">
                            {t(Msg::NavSignOut)}
                        </button>
                    </form>
                </li>
            }
            .into_any()
        }
        None => view! {
            <li>
                <a href=format!("/auth/login?next={}", encode_path(&cx.path))>{t(Msg::NavSignIn)}</a>
            </li>
            <li>
                <a href="/auth/signup">{t(Msg::NavSignUp)}</a>
            </li>
        }
        .into_any(),
    }
    };
    let links = move || {
        view! {
            <nav aria-label=t(Msg::NavLabel)>
                <ul>
                    <li>
                        <a href="/">{t(Msg::NavProcesses)}</a>
                    </li>
                    <li>
                        <a href="/decisions">{t(Msg::NavDecisions)}</a>
                    </li>
                    <li>
                        <a href="/budgets">{t(Msg::NavBudgets)}</a>
                    </li>
                    <li>
                        <a href="/organisations">{t(Msg::NavOrganisations)}</a>
                    </li>
                    {account()}
                </ul>
            </nav>
        }
    };
    // On a wide screen the links stand in the line. On a phone they fold into a disclosure (a
    // <details>: no script needed) so the header stays one line; the language switcher stays
    // outside it, for a reader who cannot read the word "Menu". The stylesheet shows one of the
    // two (the other is display:none, so neither assistive technology nor the keyboard meets
    // it twice): a browser cannot be made to show a closed <details>' content on wide screens
    // only, except the newest ones (::details-content), and a ministry's desktop may be older.
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "Baraza"
            </a>
            <div class="site-links">{links()}</div>
            <details class="site-menu">
                <summary>
                    <span>{t(Msg::NavMenu)}</span>
                </summary>
                {links()}
            </details>
            <LanguageSwitcher />
        </header>
    }
}

/// Choose the interface language. A plain form: works without JavaScript.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let cx = cx();
    let options = Lang::ALL
        .iter()
        .map(|lang| {
            view! {
                <option value=lang.code() lang=lang.code() selected=*lang == cx.lang>
                    {lang.native_name()}
                </option>
            }
        })
        .collect_view();
    view! {
        <form method="post" action="/language" class="language-switcher">
            <input type="hidden" name="return_to" value=cx.path.clone() />
            <label for="language-select">{t(Msg::NavLanguage)}</label>
            <select id="language-select" name="language">
                {options}
            </select>
            <button type="submit" class="secondary">
                {t(Msg::NavLanguageApply)}
            </button>
        </form>
    }
}

/// Percent-encodes a path for use in a query string.
pub fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
