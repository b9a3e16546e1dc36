//! The session, server side: what the app knows from a request (its token,
//! the client's address and agent), who the session belongs to, asked of
//! CentralAuth, and `GET /api/auth/user` for callers without Leptos.

use std::{net::IpAddr, time::Instant};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};

use super::{CurrentUser, SessionDetails};
use crate::{
    centralauth::{CentralAuthError, ClientContext, Secret, User},
    hooks::AuthEvent,
    reply::{finish, json_error},
    rules::{affirm, client_ip, cookies},
    state::AppState,
};

fn client_context(state: &AppState, headers: &HeaderMap, peer: Option<IpAddr>) -> ClientContext {
    client_ip::client_context(headers, peer, &state.config.trusted_proxies)
}

/// The session token this request carries, if any: a value that cannot be
/// a CentralAuth token is no session (see [`cookies::plausible_token`]).
pub fn session_token(headers: &HeaderMap, secure: bool) -> Option<Secret> {
    let value = cookies::session(headers, secure)?;
    if cookies::plausible_token(&value) {
        Some(Secret::new(value))
    } else {
        tracing::debug!(
            bytes = value.len(),
            "session cookie is not a token; ignored"
        );
        None
    }
}

pub struct UserLookup<U = CurrentUser> {
    pub user: Option<U>,
    /// Set-Cookie values to send (the cleared session when CentralAuth said it is gone).
    pub set_cookies: Vec<String>,
}

/// Who the session belongs to, as the browser may see it.
pub async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<UserLookup, CentralAuthError> {
    let found = session_user(state, headers, peer).await?;
    Ok(UserLookup {
        user: found.user.map(|u| shown(u, state.secure_cookies())),
        set_cookies: found.set_cookies,
    })
}

/// Asks CentralAuth who the session belongs to (its whole answer, for the
/// server). A session CentralAuth calls gone is logged out here too; an
/// unreachable CentralAuth is an error, not a logout.
pub async fn session_user(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<UserLookup<User>, CentralAuthError> {
    let Some(token) = session_token(headers, state.secure_cookies()) else {
        return Ok(UserLookup {
            user: None,
            set_cookies: vec![],
        });
    };
    let client = client_context(state, headers, peer);
    let cache = state.session_cache.as_ref();
    if let Some(user) = cache.and_then(|c| c.get(token.expose(), &client, Instant::now())) {
        return Ok(UserLookup {
            user: Some(user),
            set_cookies: vec![],
        });
    }
    match state.centralauth.userinfo(&token, &client).await {
        Ok(user) => {
            if let Some(c) = cache {
                c.insert(token.expose(), &client, user.clone(), Instant::now());
            }
            Ok(UserLookup {
                user: Some(user),
                set_cookies: vec![],
            })
        }
        Err(e) if e.session_gone() => {
            let user = cache.and_then(|c| c.forget(token.expose()));
            if e.session_ended() {
                state.hooks.notify(AuthEvent::SessionGone { user }).await;
            }
            // Debug, not info: anyone can send a made-up cookie, and a line
            // per such request would let them fill the disk.
            tracing::debug!(
                error_code = e.error_code(),
                "session ended at CentralAuth; clearing the cookie"
            );
            Ok(UserLookup {
                user: None,
                set_cookies: cookies::clear_all(state.secure_cookies()),
            })
        }
        Err(e) => {
            tracing::warn!(
                error_code = e.error_code(),
                "could not check the session with CentralAuth: {e}"
            );
            Err(e)
        }
    }
}

/// What the browser may see of CentralAuth's answer. An https page shows
/// only https images: an http one would be mixed content, and the policy
/// refuses it.
fn shown(user: User, secure: bool) -> CurrentUser {
    CurrentUser {
        session_details: affirm::affirmed_within(
            user.affirmation_date.as_deref(),
            crate::auth::affirm::FRESH_FOR_SECS,
            crate::rules::state::now_unix(),
        )
        .then(|| {
            let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
            SessionDetails {
                verified: user.verified,
                created: or_dash(&user.created),
                last_login: or_dash(&user.last_login),
                affirmed_at: or_dash(&user.affirmation_date),
            }
        }),
        avatar_url: user
            .gravatar
            .filter(|g| g.starts_with("https://") || (!secure && g.starts_with("http://"))),
        id: user.id,
        email: user.email,
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/auth/user", get(user))
}

/// `GET /api/auth/user`: the user as JSON, `null` when logged out.
async fn user(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
) -> Response {
    let peer = crate::rules::client_ip::peer(&extensions);
    match current_user(&state, &headers, peer).await {
        // The session details are for this app's own page only.
        Ok(lookup) => {
            let user = lookup.user.map(|u| CurrentUser {
                session_details: None,
                ..u
            });
            finish(Json(user).into_response(), None, lookup.set_cookies)
        }
        Err(e) => json_error(
            StatusCode::BAD_GATEWAY,
            "centralAuthUnavailable",
            "CentralAuth could not be reached to check the session.",
            Some(e.error_code()),
        ),
    }
}
