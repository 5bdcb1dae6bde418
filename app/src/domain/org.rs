//! Organisations and the stakeholder groups they belong to.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// What kind of body an organisation is. Informal institutions are named individually because
/// a mediator needs to know whether the union, the elders or the parish is in the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Government,
    CivilSociety,
    PrivateSector,
    Academia,
    Union,
    ReligiousBody,
    CustomaryAuthority,
    CommunityGroup,
}

/// The five stakeholder groups a process balances.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StakeholderKind {
    Government,
    CivilSociety,
    PrivateSector,
    Academia,
    Informal,
}

impl OrgKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [OrgKind; 8] = [
        OrgKind::Government,
        OrgKind::CivilSociety,
        OrgKind::PrivateSector,
        OrgKind::Academia,
        OrgKind::Union,
        OrgKind::ReligiousBody,
        OrgKind::CustomaryAuthority,
        OrgKind::CommunityGroup,
    ];

    /// The stable code used in storage, forms and the open-data API.
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Government => "government",
            OrgKind::CivilSociety => "civil_society",
            OrgKind::PrivateSector => "private_sector",
            OrgKind::Academia => "academia",
            OrgKind::Union => "union",
            OrgKind::ReligiousBody => "religious_body",
            OrgKind::CustomaryAuthority => "customary_authority",
            OrgKind::CommunityGroup => "community_group",
        }
    }

    /// Parses [`OrgKind::code`].
    pub fn from_code(code: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The stakeholder group this kind of organisation speaks for.
    pub fn stakeholder(self) -> StakeholderKind {
        match self {
            OrgKind::Government => StakeholderKind::Government,
            OrgKind::CivilSociety => StakeholderKind::CivilSociety,
            OrgKind::PrivateSector => StakeholderKind::PrivateSector,
            OrgKind::Academia => StakeholderKind::Academia,
            OrgKind::Union
            | OrgKind::ReligiousBody
            | OrgKind::CustomaryAuthority
            | OrgKind::CommunityGroup => StakeholderKind::Informal,
        }
    }

    /// The kind's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            OrgKind::Government => Msg::OrgKindGovernment,
            OrgKind::CivilSociety => Msg::OrgKindCivilSociety,
            OrgKind::PrivateSector => Msg::OrgKindPrivateSector,
            OrgKind::Academia => Msg::OrgKindAcademia,
            OrgKind::Union => Msg::OrgKindUnion,
            OrgKind::ReligiousBody => Msg::OrgKindReligiousBody,
            OrgKind::CustomaryAuthority => Msg::OrgKindCustomaryAuthority,
            OrgKind::CommunityGroup => Msg::OrgKindCommunityGroup,
        }
    }
}

impl StakeholderKind {
    /// Every group, in the order pages list them.
    pub const ALL: [StakeholderKind; 5] = [
        StakeholderKind::Government,
        StakeholderKind::CivilSociety,
        StakeholderKind::PrivateSector,
        StakeholderKind::Academia,
        StakeholderKind::Informal,
    ];

    /// The stable code used in the open-data API and in CSS class names.
    pub fn code(self) -> &'static str {
        match self {
            StakeholderKind::Government => "government",
            StakeholderKind::CivilSociety => "civil_society",
            StakeholderKind::PrivateSector => "private_sector",
            StakeholderKind::Academia => "academia",
            StakeholderKind::Informal => "informal",
        }
    }

    /// The group's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            StakeholderKind::Government => Msg::StakeholderGovernment,
            StakeholderKind::CivilSociety => Msg::StakeholderCivilSociety,
            StakeholderKind::PrivateSector => Msg::StakeholderPrivateSector,
            StakeholderKind::Academia => Msg::StakeholderAcademia,
            StakeholderKind::Informal => Msg::StakeholderInformal,
        }
    }
}

/// Whether a member may speak for their organisation, and if not, why: only for a verified
/// organisation, and only once an administrator has confirmed that they belong to it. Anyone may
/// register an organisation and join it; nobody speaks for it on that alone, in comments, drafts,
/// sittings or votes, because readers take a byline at its word.
pub fn may_speak_for(org_verified: bool, membership_confirmed: bool) -> Result<(), Msg> {
    if !org_verified {
        Err(Msg::ErrorOrgNotVerified)
    } else if !membership_confirmed {
        Err(Msg::ErrorMembershipUnconfirmed)
    } else {
        Ok(())
    }
}

/// The code of someone's group: their organisation's stakeholder group, or `individual` for
/// people speaking for themselves (in the open-data API and CSS class names).
pub fn group_code(kind: Option<StakeholderKind>) -> &'static str {
    kind.map(StakeholderKind::code).unwrap_or("individual")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for kind in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(OrgKind::from_code("Government"), None);
    }

    #[test]
    fn only_confirmed_members_of_verified_organisations_speak_for_them() {
        assert_eq!(may_speak_for(true, true), Ok(()));
        assert_eq!(may_speak_for(false, true), Err(Msg::ErrorOrgNotVerified));
        assert_eq!(may_speak_for(false, false), Err(Msg::ErrorOrgNotVerified));
        assert_eq!(
            may_speak_for(true, false),
            Err(Msg::ErrorMembershipUnconfirmed)
        );
    }

    #[test]
    fn informal_institutions_form_one_stakeholder_group() {
        let informal: Vec<_> = OrgKind::ALL
            .into_iter()
            .filter(|k| k.stakeholder() == StakeholderKind::Informal)
            .collect();
        assert_eq!(
            informal,
            [
                OrgKind::Union,
                OrgKind::ReligiousBody,
                OrgKind::CustomaryAuthority,
                OrgKind::CommunityGroup
            ]
        );
    }
}
