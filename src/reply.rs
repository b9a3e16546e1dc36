//! How the server's own answers are put on the wire, in one place: a
//! redirect with its cookies, an error as JSON, cookies onto a Leptos
//! response. Every auth answer is `no-store`.

use std::collections::HashMap;

use axum::{
    extract::Query,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

/// What a finished step asks the HTTP layer to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub location: String,
    pub set_cookies: Vec<String>,
}

/// A redirect with its cookies, never cached.
pub fn redirect(status: StatusCode, outcome: Outcome) -> Response {
    finish(
        status.into_response(),
        Some(&outcome.location),
        outcome.set_cookies,
    )
}

/// Adds `Location` (if any), the cookies and `no-store` to a response.
pub fn finish(
    mut res: Response,
    location: Option<&str>,
    set_cookies: impl IntoIterator<Item = String>,
) -> Response {
    let h = res.headers_mut();
    if let Some(v) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        h.insert(header::LOCATION, v);
    }
    append_cookies(h, set_cookies);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// An error answer as JSON, shaped like CentralAuth's own
/// (`{"error", "message", "errorCode"?}`), never cached.
pub fn json_error(
    status: StatusCode,
    error: &str,
    message: &str,
    error_code: Option<&str>,
) -> Response {
    let mut body = serde_json::json!({ "error": error, "message": message });
    if let Some(code) = error_code {
        body["errorCode"] = code.into();
    }
    finish((status, Json(body)).into_response(), None, [])
}

/// The one place `Set-Cookie` values become headers; a value that is not a
/// valid header (never one of ours) is dropped rather than sent broken.
pub fn append_cookies(headers: &mut HeaderMap, set_cookies: impl IntoIterator<Item = String>) {
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

/// The same onto the response of a Leptos server function or page.
pub fn append_cookies_to(
    response: &leptos_axum::ResponseOptions,
    set_cookies: impl IntoIterator<Item = String>,
) {
    let mut headers = HeaderMap::new();
    append_cookies(&mut headers, set_cookies);
    for v in headers.get_all(header::SET_COOKIE) {
        response.append_header(header::SET_COOKIE, v.clone());
    }
}

pub type Params = Query<HashMap<String, String>>;

pub fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str)
}

/// `path?k=v&…`, leaving out empty values.
pub fn to_path(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
