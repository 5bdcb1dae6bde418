//! The HTML shell and the routes. Server-only: in islands mode the browser never renders pages.

use crate::assets::Assets;
use crate::pages::NotFound;
use crate::pages::account::{AccountPage, OwnCommentsPage};
use crate::pages::admin::{AdminPage, EditProcessPage, NewProcessPage};
use crate::pages::auth::{LoginPage, SignupPage};
use crate::pages::comments::{ModerationLogPage, ModerationPage, ProjectThreadPage, ThreadPage};
use crate::pages::compare::ComparePage;
use crate::pages::decisions::{DecisionPage, DecisionsPage};
use crate::pages::drafts::DraftPage;
use crate::pages::home::HomePage;
use crate::pages::organisations::{NewOrganisationPage, OrganisationPage, OrganisationsPage};
use crate::pages::process::{HowItWorksPage, ManagePage, ProcessPage};
use crate::pages::sittings::{NewSittingPage, SittingPage};
use crate::ssr::cx;
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The document around every page, in the request's language.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = cx().lang.code();
    content_security_policy();
    let assets = Assets::of_site(std::path::Path::new(&*options.site_root));
    provide_context(assets.clone());
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href=assets.url("baraza.css") />
                <IslandsScript assets />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// What Leptos's `<HydrationScripts islands=true>` does, except that the WebAssembly bundle is
/// fetched only by a page that has an island (`hydrate_islands.js` looks for one), and under
/// its versioned name: a reader of a page with nothing interactive downloads no script.
#[component]
fn IslandsScript(assets: std::sync::Arc<Assets>) -> impl IntoView {
    // As HydrationScripts does in islands mode: the page is rendered "not hydrating", so that
    // only islands carry hydration markers.
    if let Some(shared) = Owner::current_shared_context() {
        shared.set_is_hydrating(false);
    }
    let url = |plain: &str| serde_json::to_string(&assets.url(plain)).unwrap_or_default();
    let script = format!(
        "{}({}, {});",
        include_str!("hydrate_islands.js")
            .trim_end()
            .trim_end_matches(';'),
        url("baraza.js"),
        url("baraza.wasm"),
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// Scripts run only from this site or with this response's nonce (the islands script);
/// WebAssembly may compile; styles come from our stylesheet, plus style attributes (presence
/// colours); nothing may frame the site, and forms post only here.
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        nonce.as_inner()
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Every page of Baraza.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage />
                <Route path=path!("/processes/:id") view=ProcessPage />
                <Route path=path!("/processes/:id/how-it-works") view=HowItWorksPage />
                <Route path=path!("/budgets/:id/how-it-works") view=crate::pages::budget_how::BudgetHowPage />
                <Route path=path!("/processes/:id/manage") view=ManagePage />
                <Route path=path!("/processes/:id/drafts/:draft") view=DraftPage />
                <Route path=path!("/processes/:id/drafts/:draft/compare") view=ComparePage />
                <Route path=path!("/processes/:id/drafts/:draft/threads/:thread") view=ThreadPage />
                <Route path=path!("/processes/:id/moderation") view=ModerationPage />
                <Route path=path!("/processes/:id/moderation-log") view=ModerationLogPage />
                <Route path=path!("/processes/:id/sittings/new") view=NewSittingPage />
                <Route path=path!("/processes/:id/sittings/:sitting") view=SittingPage />
                <Route path=path!("/processes/:id/decisions/:decision") view=DecisionPage />
                <Route path=path!("/decisions") view=DecisionsPage />
                <Route path=path!("/budgets") view=crate::pages::budgets::BudgetsPage />
                <Route path=path!("/budgets/new") view=crate::pages::budgets::NewBudgetPage />
                <Route path=path!("/budgets/:id") view=crate::pages::budgets::BudgetPage />
                <Route path=path!("/budgets/:id/propose") view=crate::pages::budget_project::ProposePage />
                <Route path=path!("/budgets/:id/projects/:project") view=crate::pages::budget_project::ProjectPage />
                <Route path=path!("/budgets/:id/projects/:project/threads/:thread") view=ProjectThreadPage />
                <Route path=path!("/budgets/:id/manage") view=crate::pages::budget_manage::BudgetManagePage />
                <Route path=path!("/budgets/:id/vote") view=crate::pages::ballot::BallotPage />
                <Route path=path!("/budgets/:id/eligibility") view=crate::pages::budget_eligibility::EligibilityPage />
                <Route path=path!("/budgets/:id/results") view=crate::pages::budget_results::ResultsPage />
                <Route path=path!("/auth/login") view=LoginPage />
                <Route path=path!("/auth/signup") view=SignupPage />
                <Route path=path!("/auth/reset") view=crate::pages::auth::ResetRequestPage />
                <Route path=path!("/auth/reset/:token") view=crate::pages::auth::ResetPasswordPage />
                <Route path=path!("/auth/verify/:token") view=crate::pages::auth::VerifyPage />
                <Route path=path!("/account") view=AccountPage />
                <Route path=path!("/account/comments") view=OwnCommentsPage />
                <Route path=path!("/notifications") view=crate::pages::notifications::NotificationsPage />
                <Route path=path!("/notifications/preferences") view=crate::pages::notifications::PreferencesPage />
                <Route path=path!("/unsubscribe/:token") view=crate::pages::notifications::UnsubscribePage />
                <Route path=path!("/organisations") view=OrganisationsPage />
                <Route path=path!("/organisations/new") view=NewOrganisationPage />
                <Route path=path!("/organisations/:id") view=OrganisationPage />
                <Route path=path!("/admin") view=AdminPage />
                <Route path=path!("/admin/outbox") view=crate::pages::outbox::OutboxPage />
                <Route path=path!("/admin/processes/new") view=NewProcessPage />
                <Route path=path!("/admin/processes/:id") view=EditProcessPage />
            </Routes>
        </Router>
    }
}
