//! Finding the next step: "Open for your input" lists only where the viewer can act, the process
//! page says first what the viewer can do now, and a form's notice is shown beside what it is
//! about. Each story runs on SQLite and PostgreSQL.

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::{Client, StatusCode};

async fn get(app: &TestApp, client: &Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    text(response).await
}

/// The titles of the processes the home page lists as open for the viewer's input.
async fn open_for_input(app: &TestApp, client: &Client) -> String {
    let home = get(app, client, "/").await;
    let start = home.find("Open for your input").unwrap_or(home.len());
    let end = home[start..]
        .find("</section>")
        .map_or(home.len(), |e| start + e);
    home[start..end].to_string()
}

on_both!(
    open_for_input_lists_only_where_the_viewer_can_act,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let (charter, strategy, budget) = (
            "Kalden Charter",
            "Digital Public Workforce",
            "Participatory Budget",
        );
        // Anonymous, and a citizen: only public comment (signed in, a citizen may comment).
        for client in [
            TestApp::client(),
            app.signed_in("citizen@demo.baraza").await,
        ] {
            let open = open_for_input(&app, &client).await;
            assert!(open.contains(strategy), "{open}");
            assert!(
                !open.contains(charter),
                "only co-drafters write while drafting"
            );
            assert!(!open.contains(budget));
        }
        // A co-drafter of the charter writes in it; a council member decides the budget (and, like
        // anyone signed in, may comment in public comment).
        let gov = open_for_input(&app, &app.signed_in("gov@demo.baraza").await).await;
        assert!(gov.contains(charter) && gov.contains(strategy), "{gov}");
        let council = open_for_input(&app, &app.signed_in("council@demo.baraza").await).await;
        assert!(council.contains(budget), "{council}");
        assert!(!council.contains(charter), "{council}");
    }
);

on_both!(
    the_process_page_opens_with_what_the_viewer_can_do_now,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let strategy = app.process_in("public_comment").await;
        let charter = app.process_in("drafting").await;
        let budget = app.process_in("decision").await;
        let first_button = |page: &str| {
            let at = page
                .find("class=\"next-steps\"")
                .expect("a next step on the page");
            let link = &page[at..];
            let label_start = link.find("class=\"button\"").unwrap();
            let label = &link[label_start..];
            let open = label.find('>').unwrap() + 1;
            label[open..open + label[open..].find('<').unwrap()].to_string()
        };
        let anonymous = TestApp::client();
        let citizen = app.signed_in("citizen@demo.baraza").await;
        let gov = app.signed_in("gov@demo.baraza").await;
        let council = app.signed_in("council@demo.baraza").await;
        let page = |id: i64| format!("/processes/{id}");

        let seen = get(&app, &anonymous, &page(strategy)).await;
        assert_eq!(first_button(&seen), "Sign in to take part");
        assert!(seen.contains(&format!("href=\"/auth/login?next=/processes/{strategy}\"")));
        // While co-drafters write, a signed-in citizen could not act either: no sign-in button.
        let seen = get(&app, &anonymous, &page(charter)).await;
        assert!(!seen.contains("Sign in to take part"));
        assert!(seen.contains("To take part, sign in."));

        let seen = get(&app, &citizen, &page(strategy)).await;
        assert_eq!(first_button(&seen), "Read the draft and comment");
        let seen = get(&app, &citizen, &page(charter)).await;
        assert!(
            !seen.contains("class=\"next-steps\""),
            "nothing for a citizen while drafting"
        );

        let seen = get(&app, &gov, &page(charter)).await;
        assert_eq!(first_button(&seen), "Continue writing the draft");
        let seen = get(&app, &council, &page(budget)).await;
        assert_eq!(first_button(&seen), "Choose the text for the decision");

        // The button comes before the summary.
        let seen = get(&app, &citizen, &page(strategy)).await;
        let button = seen.find("Read the draft and comment").unwrap();
        // The demo strategy's summary, in its own words.
        let summary = seen.find("prepared a draft national strategy").unwrap();
        assert!(button < summary, "the button comes before the summary");
        let after_aside = seen[button..].find("</aside>").unwrap() + button;
        assert!(
            seen[..after_aside].find("<h2 id=\"drafts\"").is_none(),
            "the next step is the first thing after the title"
        );
    }
);

on_both!(
    a_notice_is_shown_beside_what_it_is_about,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let strategy = app.process_in("public_comment").await;
        let draft = app.draft_id("consultation draft").await;
        let citizen = app.signed_in("citizen@demo.baraza").await;

        // A posted comment: the notice is in the comment, not at the top of the page.
        let page = format!("/processes/{strategy}/drafts/{draft}");
        let response = citizen
            .post(app.url(&page))
            .form(&[
                ("intent", "comment"),
                ("body", "Please publish the regional figures."),
                ("stance", "asks"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let anchor = location.split_once('#').expect("an anchor").1.to_string();
        assert!(anchor.starts_with("comment-"), "{location}");
        let html = get(&app, &citizen, &location).await;
        assert_eq!(html.matches("id=\"notice\"").count(), 1, "shown once");
        let notice = html.find("id=\"notice\"").expect("the notice");
        let comment = html.find(&format!("id=\"{anchor}\"")).expect("the comment");
        assert!(notice > comment, "the notice is at the comment");
        assert!(
            !html[comment..notice].contains("</li>"),
            "inside the comment's item"
        );
        // Shown once: the next visit has no notice.
        assert!(
            !get(&app, &citizen, &location)
                .await
                .contains("id=\"notice\"")
        );

        // A form without a place of its own: the notice comes back in that form, scrolled to.
        let response = citizen
            .post(app.url("/account"))
            .form(&[
                ("intent", "profile"),
                ("display_name", "Tomás Rivera"),
                ("language", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/account#notice");
        let html = get(&app, &citizen, "/account").await;
        let form = html.find("value=\"profile\"").expect("the profile form");
        let form_start = html[..form].rfind("<form").unwrap();
        let notice = html.find("id=\"notice\"").expect("the notice");
        assert!(
            form_start < notice && notice < form,
            "the notice is in the form sent"
        );

        // A form whose next page does not hold it: the notice falls back to the top.
        let response = citizen
            .post(app.url("/language"))
            .form(&[("language", "en"), ("return_to", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let html = get(&app, &citizen, "/").await;
        let main = html.find("<main").unwrap();
        let notice = html.find("id=\"notice\"").expect("the notice");
        let heading = html[main..].find("<h1").unwrap() + main;
        assert!(main < notice && notice < heading, "at the top");
    }
);
