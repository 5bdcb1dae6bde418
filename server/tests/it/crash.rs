//! `kill -9` in the middle of a burst of edits: every update the server relayed to anyone is
//! there when it starts again, because it is stored before it is relayed.

use crate::on_both;
use crate::support::{TestDb, cookie_at, drafting_draft, serve};
use crate::yclient::YClient;
use std::time::Duration;

on_both!(what_was_relayed_survives_kill_9, |backend| async move {
    let db = TestDb::new(backend).await;
    let (mut server, base) = serve(&db.url, true);
    let draft = drafting_draft(&base).await;
    let (gov, civil) = (
        cookie_at(&base, "gov@demo.baraza").await,
        cookie_at(&base, "civil@demo.baraza").await,
    );
    let mut observer = YClient::connect(&base, draft, None, 7_000).await;
    let mut writers = vec![
        YClient::connect(&base, draft, Some(&gov), 7_001).await,
        YClient::connect(&base, draft, Some(&civil), 7_002).await,
    ];
    // Both write as fast as they can, without waiting for anything.
    let bursts: Vec<_> = writers
        .drain(..)
        .enumerate()
        .map(|(w, mut writer)| {
            tokio::spawn(async move {
                for i in 0..400 {
                    let at = if w == 0 { 0 } else { writer.len() };
                    writer.insert(at, &format!("<{w}:{i}>")).await;
                }
                writer
            })
        })
        .collect();
    // Once the observer has received a good part of the burst, the server dies without warning.
    assert!(
        observer
            .pump_until(Duration::from_secs(20), |c| c.string().matches('<').count()
                >= 150)
            .await
    );
    server.kill().expect("kill -9");
    server.wait().expect("reaped");
    let _ = futures_util::future::join_all(bursts).await;
    observer
        .pump_until(Duration::from_millis(300), |_| false)
        .await;
    let relayed = observer.state_vector();

    let (mut restarted, base) = serve(&db.url, false);
    let recovered = YClient::connect(&base, draft, None, 7_003).await;
    let have = recovered.state_vector();
    for (client, clock) in relayed.iter() {
        assert!(
            have.get(client) >= *clock,
            "client {client:?}: relayed up to {clock}, recovered {}",
            have.get(client)
        );
    }
    let relayed_marks = observer.string().matches('<').count();
    assert!(recovered.string().matches('<').count() >= relayed_marks);
    restarted.kill().ok();
    restarted.wait().ok();
});
