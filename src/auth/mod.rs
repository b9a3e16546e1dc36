//! Signing in, the session and logging out. `logout.rs` holds everything
//! about logging out; the server-only pure rules are in `rules/`.

pub mod components;
pub mod login;
pub mod logout;

#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod session;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use logout::{LoggedOut, LogoutError, EVERYWHERE_FAILED_MESSAGE};

/// What the browser may know about the signed-in user. No tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub avatar_url: Option<String>,
}

/// The request's server state and parts. Missing outside a request (Leptos
/// renders the app once at start-up to list its routes, which starts the
/// user resource): an error then, not a panic.
#[cfg(feature = "ssr")]
pub(crate) fn request_context(
) -> Result<(crate::server::AppState, http::request::Parts), ServerFnError> {
    match (
        use_context::<crate::server::AppState>(),
        use_context::<http::request::Parts>(),
    ) {
        (Some(state), Some(parts)) => Ok((state, parts)),
        _ => Err(ServerFnError::new("no request in progress")),
    }
}

/// Whether this server runs the embedded development CentralAuth.
#[server(prefix = "/api/auth", endpoint = "provider")]
pub async fn development_provider_active() -> Result<bool, ServerFnError> {
    let (state, _) = request_context()?;
    Ok(state.dev_provider_active())
}

/// The signed-in user, `None` when signed out. Clears the session cookie when
/// CentralAuth says the session is gone.
#[server(prefix = "/api/auth", endpoint = "current_user")]
pub async fn get_user() -> Result<Option<CurrentUser>, ServerFnError> {
    use axum::extract::ConnectInfo;
    use http::{header, HeaderValue};
    use std::net::SocketAddr;

    let (state, parts) = request_context()?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let lookup = session::current_user(&state, &parts.headers, peer)
        .await
        .map_err(|_| {
            ServerFnError::new("CentralAuth could not be reached to check your session.")
        })?;
    for c in lookup.set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.append_header(header::SET_COOKIE, v);
        }
    }
    Ok(lookup.user)
}
