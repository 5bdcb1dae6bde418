//! `GET /api/v1/drafts/{id}` and its versions: the live text and its structure, the named
//! versions, each organisation's share.

use super::*;

#[derive(Serialize)]
struct VersionView {
    number: i64,
    name: String,
    content_hash: String,
    author: String,
    organisation: Option<BTreeMap<String, String>>,
    created_at: String,
}

#[derive(Serialize)]
struct ShareView {
    organisation: Option<OrganisationRef>,
    characters: usize,
    share: f64,
}

#[derive(Serialize)]
struct OrganisationRef {
    id: i64,
    name: BTreeMap<String, String>,
    kind: &'static str,
    stakeholder: &'static str,
}

#[derive(Serialize)]
struct DraftDetail {
    id: i64,
    process_id: i64,
    url: String,
    title: String,
    language: String,
    summary: String,
    locked: bool,
    /// The plain text, as any Yjs client reads `body`.
    text: String,
    /// The same text as the document's blocks (headings, articles, paragraphs, lists,
    /// quotations) with their inline formatting and UTF-16 offsets (docs/API.md).
    blocks: Vec<app::domain::document::Block>,
    versions: Vec<VersionView>,
    shares: Vec<ShareView>,
}

fn version_view(v: &app::model::VersionMeta) -> VersionView {
    VersionView {
        number: v.number,
        name: v.name.clone(),
        content_hash: v.content_hash.clone(),
        author: v.author_name.clone(),
        organisation: v.org_name.as_ref().map(texts),
        created_at: timestamp(v.created_at),
    }
}

/// `GET /api/v1/drafts/{id}`: the live text, the named versions and each organisation's share.
pub async fn draft(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DraftId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let draft = published_draft(&state, id).await?;
        let live = state.live.text(id).await?;
        let orgs = app::api::drafts::authors(state.store.as_ref(), &live).await?;
        let shares = app::api::drafts::shares(&live, &orgs);
        let total = shares.iter().map(|s| s.characters).sum::<usize>().max(1) as f64;
        let versions = state.store.versions(id).await?;
        Ok::<_, AppError>(DraftDetail {
            id: draft.id.0,
            process_id: draft.process.0,
            url: format!("/processes/{}/drafts/{}", draft.process, draft.id),
            title: draft.title,
            language: draft.language,
            summary: draft.summary,
            locked: draft.locked_at.is_some(),
            blocks: app::domain::document::blocks(&live.runs),
            text: live.text,
            versions: versions.iter().map(version_view).collect(),
            shares: shares
                .iter()
                .map(|s| ShareView {
                    organisation: s.org.as_ref().map(organisation_ref),
                    characters: s.characters,
                    share: (s.characters as f64 / total * 10_000.0).round() / 10_000.0,
                })
                .collect(),
        })
    }
    .await;
    match result {
        Ok(detail) => open(Json(detail).into_response()),
        Err(e) => error(e, &headers),
    }
}

/// One Yjs client that has written in a draft, and the organisation its writer spoke for.
#[derive(Serialize)]
struct WriterView {
    client: u64,
    /// `null` for people speaking for themselves.
    organisation: Option<OrganisationRef>,
}

/// `GET /api/v1/drafts/{id}/writers`: every Yjs client id that has written in the draft, with
/// the organisation it wrote for, so any client can colour the live text by who wrote it (the
/// ids are those of the document's items; people are not named, as in the shares).
pub async fn writers(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<app::ids::DraftId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        published_draft(&state, id).await?;
        let clients = state.store.draft_clients(id).await?;
        let mut ids: Vec<app::ids::OrgId> =
            clients.iter().filter_map(|(_, a)| a.acting_for).collect();
        ids.sort();
        ids.dedup();
        let orgs: BTreeMap<_, _> = state
            .store
            .organisations_among(&ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let writers: Vec<WriterView> = clients
            .iter()
            .map(|(client, actor)| WriterView {
                client: *client,
                organisation: actor
                    .acting_for
                    .and_then(|o| orgs.get(&o))
                    .map(organisation_ref),
            })
            .collect();
        Ok::<_, AppError>(serde_json::json!({ "writers": writers }))
    }
    .await;
    match result {
        Ok(body) => open(Json(body).into_response()),
        Err(e) => error(e, &headers),
    }
}

fn organisation_ref(o: &app::model::Organisation) -> OrganisationRef {
    OrganisationRef {
        id: o.id.0,
        name: texts(&o.name),
        kind: o.kind.code(),
        stakeholder: o.kind.stakeholder().code(),
    }
}

/// `GET /api/v1/drafts/{id}/versions/{number}`: a named version's text and hash.
pub async fn version(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (Ok(id), Ok(number)) = (id.parse::<app::ids::DraftId>(), number.parse::<i64>()) else {
        return error(AppError::NotFound, &headers);
    };
    match state.store.version(id, number).await {
        Ok(Some(version)) => {
            let mut body = serde_json::to_value(version_view(&version.meta)).unwrap_or_default();
            body["draft_id"] = serde_json::json!(id.0);
            body["text"] = serde_json::json!(version.text);
            open(Json(body).into_response())
        }
        Ok(None) => error(AppError::NotFound, &headers),
        Err(e) => error(e, &headers),
    }
}
