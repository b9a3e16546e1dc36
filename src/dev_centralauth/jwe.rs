//! Tokens as compact JWE, the way CentralAuth issues them, so an app built on
//! CentralAuth's NPM library can read them locally with
//! `jwtDecrypt(token, new TextEncoder().encode(secret))` from `jose`.
//!
//! That exact call (`jose` 5 and 6, no options) takes a raw byte key for
//! AES key wrap only at 16, 24 or 32 bytes, so the 32-byte development
//! secret wraps each token's content key with itself (`A256KW`).
//!
//! The content is `A256GCM`. The primitives are RustCrypto's (`aes-kw`,
//! `aes-gcm`); this module only does the JOSE framing
//! (RFC 7516 §7.1, RFC 7518 §4.4).

use aes_gcm::{
    aead::{AeadInPlace, KeyInit},
    Aes256Gcm, Nonce, Tag,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use rand::RngCore;

pub const ALG: &str = "A256KW";
pub const ENC: &str = "A256GCM";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    #[error("not a compact JWE (five base64url parts)")]
    Malformed,
    #[error("the protected header is not one this sealer issues")]
    ForeignHeader,
    #[error("the token does not decrypt with this secret")]
    DecryptionFailed,
}

/// Seals and opens tokens under one 32-byte secret. Tokens with another
/// header are refused before any crypto.
pub struct Sealer {
    kek: aes_kw::KekAes256,
    header_b64: String,
}

impl Sealer {
    pub fn new(secret: &[u8; 32]) -> Self {
        let header = serde_json::json!({ "alg": ALG, "enc": ENC });
        Self {
            kek: aes_kw::KekAes256::from(*secret),
            header_b64: B64.encode(header.to_string()),
        }
    }

    fn wrap(&self, cek: &[u8; 32]) -> Vec<u8> {
        self.kek.wrap_vec(cek).expect("a 32-byte key wraps")
    }

    fn unwrap(&self, wrapped: &[u8]) -> Option<Vec<u8>> {
        self.kek.unwrap_vec(wrapped).ok()
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let mut cek = [0u8; 32];
        let mut iv = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut cek);
        rand::rngs::OsRng.fill_bytes(&mut iv);
        let wrapped = self.wrap(&cek);
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
        let ours: serde_json::Value =
            serde_json::from_slice(&B64.decode(&self.header_b64).expect("our own header"))
                .expect("our own header");
        // Exactly our header, so nothing in it can choose the work done.
        if header != ours {
            return Err(JweError::ForeignHeader);
        }
        let (iv, tag) = (decode(iv)?, decode(tag)?);
        if iv.len() != 12 || tag.len() != 16 {
            return Err(JweError::Malformed);
        }
        let cek = self
            .unwrap(&decode(key)?)
            .ok_or(JweError::DecryptionFailed)?;
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

    const SECRET: &[u8; 32] = b"dev-secret-not-for-production-v2";

    fn header(token: &str) -> serde_json::Value {
        serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_token_opens_with_the_same_secret_in_another_sealer() {
        let token = Sealer::new(SECRET).seal(br#"{"sessionId":"s1"}"#);
        assert_eq!(token.split('.').count(), 5);
        assert_eq!(header(&token), serde_json::json!({"alg": ALG, "enc": ENC}));
        // Nothing but the secret: another provider with it opens the token.
        let other = Sealer::new(SECRET);
        assert_eq!(other.open(&token).unwrap(), br#"{"sessionId":"s1"}"#);
        // Random content key and IV: the same payload never seals the same.
        assert_ne!(token, other.seal(br#"{"sessionId":"s1"}"#));
    }

    /// RFC 3394 §4.6: AES-256 key wrap of 256 bits of key data, through
    /// this module's KEK, so the wrap is the standard one.
    #[test]
    fn aes_key_wrap_matches_rfc_3394() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let kek: [u8; 32] = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
            .try_into()
            .unwrap();
        let data: [u8; 32] =
            hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
                .try_into()
                .unwrap();
        assert_eq!(
            Sealer::new(&kek).wrap(&data),
            hex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")
        );
    }

    #[test]
    fn another_secret_or_a_changed_byte_does_not_open() {
        let token = Sealer::new(SECRET).seal(b"{\"sessionId\":\"s1\"}");
        assert_eq!(
            Sealer::new(b"another secret of thirty-two b..").open(&token),
            Err(JweError::DecryptionFailed)
        );
        let sealer = Sealer::new(SECRET);
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
    fn foreign_headers_and_garbage_are_refused() {
        let sealer = Sealer::new(SECRET);
        let token = sealer.seal(b"{}");
        let rest = token.split_once('.').unwrap().1;
        for header in [
            serde_json::json!({"alg": "dir", "enc": ENC}),
            serde_json::json!({"alg": "A128KW", "enc": ENC}),
            serde_json::json!({"alg": ALG, "enc": ENC, "zip": "DEF"}),
            serde_json::json!({"alg": "PBES2-HS256+A128KW", "enc": ENC, "p2c": 10_000_000, "p2s": B64.encode(b"0123456789abcdef")}),
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
