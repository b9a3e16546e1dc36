//! The OAuth `state`, verifiable without server-side storage: a nonce and a
//! timestamp under an HMAC keyed from the client secret. Every app of the
//! organization shares that secret, so a state issued by one app verifies on
//! another (CentralAuth's autologin sends callbacks to apps that never
//! issued the state). The code exchange is bound to the browser by PKCE;
//! the nonce is derived from the same PKCE verifier, so a callback can tell
//! whether the browser bringing it is the one that started the sign-in
//! (only then is CentralAuth's error text shown, see [`issued_to`]).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const STATE_TTL_SECS: u64 = 10 * 60;
/// Tolerated clock difference between apps of one organization.
const FUTURE_SKEW_SECS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the sign-in state is missing")]
    Missing,
    #[error("the sign-in state is malformed")]
    Malformed,
    #[error("the sign-in state was not issued by this organization")]
    BadSignature,
    #[error("the sign-in state has expired")]
    Expired,
    #[error("the sign-in was started in another browser")]
    OtherBrowser,
}

/// Domain separation: a state signed by another app (another package name)
/// under the same organisation secret does not verify here.
const STATE_LABEL: &str = concat!(env!("CARGO_PKG_NAME"), "/state/v1");

/// A key for state signing only, derived so the raw secret is used for nothing else here.
#[derive(Clone)]
pub struct StateKey([u8; 32]);

impl StateKey {
    pub fn derive(secret: &str) -> Self {
        let mut mac =
            HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(STATE_LABEL.as_bytes());
        Self(mac.finalize().into_bytes().into())
    }

    pub(crate) fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(payload.as_bytes());
        mac
    }
}

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(***)")
    }
}

/// `v1.<nonce>.<unix seconds>.<signature>`, all URL-safe. The nonce is
/// derived from `verifier`, the PKCE verifier this browser keeps in its
/// cookie (random, never sent anywhere else).
pub fn sign(key: &StateKey, now_unix: u64, verifier: &str) -> String {
    let payload = format!("v1.{}.{now_unix}", browser_nonce(key, verifier));
    let sig = encode_mac(key.mac(&payload));
    format!("{payload}.{sig}")
}

fn browser_nonce(key: &StateKey, verifier: &str) -> String {
    encode_mac(key.mac(&format!("browser/v1.{verifier}")))
}

/// Whether `state` was issued to the browser holding `verifier`. Only
/// meaningful after [`verify`]; an empty verifier matches nothing.
pub fn issued_to(key: &StateKey, state: &str, verifier: &str) -> bool {
    let Some(nonce) = state.split('.').nth(1) else {
        return false;
    };
    !verifier.is_empty() && mac_matches(key.mac(&format!("browser/v1.{verifier}")), nonce)
}

pub fn verify(key: &StateKey, state: Option<&str>, now_unix: u64) -> Result<(), StateError> {
    let state = state.filter(|s| !s.is_empty()).ok_or(StateError::Missing)?;
    let (payload, sig) = state.rsplit_once('.').ok_or(StateError::Malformed)?;
    let mut parts = payload.split('.');
    let (Some("v1"), Some(nonce), Some(ts), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(StateError::Malformed);
    };
    if nonce.is_empty() {
        return Err(StateError::Malformed);
    }
    let issued: u64 = ts.parse().map_err(|_| StateError::Malformed)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| StateError::Malformed)?;
    // Constant-time comparison.
    key.mac(payload)
        .verify_slice(&sig)
        .map_err(|_| StateError::BadSignature)?;
    if issued > now_unix + FUTURE_SKEW_SECS || now_unix.saturating_sub(issued) > STATE_TTL_SECS {
        return Err(StateError::Expired);
    }
    Ok(())
}

/// How long the error page shows CentralAuth's words after the callback.
pub const ERROR_DETAIL_TTL_SECS: u64 = 10 * 60;

/// CentralAuth's error code and description as the callback hands them to
/// the error page: shown only in the browser that started the sign-in
/// (the one holding `verifier`) and only for [`ERROR_DETAIL_TTL_SECS`].
#[derive(Debug, Clone, Copy)]
pub struct ErrorDetail<'a> {
    pub code: &'a str,
    pub detail: &'a str,
    /// When the callback signed it (unix seconds).
    pub at: u64,
}

/// Signs an [`ErrorDetail`] for the browser holding `verifier`, so the page
/// shows only text that really came from CentralAuth, in that browser,
/// shortly after: not text from a crafted link, nor a link sent to others.
pub fn sign_error_detail(key: &StateKey, d: ErrorDetail<'_>, verifier: &str) -> String {
    encode_mac(error_detail_mac(key, d, verifier))
}

pub fn error_detail_is_authentic(
    key: &StateKey,
    d: ErrorDetail<'_>,
    verifier: &str,
    sig: &str,
    now_unix: u64,
) -> bool {
    let fresh = d.at <= now_unix + FUTURE_SKEW_SECS
        && now_unix.saturating_sub(d.at) <= ERROR_DETAIL_TTL_SECS;
    fresh && !verifier.is_empty() && mac_matches(error_detail_mac(key, d, verifier), sig)
}

fn error_detail_mac(key: &StateKey, d: ErrorDetail<'_>, verifier: &str) -> HmacSha256 {
    // Its own prefix, and lengths, so no state and no other split of the
    // same bytes verifies as an error detail.
    key.mac(&format!(
        "error-detail/v2.{}.{}.{}.{}.{}.{}.{verifier}",
        d.at,
        d.code.len(),
        d.code,
        d.detail.len(),
        d.detail,
        verifier.len(),
    ))
}

/// Signs a message the login route may forward to CentralAuth's sign-in page.
pub fn sign_login_message(key: &StateKey, message: &str) -> String {
    encode_mac(login_message_mac(key, message))
}

pub fn login_message_is_authentic(key: &StateKey, message: &str, sig: &str) -> bool {
    mac_matches(login_message_mac(key, message), sig)
}

fn login_message_mac(key: &StateKey, message: &str) -> HmacSha256 {
    key.mac(&format!("login-message/v1.{}.{message}", message.len()))
}

pub(crate) fn encode_mac(mac: HmacSha256) -> String {
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Constant-time comparison with a URL-safe base64 signature.
pub(crate) fn mac_matches(mac: HmacSha256, sig: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(sig)
        .is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: u64 = 1_800_000_000;
    const V: &str = "verifier-of-browser-a";

    #[test]
    fn a_fresh_state_verifies_in_any_app_with_the_same_secret() {
        let issued_by_a = sign(&StateKey::derive("org-secret"), NOW, V);
        assert_eq!(
            verify(&StateKey::derive("org-secret"), Some(&issued_by_a), NOW + 5),
            Ok(())
        );
    }

    #[test]
    fn another_secret_or_a_tampered_state_is_refused() {
        let key = StateKey::derive("org-secret");
        let state = sign(&key, NOW, V);
        assert_eq!(
            verify(&StateKey::derive("other"), Some(&state), NOW),
            Err(StateError::BadSignature)
        );
        // Moving the timestamp invalidates the signature.
        let tampered = state.replacen(&format!(".{NOW}."), &format!(".{}.", NOW + 100), 1);
        assert_eq!(
            verify(&key, Some(&tampered), NOW),
            Err(StateError::BadSignature)
        );
        let mut flipped = state.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == 'A' { 'B' } else { 'A' });
        assert!(verify(&key, Some(&flipped), NOW).is_err());
    }

    #[test]
    fn states_expire() {
        let key = StateKey::derive("s");
        let state = sign(&key, NOW, V);
        assert_eq!(verify(&key, Some(&state), NOW + STATE_TTL_SECS), Ok(()));
        assert_eq!(
            verify(&key, Some(&state), NOW + STATE_TTL_SECS + 1),
            Err(StateError::Expired)
        );
        let from_the_future = sign(&key, NOW + 3600, V);
        assert_eq!(
            verify(&key, Some(&from_the_future), NOW),
            Err(StateError::Expired)
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let key = StateKey::derive("s");
        assert_eq!(verify(&key, None, NOW), Err(StateError::Missing));
        for bad in [
            "x",
            "v1..1.sig",
            "v2.n.1.sig",
            "v1.n.notanumber.c2ln",
            "v1.n.1.!!!",
            "v1.n.1.2.sig",
        ] {
            assert!(verify(&key, Some(bad), NOW).is_err(), "{bad}");
            assert!(!issued_to(&key, bad, V), "{bad}");
        }
    }

    #[test]
    fn a_state_belongs_only_to_the_browser_whose_verifier_made_it() {
        let key = StateKey::derive("org-secret");
        let state = sign(&key, NOW, V);
        assert!(issued_to(&key, &state, V));
        assert!(!issued_to(&key, &state, "verifier-of-browser-b"));
        assert!(!issued_to(&key, &state, ""));
        // Another secret derives another nonce from the same verifier.
        assert!(!issued_to(&StateKey::derive("other"), &state, V));
        // The nonce reveals nothing that signs for the verifier elsewhere.
        assert!(!state.contains(V));
    }

    fn detail(at: u64) -> ErrorDetail<'static> {
        ErrorDetail {
            code: "sessionInvalid",
            detail: "Nope",
            at,
        }
    }

    #[test]
    fn error_details_verify_only_unchanged_in_the_same_browser_and_shortly_after() {
        let k = StateKey::derive("org-secret");
        let sig = sign_error_detail(&k, detail(NOW), V);
        assert!(error_detail_is_authentic(&k, detail(NOW), V, &sig, NOW));
        assert!(error_detail_is_authentic(
            &k,
            detail(NOW),
            V,
            &sig,
            NOW + ERROR_DETAIL_TTL_SECS
        ));
        // Too late, another browser, no browser.
        assert!(!error_detail_is_authentic(
            &k,
            detail(NOW),
            V,
            &sig,
            NOW + ERROR_DETAIL_TTL_SECS + 1
        ));
        assert!(!error_detail_is_authentic(
            &k,
            detail(NOW),
            "other",
            &sig,
            NOW
        ));
        assert!(!error_detail_is_authentic(&k, detail(NOW), "", &sig, NOW));
        // A later time in the link (to stretch the window) breaks the signature.
        assert!(!error_detail_is_authentic(
            &k,
            detail(NOW + 500),
            V,
            &sig,
            NOW + 600
        ));
        let changed = ErrorDetail {
            detail: "Call us",
            ..detail(NOW)
        };
        assert!(!error_detail_is_authentic(&k, changed, V, &sig, NOW));
        // Moving bytes between code and detail changes the signature.
        let moved = ErrorDetail {
            code: "sessionInvalidN",
            detail: "ope",
            at: NOW,
        };
        assert!(!error_detail_is_authentic(&k, moved, V, &sig, NOW));
        for bad in ["", "!!"] {
            assert!(!error_detail_is_authentic(&k, detail(NOW), V, bad, NOW));
        }
        let other = StateKey::derive("another secret");
        assert!(!error_detail_is_authentic(
            &other,
            detail(NOW),
            V,
            &sig,
            NOW
        ));
        // Nor is a login-message signature, or the other way round.
        let msg_sig = sign_login_message(&k, "Nope");
        assert!(login_message_is_authentic(&k, "Nope", &msg_sig));
        assert!(!login_message_is_authentic(&k, "Nope!", &msg_sig));
        assert!(!login_message_is_authentic(&other, "Nope", &msg_sig));
        assert!(!login_message_is_authentic(&k, "Nope", &sig));
        assert!(!error_detail_is_authentic(
            &k,
            detail(NOW),
            V,
            &msg_sig,
            NOW
        ));
        // A state signature is no error-detail signature.
        let state = sign(&k, NOW, V);
        let state_sig = state.rsplit_once('.').unwrap().1;
        assert!(!error_detail_is_authentic(
            &k,
            detail(NOW),
            V,
            state_sig,
            NOW
        ));
    }

    proptest! {
        /// Whatever verifier another browser holds, a state issued to one
        /// browser is never taken as issued to it.
        #[test]
        fn no_other_verifier_claims_a_state(a in "[A-Za-z0-9_-]{1,64}", b in "[A-Za-z0-9_-]{0,64}") {
            prop_assume!(a != b);
            let key = StateKey::derive("org-secret");
            let state = sign(&key, NOW, &a);
            prop_assert!(issued_to(&key, &state, &a));
            prop_assert!(!issued_to(&key, &state, &b));
        }
    }
}
