//! The development provider's memory: sessions, one-time codes, tokens,
//! injected faults and the log of API calls. Plain data and rules, no I/O.

use std::{
    collections::HashMap,
    time::{Duration, Instant, SystemTime},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::centralauth::{challenge_s256, random_urlsafe};

pub const CODE_TTL: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub email: String,
    pub created: SystemTime,
    pub active: bool,
}

#[derive(Debug)]
struct Code {
    session_id: String,
    redirect_target: String,
    challenge: String,
    expires: Instant,
}

#[derive(Debug)]
struct Token {
    session_id: String,
    expires: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    Verify,
    Userinfo,
    Logout,
}

impl Endpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Userinfo => "userinfo",
            Self::Logout => "logout",
        }
    }
}

/// A fault the tests ask for; applies to the next `times` calls (all, if unset).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Fault {
    /// `verify`, `userinfo`, `logout`, or omitted for every endpoint.
    pub endpoint: Option<Endpoint>,
    /// Wait this long before answering.
    pub delay_ms: u64,
    /// Answer with this status and an error body instead of doing the work.
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// Stop listening for this long (standalone provider only): real refusals.
    pub refuse_for_ms: Option<u64>,
    pub times: Option<u32>,
}

/// One API call as the provider saw it. Tokens appear as fingerprints
/// (first 16 hex digits of their SHA-256) and the secret not at all.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub endpoint: Endpoint,
    pub basic_auth_ok: bool,
    pub content_type: Option<String>,
    pub token_fingerprint: Option<String>,
    pub session_id: Option<String>,
    pub status: u16,
}

pub fn fingerprint(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a verify failed, as CentralAuth error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    CodeInvalid,
    CallbackMismatch,
    ChallengeMissing,
    ChallengeInvalid,
    SessionGone,
}

impl VerifyError {
    pub fn code(self) -> &'static str {
        match self {
            Self::CodeInvalid => "loginAttemptInvalid",
            Self::CallbackMismatch => "callbackUrlInvalid",
            Self::ChallengeMissing => "codeChallengeMissing",
            Self::ChallengeInvalid => "codeChallengeInvalid",
            Self::SessionGone => "sessionInvalid",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::CodeInvalid => "The code is unknown, expired or already used",
            Self::CallbackMismatch => "The redirect_uri does not match the one used at login",
            Self::ChallengeMissing => "The code_verifier is missing",
            Self::ChallengeInvalid => "The code_verifier does not match the code_challenge",
            Self::SessionGone => "The session has ended",
        }
    }
}

pub struct IssuedTokens {
    pub access_token: String,
    pub id_token: String,
    pub expires_in: u64,
    pub expires_at: SystemTime,
}

#[derive(Default)]
pub struct Store {
    sessions: HashMap<String, Session>,
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Token>,
    /// Tokens by session, so ending a session touches only its own tokens.
    tokens_of: HashMap<String, Vec<String>>,
    faults: Vec<Fault>,
    calls: Vec<CallRecord>,
}

/// The part of a redirect URI that must match between login and verify:
/// everything but the query (CentralAuth's library drops `return_to` on verify).
pub fn redirect_target(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    Some(format!(
        "{}{}",
        url.origin().ascii_serialization(),
        url.path()
    ))
}

impl Store {
    pub fn create_session(&mut self, email: &str) -> Session {
        let session = Session {
            id: random_urlsafe(24),
            email: email.to_string(),
            created: SystemTime::now(),
            active: true,
        };
        self.sessions.insert(session.id.clone(), session.clone());
        session
    }

    pub fn active_session(&self, id: &str) -> Option<&Session> {
        self.sessions.get(id).filter(|s| s.active)
    }

    pub fn issue_code(&mut self, session_id: &str, redirect_uri: &str, challenge: &str) -> String {
        let now = Instant::now();
        self.codes.retain(|_, c| c.expires > now);
        let code = random_urlsafe(24);
        self.codes.insert(
            code.clone(),
            Code {
                session_id: session_id.to_string(),
                redirect_target: redirect_target(redirect_uri).unwrap_or_default(),
                challenge: challenge.to_string(),
                expires: now + CODE_TTL,
            },
        );
        code
    }

    /// Redeems a code once. PKCE S256 is checked; the verifier's length is
    /// not, because CentralAuth's own library sends 36-character UUIDs.
    pub fn redeem_code(
        &mut self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        token_ttl: Duration,
    ) -> Result<IssuedTokens, VerifyError> {
        let entry = self.codes.remove(code).ok_or(VerifyError::CodeInvalid)?;
        if entry.expires <= Instant::now() {
            return Err(VerifyError::CodeInvalid);
        }
        if redirect_target(redirect_uri).as_deref() != Some(entry.redirect_target.as_str()) {
            return Err(VerifyError::CallbackMismatch);
        }
        if verifier.is_empty() || verifier == "undefined" {
            return Err(VerifyError::ChallengeMissing);
        }
        if challenge_s256(verifier) != entry.challenge {
            return Err(VerifyError::ChallengeInvalid);
        }
        if self.active_session(&entry.session_id).is_none() {
            return Err(VerifyError::SessionGone);
        }
        Ok(self.issue_tokens(&entry.session_id, token_ttl))
    }

    pub fn issue_tokens(&mut self, session_id: &str, ttl: Duration) -> IssuedTokens {
        let expires_at = SystemTime::now() + ttl;
        let access_token = format!("dev_at_{}", random_urlsafe(32));
        let id_token = format!("dev_id_{}", random_urlsafe(32));
        for t in [&access_token, &id_token] {
            self.tokens.insert(
                t.clone(),
                Token {
                    session_id: session_id.to_string(),
                    expires: expires_at,
                },
            );
        }
        self.tokens_of
            .entry(session_id.to_string())
            .or_default()
            .extend([access_token.clone(), id_token.clone()]);
        IssuedTokens {
            access_token,
            id_token,
            expires_in: ttl.as_secs(),
            expires_at,
        }
    }

    /// The live session behind a token, or the CentralAuth code saying why not.
    pub fn session_for_token(&self, token: &str) -> Result<&Session, &'static str> {
        let token = self.tokens.get(token).ok_or("sessionMissing")?;
        if token.expires <= SystemTime::now() {
            return Err("sessionExpired");
        }
        self.active_session(&token.session_id)
            .ok_or("sessionInactive")
    }

    pub fn session_id_for_token(&self, token: &str) -> Option<String> {
        self.tokens.get(token).map(|t| t.session_id.clone())
    }

    /// Ends a session and forgets every token of it.
    pub fn end_session(&mut self, session_id: &str) {
        if let Some(s) = self.sessions.get_mut(session_id) {
            s.active = false;
        }
        for token in self.tokens_of.remove(session_id).unwrap_or_default() {
            self.tokens.remove(&token);
        }
    }

    pub fn add_fault(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// The fault for this call, if any, counting it against `times`.
    pub fn take_fault(&mut self, endpoint: Endpoint) -> Option<Fault> {
        let idx = self
            .faults
            .iter()
            .position(|f| f.endpoint.is_none_or(|e| e == endpoint) && f.refuse_for_ms.is_none())?;
        let fault = self.faults[idx].clone();
        match &mut self.faults[idx].times {
            Some(1) => {
                self.faults.remove(idx);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }

    pub fn record(&mut self, call: CallRecord) {
        // Bounded, so a long benchmark cannot grow the provider without end.
        if self.calls.len() >= 10_000 {
            self.calls.drain(..5_000);
        }
        self.calls.push(call);
    }

    pub fn calls(&self) -> &[CallRecord] {
        &self.calls
    }

    pub fn clear_calls(&mut self) {
        self.calls.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(60);
    const CB: &str = "http://127.0.0.1:3000/api/auth/callback";

    fn signed_in() -> (Store, Session, String, String) {
        let mut store = Store::default();
        let session = store.create_session("ada@example.com");
        let verifier = crate::centralauth::new_verifier();
        let code = store.issue_code(
            &session.id,
            &format!("{CB}?return_to=%2F"),
            &challenge_s256(&verifier),
        );
        (store, session, code, verifier)
    }

    #[test]
    fn code_is_redeemed_once_with_the_right_verifier() {
        let (mut store, session, code, verifier) = signed_in();
        let tokens = store.redeem_code(&code, CB, &verifier, TTL).unwrap();
        assert_eq!(
            store.session_for_token(&tokens.access_token).unwrap().id,
            session.id
        );
        assert_eq!(
            store.session_for_token(&tokens.id_token).unwrap().id,
            session.id
        );
        assert_eq!(
            store.redeem_code(&code, CB, &verifier, TTL).err(),
            Some(VerifyError::CodeInvalid)
        );
    }

    #[test]
    fn wrong_verifier_or_callback_is_refused_and_burns_the_code() {
        let (mut store, _, code, verifier) = signed_in();
        assert_eq!(
            store
                .redeem_code(&code, CB, "x".repeat(43).as_str(), TTL)
                .err(),
            Some(VerifyError::ChallengeInvalid)
        );
        let (mut store, _, code, _) = signed_in();
        assert_eq!(
            store.redeem_code(&code, CB, "undefined", TTL).err(),
            Some(VerifyError::ChallengeMissing)
        );
        let (mut store, _, code, _) = signed_in();
        assert_eq!(
            store
                .redeem_code(
                    &code,
                    "http://evil.example/api/auth/callback",
                    &verifier,
                    TTL
                )
                .err(),
            Some(VerifyError::CallbackMismatch)
        );
    }

    #[test]
    fn ending_a_session_ends_every_token_of_it() {
        let (mut store, session, code, verifier) = signed_in();
        let first = store.redeem_code(&code, CB, &verifier, TTL).unwrap();
        let second = store.issue_tokens(&session.id, TTL);
        store.end_session(&session.id);
        assert_eq!(
            store.session_for_token(&first.access_token).err(),
            Some("sessionMissing")
        );
        assert_eq!(
            store.session_for_token(&second.id_token).err(),
            Some("sessionMissing")
        );
        assert!(store.active_session(&session.id).is_none());
    }

    #[test]
    fn faults_count_down_and_match_their_endpoint() {
        let mut store = Store::default();
        store.add_fault(Fault {
            endpoint: Some(Endpoint::Logout),
            delay_ms: 0,
            status: Some(500),
            error_code: None,
            message: None,
            refuse_for_ms: None,
            times: Some(2),
        });
        assert!(store.take_fault(Endpoint::Userinfo).is_none());
        assert!(store.take_fault(Endpoint::Logout).is_some());
        assert!(store.take_fault(Endpoint::Logout).is_some());
        assert!(store.take_fault(Endpoint::Logout).is_none());
    }
}
