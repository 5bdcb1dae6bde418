//! Reading a submitted form's body, strictly. axum's `Form` decodes percent-escapes leniently:
//! bytes that are not UTF-8 become replacement characters and a NUL byte passes through, to be
//! stored as it is on SQLite and to fail as a 500 on PostgreSQL. Here every name and value must be
//! UTF-8 text that can be stored (`app::domain::input`); anything else is refused with a 400 that
//! names the field, and the page comes back with what was typed, minus the characters that
//! could not be kept.

use app::api::form::Form;
use app::domain::input::{is_storable_text, storable_part};
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use std::convert::Infallible;

/// A form body as read: the fields, or why it was refused.
pub struct Submitted(pub Result<Form, Box<Refused>>);

/// A form that could not be read: the error to show, with what could be kept of what was typed.
#[derive(Debug)]
pub struct Refused {
    pub kept: Form,
    pub error: AppError,
}

fn refused(kept: Form, error: AppError) -> Box<Refused> {
    Box::new(Refused { kept, error })
}

impl<S: Send + Sync> FromRequest<S> for Submitted {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Infallible> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim() == "application/x-www-form-urlencoded")
            });
        if !is_form {
            return Ok(Submitted(Err(refused(Form::default(), bad_form()))));
        }
        Ok(Submitted(match Bytes::from_request(request, state).await {
            Ok(body) => decode(&body),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(refused(Form::default(), AppError::TooLarge))
            }
            Err(_) => Err(refused(Form::default(), bad_form())),
        }))
    }
}

fn bad_form() -> AppError {
    AppError::invalid("form", Msg::ErrorBadForm)
}

/// Decodes an `application/x-www-form-urlencoded` body.
pub fn decode(body: &[u8]) -> Result<Form, Box<Refused>> {
    let mut pairs = Vec::new();
    let mut errors: Vec<FieldError> = Vec::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let (name, value) = (unescape(name), unescape(value));
        let name = match String::from_utf8(name) {
            Ok(name) if is_storable_text(&name) => name,
            // A field name nobody's form has: the form as a whole cannot be read.
            _ => {
                errors.push(FieldError::new("form", Msg::ErrorBadForm));
                continue;
            }
        };
        match String::from_utf8(value) {
            Ok(value) if is_storable_text(&value) => pairs.push((name, value)),
            Ok(value) => {
                errors.push(FieldError::new(&name, Msg::ErrorUnstorable));
                pairs.push((name, storable_part(&value)));
            }
            Err(invalid) => {
                let kept: String = invalid
                    .as_bytes()
                    .utf8_chunks()
                    .map(|chunk| chunk.valid())
                    .collect();
                errors.push(FieldError::new(&name, Msg::ErrorUnstorable));
                pairs.push((name, storable_part(&kept)));
            }
        }
    }
    let form = Form::from_pairs(pairs);
    if errors.is_empty() {
        Ok(form)
    } else {
        errors.dedup();
        Err(refused(form, AppError::Invalid(errors)))
    }
}

/// `+` to a space and `%XX` to its byte; a `%` without two hex digits stays as it is.
fn unescape(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(body: &str) -> Vec<(String, String)> {
        let form = decode(body.as_bytes()).expect("a valid form");
        let mut pairs: Vec<_> = form.0.into_iter().collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn ordinary_forms_are_read_as_browsers_send_them() {
        assert_eq!(
            fields("body=Two+words%0D%0Aand+%E4%B8%AD%E6%96%87&intent=comment&empty="),
            vec![
                ("body".into(), "Two words\r\nand 中文".into()),
                ("empty".into(), String::new()),
                ("intent".into(), "comment".into()),
            ]
        );
        assert_eq!(
            fields("a=100%25&b=%"),
            vec![("a".into(), "100%".into()), ("b".into(), "%".into())]
        );
        assert_eq!(fields("a=%4"), vec![("a".into(), "%4".into())]);
        assert_eq!(fields(""), vec![]);
    }

    #[test]
    fn nul_bytes_and_invalid_utf8_are_refused_and_named() {
        for body in ["intent=comment&body=a%00b", "intent=comment&body=a%FF%FEb"] {
            let Refused { kept, error } = *decode(body.as_bytes()).expect_err(body);
            assert_eq!(error.status(), 400);
            assert_eq!(
                error.fields(),
                &[FieldError::new("body", Msg::ErrorUnstorable)]
            );
            // What was typed comes back, without what could not be kept.
            assert_eq!(kept.text("body"), "ab");
            assert_eq!(kept.text("intent"), "comment");
        }
        let error = decode(b"na%00me=x").expect_err("a NUL in a name").error;
        assert_eq!(
            error.fields(),
            &[FieldError::new("form", Msg::ErrorBadForm)]
        );
    }
}
