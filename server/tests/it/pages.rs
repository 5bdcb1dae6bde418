//! Pages as each role sees them, in English and Chinese.

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::StatusCode;

on_both!(each_role_sees_what_it_may_do, |backend| async move {
    let app = TestApp::start(backend).await;
    let drafting = app.process_in("drafting").await;
    let page = format!("/processes/{drafting}");

    let anonymous = text(TestApp::client().get(app.url(&page)).send().await.unwrap()).await;
    assert!(anonymous.contains("To take part, sign in."));
    assert!(
        !anonymous.contains("Mediator&#x27;s tools") && !anonymous.contains("Mediator's tools")
    );

    let citizen = text(
        app.signed_in("citizen@demo.baraza")
            .await
            .get(app.url(&page))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        citizen.contains("there is nothing for you to do yet"),
        "a citizen cannot comment while drafting"
    );
    assert!(!citizen.contains("/manage"));

    let gov = text(
        app.signed_in("gov@demo.baraza")
            .await
            .get(app.url(&page))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        gov.contains("Write in the draft"),
        "a co-drafter may write while drafting"
    );

    let mediator = text(
        app.signed_in("mediator@demo.baraza")
            .await
            .get(app.url(&page))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(mediator.contains(&format!("/processes/{drafting}/manage")));
    assert!(mediator.contains("Edit the rules of engagement"));

    let admin = app.signed_in("admin@demo.baraza").await;
    let admin_page = text(admin.get(app.url(&page)).send().await.unwrap()).await;
    assert!(admin_page.contains(&format!("/admin/processes/{drafting}")));
    assert_eq!(
        admin.get(app.url("/admin")).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Administration pages refuse everyone else, and send anonymous visitors to sign in.
    let citizen = app.signed_in("citizen@demo.baraza").await;
    assert_eq!(
        citizen
            .get(app.url("/admin"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        citizen
            .get(app.url(&format!("/processes/{drafting}/manage")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let response = TestApp::client()
        .get(app.url("/admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/auth/login?next=/admin");
});

on_both!(every_page_renders, |backend| async move {
    let app = TestApp::start(backend).await;
    let drafting = app.process_in("drafting").await;
    let org = app.org_id("Elders").await;
    let admin = app.signed_in("admin@demo.baraza").await;
    for path in [
        "/".to_string(),
        format!("/processes/{drafting}"),
        format!("/processes/{drafting}/how-it-works"),
        format!("/processes/{drafting}/manage"),
        "/organisations".into(),
        format!("/organisations/{org}"),
        "/organisations/new".into(),
        "/account".into(),
        "/admin".into(),
        "/admin/processes/new".into(),
        format!("/admin/processes/{drafting}"),
    ] {
        let response = admin.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = text(response).await;
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(body.contains(r#"<html lang="en""#), "{path}");
        assert!(body.contains("<main id=\"main\""), "{path}");
    }
    for path in ["/auth/login", "/auth/signup"] {
        assert_eq!(
            TestApp::client()
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    for missing in [
        "/processes/99999",
        "/processes/abc",
        "/organisations/99999",
        "/nothing/here",
    ] {
        let response = TestApp::client()
            .get(app.url(missing))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
        assert!(
            text(response)
                .await
                .contains("We could not find that page.")
        );
    }
});

on_both!(
    the_how_it_works_page_prints_the_enforced_rules,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let comment = app.process_in("public_comment").await;
        let body = text(
            TestApp::client()
                .get(app.url(&format!("/processes/{comment}/how-it-works")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            body.contains("Who decides")
                && body.contains("Legal basis")
                && body.contains("What happens to your input")
        );
        assert!(body.contains("<caption>What each role may do, and in which phases</caption>"));
        // Participants comment in the public-comment phase only: the row says exactly that.
        let row = body
            .split("<th scope=\"row\">Comment on the draft</th>")
            .nth(1)
            .expect("comment row");
        let cells: Vec<&str> = row.split("<td>").collect();
        let first_cells = &cells[1..3];
        assert!(first_cells[0].starts_with("—"), "observers never comment");
        assert!(
            first_cells[1].starts_with("Public comment<"),
            "participants: {}",
            first_cells[1]
        );
    }
);

on_both!(chinese_by_header_cookie_and_account, |backend| async move {
    let app = TestApp::start(backend).await;
    // Accept-Language picks Chinese for a newcomer.
    let body = text(
        TestApp::client()
            .get(app.url("/"))
            .header("accept-language", "zh-CN,zh;q=0.9")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(body.contains(r#"<html lang="zh-Hans""#));
    assert!(body.contains("公众审议"));
    // The demo content is bilingual: the process titles come in Chinese too.
    assert!(
        body.contains(r#"<span lang="zh-Hans">卡尔登"#),
        "a Chinese process title, marked as Chinese"
    );

    // The switcher remembers the choice in a cookie, and redirects back.
    let client = TestApp::client();
    let response = client
        .post(app.url("/language"))
        .form(&[("language", "zh-Hans"), ("return_to", "/organisations")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/organisations");
    let body = text(
        client
            .get(app.url("/organisations"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        body.contains(r#"<html lang="zh-Hans""#),
        "the cookie wins over the header"
    );

    // A hostile return address stays on the site.
    let response = client
        .post(app.url("/language"))
        .form(&[("language", "en"), ("return_to", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");

    // A person who prefers Chinese gets it on any device.
    let zh_reader = app.signed_in("citizen@demo.baraza").await;
    zh_reader
        .post(app.url("/account"))
        .form(&[
            ("intent", "profile"),
            ("display_name", "Citizen"),
            ("language", "zh-Hans"),
        ])
        .send()
        .await
        .unwrap();
    let other_device = app.signed_in("citizen@demo.baraza").await;
    let body = text(other_device.get(app.url("/account")).send().await.unwrap()).await;
    assert!(body.contains(r#"<html lang="zh-Hans""#));
});

on_both!(hostile_text_is_rendered_inert, |backend| async move {
    let app = TestApp::start(backend).await;
    let drafting = app.process_in("drafting").await;
    let mediator = app.signed_in("mediator@demo.baraza").await;
    let hostile =
        "<script>alert(1)</script>\n\n- <img src=x onerror=alert(2)>\n- [x](javascript:alert(3))";
    let response = mediator
        .post(app.url(&format!("/processes/{drafting}/manage")))
        .form(&[
            ("intent", "rules"),
            ("rules.en", hostile),
            ("rules.zh-Hans", "规则"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let body = text(
        TestApp::client()
            .get(app.url(&format!("/processes/{drafting}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!body.contains("<script>alert(1)"));
    assert!(!body.contains("<img src=x"));
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
});

on_both!(
    pages_carry_a_strict_content_security_policy,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let response = TestApp::client().get(app.url("/")).send().await.unwrap();
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let body = text(response).await;
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce");
        assert!(nonce.len() >= 16);
        assert!(
            body.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries this response's nonce"
        );
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"));
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
        // Each response gets a fresh nonce.
        let again = TestApp::client().get(app.url("/")).send().await.unwrap();
        assert!(
            !again.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains(nonce)
        );
    }
);

on_both!(
    pages_and_the_bundle_are_compressed_for_those_who_accept_it,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let response = TestApp::client()
            .get(app.url("/"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], "gzip");
        let plain = TestApp::client().get(app.url("/")).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
    }
);
