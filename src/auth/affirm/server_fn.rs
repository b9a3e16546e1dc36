//! The demonstration's server function: the session details, only for a
//! fresh affirmation. The check runs here, on the server, for every call.

use leptos::prelude::*;

use super::SessionDetails;

#[server(prefix = "/api/auth/fn", endpoint = "session_details")]
pub async fn get_session_details() -> Result<SessionDetails, ServerFnError> {
    use super::{server::AffirmationError, FRESH_FOR_SECS};
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    let (state, parts) = crate::state::request_context()?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match super::server::require_affirmed(&state, &parts.headers, peer, FRESH_FOR_SECS).await {
        Ok((user, set_cookies)) => {
            crate::reply::append_cookies_to(&response, set_cookies);
            Ok(SessionDetails::Shown {
                user_id: user.id,
                verified: user.verified,
                created: user.created,
                last_login: user.last_login,
                affirmed_at: user.affirmation_date,
            })
        }
        Err(AffirmationError::NeedsAffirmation(_)) => Ok(SessionDetails::NeedsAffirmation),
        Err(AffirmationError::SignedOut) => Ok(SessionDetails::SignedOut),
        Err(AffirmationError::CentralAuth(_)) => Err(ServerFnError::new(
            "CentralAuth could not be reached to check your session.",
        )),
    }
}
