//! Sittings: scheduling one, the sitting's page (live console, participant window, observer view
//! or record, by who is looking), accepting the rules of engagement, and commands sent without
//! JavaScript. The live channel (`server::collab::sittings`) uses the same store calls.

use super::form::{Form, collect};
use crate::domain::process::Day;
use crate::domain::roles::Action;
use crate::domain::sitting::{self, Command, Refusal, Seat, Stage};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::ids::{CommentId, DraftId, OrgId, PersonId, ProcessId, SittingId};
use crate::model::*;
use crate::ssr::changes::publish;
use crate::ssr::{Live, RequestContext, Store};
use std::collections::BTreeMap;

/// The longest sitting title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest place or link, in characters.
pub const MAX_PLACE: usize = 500;
/// How many agenda rows the scheduling form offers.
pub const AGENDA_ROWS: usize = 8;
/// The longest turn a mediator may set, in minutes.
pub const MAX_TURN_MINUTES: u32 = 30;

/// Everything the scheduling form offers to choose from.
#[derive(Clone, Debug)]
pub struct ScheduleForm {
    pub process: Process,
    /// Drafts an agenda item may point at.
    pub drafts: Vec<Draft>,
    /// Comment threads an agenda item may take up: (draft, thread, its opening words).
    pub threads: Vec<(DraftId, CommentId, String)>,
    /// Verified organisations that may be invited, the process's own first.
    pub organisations: Vec<Organisation>,
    /// People who may be asked to take notes: the process's people and its organisations' members.
    pub note_takers: Vec<(PersonId, String)>,
}

/// The scheduling form's choices, for mediators only.
pub async fn schedule_form(cx: &RequestContext, process: ProcessId) -> AppResult<ScheduleForm> {
    let viewer = cx.viewer()?.id;
    let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    let standing = cx.store.standing(process.id, Some(viewer)).await?;
    if !standing.may(None, Action::RunSitting, process.phase) {
        return Err(AppError::Forbidden(Msg::ErrorMediatorsOnly));
    }
    let drafts = cx.store.drafts(process.id).await?;
    let mut threads = Vec::new();
    for draft in &drafts {
        for comment in cx.store.comments(Subject::Draft(draft.id)).await? {
            if comment.parent.is_none()
                && comment.status == crate::domain::comments::Status::Visible
            {
                let opening: String = comment.body.chars().take(60).collect();
                threads.push((draft.id, comment.id, opening));
            }
        }
    }
    let participants = cx.store.participants(process.id).await?;
    let ours: Vec<OrgId> = participants
        .organisations
        .iter()
        .map(|o| o.org.id)
        .collect();
    let mut organisations: Vec<Organisation> = cx
        .store
        .organisations()
        .await?
        .into_iter()
        .filter(|o| o.verified_at.is_some())
        .collect();
    organisations.sort_by_key(|o| !ours.contains(&o.id));
    let mut note_takers: BTreeMap<PersonId, String> = participants
        .people
        .iter()
        .map(|p| (p.person, p.display_name.clone()))
        .collect();
    for org in &ours {
        for member in cx.store.members(*org).await? {
            note_takers.insert(member.person, member.display_name);
        }
    }
    Ok(ScheduleForm {
        process,
        drafts,
        threads,
        organisations,
        note_takers: note_takers.into_iter().collect(),
    })
}

/// Reads `YYYY-MM-DDTHH:MM` (an HTML `datetime-local` value, taken as UTC) as milliseconds.
pub fn parse_start(text: &str) -> Option<Millis> {
    let (date, time) = text.trim().split_once('T')?;
    let day = Day::parse(date)?;
    let (hours, minutes) = time.get(..5)?.split_once(':')?;
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    if !(0..24).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    Some(day.unix_days() * 86_400_000 + hours * 3_600_000 + minutes * 60_000)
}

/// Schedules a sitting from the form (mediators of the process).
pub async fn schedule(
    cx: &RequestContext,
    process: ProcessId,
    form: &Form,
) -> AppResult<SittingId> {
    let person = cx.viewer()?.id;
    let mut errors = Vec::new();
    let title = form
        .bounded("title", MAX_TITLE, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let place = form
        .bounded("place", MAX_PLACE, true)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let starts_at = match parse_start(form.text("starts_at")) {
        Some(at) => at,
        None => {
            errors.push(FieldError::new("starts_at", Msg::SittingErrorStart));
            0
        }
    };
    let turn_minutes = match form.text("turn_minutes").trim().parse::<u32>() {
        Ok(m) if (1..=MAX_TURN_MINUTES).contains(&m) => m,
        _ => {
            errors.push(FieldError::new("turn_minutes", Msg::SittingErrorTurn));
            3
        }
    };
    let mut agenda = Vec::new();
    for i in 0..AGENDA_ROWS {
        let text = match form.bounded(&format!("item.{i}.text"), sitting::MAX_TEXT, false) {
            Ok(text) => text,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let about = form.text(&format!("item.{i}.about")).trim();
        if text.is_empty() {
            if !about.is_empty() {
                errors.push(FieldError::new(
                    &format!("item.{i}.text"),
                    Msg::ErrorRequired,
                ));
            }
            continue;
        }
        let (draft, thread) = match about.split_once(':') {
            None if about.is_empty() => (None, None),
            Some(("draft", id)) => (id.parse().ok().map(DraftId), None),
            Some(("thread", pair)) => match pair.split_once(':') {
                Some((d, t)) => (d.parse().ok().map(DraftId), t.parse().ok().map(CommentId)),
                None => (None, None),
            },
            _ => (None, None),
        };
        if !about.is_empty() && draft.is_none() {
            errors.push(FieldError::new(
                &format!("item.{i}.about"),
                Msg::ErrorChoice,
            ));
            continue;
        }
        agenda.push(AgendaItem {
            text,
            draft,
            thread,
        });
    }
    if agenda.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("item.0.text", Msg::SittingErrorAgenda));
    }
    let picked = |prefix: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = form
            .fields
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, _)| k.strip_prefix(prefix)?.parse().ok())
            .collect();
        ids.sort_unstable();
        ids
    };
    let invited: Vec<OrgId> = picked("invite.").into_iter().map(OrgId).collect();
    if invited.is_empty() {
        errors.push(FieldError::new("invited", Msg::SittingErrorInvited));
    }
    let note_takers = picked("note_taker.").into_iter().map(PersonId).collect();
    collect(errors)?;
    let new = NewSitting {
        title,
        starts_at,
        place,
        public: !form.text("public").is_empty(),
        turn_seconds: turn_minutes * 60,
        agenda,
        invited,
        note_takers,
    };
    let actor = Actor {
        person,
        acting_for: None,
    };
    cx.store
        .create_sitting(actor, process, new, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Everything a sitting's page shows, for the person looking.
#[derive(Clone, Debug)]
pub struct SittingPage {
    pub process: Process,
    /// The sitting; its live state is the published one (no hidden voter's name in it).
    pub sitting: Sitting,
    /// What the viewer's own place is (from the full state).
    pub mine: sitting::Mine,
    pub seat: Seat,
    /// The invited organisation the viewer speaks for.
    pub acting_for: Option<OrgId>,
    /// The invited organisations the viewer belongs to (to choose whom they speak for).
    pub speak_options: Vec<Organisation>,
    /// The viewer could speak once they accept the process's rules of engagement.
    pub needs_rules: bool,
    /// The invited organisations, and those of everyone present, by id.
    pub organisations: BTreeMap<OrgId, Organisation>,
    /// The agenda items' links: (address, title) of the draft or thread each takes up.
    pub agenda_links: Vec<Option<(String, String)>>,
    pub minutes: LiveText,
    pub minutes_writable: bool,
    /// The note-takers' names.
    pub note_takers: Vec<String>,
}

/// Whether someone may watch a sitting: anyone if it is public or closed (its record is public),
/// else the process's mediators and council and the members of invited organisations.
pub async fn may_watch(
    store: &dyn Store,
    sitting: &Sitting,
    person: Option<PersonId>,
) -> AppResult<bool> {
    if sitting.public || sitting.state.stage == Stage::Closed {
        return Ok(true);
    }
    let Some(person) = person else {
        return Ok(false);
    };
    let standing = store.standing(sitting.process, Some(person)).await?;
    let phase = store
        .process(sitting.process)
        .await?
        .map(|p| p.phase)
        .ok_or(AppError::NotFound)?;
    if standing.may(None, Action::RunSitting, phase)
        || standing.may(None, Action::SpeakInSitting, phase)
    {
        return Ok(true);
    }
    let speaking = super::organisations::speaking_options(store, Some(person)).await?;
    Ok(speaking.iter().any(|o| sitting.invited.contains(&o.id)))
}

/// Loads a sitting of the process in the URL, if the viewer may see it.
async fn sitting_in(cx: &RequestContext, process: ProcessId, id: SittingId) -> AppResult<Sitting> {
    let sitting = cx
        .store
        .sitting(id)
        .await?
        .filter(|s| s.process == process)
        .ok_or(AppError::NotFound)?;
    let viewer = cx.viewer.as_ref().map(|p| p.id);
    if !may_watch(cx.store.as_ref(), &sitting, viewer).await? {
        return Err(if viewer.is_none() {
            AppError::Unauthenticated
        } else {
            AppError::Forbidden(Msg::SittingInvitedOnly)
        });
    }
    Ok(sitting)
}

/// The sitting's page for the viewer, speaking for `as_org` if they chose one.
pub async fn page(
    cx: &RequestContext,
    process: ProcessId,
    id: SittingId,
    as_org: Option<OrgId>,
) -> AppResult<SittingPage> {
    let mut sitting = sitting_in(cx, process, id).await?;
    let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    let viewer = cx.viewer.as_ref().map(|p| p.id);
    let speak_options: Vec<Organisation> =
        super::organisations::speaking_options(cx.store.as_ref(), viewer)
            .await?
            .into_iter()
            .filter(|o| sitting.invited.contains(&o.id))
            .collect();
    // Whom the viewer speaks for: the one asked for, else their only invited organisation.
    let acting_for = match as_org {
        Some(org) if speak_options.iter().any(|o| o.id == org) => Some(org),
        _ if speak_options.len() == 1 => Some(speak_options[0].id),
        _ => None,
    };
    let (seat, needs_rules, mine) = match &cx.viewer {
        Some(person) => {
            let actor = Actor {
                person: person.id,
                acting_for,
            };
            let who = cx.store.sitting_actor(id, actor).await?;
            let seat = if who.chair {
                Seat::Chair
            } else if who.speaker.is_some() {
                Seat::Speaker
            } else {
                Seat::Observer
            };
            let mine = sitting::mine(&sitting.state, who.speaker.as_ref());
            (seat, who.needs_rules, mine)
        }
        None => (Seat::Observer, false, sitting::Mine::default()),
    };
    let minutes_writable = match &cx.viewer {
        Some(person) => cx
            .store
            .draft_write_access(
                sitting.minutes,
                Actor {
                    person: person.id,
                    acting_for: None,
                },
            )
            .await?
            .is_ok(),
        None => false,
    };
    let mut organisations = BTreeMap::new();
    let wanted = sitting
        .invited
        .iter()
        .copied()
        .chain(sitting.state.present.iter().filter_map(|p| p.org));
    for org in wanted {
        if let std::collections::btree_map::Entry::Vacant(slot) = organisations.entry(org)
            && let Some(found) = cx.store.organisation(org).await?
        {
            slot.insert(found);
        }
    }
    let mut agenda_links = Vec::new();
    for item in &sitting.agenda {
        let link = match (item.draft, item.thread) {
            (Some(draft), thread) => cx.store.draft(draft).await?.map(|d| {
                let href = match thread {
                    Some(t) => format!("/processes/{}/drafts/{draft}/threads/{t}", d.process),
                    None => format!("/processes/{}/drafts/{draft}", d.process),
                };
                (href, d.title)
            }),
            _ => None,
        };
        agenda_links.push(link);
    }
    let mut note_takers = Vec::new();
    for id in &sitting.note_takers {
        if let Some(person) = cx.store.person(*id).await? {
            note_takers.push(person.display_name);
        }
    }
    let minutes = cx.live.text(sitting.minutes).await?;
    sitting.state = sitting.state.published();
    Ok(SittingPage {
        process,
        sitting,
        mine,
        seat,
        acting_for,
        speak_options,
        needs_rules,
        organisations,
        agenda_links,
        minutes,
        minutes_writable,
        note_takers,
    })
}

/// Records that the viewer accepts the rules of engagement of the sitting's process.
pub async fn accept_rules(
    cx: &RequestContext,
    process: ProcessId,
    id: SittingId,
    form: &Form,
) -> AppResult<()> {
    let person = cx.viewer()?.id;
    if form.text("accept").is_empty() {
        return Err(AppError::invalid("accept", Msg::SittingErrorAccept));
    }
    sitting_in(cx, process, id).await?;
    cx.store
        .accept_rules(person, process, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// Applies a command to a sitting as `actor` and publishes what it changed (its new state to
/// every viewer; when it closes, the end of its minutes' writing). The live channel and the forms
/// posted without JavaScript both come here. Returns the refusal, if any.
pub async fn command(
    store: &dyn Store,
    live: &dyn Live,
    id: SittingId,
    actor: Actor,
    command: Command,
    now: Millis,
) -> AppResult<Result<(), Refusal>> {
    let decided = publish(live, store.command_sitting(id, actor, command, now).await?);
    Ok(decided.map(|_| ()))
}

/// A command from a form posted without JavaScript, as the viewer speaking for `acting_for`.
pub fn command_from_form(form: &Form) -> Result<Command, Refusal> {
    Command::from_fields(|name| form.text(name).to_string())
}

/// Checks that the viewer may see the sitting, then says whom they act as for a command.
pub async fn commander(
    cx: &RequestContext,
    process: ProcessId,
    id: SittingId,
    form: &Form,
) -> AppResult<Actor> {
    let person = cx.viewer()?.id;
    sitting_in(cx, process, id).await?;
    Ok(Actor {
        person,
        acting_for: form.acting_for()?,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_start;

    #[test]
    fn start_times_are_read_as_utc_and_nonsense_is_not() {
        assert_eq!(
            parse_start("1970-01-02T01:30"),
            Some(86_400_000 + 90 * 60_000)
        );
        assert_eq!(
            parse_start(" 2026-12-03T09:30 "),
            parse_start("2026-12-03T09:30:00")
        );
        for bad in [
            "",
            "2026-12-03",
            "2026-12-03T24:00",
            "2026-12-03T09:60",
            "2026-02-30T10:00",
            "tomorrow",
        ] {
            assert_eq!(parse_start(bad), None, "{bad}");
        }
    }
}
