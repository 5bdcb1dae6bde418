//! Budgets at a city's scale: the results page reads one page of ballots and one receipt, never an
//! area's ballots whole, and shows them in the published order. Each story runs on SQLite and
//! PostgreSQL.

use crate::budget_voting::{TITLES, codes_in, publish_results, voting_budget};
use crate::on_both;
use crate::support::{TestApp, text};
use app::domain::budget::{BudgetPhase, receipt_hash};
use app::ids::PersonId;
use app::model::Voter;

fn now() -> i64 {
    server::clock::now_millis()
}

on_both!(
    ballots_are_paged_and_receipts_found_in_the_published_order,
    |backend| async move {
        let app = TestApp::start(backend).await;
        let store = app.running.as_ref().unwrap().store.clone();
        let setup = voting_budget(&app, BudgetPhase::Voting).await;
        let (b, area, p) = (setup.budget, setup.area, setup.projects.clone());
        let admin = PersonId(app.person_id("admin@demo.baraza").await);

        // 205 voters with printed codes: three pages of ballots, the last holding five.
        let codes = store.issue_codes(admin, area, 205, now()).await.unwrap();
        let mut receipts = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let receipt = store
                .cast_ballot(Voter::Code(code.clone()), area, vec![p[i % 4]], now())
                .await
                .unwrap();
            receipts.push(receipt);
        }
        let hash = |receipt: &str| receipt_hash(receipt).unwrap();

        // While voting lasts nothing is published, not even through the new lookups.
        assert_eq!(store.published_ballot_count(area).await.unwrap(), 0);
        assert!(
            store
                .published_ballot_page(area, 0, 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .ballot_by_receipt(b, &hash(&receipts[0]))
                .await
                .unwrap(),
            None
        );

        publish_results(&app, b).await;
        // The order the open data publishes (and the record's ballots_sha256 is taken over).
        let all = store.published_ballots(area).await.unwrap();
        assert_eq!(all.len(), 205);
        assert_eq!(store.published_ballot_count(area).await.unwrap(), 205);
        let mut paged = Vec::new();
        for offset in [0, 100, 200] {
            let page = store
                .published_ballot_page(area, offset, 100)
                .await
                .unwrap();
            assert_eq!(page.len(), if offset == 200 { 5 } else { 100 });
            paged.extend(page);
        }
        assert_eq!(paged, all, "the pages are the published list, in order");
        assert!(
            store
                .published_ballot_page(area, 205, 100)
                .await
                .unwrap()
                .is_empty()
        );

        // Every receipt finds its own ballot, within its budget only.
        for receipt in [&receipts[0], &receipts[101], &receipts[204]] {
            let found = store
                .ballot_by_receipt(b, &hash(receipt))
                .await
                .unwrap()
                .expect("the ballot of a receipt");
            assert!(all.contains(&found));
            assert_eq!(found.receipt_hash, hash(receipt));
        }
        let other: i64 = sqlx::query_scalar("SELECT id FROM budgets WHERE id <> $1 LIMIT 1")
            .bind(b)
            .fetch_one(app.pool())
            .await
            .unwrap();
        assert_eq!(
            store
                .ballot_by_receipt(other, &hash(&receipts[0]))
                .await
                .unwrap(),
            None
        );

        // The page shows the same, a hundred at a time; a page past the end shows the last.
        let reader = TestApp::client();
        let results = format!("/budgets/{b}/results");
        let mut listed = Vec::new();
        for page in 1..=3 {
            let body = text(
                reader
                    .get(app.url(&format!("{results}?area={area}&page={page}")))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert!(body.contains(&format!("Page {page} of 3")), "{body}");
            listed.extend(codes_in(&body, "hash"));
        }
        let published: Vec<String> = all.iter().map(|b| b.receipt_hash.clone()).collect();
        assert_eq!(listed, published);
        let body = text(
            reader
                .get(app.url(&format!("{results}?area={area}&page=99")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(body.contains("Page 3 of 3"), "{body}");
        assert_eq!(codes_in(&body, "hash"), published[200..]);

        // A receipt typed in any case, with spaces, finds its ballot; another does not.
        let typed = receipts[150].to_lowercase().replace('-', " ");
        let body = text(
            reader
                .get(app.url(&format!("{results}?receipt={typed}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let found = body
            .split("class=\"receipt-found\"")
            .nth(1)
            .unwrap_or_else(|| panic!("not found: {body}"));
        let found = &found[..found.find("</div>").unwrap()];
        assert!(found.contains(TITLES[150 % 4]), "{found}");
        assert!(found.contains(&hash(&receipts[150])), "{found}");
        let body = text(
            reader
                .get(app.url(&format!(
                    "{results}?receipt=ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ"
                )))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            body.contains("No published ballot has this receipt"),
            "{body}"
        );
    }
);
