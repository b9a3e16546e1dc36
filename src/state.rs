//! What every handler and server function shares: the configuration, the
//! CentralAuth client and the keys, built once at start-up. Imports no
//! feature code; the features import it.

use std::{net::SocketAddr, sync::Arc};

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::{
    assets::{AssetsError, StaticAssets},
    centralauth::{
        session_cache::SessionCache, CentralAuthClient, ClientBuildError, ClientConfig, Readiness,
    },
    config::{Config, ProviderMode},
    hooks::Hooks,
    rules::{return_url::safe_return_url, state::StateKey},
};

/// A clone is one reference count: axum clones it per request and Leptos
/// once more per server-function call.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub config: Config,
    /// The process's one CentralAuth client (one connection pool).
    pub centralauth: CentralAuthClient,
    /// Present only when no credentials are configured.
    #[cfg(feature = "dev-provider")]
    pub dev_provider: Option<crate::dev_centralauth::DevProvider>,
    /// Signs the OAuth `state`; derived from the client secret.
    pub state_key: StateKey,
    /// Userinfo answers reused for `AUTH_SESSION_CACHE_SECONDS`; off by default.
    pub session_cache: Option<SessionCache>,
    /// The site's files, compressed, in production (`LEPTOS_ENV=PROD`);
    /// in development they are read from disk as they change.
    pub assets: Option<StaticAssets>,
    /// The app's own code for sign-in, logout and ended sessions.
    pub hooks: Hooks,
    /// The last answer of `/readyz`.
    pub readiness: Readiness,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.config.leptos.clone()
    }
}

impl Shared {
    /// Whether this server runs the embedded development CentralAuth.
    pub fn dev_provider_active(&self) -> bool {
        #[cfg(feature = "dev-provider")]
        return self.dev_provider.is_some();
        #[cfg(not(feature = "dev-provider"))]
        false
    }

    pub fn secure_cookies(&self) -> bool {
        self.config.secure_cookies()
    }

    /// Where a `return_to` may lead: a path here or an allowed origin.
    pub fn return_url(&self, raw: Option<&str>) -> String {
        safe_return_url(raw, &self.config.return_to_allowed_origins)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot set up CentralAuth: {0}")]
    Setup(String),
    #[error(transparent)]
    Client(#[from] ClientBuildError),
    #[error(transparent)]
    Assets(#[from] AssetsError),
}

pub fn build_state(config: Config) -> Result<AppState, ServerError> {
    build_state_with_hooks(config, Hooks::default())
}

/// The same, with the app's own [`Hooks`].
pub fn build_state_with_hooks(config: Config, hooks: Hooks) -> Result<AppState, ServerError> {
    #[cfg(feature = "dev-provider")]
    let mut dev_provider = None;
    let client_config = match &config.provider {
        ProviderMode::Remote {
            organization_id,
            secret,
            base_url,
        } => ClientConfig {
            organization_id: organization_id.clone(),
            secret: secret.clone(),
            base_url: base_url.clone(),
            app_origin: config.public_origin.clone(),
            connect_timeout: config.http.connect_timeout,
            request_timeout: config.http.request_timeout,
            max_connections: config.http.max_connections,
        },
        #[cfg(feature = "dev-provider")]
        ProviderMode::Embedded { .. } => {
            let (provider, client) =
                crate::dev_centralauth::embedded(&config).map_err(ServerError::Setup)?;
            dev_provider = Some(provider);
            client
        }
        // Config refuses this already; kept as a second lock.
        #[cfg(not(feature = "dev-provider"))]
        ProviderMode::Embedded { .. } => {
            return Err(ServerError::Setup(
                crate::config::ConfigError::DevProviderNotBuilt.to_string(),
            ))
        }
    };
    let centralauth = CentralAuthClient::new(&client_config)?;
    let state_key = StateKey::derive(client_config.secret.expose());
    let session_cache = (!config.http.session_cache_ttl.is_zero())
        .then(|| SessionCache::new(config.http.session_cache_ttl, SessionCache::MAX_ENTRIES));
    let assets = match config.leptos.env {
        leptos::config::Env::PROD => {
            let started = std::time::Instant::now();
            let assets = StaticAssets::load(
                std::path::Path::new(config.leptos.site_root.as_ref()),
                &config.leptos.site_pkg_dir,
                &crate::site::build_hashes(&config.leptos)
                    .into_iter()
                    .map(|(_, hash)| hash)
                    .collect::<Vec<_>>(),
            )?;
            tracing::info!(
                "{} site files read and compressed in {} ms",
                assets.len(),
                started.elapsed().as_millis()
            );
            Some(assets)
        }
        leptos::config::Env::DEV => None,
    };
    Ok(AppState(Arc::new(Shared {
        hooks,
        readiness: Readiness::default(),
        state_key,
        session_cache,
        assets,
        config,
        centralauth,
        #[cfg(feature = "dev-provider")]
        dev_provider,
    })))
}

/// The request's server state and parts, for a server function or a page.
/// Missing outside a request (Leptos renders the app once at start-up to
/// list its routes, which starts the user resource): an error, not a panic.
pub fn request_context() -> Result<(AppState, http::request::Parts), ServerFnError> {
    match (
        use_context::<AppState>(),
        use_context::<http::request::Parts>(),
    ) {
        (Some(state), Some(parts)) => Ok((state, parts)),
        _ => Err(ServerFnError::new("no request in progress")),
    }
}
