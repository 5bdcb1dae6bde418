//! Accounts and sign-in sessions, told as a person would live them.

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

on_both!(sign_up_sign_in_sign_out, |backend| async move {
    let app = TestApp::start(backend).await;
    let ana = TestApp::client();

    // Ana creates an account under a pseudonym and is signed in at once.
    let response = ana
        .post(app.url("/auth/signup"))
        .form(&[
            ("intent", "signup"),
            ("display_name", "Lakeside reader"),
            ("email", " Ana@Example.ORG "),
            ("password", "a long enough passphrase"),
            ("password_confirm", "a long enough passphrase"),
            ("language", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("baraza_session="));
    let cookie = cookie.expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let account = text(ana.get(app.url("/account")).send().await.unwrap()).await;
    assert!(account.contains("Lakeside reader"));
    assert!(
        account.contains("ana@example.org"),
        "the email is stored normalised"
    );

    // She signs out; the account page now sends her to sign in.
    let response = ana.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = ana.get(app.url("/account")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        response.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/auth/login?next=/account")
    );

    // She signs in again with her email in another case.
    let response = ana
        .post(app.url("/auth/login"))
        .form(&[
            ("email", "ANA@example.org"),
            ("password", "a long enough passphrase"),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/account");
    assert!(
        text(ana.get(app.url("/account")).send().await.unwrap())
            .await
            .contains("Lakeside reader")
    );
});

on_both!(
    bad_sign_ups_are_explained_and_store_nothing,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let before = app.snapshot().await;
        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[
                    ("display_name", "X"),
                    ("email", "not-an-email"),
                    ("password", "long enough pw"),
                    ("password_confirm", "long enough pw"),
                ],
                "Enter an email address like name@example.org.",
            ),
            (
                &[
                    ("display_name", "X"),
                    ("email", "x@example.org"),
                    ("password", "short"),
                    ("password_confirm", "short"),
                ],
                "The password needs at least 10 characters.",
            ),
            (
                &[
                    ("display_name", "X"),
                    ("email", "x@example.org"),
                    ("password", "long enough pw"),
                    ("password_confirm", "other pw here"),
                ],
                "The two passwords are not the same.",
            ),
            (
                &[
                    ("display_name", "X"),
                    ("email", "citizen@demo.baraza"),
                    ("password", "long enough pw"),
                    ("password_confirm", "long enough pw"),
                ],
                "An account with this email address already exists.",
            ),
        ];
        for (form, message) in cases {
            let response = TestApp::client()
                .post(app.url("/auth/signup"))
                .form(form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{message}");
            let body = text(response).await;
            assert!(body.contains(message), "expected {message:?}");
            assert!(
                !body.contains("long enough pw"),
                "passwords are never echoed back"
            );
            if form[1].1 != "not-an-email" {
                assert!(body.contains(r#"value="X""#), "what was typed is kept");
            }
        }
        assert_eq!(app.snapshot().await, before);
    }
);

on_both!(
    wrong_email_and_wrong_password_look_the_same,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let attempt = |email: &'static str| {
            let client = TestApp::client();
            let url = app.url("/auth/login");
            async move {
                let response = client
                    .post(url)
                    .form(&[("email", email), ("password", "wrong password")])
                    .send()
                    .await
                    .unwrap();
                (response.status(), text(response).await)
            }
        };
        let (known_status, known) = attempt("citizen@demo.baraza").await;
        let (unknown_status, unknown) = attempt("nobody@demo.baraza").await;
        assert_eq!(known_status, StatusCode::BAD_REQUEST);
        assert_eq!(known_status, unknown_status);
        let message = "The email address or the password is not correct.";
        assert!(known.contains(message) && unknown.contains(message));
    }
);

on_both!(
    guessing_locks_out_unrecognised_browsers_never_the_owners,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let store = app.running.as_ref().unwrap().store.clone();
        let login = |client: &reqwest::Client, password: &str| {
            client
                .post(app.url("/auth/login"))
                .form(&[("email", "citizen@demo.baraza"), ("password", password)])
                .send()
        };
        // The citizen signs in on their own browser (which is then recognised), and signs out.
        let own = TestApp::client();
        let response = login(&own, server::demo::DEMO_PASSWORD).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let device = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("baraza_device="))
            .expect("a device cookie")
            .to_string();
        assert!(device.contains("HttpOnly") && device.contains("Max-Age=31536000"));
        own.post(app.url("/auth/logout")).send().await.unwrap();

        // Someone elsewhere has guessed nine times (the policy itself is unit-tested)...
        let now = server::clock::now_millis();
        let nine = app::model::Throttle {
            attempts: 9,
            window_started_at: now,
            locked_until: None,
        };
        store
            .set_throttle("email:citizen@demo.baraza", nine)
            .await
            .unwrap();
        let guesser = TestApp::client();
        let response = login(&guesser, "tenth wrong guess").await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        // ...so browsers the account does not know are paused, even with the right password,
        // and the message says for how long and what still works.
        let response = login(&guesser, server::demo::DEMO_PASSWORD).await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let body = text(response).await;
        assert!(body.contains("15 minutes"), "{body}");
        assert!(body.contains("a device you have used to sign in before"));

        // The citizen's own browser is not: the right password still works there.
        let response = login(&own, server::demo::DEMO_PASSWORD).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        // A wrong password from it counts against that browser alone, which has its own limit:
        // a stolen device cookie gains a guesser nothing but its own ten attempts.
        let hash: String = sqlx::query_scalar(
            "SELECT d.token_hash FROM trusted_devices d JOIN people p ON p.id = d.person_id \
             WHERE p.email = 'citizen@demo.baraza'",
        )
        .fetch_one(app.pool())
        .await
        .unwrap();
        store
            .set_throttle(&format!("device:{hash}"), nine)
            .await
            .unwrap();
        own.post(app.url("/auth/logout")).send().await.unwrap();
        assert_eq!(
            login(&own, "wrong on my own browser")
                .await
                .unwrap()
                .status(),
            StatusCode::BAD_REQUEST
        );
        let response = login(&own, server::demo::DEMO_PASSWORD).await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        // Other people are not affected.
        app.signed_in("mediator@demo.baraza").await;
    }
);

on_both!(
    a_password_change_forgets_every_other_browser,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let count = || async {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM trusted_devices d JOIN people p ON p.id = d.person_id \
                 WHERE p.email = 'civil@demo.baraza'",
            )
            .fetch_one(app.pool())
            .await
            .unwrap();
            n
        };
        let laptop = app.signed_in("civil@demo.baraza").await;
        let _phone = app.signed_in("civil@demo.baraza").await;
        assert_eq!(count().await, 2);
        let response = laptop
            .post(app.url("/account"))
            .form(&[
                ("intent", "password"),
                ("current_password", server::demo::DEMO_PASSWORD),
                ("new_password", "a much better passphrase"),
                ("new_password_confirm", "a much better passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            count().await,
            1,
            "only the browser that changed it is still known"
        );
    }
);

on_both!(
    sessions_survive_a_restart_and_are_renewed_at_sign_in,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        let client = TestApp::client();
        // An anonymous visitor gets a session (the language notice); signing in must not keep its id.
        let response = client
            .post(app.url("/language"))
            .form(&[("language", "en"), ("return_to", "/")])
            .send()
            .await
            .unwrap();
        let before = session_cookie(&response).expect("anonymous session");
        let response = client
            .post(app.url("/auth/login"))
            .form(&[
                ("email", "mediator@demo.baraza"),
                ("password", server::demo::DEMO_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        let after = session_cookie(&response).expect("renewed session");
        assert_ne!(before, after, "the session id changes at sign-in");

        app.restart().await;
        let account = client.get(app.url("/account")).send().await.unwrap();
        assert_eq!(account.status(), StatusCode::OK);
        assert!(text(account).await.contains("mediator@demo.baraza"));

        // After signing out, replaying the old cookie gets nobody in.
        client.post(app.url("/auth/logout")).send().await.unwrap();
        let replay = TestApp::client()
            .get(app.url("/account"))
            .header("cookie", format!("baraza_session={after}"))
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), StatusCode::FOUND);
    }
);

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("baraza_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
}

on_both!(changing_the_password, |backend| async move {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("citizen@demo.baraza").await;
    let change = |current: &'static str| {
        client
            .post(app.url("/account"))
            .form(&[
                ("intent", "password"),
                ("current_password", current),
                ("new_password", "a brand new passphrase"),
                ("new_password_confirm", "a brand new passphrase"),
            ])
            .send()
    };
    let wrong = change("not my password").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(wrong)
            .await
            .contains("Your current password is not correct.")
    );
    assert_eq!(
        change(server::demo::DEMO_PASSWORD).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let login = TestApp::client()
        .post(app.url("/auth/login"))
        .form(&[
            ("email", "citizen@demo.baraza"),
            ("password", "a brand new passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
});

on_both!(
    requests_from_other_sites_are_refused,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let client = app.signed_in("citizen@demo.baraza").await;
        let before = app.snapshot().await;
        let response = client
            .post(app.url("/account"))
            .header("origin", "http://evil.example")
            .form(&[
                ("intent", "profile"),
                ("display_name", "Hijacked"),
                ("language", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.snapshot().await, before);
        // The same request from the site itself goes through.
        let own = app.base.clone();
        let response = client
            .post(app.url("/account"))
            .header("origin", own)
            .form(&[
                ("intent", "profile"),
                ("display_name", "Still me"),
                ("language", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
);

on_both!(concurrent_guesses_are_all_counted, |backend| async move {
    let app = TestApp::start(backend).await;
    // Twelve guesses at once: the count is taken before any password is checked, so no more than
    // ten are ever checked, whatever the timing.
    let guesses = (0..12).map(|i| {
        let url = app.url("/auth/login");
        async move {
            TestApp::client()
                .post(url)
                .form(&[
                    ("email", "council@demo.baraza"),
                    ("password", format!("guess number {i}").as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_REQUEST)
        .count();
    assert_eq!(refused + checked, 12, "{statuses:?}");
    assert!(checked <= 10 && refused >= 2, "{statuses:?}");
    let attempts: i64 = sqlx::query_scalar(
        "SELECT attempts FROM sign_in_throttle WHERE key = 'email:council@demo.baraza'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(attempts, 12);
});

on_both!(
    a_password_change_ends_the_other_sessions,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let laptop = app.signed_in("civil@demo.baraza").await;
        let phone = app.signed_in("civil@demo.baraza").await;
        let response = laptop
            .post(app.url("/account"))
            .form(&[
                ("intent", "password"),
                ("current_password", server::demo::DEMO_PASSWORD),
                ("new_password", "the lake remembers"),
                ("new_password_confirm", "the lake remembers"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            laptop
                .get(app.url("/account"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            phone
                .get(app.url("/account"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FOUND,
            "the other session ended"
        );
    }
);
