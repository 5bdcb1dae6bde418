//! Eligibility and secret ballots in SQL. *That* someone voted goes to `budget_voters` (an
//! account) or to `budget_codes.used` (a printed code); *what* was voted goes to
//! `budget_ballots`, under a random key, with no person, no time and no order, in the same
//! transaction. Codes, receipts and census entries are kept only as hashes and never logged; the
//! activity log says nothing about votes at all.

use super::SqlStore;
use super::budgets::{Hold, all_names, authorize_budget, budget_head, budget_of_area};
use super::rows::corrupt;
use super::shared::*;
use app::domain::budget::{
    BudgetAction, BudgetPhase, BudgetRole, CODE_ALPHABET, CODE_LENGTH, budget_permits, format_code,
    normalize_code, normalize_receipt, receipt_text,
};
use app::domain::record;
use app::error::{AppError, AppResult};
use app::i18n::Msg;
use app::ids::PersonId;
use app::model::*;
use app::ssr::store::Ballots;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The most codes one batch prints (a desk's day, with room to spare).
pub const MAX_CODES: usize = 5000;

/// The keyed hash of a census entry: HMAC-SHA256 under the budget's census key, hex. Without the
/// key, which never leaves the store, nobody can test a guessed identity against the list.
fn census_hash(key_hex: &str, entry: &str) -> AppResult<String> {
    let key = app::domain::hex::decode(key_hex).ok_or_else(|| corrupt("census key", "(hidden)"))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|_| AppError::Internal)?;
    mac.update(entry.as_bytes());
    Ok(app::domain::hex::encode(&mac.finalize().into_bytes()))
}

/// What is stored of a normalised code: its SHA-256 (a random 60-bit code cannot be found back
/// from its hash by trying them all).
fn code_hash(code: &str) -> String {
    record::sha256_hex(code)
}

async fn census_key(conn: &mut AnyConnection, budget: i64) -> AppResult<String> {
    sqlx::query_scalar("SELECT census_key FROM budgets WHERE id = $1")
        .bind(budget)
        .fetch_one(&mut *conn)
        .await
        .map_err(internal)
}

/// Whom an area admits and what it is called: (census, codes, name).
async fn area_access(
    conn: &mut AnyConnection,
    area: i64,
) -> AppResult<(bool, bool, app::domain::localized::Localized)> {
    let (census, codes, name): (i64, i64, String) =
        sqlx::query_as("SELECT census, codes, name FROM budget_areas WHERE id = $1")
            .bind(area)
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
    Ok((census != 0, codes != 0, super::rows::localized(&name)?))
}

/// A stored ballot row: (id, area_id, projects, receipt_hash).
type BallotRow = (String, i64, String, String);

/// A ballot as published, from its row.
fn published(row: BallotRow) -> AppResult<PublishedBallot> {
    let (id, area_id, projects, receipt_hash) = row;
    Ok(PublishedBallot {
        projects: serde_json::from_str(&projects)
            .map_err(|_| corrupt("ballot projects", &projects))?,
        id,
        area_id,
        receipt_hash,
    })
}

/// The ballots of an area, in the order of their random keys.
pub(super) async fn area_ballots(
    conn: &mut AnyConnection,
    area: i64,
) -> AppResult<Vec<PublishedBallot>> {
    let rows: Vec<BallotRow> = sqlx::query_as(
        "SELECT id, area_id, projects, receipt_hash FROM budget_ballots WHERE area_id = $1 ORDER BY id",
    )
    .bind(area)
    .fetch_all(&mut *conn)
    .await
    .map_err(internal)?;
    rows.into_iter().map(published).collect()
}

/// Whether an area's budget has published its results (its ballots are public from then on).
async fn area_published(conn: &mut AnyConnection, area: i64) -> AppResult<bool> {
    let phase: Option<String> = sqlx::query_scalar(
        "SELECT b.phase FROM budgets b JOIN budget_areas a ON a.budget_id = b.id WHERE a.id = $1",
    )
    .bind(area)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(
        super::budget_rows::budget_phase(&phase.ok_or(AppError::NotFound)?)?
            >= BudgetPhase::Results,
    )
}

/// The public record's fingerprint of an area's published ballots: SHA-256 of the canonical JSON
/// array of the ballots, in key order, each `{"area_id", "id", "projects", "receipt_hash"}` as
/// the open data publishes them. Anyone who downloads the ballots can recompute it.
pub(super) fn ballots_digest(ballots: &[PublishedBallot]) -> String {
    record::digest(&serde_json::to_value(ballots).unwrap_or_default())
}

/// Erases, once voting has closed, what PostgreSQL itself keeps of the order and the moment of
/// each vote. There every row carries the id of the transaction that wrote it (`xmin`), and a
/// voter's mark and their ballot are written by the same one; the heap also keeps rows in the
/// order they were written. So the count rewrites an area's ballots, voters and codes in the
/// order of their keys, in its own transaction: afterwards every row carries the count's
/// transaction id and lies in key order. (Dead row versions stay in the files until VACUUM
/// reuses their space: see docs/ARCHITECTURE.md.) SQLite keeps no such columns, and its
/// `WITHOUT ROWID` tables are stored in key order already.
pub(super) async fn reseal(
    conn: &mut AnyConnection,
    backend: crate::db::Backend,
    budget: i64,
) -> AppResult<()> {
    if backend != crate::db::Backend::Postgres {
        return Ok(());
    }
    for statement in [
        "CREATE TEMPORARY TABLE sealed_ballots ON COMMIT DROP AS SELECT * FROM budget_ballots WITH NO DATA",
        "CREATE TEMPORARY TABLE sealed_voters ON COMMIT DROP AS SELECT * FROM budget_voters WITH NO DATA",
        "CREATE TEMPORARY TABLE sealed_codes ON COMMIT DROP AS SELECT * FROM budget_codes WITH NO DATA",
    ] {
        sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
    }
    for statement in [
        "INSERT INTO sealed_ballots SELECT * FROM budget_ballots WHERE area_id IN \
         (SELECT id FROM budget_areas WHERE budget_id = $1)",
        "DELETE FROM budget_ballots WHERE area_id IN (SELECT id FROM budget_areas WHERE budget_id = $1)",
        "INSERT INTO budget_ballots SELECT * FROM sealed_ballots ORDER BY id",
        "INSERT INTO sealed_voters SELECT * FROM budget_voters WHERE area_id IN \
         (SELECT id FROM budget_areas WHERE budget_id = $1)",
        "DELETE FROM budget_voters WHERE area_id IN (SELECT id FROM budget_areas WHERE budget_id = $1)",
        "INSERT INTO budget_voters SELECT * FROM sealed_voters ORDER BY area_id, person_id",
        "INSERT INTO sealed_codes SELECT * FROM budget_codes WHERE area_id IN \
         (SELECT id FROM budget_areas WHERE budget_id = $1)",
        "DELETE FROM budget_codes WHERE area_id IN (SELECT id FROM budget_areas WHERE budget_id = $1)",
        "INSERT INTO budget_codes SELECT * FROM sealed_codes ORDER BY code_hash",
    ] {
        let query = sqlx::query(statement);
        // Only the statements that pick the budget's rows take it; the copies hold no other.
        let query = if statement.contains("$1") {
            query.bind(budget)
        } else {
            query
        };
        query.execute(&mut *conn).await.map_err(internal)?;
    }
    Ok(())
}

/// `count` new random codes, normalised (one thread-local generator, not held across awaits).
fn new_codes(count: usize) -> Vec<String> {
    let mut rng = rand::rng();
    (0..count)
        .map(|_| {
            (0..CODE_LENGTH)
                .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
                .collect()
        })
        .collect()
}

#[async_trait::async_trait]
impl Ballots for SqlStore {
    async fn upload_census(
        &self,
        actor: PersonId,
        area: i64,
        entries: Vec<String>,
        now: Millis,
    ) -> AppResult<usize> {
        let mut tx = self.begin().await?;
        let budget = budget_of_area(&mut tx, area).await?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            budget,
            actor,
            BudgetAction::ManageEligibility,
            Hold::Share,
        )
        .await?;
        let key = census_key(&mut tx, budget).await?;
        let wanted: BTreeSet<String> = entries
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .map(|e| census_hash(&key, e))
            .collect::<AppResult<_>>()?;
        let stored: Vec<String> =
            sqlx::query_scalar("SELECT entry_hash FROM budget_census WHERE area_id = $1")
                .bind(area)
                .fetch_all(&mut *tx)
                .await
                .map_err(internal)?;
        let stored: HashSet<String> = stored.into_iter().collect();
        // Entries still on the list keep their claims; only what changed is written.
        for gone in stored.iter().filter(|h| !wanted.contains(*h)) {
            sqlx::query("DELETE FROM budget_census WHERE area_id = $1 AND entry_hash = $2")
                .bind(area)
                .bind(gone)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        for new in wanted.iter().filter(|h| !stored.contains(*h)) {
            sqlx::query("INSERT INTO budget_census (area_id, entry_hash) VALUES ($1, $2)")
                .bind(area)
                .bind(new)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
        let (_, _, name) = area_access(&mut tx, area).await?;
        log_event(
            &mut tx,
            head.process,
            super::budgets::personally(actor),
            &EventKind::CensusUploaded {
                budget,
                area,
                entries: wanted.len() as i64,
            },
            Some(&all_names(&name)),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(wanted.len())
    }

    async fn claim_census(&self, person: PersonId, area: i64, entry: &str) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let budget = budget_of_area(&mut tx, area).await?;
        let head = budget_head(&mut tx, self.backend, budget, Hold::Share).await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
        if known.is_none() {
            return Err(AppError::Unauthenticated);
        }
        if head.phase > BudgetPhase::Voting {
            return Err(AppError::Forbidden(Msg::BallotErrorClosed));
        }
        let (census, _, _) = area_access(&mut tx, area).await?;
        if !census {
            return Err(AppError::Forbidden(Msg::BallotErrorCodesOnly));
        }
        let key = census_key(&mut tx, budget).await?;
        let hash = census_hash(&key, entry.trim())?;
        let claim: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT claimed_by FROM budget_census WHERE area_id = $1 AND entry_hash = $2",
        )
        .bind(area)
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        match claim {
            None => {
                return Err(AppError::invalid(
                    "identity",
                    Msg::BallotErrorCensusNotListed,
                ));
            }
            Some(Some(owner)) if owner == person.0 => return Ok(()),
            // Whose it is stays unsaid.
            Some(Some(_)) => {
                return Err(AppError::invalid("identity", Msg::BallotErrorCensusTaken));
            }
            Some(None) => {}
        }
        let other: Option<String> = sqlx::query_scalar(
            "SELECT entry_hash FROM budget_census WHERE area_id = $1 AND claimed_by = $2",
        )
        .bind(area)
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        if other.is_some() {
            return Err(AppError::invalid("identity", Msg::BallotErrorCensusOther));
        }
        let claimed = sqlx::query(
            "UPDATE budget_census SET claimed_by = $1 WHERE area_id = $2 AND entry_hash = $3 \
             AND claimed_by IS NULL",
        )
        .bind(person.0)
        .bind(area)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            // The same account claiming two entries at once: the unique index keeps one.
            if is_unique_violation(&e) {
                AppError::invalid("identity", Msg::BallotErrorCensusOther)
            } else {
                internal(e)
            }
        })?
        .rows_affected();
        if claimed != 1 {
            // Another account claimed it between our read and our write.
            return Err(AppError::invalid("identity", Msg::BallotErrorCensusTaken));
        }
        tx.commit().await.map_err(internal)?;
        Ok(())
    }

    async fn issue_codes(
        &self,
        actor: PersonId,
        area: i64,
        count: usize,
        now: Millis,
    ) -> AppResult<Vec<String>> {
        let mut tx = self.begin().await?;
        let budget = budget_of_area(&mut tx, area).await?;
        let head = authorize_budget(
            &mut tx,
            self.backend,
            budget,
            actor,
            BudgetAction::ManageEligibility,
            Hold::Share,
        )
        .await?;
        if !(1..=MAX_CODES).contains(&count) {
            return Err(AppError::invalid(
                "count",
                Msg::ErrorWholeNumber {
                    min: "1".to_string(),
                    max: MAX_CODES.to_string(),
                },
            ));
        }
        let (_, codes_accepted, name) = area_access(&mut tx, area).await?;
        if !codes_accepted {
            return Err(AppError::invalid("area", Msg::BallotErrorCodesOff));
        }
        let batch: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(batch), 0) + 1 FROM budget_codes WHERE area_id = $1",
        )
        .bind(area)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        let mut issued = Vec::with_capacity(count);
        while issued.len() < count {
            for code in new_codes(count - issued.len()) {
                // A repeat of an earlier code (one chance in 2^60 per pair) is skipped, not reused.
                let inserted = sqlx::query(
                    "INSERT INTO budget_codes (code_hash, area_id, batch) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(code_hash(&code))
                .bind(area)
                .bind(batch)
                .execute(&mut *tx)
                .await
                .map_err(internal)?
                .rows_affected();
                if inserted == 1 {
                    issued.push(format_code(&code));
                }
            }
        }
        log_event(
            &mut tx,
            head.process,
            super::budgets::personally(actor),
            &EventKind::CodesIssued {
                budget,
                area,
                count: count as i64,
            },
            Some(&all_names(&name)),
            now,
        )
        .await?;
        tx.commit().await.map_err(internal)?;
        Ok(issued)
    }

    async fn code_counts(&self, budget: i64) -> AppResult<Vec<(i64, i64, i64)>> {
        sqlx::query_as(
            "SELECT a.id, COUNT(c.code_hash), COUNT(CASE WHEN c.used = 1 THEN 1 END) \
             FROM budget_areas a LEFT JOIN budget_codes c ON c.area_id = a.id \
             WHERE a.budget_id = $1 GROUP BY a.id, a.position ORDER BY a.position, a.id",
        )
        .bind(budget)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)
    }

    async fn eligibility(&self, person: PersonId, area: i64) -> AppResult<Eligibility> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let (census, _, _) = area_access(&mut conn, area).await?;
        let voted: Option<i64> = sqlx::query_scalar(
            "SELECT person_id FROM budget_voters WHERE area_id = $1 AND person_id = $2",
        )
        .bind(area)
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
        if voted.is_some() {
            return Ok(Eligibility::Voted);
        }
        if !census {
            return Ok(Eligibility::CodesOnly);
        }
        let claim: Option<String> = sqlx::query_scalar(
            "SELECT entry_hash FROM budget_census WHERE area_id = $1 AND claimed_by = $2",
        )
        .bind(area)
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
        Ok(if claim.is_some() {
            Eligibility::Eligible
        } else {
            Eligibility::NeedsCensusCheck
        })
    }

    async fn cast_ballot(
        &self,
        voter: Voter,
        area: i64,
        projects: Vec<i64>,
        _now: Millis,
    ) -> AppResult<String> {
        let mut tx = self.begin().await?;
        let budget = budget_of_area(&mut tx, area).await?;
        // Held for share until commit: the count waits for this ballot, or this ballot sees
        // that voting has closed.
        let head = budget_head(&mut tx, self.backend, budget, Hold::Share).await?;
        // A printed code votes without an account: the phase decides, eligibility the rest.
        if !budget_permits(BudgetRole::Observer, BudgetAction::Vote, head.phase) {
            return Err(AppError::Forbidden(Msg::BallotErrorClosed));
        }
        let (census, codes, _) = area_access(&mut tx, area).await?;
        // Who votes: checked first, written after the ballot is found valid.
        let code = match &voter {
            Voter::Person(person) => {
                let known: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
                    .bind(person.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(internal)?;
                if known.is_none() {
                    return Err(AppError::Unauthenticated);
                }
                let voted: Option<i64> = sqlx::query_scalar(
                    "SELECT person_id FROM budget_voters WHERE area_id = $1 AND person_id = $2",
                )
                .bind(area)
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
                if voted.is_some() {
                    return Err(AppError::Conflict(Msg::BallotErrorAlreadyVoted));
                }
                if !census {
                    return Err(AppError::Forbidden(Msg::BallotErrorCodesOnly));
                }
                let claim: Option<String> = sqlx::query_scalar(
                    "SELECT entry_hash FROM budget_census WHERE area_id = $1 AND claimed_by = $2",
                )
                .bind(area)
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
                if claim.is_none() {
                    return Err(AppError::Forbidden(Msg::BallotErrorNeedsCensus));
                }
                None
            }
            Voter::Code(typed) => {
                let code = normalize_code(typed)
                    .ok_or_else(|| AppError::invalid("code", Msg::BallotErrorCodeMalformed))?;
                let hash = code_hash(&code);
                let row: Option<(i64, i64)> =
                    sqlx::query_as("SELECT area_id, used FROM budget_codes WHERE code_hash = $1")
                        .bind(&hash)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(internal)?;
                // An unknown code and another area's code read the same: nothing here tells a
                // guesser which areas exist or which codes were printed.
                match row {
                    Some((code_area, used)) if code_area == area && codes => {
                        if used != 0 {
                            return Err(AppError::invalid("code", Msg::BallotErrorCodeUsed));
                        }
                    }
                    _ => return Err(AppError::invalid("code", Msg::BallotErrorCodeInvalid)),
                }
                Some(hash)
            }
        };
        // What is voted: only this area's feasible projects, under its rules.
        let on_ballot: Vec<(i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, reviewed_cost, estimated_cost FROM budget_projects \
             WHERE area_id = $1 AND status = 'feasible'",
        )
        .bind(area)
        .fetch_all(&mut *tx)
        .await
        .map_err(internal)?;
        let costs: BTreeMap<i64, i64> = on_ballot
            .into_iter()
            .map(|(id, reviewed, estimated)| (id, reviewed.unwrap_or(estimated)))
            .collect();
        let chosen = projects
            .iter()
            .map(|id| costs.get(id).map(|cost| (*id, *cost)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| AppError::invalid("projects", Msg::BallotErrorNotOnBallot))?;
        let rules = super::budgets::area_rules(&mut tx, area).await?;
        rules
            .check_ballot(&chosen)
            .map_err(|msg| AppError::invalid("projects", msg))?;
        // That they voted.
        match (&voter, code) {
            (Voter::Person(person), _) => {
                sqlx::query("INSERT INTO budget_voters (area_id, person_id) VALUES ($1, $2)")
                    .bind(area)
                    .bind(person.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        // The same account voting twice at once: the key keeps one.
                        if is_unique_violation(&e) {
                            AppError::Conflict(Msg::BallotErrorAlreadyVoted)
                        } else {
                            internal(e)
                        }
                    })?;
            }
            (Voter::Code(_), hash) => {
                let marked = sqlx::query(
                    "UPDATE budget_codes SET used = 1 WHERE code_hash = $1 AND area_id = $2 AND used = 0",
                )
                .bind(hash.unwrap_or_default())
                .bind(area)
                .execute(&mut *tx)
                .await
                .map_err(internal)?
                .rows_affected();
                if marked != 1 {
                    // The same code cast at the same moment elsewhere: that ballot counts.
                    return Err(AppError::invalid("code", Msg::BallotErrorCodeUsed));
                }
            }
        }
        // What they voted: a random key, the projects in ascending order, the receipt's hash.
        let mut sorted = projects;
        sorted.sort_unstable();
        let id = app::domain::hex::encode(&rand::random::<[u8; 16]>());
        let receipt = receipt_text(rand::random::<[u8; 16]>());
        let receipt_hash = normalize_receipt(&receipt)
            .map(|r| record::sha256_hex(&r))
            .ok_or(AppError::Internal)?;
        sqlx::query(
            "INSERT INTO budget_ballots (id, area_id, projects, receipt_hash) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(area)
        .bind(serde_json::to_string(&sorted).map_err(|_| AppError::Internal)?)
        .bind(receipt_hash)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(receipt)
    }

    async fn published_ballots(&self, area: i64) -> AppResult<Vec<PublishedBallot>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        if !area_published(&mut conn, area).await? {
            return Ok(Vec::new());
        }
        area_ballots(&mut conn, area).await
    }

    async fn published_ballot_count(&self, area: i64) -> AppResult<usize> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        if !area_published(&mut conn, area).await? {
            return Ok(0);
        }
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM budget_ballots WHERE area_id = $1")
                .bind(area)
                .fetch_one(&mut *conn)
                .await
                .map_err(internal)?;
        Ok(count as usize)
    }

    async fn published_ballot_page(
        &self,
        area: i64,
        offset: usize,
        limit: usize,
    ) -> AppResult<Vec<PublishedBallot>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        if !area_published(&mut conn, area).await? {
            return Ok(Vec::new());
        }
        // The same order as `area_ballots`, so page n shows what the open data's ballots
        // n×limit.. are; the (area_id, id) index answers it without reading the area.
        let rows: Vec<BallotRow> = sqlx::query_as(
            "SELECT id, area_id, projects, receipt_hash FROM budget_ballots WHERE area_id = $1 \
             ORDER BY id LIMIT $2 OFFSET $3",
        )
        .bind(area)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await
        .map_err(internal)?;
        rows.into_iter().map(published).collect()
    }

    async fn ballot_by_receipt(
        &self,
        budget: i64,
        receipt_hash: &str,
    ) -> AppResult<Option<PublishedBallot>> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM budgets WHERE id = $1")
            .bind(budget)
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?;
        if super::budget_rows::budget_phase(&phase.ok_or(AppError::NotFound)?)?
            < BudgetPhase::Results
        {
            return Ok(None);
        }
        // The receipt's unique index finds it; the join keeps it to this budget's areas.
        let row: Option<BallotRow> = sqlx::query_as(
            "SELECT bb.id, bb.area_id, bb.projects, bb.receipt_hash FROM budget_ballots bb \
             JOIN budget_areas a ON a.id = bb.area_id WHERE bb.receipt_hash = $1 AND a.budget_id = $2",
        )
        .bind(receipt_hash)
        .bind(budget)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
        row.map(published).transpose()
    }
}
