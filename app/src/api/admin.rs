//! The administration overview.

use super::form::Form;
use crate::domain::roles::{SiteAction, site_may};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::ids::PersonId;
use crate::model::{Organisation, Person, Process};
use crate::ssr::RequestContext;

/// What the administration page lists.
#[derive(Clone, Debug)]
pub struct Overview {
    pub processes: Vec<Process>,
    pub organisations: Vec<Organisation>,
    pub people: Vec<Person>,
}

/// Refuses anyone but a site administrator.
pub fn require_admin(cx: &RequestContext) -> AppResult<&Person> {
    let viewer = cx.viewer()?;
    if site_may(true, viewer.site_admin, SiteAction::ManagePeople) {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden(Msg::ErrorAdminsOnly))
    }
}

/// Processes, organisations and people, for administrators.
pub async fn overview(cx: &RequestContext) -> AppResult<Overview> {
    require_admin(cx)?;
    Ok(Overview {
        processes: super::processes::list(cx).await?,
        organisations: super::organisations::list(cx).await?,
        people: cx.store.people().await?,
    })
}

/// Grants or withdraws site administration (`person`, `admin` = `true`/`false`).
pub async fn set_admin(cx: &RequestContext, form: &Form) -> AppResult<()> {
    let viewer = require_admin(cx)?;
    let person: PersonId = form.choice("person", |s| s.parse().ok())?;
    let admin = form.text("admin") == "true";
    cx.store.set_site_admin(viewer.id, person, admin).await
}
