//! Two layers the router puts around everything: what depends on the
//! session is never stored, and only answers without one are compressed;
//! a server-function request the client got wrong is answered with 4xx
//! instead of server_fn's blanket 500.

use std::sync::Arc;

use crate::{reply::json_error, rules::cookies};

/// What depends on the session is never stored: every response to a request
/// that carries one (keyed on the session this app recognises, any cookie
/// `session_token` would send to CentralAuth, not on one cookie name), and,
/// signed out too, every page and redirect. Browsers replay stored
/// documents on Back without asking: a signed-in page after logout, or a
/// signed-out `/account` redirect after signing in again, which sent the
/// sign-in chain back to sign-in until the browser gave up (too many
/// redirects). Static files (`/pkg/`, images) stay cacheable. Answers to a
/// request without a session go through `compress::public`.
pub async fn by_session(
    axum::extract::State(secure): axum::extract::State<bool>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let signed_in = cookies::session(req.headers(), secure).is_some();
    let static_asset = req.uri().path().starts_with("/pkg/");
    let accept_encoding = (!signed_in)
        .then(|| req.headers().get(http::header::ACCEPT_ENCODING).cloned())
        .flatten();
    let mut res = next.run(req).await;
    if !static_asset && (signed_in || depends_on_session(&res)) {
        res.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store, private"),
        );
    }
    if signed_in || !crate::compress::compressible(&res) {
        return res;
    }
    // Boxed: this future is on every request's path; the compression's
    // state only on the few it serves.
    Box::pin(crate::compress::public(res, accept_encoding)).await
}

/// A redirect or an HTML page: what the server renders per session.
fn depends_on_session(res: &axum::response::Response) -> bool {
    // Runs on every response: a prefix compare, no allocation.
    let html = res
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.as_bytes().get(..9))
        .is_some_and(|p| p.eq_ignore_ascii_case(b"text/html"));
    res.status().is_redirection() || html
}

/// Server-function arguments are a few short fields; a larger body is refused.
pub const SERVER_FN_BODY_LIMIT: usize = 64 * 1024;

pub fn server_fn_paths() -> std::collections::HashSet<&'static str> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect()
}

/// Whether server_fn's error means the request could not be read: the
/// client's fault, answered with 400.
pub fn is_request_error(err: &leptos::server_fn::error::ServerFnErrorErr) -> bool {
    use leptos::server_fn::error::ServerFnErrorErr::*;
    matches!(err, Args(_) | Deserialization(_) | MissingArg(_))
}

/// server_fn answers every failure with 500, a request the client got wrong
/// included. This guard, on server-function paths only, answers those with
/// 4xx: a body over [`SERVER_FN_BODY_LIMIT`] gets 413, a form body that is
/// not UTF-8 gets 400, and an argument error from a function returning
/// `ServerFnError` (server_fn's `Args|`, `Deserialization|`, `MissingArg|`
/// answers) gets 400. Our own error types set their status themselves.
pub async fn server_fn_guard(
    axum::extract::State(paths): axum::extract::State<Arc<std::collections::HashSet<&'static str>>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::body::Body;
    use http::{header, StatusCode};
    use http_body_util::{BodyExt, LengthLimitError, Limited};

    if !paths.contains(req.uri().path()) {
        return next.run(req).await;
    }
    let refuse =
        |status: StatusCode, message: &str| json_error(status, "badRequest", message, None);
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, SERVER_FN_BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            )
        }
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
        }
    };
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if form && std::str::from_utf8(&bytes).is_err() {
        return refuse(StatusCode::BAD_REQUEST, "The form data is not valid UTF-8.");
    }

    let res = next
        .run(axum::extract::Request::from_parts(parts, Body::from(bytes)))
        .await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let body = Limited::new(body, SERVER_FN_BODY_LIMIT)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    if [&b"Args|"[..], b"Deserialization|", b"MissingArg|"]
        .iter()
        .any(|prefix| body.starts_with(prefix))
    {
        parts.status = StatusCode::BAD_REQUEST;
    }
    axum::response::Response::from_parts(parts, Body::from(body))
}
