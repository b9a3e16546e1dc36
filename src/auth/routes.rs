//! Plain HTTP routes, for the browser's redirects and for non-Leptos callers.
//! Route names follow CentralAuth's NPM library.

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    extract::{ConnectInfo, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};

use super::session::{self, Outcome};
use crate::server::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/user", get(user))
        .merge(super::login::server::routes())
        .merge(super::logout::server::routes())
}

pub(crate) type Params = Query<HashMap<String, String>>;

pub(crate) fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str)
}

/// A redirect with its cookies, never cached.
pub fn redirect(status: StatusCode, outcome: Outcome) -> Response {
    let mut res = status.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&outcome.location) {
        h.insert(header::LOCATION, v);
    }
    for c in outcome.set_cookies {
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

/// `GET /api/auth/user`: the user as JSON, `null` when signed out.
async fn user(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
) -> Response {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let mut res = match session::current_user(&state, &headers, peer).await {
        Ok(lookup) => {
            let mut res = Json(lookup.user).into_response();
            for c in lookup.set_cookies {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Json(serde_json::json!({
                "error": "centralAuthUnavailable",
                "message": "CentralAuth could not be reached to check the session.",
                "errorCode": e.error_code(),
            })),
        )
            .into_response(),
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
