//! Reading submitted HTML forms into typed values, with errors named after the fields.

use crate::domain::localized::Localized;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::ids::OrgId;
use std::collections::HashMap;

/// A submitted form: field name to value (the last value wins for repeated names), and the
/// files sent with it (a `multipart/form-data` form's file fields that were given a file).
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, Upload>,
}

/// A file sent with a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The name the browser gave (the file's name on the sender's machine), for messages only.
    pub file_name: String,
    /// Shared, so that keeping the form to show it again copies no bytes.
    pub bytes: std::sync::Arc<[u8]>,
}

impl Form {
    /// A form from name/value pairs.
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Form {
        Form {
            fields: pairs.into_iter().collect(),
            files: HashMap::new(),
        }
    }

    /// A field's value, or the empty string.
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// The file sent in a file field, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.get(name)
    }

    /// A field that must be present and non-blank.
    pub fn required(&self, name: &str) -> Result<&str, FieldError> {
        let value = self.text(name).trim();
        if value.is_empty() {
            Err(FieldError::new(name, Msg::ErrorRequired))
        } else {
            Ok(value)
        }
    }

    /// A trimmed field of at most `max` characters; `required` refuses it empty.
    pub fn bounded(&self, name: &str, max: usize, required: bool) -> Result<String, FieldError> {
        let value = self.text(name).trim();
        if required && value.is_empty() {
            return Err(FieldError::new(name, Msg::ErrorRequired));
        }
        if value.chars().count() > max {
            let max = max.to_string();
            return Err(FieldError::new(name, Msg::ErrorTooLong { max }));
        }
        Ok(value.to_string())
    }

    /// A field parsed by `parse`, with `Msg::ErrorChoice` when it does not parse.
    pub fn choice<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, FieldError> {
        parse(self.text(name).trim()).ok_or_else(|| FieldError::new(name, Msg::ErrorChoice))
    }

    /// `prefix.LANG` fields for each language, e.g. `title.en` and `title.zh-Hans`.
    pub fn localized(&self, prefix: &str, languages: &[String]) -> Localized {
        Localized(
            languages
                .iter()
                .map(|lang| {
                    (
                        lang.clone(),
                        self.text(&format!("{prefix}.{lang}")).trim().to_string(),
                    )
                })
                .filter(|(_, text)| !text.is_empty())
                .collect(),
        )
    }

    /// The `acting_for` field: empty for "myself", else an organisation id.
    pub fn acting_for(&self) -> Result<Option<OrgId>, FieldError> {
        match self.text("acting_for").trim() {
            "" => Ok(None),
            id => id
                .parse()
                .map(Some)
                .map_err(|_| FieldError::new("acting_for", Msg::ErrorChoice)),
        }
    }
}

/// Collects field errors: `Ok` if there are none.
pub fn collect(errors: Vec<FieldError>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}
