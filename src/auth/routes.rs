//! Plain HTTP routes, for the browser's redirects and for non-Leptos callers.
//! Route names follow CentralAuth's NPM library.

use std::collections::HashMap;

use axum::{
    extract::Query,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};

use super::core::Outcome;
use crate::server::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::session::server::routes())
        .merge(super::login::server::routes())
        .merge(super::logout::server::routes())
}

pub(crate) type Params = Query<HashMap<String, String>>;

pub(crate) fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str)
}

/// A redirect with its cookies, never cached.
pub fn redirect(status: StatusCode, outcome: Outcome) -> Response {
    finish(
        status.into_response(),
        Some(&outcome.location),
        outcome.set_cookies,
    )
}

/// Adds `Location` (if any), the cookies and `no-store` to a response:
/// every auth answer carries them the same way.
pub fn finish(
    mut res: Response,
    location: Option<&str>,
    set_cookies: impl IntoIterator<Item = String>,
) -> Response {
    let h = res.headers_mut();
    if let Some(v) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        h.insert(header::LOCATION, v);
    }
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub(crate) fn to_path(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
