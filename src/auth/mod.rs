//! Sign-in, the session and sign-out: server functions and components here,
//! pure rules and HTTP routes in the server-only modules.

pub mod components;

#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod session;

use leptos::{
    prelude::*,
    server_fn::{codec::JsonEncoding, error::FromServerFnError},
};
use serde::{Deserialize, Serialize};

pub const EVERYWHERE_FAILED_MESSAGE: &str =
    "We couldn't end your CentralAuth session everywhere. You are still signed in here.";

/// What the browser may know about the signed-in user. No tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub avatar_url: Option<String>,
}

/// A finished sign-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOut {
    /// The validated return URL: a path on this app or an allowed absolute URL.
    pub redirect_to: String,
    pub everywhere: bool,
}

/// Why a sign-out did not happen; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LogoutError {
    /// CentralAuth could not end the session (timeout, refused, 5xx, 429, …).
    /// The session here is kept, so the user is still signed in.
    #[error("{}", EVERYWHERE_FAILED_MESSAGE)]
    Everywhere { error_code: String },
    #[error("Signing out failed: {0}")]
    Other(String),
}

impl FromServerFnError for LogoutError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        // Arguments the server could not read are the client's error: 400,
        // not server_fn's blanket 500 (see server::server_fn_guard).
        #[cfg(feature = "ssr")]
        if crate::server::is_request_error(&value) {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::BAD_REQUEST);
            }
        }
        Self::Other(value.to_string())
    }
}

/// The request's server state and parts. Missing outside a request (Leptos
/// renders the app once at start-up to list its routes, which starts the
/// user resource): an error then, not a panic.
#[cfg(feature = "ssr")]
fn request_context() -> Result<(crate::server::AppState, http::request::Parts), ServerFnError> {
    match (
        use_context::<crate::server::AppState>(),
        use_context::<http::request::Parts>(),
    ) {
        (Some(state), Some(parts)) => Ok((state, parts)),
        _ => Err(ServerFnError::new("no request in progress")),
    }
}

/// What CentralAuth said when a sign-in failed, as the error page may show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderErrorDetail {
    pub code: String,
    pub detail: String,
}

/// The error page's `code` and `detail`, if the callback signed them; `None`
/// for a crafted link.
#[server(prefix = "/api/auth", endpoint = "error_detail")]
pub async fn checked_error_detail(
    code: String,
    detail: String,
    sig: String,
) -> Result<Option<ProviderErrorDetail>, ServerFnError> {
    let (state, _) = request_context()?;
    Ok(
        rules::state::error_detail_is_authentic(&state.state_key, &code, &detail, &sig)
            .then_some(ProviderErrorDetail { code, detail }),
    )
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

/// Signs out. `everywhere` also ends the CentralAuth session in every app
/// sharing it. With JavaScript the result comes back as data; a plain form
/// post gets a 303 to the return URL (or to the error page).
#[server(prefix = "/api/auth", endpoint = "signout")]
pub async fn sign_out(
    #[server(default)] everywhere: bool,
    #[server(default)] return_to: Option<String>,
) -> Result<SignedOut, LogoutError> {
    use http::{header, HeaderValue, StatusCode};

    let (state, parts) = request_context().map_err(|e| LogoutError::Other(e.to_string()))?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    // A form post without JavaScript navigates; the wasm client asks for data.
    let plain_form = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));

    match session::logout(&state, &parts.headers, everywhere, return_to.as_deref()).await {
        Ok(outcome) => {
            for c in &outcome.set_cookies {
                if let Ok(v) = HeaderValue::from_str(c) {
                    response.append_header(header::SET_COOKIE, v);
                }
            }
            if plain_form {
                if let Ok(v) = HeaderValue::from_str(&outcome.location) {
                    response.set_status(StatusCode::SEE_OTHER);
                    response.insert_header(header::LOCATION, v);
                }
            }
            Ok(SignedOut {
                redirect_to: outcome.location,
                everywhere,
            })
        }
        Err(failure) => {
            if plain_form {
                let mut query = url::form_urlencoded::Serializer::new(String::new());
                query.append_pair("failed", "everywhere");
                if let Some(r) = return_to.as_deref().filter(|r| !r.is_empty()) {
                    query.append_pair("return_to", r);
                }
                if let Ok(v) = HeaderValue::from_str(&format!("/logout?{}", query.finish())) {
                    response.set_status(StatusCode::SEE_OTHER);
                    response.insert_header(header::LOCATION, v);
                }
            } else {
                response.set_status(StatusCode::BAD_GATEWAY);
            }
            Err(LogoutError::Everywhere {
                error_code: failure.0.error_code().to_string(),
            })
        }
    }
}
