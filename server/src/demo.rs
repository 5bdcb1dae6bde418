//! The demo: a realistic consultation drawn from the UN public-administration papers in
//! shared/seeds, in English and Chinese, with organisations of every kind and one account per
//! role. Loaded only into an empty database, through the same store use cases as real work.

use crate::collab::doc::DraftDoc;
use app::api::account::hash_password;
use app::domain::comments::{ModerationAction, Reason, Stance, locate_quote};
use app::domain::hex;
use app::domain::localized::Localized;
use app::domain::org::OrgKind;
use app::domain::process::{Day, Level, PhaseDates};
use app::domain::roles::{OrgRole, PersonalRole, Phase};
use app::error::{AppError, AppResult};
use app::ids::{CommentId, DraftId, OrgId, PersonId};
use app::model::{
    Actor, Anchor, ModerationRequest, NewComment, NewDraft, NewOrganisation, NewPerson, Passage,
    ProcessFields,
};
use app::ssr::Store;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The password every demo account shares.
pub const DEMO_PASSWORD: &str = "baraza-demo";

mod budgets;

const CONTENT: &str = include_str!("demo/content.json");

#[derive(Deserialize)]
struct Content {
    organisations: Vec<OrgSeed>,
    people: Vec<PersonSeed>,
    processes: Vec<ProcessSeed>,
}

#[derive(Deserialize)]
struct OrgSeed {
    key: String,
    kind: String,
    name: BTreeMap<String, String>,
    description: BTreeMap<String, String>,
    verified: bool,
}

#[derive(Deserialize)]
struct PersonSeed {
    email: String,
    display_name: String,
    language: String,
    site_admin: bool,
    organisations: Vec<String>,
}

#[derive(Deserialize)]
struct PhaseSeed {
    phase: String,
    starts_in_days: i64,
    ends_in_days: i64,
}

#[derive(Deserialize)]
struct ProcessTexts {
    title: String,
    summary: String,
    rules: String,
    who_decides: String,
    legal_basis: String,
    input_outcome: String,
}

#[derive(Deserialize)]
struct OrgRoleSeed {
    org: String,
    role: String,
}

#[derive(Deserialize)]
struct PersonRoleSeed {
    email: String,
    role: String,
}

#[derive(Deserialize)]
struct SectionSeed {
    author: String,
    org: String,
    text: String,
}

#[derive(Deserialize)]
struct HiddenSeed {
    by: String,
    reason: String,
    note: String,
}

#[derive(Deserialize)]
struct CommentSeed {
    author: String,
    #[serde(default)]
    org: Option<String>,
    /// Words of the draft the comment is about (the first occurrence); none for the whole draft.
    #[serde(default)]
    quote: Option<String>,
    stance: String,
    body: String,
    #[serde(default)]
    replies: Vec<CommentSeed>,
    #[serde(default)]
    hidden: Option<HiddenSeed>,
}

#[derive(Deserialize)]
struct DraftSeed {
    title: String,
    language: String,
    summary: String,
    sections: Vec<SectionSeed>,
    #[serde(default)]
    comments: Vec<CommentSeed>,
}

#[derive(Deserialize)]
struct ProcessSeed {
    /// How the demo's code refers to it (the sittings).
    key: String,
    level: String,
    languages: Vec<String>,
    current_phase: String,
    phases: Vec<PhaseSeed>,
    texts: BTreeMap<String, ProcessTexts>,
    organisations: Vec<OrgRoleSeed>,
    people: Vec<PersonRoleSeed>,
    #[serde(default)]
    drafts: Vec<DraftSeed>,
}

/// A demo account, for the start-up banner and the README.
pub struct DemoLogin {
    pub email: String,
    pub role: &'static str,
}

fn bad(what: &str) -> AppError {
    tracing::error!(what, "the demo content is inconsistent");
    AppError::Internal
}

fn localized(texts: &BTreeMap<String, ProcessTexts>, pick: fn(&ProcessTexts) -> &str) -> Localized {
    Localized(
        texts
            .iter()
            .map(|(lang, t)| (lang.clone(), pick(t).to_string()))
            .collect(),
    )
}

/// The demo accounts, with the part each plays.
pub fn logins() -> Vec<DemoLogin> {
    let content: Content = match serde_json::from_str(CONTENT) {
        Ok(content) => content,
        Err(_) => return Vec::new(),
    };
    content
        .people
        .iter()
        .map(|p| DemoLogin {
            email: p.email.clone(),
            role: match p.email.split('@').next().unwrap_or("") {
                "admin" => "site administrator",
                "mediator" => "mediator",
                "moderator" => "comment moderator",
                c if c.starts_with("council") => "council member",
                "citizen" => "citizen",
                "gov" => "co-drafter, government body",
                "civil" => "co-drafter, civil society",
                "informal" => "co-drafter, informal institution",
                "academia" => "co-drafter, academia",
                "business" => "co-drafter, private sector",
                _ if p.organisations.is_empty() => "citizen",
                _ => "organisation member",
            },
        })
        .collect()
}

/// Loads the demo into `store`, dating the phases around `now`.
pub async fn load(store: &dyn Store, now: i64) -> AppResult<()> {
    let content: Content =
        serde_json::from_str(CONTENT).map_err(|_| bad("content.json does not parse"))?;
    // One hash for all demo accounts: they share a password, and hashing is slow by design.
    let hash = hash_password(DEMO_PASSWORD)?;

    let mut people: HashMap<String, PersonId> = HashMap::new();
    for seed in &content.people {
        let id = store
            .create_person(
                NewPerson {
                    email: seed.email.clone(),
                    display_name: seed.display_name.clone(),
                    password_hash: hash.clone(),
                    language: seed.language.clone(),
                    site_admin: seed.site_admin,
                },
                now,
                // The demo's accounts count as confirmed.
                None,
            )
            .await?;
        people.insert(seed.email.clone(), id);
    }
    let admin = content
        .people
        .iter()
        .find(|p| p.site_admin)
        .and_then(|p| people.get(&p.email).copied())
        .ok_or_else(|| bad("no administrator"))?;

    let mut orgs: HashMap<String, OrgId> = HashMap::new();
    for seed in &content.organisations {
        let kind = OrgKind::from_code(&seed.kind).ok_or_else(|| bad("organisation kind"))?;
        let new = NewOrganisation {
            name: Localized(seed.name.clone()),
            description: Localized(seed.description.clone()),
            kind,
        };
        let id = store
            .create_organisation(new, admin, now)
            .await?
            .unpublished();
        // The administrator registered it but is not one of its members.
        store
            .set_membership(admin, id, admin, false, now)
            .await?
            .unpublished();
        if seed.verified {
            store
                .verify_organisation(admin, id, now)
                .await?
                .unpublished();
        }
        orgs.insert(seed.key.clone(), id);
    }
    for seed in &content.people {
        for key in &seed.organisations {
            let org = *orgs
                .get(key)
                .ok_or_else(|| bad("membership names an unknown organisation"))?;
            store
                .set_membership(admin, org, people[&seed.email], true, now)
                .await?
                .unpublished();
        }
    }

    let today = now.div_euclid(86_400_000);
    let mut processes: HashMap<String, app::ids::ProcessId> = HashMap::new();
    let as_admin = Actor {
        person: admin,
        acting_for: None,
    };
    for seed in &content.processes {
        let schedule = seed
            .phases
            .iter()
            .map(|p| {
                Ok(PhaseDates {
                    phase: Phase::from_code(&p.phase).ok_or_else(|| bad("phase"))?,
                    starts_on: Day::from_unix_days(today + p.starts_in_days),
                    ends_on: Day::from_unix_days(today + p.ends_in_days),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let fields = ProcessFields {
            title: localized(&seed.texts, |t| &t.title),
            summary: localized(&seed.texts, |t| &t.summary),
            level: Level::from_code(&seed.level).ok_or_else(|| bad("level"))?,
            languages: seed.languages.clone(),
            rules: localized(&seed.texts, |t| &t.rules),
            who_decides: localized(&seed.texts, |t| &t.who_decides),
            legal_basis: localized(&seed.texts, |t| &t.legal_basis),
            input_outcome: localized(&seed.texts, |t| &t.input_outcome),
            schedule,
        };
        let process = store
            .create_process(as_admin, fields, now)
            .await?
            .unpublished();
        processes.insert(seed.key.clone(), process);
        for role in &seed.organisations {
            let org = *orgs
                .get(&role.org)
                .ok_or_else(|| bad("process names an unknown organisation"))?;
            let kind = OrgRole::from_code(&role.role).ok_or_else(|| bad("organisation role"))?;
            store
                .set_org_role(as_admin, process, org, Some(kind), now)
                .await?
                .unpublished();
        }
        for role in &seed.people {
            let person = *people
                .get(&role.email)
                .ok_or_else(|| bad("process names an unknown person"))?;
            let kind = PersonalRole::from_code(&role.role).ok_or_else(|| bad("personal role"))?;
            store
                .set_person_role(as_admin, process, person, kind, true, now)
                .await?
                .unpublished();
        }
        let mediator = seed
            .people
            .iter()
            .find(|p| p.role == "mediator")
            .and_then(|p| people.get(&p.email).copied())
            .unwrap_or(admin);
        let mut written = Vec::new();
        for draft in &seed.drafts {
            written.push(load_draft(store, process, mediator, draft, &people, &orgs, now).await?);
        }
        let phase = Phase::from_code(&seed.current_phase).ok_or_else(|| bad("current phase"))?;
        // Comments come once the process is in the phase they belong to: public comment, for a
        // process already past it.
        let has_comments = seed.drafts.iter().any(|d| !d.comments.is_empty());
        let commenting = if has_comments && phase > Phase::PublicComment {
            Phase::PublicComment
        } else {
            phase
        };
        store
            .set_phase(as_admin, process, commenting, now)
            .await?
            .unpublished();
        for (draft, (id, doc)) in seed.drafts.iter().zip(&written) {
            for comment in &draft.comments {
                let who = Who {
                    people: &people,
                    orgs: &orgs,
                };
                load_comment(store, *id, doc, comment, None, &who, now).await?;
            }
        }
        if commenting != phase {
            store
                .set_phase(as_admin, process, phase, now)
                .await?
                .unpublished();
        }
    }
    let who = Who {
        people: &people,
        orgs: &orgs,
    };
    load_sittings(store, &processes, &who, now).await?;
    budgets::load(store, &processes, &people, now).await
}

/// Two sittings: a hearing on the national strategy, scheduled for tomorrow and open to the
/// public; and the charter's first round table, held last week, whose record shows the speaking
/// balance, a consent poll, outcomes and minutes.
async fn load_sittings(
    store: &dyn Store,
    processes: &HashMap<String, app::ids::ProcessId>,
    who: &Who<'_>,
    now: i64,
) -> AppResult<()> {
    use app::domain::sitting::{Answer, Command, OutcomeKind, PollKind};
    use app::model::{AgendaItem, NewSitting};
    let person = |email: &str| {
        who.people
            .get(email)
            .copied()
            .ok_or_else(|| bad("sitting person"))
    };
    let org = |key: &str| {
        who.orgs
            .get(key)
            .copied()
            .ok_or_else(|| bad("sitting organisation"))
    };
    let process = |key: &str| {
        processes
            .get(key)
            .copied()
            .ok_or_else(|| bad("sitting process"))
    };
    let mediator = Actor {
        person: person("mediator@demo.baraza")?,
        acting_for: None,
    };
    let day = 86_400_000;
    let tomorrow_at_ten = (now.div_euclid(day) + 1) * day + 10 * 3_600_000;
    let strategy = process("digital-public-workforce-strategy")?;
    let strategy_draft = store.drafts(strategy).await?.first().map(|d| d.id);
    store
        .create_sitting(
            mediator,
            strategy,
            NewSitting {
                title: "Public hearing: e-participation and the workforce".into(),
                starts_at: tomorrow_at_ten,
                place: "Ministry annex, hall B — and online at https://meet.example.org/strategy-hearing".into(),
                public: true,
                turn_seconds: 180,
                agenda: vec![
                    AgendaItem {
                        text: "Opening: what the draft proposes, and what public comment said so far".into(),
                        draft: strategy_draft,
                        thread: None,
                    },
                    AgendaItem {
                        text: "Training civil servants for participatory work".into(),
                        draft: None,
                        thread: None,
                    },
                    AgendaItem {
                        text: "Reaching people offline: elders, unions, market vendors".into(),
                        draft: None,
                        thread: None,
                    },
                ],
                invited: vec![org("ministry")?, org("institute")?, org("digitalbiz")?, org("union")?, org("opendata")?, org("elders")?],
                note_takers: vec![person("civil@demo.baraza")?],
            },
            now,
        )
        .await?
        .unpublished();

    // The round table, a week ago, run command by command as it happened.
    let charter = process("kalden-participation-charter")?;
    let held = (now.div_euclid(day) - 7) * day + 14 * 3_600_000;
    let id = store
        .create_sitting(
            mediator,
            charter,
            NewSitting {
                title: "Round table: who speaks for the lakeshore wards?".into(),
                starts_at: held,
                place: "Lakeshore community hall".into(),
                public: true,
                turn_seconds: 240,
                agenda: vec![
                    AgendaItem {
                        text: "Customary authorities in the charter's consultation duty".into(),
                        draft: store.drafts(charter).await?.first().map(|d| d.id),
                        thread: None,
                    },
                    AgendaItem {
                        text: "Meeting times that working people can attend".into(),
                        draft: None,
                        thread: None,
                    },
                ],
                invited: vec![
                    org("city")?,
                    org("opendata")?,
                    org("elders")?,
                    org("union")?,
                    org("residents")?,
                ],
                note_takers: vec![],
            },
            held,
        )
        .await?
        .unpublished();
    let speakers = [
        ("informal@demo.baraza", "elders"),
        ("gov@demo.baraza", "city"),
        ("civil@demo.baraza", "opendata"),
        ("chen.jing@demo.baraza", "union"),
    ];
    let mut actors = Vec::new();
    for (email, key) in speakers {
        let p = person(email)?;
        store.accept_rules(p, charter, held).await?.unpublished();
        actors.push(Actor {
            person: p,
            acting_for: Some(org(key)?),
        });
    }
    let minute = 60_000;
    let mut at = held;
    let mut run = |actor: Actor, command: Command, after: i64| {
        at += after;
        (actor, command, at)
    };
    let script = vec![
        run(mediator, Command::Open, 0),
        run(actors[1], Command::Attend, minute),
        run(actors[2], Command::Attend, 0),
        run(actors[3], Command::Attend, 0),
        run(actors[0], Command::Attend, 0),
        run(actors[1], Command::RaiseHand, minute),
        run(actors[0], Command::RaiseHand, 0),
        run(mediator, Command::GiveFloor { person: actors[1].person }, minute),
        run(actors[2], Command::RaiseHand, minute),
        // The elders waited longest and had not been heard: the chair moves them up.
        run(mediator, Command::MoveUp { person: actors[0].person }, 3 * minute),
        run(mediator, Command::GiveFloor { person: actors[0].person }, 0),
        run(mediator, Command::GiveFloor { person: actors[2].person }, 5 * minute),
        run(mediator, Command::EndTurn, 3 * minute),
        run(
            mediator,
            Command::OpenPoll {
                question: "Should the charter name customary authorities among the bodies the city must consult?".into(),
                kind: PollKind::Consent,
                per_organisation: true,
                names_shown: true,
            },
            minute,
        ),
        run(actors[0], Command::Vote { answer: Answer::Agree }, minute),
        run(actors[1], Command::Vote { answer: Answer::StandAside }, 0),
        run(actors[2], Command::Vote { answer: Answer::Agree }, 0),
        run(actors[3], Command::Vote { answer: Answer::Object { reason: "Only if unions are named alongside them.".into() } }, 0),
        run(mediator, Command::ClosePoll, minute),
        run(
            mediator,
            Command::RecordOutcome {
                kind: OutcomeKind::Agreement,
                text: "The consultation duty will name customary authorities and community bodies.".into(),
            },
            minute,
        ),
        run(
            mediator,
            Command::RecordOutcome {
                kind: OutcomeKind::Disagreement,
                text: "Whether unions are listed by name or as workers' organisations.".into(),
            },
            0,
        ),
        run(mediator, Command::SetItem { item: 1 }, minute),
        run(actors[3], Command::RaiseHand, minute),
        run(mediator, Command::GiveFloor { person: actors[3].person }, 0),
        run(mediator, Command::EndTurn, 4 * minute),
        run(
            mediator,
            Command::RecordOutcome {
                kind: OutcomeKind::Action,
                text: "City Hall drafts evening and weekend meeting times for the next round.".into(),
            },
            minute,
        ),
    ];
    for (actor, command, at) in script {
        if let Err(refusal) = store
            .command_sitting(id, actor, command, at)
            .await?
            .unpublished()
        {
            return Err(bad(&format!("demo sitting: {refusal}")));
        }
    }
    // The minutes, written by the chair before closing.
    let minutes = store
        .sitting(id)
        .await?
        .ok_or_else(|| bad("demo sitting"))?
        .minutes;
    let text = "Present: City Hall, Open Data Kalden, the Council of Elders, the Public Service Workers' Union.\n\
Item 1. The elders asked that customary authorities be consulted by name; the city agreed in principle. The union objected unless unions are named too; left open.\n\
Item 2. Evening and weekend sittings were asked for by the union; City Hall will propose times.";
    let updates = crate::collab::doc::compose(&[(900, text)]).map_err(|_| bad("minutes"))?;
    store.bind_draft_client(minutes, 900, mediator).await?;
    let stored: Vec<_> = updates.into_iter().map(|u| (mediator, u)).collect();
    store.append_draft_updates(minutes, 1, &stored, at).await?;
    if let Err(refusal) = store
        .command_sitting(
            id,
            mediator,
            Command::Close { confirmed: true },
            at + minute,
        )
        .await?
        .unpublished()
    {
        return Err(bad(&format!("demo sitting: {refusal}")));
    }
    Ok(())
}

/// The demo's people and organisations by key.
struct Who<'a> {
    people: &'a HashMap<String, PersonId>,
    orgs: &'a HashMap<String, OrgId>,
}

/// Posts a demo comment (anchored to its quote, as a browser would) and its replies.
fn load_comment<'a>(
    store: &'a dyn Store,
    draft: DraftId,
    doc: &'a DraftDoc,
    seed: &'a CommentSeed,
    parent: Option<CommentId>,
    who: &'a Who<'a>,
    now: i64,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<()>> + Send + 'a>> {
    Box::pin(async move {
        let person = *who
            .people
            .get(&seed.author)
            .ok_or_else(|| bad("comment author"))?;
        let acting_for = match &seed.org {
            Some(key) => Some(
                *who.orgs
                    .get(key)
                    .ok_or_else(|| bad("comment organisation"))?,
            ),
            None => None,
        };
        let passage = match &seed.quote {
            Some(quote) => {
                let (start, end) = locate_quote(&doc.text(), quote, None)
                    .ok_or_else(|| bad("a demo quote is not in its draft"))?;
                let (first, last) = doc.anchor(start, end).ok_or_else(|| bad("demo anchor"))?;
                Some(Passage {
                    quote: quote.clone(),
                    anchor: Anchor {
                        start: hex::encode(&first),
                        end: hex::encode(&last),
                    },
                })
            }
            None => None,
        };
        let comment = store
            .create_comment(
                NewComment {
                    subject: app::model::Subject::Draft(draft),
                    parent,
                    author: Actor { person, acting_for },
                    pseudonym: None,
                    stance: Stance::from_code(&seed.stance).ok_or_else(|| bad("stance"))?,
                    body: seed.body.clone(),
                    passage,
                },
                now,
            )
            .await?
            .unpublished();
        if let Some(hidden) = &seed.hidden {
            let by = *who.people.get(&hidden.by).ok_or_else(|| bad("moderator"))?;
            let request = ModerationRequest {
                comment: comment.id,
                action: ModerationAction::Hidden,
                reason: Reason::from_code(&hidden.reason).ok_or_else(|| bad("reason"))?,
                note: hidden.note.clone(),
            };
            store
                .moderate_comment(by, request, now)
                .await?
                .unpublished();
        }
        for reply in &seed.replies {
            load_comment(store, draft, doc, reply, Some(comment.id), who, now).await?;
        }
        Ok(())
    })
}

/// Creates a draft and writes its sections, each by its author speaking for their organisation,
/// under a Yjs client id of their own, so the demo's attribution is real. Returns the draft and
/// its document (for anchoring the demo's comments).
async fn load_draft(
    store: &dyn Store,
    process: app::ids::ProcessId,
    mediator: PersonId,
    seed: &DraftSeed,
    people: &HashMap<String, PersonId>,
    orgs: &HashMap<String, OrgId>,
    now: i64,
) -> AppResult<(DraftId, DraftDoc)> {
    let new = NewDraft {
        title: seed.title.clone(),
        language: seed.language.clone(),
        summary: seed.summary.clone(),
        first_text: None,
    };
    let draft = store
        .create_draft(
            Actor {
                person: mediator,
                acting_for: None,
            },
            process,
            new,
            now,
        )
        .await?
        .unpublished();
    let mut authors: Vec<Actor> = Vec::new();
    let mut sections: Vec<(u64, &str)> = Vec::new();
    let mut section_authors: Vec<Actor> = Vec::new();
    for section in &seed.sections {
        let person = *people
            .get(&section.author)
            .ok_or_else(|| bad("draft author"))?;
        let org = *orgs
            .get(&section.org)
            .ok_or_else(|| bad("draft organisation"))?;
        let author = Actor {
            person,
            acting_for: Some(org),
        };
        let index = authors
            .iter()
            .position(|a| *a == author)
            .unwrap_or_else(|| {
                authors.push(author);
                authors.len() - 1
            });
        // Demo client ids are small and fixed (one per author in this draft); live clients pick
        // random ones.
        sections.push((1_000 + index as u64, section.text.as_str()));
        section_authors.push(author);
    }
    let mut updates = crate::collab::doc::compose(&sections).map_err(|_| bad("draft text"))?;
    let written = sections.iter().zip(&updates).zip(&section_authors);
    let mut stored = Vec::new();
    for (((client, _), update), author) in written {
        store.bind_draft_client(draft, *client, *author).await?;
        stored.push((*author, update.clone()));
    }
    // The demo's texts are written as plain text ("Chapter 1.", "1.1 ..."); the first author
    // then gives them their structure, as an old draft gets it (collab::legacy).
    let plain =
        DraftDoc::load(None, updates.iter().map(Vec::as_slice)).map_err(|_| bad("draft text"))?;
    let edits = app::domain::document::legacy::structure(&plain.text());
    let structured = plain
        .edit_as(1_000, |body, txn| {
            app::domain::document::yjs::apply_edits(body, txn, &edits)
        })
        .map_err(|_| bad("draft structure"))?;
    if let (Some(update), Some(first)) = (structured, section_authors.first()) {
        stored.push((*first, update.clone()));
        updates.push(update);
    }
    store.append_draft_updates(draft, 1, &stored, now).await?;
    let doc =
        DraftDoc::load(None, updates.iter().map(Vec::as_slice)).map_err(|_| bad("draft text"))?;
    Ok((draft, doc))
}
