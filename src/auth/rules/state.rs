//! The OAuth `state`, verifiable without server-side storage: a nonce and a
//! timestamp under an HMAC keyed from the client secret. Every app of the
//! organization shares that secret, so a state issued by one app verifies on
//! another (CentralAuth's autologin sends callbacks to apps that never
//! issued the state). The browser binding comes from PKCE.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::centralauth::random_urlsafe;

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

    fn mac(&self, payload: &str) -> HmacSha256 {
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

/// `v1.<nonce>.<unix seconds>.<signature>`, all URL-safe.
pub fn sign(key: &StateKey, now_unix: u64) -> String {
    let payload = format!("v1.{}.{now_unix}", random_urlsafe(16));
    let sig = encode_mac(key.mac(&payload));
    format!("{payload}.{sig}")
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

/// Signs what the callback puts in the error page's link (CentralAuth's
/// error code and description), so that page shows only text that really
/// came from CentralAuth, not text from a crafted link.
pub fn sign_error_detail(key: &StateKey, code: &str, detail: &str) -> String {
    encode_mac(error_detail_mac(key, code, detail))
}

pub fn error_detail_is_authentic(key: &StateKey, code: &str, detail: &str, sig: &str) -> bool {
    mac_matches(error_detail_mac(key, code, detail), sig)
}

fn error_detail_mac(key: &StateKey, code: &str, detail: &str) -> HmacSha256 {
    // Its own prefix, and lengths, so no state and no other split of the
    // same bytes verifies as an error detail.
    key.mac(&format!(
        "error-detail/v1.{}.{code}.{}.{detail}",
        code.len(),
        detail.len()
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

fn encode_mac(mac: HmacSha256) -> String {
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Constant-time comparison with a URL-safe base64 signature.
fn mac_matches(mac: HmacSha256, sig: &str) -> bool {
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

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_fresh_state_verifies_in_any_app_with_the_same_secret() {
        let issued_by_a = sign(&StateKey::derive("org-secret"), NOW);
        assert_eq!(
            verify(&StateKey::derive("org-secret"), Some(&issued_by_a), NOW + 5),
            Ok(())
        );
    }

    #[test]
    fn another_secret_or_a_tampered_state_is_refused() {
        let key = StateKey::derive("org-secret");
        let state = sign(&key, NOW);
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
        let state = sign(&key, NOW);
        assert_eq!(verify(&key, Some(&state), NOW + STATE_TTL_SECS), Ok(()));
        assert_eq!(
            verify(&key, Some(&state), NOW + STATE_TTL_SECS + 1),
            Err(StateError::Expired)
        );
        let from_the_future = sign(&key, NOW + 3600);
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
        }
    }

    #[test]
    fn error_details_verify_only_unchanged_and_under_the_same_key() {
        let k = StateKey::derive("org-secret");
        let sig = sign_error_detail(&k, "sessionInvalid", "Nope");
        assert!(error_detail_is_authentic(
            &k,
            "sessionInvalid",
            "Nope",
            &sig
        ));
        assert!(!error_detail_is_authentic(
            &k,
            "sessionInvalid",
            "Call us",
            &sig
        ));
        assert!(!error_detail_is_authentic(&k, "other", "Nope", &sig));
        // Moving bytes between code and detail changes the signature.
        assert!(!error_detail_is_authentic(
            &k,
            "sessionInvalidN",
            "ope",
            &sig
        ));
        assert!(!error_detail_is_authentic(&k, "sessionInvalid", "Nope", ""));
        assert!(!error_detail_is_authentic(
            &k,
            "sessionInvalid",
            "Nope",
            "!!"
        ));
        let other = StateKey::derive("another secret");
        assert!(!error_detail_is_authentic(
            &other,
            "sessionInvalid",
            "Nope",
            &sig
        ));
        // Nor is a login-message signature, or the other way round.
        let msg_sig = sign_login_message(&k, "Nope");
        assert!(login_message_is_authentic(&k, "Nope", &msg_sig));
        assert!(!login_message_is_authentic(&k, "Nope!", &msg_sig));
        assert!(!login_message_is_authentic(&other, "Nope", &msg_sig));
        assert!(!login_message_is_authentic(&k, "Nope", &sig));
        assert!(!error_detail_is_authentic(&k, "", "Nope", &msg_sig));
        // A state signature is no error-detail signature.
        let state = sign(&k, NOW);
        let state_sig = state.rsplit_once('.').unwrap().1;
        assert!(!error_detail_is_authentic(&k, "", "", state_sig));
    }
}
