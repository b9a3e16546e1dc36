//! CentralAuth, server side only and with no Leptos in it: the wire client
//! and the opt-in memory of its answers about a session.
//! The development provider that speaks the same contract lives apart, in
//! `crate::dev_centralauth`.

mod client;
mod error;
mod pkce;
mod readiness;
mod secret;
pub mod session_cache;
mod types;

pub use client::{basic_auth_value, CentralAuthClient, ClientBuildError, ClientConfig};
pub use error::{log_safe, CentralAuthError, MAX_CODE_CHARS, MAX_MESSAGE_CHARS};
pub use pkce::{challenge_s256, is_valid_verifier, new_verifier, random_urlsafe};
pub use readiness::Readiness;
pub use secret::Secret;
pub use types::{ClientContext, LoginParams, TokenResponse, User};
