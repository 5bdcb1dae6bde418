//! Voting in a budget: who may vote (the census list and printed codes the managers look after),
//! the ballot page and casting a secret ballot, and the results with the published ballots any
//! voter can find their own in.
//!
//! A receipt or a sheet of printed codes is shown in the response to the form that produced it
//! ([`BallotAnswer`], [`PrintedCodes`]) and nowhere else: never in the session (which would tie a
//! receipt to the voter's browser) and never again.

use super::form::Form;
use crate::domain::budget::{
    BudgetAction, BudgetPhase, BudgetStanding, census_entry, normalize_code, receipt_hash,
};
use crate::domain::throttle::{self, Verdict};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::model::*;
use crate::ssr::RequestContext;

/// Ballots shown per page of the published ballots.
pub const BALLOTS_PER_PAGE: usize = 100;

/// The most codes printed at once (a desk's day, on a few dozen sheets).
pub const MAX_CODES: usize = 5000;

/// The largest census file accepted (some 600,000 people).
pub const MAX_CENSUS_BYTES: usize = 16 << 20;

/// Throttle on typing voting codes, per network address. A polling desk puts many honest voters
/// behind one address, so only wrong codes count (a code that votes gives its attempt back), and
/// the limits are those of sign-in per address: a guesser gets 150 tries a quarter of an hour
/// against codes of 60 bits.
pub const CODES_PER_ADDRESS: throttle::Limits = throttle::PER_ADDRESS;

/// The field that confirms a ballot is final; the ballot form's checkbox sends `yes`.
pub const CONFIRMED: &str = "confirmed";

/// A budget with what every voting page shows around it.
#[derive(Clone, Debug)]
pub struct BudgetFrame {
    pub budget: Budget,
    /// The process's languages, the fallbacks for its texts.
    pub languages: Vec<String>,
    /// The projects (every status), by area then number.
    pub projects: Vec<BudgetProject>,
    pub standing: BudgetStanding,
}

impl BudgetFrame {
    /// The feasible projects of an area: those on its ballot.
    pub fn ballot_projects(&self, area: i64) -> Vec<&BudgetProject> {
        self.projects
            .iter()
            .filter(|p| p.area_id == area && on_ballot(p.status))
            .collect()
    }

    /// A project of this budget.
    pub fn project(&self, id: i64) -> Option<&BudgetProject> {
        self.projects.iter().find(|p| p.id == id)
    }
}

/// Whether a project in this status is (or was) on its area's ballot.
fn on_ballot(status: crate::domain::budget::ProjectStatus) -> bool {
    use crate::domain::budget::ProjectStatus::*;
    matches!(status, Feasible | Selected | NotSelected)
}

/// Loads a budget, its process's languages, its projects and the viewer's standing.
pub async fn frame(cx: &RequestContext, budget: i64) -> AppResult<BudgetFrame> {
    let budget = cx.store.budget(budget).await?.ok_or(AppError::NotFound)?;
    let process = cx
        .store
        .process(budget.process_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let projects = cx.store.budget_projects(budget.id).await?;
    let viewer = cx.viewer.as_ref().map(|p| p.id);
    let standing = cx.store.budget_standing(viewer, budget.id).await?;
    Ok(BudgetFrame {
        budget,
        languages: process.fields.languages,
        projects,
        standing,
    })
}

// ---------------------------------------------------------------------------------------------
// The ballot page.

/// Everything the ballot page shows.
#[derive(Clone, Debug)]
pub struct BallotPage {
    pub frame: BudgetFrame,
    /// The area being voted in: the one asked for, or the only one.
    pub area: Option<BudgetArea>,
    /// The signed-in viewer's standing in that area.
    pub eligibility: Option<Eligibility>,
}

/// The ballot page, `?area=` choosing the area (needed only when the budget has several).
pub async fn ballot_page(
    cx: &RequestContext,
    budget: i64,
    area: Option<i64>,
) -> AppResult<BallotPage> {
    let frame = frame(cx, budget).await?;
    let area = match area {
        Some(id) => Some(frame.budget.area(id).cloned().ok_or(AppError::NotFound)?),
        None if frame.budget.areas.len() == 1 => frame.budget.areas.first().cloned(),
        None => None,
    };
    let eligibility = match (&cx.viewer, &area) {
        (Some(viewer), Some(area)) => Some(cx.store.eligibility(viewer.id, area.id).await?),
        _ => None,
    };
    Ok(BallotPage {
        frame,
        area,
        eligibility,
    })
}

/// What the ballot page shows after a ballot form that was not refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BallotAnswer {
    /// "Check my ballot": the choices are valid; they are shown again, ticked, with the total.
    Checked { area: i64, chosen: Vec<i64> },
    /// The ballot is cast: its receipt, shown this once.
    Cast { area: i64, receipt: String },
}

/// The form's `project-{id}` checkboxes that are ticked, ascending.
pub fn chosen(form: &Form) -> Vec<i64> {
    let mut ids: Vec<i64> = form
        .fields
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .filter_map(|(name, _)| name.strip_prefix("project-")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

/// The area a ballot form is about, in the voting phase, with the ballot's projects found valid
/// under its rules. Refusals name the field `ballot` (the choices) or `area`.
async fn checked_ballot(
    cx: &RequestContext,
    budget: i64,
    form: &Form,
) -> AppResult<(BudgetFrame, BudgetArea, Vec<i64>)> {
    let frame = frame(cx, budget).await?;
    let area = form
        .text("area")
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| frame.budget.area(id).cloned())
        .ok_or_else(|| AppError::invalid("area", Msg::ErrorChoice))?;
    if frame.budget.phase != BudgetPhase::Voting {
        return Err(AppError::Forbidden(Msg::BallotErrorClosed));
    }
    let chosen = chosen(form);
    let mut priced = Vec::with_capacity(chosen.len());
    for id in &chosen {
        let project = frame
            .ballot_projects(area.id)
            .into_iter()
            .find(|p| p.id == *id)
            .ok_or_else(|| AppError::invalid("ballot", Msg::ErrorChoice))?;
        priced.push((project.id, project.cost()));
    }
    area.rules
        .check_ballot(&priced)
        .map_err(|msg| AppError::invalid("ballot", msg))?;
    Ok((frame, area, chosen))
}

/// "Check my ballot" (`intent=check`): the choices checked against the area's rules without
/// casting anything, for readers without JavaScript (who have no running total).
pub async fn check(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<BallotAnswer> {
    let (_, area, chosen) = checked_ballot(cx, budget, form).await?;
    Ok(BallotAnswer::Checked {
        area: area.id,
        chosen,
    })
}

/// Casts a ballot (`intent=cast`): with a printed `code` when one is typed (no account needed),
/// else as the signed-in person. The ballot's rules are checked first, then who votes, and last
/// that the voter confirmed the ballot is final (`confirmed=yes`), so the question is asked only
/// of a ballot that would be cast. Wrong codes are throttled per `client` address.
pub async fn cast(
    cx: &RequestContext,
    budget: i64,
    form: &Form,
    client: &str,
) -> AppResult<BallotAnswer> {
    let (_, area, chosen) = checked_ballot(cx, budget, form).await?;
    let typed_code = form.text("code").trim();
    let voter = if !typed_code.is_empty() {
        if !area.codes {
            return Err(AppError::invalid("code", Msg::BallotPageNoCodesHere));
        }
        if normalize_code(typed_code).is_none() {
            return Err(AppError::invalid("code", Msg::BallotErrorCodeMalformed));
        }
        Voter::Code(typed_code.to_string())
    } else {
        let viewer = cx
            .viewer
            .as_ref()
            .ok_or_else(|| AppError::invalid("code", Msg::BallotPageCodeOrSignIn))?;
        match cx.store.eligibility(viewer.id, area.id).await? {
            Eligibility::Eligible => {}
            Eligibility::Voted => return Err(AppError::Conflict(Msg::BallotErrorAlreadyVoted)),
            Eligibility::NeedsCensusCheck => {
                return Err(AppError::Forbidden(Msg::BallotErrorNeedsCensus));
            }
            Eligibility::CodesOnly => return Err(AppError::Forbidden(Msg::BallotErrorCodesOnly)),
        }
        Voter::Person(viewer.id)
    };
    if form.text(CONFIRMED) != "yes" {
        return Err(AppError::invalid(CONFIRMED, Msg::BallotPageConfirmFirst));
    }
    let code_key = matches!(voter, Voter::Code(_)).then(|| format!("code:{client}"));
    if let Some(key) = &code_key {
        let counted = cx.store.throttle_count(key, cx.now).await?;
        let (verdict, new_state) = throttle::decide(counted, cx.now, CODES_PER_ADDRESS);
        if let Some(state) = new_state {
            cx.store.set_throttle(key, state).await?;
        }
        match verdict {
            Verdict::Locked { minutes } => {
                return Err(AppError::TooMany(Msg::BallotPageCodesLocked {
                    minutes: minutes.to_string(),
                }));
            }
            Verdict::Proceed { delay_secs } if delay_secs > 0 => {
                tokio::time::sleep(std::time::Duration::from_secs(delay_secs as u64)).await;
            }
            Verdict::Proceed { .. } => {}
        }
    }
    let receipt = cx
        .store
        .cast_ballot(voter, area.id, chosen, cx.now)
        .await
        .map_err(|e| renamed(e, "projects", "ballot"))?;
    if let Some(key) = &code_key {
        // A code that voted was no guess: give its attempt back, so a busy desk is never slowed.
        cx.store.throttle_uncount(key).await?;
    }
    Ok(BallotAnswer::Cast {
        area: area.id,
        receipt,
    })
}

/// `error` with its field `from` renamed `to`, the name the page's form uses.
fn renamed(error: AppError, from: &str, to: &str) -> AppError {
    match error {
        AppError::Invalid(mut fields) => {
            for f in &mut fields {
                if f.field == from {
                    f.field = to.to_string();
                }
            }
            AppError::Invalid(fields)
        }
        other => other,
    }
}

/// Checks the signed-in person against an area's census (`intent=census_check`, fields `area`,
/// `document_number`, `birth_date`). Returns the area.
pub async fn census_check(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<i64> {
    let person = cx.viewer()?.id;
    let frame = frame(cx, budget).await?;
    let area = form
        .text("area")
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| frame.budget.area(id).cloned())
        .ok_or_else(|| AppError::invalid("area", Msg::ErrorChoice))?;
    if frame.budget.phase != BudgetPhase::Voting {
        return Err(AppError::Forbidden(Msg::BallotErrorClosed));
    }
    if !area.census {
        return Err(AppError::Forbidden(Msg::BallotErrorCodesOnly));
    }
    let mut errors = Vec::new();
    let number = form.bounded("document_number", 64, true);
    if let Err(e) = &number {
        errors.push(e.clone());
    }
    let birth = form.required("birth_date").map(str::to_string);
    if let Err(e) = &birth {
        errors.push(e.clone());
    }
    super::form::collect(errors)?;
    let (number, birth) = (number.unwrap_or_default(), birth.unwrap_or_default());
    let entry = census_entry(&number, &birth)
        .ok_or_else(|| AppError::invalid("birth_date", Msg::EligibilityBadDate))?;
    // The store names the pair `identity`; the form asks for it as the document number first.
    cx.store
        .claim_census(person, area.id, &entry)
        .await
        .map_err(|e| renamed(e, "identity", "document_number"))?;
    Ok(area.id)
}

// ---------------------------------------------------------------------------------------------
// Eligibility: the census lists and the printed codes.

/// Everything the eligibility page shows (managers only).
#[derive(Clone, Debug)]
pub struct EligibilityPage {
    pub frame: BudgetFrame,
    /// Codes issued and used per area: (area, issued, used).
    pub code_counts: Vec<(i64, i64, i64)>,
}

impl EligibilityPage {
    /// Codes issued and used in an area.
    pub fn codes_of(&self, area: i64) -> (i64, i64) {
        self.code_counts
            .iter()
            .find(|(a, _, _)| *a == area)
            .map(|(_, issued, used)| (*issued, *used))
            .unwrap_or((0, 0))
    }
}

/// The budget, checked to be one the viewer may manage the eligibility of now.
async fn managed(cx: &RequestContext, budget: i64) -> AppResult<BudgetFrame> {
    cx.viewer()?;
    let frame = frame(cx, budget).await?;
    frame
        .standing
        .refusal(BudgetAction::ManageEligibility, frame.budget.phase)
        .map_err(AppError::Forbidden)?;
    Ok(frame)
}

/// The eligibility page: for the budget's managers, until voting closes.
pub async fn eligibility_page(cx: &RequestContext, budget: i64) -> AppResult<EligibilityPage> {
    let frame = managed(cx, budget).await?;
    let code_counts = cx.store.code_counts(budget).await?;
    Ok(EligibilityPage { frame, code_counts })
}

/// The area a management form names.
fn managed_area(frame: &BudgetFrame, form: &Form) -> AppResult<BudgetArea> {
    form.text("area")
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| frame.budget.area(id).cloned())
        .ok_or_else(|| AppError::invalid("area", Msg::ErrorChoice))
}

/// Reads a census list: one `document_number,birth_date` per line (a `;` or a tab also
/// separates), blank lines skipped, a first line naming the columns (no digit in it) skipped. Every entry is
/// normalised by [`census_entry`]; a list with any bad line is refused whole, naming the lines
/// (numbered from 1, as an editor shows them).
pub fn parse_census(text: &str) -> Result<Vec<String>, Vec<usize>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut columns = line.splitn(2, [',', ';', '\t']);
        let number = columns.next().unwrap_or("").trim().trim_matches('"');
        let birth = columns.next().unwrap_or("").trim().trim_matches('"');
        match census_entry(number, birth) {
            Some(entry) => entries.push(entry),
            None if entries.is_empty()
                && bad.is_empty()
                && !line.chars().any(|c| c.is_ascii_digit()) =>
            {
                // A header line ("document_number,birth_date"): names, without a digit.
            }
            None => bad.push(index + 1),
        }
    }
    entries.sort();
    entries.dedup();
    if bad.is_empty() {
        Ok(entries)
    } else {
        Err(bad)
    }
}

/// Replaces an area's census list (`intent=census`, `area`, and the file `census` or the text
/// `entries`). Returns how many people the list holds.
pub async fn upload_census(cx: &RequestContext, budget: i64, form: &Form) -> AppResult<usize> {
    let person = cx.viewer()?.id;
    let frame = managed(cx, budget).await?;
    let area = managed_area(&frame, form)?;
    if !area.census {
        return Err(AppError::invalid("area", Msg::EligibilityNoCensusHere));
    }
    let (field, text) = match form.file("census") {
        Some(upload) => (
            "census",
            String::from_utf8(upload.bytes.to_vec())
                .map_err(|_| AppError::invalid("census", Msg::EligibilityNotUtf8))?,
        ),
        None => ("entries", form.text("entries").to_string()),
    };
    let entries = parse_census(&text).map_err(|bad| {
        let shown: Vec<String> = bad.iter().take(20).map(|l| l.to_string()).collect();
        let mut lines = shown.join(", ");
        if shown.len() < bad.len() {
            lines.push_str(", …");
        }
        AppError::invalid(field, Msg::EligibilityBadLines { lines })
    })?;
    if entries.is_empty() {
        return Err(AppError::invalid(field, Msg::EligibilityEmptyList));
    }
    cx.store
        .upload_census(person, area.id, entries, cx.now)
        .await
}

/// A sheet of freshly printed codes: the response to `intent=codes`, the only copy there is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintedCodes {
    pub area: i64,
    /// The codes as printed (`format_code`).
    pub codes: Vec<String>,
    /// The address voters go to (`--public-url`, else the request's host).
    pub site: String,
}

/// Prints a batch of codes (`intent=codes`, `area`, `count` 1..=[`MAX_CODES`]).
pub async fn print_codes(
    cx: &RequestContext,
    budget: i64,
    form: &Form,
    site: String,
) -> AppResult<PrintedCodes> {
    let person = cx.viewer()?.id;
    let frame = managed(cx, budget).await?;
    let area = managed_area(&frame, form)?;
    if !area.codes {
        return Err(AppError::invalid("area", Msg::EligibilityNoCodesHere));
    }
    let count = form
        .text("count")
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_CODES).contains(n))
        .ok_or_else(|| {
            AppError::invalid(
                "count",
                Msg::EligibilityCountRange {
                    max: MAX_CODES.to_string(),
                },
            )
        })?;
    let codes = cx.store.issue_codes(person, area.id, count, cx.now).await?;
    Ok(PrintedCodes {
        area: area.id,
        // Printed in groups of four, however the store writes them.
        codes: codes
            .iter()
            .map(|c| crate::domain::budget::format_code(&normalize_code(c).unwrap_or(c.clone())))
            .collect(),
        site,
    })
}

// ---------------------------------------------------------------------------------------------
// Results.

/// Everything the results page shows.
#[derive(Clone, Debug)]
pub struct ResultsPage {
    pub frame: BudgetFrame,
    /// The area whose published ballots are listed.
    pub area: Option<i64>,
    /// That area's ballots on the page asked for, and how many pages there are.
    pub ballots: Vec<PublishedBallot>,
    pub page: usize,
    pub pages: usize,
    /// The receipt looked up, and the ballot it found.
    pub lookup: Option<(String, Option<PublishedBallot>)>,
}

/// The results page: `area` and `page` (from 1) choose the ballots listed, `receipt` looks one up.
pub async fn results_page(
    cx: &RequestContext,
    budget: i64,
    area: Option<i64>,
    page: usize,
    receipt: Option<String>,
) -> AppResult<ResultsPage> {
    let frame = frame(cx, budget).await?;
    let published = frame.budget.phase >= BudgetPhase::Results;
    let area = match area {
        Some(id) => Some(frame.budget.area(id).ok_or(AppError::NotFound)?.id),
        None => frame.budget.areas.first().map(|a| a.id),
    };
    let mut ballots = Vec::new();
    let (mut shown, mut pages) = (1, 1);
    // One page and one receipt are read, never an area's ballots whole: a city's area holds
    // tens of thousands.
    if let (true, Some(area)) = (published, area) {
        let count = cx.store.published_ballot_count(area).await?;
        pages = count.div_ceil(BALLOTS_PER_PAGE).max(1);
        shown = page_number(page, pages);
        ballots = cx
            .store
            .published_ballot_page(area, (shown - 1) * BALLOTS_PER_PAGE, BALLOTS_PER_PAGE)
            .await?;
    }
    let lookup = match receipt.filter(|r| !r.trim().is_empty()) {
        Some(typed) if published => {
            let found = match receipt_hash(&typed) {
                Some(hash) => cx.store.ballot_by_receipt(budget, &hash).await?,
                None => None,
            };
            Some((typed.trim().to_string(), found))
        }
        _ => None,
    };
    Ok(ResultsPage {
        frame,
        area,
        ballots,
        page: shown,
        pages,
        lookup,
    })
}

/// A page number asked for, kept within `1..=pages`.
fn page_number(asked: usize, pages: usize) -> usize {
    asked.clamp(1, pages.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_census_list_is_read_with_or_without_its_header() {
        let list = "document_number,birth_date\nAB 123-456,1980-02-29\n\n x9;2001-12-31 \n";
        assert_eq!(
            parse_census(list).unwrap(),
            vec![
                "AB123456|1980-02-29".to_string(),
                "X9|2001-12-31".to_string()
            ]
        );
        assert_eq!(
            parse_census("\u{feff}AB1,1990-01-01\r\nAB1,1990-01-01\r\n").unwrap(),
            vec!["AB1|1990-01-01".to_string()]
        );
    }

    #[test]
    fn a_census_list_with_bad_lines_is_refused_naming_them() {
        let list = "document_number,birth_date\nAB1,1990-01-01\nAB2,1990-02-30\n,1990-01-01\nAB4\n";
        assert_eq!(parse_census(list), Err(vec![3, 4, 5]));
        // A first line that is not a header is a bad line like any other.
        assert_eq!(parse_census("AB1,yesterday\n"), Err(vec![1]));
    }

    #[test]
    fn ticked_projects_are_read_from_their_checkboxes() {
        let form = Form::from_pairs([
            ("project-12".to_string(), "yes".to_string()),
            ("project-3".to_string(), "yes".to_string()),
            ("project-4".to_string(), String::new()),
            ("project-x".to_string(), "yes".to_string()),
            ("area".to_string(), "1".to_string()),
        ]);
        assert_eq!(chosen(&form), vec![3, 12]);
    }

    #[test]
    fn pages_of_ballots_stay_within_range() {
        assert_eq!(page_number(0, 3), 1);
        assert_eq!(page_number(9, 3), 3);
        assert_eq!(page_number(2, 0), 1);
    }
}
