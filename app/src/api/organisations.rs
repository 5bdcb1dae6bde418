//! Organisations: the directory, registration, verification and membership.

use super::form::{Form, collect};
use crate::domain::account::normalize_email;
use crate::domain::org::OrgKind;
use crate::domain::roles::{SiteAction, site_may};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{Lang, Msg};
use crate::ids::{OrgId, PersonId};
use crate::model::{Member, NewOrganisation, Organisation};
use crate::ssr::{RequestContext, Store};

/// The longest organisation name, in characters.
pub const MAX_NAME: usize = 160;
/// The longest organisation description, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;

/// What an organisation's page shows.
#[derive(Clone, Debug)]
pub struct OrgPage {
    pub org: Organisation,
    pub members: Vec<Member>,
    /// Whether the viewer may verify it and manage its members.
    pub can_manage: bool,
}

/// The organisations `person` may speak for now: those they are a confirmed member of, while
/// verified (`domain::org::may_speak_for`). What every "speaking for" choice offers; the store
/// checks the same again when the action is taken.
pub async fn speaking_options(
    store: &dyn Store,
    person: Option<PersonId>,
) -> AppResult<Vec<Organisation>> {
    let Some(person) = person else {
        return Ok(Vec::new());
    };
    Ok(store
        .memberships(person)
        .await?
        .into_iter()
        .filter(|m| m.may_speak().is_ok())
        .map(|m| m.org)
        .collect())
}

/// Every organisation, verified first, then by name.
pub async fn list(cx: &RequestContext) -> AppResult<Vec<Organisation>> {
    let mut orgs = cx.store.organisations().await?;
    let lang = cx.lang.code().to_string();
    orgs.sort_by_cached_key(|o| {
        (
            o.verified_at.is_none(),
            o.name.pick(&lang, &[]).text.to_lowercase(),
        )
    });
    Ok(orgs)
}

/// One organisation with its members.
pub async fn page(cx: &RequestContext, id: OrgId) -> AppResult<OrgPage> {
    let org = cx.store.organisation(id).await?.ok_or(AppError::NotFound)?;
    let members = cx.store.members(id).await?;
    let can_manage = cx
        .viewer
        .as_ref()
        .is_some_and(|v| site_may(true, v.site_admin, SiteAction::ManageOrganisations));
    Ok(OrgPage {
        org,
        members,
        can_manage,
    })
}

/// Registers an organisation on behalf of the signed-in person, who becomes its first member.
pub async fn register(cx: &RequestContext, form: &Form) -> AppResult<OrgId> {
    let viewer = super::email_verification::require_verified(cx)?;
    if !site_may(true, viewer.site_admin, SiteAction::RegisterOrganisation) {
        return Err(AppError::Forbidden(Msg::ErrorNotAllowed));
    }
    let mut errors = Vec::new();
    let name = form.text("name").trim().to_string();
    if name.is_empty() {
        errors.push(FieldError::new("name", Msg::ErrorRequired));
    } else if name.chars().count() > MAX_NAME {
        errors.push(FieldError::new(
            "name",
            Msg::ErrorTooLong {
                max: MAX_NAME.to_string(),
            },
        ));
    }
    let description = form.text("description").trim().to_string();
    if description.chars().count() > MAX_DESCRIPTION {
        errors.push(FieldError::new(
            "description",
            Msg::ErrorTooLong {
                max: MAX_DESCRIPTION.to_string(),
            },
        ));
    }
    let kind = form
        .choice("kind", OrgKind::from_code)
        .map_err(|e| errors.push(e))
        .ok();
    let lang = form.choice("language", Lang::from_tag).unwrap_or(cx.lang);
    collect(errors)?;
    let kind = kind.ok_or(AppError::Internal)?;
    let new = NewOrganisation {
        name: crate::domain::localized::Localized::one(lang.code(), &name),
        description: crate::domain::localized::Localized::one(lang.code(), &description),
        kind,
    };
    cx.store
        .create_organisation(new, viewer.id, cx.now)
        .await
        .map(|written| cx.publish(written))
}

/// The longest reason for withdrawing a verification, in characters.
pub const MAX_WITHDRAWAL_REASON: usize = 1_000;

/// Verifies an organisation (administrators). Its confirmed members may speak for it from the
/// next message on.
pub async fn verify(cx: &RequestContext, id: OrgId) -> AppResult<()> {
    let viewer = cx.viewer()?;
    cx.publish(cx.store.verify_organisation(viewer.id, id, cx.now).await?);
    Ok(())
}

/// Withdraws an organisation's verification with a public reason (administrators): nobody
/// speaks for it from the next request or message on, and its bylines say it is not verified.
pub async fn withdraw_verification(cx: &RequestContext, id: OrgId, form: &Form) -> AppResult<()> {
    let viewer = cx.viewer()?;
    if !site_may(true, viewer.site_admin, SiteAction::ManageOrganisations) {
        return Err(AppError::Forbidden(Msg::ErrorAdminsOnly));
    }
    let reason = form.bounded("reason", MAX_WITHDRAWAL_REASON, true)?;
    cx.publish(
        cx.store
            .withdraw_verification(viewer.id, id, &reason, cx.now)
            .await?,
    );
    Ok(())
}

/// Confirms that a member belongs to the organisation (`person` = person id), so that they may
/// speak for it (administrators).
pub async fn confirm_member(cx: &RequestContext, id: OrgId, form: &Form) -> AppResult<()> {
    let viewer = cx.viewer()?;
    let person = form
        .choice("person", |p| p.parse::<PersonId>().ok())
        .map_err(AppError::from)?;
    cx.publish(
        cx.store
            .confirm_membership(viewer.id, id, person, cx.now)
            .await?,
    );
    Ok(())
}

/// Adds a member by email, or removes one by id (`remove` = person id).
pub async fn set_member(cx: &RequestContext, id: OrgId, form: &Form) -> AppResult<()> {
    let viewer = cx.viewer()?;
    // Refuse before looking the email up, or anyone could learn which emails have accounts.
    if !site_may(true, viewer.site_admin, SiteAction::ManageOrganisations) {
        return Err(AppError::Forbidden(Msg::ErrorAdminsOnly));
    }
    let (person, member) = match form.text("remove").trim().parse::<PersonId>() {
        Ok(person) => (person, false),
        Err(_) => {
            let email = normalize_email(form.text("email"))?;
            let person = cx
                .store
                .person_by_email(&email)
                .await?
                .ok_or_else(|| AppError::invalid("email", Msg::ErrorNoSuchPerson))?;
            (person.id, true)
        }
    };
    cx.publish(
        cx.store
            .set_membership(viewer.id, id, person, member, cx.now)
            .await?,
    );
    Ok(())
}
