//! The embedded development CentralAuth: the same wire contract as the real
//! service (login page, `/api/v1/verify`, `/api/v1/userinfo`,
//! `/api/v1/logout`, error JSON, JWE tokens), for running and testing the
//! starter with no account and no network. Never mounted when real
//! credentials are configured, and left out of a build without the cargo
//! feature `dev-provider`. It uses the configuration (its own settings and,
//! when embedded, the app's origin), the wire client's public types, the
//! edge's page policies and the cross-site rule; nothing of the auth
//! features.
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
pub mod standalone;
mod store;
#[cfg(test)]
mod tests;
mod tokens;

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    http::{header, HeaderMap},
    routing::{get, post},
    Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};
use url::Url;

use jwe::Sealer;

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
/// The provider's own browser cookie; its name and path keep it apart from
/// the app's cookies when both share a host.
pub const SESSION_COOKIE: &str = "dev_centralauth_session";
pub const DEMO_USERS: &[&str] = &["ada@example.com", "grace@example.com"];

#[derive(Debug, Clone)]
pub struct DevProviderConfig {
    /// The provider's URL as browsers and apps reach it, without trailing slash.
    pub public_base: String,
    pub organization_id: String,
    /// The secret apps use; tokens are sealed with it. 32 bytes (checked
    /// when the provider starts).
    pub secret: Secret,
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
    /// The Basic credentials apps authenticate with.
    basic: String,
    /// Seals the tokens issued to them.
    sealer: Sealer,
    store: Mutex<Store>,
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

/// Unix milliseconds.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl DevProvider {
    pub fn new(config: DevProviderConfig) -> Self {
        let mut store = Store::new(config.max_sessions);
        let restored = config
            .state_file
            .as_deref()
            .and_then(|path| persist::restore(path, &mut store));
        let cookie_key = restored.unwrap_or_else(|| {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            key
        });
        let signal = config
            .state_file
            .as_ref()
            .map(|_| Arc::new(persist::Signal::default()));
        let secret = config.secret.expose();
        let sealer = secret
            .as_bytes()
            .try_into()
            .map(Sealer::new)
            .expect("the development secret has 32 bytes");
        let inner = Arc::new(Inner {
            basic: basic_auth_value(&config.organization_id, secret),
            sealer,
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
            persist::spawn_writer(Arc::downgrade(&inner), signal);
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
        let tokens = self.issue_tokens(&session);
        (fingerprint(&session.id), tokens.access_token)
    }

    /// Every session as if created (and affirmed) `by` earlier (tests).
    pub fn age_sessions(&self, by: Duration) {
        self.change(|store, _| store.age_sessions(by.as_millis() as u64));
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
        let own_origin = self.inner.config.origin();
        // Its own policy (no script; its one stylesheet by hash; its form
        // lands on the registered apps), kept when mounted in the app.
        let policy =
            crate::edge::static_page_policy(html::STYLE, &self.inner.config.registered_origins);
        let edge = (
            http::HeaderValue::from_str(&policy).expect("origins are ASCII"),
            crate::edge::hsts_for(own_origin.starts_with("https://")),
        );
        router
            .with_state(self.clone())
            .layer(axum::middleware::from_fn_with_state(
                // Its pages allow only their own inline stylesheet.
                Arc::new(crate::rules::csrf::CrossSite {
                    own_origin,
                    stylesheet: None,
                }),
                crate::rules::csrf::layer,
            ))
            .layer(axum::middleware::from_fn_with_state(
                edge,
                crate::edge::fixed_layer,
            ))
    }

    fn registered(&self, origin: &str) -> bool {
        self.inner
            .config
            .registered_origins
            .iter()
            .any(|o| o == origin)
    }

    /// Whether the Basic credentials are the development client's.
    fn authenticated(&self, headers: &HeaderMap) -> bool {
        let got = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // Compare digests so the time taken says nothing about the secret.
        let got = Sha256::digest(got.as_bytes());
        Sha256::digest(self.inner.basic.as_bytes()) == got
    }
}
