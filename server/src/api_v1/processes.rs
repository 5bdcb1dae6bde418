//! `GET /api/v1/processes` and `/api/v1/processes/{id}`: every process, and one with its
//! participants and drafts.

use super::*;

#[derive(Serialize)]
struct PhaseView {
    phase: &'static str,
    starts_on: String,
    ends_on: String,
}

#[derive(Serialize)]
struct ProcessSummary {
    id: i64,
    url: String,
    title: BTreeMap<String, String>,
    summary: BTreeMap<String, String>,
    level: &'static str,
    languages: Vec<String>,
    phase: &'static str,
    open_for_input: bool,
    phases: Vec<PhaseView>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct OrganisationView {
    id: i64,
    name: BTreeMap<String, String>,
    kind: &'static str,
    stakeholder: &'static str,
    role: &'static str,
}

#[derive(Serialize)]
struct PersonView {
    display_name: String,
    role: &'static str,
}

#[derive(Serialize)]
struct ProcessDetail {
    #[serde(flatten)]
    summary: ProcessSummary,
    rules: BTreeMap<String, String>,
    who_decides: BTreeMap<String, String>,
    legal_basis: BTreeMap<String, String>,
    input_outcome: BTreeMap<String, String>,
    organisations: Vec<OrganisationView>,
    people: Vec<PersonView>,
    drafts: Vec<DraftSummary>,
}

#[derive(Serialize)]
struct DraftSummary {
    id: i64,
    url: String,
    title: String,
    language: String,
}

fn summary(process: &Process) -> ProcessSummary {
    ProcessSummary {
        id: process.id.0,
        url: format!("/processes/{}", process.id),
        title: texts(&process.fields.title),
        summary: texts(&process.fields.summary),
        level: process.fields.level.code(),
        languages: process.fields.languages.clone(),
        phase: process.phase.code(),
        open_for_input: process.phase.is_open_for_input(),
        phases: process
            .fields
            .schedule
            .iter()
            .map(|d| PhaseView {
                phase: d.phase.code(),
                starts_on: d.starts_on.to_string(),
                ends_on: d.ends_on.to_string(),
            })
            .collect(),
        created_at: timestamp(process.created_at),
        updated_at: timestamp(process.updated_at),
    }
}

/// `GET /api/v1/processes`
pub async fn processes(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.store.processes().await {
        Ok(list) => open(
            Json(serde_json::json!({ "processes": list.iter().map(summary).collect::<Vec<_>>() }))
                .into_response(),
        ),
        Err(e) => error(e, &headers),
    }
}

/// `GET /api/v1/processes/{id}`
pub async fn process(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<ProcessId>() else {
        return error(AppError::NotFound, &headers);
    };
    let result = async {
        let process = state.store.process(id).await?.ok_or(AppError::NotFound)?;
        let participants = state.store.participants(id).await?;
        Ok::<_, AppError>(ProcessDetail {
            summary: summary(&process),
            rules: texts(&process.fields.rules),
            who_decides: texts(&process.fields.who_decides),
            legal_basis: texts(&process.fields.legal_basis),
            input_outcome: texts(&process.fields.input_outcome),
            organisations: participants
                .organisations
                .iter()
                .map(|o| OrganisationView {
                    id: o.org.id.0,
                    name: texts(&o.org.name),
                    kind: o.org.kind.code(),
                    stakeholder: o.org.kind.stakeholder().code(),
                    role: o.role.code(),
                })
                .collect(),
            people: participants
                .people
                .iter()
                .map(|p| PersonView {
                    display_name: p.display_name.clone(),
                    role: p.role.role().code(),
                })
                .collect(),
            drafts: state
                .store
                .drafts(id)
                .await?
                .into_iter()
                .map(|d| DraftSummary {
                    id: d.id.0,
                    url: format!("/processes/{}/drafts/{}", d.process, d.id),
                    title: d.title,
                    language: d.language,
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
