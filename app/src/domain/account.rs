//! What makes a valid account: email, display name, password.

use crate::error::FieldError;
use crate::i18n::Msg;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// The longest password accepted, in bytes (hashing cost grows with it).
pub const MAX_PASSWORD: usize = 1024;
/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME: usize = 60;

/// Trims and lower-cases an email address and checks its shape. Sign-in uses the same
/// normalisation, so `Ana@Example.org ` and `ana@example.org` are one account.
pub fn normalize_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(FieldError::new("email", Msg::ErrorEmailInvalid))
    }
}

/// Trims a display name and checks it: pseudonyms are welcome, invisible tricks are not.
pub fn check_display_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim().to_string();
    if name.is_empty() {
        return Err(FieldError::new(
            "display_name",
            Msg::ErrorDisplayNameRequired,
        ));
    }
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err(FieldError::new(
            "display_name",
            Msg::ErrorTooLong {
                max: MAX_DISPLAY_NAME.to_string(),
            },
        ));
    }
    if name.chars().any(is_deceptive) {
        return Err(FieldError::new(
            "display_name",
            Msg::ErrorDisplayNameCharacters,
        ));
    }
    Ok(name)
}

/// Control characters and bidirectional overrides, which let a name masquerade as another.
fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Checks a new password against our length rules.
pub fn check_password(password: &str, field: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(FieldError::new(
            field,
            Msg::ErrorPasswordTooShort {
                min: MIN_PASSWORD.to_string(),
            },
        ));
    }
    if password.len() > MAX_PASSWORD {
        return Err(FieldError::new(
            field,
            Msg::ErrorTooLong {
                max: MAX_PASSWORD.to_string(),
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            normalize_email("  Ana@Example.ORG ").unwrap(),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.org",
            "ana@localhost",
            "a b@x.org",
            "a@b@x.org",
            "ana@x.org.",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(check_display_name("  湖畔读书人 ").unwrap(), "湖畔读书人");
        assert!(check_display_name("   ").is_err());
        assert!(check_display_name(&"x".repeat(61)).is_err());
        assert!(check_display_name("admin\u{202E}nimda").is_err());
        assert!(check_display_name("line\nbreak").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("baraza-demo", "password").is_ok());
        assert!(check_password("short", "password").is_err());
        assert!(check_password("长密码长密码长密码长密", "password").is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD + 1), "password").is_err());
    }
}
