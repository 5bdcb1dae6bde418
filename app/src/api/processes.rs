//! Processes: listing, the process page, and the actions on a process.

use super::form::{Form, collect};
use crate::domain::localized::Localized;
use crate::domain::process::{Day, Level, PhaseDates, check_schedule, check_texts};
use crate::domain::roles::{Action, OrgRole, PersonalRole, Phase, SiteAction, Standing, site_may};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::ids::{DecisionId, DraftId, OrgId, PersonId, ProcessId, SittingId};
use crate::model::*;
use crate::ssr::RequestContext;

/// Everything the process page shows.
#[derive(Clone, Debug)]
pub struct ProcessPage {
    pub process: Process,
    pub participants: Participants,
    /// The viewer's standing, which decides what the page offers them.
    pub standing: Standing,
    /// The viewer's organisations, to choose whom they speak for.
    pub acting_options: Vec<Organisation>,
    pub events: Vec<ProcessEvent>,
    pub drafts: Vec<Draft>,
    /// Its sittings, by start time (listed for everyone; private ones open only to invitees).
    pub sittings: Vec<Sitting>,
    /// Its decisions, frozen or published.
    pub decisions: Vec<CouncilDecision>,
    /// The viewer's own comments in this process, with their threads' published answers.
    pub own_comments: Vec<OwnComment>,
    /// The next sitting that is not closed and that the viewer may watch, and whether they may
    /// take part in it (chair it, or speak) rather than only watch.
    pub next_sitting: Option<(Sitting, bool)>,
    /// The participatory budget the process holds, if any.
    pub budget: Option<i64>,
}

/// Something the viewer can do now, in this phase: what the process page offers first, as a
/// button. Each is derived from the permission matrix ([`may`]), never from a rule of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// Read the answers a published decision gave the viewer's comments.
    SeeAnswers,
    /// Answer the comment threads of a frozen text (and vote, if `vote`).
    Answer { decision: DecisionId, vote: bool },
    /// Freeze a text for the council's decision.
    Freeze,
    /// Report on implementation after the decision.
    FollowUp { decision: DecisionId },
    /// Write in a draft with the other co-drafters.
    Write { draft: DraftId },
    /// Read a draft and comment on it.
    Comment { draft: DraftId },
    /// Join a sitting (`take_part`: chair or speak; else watch), open now or on its day.
    Sitting {
        sitting: SittingId,
        starts_at: Millis,
        open: bool,
        take_part: bool,
    },
    /// Sign in: a signed-in citizen could take part now.
    SignIn,
}

/// The actions that shape a process's outcome: a process where the viewer may take one of them
/// is "open for your input" to them.
const INPUT: [Action; 5] = [
    Action::Comment,
    Action::EditDraft,
    Action::AnswerComments,
    Action::VoteOnDecision,
    Action::PostFollowUp,
];

/// Whether someone with `standing` may shape the process now.
fn may_give_input(standing: &Standing, phase: Phase) -> bool {
    INPUT.iter().any(|a| standing.may_somehow(*a, phase))
}

/// The standing of a citizen who signs in: what an anonymous visitor could do by signing in.
fn citizen() -> Standing {
    Standing {
        signed_in: true,
        ..Standing::default()
    }
}

/// What the viewer can do now, the most pressing first: at most two (one primary action, and
/// perhaps a sitting). `lang` picks, among several drafts, the one in the viewer's language.
pub fn next_steps(page: &ProcessPage, lang: &str) -> Vec<NextStep> {
    let phase = page.process.phase;
    let frozen = |d: &Draft| page.decisions.iter().any(|dec| dec.draft == d.id);
    // The draft in the viewer's language if there is one, else the first.
    let pick = |open: &dyn Fn(&Draft) -> bool| {
        let open: Vec<&Draft> = page.drafts.iter().filter(|d| open(d)).collect();
        open.iter()
            .find(|d| d.language == lang)
            .or(open.first())
            .map(|d| d.id)
    };
    let mut steps = Vec::new();
    if page.own_comments.iter().any(|c| c.answer.is_some()) {
        steps.push(NextStep::SeeAnswers);
    }
    let pending = page.decisions.iter().find(|d| d.published_at.is_none());
    if let Some(decision) = pending.filter(|_| may(page, Action::AnswerComments)) {
        steps.push(NextStep::Answer {
            decision: decision.id,
            vote: may(page, Action::VoteOnDecision),
        });
    } else if may(page, Action::FreezeDraft) && page.drafts.iter().any(|d| !frozen(d)) {
        steps.push(NextStep::Freeze);
    }
    if let Some(decision) = page.decisions.iter().find(|d| d.published_at.is_some())
        && may(page, Action::PostFollowUp)
    {
        steps.push(NextStep::FollowUp {
            decision: decision.id,
        });
    }
    if may(page, Action::EditDraft)
        && let Some(draft) = pick(&|d| d.locked_at.is_none() && !frozen(d))
    {
        steps.push(NextStep::Write { draft });
    }
    // New threads on a frozen text would go unanswered: only drafts still open to them.
    if may(page, Action::Comment)
        && let Some(draft) = pick(&|d| !frozen(d))
    {
        steps.push(NextStep::Comment { draft });
    }
    if !page.standing.signed_in
        && citizen().may(None, Action::Comment, phase)
        && page.drafts.iter().any(|d| !frozen(d))
    {
        steps.push(NextStep::SignIn);
    }
    steps.truncate(1);
    if let Some((sitting, take_part)) = &page.next_sitting {
        steps.push(NextStep::Sitting {
            sitting: sitting.id,
            starts_at: sitting.starts_at,
            open: sitting.state.stage == crate::domain::sitting::Stage::Open,
            take_part: *take_part,
        });
    }
    steps
}

/// Whether the viewer (`None`: anonymous) may shape a process in its phase now; an anonymous
/// visitor, whether a citizen who signs in could.
pub async fn open_to_viewer(cx: &RequestContext, process: &Process) -> AppResult<bool> {
    let standing = match &cx.viewer {
        Some(viewer) => cx.store.standing(process.id, Some(viewer.id)).await?,
        None => citizen(),
    };
    Ok(may_give_input(&standing, process.phase))
}

/// All processes, those open for input first, then upcoming, then deciding, then closed.
pub async fn list(cx: &RequestContext) -> AppResult<Vec<Process>> {
    let mut processes = cx.store.processes().await?;
    processes.sort_by_key(|p| (list_rank(p.phase), -p.updated_at));
    Ok(processes)
}

fn list_rank(phase: Phase) -> u8 {
    match phase {
        Phase::Drafting | Phase::PublicComment | Phase::Deliberation => 0,
        Phase::Framing => 1,
        Phase::Decision | Phase::FollowUp => 2,
        Phase::Closed => 3,
    }
}

/// One process with its participants and the viewer's standing.
pub async fn page(cx: &RequestContext, id: ProcessId) -> AppResult<ProcessPage> {
    let process = cx.store.process(id).await?.ok_or(AppError::NotFound)?;
    let viewer = cx.viewer.as_ref().map(|p| p.id);
    let (participants, standing, events) = (
        cx.store.participants(id).await?,
        cx.store.standing(id, viewer).await?,
        cx.store.events(id, 50).await?,
    );
    let acting_options = super::organisations::speaking_options(cx.store.as_ref(), viewer).await?;
    let drafts = cx.store.drafts(id).await?;
    let sittings = cx.store.sittings(id).await?;
    let decisions = cx.store.decisions(Some(id)).await?;
    let own_comments = match viewer {
        Some(person) => cx.store.own_comments(person, Some(id)).await?,
        None => Vec::new(),
    };
    let mut next_sitting = None;
    let mut coming: Vec<&Sitting> = sittings
        .iter()
        .filter(|s| s.state.stage != crate::domain::sitting::Stage::Closed)
        .collect();
    coming.sort_by_key(|s| {
        (
            s.state.stage != crate::domain::sitting::Stage::Open,
            s.starts_at,
        )
    });
    for sitting in coming {
        if super::sittings::may_watch(cx.store.as_ref(), sitting, viewer).await? {
            let take_part = standing.may(None, Action::RunSitting, process.phase)
                || standing.may(None, Action::SpeakInSitting, process.phase)
                || acting_options
                    .iter()
                    .any(|o| sitting.invited.contains(&o.id));
            next_sitting = Some((sitting.clone(), take_part));
            break;
        }
    }
    Ok(ProcessPage {
        process,
        participants,
        standing,
        acting_options,
        events,
        drafts,
        sittings,
        decisions,
        own_comments,
        next_sitting,
        budget: cx.store.budget_of_process(id).await?,
    })
}

/// The acting person, speaking for the organisation chosen in the form (if any).
fn actor(cx: &RequestContext, form: &Form) -> AppResult<Actor> {
    let person = cx.viewer()?.id;
    Ok(Actor {
        person,
        acting_for: form.acting_for()?,
    })
}

/// Replaces the rules of engagement (mediators and administrators).
pub async fn edit_rules(cx: &RequestContext, id: ProcessId, form: &Form) -> AppResult<()> {
    let actor = actor(cx, form)?;
    let process = cx.store.process(id).await?.ok_or(AppError::NotFound)?;
    let rules = form.localized("rules", &process.fields.languages);
    let first = &process.fields.languages[0];
    if rules.get(first).is_none() {
        return Err(AppError::invalid(
            &format!("rules.{first}"),
            Msg::ErrorRequired,
        ));
    }
    check_texts(
        &process.fields.languages,
        &process.fields.title,
        &[("rules", &rules)],
    )
    .map_err(AppError::Invalid)?;
    cx.store
        .set_rules(actor, id, rules, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Moves the process to the phase named in the `phase` field.
pub async fn change_phase(cx: &RequestContext, id: ProcessId, form: &Form) -> AppResult<()> {
    let actor = actor(cx, form)?;
    let phase = form.choice("phase", Phase::from_code)?;
    cx.store
        .set_phase(actor, id, phase, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Reads the process form shared by "new process" and "edit process".
pub fn parse_fields(form: &Form) -> AppResult<ProcessFields> {
    let mut errors = Vec::new();
    let languages: Vec<String> = form
        .text("languages")
        .split([',', ' '])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let unique: std::collections::HashSet<&String> = languages.iter().collect();
    let level = form
        .choice("level", Level::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let mut schedule = Vec::new();
    for phase in Phase::ALL {
        let start_field = format!("phase.{}.starts_on", phase.code());
        let end_field = format!("phase.{}.ends_on", phase.code());
        let (start, end) = (form.text(&start_field).trim(), form.text(&end_field).trim());
        if start.is_empty() && end.is_empty() {
            continue;
        }
        match (Day::parse(start), Day::parse(end)) {
            (Some(starts_on), Some(ends_on)) => schedule.push(PhaseDates {
                phase,
                starts_on,
                ends_on,
            }),
            (None, _) => errors.push(FieldError::new(&start_field, Msg::ErrorDate)),
            (_, None) => errors.push(FieldError::new(&end_field, Msg::ErrorDate)),
        }
    }
    if let Err(e) = check_schedule(&schedule) {
        errors.push(e);
    }
    let fields = ProcessFields {
        title: form.localized("title", &languages),
        summary: form.localized("summary", &languages),
        level: level.unwrap_or(Level::Local),
        languages: languages.clone(),
        rules: form.localized("rules", &languages),
        who_decides: form.localized("who_decides", &languages),
        legal_basis: form.localized("legal_basis", &languages),
        input_outcome: form.localized("input_outcome", &languages),
        schedule,
    };
    if unique.len() != languages.len() {
        errors.push(FieldError::new("languages", Msg::ErrorChoice));
    }
    if let Err(mut text_errors) = check_texts(
        &fields.languages,
        &fields.title,
        &[
            ("summary", &fields.summary),
            ("rules", &fields.rules),
            ("who_decides", &fields.who_decides),
            ("legal_basis", &fields.legal_basis),
            ("input_outcome", &fields.input_outcome),
        ],
    ) {
        errors.append(&mut text_errors);
    }
    collect(errors)?;
    Ok(fields)
}

/// Opens a new process (administrators).
pub async fn create(cx: &RequestContext, form: &Form) -> AppResult<ProcessId> {
    let viewer = cx.viewer()?;
    if !site_may(true, viewer.site_admin, SiteAction::CreateProcess) {
        return Err(AppError::Forbidden(Msg::ErrorAdminsOnly));
    }
    let fields = parse_fields(form)?;
    cx.store
        .create_process(
            Actor {
                person: viewer.id,
                acting_for: None,
            },
            fields,
            cx.now,
        )
        .await
        .map(|written| cx.publish(written))
}

/// Replaces a process's details (administrators).
pub async fn update(cx: &RequestContext, id: ProcessId, form: &Form) -> AppResult<()> {
    let actor = actor(cx, form)?;
    let fields = parse_fields(form)?;
    cx.store
        .update_process(actor, id, fields, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Gives an organisation a role in the process, or removes it (`role` = `none`).
pub async fn set_org_role(cx: &RequestContext, id: ProcessId, form: &Form) -> AppResult<()> {
    let actor = actor(cx, form)?;
    let org: OrgId = form.choice("org", |s| s.parse().ok())?;
    let role = match form.text("role").trim() {
        "none" => None,
        code => Some(form.choice("role", |_| OrgRole::from_code(code))?),
    };
    cx.store
        .set_org_role(actor, id, org, role, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Assigns (`assigned` = `true`) or withdraws a mediator or council member, chosen by email.
pub async fn set_person_role(cx: &RequestContext, id: ProcessId, form: &Form) -> AppResult<()> {
    let actor = actor(cx, form)?;
    // Refuse before looking the email up, or anyone could learn which emails have accounts.
    crate::api::admin::require_admin(cx)?;
    let role = form.choice("role", PersonalRole::from_code)?;
    let assigned = form.text("assigned") != "false";
    let person: PersonId = match form.text("person").trim().parse() {
        Ok(id) => id,
        Err(_) => {
            let email = crate::domain::account::normalize_email(form.text("email"))?;
            cx.store
                .person_by_email(&email)
                .await?
                .ok_or_else(|| AppError::invalid("email", Msg::ErrorNoSuchPerson))?
                .id
        }
    };
    cx.store
        .set_person_role(actor, id, person, role, assigned, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// What a citizen-facing page needs to show a localized text: the text and its language.
pub fn shown(
    cx: &RequestContext,
    process: &Process,
    text: &Localized,
) -> crate::domain::localized::Shown {
    text.pick(cx.lang.code(), &process.fields.languages)
}

/// Whether the viewer may take `action` now, in some capacity.
pub fn may(page: &ProcessPage, action: Action) -> bool {
    page.standing.may_somehow(action, page.process.phase)
}
