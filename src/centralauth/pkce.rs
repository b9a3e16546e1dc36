//! PKCE (RFC 7636) with S256, and the random strings built from the same source.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `n` bytes from the OS CSPRNG, base64url without padding.
pub fn random_urlsafe(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh code verifier: 64 characters from the unreserved set
/// (RFC 7636 asks for 43 to 128; CentralAuth's own library sends a 36-char UUID).
pub fn new_verifier() -> String {
    random_urlsafe(48)
}

/// `base64url(SHA-256(verifier))`, no padding.
pub fn challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether a verifier has the RFC 7636 shape: 43-128 unreserved characters.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn new_verifiers_are_valid_and_distinct() {
        let a = new_verifier();
        let b = new_verifier();
        assert_eq!(a.len(), 64);
        assert!(is_valid_verifier(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn verifier_shape_is_checked() {
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(50))));
        assert!(is_valid_verifier(&"a-._~".repeat(10)));
    }
}
