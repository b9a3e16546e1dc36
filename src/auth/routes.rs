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

use super::session::{self, CallbackParams, Outcome};
use crate::server::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/login", get(login))
        .route(session::CALLBACK_PATH, get(callback))
        .route("/api/auth/user", get(user))
        .merge(super::logout::server::routes())
}

type Params = Query<HashMap<String, String>>;

fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
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

fn to_path(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

fn same_origin_referer(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    (url.origin().ascii_serialization() == state.config.public_origin).then(|| {
        let mut p = url.path().to_string();
        if let Some(q) = url.query() {
            p.push('?');
            p.push_str(q);
        }
        p
    })
}

/// `GET /api/auth/login?return_to=&email=&error_message=&error_sig=`
async fn login(State(state): State<AppState>, headers: HeaderMap, Query(q): Params) -> Response {
    // Like the NPM library, fall back to the Referer, but only a same-origin one.
    let return_to = param(&q, "return_to")
        .map(str::to_string)
        .or_else(|| same_origin_referer(&state, &headers));
    // Forwarded only when this server signed it (session::login_path_with_message).
    let error_message = param(&q, "error_message").filter(|m| {
        super::rules::state::login_message_is_authentic(
            &state.state_key,
            m,
            param(&q, "error_sig").unwrap_or(""),
        )
    });
    let outcome = session::begin_login(
        &state,
        return_to.as_deref(),
        param(&q, "email"),
        error_message,
    );
    redirect(StatusCode::FOUND, outcome)
}

/// `GET /api/auth/callback?return_to=&code=&state=` (or `&error=&error_description=`)
async fn callback(State(state): State<AppState>, headers: HeaderMap, Query(q): Params) -> Response {
    let params = CallbackParams {
        code: param(&q, "code"),
        state: param(&q, "state"),
        error: param(&q, "error"),
        error_description: param(&q, "error_description"),
    };
    let return_to = param(&q, "return_to");
    match session::complete_login(&state, &headers, &params, return_to).await {
        Ok(outcome) => redirect(StatusCode::SEE_OTHER, outcome),
        Err(err) => {
            // Display of every variant holds only checked codes or escaped text.
            tracing::warn!(reason = err.reason(), "sign-in callback refused: {err}");
            let (code, detail) = err.provider_text();
            // The page shows code and detail only with this signature, so a
            // crafted link cannot put words in CentralAuth's mouth.
            let sig = if code.is_empty() && detail.is_empty() {
                String::new()
            } else {
                super::rules::state::sign_error_detail(&state.state_key, code, detail)
            };
            let location = to_path(
                "/auth/error",
                &[
                    ("reason", err.reason()),
                    ("code", code),
                    ("detail", detail),
                    ("sig", &sig),
                    ("return_to", &state.return_url(return_to)),
                ],
            );
            redirect(
                StatusCode::SEE_OTHER,
                Outcome {
                    location,
                    set_cookies: vec![],
                },
            )
        }
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
