//! Mail, for real: an SMTP server in the test (aiosmtpd), the outbox, the delivery worker and its
//! faults, and getting back into an account with a reset link. Each mail is read back by
//! Python's `email` package and its link followed.

use crate::mailbox::{Mailbox, free_port};
use crate::on_both;
use crate::support::{Backend, TestApp, TestDb, serve_with, text};
use reqwest::StatusCode;
use sqlx::AnyPool;
use std::time::Duration;

const CITIZEN: &str = "citizen@demo.baraza";

/// One outbox row: state, attempts, last error.
#[derive(Clone, Debug, sqlx::FromRow)]
struct Row {
    state: String,
    attempts: i64,
    last_error: Option<String>,
}

async fn rows(pool: &AnyPool) -> Vec<Row> {
    sqlx::query_as("SELECT state, attempts, last_error FROM outbox ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("the outbox")
}

/// Waits (up to 30 s) until the outbox satisfies `done`, and returns it.
async fn wait_for(pool: &AnyPool, done: impl Fn(&[Row]) -> bool) -> Vec<Row> {
    for _ in 0..300 {
        let now = rows(pool).await;
        if done(&now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox never got there: {:?}", rows(pool).await);
}

async fn ask_reset(base: &str, email: &str) -> reqwest::Response {
    TestApp::client()
        .post(format!("{base}/auth/reset"))
        .form(&[("email", email)])
        .send()
        .await
        .expect("ask for a reset link")
}

async fn app_sending_to(backend: Backend, mailbox: &Mailbox) -> TestApp {
    let url = mailbox.url();
    TestApp::start_configured(backend, move |launch| {
        launch.smtp_url = Some(url);
        launch.mail_retry = Duration::from_secs(1);
    })
    .await
}

on_both!(
    a_reset_link_arrives_by_mail_and_sets_a_new_password_once,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        let elsewhere = app.signed_in(CITIZEN).await;

        let asked = ask_reset(&app.base, CITIZEN).await;
        assert_eq!(asked.status(), StatusCode::SEE_OTHER);
        let location = asked.headers()["location"].to_str().unwrap().to_string();
        let mail = mailbox.expect().await;
        assert_eq!(mail.to, vec![CITIZEN.to_string()]);
        assert_eq!(mail.from, "baraza@localhost", "the envelope's sender");
        let parsed = mail.parse();
        assert_eq!(parsed.subject, "Choose a new password for Baraza");
        assert_eq!(parsed.content_type, "multipart/alternative");
        assert_eq!(parsed.language, "en");
        assert_eq!(parsed.auto_submitted, "auto-generated");
        assert!(parsed.date.ends_with("+0000"), "{}", parsed.date);
        assert!(parsed.from.contains("baraza@localhost"), "{}", parsed.from);
        assert!(parsed.to.contains("Tomás Rivera"), "{}", parsed.to);
        assert!(
            parsed.message_id.ends_with("@localhost>"),
            "{}",
            parsed.message_id
        );
        let link = mail.link("/auth/reset/");
        assert!(
            link.starts_with(&format!("{}/auth/reset/", app.base)),
            "{link}"
        );
        let token = link.rsplit('/').next().unwrap().to_string();
        assert_eq!(token.len(), 64);
        assert!(parsed.html.unwrap().contains(&format!("href=\"{link}\"")));

        // An address without an account gets the same answer, and no mail.
        let unknown = ask_reset(&app.base, "nobody@example.org").await;
        assert_eq!(unknown.status(), StatusCode::SEE_OTHER);
        assert_eq!(unknown.headers()["location"].to_str().unwrap(), location);
        assert!(
            mailbox.next(2).await.is_none(),
            "no mail for an unknown address"
        );
        // Only the token's hash is stored.
        let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM password_resets")
            .fetch_all(app.pool())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], token);

        let browser = TestApp::client();
        let page = text(browser.get(&link).send().await.unwrap()).await;
        assert!(page.contains("name=\"new_password\""), "{page}");
        assert!(page.contains(CITIZEN));
        let mismatch = browser
            .post(&link)
            .form(&[
                ("new_password", "a long new passphrase"),
                ("new_password_confirm", "something else entirely"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
        let short = browser
            .post(&link)
            .form(&[("new_password", "short"), ("new_password_confirm", "short")])
            .send()
            .await
            .unwrap();
        assert_eq!(short.status(), StatusCode::BAD_REQUEST);
        let done = browser
            .post(&link)
            .form(&[
                ("new_password", "a long new passphrase"),
                ("new_password_confirm", "a long new passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert!(
            done.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/account")
        );
        // Signed in here; signed out everywhere else.
        let account = browser.get(app.url("/account")).send().await.unwrap();
        assert_eq!(account.status(), StatusCode::OK);
        let other = elsewhere.get(app.url("/account")).send().await.unwrap();
        assert_eq!(other.status(), StatusCode::FOUND, "the other session ended");

        // The owner is told, in a mail of its own.
        let changed = mailbox.expect().await.parse();
        assert_eq!(changed.subject, "Your Baraza password was changed");

        // The link works once.
        let again = text(browser.get(&link).send().await.unwrap()).await;
        assert!(again.contains("cannot be used any more"), "{again}");
        let reuse = TestApp::client()
            .post(&link)
            .form(&[
                ("new_password", "yet another passphrase"),
                ("new_password_confirm", "yet another passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(reuse.status(), StatusCode::CONFLICT);

        // The old password no longer works; the new one does.
        let old = TestApp::client()
            .post(app.url("/auth/login"))
            .form(&[
                ("email", CITIZEN),
                ("password", server::demo::DEMO_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), StatusCode::BAD_REQUEST);
        let new = TestApp::client()
            .post(app.url("/auth/login"))
            .form(&[("email", CITIZEN), ("password", "a long new passphrase")])
            .send()
            .await
            .unwrap();
        assert_eq!(new.status(), StatusCode::SEE_OTHER);
        let sent = wait_for(app.pool(), |r| r.iter().all(|r| r.state == "sent")).await;
        assert_eq!(sent.len(), 2);
    }
);

on_both!(
    reset_links_expire_and_only_the_newest_works,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        ask_reset(&app.base, CITIZEN).await;
        let first = mailbox.expect().await.link("/auth/reset/");
        ask_reset(&app.base, CITIZEN).await;
        let second = mailbox.expect().await.link("/auth/reset/");
        assert_ne!(first, second);
        let browser = TestApp::client();
        let page = text(browser.get(&first).send().await.unwrap()).await;
        assert!(
            page.contains("cannot be used any more"),
            "an older link is superseded"
        );
        let page = text(browser.get(&second).send().await.unwrap()).await;
        assert!(page.contains("name=\"new_password\""));
        // An hour later it has expired.
        sqlx::query("UPDATE password_resets SET expires_at = expires_at - 3600001")
            .execute(app.pool())
            .await
            .unwrap();
        let page = text(browser.get(&second).send().await.unwrap()).await;
        assert!(page.contains("cannot be used any more"), "an expired link");
        let late = browser
            .post(&second)
            .form(&[
                ("new_password", "a long new passphrase"),
                ("new_password_confirm", "a long new passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(late.status(), StatusCode::CONFLICT);
        // Garbage in the link is the same "no longer works", not an error.
        let odd = browser
            .get(app.url("/auth/reset/..%2F..%2Fetc"))
            .send()
            .await
            .unwrap();
        assert_eq!(odd.status(), StatusCode::OK);
    }
);

on_both!(
    a_person_who_prefers_chinese_gets_the_mail_in_chinese,
    |backend| async move {
        let mut mailbox = Mailbox::start(0).await;
        let app = app_sending_to(backend, &mailbox).await;
        let signup = TestApp::client()
            .post(app.url("/auth/signup"))
            .form(&[
                ("display_name", "李华"),
                ("email", "lihua@example.org"),
                ("password", "一个很长很长的中文密码短语"),
                ("password_confirm", "一个很长很长的中文密码短语"),
                ("language", "zh-Hans"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signup.status(), StatusCode::SEE_OTHER);
        let welcome = mailbox.expect().await.parse();
        assert_eq!(welcome.subject, "确认您在 Baraza 的电子邮箱地址");
        assert!(welcome.text.unwrap().contains("7 天内有效"));
        ask_reset(&app.base, "LiHua@Example.org ").await;
        let mail = mailbox.expect().await;
        let parsed = mail.parse();
        assert_eq!(parsed.subject, "设置您的 Baraza 新密码");
        assert_eq!(parsed.language, "zh-Hans");
        let body = parsed.text.unwrap();
        assert!(body.starts_with("李华，您好："), "{body}");
        assert!(body.contains("60 分钟内有效"), "{body}");
    }
);

on_both!(
    asking_for_links_is_throttled_alike_for_every_address,
    |backend| async move {
        let app = TestApp::start(backend).await;
        for address in [CITIZEN, "nobody@example.org"] {
            for _ in 0..5 {
                assert_eq!(
                    ask_reset(&app.base, address).await.status(),
                    StatusCode::SEE_OTHER
                );
            }
            let refused = ask_reset(&app.base, address).await;
            assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{address}");
            assert!(text(refused).await.contains("Too many reset links"));
        }
        let invalid = ask_reset(&app.base, "not an address").await;
        assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    }
);

on_both!(
    without_smtp_mail_is_kept_for_administrators,
    |backend| async move {
        let app = TestApp::start(backend).await;
        ask_reset(&app.base, CITIZEN).await;
        let kept = wait_for(app.pool(), |r| r.len() == 1 && r[0].state == "kept").await;
        assert_eq!(kept[0].attempts, 0);

        let admin = app.signed_in("admin@demo.baraza").await;
        let outbox = admin.get(app.url("/admin/outbox")).send().await.unwrap();
        assert_eq!(outbox.status(), StatusCode::OK);
        let page = text(outbox).await;
        assert!(page.contains("Choose a new password for Baraza"), "{page}");
        assert!(page.contains("Kept here"));
        assert!(page.contains("No SMTP server is configured"));
        assert!(
            page.contains(&format!("{}/auth/reset/", app.base)),
            "the link, readable"
        );

        let citizen = app.signed_in(CITIZEN).await;
        let refused = citizen.get(app.url("/admin/outbox")).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let anonymous = TestApp::client()
            .get(app.url("/admin/outbox"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::FOUND);
        // A right taken away is gone at the next request.
        let admin_id = app.person_id("admin@demo.baraza").await;
        sqlx::query("UPDATE people SET site_role = 'member' WHERE id = $1")
            .bind(admin_id)
            .execute(app.pool())
            .await
            .unwrap();
        let demoted = admin.get(app.url("/admin/outbox")).send().await.unwrap();
        assert_eq!(demoted.status(), StatusCode::FORBIDDEN);
    }
);

on_both!(
    mail_waits_while_the_smtp_server_is_down_then_arrives_once,
    |backend| async move {
        let port = free_port();
        let url: url::Url = format!("smtp://127.0.0.1:{port}").parse().unwrap();
        let app = TestApp::start_configured(backend, move |launch| {
            launch.smtp_url = Some(url);
            launch.mail_retry = Duration::from_secs(1);
        })
        .await;
        ask_reset(&app.base, CITIZEN).await;
        let waiting = wait_for(app.pool(), |r| {
            r.len() == 1 && r[0].state == "waiting" && r[0].attempts >= 2
        })
        .await;
        assert!(waiting[0].last_error.is_some(), "{waiting:?}");
        let admin = app.signed_in("admin@demo.baraza").await;
        let page = text(admin.get(app.url("/admin/outbox")).send().await.unwrap()).await;
        assert!(
            page.contains("Waiting") && page.contains("Next attempt"),
            "{page}"
        );
        assert!(
            page.contains(&format!("127.0.0.1:{port}")),
            "names the relay"
        );

        // The SMTP server comes up: the mail arrives, once.
        let mut mailbox = Mailbox::start(port).await;
        let mail = mailbox.expect().await;
        assert!(mail.parse().subject.contains("new password"));
        let sent = wait_for(app.pool(), |r| r[0].state == "sent").await;
        assert!(sent[0].last_error.is_none());
        assert!(mailbox.next(3).await.is_none(), "sent once");
    }
);

on_both!(
    a_permanent_refusal_is_recorded_and_shown,
    |backend| async move {
        let mailbox = Mailbox::refusing().await;
        let app = app_sending_to(backend, &mailbox).await;
        ask_reset(&app.base, CITIZEN).await;
        let failed = wait_for(app.pool(), |r| r.len() == 1 && r[0].state == "failed").await;
        assert_eq!(failed[0].attempts, 1, "a permanent refusal is not retried");
        let error = failed[0].last_error.clone().unwrap();
        assert!(error.contains("550"), "{error}");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(rows(app.pool()).await[0].attempts, 1);
        let admin = app.signed_in("admin@demo.baraza").await;
        let page = text(admin.get(app.url("/admin/outbox")).send().await.unwrap()).await;
        assert!(
            page.contains("Failed") && page.contains("No such mailbox here"),
            "{page}"
        );
    }
);

on_both!(
    a_server_killed_between_claim_and_send_leaves_the_mail_to_be_sent_once,
    |backend| async move {
        // An SMTP server that accepts connections and never answers: the worker claims the mail
        // and waits in the conversation when the server is killed.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent_url = format!("smtp://{}", silent.local_addr().unwrap());
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((stream, _)) = silent.accept().await {
                open.push(stream);
            }
        });
        let db = TestDb::new(backend).await;
        let (mut first, base) = serve_with(&db.url, true, &["--smtp-url", &silent_url]);
        assert_eq!(
            ask_reset(&base, CITIZEN).await.status(),
            StatusCode::SEE_OTHER
        );
        sqlx::any::install_default_drivers();
        let pool = AnyPool::connect(&db.url).await.unwrap();
        wait_for(&pool, |r| r.len() == 1 && r[0].state == "sending").await;
        first.kill().unwrap();
        first.wait().unwrap();
        held.abort();

        // The next server takes the mail once the dead one's lease has ended (moved forward here
        // rather than waited for).
        let mut mailbox = Mailbox::start(0).await;
        let (mut second, _) = serve_with(&db.url, false, &["--smtp-url", mailbox.url().as_str()]);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            rows(&pool).await[0].state,
            "sending",
            "not before the lease ends"
        );
        sqlx::query("UPDATE outbox SET claimed_until = 0")
            .execute(&pool)
            .await
            .unwrap();
        let mail = mailbox.expect().await;
        assert!(mail.parse().subject.contains("new password"));
        let sent = wait_for(&pool, |r| r[0].state == "sent").await;
        assert_eq!(sent[0].attempts, 2);
        assert!(mailbox.next(3).await.is_none(), "sent once");
        second.kill().unwrap();
        second.wait().unwrap();
        pool.close().await;
    }
);

on_both!(
    two_servers_share_one_outbox_and_send_each_mail_once,
    |backend| async move {
        let db = TestDb::new(backend).await;
        let prepared = server::db::connect(&db.url).await.unwrap();
        server::db::migrate(&prepared).await.unwrap();
        const MAILS: usize = 40;
        for n in 0..MAILS {
            sqlx::query(
                "INSERT INTO outbox (message_id, kind, to_address, to_name, language, subject, \
                 body_text, body_html, created_at, next_attempt_at) \
                 VALUES ($1, 'password_reset', $2, 'Reader', 'en', $3, 'Text', '<p>Text</p>', 0, 0)",
            )
            .bind(format!("<mail-{n}@test>"))
            .bind(format!("reader{n}@example.org"))
            .bind(format!("Mail {n}"))
            .execute(&prepared.pool)
            .await
            .unwrap();
        }
        let mut mailbox = Mailbox::start(0).await;
        let url = mailbox.url();
        let (one, two) = tokio::join!(serve_once(&db.url, &url), serve_once(&db.url, &url));
        let mut ids = std::collections::BTreeSet::new();
        for _ in 0..MAILS {
            let mail = mailbox.expect().await;
            assert!(ids.insert(mail.parse().message_id), "each mail once");
        }
        assert!(mailbox.next(3).await.is_none(), "no mail twice");
        assert_eq!(ids.len(), MAILS);
        let sent = wait_for(&prepared.pool, |r| r.iter().all(|r| r.state == "sent")).await;
        assert!(sent.iter().all(|r| r.attempts == 1), "{sent:?}");
        one.shutdown().await;
        two.shutdown().await;
        prepared.pool.close().await;
    }
);

/// A server over `database_url` sending through `smtp`.
async fn serve_once(database_url: &str, smtp: &url::Url) -> server::Running {
    server::launch(server::Launch {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_string(),
        demo: false,
        public_origin: None,
        trust_forwarded_for: false,
        max_connections_per_client: server::limits::DEFAULT_CONNECTIONS_PER_CLIENT,
        site_root: std::path::PathBuf::from("target/site"),
        smtp_url: Some(smtp.clone()),
        mail_from: None,
        mail_retry: Duration::from_secs(1),
        unverified_may_post: false,
        moderation_wait: Duration::from_secs(24 * 3600),
    })
    .await
    .expect("a server starts")
}
