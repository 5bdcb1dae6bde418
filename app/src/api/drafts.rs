//! Drafts: the draft page, starting and locking drafts, named versions and their comparison.

use super::form::Form;
use crate::domain::document::{self, Run, compare::Compared};
use crate::domain::roles::{Action, Standing};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::ids::{DraftId, OrgId, ProcessId};
use crate::model::*;
use crate::ssr::RequestContext;
use std::collections::BTreeMap;

/// The longest draft title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest version name, in characters.
pub const MAX_VERSION_NAME: usize = 120;

/// One organisation's part of the current text.
#[derive(Clone, Debug)]
pub struct Share {
    /// `None` for text written by people speaking for themselves (or of unknown origin).
    pub org: Option<Organisation>,
    pub characters: usize,
}

/// Everything the draft page shows.
#[derive(Clone, Debug)]
pub struct DraftPage {
    pub process: Process,
    pub draft: Draft,
    pub standing: Standing,
    pub live: LiveText,
    /// The organisation of each stretch's author, looked up once.
    pub orgs: BTreeMap<OrgId, Organisation>,
    pub shares: Vec<Share>,
    pub versions: Vec<VersionMeta>,
    /// Whether the viewer may write now, and as which organisation; or why not.
    pub write: Result<Option<OrgId>, Msg>,
    pub acting_options: Vec<Organisation>,
    /// The process's other drafts (its text in other languages, annexes), linked from the page.
    pub others: Vec<Draft>,
    /// The comments under the text, as this reader sees them.
    pub discussion: super::comments::Discussion,
    /// The decision its text is frozen for, if it is.
    pub decision: Option<crate::ids::DecisionId>,
}

impl DraftPage {
    /// Whether the viewer may take an action on this draft's process now.
    pub fn may(&self, action: Action) -> bool {
        self.standing.may_somehow(action, self.process.phase)
    }
}

/// Loads a draft that belongs to the process in the URL (anything else is not found). A sitting's
/// minutes are not a proposal: they are read and written on the sitting's page.
pub(super) async fn draft_in(
    cx: &RequestContext,
    process: ProcessId,
    id: DraftId,
) -> AppResult<Draft> {
    cx.store
        .draft(id)
        .await?
        .filter(|d| d.process == process && d.minutes_of.is_none())
        .ok_or(AppError::NotFound)
}

/// Every organisation's share of the text, largest first.
pub fn shares(live: &LiveText, orgs: &BTreeMap<OrgId, Organisation>) -> Vec<Share> {
    let mut counts: BTreeMap<Option<OrgId>, usize> = BTreeMap::new();
    for (text, author) in &live.stretches {
        *counts.entry(author.and_then(|a| a.acting_for)).or_default() += text.chars().count();
    }
    let mut shares: Vec<Share> = counts
        .into_iter()
        .map(|(org, characters)| Share {
            org: org.and_then(|o| orgs.get(&o).cloned()),
            characters,
        })
        .collect();
    shares.sort_by_key(|s| std::cmp::Reverse(s.characters));
    shares
}

/// The organisations that wrote any of the text.
pub async fn authors(
    store: &dyn crate::ssr::Store,
    live: &LiveText,
) -> AppResult<BTreeMap<OrgId, Organisation>> {
    let ids: std::collections::BTreeSet<OrgId> = live
        .stretches
        .iter()
        .filter_map(|(_, a)| a.and_then(|a| a.acting_for))
        .collect();
    let ids: Vec<OrgId> = ids.into_iter().collect();
    Ok(store
        .organisations_among(&ids)
        .await?
        .into_iter()
        .map(|org| (org.id, org))
        .collect())
}

/// The draft page. `chosen` is the co-drafting organisation the viewer asked to write for (`?as=`).
pub async fn page(
    cx: &RequestContext,
    process: ProcessId,
    id: DraftId,
    chosen: Option<OrgId>,
) -> AppResult<DraftPage> {
    let draft = draft_in(cx, process, id).await?;
    let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    let viewer = cx.viewer.as_ref().map(|v| v.id);
    let standing = cx.store.standing(process.id, viewer).await?;
    let live = cx.live.text(id).await?;
    let orgs = authors(cx.store.as_ref(), &live).await?;
    let shares = shares(&live, &orgs);
    let versions = cx.store.versions(id).await?;
    let acting_options = super::organisations::speaking_options(cx.store.as_ref(), viewer).await?;
    // A co-drafter writes for the co-drafting organisation they chose, or the first they belong to.
    let write = match viewer {
        None => Err(Msg::ErrorDraftReadOnly),
        Some(person) => {
            let acting_for = chosen
                .filter(|org| standing.co_drafting_orgs.contains(org))
                .or_else(|| standing.co_drafting_orgs.first().copied());
            cx.store
                .draft_write_access(id, Actor { person, acting_for })
                .await?
                .map(|()| acting_for)
        }
    };
    let discussion =
        super::comments::discussion(cx, process.clone(), draft.clone(), &standing, None).await?;
    let decision = cx.store.decision_of_draft(id).await?;
    // The process's other drafts: the same text in another language, an annex.
    let others = cx
        .store
        .drafts(process.id)
        .await?
        .into_iter()
        .filter(|d| d.id != id)
        .collect();
    Ok(DraftPage {
        others,
        discussion,
        process,
        draft,
        standing,
        live,
        orgs,
        shares,
        versions,
        write,
        acting_options,
        decision,
    })
}

/// Starts a draft (mediators and administrators): empty, or from a Word document sent in the
/// `document` file field, whose text (with its headings, lists and emphasis) becomes the draft's
/// first update, written by the person who imported it for the organisation they act for. The
/// title may then be left empty: the document's own title (or its file name) is used.
pub async fn create(cx: &RequestContext, process: ProcessId, form: &Form) -> AppResult<DraftId> {
    let actor = Actor {
        person: cx.viewer()?.id,
        acting_for: form.acting_for()?,
    };
    // The whole file is read before anything is stored: a file that cannot be imported leaves
    // no empty draft behind. Only for someone who may start a draft (the store checks again,
    // in the transaction that creates it): reading a large file costs the server.
    let imported = match form.file("document") {
        Some(upload) => {
            let phase = cx
                .store
                .process(process)
                .await?
                .ok_or(AppError::NotFound)?
                .phase;
            cx.store
                .standing(process, Some(actor.person))
                .await?
                .refusal(actor.acting_for, Action::CreateDraft, phase)
                .map_err(AppError::Forbidden)?;
            Some(import_document(upload).await?)
        }
        None => None,
    };
    let mut title = form.bounded("title", MAX_TITLE, imported.is_none())?;
    if title.is_empty() {
        title = imported
            .as_ref()
            .map(|(imported, file_title)| imported.title.clone().unwrap_or(file_title.clone()))
            .unwrap_or_default()
            .chars()
            .take(MAX_TITLE)
            .collect();
    }
    let language = form.text("language").trim().to_string();
    if !crate::domain::process::is_language_tag(&language) {
        return Err(AppError::invalid(
            "language",
            Msg::ErrorLanguageTag { tag: language },
        ));
    }
    let summary = form.bounded("summary", crate::domain::process::MAX_LONG_TEXT, false)?;
    // A client id of the importer's own, as each browser has one: who wrote what shows the
    // imported text as theirs.
    let first_text = imported.map(|(imported, _)| {
        let client = u64::from(rand::random::<u32>().max(1));
        FirstText {
            client,
            update: document::yjs::update_of_runs(client, &imported.runs),
        }
    });
    cx.store
        .create_draft(
            actor,
            process,
            NewDraft {
                title,
                language,
                summary,
                first_text,
            },
            cx.now,
        )
        .await
        .map(|written| cx.publish(written))
}

/// Reads an uploaded Word document (off the async threads: a long one takes a moment), with
/// the title its file name gives.
async fn import_document(
    upload: &super::form::Upload,
) -> AppResult<(document::import::Imported, String)> {
    use document::import::{ImportError, read_docx};
    let bytes = upload.bytes.clone();
    let read = tokio::task::spawn_blocking(move || read_docx(&bytes))
        .await
        .map_err(|_| AppError::Internal)?;
    let imported = read.map_err(|error| {
        AppError::invalid(
            "document",
            match error {
                ImportError::NotDocx => Msg::ErrorNotDocx,
                ImportError::TooLarge => Msg::ErrorDocxTooLarge,
                ImportError::Empty => Msg::ErrorDocxEmpty,
            },
        )
    })?;
    let name = upload.file_name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = name
        .strip_suffix(".docx")
        .or_else(|| name.strip_suffix(".DOCX"))
        .unwrap_or(name);
    Ok((imported, stem.trim().to_string()))
}

/// Locks (`locked` = true) or unlocks a draft (mediators).
pub async fn lock(
    cx: &RequestContext,
    process: ProcessId,
    id: DraftId,
    locked: bool,
) -> AppResult<()> {
    draft_in(cx, process, id).await?;
    let actor = Actor {
        person: cx.viewer()?.id,
        acting_for: None,
    };
    cx.publish(cx.store.set_draft_lock(actor, id, locked, cx.now).await?);
    Ok(())
}

/// Names the current text a version (co-drafters, speaking for their organisation).
pub async fn name_version(
    cx: &RequestContext,
    process: ProcessId,
    id: DraftId,
    form: &Form,
) -> AppResult<i64> {
    draft_in(cx, process, id).await?;
    let person = cx.viewer()?.id;
    let name = form.bounded("name", MAX_VERSION_NAME, true)?;
    let standing = cx.store.standing(process, Some(person)).await?;
    let acting_for = match form.acting_for()? {
        Some(org) => Some(org),
        None => standing.co_drafting_orgs.first().copied(),
    };
    let (text, state) = cx.live.state(id).await?;
    let version = NewVersion {
        name,
        content_hash: content_hash(&text),
        text,
        state,
    };
    cx.store
        .create_version(Actor { person, acting_for }, id, version, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// The SHA-256 of a text, in lowercase hex: what a published version is identified by.
pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::domain::hex::encode(&Sha256::digest(text.as_bytes()))
}

/// Two texts of a draft compared block by block.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub process: Process,
    pub draft: Draft,
    pub versions: Vec<VersionMeta>,
    /// The older side: a version number.
    pub from: i64,
    /// The newer side: a version number, or `None` for the live text.
    pub to: Option<i64>,
    pub blocks: Vec<Compared>,
}

/// Compares two named versions, or a version with the live text (`to` = `None`), by their
/// structure: each side is read from its stored document, so articles are matched as articles.
pub async fn compare(
    cx: &RequestContext,
    process: ProcessId,
    id: DraftId,
    from: i64,
    to: Option<i64>,
) -> AppResult<Comparison> {
    let draft = draft_in(cx, process, id).await?;
    let process = cx.store.process(process).await?.ok_or(AppError::NotFound)?;
    let old = version_runs(cx, id, from).await?;
    let new = match to {
        Some(number) => version_runs(cx, id, number).await?,
        None => cx.live.text(id).await?.runs,
    };
    let versions = cx.store.versions(id).await?;
    Ok(Comparison {
        process,
        draft,
        versions,
        from,
        to,
        blocks: document::compare::compare(&document::blocks(&old), &document::blocks(&new)),
    })
}

/// A named version's document, as runs.
async fn version_runs(cx: &RequestContext, id: DraftId, number: i64) -> AppResult<Vec<Run>> {
    let state = cx
        .store
        .version_state(id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    document::yjs::runs_of_state(&state).ok_or(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            content_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
