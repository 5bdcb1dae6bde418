//! Following a process, a draft or a thread, for oneself or on behalf of an organisation. Anyone
//! signed in may follow, a confirmed address or not: following only reads.

use super::form::Form;
use super::organisations::speaking_options;
use crate::domain::notice::FollowSubject;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::ids::OrgId;
use crate::model::Organisation;
use crate::ssr::RequestContext;

/// What the follow control of a subject shows the viewer.
#[derive(Clone, Debug, Default)]
pub struct FollowState {
    pub signed_in: bool,
    /// Whether the viewer follows it themselves.
    pub myself: bool,
    /// The organisations the viewer may speak for, and whether each follows it.
    pub organisations: Vec<(Organisation, bool)>,
    /// Organisations of the viewer that follow it, among those they may not act for now.
    pub others: Vec<OrgId>,
}

/// Who of the viewer and their organisations follows the subject.
pub async fn state(cx: &RequestContext, subject: FollowSubject, id: i64) -> AppResult<FollowState> {
    let Some(viewer) = cx.viewer.as_ref() else {
        return Ok(FollowState::default());
    };
    let following = cx.store.followed_as(viewer.id, subject, id).await?;
    let organisations = speaking_options(cx.store.as_ref(), Some(viewer.id))
        .await?
        .into_iter()
        .map(|org| {
            let follows = following.contains(&Some(org.id));
            (org, follows)
        })
        .collect::<Vec<_>>();
    let others = following
        .iter()
        .flatten()
        .filter(|org| !organisations.iter().any(|(o, _)| o.id == **org))
        .copied()
        .collect();
    Ok(FollowState {
        signed_in: true,
        myself: following.contains(&None),
        organisations,
        others,
    })
}

/// `POST /follows` (fields `subject`: process, draft or thread; `id`; `acting_for`: empty for
/// oneself or an organisation's id; `intent`: follow or unfollow): returns what to tell.
pub async fn submit(cx: &RequestContext, form: &Form) -> AppResult<Msg> {
    let person = cx.viewer()?.id;
    let subject = form.choice("subject", FollowSubject::from_code)?;
    let id = form.choice("id", |v| v.parse::<i64>().ok())?;
    let org = form.acting_for()?;
    match form.text("intent") {
        "follow" => {
            cx.store.follow(person, subject, id, org, cx.now).await?;
            Ok(Msg::NoticeFollowed)
        }
        "unfollow" => {
            cx.store.unfollow(person, subject, id, org).await?;
            Ok(Msg::NoticeUnfollowed)
        }
        _ => Err(AppError::invalid("intent", Msg::ErrorBadForm)),
    }
}
