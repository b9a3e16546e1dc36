//! Tokens as compact JWE, the way CentralAuth issues them, so an app built on
//! CentralAuth's NPM library can read them locally with
//! `jwtDecrypt(token, new TextEncoder().encode(secret))` from `jose`.
//!
//! The key management depends on the secret's length, because of what that
//! exact call accepts. `jose` (5 and 6, as the library calls it, with no
//! options) takes a raw byte key for AES key wrap only at 16, 24 or 32 bytes,
//! and refuses `PBES2-*` unless the caller lists it in
//! `keyManagementAlgorithms`; `dir` would need exactly the content key's
//! length. So:
//! - a secret of 16, 24 or 32 bytes wraps each token's content key with
//!   itself (`A128KW`/`A192KW`/`A256KW`): readable by that call;
//! - any other length (the first development secret has 29 bytes) can only
//!   be used through PBES2 (`PBES2-HS256+A128KW`), which takes a password of
//!   any length: still standard JWE, readable by `jose` when PBES2 is allowed.
//!
//! The content is `A256GCM`. The primitives are RustCrypto's (`pbkdf2`,
//! `aes-kw`, `aes-gcm`); this module only does the JOSE framing
//! (RFC 7516 §7.1, RFC 7518 §4.4 and §4.8).

use aes_gcm::{
    aead::{AeadInPlace, KeyInit},
    Aes256Gcm, Nonce, Tag,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use rand::RngCore;
use sha2::Sha256;

pub const PBES2_ALG: &str = "PBES2-HS256+A128KW";
pub const ENC: &str = "A256GCM";
/// `jose`'s own default when it encrypts; its decryptor refuses more than
/// 10,000 (`maxPBES2Count`).
pub const P2C: u32 = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    #[error("not a compact JWE (five base64url parts)")]
    Malformed,
    #[error("the protected header is not one this sealer issues")]
    ForeignHeader,
    #[error("the token does not decrypt with this secret")]
    DecryptionFailed,
}

/// Seals and opens tokens under one secret.
///
/// With PBES2 the salt is one per provider (kept with its state), so the
/// key-encryption key is derived once, not on every token; every token still
/// has its own random content key and IV. Tokens with another header (salt,
/// count, algorithm) are refused without deriving anything, so a crafted
/// header cannot make the provider spend HMAC rounds per request.
pub struct Sealer {
    alg: &'static str,
    kek: Vec<u8>,
    header_b64: String,
}

impl Sealer {
    pub fn new(secret: &[u8], pbes2_salt: &[u8]) -> Self {
        let (alg, kek, header) = match secret.len() {
            16 | 24 | 32 => {
                let alg = match secret.len() {
                    16 => "A128KW",
                    24 => "A192KW",
                    _ => "A256KW",
                };
                (
                    alg,
                    secret.to_vec(),
                    serde_json::json!({ "alg": alg, "enc": ENC }),
                )
            }
            _ => {
                // RFC 7518 §4.8.1.1: the PBKDF2 salt is the alg name, a zero byte, p2s.
                let mut salt = PBES2_ALG.as_bytes().to_vec();
                salt.push(0);
                salt.extend_from_slice(pbes2_salt);
                let mut kek = vec![0u8; 16];
                pbkdf2::pbkdf2_hmac::<Sha256>(secret, &salt, P2C, &mut kek);
                let header = serde_json::json!({
                    "alg": PBES2_ALG,
                    "enc": ENC,
                    "p2c": P2C,
                    "p2s": B64.encode(pbes2_salt),
                });
                (PBES2_ALG, kek, header)
            }
        };
        Self {
            alg,
            kek,
            header_b64: B64.encode(header.to_string()),
        }
    }

    /// The JWE `alg` this sealer writes.
    pub fn alg(&self) -> &'static str {
        self.alg
    }

    fn wrap(&self, cek: &[u8; 32]) -> Vec<u8> {
        let wrapped = match self.kek.len() {
            16 => aes_kw::KekAes128::try_from(&self.kek[..]).map(|k| k.wrap_vec(cek)),
            24 => aes_kw::KekAes192::try_from(&self.kek[..]).map(|k| k.wrap_vec(cek)),
            _ => aes_kw::KekAes256::try_from(&self.kek[..]).map(|k| k.wrap_vec(cek)),
        };
        wrapped
            .expect("the key length was chosen to fit")
            .expect("a 32-byte key wraps")
    }

    fn unwrap(&self, wrapped: &[u8]) -> Option<Vec<u8>> {
        let unwrapped = match self.kek.len() {
            16 => aes_kw::KekAes128::try_from(&self.kek[..]).map(|k| k.unwrap_vec(wrapped)),
            24 => aes_kw::KekAes192::try_from(&self.kek[..]).map(|k| k.unwrap_vec(wrapped)),
            _ => aes_kw::KekAes256::try_from(&self.kek[..]).map(|k| k.unwrap_vec(wrapped)),
        };
        unwrapped.ok()?.ok()
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

    /// 29 bytes: PBES2.
    const SECRET: &[u8] = b"dev-secret-not-for-production";
    /// 32 bytes: AES key wrap with the secret itself.
    const SECRET_32: &[u8] = b"dev-secret-not-for-production-v2";

    #[test]
    fn a_sealed_token_opens_with_the_same_secret_and_salt() {
        let sealer = Sealer::new(SECRET, b"0123456789abcdef");
        let token = sealer.seal(br#"{"sessionId":"s1"}"#);
        assert_eq!(token.split('.').count(), 5);
        assert_eq!(sealer.open(&token).unwrap(), br#"{"sessionId":"s1"}"#);
        // Random content key and IV: the same payload never seals the same.
        assert_ne!(token, sealer.seal(br#"{"sessionId":"s1"}"#));
    }

    fn header(token: &str) -> serde_json::Value {
        serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn a_secret_of_another_length_gets_pbes2_with_its_salt() {
        let sealer = Sealer::new(SECRET, b"0123456789abcdef");
        let h = header(&sealer.seal(b"{}"));
        assert_eq!(h["alg"], PBES2_ALG);
        assert_eq!(h["enc"], ENC);
        assert_eq!(h["p2c"], P2C);
        assert_eq!(h["p2s"], B64.encode(b"0123456789abcdef"));
    }

    #[test]
    fn a_key_sized_secret_wraps_with_itself_and_needs_no_salt() {
        for (secret, alg) in [
            (&b"0123456789abcdef"[..], "A128KW"),
            (&b"0123456789abcdef01234567"[..], "A192KW"),
            (SECRET_32, "A256KW"),
        ] {
            let sealer = Sealer::new(secret, b"salt-is-ignored!");
            let token = sealer.seal(br#"{"sessionId":"s1"}"#);
            assert_eq!(header(&token), serde_json::json!({"alg": alg, "enc": ENC}));
            assert_eq!(sealer.alg(), alg);
            // The salt plays no part: another provider with the secret opens it.
            let other = Sealer::new(secret, b"another salt....");
            assert_eq!(other.open(&token).unwrap(), br#"{"sessionId":"s1"}"#);
        }
    }

    /// RFC 3394 §4.6: AES-256 key wrap of 256 bits of key data, through
    /// this module's choice of KEK, so the wrap is the standard one.
    #[test]
    fn aes_key_wrap_matches_rfc_3394() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let kek = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        let data: [u8; 32] =
            hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
                .try_into()
                .unwrap();
        let sealer = Sealer::new(&kek, b"");
        assert_eq!(
            sealer.wrap(&data),
            hex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")
        );
    }

    #[test]
    fn another_secret_or_a_changed_byte_does_not_open() {
        let salt = b"0123456789abcdef";
        for (secret, other) in [
            (SECRET, &b"another secret"[..]),
            (SECRET_32, &b"another secret of thirty-two b.."[..]),
        ] {
            let token = Sealer::new(secret, salt).seal(b"{\"sessionId\":\"s1\"}");
            assert_eq!(
                Sealer::new(other, salt).open(&token),
                Err(JweError::DecryptionFailed)
            );
        }
        let token = Sealer::new(SECRET, salt).seal(b"{\"sessionId\":\"s1\"}");
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
            serde_json::json!({"alg": "A256KW", "enc": ENC}),
            serde_json::json!({"alg": PBES2_ALG, "enc": ENC, "p2c": 10_000_000, "p2s": B64.encode(b"0123456789abcdef")}),
            serde_json::json!({"alg": PBES2_ALG, "enc": ENC, "p2c": P2C, "p2s": B64.encode(b"0123456789abcdef"), "zip": "DEF"}),
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
