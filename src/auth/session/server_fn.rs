//! The session's server functions: who is signed in, and whether the
//! development CentralAuth is in use.

use leptos::prelude::*;

use super::CurrentUser;

/// Whether this server runs the embedded development CentralAuth.
#[server(prefix = "/api/auth/fn", endpoint = "provider")]
pub async fn development_provider_active() -> Result<bool, ServerFnError> {
    let (state, _) = crate::state::request_context()?;
    Ok(state.dev_provider_active())
}

/// The signed-in user, `None` when logged out. Clears the session cookie when
/// CentralAuth says the session is gone.
#[server(prefix = "/api/auth/fn", endpoint = "user")]
pub async fn get_user() -> Result<Option<CurrentUser>, ServerFnError> {
    let (state, parts) = crate::state::request_context()?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    let peer = crate::rules::client_ip::peer(&parts.extensions);
    let lookup = super::server::current_user(&state, &parts.headers, peer)
        .await
        .map_err(|_| {
            ServerFnError::new("CentralAuth could not be reached to check your session.")
        })?;
    crate::reply::append_cookies_to(&response, lookup.set_cookies);
    Ok(lookup.user)
}
