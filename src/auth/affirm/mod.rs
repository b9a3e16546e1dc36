//! Affirmation: before something sensitive, the user confirms who they are
//! at CentralAuth, even though signed in (CentralAuth's "affirming existing
//! sessions"). `server.rs` has the route that starts it and the check an
//! action calls; the callback's half (same user or nothing changes) is in
//! the sign-in's `complete_login`. The demonstration: the session details
//! on `/account` (`view.rs`), which the server puts into the session's
//! answer (`CurrentUser::session_details`) only within [`FRESH_FOR_SECS`]
//! of an affirmation. They ride on the session's existing resource: a
//! server function and resource of their own cost the wasm bundle 11 KB
//! gzip, this 6 KB.

#[cfg(feature = "ssr")]
pub mod server;
pub mod view;

/// How recent an affirmation the session details want.
pub const FRESH_FOR_SECS: u64 = 5 * 60;

/// The link that starts an affirmation and comes back to `return_to`.
pub fn affirm_href(return_to: &str) -> String {
    format!(
        "/api/auth/affirm?return_to={}",
        crate::auth::login::encode_query_value(return_to)
    )
}
