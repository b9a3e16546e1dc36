//! Affirmation: before something sensitive, the user confirms who they are
//! at CentralAuth, even though signed in (CentralAuth's "affirming existing
//! sessions"). `server.rs` has the route that starts it and the check an
//! action calls; the callback's half (same user or nothing changes) is in
//! the sign-in's `complete_login`. The demonstration: the session details
//! on `/account`, shown only within [`FRESH_FOR_SECS`] of an affirmation
//! (`server_fn.rs`, `view.rs`).

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod server;
pub mod server_fn;
pub mod view;

/// How recent an affirmation the session details want.
pub const FRESH_FOR_SECS: u64 = 5 * 60;

/// The session details, or why they are not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionDetails {
    Shown {
        user_id: String,
        verified: bool,
        created: Option<String>,
        last_login: Option<String>,
        affirmed_at: Option<String>,
    },
    /// Not affirmed within [`FRESH_FOR_SECS`]: confirm first.
    NeedsAffirmation,
    SignedOut,
}

/// The link that starts an affirmation and comes back to `return_to`.
pub fn affirm_href(return_to: &str) -> String {
    format!(
        "/api/auth/affirm?return_to={}",
        crate::auth::login::encode_query_value(return_to)
    )
}
