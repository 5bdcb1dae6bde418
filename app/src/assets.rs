//! The site's built files (`/pkg/…`) under their versioned names.
//!
//! `scripts/build-site` names the bundles after their content (`baraza.<hash>.js`) so that
//! browsers may keep them for a year, and writes [`MANIFEST`] beside `pkg/`: each file's plain
//! name and the name it has in this build. The server reads it once at start-up
//! ([`Assets::install`]); pages ask for a file by its plain name ([`asset`]). Without a manifest
//! (a site built some other way) the plain names are used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, RwLock};

/// The manifest's file name, in the site root (not under `pkg/`, so it is not served).
pub const MANIFEST: &str = "assets.json";

/// Where a built site's files are: their plain names and their names in this build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assets {
    names: HashMap<String, String>,
}

/// The sites read so far, by site root (tests may start servers on other roots).
static SITES: LazyLock<RwLock<HashMap<PathBuf, Arc<Assets>>>> = LazyLock::new(Default::default);

impl Assets {
    /// Reads the manifest of the site at `site_root`; no manifest (or an unreadable one) means
    /// plain names. Names that are not plain file names (letters, digits, `.`, `-`, `_`) are
    /// ignored.
    pub fn read(site_root: &Path) -> Assets {
        let names: HashMap<String, String> = std::fs::read_to_string(site_root.join(MANIFEST))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        // Names go into pages and a script verbatim: letters, digits, dots, dashes and
        // underscores only, and never a path.
        let plain = |name: &String| {
            !name.is_empty()
                && !name.starts_with('.')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        };
        Assets {
            names: names
                .into_iter()
                .filter(|(from, to)| plain(from) && plain(to))
                .collect(),
        }
    }

    /// Reads the site at `site_root` and remembers it for the pages rendered from now on.
    pub fn install(site_root: &Path) -> Arc<Assets> {
        let assets = Arc::new(Assets::read(site_root));
        if let Ok(mut sites) = SITES.write() {
            sites.insert(site_root.to_path_buf(), assets.clone());
        }
        assets
    }

    /// The site at `site_root` as installed, read now if it was not.
    pub fn of_site(site_root: &Path) -> Arc<Assets> {
        let known = SITES
            .read()
            .ok()
            .and_then(|sites| sites.get(site_root).cloned());
        known.unwrap_or_else(|| Assets::install(site_root))
    }

    /// Whether a manifest named the files (a versioned build).
    pub fn versioned(&self) -> bool {
        !self.names.is_empty()
    }

    /// The file's name in this build.
    pub fn name<'a>(&'a self, plain: &'a str) -> &'a str {
        self.names.get(plain).map_or(plain, String::as_str)
    }

    /// The address of a file of `pkg/`, by its plain name (`baraza.js`).
    pub fn url(&self, plain: &str) -> String {
        format!("/pkg/{}", self.name(plain))
    }
}

/// The address of a file of `pkg/` for the page being rendered (the shell provides the site's
/// [`Assets`]); its plain address outside a page.
pub fn asset(plain: &str) -> String {
    leptos::prelude::use_context::<Arc<Assets>>()
        .unwrap_or_default()
        .url(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_the_files_and_plain_names_remain_without_one() {
        let dir = std::env::temp_dir().join(format!("baraza-assets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let none = Assets::read(&dir);
        assert!(!none.versioned());
        assert_eq!(none.url("baraza.js"), "/pkg/baraza.js");

        std::fs::write(
            dir.join(MANIFEST),
            r#"{"baraza.js": "baraza.0123456789abcdef.js", "evil.js": "../../etc/passwd", "x.js": ".hidden", "y.js": "y\"><script>.js"}"#,
        )
        .unwrap();
        let built = Assets::read(&dir);
        assert!(built.versioned());
        assert_eq!(built.url("baraza.js"), "/pkg/baraza.0123456789abcdef.js");
        assert_eq!(built.url("evil.js"), "/pkg/evil.js", "a path is not a name");
        assert_eq!(built.url("x.js"), "/pkg/x.js");
        assert_eq!(built.url("y.js"), "/pkg/y.js", "markup is not a name");
        assert_eq!(
            built.url("quill.js"),
            "/pkg/quill.js",
            "unnamed files keep their name"
        );

        std::fs::write(dir.join(MANIFEST), "not json").unwrap();
        assert!(
            !Assets::read(&dir).versioned(),
            "a broken manifest means plain names"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
