//! Affirmation, server side: `GET /api/auth/affirm?return_to=` (the route
//! CentralAuth's NPM library names for it) and [`require_affirmed`], the
//! check a server function makes before a sensitive action.

use std::net::IpAddr;

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::{
    auth::{login::server::begin_login, session::server::session_user},
    centralauth::{CentralAuthError, User},
    reply::{finish, json_error, param, redirect, Params},
    rules::{affirm, state::now_unix},
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/auth/affirm", get(affirm_route))
}

/// Signed in: to CentralAuth, asking this user to confirm who they are (the
/// e-mail filled in), and back to `return_to`. Signed out: a plain sign-in.
async fn affirm_route(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let peer = crate::rules::client_ip::peer(&extensions);
    let return_to = param(&q, "return_to");
    match session_user(&state, &headers, peer).await {
        Ok(found) => {
            let expected = found.user.map(|u| affirm::Expected {
                user_id: u.id,
                email: u.email,
            });
            let mut outcome = begin_login(&state, return_to, None, None, expected.as_ref());
            outcome.set_cookies.extend(found.set_cookies);
            redirect(StatusCode::FOUND, outcome)
        }
        Err(e) => json_error(
            StatusCode::BAD_GATEWAY,
            "centralAuthUnavailable",
            "CentralAuth could not be reached to check the session.",
            Some(e.error_code()),
        ),
    }
}

/// Why an action that wants a recent affirmation cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum AffirmationError {
    #[error("not signed in")]
    SignedOut,
    #[error("no affirmation within {0} seconds")]
    NeedsAffirmation(u64),
    #[error(transparent)]
    CentralAuth(#[from] CentralAuthError),
}

/// The signed-in user, if they affirmed within `max_age_secs` (CentralAuth's
/// `affirmationDate`, asked afresh unless the session cache holds it).
/// Call it in the server function of the action itself: a check in the
/// page alone is a hint, not a lock.
pub async fn require_affirmed(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    max_age_secs: u64,
) -> Result<(User, Vec<String>), AffirmationError> {
    let found = session_user(state, headers, peer).await?;
    let user = found.user.ok_or(AffirmationError::SignedOut)?;
    if affirm::affirmed_within(user.affirmation_date.as_deref(), max_age_secs, now_unix()) {
        Ok((user, found.set_cookies))
    } else {
        Err(AffirmationError::NeedsAffirmation(max_age_secs))
    }
}

impl IntoResponse for AffirmationError {
    fn into_response(self) -> Response {
        let res = match self {
            Self::SignedOut => json_error(
                StatusCode::UNAUTHORIZED,
                "tokenMissing",
                "Sign in first.",
                None,
            ),
            Self::NeedsAffirmation(_) => json_error(
                StatusCode::FORBIDDEN,
                "affirmationRequired",
                "Confirm who you are first: /api/auth/affirm",
                None,
            ),
            Self::CentralAuth(e) => json_error(
                StatusCode::BAD_GATEWAY,
                "centralAuthUnavailable",
                "CentralAuth could not be reached to check the session.",
                Some(e.error_code()),
            ),
        };
        finish(res, None, vec![])
    }
}
