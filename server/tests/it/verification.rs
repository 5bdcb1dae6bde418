//! Confirming email addresses with a link sent to them: at sign-up (the account reads and follows
//! but does not post until then) and when an account changes its address (the old address is
//! told). Mail goes to a real SMTP server and its links are followed.

use crate::mailbox::Mailbox;
use crate::on_both;
use crate::support::{Backend, TestApp, text};
use reqwest::{Client, StatusCode};
use std::time::Duration;

const CITIZEN: &str = "citizen@demo.baraza";

async fn app_sending_to(backend: Backend, mailbox: &Mailbox, relaxed: bool) -> TestApp {
    let url = mailbox.url();
    TestApp::start_configured(backend, move |launch| {
        launch.smtp_url = Some(url);
        launch.mail_retry = Duration::from_secs(1);
        launch.unverified_may_post = relaxed;
    })
    .await
}

/// Signs up a new account (kept signed in on the returned client).
async fn sign_up(app: &TestApp, email: &str) -> Client {
    let client = TestApp::client();
    let response = client
        .post(app.url("/auth/signup"))
        .form(&[
            ("display_name", "Amani Njoroge"),
            ("email", email),
            ("password", "a long enough passphrase"),
            ("password_confirm", "a long enough passphrase"),
            ("language", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

/// Comments on the national strategy's draft (public comment phase): the status of the answer.
async fn comment(app: &TestApp, client: &Client) -> (StatusCode, String) {
    let process = app.process_in("public_comment").await;
    let draft = app.draft_id("National Strategy").await;
    let response = client
        .post(app.url(&format!("/processes/{process}/drafts/{draft}")))
        .form(&[
            ("intent", "comment"),
            ("body", "Who pays for the training?"),
        ])
        .send()
        .await
        .unwrap();
    (response.status(), text(response).await)
}

async fn post(app: &TestApp, client: &Client, path: &str, form: &[(&str, &str)]) -> StatusCode {
    client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
        .status()
}

on_both!(
    a_new_account_confirms_its_address_before_it_posts,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox, false).await;
        let amani = sign_up(&app, "amani@example.org").await;
        let first = mailbox.expect().await;
        assert_eq!(first.to, vec!["amani@example.org".to_string()]);
        let parsed = first.parse();
        assert_eq!(parsed.subject, "Confirm your email address for Baraza");
        let first_link = first.link("/auth/verify/");

        // Until confirmed: reading works, posting does not, and every page says why.
        let home = text(amani.get(app.url("/")).send().await.unwrap()).await;
        assert!(home.contains("Confirm your email address: we sent a link to amani@example.org"));
        let (status, page) = comment(&app, &amani).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(page.contains("Confirm your email address first"), "{page}");
        let account = text(amani.get(app.url("/account")).send().await.unwrap()).await;
        assert!(account.contains("amani@example.org is not confirmed yet"));

        // A new link replaces the first.
        assert_eq!(
            post(
                &app,
                &amani,
                "/account",
                &[("intent", "resend_verification")]
            )
            .await,
            StatusCode::SEE_OTHER
        );
        let second = mailbox.expect().await.link("/auth/verify/");
        assert_ne!(first_link, second);
        let stale = text(TestApp::client().get(&first_link).send().await.unwrap()).await;
        assert!(stale.contains("cannot be used any more"), "{stale}");

        // Opened on another device, not signed in: a button confirms (fetching the link does not).
        let phone = TestApp::client();
        let page = text(phone.get(&second).send().await.unwrap()).await;
        assert!(
            page.contains("Confirm amani@example.org as the address"),
            "{page}"
        );
        let still = text(amani.get(app.url("/account")).send().await.unwrap()).await;
        assert!(
            still.contains("not confirmed yet"),
            "a GET confirms nothing"
        );
        let confirmed = phone
            .post(&second)
            .form(&[("intent", "verify")])
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
        assert!(
            confirmed.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/auth/login")
        );

        // Confirmed: the same session may post now.
        let (status, _) = comment(&app, &amani).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let home = text(amani.get(app.url("/")).send().await.unwrap()).await;
        assert!(!home.contains("Confirm your email address:"));
        // The link works once, and there is nothing to send again.
        assert_eq!(
            phone
                .post(&second)
                .form(&[("intent", "verify")])
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::CONFLICT
        );
        assert_eq!(
            post(
                &app,
                &amani,
                "/account",
                &[("intent", "resend_verification")]
            )
            .await,
            StatusCode::CONFLICT
        );
    }
);

on_both!(
    changing_the_address_takes_a_link_to_the_new_one_and_tells_the_old,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox, false).await;
        let citizen = app.signed_in(CITIZEN).await;
        let change = |email: &'static str, password: &'static str| {
            let (app, citizen) = (&app, &citizen);
            async move {
                post(
                    app,
                    citizen,
                    "/account",
                    &[
                        ("intent", "email"),
                        ("email", email),
                        ("current_password", password),
                    ],
                )
                .await
            }
        };
        assert_eq!(
            change("tomas@example.org", "not my password").await,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            change("gov@demo.baraza", server::demo::DEMO_PASSWORD).await,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            change(CITIZEN, server::demo::DEMO_PASSWORD).await,
            StatusCode::BAD_REQUEST
        );
        assert!(
            mailbox.next(2).await.is_none(),
            "refused changes send nothing"
        );
        assert_eq!(
            change("Tomas@Example.org", server::demo::DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER
        );
        let mut mails = [mailbox.expect().await, mailbox.expect().await];
        mails.sort_by_key(|m| m.to[0].clone());
        assert_eq!(mails[0].to, vec![CITIZEN.to_string()]);
        let told = mails[0].parse();
        assert_eq!(told.subject, "Your Baraza account's address is changing");
        assert!(
            told.text
                .unwrap()
                .contains("from citizen@demo.baraza to tomas@example.org")
        );
        assert_eq!(mails[1].to, vec!["tomas@example.org".to_string()]);
        let link = mails[1].link("/auth/verify/");

        // Until the link is opened the address is the old one, and the account still posts.
        let login = app.url("/auth/login");
        let sign_in = |email: &'static str| {
            let login = login.clone();
            async move {
                TestApp::client()
                    .post(login)
                    .form(&[("email", email), ("password", server::demo::DEMO_PASSWORD)])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(sign_in("tomas@example.org").await, StatusCode::BAD_REQUEST);
        assert_eq!(comment(&app, &citizen).await.0, StatusCode::SEE_OTHER);
        assert_eq!(
            citizen
                .post(&link)
                .form(&[("intent", "verify")])
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(sign_in("tomas@example.org").await, StatusCode::SEE_OTHER);
        assert_eq!(sign_in(CITIZEN).await, StatusCode::BAD_REQUEST);
        let account = text(citizen.get(app.url("/account")).send().await.unwrap()).await;
        assert!(
            account.contains("tomas@example.org is confirmed."),
            "{account}"
        );
    }
);

on_both!(
    the_site_may_let_unconfirmed_accounts_post,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox, true).await;
        let amani = sign_up(&app, "amani@example.org").await;
        assert!(mailbox.expect().await.parse().subject.contains("Confirm"));
        let home = text(amani.get(app.url("/")).send().await.unwrap()).await;
        assert!(!home.contains("Confirm your email address:"));
        assert_eq!(comment(&app, &amani).await.0, StatusCode::SEE_OTHER);
    }
);
