//! The server, composed: configuration, state, the router with its layers,
//! logging and graceful shutdown. Features bring their own routes.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::{
    app::{shell, App},
    config::Config,
    edge, guards,
    rules::csrf,
    site,
    state::{build_state, AppState, ServerError},
};

/// The app binary: `.env` and the variables read, then served until stopped.
/// A configuration error stops start-up with exit code 2, naming the variable.
/// `healthcheck` as the first argument asks a running server instead.
pub async fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("healthcheck") {
        return crate::health::check_command().await;
    }
    let config = match crate::config::load_dotenv().and_then(|_| Config::from_env()) {
        Ok(config) => config,
        Err(err) => {
            // Printed plainly: logging is set up from the configuration.
            eprintln!("configuration error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    crate::logging::init_tracing(config.log_format);
    crate::request_id::init_executor();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("server error: {err}");
            std::process::ExitCode::FAILURE
        }
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
    let cross_site = Arc::new(csrf::CrossSite {
        own_origin: state.config.public_origin.clone(),
        stylesheet: Some(site::stylesheet_href(&state.config.leptos)),
    });
    let edge = Arc::new(edge::EdgeHeaders::for_config(&state.config));
    let from_disk = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        edge::use_nonce_of_request,
        shell,
    );
    // The site's files from memory, compressed (production); else from disk,
    // and what is no file gets the app's 404 page.
    let files_or_not_found = move |State(state): State<AppState>, req: Request| {
        let from_disk = from_disk.clone();
        async move {
            if let Some(res) = state
                .assets
                .as_ref()
                .and_then(|a| a.serve(req.method(), req.uri().path(), req.headers()))
            {
                return res;
            }
            from_disk(req.uri().clone(), State(state), req).await
        }
    };
    let trusted: Arc<[std::net::IpAddr]> = state.config.trusted_proxies.clone().into();
    router
        .merge(crate::auth::routes::router())
        .merge(crate::health::routes())
        .leptos_routes_with_context(&state, routes, edge::use_nonce_of_request, {
            let options = state.config.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(files_or_not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(guards::server_fn_paths()),
            guards::server_fn_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.secure_cookies(),
            guards::by_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            cross_site,
            csrf::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(edge, edge::layer))
        .layer(axum::middleware::from_fn(edge::refuse_odd_targets))
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            crate::request_id::layer,
        ))
        .with_state(state)
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
