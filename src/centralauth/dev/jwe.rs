//! Tokens as compact JWE, the way CentralAuth issues them, so an app built on
//! CentralAuth's NPM library can read them locally with
//! `jwtDecrypt(token, new TextEncoder().encode(secret))` from `jose`.
//!
//! Why `PBES2-HS256+A128KW`: `jose` takes a raw byte key of *any* length only
//! for the PBES2 algorithms. `dir` needs exactly the content key's length and
//! `A*KW` exactly 16, 24 or 32 bytes; a client secret is a password of
//! arbitrary length (ours has 29 bytes). The content is `A256GCM`.
//!
//! The primitives are RustCrypto's (`pbkdf2`, `aes-kw`, `aes-gcm`); this
//! module only does the JOSE framing (RFC 7516 §7.1, RFC 7518 §4.8).

use aes_gcm::{
    aead::{AeadInPlace, KeyInit},
    Aes256Gcm, Nonce, Tag,
};
use aes_kw::KekAes128;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use rand::RngCore;
use sha2::Sha256;

pub const ALG: &str = "PBES2-HS256+A128KW";
pub const ENC: &str = "A256GCM";
/// `jose`'s own default when it encrypts; its decryptor refuses more than
/// 10,000 (`maxPBES2Count`).
pub const P2C: u32 = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    #[error("not a compact JWE (five base64url parts)")]
    Malformed,
    #[error("the protected header is not one this provider issues")]
    ForeignHeader,
    #[error("the token does not decrypt with this secret")]
    DecryptionFailed,
}

/// Seals and opens tokens under one secret and one PBES2 salt.
///
/// One salt per provider (kept with its state) means the key-encryption key
/// is derived once, not on every token; every token still has its own random
/// content key and IV. Tokens with another salt or count are refused
/// without deriving, so a crafted header cannot make the provider spend
/// thousands of HMAC rounds per request.
pub struct Sealer {
    salt: Vec<u8>,
    kek: [u8; 16],
    header_b64: String,
}

impl Sealer {
    pub fn new(secret: &[u8], salt: &[u8]) -> Self {
        // RFC 7518 §4.8.1.1: the PBKDF2 salt is the alg name, a zero byte, p2s.
        let mut pbkdf2_salt = ALG.as_bytes().to_vec();
        pbkdf2_salt.push(0);
        pbkdf2_salt.extend_from_slice(salt);
        let mut kek = [0u8; 16];
        pbkdf2::pbkdf2_hmac::<Sha256>(secret, &pbkdf2_salt, P2C, &mut kek);
        let header = serde_json::json!({
            "alg": ALG,
            "enc": ENC,
            "p2c": P2C,
            "p2s": B64.encode(salt),
        });
        Self {
            salt: salt.to_vec(),
            kek,
            header_b64: B64.encode(header.to_string()),
        }
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let mut cek = [0u8; 32];
        let mut iv = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut cek);
        rand::rngs::OsRng.fill_bytes(&mut iv);
        let wrapped = KekAes128::from(self.kek)
            .wrap_vec(&cek)
            .expect("a 32-byte key wraps");
        let mut body = plaintext.to_vec();
        let tag = Aes256Gcm::new(&cek.into())
            .encrypt_in_place_detached(
                Nonce::from_slice(&iv),
                self.header_b64.as_bytes(),
                &mut body,
            )
            .expect("a token is far below AES-GCM's length limit");
        format!(
            "{}.{}.{}.{}.{}",
            self.header_b64,
            B64.encode(wrapped),
            B64.encode(iv),
            B64.encode(body),
            B64.encode(tag),
        )
    }

    pub fn open(&self, token: &str) -> Result<Vec<u8>, JweError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, key, iv, body, tag] = parts[..] else {
            return Err(JweError::Malformed);
        };
        let decode = |s: &str| B64.decode(s).map_err(|_| JweError::Malformed);
        let header: serde_json::Value =
            serde_json::from_slice(&decode(header_b64)?).map_err(|_| JweError::Malformed)?;
        let ours = header.as_object().is_some_and(|h| {
            h.len() == 4
                && h.get("alg").and_then(|v| v.as_str()) == Some(ALG)
                && h.get("enc").and_then(|v| v.as_str()) == Some(ENC)
                && h.get("p2c").and_then(|v| v.as_u64()) == Some(u64::from(P2C))
                && h.get("p2s")
                    .and_then(|v| v.as_str())
                    .and_then(|s| B64.decode(s).ok())
                    .is_some_and(|s| s == self.salt)
        });
        if !ours {
            return Err(JweError::ForeignHeader);
        }
        let (iv, tag) = (decode(iv)?, decode(tag)?);
        if iv.len() != 12 || tag.len() != 16 {
            return Err(JweError::Malformed);
        }
        let cek = KekAes128::from(self.kek)
            .unwrap_vec(&decode(key)?)
            .map_err(|_| JweError::DecryptionFailed)?;
        let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| JweError::DecryptionFailed)?;
        let mut body = decode(body)?;
        cipher
            .decrypt_in_place_detached(
                Nonce::from_slice(&iv),
                header_b64.as_bytes(),
                &mut body,
                Tag::from_slice(&tag),
            )
            .map_err(|_| JweError::DecryptionFailed)?;
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"dev-secret-not-for-production";

    #[test]
    fn a_sealed_token_opens_with_the_same_secret_and_salt() {
        let sealer = Sealer::new(SECRET, b"0123456789abcdef");
        let token = sealer.seal(br#"{"sessionId":"s1"}"#);
        assert_eq!(token.split('.').count(), 5);
        assert_eq!(sealer.open(&token).unwrap(), br#"{"sessionId":"s1"}"#);
        // Random content key and IV: the same payload never seals the same.
        assert_ne!(token, sealer.seal(br#"{"sessionId":"s1"}"#));
    }

    #[test]
    fn the_header_names_pbes2_and_its_salt() {
        let sealer = Sealer::new(SECRET, b"0123456789abcdef");
        let token = sealer.seal(b"{}");
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], ALG);
        assert_eq!(header["enc"], ENC);
        assert_eq!(header["p2c"], P2C);
        assert_eq!(header["p2s"], B64.encode(b"0123456789abcdef"));
    }

    #[test]
    fn another_secret_or_a_changed_byte_does_not_open() {
        let salt = b"0123456789abcdef";
        let token = Sealer::new(SECRET, salt).seal(b"{\"sessionId\":\"s1\"}");
        assert_eq!(
            Sealer::new(b"another secret", salt).open(&token),
            Err(JweError::DecryptionFailed)
        );
        let sealer = Sealer::new(SECRET, salt);
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        for i in 1..5 {
            let mut bytes = B64.decode(&parts[i]).unwrap();
            bytes[0] ^= 1;
            let saved = std::mem::replace(&mut parts[i], B64.encode(bytes));
            assert!(sealer.open(&parts.join(".")).is_err(), "part {i} changed");
            parts[i] = saved;
        }
        assert!(sealer.open(&parts.join(".")).is_ok());
    }

    #[test]
    fn foreign_headers_and_garbage_are_refused_without_deriving() {
        let sealer = Sealer::new(SECRET, b"0123456789abcdef");
        let other_salt = Sealer::new(SECRET, b"fedcba9876543210").seal(b"{}");
        assert_eq!(sealer.open(&other_salt), Err(JweError::ForeignHeader));
        let token = sealer.seal(b"{}");
        let rest = token.split_once('.').unwrap().1;
        for header in [
            serde_json::json!({"alg": "dir", "enc": ENC}),
            serde_json::json!({"alg": ALG, "enc": ENC, "p2c": 10_000_000, "p2s": B64.encode(b"0123456789abcdef")}),
            serde_json::json!({"alg": ALG, "enc": ENC, "p2c": P2C, "p2s": B64.encode(b"0123456789abcdef"), "zip": "DEF"}),
        ] {
            let forged = format!("{}.{rest}", B64.encode(header.to_string()));
            assert_eq!(sealer.open(&forged), Err(JweError::ForeignHeader));
        }
        for garbage in ["", "a.b.c", "dev_at_abc", "....", "!.!.!.!.!"] {
            assert_eq!(
                sealer.open(garbage),
                Err(JweError::Malformed),
                "{garbage:?}"
            );
        }
    }
}
