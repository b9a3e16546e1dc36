//! The embedded development CentralAuth: the same wire contract as the real
//! service (login page, `/api/v1/verify`, `/api/v1/userinfo`,
//! `/api/v1/logout`, error JSON, JWE tokens), for running and testing the
//! starter with no account and no network. Never mounted when real
//! credentials are configured, and left out of a build without the cargo
//! feature `dev-provider`. Apart from the shared cross-site rule it only
//! uses the wire client's public helpers, never the app's internals.
//!
//! Split by job: `browser` (the sign-in pages), `api` (what apps call),
//! `hooks` (test hooks), `store` (sessions and codes), `persist` (the state
//! file), `jwe` (tokens).

mod api;
mod browser;
mod hooks;
mod html;
mod jwe;
mod persist;
mod store;

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, MutexGuard, Weak},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    http::{header, HeaderMap},
    routing::{get, post},
    Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

pub use browser::validate_email;
pub use jwe::{JweError, Sealer};

pub use crate::config::{default_state_file, DEFAULT_MAX_SESSIONS};
use store::Store;
pub use store::{fingerprint, CallRecord, Endpoint, Fault, Session};

use crate::centralauth::{basic_auth_value, Secret};

/// Where the app mounts the embedded provider.
pub const EMBEDDED_PATH: &str = "/dev-centralauth";
/// Development credentials: public on purpose, valid only against this provider.
pub const DEV_ORGANIZATION_ID: &str = "dev-organization";
///
/// 32 bytes, because `jose` as CentralAuth's NPM library calls it opens JWE
/// under a raw secret only at 16, 24 or 32 bytes (see `jwe.rs`).
pub const DEV_SECRET: &str = "dev-secret-not-for-production-v2";
/// The first development secret (29 bytes): still accepted, so tools set up
/// with it keep working; tokens issued to it are PBES2-sealed, which `jose`
/// opens only when told to allow PBES2.
pub const DEV_SECRET_V1: &str = "dev-secret-not-for-production";
/// The provider's own browser cookie; its name and path keep it apart from
/// the app's cookies when both share a host.
pub const SESSION_COOKIE: &str = "dev_centralauth_session";
pub const DEMO_USERS: &[&str] = &["ada@example.com", "grace@example.com"];

#[derive(Debug, Clone)]
pub struct DevProviderConfig {
    /// The provider's URL as browsers and apps reach it, without trailing slash.
    pub public_base: String,
    pub organization_id: String,
    /// The secret apps use; tokens are sealed with the one the app
    /// authenticated with.
    pub secret: Secret,
    /// Other secrets accepted for the same organization.
    pub also_accepted: Vec<Secret>,
    /// App origins allowed as `redirect_uri` and `domain`.
    pub registered_origins: Vec<String>,
    pub test_hooks: bool,
    pub token_ttl: Duration,
    /// Where sessions survive a restart; `None` keeps them in memory only.
    pub state_file: Option<PathBuf>,
    /// Live sessions kept; the oldest is ended to make room.
    pub max_sessions: usize,
}

impl DevProviderConfig {
    /// The one local configuration (server, standalone binary, tests): the
    /// development credentials, tokens for a day, no test hooks, memory only.
    pub fn local(public_base: impl Into<String>, registered_origins: Vec<String>) -> Self {
        Self {
            public_base: public_base.into().trim_end_matches('/').to_string(),
            organization_id: DEV_ORGANIZATION_ID.into(),
            secret: Secret::new(DEV_SECRET),
            also_accepted: vec![Secret::new(DEV_SECRET_V1)],
            registered_origins,
            test_hooks: false,
            token_ttl: Duration::from_secs(24 * 3600),
            state_file: None,
            max_sessions: DEFAULT_MAX_SESSIONS,
        }
    }

    fn cookie_path(&self) -> String {
        let path = Url::parse(&self.public_base)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        if path.is_empty() {
            "/".into()
        } else {
            path
        }
    }

    fn origin(&self) -> String {
        Url::parse(&self.public_base)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// The provider the app mounts at [`EMBEDDED_PATH`] when it has no
/// credentials, and the client configuration the app uses to reach it.
pub fn embedded(
    config: &crate::config::Config,
) -> Result<(DevProvider, crate::centralauth::ClientConfig), String> {
    let public_base = format!("{}{EMBEDDED_PATH}", config.public_origin);
    let mut registered_origins = vec![config.public_origin.clone()];
    registered_origins.extend(config.dev.extra_origins.iter().cloned());
    let provider = DevProvider::new(DevProviderConfig {
        test_hooks: config.dev.test_hooks,
        state_file: config.dev.state_file.clone(),
        max_sessions: config.dev.max_sessions,
        ..DevProviderConfig::local(public_base.clone(), registered_origins)
    });
    let client = crate::centralauth::ClientConfig {
        organization_id: DEV_ORGANIZATION_ID.into(),
        secret: Secret::new(DEV_SECRET),
        base_url: Url::parse(&public_base).map_err(|e| e.to_string())?,
        app_origin: config.public_origin.clone(),
        connect_timeout: config.http.connect_timeout,
        request_timeout: config.http.request_timeout,
        max_connections: config.http.max_connections,
    };
    Ok((provider, client))
}

/// A handle on the provider; clones share its memory.
#[derive(Clone)]
pub struct DevProvider {
    inner: Arc<Inner>,
}

struct Inner {
    config: DevProviderConfig,
    /// One per accepted secret, the main one first.
    clients: Vec<ClientKey>,
    store: Mutex<Store>,
    token_salt: Vec<u8>,
    cookie_key: [u8; 32],
    /// Present when state is persisted: wakes the writer thread.
    signal: Option<Arc<persist::Signal>>,
    /// Serialises writers and remembers the store version last saved.
    saved_version: Mutex<Option<u64>>,
    /// Set by a standalone server that can really stop listening.
    refusals: Mutex<Option<tokio::sync::mpsc::UnboundedSender<Duration>>>,
    /// TCP connections accepted, counted by a standalone server.
    connections: std::sync::atomic::AtomicU64,
}

/// An accepted secret: the Basic credentials it makes and the sealer of the
/// tokens issued to apps using it.
struct ClientKey {
    basic: String,
    sealer: Sealer,
}

/// Index into `Inner::clients`: which secret an API call authenticated with.
#[derive(Debug, Clone, Copy)]
struct ClientIndex(usize);

/// Unix milliseconds.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What a token says, in the shape CentralAuth's NPM library reads:
/// `{ sessionId, user? }`, plus the standard `iat` and `exp` that `jose`
/// checks.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "sessionId")]
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<serde_json::Value>,
    pub iat: u64,
    pub exp: u64,
}

pub struct IssuedTokens {
    pub access_token: String,
    pub id_token: String,
    pub expires_in: u64,
    pub expires_at: SystemTime,
}

impl DevProvider {
    pub fn new(config: DevProviderConfig) -> Self {
        let mut store = Store::new(config.max_sessions);
        let restored = config
            .state_file
            .as_deref()
            .and_then(|path| restore(path, &mut store));
        let (cookie_key, token_salt) = restored.unwrap_or_else(|| {
            let mut key = [0u8; 32];
            let mut salt = vec![0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut key);
            rand::rngs::OsRng.fill_bytes(&mut salt);
            (key, salt)
        });
        let signal = config
            .state_file
            .as_ref()
            .map(|_| Arc::new(persist::Signal::default()));
        let clients = std::iter::once(&config.secret)
            .chain(&config.also_accepted)
            .map(|secret| ClientKey {
                basic: basic_auth_value(&config.organization_id, secret.expose()),
                sealer: Sealer::new(secret.expose().as_bytes(), &token_salt),
            })
            .collect();
        let inner = Arc::new(Inner {
            clients,
            token_salt,
            cookie_key,
            store: Mutex::new(store),
            signal: signal.clone(),
            saved_version: Mutex::new(None),
            refusals: Mutex::new(None),
            connections: std::sync::atomic::AtomicU64::new(0),
            config,
        });
        if let Some(signal) = signal {
            // Save at once, so keys exist on disk before the first token.
            signal.notify();
            spawn_writer(Arc::downgrade(&inner), signal);
        }
        Self { inner }
    }

    pub fn config(&self) -> &DevProviderConfig {
        &self.inner.config
    }

    /// For a standalone server: receives "stop listening for this long" requests.
    pub fn refusal_requests(&self) -> tokio::sync::mpsc::UnboundedReceiver<Duration> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        *self
            .inner
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(tx);
        rx
    }

    /// Counts an accepted connection (the standalone server calls this).
    pub fn count_connection(&self) {
        self.inner
            .connections
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn connections_accepted(&self) -> u64 {
        self.inner
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.inner.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a change to durable state and tells the writer about it.
    fn change<R>(&self, f: impl FnOnce(&mut Store, u64) -> R) -> R {
        let result = f(&mut self.store(), now_ms());
        if let Some(signal) = &self.inner.signal {
            signal.notify();
        }
        result
    }

    /// Saves the state file now if anything changed since the last save
    /// (the writer thread does this shortly after each change; servers call
    /// it once more when they shut down).
    pub fn save_now(&self) -> std::io::Result<()> {
        let Some(path) = &self.inner.config.state_file else {
            return Ok(());
        };
        let mut saved = self
            .inner
            .saved_version
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let (version, durable) = {
            let store = self.store();
            (store.version(), store.durable())
        };
        if *saved == Some(version) {
            return Ok(());
        }
        persist::save(
            path,
            &persist::Snapshot {
                format: persist::FORMAT,
                cookie_key: B64.encode(self.inner.cookie_key),
                token_salt: B64.encode(&self.inner.token_salt),
                durable,
            },
        )?;
        *saved = Some(version);
        Ok(())
    }

    /// The API calls received so far (test hooks read this too).
    pub fn calls(&self) -> Vec<CallRecord> {
        self.store().calls().to_vec()
    }

    pub fn add_fault(&self, fault: Fault) {
        self.store().add_fault(fault);
    }

    pub fn clear_faults(&self) {
        self.store().clear_faults();
    }

    /// Live sessions and pending codes.
    pub fn counts(&self) -> (usize, usize) {
        self.store().counts()
    }

    /// A signed-in session with tokens, without the browser flow (tests and
    /// benchmarks): the session's fingerprint and an access token.
    pub fn create_session(&self, email: &str) -> (String, String) {
        let session = self.change(|store, now| store.create_session(email, now));
        let tokens = self.issue_tokens(&session, ClientIndex(0));
        (fingerprint(&session.id), tokens.access_token)
    }

    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let mut router = Router::new()
            .route("/", get(browser::index))
            .route(
                "/login",
                get(browser::login_page).post(browser::login_submit),
            )
            .route("/api/v1/verify", post(api::verify))
            .route("/api/v1/userinfo", post(api::userinfo))
            .route("/api/v1/logout", post(api::logout))
            .route("/avatar/{file}", get(browser::avatar));
        if self.inner.config.test_hooks {
            router = hooks::routes(router);
        }
        // The same cross-site refusal as the app's: without it, a page on
        // any site could post the sign-in form and sign a visitor into the
        // provider as the attacker. Mounted inside the app this runs twice,
        // with the same origin.
        let own_origin: Arc<str> = self.inner.config.origin().into();
        router
            .with_state(self.clone())
            .layer(axum::middleware::from_fn_with_state(
                own_origin,
                crate::auth::rules::csrf::layer,
            ))
    }

    fn registered(&self, origin: &str) -> bool {
        self.inner
            .config
            .registered_origins
            .iter()
            .any(|o| o == origin)
    }

    /// Which accepted secret the Basic credentials hold, if any.
    fn client(&self, headers: &HeaderMap) -> Option<ClientIndex> {
        let got = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // Compare digests so the time taken says nothing about the secret.
        let got = Sha256::digest(got.as_bytes());
        self.inner
            .clients
            .iter()
            .position(|c| Sha256::digest(c.basic.as_bytes()) == got)
            .map(ClientIndex)
    }

    fn avatar_url(&self, email: &str) -> String {
        let hash = hex(&Sha256::digest(email.trim().to_lowercase().as_bytes()));
        format!("{}/avatar/{hash}.svg", self.inner.config.public_base)
    }

    /// The user as userinfo and the ID token show it.
    fn user_json(&self, s: &Session) -> serde_json::Value {
        let created = rfc3339(UNIX_EPOCH + Duration::from_millis(s.created));
        let id = hex(&Sha256::digest(s.email.to_lowercase().as_bytes()))[..24].to_string();
        serde_json::json!({
            "id": format!("dev-{id}"),
            "email": s.email,
            "gravatar": self.avatar_url(&s.email),
            "verified": true,
            "blocked": false,
            "organizationId": self.inner.config.organization_id,
            "created": created,
            "updated": created,
            "lastLogin": created,
            "affirmationDate": created,
        })
    }

    /// An access token and an ID token for the session, sealed as JWE; they
    /// never outlive it.
    fn issue_tokens(&self, session: &Session, client: ClientIndex) -> IssuedTokens {
        let now = now_ms();
        let ttl = self.inner.config.token_ttl.as_millis() as u64;
        let (iat, exp) = (now / 1000, (now + ttl).min(session.expires) / 1000);
        let seal = |user: Option<serde_json::Value>| {
            let claims = Claims {
                session_id: session.id.clone(),
                user,
                iat,
                exp,
            };
            self.inner.clients[client.0]
                .sealer
                .seal(&serde_json::to_vec(&claims).expect("claims serialise"))
        };
        IssuedTokens {
            access_token: seal(None),
            id_token: seal(Some(self.user_json(session))),
            expires_in: exp.saturating_sub(iat),
            expires_at: UNIX_EPOCH + Duration::from_secs(exp),
        }
    }

    /// What one of our tokens says, sealed for any accepted secret; `None`
    /// for anything else. A foreign header is refused before any crypto.
    fn claims(&self, token: &str) -> Option<Claims> {
        let plain = self
            .inner
            .clients
            .iter()
            .find_map(|c| c.sealer.open(token).ok())?;
        serde_json::from_slice(&plain).ok()
    }

    /// The live session behind a token, or the CentralAuth code saying why not.
    fn session_for_token(&self, token: &str) -> Result<Session, &'static str> {
        let claims = self.claims(token).ok_or("tokenInvalid")?;
        let now = now_ms();
        if claims.exp.saturating_mul(1000) <= now {
            return Err("sessionExpired");
        }
        self.store()
            .live_session(&claims.session_id, now)
            .cloned()
            .ok_or("sessionInactive")
    }

    /// The provider's browser cookie names the session and carries a MAC
    /// under a key only the provider has: the session id alone (which every
    /// token reveals to apps that decrypt it) is not enough to forge one.
    fn cookie_value(&self, session_id: &str) -> String {
        format!(
            "{session_id}.{}",
            B64.encode(self.cookie_mac(session_id).finalize().into_bytes())
        )
    }

    fn cookie_mac(&self, session_id: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.inner.cookie_key).expect("any key length");
        mac.update(session_id.as_bytes());
        mac
    }

    fn browser_session(&self, headers: &HeaderMap) -> Option<Session> {
        let value = read_cookie(headers, SESSION_COOKIE)?;
        let (id, sig) = value.rsplit_once('.')?;
        let sig = B64.decode(sig).ok()?;
        self.cookie_mac(id).verify_slice(&sig).ok()?;
        self.store().live_session(id, now_ms()).cloned()
    }

    fn session_cookie(&self, session: &Session) -> String {
        let secure = self.inner.config.public_base.starts_with("https://");
        let max_age = session.expires.saturating_sub(now_ms()) / 1000;
        Cookie::build((SESSION_COOKIE, self.cookie_value(&session.id)))
            .path(self.inner.config.cookie_path())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(cookie::time::Duration::seconds(max_age as i64))
            .build()
            .to_string()
    }
}

/// Loads the state file into the store; the keys it held, if any.
fn restore(path: &std::path::Path, store: &mut Store) -> Option<([u8; 32], Vec<u8>)> {
    let shown = path.display();
    match persist::load(path) {
        persist::Loaded::Fresh => {
            tracing::info!("development CentralAuth: keeping its sessions in {shown}");
            None
        }
        persist::Loaded::Unreadable { why, moved_to } => {
            tracing::warn!(
                "development CentralAuth: the state file {shown} is unusable ({why}); kept as {}; starting with no sessions",
                moved_to.display()
            );
            None
        }
        persist::Loaded::Restored(snapshot) => {
            let key = B64
                .decode(&snapshot.cookie_key)
                .ok()
                .and_then(|k| <[u8; 32]>::try_from(k).ok());
            let salt = B64
                .decode(&snapshot.token_salt)
                .ok()
                .filter(|s| s.len() >= 8);
            let (Some(key), Some(salt)) = (key, salt) else {
                tracing::warn!("development CentralAuth: the keys in {shown} are malformed; starting with no sessions");
                return None;
            };
            store.restore(snapshot.durable, now_ms());
            tracing::info!(
                "development CentralAuth: {} sessions restored from {shown}",
                store.counts().0
            );
            Some((key, salt))
        }
    }
}

/// Saves shortly after each change, on a thread of its own so no request
/// waits for the disk. Ends when the provider is dropped.
fn spawn_writer(inner: Weak<Inner>, signal: Arc<persist::Signal>) {
    let spawned = std::thread::Builder::new()
        .name("dev-centralauth-state".into())
        .spawn(move || {
            let mut last_error: Option<String> = None;
            loop {
                let changed = signal.wait(Duration::from_secs(1));
                let Some(inner) = inner.upgrade() else { return };
                if changed {
                    let provider = DevProvider { inner };
                    match provider.save_now() {
                        Ok(()) => last_error = None,
                        Err(e) => {
                            let e = e.to_string();
                            // Once per distinct failure, not once per sign-in.
                            if last_error.as_ref() != Some(&e) {
                                tracing::warn!(
                                    "development CentralAuth: cannot save its state to {}: {e}",
                                    provider
                                        .config()
                                        .state_file
                                        .as_deref()
                                        .unwrap_or(std::path::Path::new(""))
                                        .display()
                                );
                                last_error = Some(e);
                            }
                        }
                    }
                    drop(provider);
                    std::thread::sleep(persist::WRITE_INTERVAL);
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(
            "development CentralAuth: no state writer ({e}); sessions live in memory only"
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

fn rfc3339(t: SystemTime) -> String {
    cookie::time::OffsetDateTime::from(t)
        .format(&cookie::time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> DevProvider {
        DevProvider::new(DevProviderConfig::local(
            "http://127.0.0.1:3000/dev-centralauth",
            vec!["http://127.0.0.1:3000".into()],
        ))
    }

    #[test]
    fn cookie_path_follows_the_mount() {
        let mut c = DevProviderConfig::local("http://127.0.0.1:3000/dev-centralauth", vec![]);
        assert_eq!(c.cookie_path(), "/dev-centralauth");
        assert_eq!(c.origin(), "http://127.0.0.1:3000");
        c.public_base = "http://127.0.0.1:3100".into();
        assert_eq!(c.cookie_path(), "/");
    }

    #[test]
    fn tokens_round_trip_and_name_their_session() {
        let p = provider();
        let session = p.change(|s, now| s.create_session("ada@example.com", now));
        let tokens = p.issue_tokens(&session, ClientIndex(0));
        let access = p.claims(&tokens.access_token).unwrap();
        assert_eq!(access.session_id, session.id);
        assert!(access.user.is_none());
        assert!(access.exp > access.iat);
        let id = p.claims(&tokens.id_token).unwrap();
        assert_eq!(id.user.unwrap()["email"], "ada@example.com");
        assert_eq!(p.session_for_token(&tokens.access_token).unwrap(), session);
    }

    #[test]
    fn ending_a_session_ends_every_token_of_it() {
        let p = provider();
        let session = p.change(|s, now| s.create_session("ada@example.com", now));
        let (first, second) = (
            p.issue_tokens(&session, ClientIndex(0)),
            p.issue_tokens(&session, ClientIndex(0)),
        );
        p.change(|s, _| s.end_session(&session.id));
        for t in [&first.access_token, &first.id_token, &second.access_token] {
            assert_eq!(p.session_for_token(t), Err("sessionInactive"));
        }
        assert_eq!(p.session_for_token("dev_at_opaque"), Err("tokenInvalid"));
    }

    #[test]
    fn both_development_secrets_are_accepted_each_with_its_own_sealing() {
        let p = provider();
        let basic = |secret: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::AUTHORIZATION,
                basic_auth_value(DEV_ORGANIZATION_ID, secret)
                    .parse()
                    .unwrap(),
            );
            p.client(&h)
        };
        let session = p.change(|s, now| s.create_session("ada@example.com", now));
        for (secret, alg) in [(DEV_SECRET, "A256KW"), (DEV_SECRET_V1, jwe::PBES2_ALG)] {
            let client = basic(secret).expect("accepted");
            assert_eq!(p.inner.clients[client.0].sealer.alg(), alg);
            let tokens = p.issue_tokens(&session, client);
            assert_eq!(p.session_for_token(&tokens.access_token).unwrap(), session);
        }
        assert!(basic("dev-secret-not-for-production-v3").is_none());
        assert!(basic("").is_none());
    }

    #[test]
    fn tokens_never_outlive_their_session() {
        let p = provider();
        let mut session = p.change(|s, now| s.create_session("ada@example.com", now));
        session.expires = now_ms() + 60_000;
        let tokens = p.issue_tokens(&session, ClientIndex(0));
        assert!(tokens.expires_in <= 60, "{}", tokens.expires_in);
    }

    #[test]
    fn the_browser_cookie_needs_the_providers_mac() {
        let p = provider();
        let session = p.change(|s, now| s.create_session("ada@example.com", now));
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::COOKIE,
                format!("{SESSION_COOKIE}={value}").parse().unwrap(),
            );
            p.browser_session(&h)
        };
        assert_eq!(with(&p.cookie_value(&session.id)), Some(session.clone()));
        // The bare id, as a token reveals it, or another provider's MAC: no.
        assert_eq!(with(&session.id), None);
        assert_eq!(with(&provider().cookie_value(&session.id)), None);
    }
}
