//! The axum server: state, router, logging and graceful shutdown.

use std::{net::SocketAddr, sync::Arc};

use axum::{extract::FromRef, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tracing_subscriber::EnvFilter;

use crate::{
    app::{shell, App},
    auth::{
        routes as auth_routes,
        rules::{cookies, csrf, state::StateKey},
    },
    centralauth::{CentralAuthClient, ClientBuildError, ClientConfig},
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
    #[cfg(feature = "dev-provider")]
    pub dev_provider: Option<crate::dev_centralauth::DevProvider>,
    /// Signs the OAuth `state`; derived from the client secret.
    pub state_key: StateKey,
    /// Userinfo answers reused for `AUTH_SESSION_CACHE_SECONDS`; off by default.
    pub session_cache: Option<crate::auth::core::session_cache::SessionCache>,
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

/// The app binary: `.env` and the variables read, then served until stopped.
/// A configuration error stops start-up with exit code 2, naming the variable.
pub async fn main() -> std::process::ExitCode {
    init_tracing();
    let config = match crate::config::load_dotenv().and_then(|_| Config::from_env()) {
        Ok(config) => config,
        Err(err) => {
            // Printed plainly as well, so the reason is visible whatever RUST_LOG says.
            eprintln!("configuration error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("server error: {err}");
            std::process::ExitCode::FAILURE
        }
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
    let session_cache = (!config.http.session_cache_ttl.is_zero()).then(|| {
        crate::auth::core::session_cache::SessionCache::new(
            config.http.session_cache_ttl,
            crate::auth::core::session_cache::MAX_ENTRIES,
        )
    });
    Ok(AppState(Arc::new(Shared {
        state_key,
        session_cache,
        config,
        centralauth,
        #[cfg(feature = "dev-provider")]
        dev_provider,
    })))
}

impl Shared {
    /// Whether this server runs the embedded development CentralAuth.
    pub fn dev_provider_active(&self) -> bool {
        #[cfg(feature = "dev-provider")]
        return self.dev_provider.is_some();
        #[cfg(not(feature = "dev-provider"))]
        false
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    #[allow(unused_mut)]
    let mut router = Router::new();
    #[cfg(feature = "dev-provider")]
    if let Some(provider) = &state.dev_provider {
        router = router.nest(crate::dev_centralauth::EMBEDDED_PATH, provider.router());
    }
    let own_origin: Arc<str> = state.config.public_origin.as_str().into();
    let edge = Arc::new(crate::edge::EdgeHeaders::for_config(&state.config));
    router
        .merge(auth_routes::router())
        .leptos_routes_with_context(&state, routes, crate::edge::use_nonce_of_request, {
            let options = state.config.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(crate::edge::use_nonce_of_request, shell))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(server_fn_paths()),
            server_fn_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.secure_cookies(),
            no_store_for_session_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            own_origin,
            csrf::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            edge,
            crate::edge::layer,
        ))
        .layer(axum::middleware::from_fn(crate::edge::refuse_odd_targets))
        .with_state(state)
}

/// What depends on the session is never stored: every response to a request
/// that carries one (keyed on the session this app recognises, any cookie
/// `session_token` would send to CentralAuth, not on one cookie name), and,
/// signed out too, every page and redirect. Browsers replay stored
/// documents on Back without asking: a signed-in page after logout, or a
/// signed-out `/account` redirect after signing in again, which sent the
/// sign-in chain back to sign-in until the browser gave up (too many
/// redirects). Static files (`/pkg/`, images) stay cacheable.
async fn no_store_for_session_pages(
    axum::extract::State(secure): axum::extract::State<bool>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let signed_in = cookies::session(req.headers(), secure).is_some();
    let static_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if !static_asset && (signed_in || depends_on_session(&res)) {
        res.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store, private"),
        );
    }
    res
}

/// A redirect or an HTML page: what the server renders per session.
fn depends_on_session(res: &axum::response::Response) -> bool {
    // Runs on every response: a prefix compare, no allocation.
    let html = res
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.as_bytes().get(..9))
        .is_some_and(|p| p.eq_ignore_ascii_case(b"text/html"));
    res.status().is_redirection() || html
}

/// Server-function arguments are a few short fields; a larger body is refused.
pub const SERVER_FN_BODY_LIMIT: usize = 64 * 1024;

fn server_fn_paths() -> std::collections::HashSet<&'static str> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .chain([crate::auth::logout::server::LEGACY_SERVER_FN_PATH])
        .collect()
}

/// Whether server_fn's error means the request could not be read: the
/// client's fault, answered with 400.
pub fn is_request_error(err: &leptos::server_fn::error::ServerFnErrorErr) -> bool {
    use leptos::server_fn::error::ServerFnErrorErr::*;
    matches!(err, Args(_) | Deserialization(_) | MissingArg(_))
}

/// server_fn answers every failure with 500, a request the client got wrong
/// included. This guard, on server-function paths only, answers those with
/// 4xx: a body over [`SERVER_FN_BODY_LIMIT`] gets 413, a form body that is
/// not UTF-8 gets 400, and an argument error from a function returning
/// `ServerFnError` (server_fn's `Args|`, `Deserialization|`, `MissingArg|`
/// answers) gets 400. Our own error types set their status themselves.
async fn server_fn_guard(
    axum::extract::State(paths): axum::extract::State<Arc<std::collections::HashSet<&'static str>>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::{body::Body, response::IntoResponse};
    use http::{header, StatusCode};
    use http_body_util::{BodyExt, LengthLimitError, Limited};

    if !paths.contains(req.uri().path()) {
        return next.run(req).await;
    }
    let refuse = |status: StatusCode, message: &'static str| {
        (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({ "error": "badRequest", "message": message })),
        )
            .into_response()
    };
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, SERVER_FN_BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            )
        }
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
        }
    };
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if form && std::str::from_utf8(&bytes).is_err() {
        return refuse(StatusCode::BAD_REQUEST, "The form data is not valid UTF-8.");
    }

    let res = next
        .run(axum::extract::Request::from_parts(parts, Body::from(bytes)))
        .await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let body = Limited::new(body, SERVER_FN_BODY_LIMIT)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    if [&b"Args|"[..], b"Deserialization|", b"MissingArg|"]
        .iter()
        .any(|prefix| body.starts_with(prefix))
    {
        parts.status = StatusCode::BAD_REQUEST;
    }
    axum::response::Response::from_parts(parts, Body::from(body))
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
}

pub async fn run(config: Config) -> Result<(), ServerError> {
    let addr = config.leptos.site_addr;
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let limits = config.limits.clone();
    let state = build_state(config)?;
    let app = router(state.clone());
    if state.dev_provider_active() {
        tracing::warn!(
            "DEVELOPMENT CentralAuth is active at {}: anyone can sign in as anyone. \
             Set AUTH_ORGANIZATION_ID and AUTH_SECRET to use the real CentralAuth.",
            state.centralauth.base_url()
        );
    } else {
        tracing::info!("using CentralAuth at {}", state.centralauth.base_url());
    }

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    tracing::info!(
        "listening on http://{addr} (open {})",
        state.config.public_origin
    );
    crate::listener::serve(listener, app, &limits, shutdown_signal()).await;
    #[cfg(feature = "dev-provider")]
    if let Some(provider) = &state.dev_provider {
        if let Err(e) = provider.save_now() {
            tracing::warn!("development CentralAuth: cannot save its state: {e}");
        }
    }
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
