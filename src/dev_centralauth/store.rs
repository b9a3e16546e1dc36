//! The development provider's memory: sessions and one-time codes (what a
//! restart keeps), injected faults and the log of API calls (what it need
//! not). Plain data and rules, no I/O; the time comes in as an argument.
//!
//! Tokens are not stored at all: they are sealed JWE naming their session
//! (see `jwe.rs`), valid while that session lives and their `exp` has not
//! passed. Ending a session therefore ends every token of it, and memory
//! holds only live sessions and pending codes, both capped and evicted
//! oldest first.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::centralauth::challenge_s256;

/// How long a one-time code may wait for its exchange, in milliseconds.
pub const CODE_TTL_MS: u64 = 120_000;
/// A provider session lives as long as its browser cookie: a week.
pub const SESSION_TTL_MS: u64 = 7 * 24 * 3600 * 1000;
/// Codes waiting for their exchange; a flood of sign-in forms evicts the oldest.
pub const MAX_CODES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub email: String,
    /// Unix milliseconds.
    pub created: u64,
    pub expires: u64,
    /// When the user last affirmed; the creation until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affirmed: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    pub session_id: String,
    pub redirect_target: String,
    pub challenge: String,
    pub expires: u64,
}

/// What a restart must keep, oldest first.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durable {
    pub sessions: Vec<Session>,
    pub codes: Vec<Code>,
}

/// A map that remembers insertion order, so the oldest entry is evicted
/// first. Every entry of one kind has the same lifetime, so oldest is also
/// the first to expire.
#[derive(Debug)]
struct Aging<V> {
    by_key: HashMap<String, (u64, V)>,
    order: BTreeMap<u64, String>,
    next: u64,
}

impl<V> Default for Aging<V> {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            order: BTreeMap::new(),
            next: 0,
        }
    }
}

impl<V> Aging<V> {
    fn insert(&mut self, key: String, value: V) {
        self.remove(&key);
        self.order.insert(self.next, key.clone());
        self.by_key.insert(key, (self.next, value));
        self.next += 1;
    }

    fn get(&self, key: &str) -> Option<&V> {
        self.by_key.get(key).map(|(_, v)| v)
    }

    fn remove(&mut self, key: &str) -> Option<V> {
        let (seq, value) = self.by_key.remove(key)?;
        self.order.remove(&seq);
        Some(value)
    }

    fn oldest(&self) -> Option<&V> {
        let (_, key) = self.order.first_key_value()?;
        self.get(key)
    }

    fn pop_oldest(&mut self) {
        if let Some((_, key)) = self.order.pop_first() {
            self.by_key.remove(&key);
        }
    }

    /// Drops from the front what `gone` says is over, then the oldest until
    /// at most `cap` remain.
    fn evict(&mut self, cap: usize, gone: impl Fn(&V) -> bool) {
        while self.oldest().is_some_and(&gone) || self.by_key.len() > cap {
            self.pop_oldest();
        }
    }

    fn len(&self) -> usize {
        self.by_key.len()
    }

    fn in_order(&self) -> impl Iterator<Item = &V> {
        self.order.values().filter_map(|k| self.get(k))
    }
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

/// One API call as the provider saw it. Tokens and session ids appear as
/// fingerprints (first 16 hex digits of their SHA-256), which can be
/// compared but not replayed; the secret appears not at all.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub endpoint: Endpoint,
    pub basic_auth_ok: bool,
    pub content_type: Option<String>,
    /// The `auth-ip` header as received (userinfo sends it): lets a test
    /// check which browser address an app behind a proxy reports.
    pub auth_ip: Option<String>,
    pub token_fingerprint: Option<String>,
    pub session_id: Option<String>,
    pub status: u16,
}

pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
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

#[derive(Debug)]
pub struct Store {
    sessions: Aging<Session>,
    codes: Aging<Code>,
    max_sessions: usize,
    /// Bumped by every change to what [`Durable`] holds, so a writer can
    /// tell whether there is anything new to save.
    version: u64,
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
    pub fn new(max_sessions: usize) -> Self {
        Self {
            sessions: Aging::default(),
            codes: Aging::default(),
            max_sessions: max_sessions.max(1),
            version: 0,
            faults: Vec::new(),
            calls: Vec::new(),
        }
    }

    /// Takes back what a previous run saved, minus what has expired since.
    pub fn restore(&mut self, durable: Durable, now: u64) {
        for s in durable.sessions {
            self.sessions.insert(s.id.clone(), s);
        }
        for c in durable.codes {
            self.codes.insert(c.code.clone(), c);
        }
        self.evict(now);
        self.version += 1;
    }

    pub fn durable(&self) -> Durable {
        Durable {
            sessions: self.sessions.in_order().cloned().collect(),
            codes: self.codes.in_order().cloned().collect(),
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Live sessions and pending codes, for the stats hook.
    pub fn counts(&self) -> (usize, usize) {
        (self.sessions.len(), self.codes.len())
    }

    fn evict(&mut self, now: u64) {
        self.sessions.evict(self.max_sessions, |s| s.expires <= now);
        self.codes.evict(MAX_CODES, |c| c.expires <= now);
    }

    pub fn create_session(&mut self, email: &str, now: u64) -> Session {
        let session = Session {
            id: crate::centralauth::random_urlsafe(24),
            email: email.to_string(),
            created: now,
            expires: now + SESSION_TTL_MS,
            affirmed: None,
        };
        self.sessions.insert(session.id.clone(), session.clone());
        self.evict(now);
        self.version += 1;
        session
    }

    pub fn live_session(&self, id: &str, now: u64) -> Option<&Session> {
        self.sessions.get(id).filter(|s| s.expires > now)
    }

    pub fn issue_code(
        &mut self,
        session_id: &str,
        redirect_uri: &str,
        challenge: &str,
        now: u64,
    ) -> String {
        let code = crate::centralauth::random_urlsafe(24);
        self.codes.insert(
            code.clone(),
            Code {
                code: code.clone(),
                session_id: session_id.to_string(),
                redirect_target: redirect_target(redirect_uri).unwrap_or_default(),
                challenge: challenge.to_string(),
                expires: now + CODE_TTL_MS,
            },
        );
        self.evict(now);
        self.version += 1;
        code
    }

    /// Redeems a code once. PKCE S256 is checked; the verifier's length is
    /// not, because CentralAuth's own library sends 36-character UUIDs.
    pub fn redeem_code(
        &mut self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        now: u64,
    ) -> Result<Session, VerifyError> {
        let entry = self.codes.remove(code).ok_or(VerifyError::CodeInvalid)?;
        self.version += 1;
        if entry.expires <= now {
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
        self.live_session(&entry.session_id, now)
            .cloned()
            .ok_or(VerifyError::SessionGone)
    }

    /// Ends a session: it is forgotten, so no token or code of it works again.
    pub fn end_session(&mut self, session_id: &str) -> bool {
        let ended = self.sessions.remove(session_id).is_some();
        if ended {
            self.version += 1;
        }
        ended
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

mod affirm;
#[cfg(test)]
mod tests;
