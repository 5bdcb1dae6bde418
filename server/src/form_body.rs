//! Reading a submitted form's body, strictly. axum's `Form` decodes percent-escapes leniently:
//! bytes that are not UTF-8 become replacement characters and a NUL byte passes through, to be
//! stored as it is on SQLite and to fail as a 500 on PostgreSQL. Here every name and value must be
//! UTF-8 text that can be stored (`app::domain::input`); anything else is refused with a 400 that
//! names the field, and the page comes back with what was typed, minus the characters that
//! could not be kept.

use app::api::form::{Form, Upload};
use app::domain::input::{is_storable_text, storable_part};
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use std::collections::HashMap;
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
        let media_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase());
        Ok(Submitted(match media_type.as_deref() {
            Some("application/x-www-form-urlencoded") => {
                match Bytes::from_request(request, state).await {
                    Ok(body) => decode(&body),
                    Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        Err(refused(Form::default(), AppError::TooLarge))
                    }
                    Err(_) => Err(refused(Form::default(), bad_form())),
                }
            }
            // A form with a file field (`enctype="multipart/form-data"`).
            Some("multipart/form-data") => read_multipart(request, state).await,
            _ => Err(refused(Form::default(), bad_form())),
        }))
    }
}

fn bad_form() -> AppError {
    AppError::invalid("form", Msg::ErrorBadForm)
}

/// Decodes an `application/x-www-form-urlencoded` body.
pub fn decode(body: &[u8]) -> Result<Form, Box<Refused>> {
    let pairs = body
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.iter().position(|b| *b == b'=') {
            Some(at) => (unescape(&pair[..at]), unescape(&pair[at + 1..])),
            None => (unescape(pair), Vec::new()),
        })
        .collect();
    checked(pairs, HashMap::new())
}

/// Reads a `multipart/form-data` body: its text fields as a urlencoded form's, and the files of
/// its file fields (a file field left empty sends a part with no name and no bytes: skipped).
async fn read_multipart<S: Send + Sync>(request: Request, state: &S) -> Result<Form, Box<Refused>> {
    let unreadable = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            refused(Form::default(), AppError::TooLarge)
        } else {
            refused(Form::default(), bad_form())
        }
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| unreadable(rejection.status()))?;
    let mut pairs = Vec::new();
    let mut files = HashMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(unreadable(error.status())),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(storable_part);
        let bytes = field
            .bytes()
            .await
            .map_err(|error| unreadable(error.status()))?;
        match file_name {
            Some(file_name) if !(file_name.is_empty() && bytes.is_empty()) => {
                files.insert(
                    name,
                    Upload {
                        file_name,
                        bytes: bytes.to_vec().into(),
                    },
                );
            }
            Some(_) => {}
            None => pairs.push((name.into_bytes(), bytes.to_vec())),
        }
    }
    checked(pairs, files)
}

/// The form of raw name/value pairs: every name and value must be text that can be stored.
fn checked(
    raw: Vec<(Vec<u8>, Vec<u8>)>,
    files: HashMap<String, Upload>,
) -> Result<Form, Box<Refused>> {
    let mut pairs = Vec::new();
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in raw {
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
    let mut form = Form::from_pairs(pairs);
    form.files = files;
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
        let mut pairs: Vec<_> = form.fields.into_iter().collect();
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
