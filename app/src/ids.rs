//! Typed ids, so a person's id can never be passed where an organisation's is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_type!(
    /// A person with an account.
    PersonId
);
id_type!(
    /// An organisation (government body, civil society, private sector, academia, informal institution).
    OrgId
);
id_type!(
    /// A deliberation process.
    ProcessId
);
id_type!(
    /// A draft: a proposal co-written as a Yjs document.
    DraftId
);
id_type!(
    /// A comment on a draft (a thread's first comment, or a reply).
    CommentId
);
id_type!(
    /// A sitting: a live meeting of a process, chaired by a mediator.
    SittingId
);
id_type!(
    /// A council's decision on a draft: its frozen text, answers, vote and follow-up.
    DecisionId
);
