//! The session: who is signed in. `server_fn.rs` asks the server,
//! `context.rs` holds the answer for every component and keeps it right
//! across tabs (`cross_tab.rs`) and the back/forward cache, `announce.rs`
//! tells screen readers what changed, `view.rs` draws the header and the
//! notices. Server only: `server.rs`, the lookup at CentralAuth and
//! `GET /api/auth/user`.

use serde::{Deserialize, Serialize};

pub mod announce;
pub mod context;
#[cfg(feature = "hydrate")]
pub mod cross_tab;
#[cfg(feature = "ssr")]
pub mod server;
pub mod server_fn;
pub mod view;

/// What the browser may know about the signed-in user. No tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub avatar_url: Option<String>,
    /// The session details (label, value), present only within
    /// `affirm::FRESH_FOR_SECS` of an affirmation: decided by the server on
    /// every check (`auth::affirm`). Not sent by `GET /api/auth/user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_details: Option<SessionDetails>,
}

/// What `/account` reveals after a fresh affirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDetails {
    pub verified: bool,
    pub created: String,
    pub last_login: String,
    pub affirmed_at: String,
}
