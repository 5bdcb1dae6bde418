//! Database rows, kept apart from the application's values: they mirror the tables, and
//! converting them checks what the database cannot (enum codes, JSON texts).

use app::domain::localized::Localized;
use app::domain::org::OrgKind;
use app::domain::process::{Day, Level, PhaseDates};
use app::domain::roles::Phase;
use app::error::{AppError, AppResult};
use app::ids::{DraftId, OrgId, PersonId, ProcessId, SittingId};
use app::model::{Draft, Organisation, Person, Process, ProcessFields, VersionMeta};

/// A value in the database that the application cannot read: logged, and reported as internal.
pub fn corrupt(what: &str, value: &str) -> AppError {
    tracing::error!(what, value, "unreadable value in the database");
    AppError::Internal
}

/// Reads a JSON multilingual text column.
pub fn localized(json: &str) -> AppResult<Localized> {
    serde_json::from_str(json).map_err(|_| corrupt("localized text", json))
}

/// Writes a multilingual text for a JSON column.
pub fn localized_json(text: &Localized) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "{}".to_string())
}

#[derive(sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub language: String,
    pub site_role: String,
    pub created_at: i64,
    pub email_verified_at: Option<i64>,
}

impl PersonRow {
    pub fn into_person(self) -> Person {
        Person {
            id: PersonId(self.id),
            email: self.email,
            display_name: self.display_name,
            language: self.language,
            site_admin: app::domain::roles::SiteRole::parse(&self.site_role).is_admin(),
            created_at: self.created_at,
            email_verified: self.email_verified_at.is_some(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub verified_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_reason: String,
    pub created_at: i64,
}

impl OrgRow {
    pub fn into_org(self) -> AppResult<Organisation> {
        Ok(Organisation {
            id: OrgId(self.id),
            name: localized(&self.name)?,
            description: localized(&self.description)?,
            kind: OrgKind::from_code(&self.kind)
                .ok_or_else(|| corrupt("organisation kind", &self.kind))?,
            verified_at: self.verified_at,
            withdrawn: self.withdrawn_at.map(|at| (at, self.withdrawn_reason)),
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ProcessRow {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub level: String,
    pub languages: String,
    pub phase: String,
    pub rules: String,
    pub who_decides: String,
    pub legal_basis: String,
    pub input_outcome: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub struct PhaseRow {
    pub process_id: i64,
    pub phase: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl PhaseRow {
    pub fn into_dates(self) -> AppResult<PhaseDates> {
        Ok(PhaseDates {
            phase: parse_phase(&self.phase)?,
            starts_on: Day::parse(&self.starts_on)
                .ok_or_else(|| corrupt("date", &self.starts_on))?,
            ends_on: Day::parse(&self.ends_on).ok_or_else(|| corrupt("date", &self.ends_on))?,
        })
    }
}

/// Reads a phase code.
pub fn parse_phase(code: &str) -> AppResult<Phase> {
    Phase::from_code(code).ok_or_else(|| corrupt("phase", code))
}

impl ProcessRow {
    /// The process, with its schedule taken from `phases` (rows of any process; others ignored).
    pub fn into_process(self, phases: &mut Vec<PhaseRow>) -> AppResult<Process> {
        let mut schedule = Vec::new();
        let mut rest = Vec::new();
        for row in phases.drain(..) {
            if row.process_id == self.id {
                schedule.push(row.into_dates()?)
            } else {
                rest.push(row)
            }
        }
        *phases = rest;
        schedule.sort_by_key(|d| d.phase);
        Ok(Process {
            id: ProcessId(self.id),
            fields: ProcessFields {
                title: localized(&self.title)?,
                summary: localized(&self.summary)?,
                level: Level::from_code(&self.level)
                    .ok_or_else(|| corrupt("level", &self.level))?,
                languages: self
                    .languages
                    .split(',')
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
                rules: localized(&self.rules)?,
                who_decides: localized(&self.who_decides)?,
                legal_basis: localized(&self.legal_basis)?,
                input_outcome: localized(&self.input_outcome)?,
                schedule,
            },
            phase: parse_phase(&self.phase)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DraftRow {
    pub id: i64,
    pub process_id: i64,
    pub title: String,
    pub language: String,
    pub summary: String,
    pub locked_at: Option<i64>,
    pub created_at: i64,
    pub sitting_id: Option<i64>,
}

impl DraftRow {
    pub fn into_draft(self) -> Draft {
        Draft {
            id: DraftId(self.id),
            process: ProcessId(self.process_id),
            title: self.title,
            language: self.language,
            summary: self.summary,
            locked_at: self.locked_at,
            created_at: self.created_at,
            minutes_of: self.sitting_id.map(SittingId),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct VersionRow {
    pub number: i64,
    pub name: String,
    pub body: String,
    pub content_hash: String,
    pub actor_name: String,
    pub org_name: Option<String>,
    pub created_at: i64,
}

impl VersionRow {
    pub fn into_meta(self) -> AppResult<VersionMeta> {
        Ok(VersionMeta {
            number: self.number,
            name: self.name,
            content_hash: self.content_hash,
            author_name: self.actor_name,
            org_name: self.org_name.as_deref().map(localized).transpose()?,
            created_at: self.created_at,
        })
    }
}
