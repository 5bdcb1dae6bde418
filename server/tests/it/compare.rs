//! Comparing two versions of a draft: only the changes, named as a drafter names them, with the
//! way from one to the next; the whole text one link away.

use crate::on_both;
use crate::support::{TestApp, text};
use crate::yclient::YClient;

/// Writes `articles` at `at`, each a numbered article, as an editor does (the format on the
/// newline that ends the line). Returns where the text written ends.
async fn write_articles(writer: &mut YClient, mut at: u32, articles: &[&str]) -> u32 {
    for article in articles {
        let line = format!("{article}\n");
        writer.insert(at, &line).await;
        let newline = at + article.encode_utf16().count() as u32;
        writer
            .format(newline, 1, vec![("article", yrs::Any::Bool(true))])
            .await;
        at = newline + 1;
    }
    at
}

async fn name_version(app: &TestApp, process: i64, draft: i64, name: &str) {
    let gov = app.signed_in("gov@demo.baraza").await;
    let named = gov
        .post(app.url(&format!("/processes/{process}/drafts/{draft}")))
        .form(&[("intent", "version"), ("name", name)])
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), reqwest::StatusCode::SEE_OTHER);
}

on_both!(
    a_comparison_names_inserted_changed_and_moved_articles,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let draft = app.draft_id("Charter").await;
        let process = app.process_in("drafting").await;
        let cookie = app.cookie("gov@demo.baraza").await;
        let mut writer = YClient::connect(&app.base, draft, Some(&cookie), 7_301).await;
        let len = writer.len();
        writer.delete(0, len).await;
        let articles = [
            "Residents take part.",
            "Data is open by default.",
            "Elders are heard.",
            "Answers are public.",
        ];
        write_articles(&mut writer, 0, &articles).await;
        writer.settle().await;
        name_version(&app, process, draft, "First reading").await;

        // A new article 2; article 3 revised; old article 2 moved to the end.
        let moved = "Data is open by default.\n".encode_utf16().count() as u32;
        let second = "Residents take part.\n".encode_utf16().count() as u32;
        writer.delete(second, moved).await;
        write_articles(&mut writer, second, &["Every sitting has minutes."]).await;
        let end = writer.len();
        write_articles(&mut writer, end, &["Data is open by default."]).await;
        let heard = writer.string().find("heard.").unwrap() as u32;
        writer.insert(heard + 5, " in their own language").await;
        writer.settle().await;
        name_version(&app, process, draft, "Second reading").await;

        let url = format!("/processes/{process}/drafts/{draft}/compare?from=1&to=2");
        let page = text(TestApp::client().get(app.url(&url)).send().await.unwrap()).await;
        for name in [
            "Article 2 inserted",
            "Article 3 changed",
            "Article 2 moved after Article 4",
        ] {
            assert!(page.contains(name), "{name} is named: {page}");
        }
        assert!(page.contains("Changes: 3"));
        assert!(
            page.contains("<ins>in their own language </ins>")
                || page.contains("<ins> in their own language</ins>"),
            "the words added: {page}"
        );
        // Changes only: the unchanged article is not there, but one link away.
        assert!(!page.contains("Answers are public."));
        assert!(page.contains("href=\"#change-2\" rel=\"next\""));
        let whole = text(
            TestApp::client()
                .get(app.url(&format!("{url}&whole=1")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(whole.contains("Answers are public."));
        assert!(whole.contains("Show only the changes"));

        // In Chinese, as a Chinese drafter counts.
        let zh = text(
            TestApp::client()
                .get(app.url(&url))
                .header("accept-language", "zh-CN,zh;q=0.9")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(zh.contains("新增第二条"), "{zh}");
        assert!(zh.contains("第二条移至第四条之后"), "{zh}");

        // The same text twice has no changes, and says so.
        let same = text(
            TestApp::client()
                .get(app.url(&format!(
                    "/processes/{process}/drafts/{draft}/compare?from=2&to=2"
                )))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(same.contains("The two texts are the same."));
    }
);
