//! Logging out, in one folder. Here, what browser and server share: the
//! typed answer and its errors. `server_fn.rs` is the server function behind
//! the button, `view.rs` the `LogoutButton` with its "log out everywhere"
//! toggle and the `/logout` page, `landing.rs` what the page after a logout
//! says. Server only: `server.rs`, the logout itself, the typed reply both
//! doors (the server function and the plain `/api/auth/logout` route for
//! callers without Leptos) answer from, and that route.

use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError};
use serde::{Deserialize, Serialize};

pub mod landing;
#[cfg(feature = "ssr")]
pub mod server;
pub mod server_fn;
pub mod view;

pub const EVERYWHERE_FAILED_MESSAGE: &str =
    "We couldn't end your CentralAuth session everywhere. You are still signed in here.";

/// The toggle's hint: what "everywhere" does, and what leaving it off means
/// for the next sign-in (CentralAuth signs the same account straight back in).
pub const EVERYWHERE_HINT: &str = "Also ends your CentralAuth session in every app that uses it. \
     Without it, CentralAuth keeps you signed in: the next sign-in continues as the same account \
     without asking. To switch accounts, log out everywhere.";

/// A finished logout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedOut {
    /// The validated return URL: a path on this app or an allowed absolute URL.
    pub redirect_to: String,
    pub everywhere: bool,
}

/// Why a logout did not happen; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LogoutError {
    /// CentralAuth could not end the session (timeout, refused, 5xx, 429, …).
    /// The session here is kept, so the user is still signed in.
    #[error("{}", EVERYWHERE_FAILED_MESSAGE)]
    Everywhere { error_code: String },
    #[error("Logging out failed: {0}")]
    Other(String),
}

impl FromServerFnError for LogoutError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        // Arguments the server could not read are the client's error: 400,
        // not server_fn's blanket 500 (see guards::server_fn_guard).
        #[cfg(feature = "ssr")]
        if crate::guards::is_request_error(&value) {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::BAD_REQUEST);
            }
        }
        Self::Other(value.to_string())
    }
}
