//! Request-level protections: refusing cross-site state changes, and security headers.

use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses a request that changes state when it comes from another site (cross-site request
/// forgery). Browsers send `Origin` with every such request; when it is absent (older browsers,
/// privacy settings) `Referer` stands in, and `Sec-Fetch-Site: cross-site` is refused outright.
/// Requests with none of them are not from a browser form and carry no ambient cookie risk beyond
/// what SameSite=Lax already blocks.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    // A one-click unsubscribe (RFC 8058) may come from a webmail page on another site. It uses no
    // session: the token in the path is the only authority, so there is nothing to forge.
    if request.uri().path().starts_with("/unsubscribe/") {
        return next.run(request).await;
    }
    if is_cross_site(request.headers(), state.public_origin.as_deref()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        let lang = request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(app::i18n::Lang::negotiate)
            .unwrap_or(app::i18n::Lang::En);
        return (
            StatusCode::FORBIDDEN,
            app::i18n::Msg::ErrorForeignOrigin.render(lang),
        )
            .into_response();
    }
    next.run(request).await
}

/// Whether a request's headers show it was sent by another site.
pub fn is_cross_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return true;
    }
    let expected = match public_origin {
        Some(origin) => origin.trim_end_matches('/').to_string(),
        None => match text(header::HOST) {
            Some(host) => host.to_string(),
            None => return true,
        },
    };
    let matches = |claimed: &str| match public_origin {
        Some(_) => claimed.trim_end_matches('/') == expected,
        // Without a configured origin, compare the authority (host:port) with the Host header.
        None => {
            claimed
                .split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
                == Some(expected.as_str())
        }
    };
    match (text(header::ORIGIN), text(header::REFERER)) {
        (Some("null"), _) => true,
        (Some(origin), _) => !matches(origin),
        (None, Some(referer)) => {
            let origin: String = match referer.split_once("://") {
                Some((scheme, rest)) => {
                    format!("{scheme}://{}", rest.split('/').next().unwrap_or(""))
                }
                None => return true,
            };
            !matches(&origin)
        }
        (None, None) => false,
    }
}

/// A request's path as it may be written to the log: the token of a link sent by mail (a reset
/// link's is a password for an hour; a confirmation's proves an address; an unsubscribe link's
/// stops a list) is replaced by `…`.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for mark in ["/auth/reset/", "/auth/verify/", "/unsubscribe/"] {
        if path
            .strip_prefix(mark)
            .is_some_and(|token| !token.is_empty())
        {
            return format!("{mark}…").into();
        }
    }
    path.into()
}

/// The span each request is traced in (`tower_http`'s, with [`loggable_path`] and no query,
/// which may carry tokens too).
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
        version = ?request.version(),
    )
}

/// Headers every response carries.
pub async fn security_headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn reset_tokens_stay_out_of_the_log() {
        let token = "ab".repeat(32);
        let path = format!("/auth/reset/{token}");
        assert_eq!(loggable_path(&path), "/auth/reset/…");
        assert_eq!(loggable_path("/auth/reset"), "/auth/reset");
        assert_eq!(loggable_path("/processes/1"), "/processes/1");
        assert_eq!(loggable_path("/unsubscribe/0a1b"), "/unsubscribe/…");
        assert_eq!(
            loggable_path(&format!("/auth/verify/{token}")),
            "/auth/verify/…"
        );
        let request = Request::builder()
            .uri(format!("{path}?x=1"))
            .body(())
            .unwrap();
        let span = request_span(&request);
        let _ = span;
    }

    #[test]
    fn same_origin_requests_pass() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(!is_cross_site(&h, None));
        let h = headers(&[("host", "x"), ("origin", "https://baraza.example.org")]);
        assert!(!is_cross_site(&h, Some("https://baraza.example.org/")));
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("referer", "http://127.0.0.1:3000/auth/login"),
        ]);
        assert!(!is_cross_site(&h, None));
        // A non-browser client sends neither.
        assert!(!is_cross_site(
            &headers(&[("host", "127.0.0.1:3000")]),
            None
        ));
    }

    #[test]
    fn foreign_requests_are_refused() {
        for h in [
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://evil.example"),
            ]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3001"),
            ]),
            headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("referer", "http://evil.example/page"),
            ]),
            headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]),
        ] {
            assert!(is_cross_site(&h, None), "{h:?}");
        }
        let h = headers(&[
            ("host", "baraza.example.org"),
            ("origin", "http://baraza.example.org"),
        ]);
        assert!(is_cross_site(&h, Some("https://baraza.example.org")));
    }
}
