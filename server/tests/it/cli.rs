//! The `baraza` binary as an operator runs it.

use crate::on_both;
use crate::support::{TestApp, TestDb};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

on_both!(
    demo_content_never_touches_a_database_with_data,
    |backend| async move {
        let mut app = TestApp::start(backend).await;
        assert!(app.running.as_ref().unwrap().demo_loaded);
        let before = app.snapshot().await;
        app.restart().await; // --demo again, on the same database
        assert!(!app.running.as_ref().unwrap().demo_loaded);
        assert_eq!(app.snapshot().await, before);
    }
);

on_both!(
    migrate_then_serve_then_stop_gracefully,
    |backend| async move {
        let db = TestDb::new(backend).await;
        let binary = env!("CARGO_BIN_EXE_baraza");
        let status = Command::new(binary)
            .args(["migrate", "--database-url", &db.url])
            .status()
            .unwrap();
        assert!(status.success());

        let mut child = Command::new(binary)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                &db.url,
                "--demo",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut url = None;
        let mut banner = String::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.trim().strip_prefix("Baraza is running at ") {
                url = rest.split_whitespace().next().map(str::to_string);
            }
            if line.contains("Press Ctrl+C") {
                break;
            }
        }
        let url = url.expect("the URL is printed");
        for login in [
            "admin@demo.baraza",
            "mediator@demo.baraza",
            "council@demo.baraza",
            "citizen@demo.baraza",
            "gov@demo.baraza",
            "civil@demo.baraza",
            "informal@demo.baraza",
            "baraza-demo",
        ] {
            assert!(banner.contains(login), "the banner lists {login}");
        }
        let health = TestApp::client()
            .get(format!("{url}healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), reqwest::StatusCode::OK);

        // SIGTERM: the server finishes and exits cleanly.
        let pid = child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the server did not stop"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
);

on_both!(
    the_first_administrator_is_granted_at_the_command_line,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let signup = TestApp::client()
            .post(app.url("/auth/signup"))
            .form(&[
                ("display_name", "Operator"),
                ("email", "operator@example.org"),
                ("password", "a long operator passphrase"),
                ("password_confirm", "a long operator passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signup.status(), reqwest::StatusCode::SEE_OTHER);
        let binary = env!("CARGO_BIN_EXE_baraza");
        let url = app.database_url();
        let unknown = Command::new(binary)
            .args([
                "grant-admin",
                "--email",
                "nobody@example.org",
                "--database-url",
                &url,
            ])
            .output()
            .unwrap();
        assert!(!unknown.status.success());
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("sign up first"));
        let granted = Command::new(binary)
            .args([
                "grant-admin",
                "--email",
                "Operator@Example.org",
                "--database-url",
                &url,
            ])
            .output()
            .unwrap();
        assert!(
            granted.status.success(),
            "{}",
            String::from_utf8_lossy(&granted.stderr)
        );
        let role: String =
            sqlx::query_scalar("SELECT site_role FROM people WHERE email = 'operator@example.org'")
                .fetch_one(app.pool())
                .await
                .unwrap();
        assert_eq!(role, "admin");
    }
);
