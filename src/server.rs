//! The axum server: state, router, logging and graceful shutdown.

use std::{net::SocketAddr, sync::Arc};

use axum::{extract::FromRef, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tracing_subscriber::EnvFilter;

use crate::{
    app::{shell, App},
    auth::{cookies, csrf, routes as auth_routes, state::StateKey},
    centralauth::{
        dev::{DevProvider, DevProviderConfig, DEV_ORGANIZATION_ID, DEV_SECRET, EMBEDDED_PATH},
        CentralAuthClient, ClientBuildError, ClientConfig, Secret,
    },
    config::{Config, ProviderMode},
};

/// Everything handlers and server functions share. A clone is one reference
/// count: axum clones it per request and Leptos once more per server-function
/// call, and cloning the fields (LeptosOptions alone is a dozen strings) cost
/// 5-7% of a local logout's CPU in the benchmark's profile.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub config: Config,
    /// The process's one CentralAuth client (one connection pool).
    pub centralauth: CentralAuthClient,
    /// Present only when no credentials are configured.
    pub dev_provider: Option<DevProvider>,
    /// Signs the OAuth `state`; derived from the client secret.
    pub state_key: StateKey,
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

/// `RUST_LOG` decides; without it, our own crate logs at info and noisy
/// dependencies at warn.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,hyper=warn,reqwest=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

pub fn build_state(config: Config) -> Result<AppState, ServerError> {
    let (client_config, dev_provider) = match &config.provider {
        ProviderMode::Remote {
            organization_id,
            secret,
            base_url,
        } => (
            ClientConfig {
                organization_id: organization_id.clone(),
                secret: secret.clone(),
                base_url: base_url.clone(),
                app_origin: config.public_origin.clone(),
                connect_timeout: config.http.connect_timeout,
                request_timeout: config.http.request_timeout,
                max_connections: config.http.max_connections,
            },
            None,
        ),
        ProviderMode::Embedded => {
            let public_base = format!("{}{EMBEDDED_PATH}", config.public_origin);
            let mut registered_origins = vec![config.public_origin.clone()];
            registered_origins.extend(config.dev.extra_origins.iter().cloned());
            let provider = DevProvider::new(DevProviderConfig {
                public_base: public_base.clone(),
                organization_id: DEV_ORGANIZATION_ID.into(),
                secret: Secret::new(DEV_SECRET),
                registered_origins,
                test_hooks: config.dev.test_hooks,
                token_ttl: std::time::Duration::from_secs(24 * 3600),
            });
            (
                ClientConfig {
                    organization_id: DEV_ORGANIZATION_ID.into(),
                    secret: Secret::new(DEV_SECRET),
                    base_url: url::Url::parse(&public_base)
                        .map_err(|e| ServerError::Setup(e.to_string()))?,
                    app_origin: config.public_origin.clone(),
                    connect_timeout: config.http.connect_timeout,
                    request_timeout: config.http.request_timeout,
                    max_connections: config.http.max_connections,
                },
                Some(provider),
            )
        }
    };
    let centralauth = CentralAuthClient::new(&client_config)?;
    let state_key = StateKey::derive(client_config.secret.expose());
    Ok(AppState(Arc::new(Shared {
        state_key,
        config,
        centralauth,
        dev_provider,
    })))
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let mut router = Router::new();
    if let Some(provider) = &state.dev_provider {
        router = router.nest(EMBEDDED_PATH, provider.router());
    }
    let own_origin: Arc<str> = state.config.public_origin.as_str().into();
    router
        .merge(auth_routes::router())
        .leptos_routes(&state, routes, {
            let options = state.config.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(no_store_when_signed_in))
        .layer(axum::middleware::from_fn_with_state(
            own_origin,
            csrf::layer,
        ))
        .with_state(state)
}

/// Responses to a request that carries a session are never cached, so Back
/// or a shared cache cannot show signed-in content after logout.
async fn no_store_when_signed_in(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let signed_in = cookies::read(req.headers(), cookies::ACCESS_TOKEN).is_some();
    let static_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if signed_in && !static_asset {
        res.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store, private"),
        );
    }
    res
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("cannot set up CentralAuth: {0}")]
    Setup(String),
    #[error(transparent)]
    Client(#[from] ClientBuildError),
}

pub async fn run(config: Config) -> Result<(), ServerError> {
    let addr = config.leptos.site_addr;
    let state = build_state(config)?;
    let app = router(state.clone());
    match &state.dev_provider {
        Some(provider) => tracing::warn!(
            "DEVELOPMENT CentralAuth is active at {}: anyone can sign in as anyone. \
             Set AUTH_ORGANIZATION_ID and AUTH_SECRET to use the real CentralAuth.",
            provider.config().public_base
        ),
        None => tracing::info!("using CentralAuth at {}", state.centralauth.base_url()),
    }

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    tracing::info!(
        "listening on http://{addr} (open {})",
        state.config.public_origin
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(ServerError::Serve)?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, letting in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}
