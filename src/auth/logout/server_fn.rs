//! The server's side of the button: the logout itself, and what the
//! logout that brought a browser to a page did.

use leptos::prelude::*;

use super::{LoggedOut, LogoutError};

/// Logs out. `everywhere` also ends the CentralAuth session in every app
/// sharing it. With JavaScript the result comes back as data; a plain form
/// post gets a 303 to the return URL (or to the error page).
#[server(prefix = "/api/auth/fn", endpoint = "logout")]
pub async fn logout(
    #[server(default)] everywhere: bool,
    #[server(default)] return_to: Option<String>,
) -> Result<LoggedOut, LogoutError> {
    let (state, parts) =
        crate::state::request_context().map_err(|e| LogoutError::Other(e.to_string()))?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    super::server::logout(
        &state,
        &parts.headers,
        everywhere,
        return_to.as_deref(),
        super::server::Door::ServerFunction,
    )
    .await
    .apply(&response)
}

/// What the logout that brought this browser here did, as the server
/// answered it: `Some(everywhere)` once, from the short-lived cookie a
/// redirecting logout sets (then cleared), else `None`. The landing page
/// claims only this, never what its URL says. Read while the server
/// renders the page (a no-JavaScript logout always lands on a full page
/// load); in the browser there is nothing to read, so no server call and
/// no code for one in the bundle.
pub async fn logout_outcome() -> Option<bool> {
    #[cfg(feature = "ssr")]
    {
        use crate::rules::cookies;
        let (state, parts) = crate::state::request_context().ok()?;
        let secure = state.secure_cookies();
        let outcome = cookies::read(&parts.headers, cookies::logged_out(secure))
            .and_then(|v| cookies::logout_outcome_from(&v));
        if outcome.is_some() {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                let clear = cookies::clear(cookies::logged_out(secure), secure);
                crate::reply::append_cookies_to(&response, [clear]);
            }
        }
        outcome
    }
    #[cfg(not(feature = "ssr"))]
    None
}
