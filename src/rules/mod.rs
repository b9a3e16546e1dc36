//! Server-only pure rules that guard the auth boundaries: where a return URL
//! may lead, how auth cookies are set and cleared, how `state` and messages
//! are signed, which requests count as cross-site, and which address is the
//! client's. Plain functions with unit and property tests; no handlers here.

pub mod affirm;
pub mod client_ip;
pub mod cookies;
pub mod csrf;
pub mod return_url;
pub mod state;
