//! A named version of a draft in the formats other tools read: Markdown, Akoma Ntoso (the OASIS
//! standard for legal texts) and Word's `.docx`, each from the same blocks as the reading view
//! (which is also the HTML export). Server only.

pub mod akn;
pub mod docx;
pub mod markdown;

use super::{Block, Kind};

/// What every export says about the text besides its blocks.
#[derive(Clone, Debug)]
pub struct Cover {
    pub title: String,
    /// BCP 47.
    pub language: String,
    /// The draft's address, as `/processes/1/drafts/2`.
    pub path: String,
    pub version: i64,
    pub version_name: String,
    /// `YYYY-MM-DD` of the version.
    pub date: String,
    pub content_hash: String,
}

/// Consecutive list items and quotations, as their containers group them.
pub(super) fn is_list(kind: Kind) -> bool {
    matches!(kind, Kind::Bullet | Kind::Ordered)
}

/// The article label the draft's language uses, for a block that is an article.
pub(super) fn label(block: &Block, language: &str) -> Option<String> {
    block
        .number
        .filter(|_| block.kind == Kind::Article)
        .map(|n| super::article_label(n, language))
}

pub use crate::domain::xml::escape as xml_escape;
