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
        let id = store.create_organisation(new, admin, now).await?;
        // The administrator registered it but is not one of its members.
        store.set_membership(admin, id, admin, false, now).await?;
        if seed.verified {
            store.verify_organisation(admin, id, now).await?;
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
                .await?;
        }
    }

    let today = now.div_euclid(86_400_000);
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
        let process = store.create_process(as_admin, fields, now).await?;
        for role in &seed.organisations {
            let org = *orgs
                .get(&role.org)
                .ok_or_else(|| bad("process names an unknown organisation"))?;
            let kind = OrgRole::from_code(&role.role).ok_or_else(|| bad("organisation role"))?;
            store
                .set_org_role(as_admin, process, org, Some(kind), now)
                .await?;
        }
        for role in &seed.people {
            let person = *people
                .get(&role.email)
                .ok_or_else(|| bad("process names an unknown person"))?;
            let kind = PersonalRole::from_code(&role.role).ok_or_else(|| bad("personal role"))?;
            store
                .set_person_role(as_admin, process, person, kind, true, now)
                .await?;
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
        store.set_phase(as_admin, process, phase, now).await?;
        // Comments come once the process is in the phase they belong to.
        for (draft, (id, doc)) in seed.drafts.iter().zip(&written) {
            for comment in &draft.comments {
                let who = Who {
                    people: &people,
                    orgs: &orgs,
                };
                load_comment(store, *id, doc, comment, None, &who, now).await?;
            }
        }
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
                    draft,
                    parent,
                    author: Actor { person, acting_for },
                    pseudonym: None,
                    stance: Stance::from_code(&seed.stance).ok_or_else(|| bad("stance"))?,
                    body: seed.body.clone(),
                    passage,
                },
                now,
            )
            .await?;
        if let Some(hidden) = &seed.hidden {
            let by = *who.people.get(&hidden.by).ok_or_else(|| bad("moderator"))?;
            let request = ModerationRequest {
                comment: comment.id,
                action: ModerationAction::Hidden,
                reason: Reason::from_code(&hidden.reason).ok_or_else(|| bad("reason"))?,
                note: hidden.note.clone(),
            };
            store.moderate_comment(by, request, now).await?;
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
        .await?;
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
    let updates = crate::collab::doc::compose(&sections).map_err(|_| bad("draft text"))?;
    let written = sections.iter().zip(&updates).zip(&section_authors);
    for (seq, (((client, _), update), author)) in written.enumerate() {
        store.bind_draft_client(draft, *client, *author).await?;
        store
            .append_draft_update(draft, seq as i64 + 1, *author, update, now)
            .await?;
    }
    let doc =
        DraftDoc::load(None, updates.iter().map(Vec::as_slice)).map_err(|_| bad("draft text"))?;
    Ok((draft, doc))
}
