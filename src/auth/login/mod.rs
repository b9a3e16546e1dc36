//! Signing in: the reasons a sign-in can fail and the link that starts
//! one (shared by browser and server); `view.rs` is the page that explains
//! a failure, `server_fn.rs` checks what that page may show. Server only:
//! `server.rs`, the login and callback routes and their steps.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod server;
pub mod server_fn;
pub mod view;

/// Why a sign-in did not complete: set by the callback, read by the error
/// page, so the two cannot drift apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    StateExpired,
    StateInvalid,
    MissingCode,
    Provider,
    VerifyRefused,
    Unavailable,
    /// An affirmation came back as another account; the session is kept.
    AffirmedAnotherUser,
    /// A link with no or an unknown reason.
    Unknown,
}

impl SignInFailure {
    pub const ALL: [Self; 8] = [
        Self::StateExpired,
        Self::StateInvalid,
        Self::MissingCode,
        Self::Provider,
        Self::VerifyRefused,
        Self::Unavailable,
        Self::AffirmedAnotherUser,
        Self::Unknown,
    ];

    /// The `reason` query value on `/auth/error`.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::StateExpired => "state_expired",
            Self::StateInvalid => "state_invalid",
            Self::MissingCode => "missing_code",
            Self::Provider => "provider",
            Self::VerifyRefused => "verify_refused",
            Self::Unavailable => "unavailable",
            Self::AffirmedAnotherUser => "affirmed_another_user",
            Self::Unknown => "unknown",
        }
    }

    pub fn from_query(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| r.as_query() == value)
            .unwrap_or(Self::Unknown)
    }

    /// What the page says; `code` is CentralAuth's, when the server vouched
    /// for it.
    pub fn message(self, code: Option<String>) -> String {
        match self {
            Self::StateExpired => "Your sign-in took too long and has expired.".to_string(),
            Self::StateInvalid => "This sign-in response could not be verified: it may have been tampered with, or it was not started here.".to_string(),
            Self::MissingCode => "The sign-in response from CentralAuth was incomplete.".to_string(),
            Self::Provider => "CentralAuth could not sign you in.".to_string(),
            Self::VerifyRefused => match code.filter(|c| !c.is_empty()) {
                Some(code) => format!("CentralAuth refused to complete the sign-in ({code})."),
                None => "CentralAuth refused to complete the sign-in.".to_string(),
            },
            Self::Unavailable => "CentralAuth could not be reached. Please try again in a moment.".to_string(),
            Self::AffirmedAnotherUser => "You confirmed as a different account, so nothing changed: you are still signed in as before. To use the other account, log out everywhere first.".to_string(),
            Self::Unknown => "The sign-in did not complete.".to_string(),
        }
    }
}

/// What CentralAuth said when a sign-in failed, as the error page may show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderErrorDetail {
    pub code: String,
    pub detail: String,
}

/// Percent-encodes a query value (no `url` crate in the wasm bundle).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn login_href(return_to: &str) -> String {
    format!(
        "/api/auth/login?return_to={}",
        encode_query_value(return_to)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_reason_round_trips_through_the_link_and_has_its_own_message() {
        let mut messages = std::collections::HashSet::new();
        for reason in SignInFailure::ALL {
            assert_eq!(SignInFailure::from_query(reason.as_query()), reason);
            assert!(messages.insert(reason.message(None)), "{reason:?}");
        }
        assert_eq!(SignInFailure::from_query("no such"), SignInFailure::Unknown);
        assert!(SignInFailure::VerifyRefused
            .message(Some("codeInvalid".into()))
            .contains("(codeInvalid)"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/account?tab=a b&x=ü"),
            "/account%3Ftab%3Da%20b%26x%3D%C3%BC"
        );
        assert_eq!(login_href("/"), "/api/auth/login?return_to=/");
    }
}
