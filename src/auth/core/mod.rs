//! The server-side core of signing in, the session and logging out, shared
//! by the axum routes and the Leptos server functions. Framework-light:
//! headers in, cookies and a location out; the routes, server functions and
//! components of each feature are in `auth/<feature>.rs`.

pub mod logout;
pub mod session;
pub mod session_cache;
pub mod signin;

/// What a finished step asks the HTTP layer to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub location: String,
    pub set_cookies: Vec<String>,
}
