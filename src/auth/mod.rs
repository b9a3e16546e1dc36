//! Signing in, the session and logging out, one file per feature:
//! `logout.rs` (the server function, the button, the `/logout` page, the
//! plain routes), `login.rs` (login and callback routes, the error page),
//! `session.rs` (who is signed in, the session context, the header menu),
//! `account.rs`. Server only: `core/` (the framework-light steps those files
//! call) and `rules/` (pure rules with unit and property tests).

pub mod account;
pub mod login;
pub mod logout;
pub mod session;

#[cfg(feature = "ssr")]
pub mod core;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod rules;

#[cfg(feature = "ssr")]
use leptos::prelude::*;

pub use logout::{LoggedOut, LogoutError, EVERYWHERE_FAILED_MESSAGE};
pub use session::CurrentUser;

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
