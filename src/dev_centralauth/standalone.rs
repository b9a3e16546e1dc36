//! The development CentralAuth as a process of its own, so several app
//! instances can share one provider (and so tests can make it refuse
//! connections for real).
//!
//!   DEV_CENTRALAUTH_ADDR=127.0.0.1:3100 \
//!   DEV_CENTRALAUTH_ORIGINS=http://127.0.0.1:3000,http://localhost:3002 \
//!   cargo run --features ssr --bin dev-centralauth
//!
//! Sessions are kept in `target/dev-centralauth/standalone-<addr>.json`, or
//! in the file `DEV_CENTRALAUTH_STATE` names (`off`: memory only).

use std::{net::SocketAddr, process::ExitCode, time::Duration};

use axum::serve::ListenerExt;

use super::{default_state_file, DevProvider, DevProviderConfig};
use crate::config::{parse_origin, DevProviderSettings};

/// The `dev-centralauth` binary: variables read, provider served until Ctrl-C.
pub async fn main() -> ExitCode {
    let format = std::env::var("LOG_FORMAT").ok();
    match crate::logging::LogFormat::parse(format.as_deref()) {
        Ok(format) => crate::logging::init_tracing(format),
        Err(reason) => {
            eprintln!("dev-centralauth: LOG_FORMAT is malformed: {reason}");
            return ExitCode::from(2);
        }
    }
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("dev-centralauth: {msg}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    crate::config::load_dotenv().map_err(|e| e.to_string())?;
    let var = |name: &str| std::env::var(name).ok();
    for name in [
        "DEV_CENTRALAUTH_ADDR",
        "DEV_CENTRALAUTH_ORIGINS",
        "DEV_CENTRALAUTH_TEST_HOOKS",
        "DEV_CENTRALAUTH_STATE",
        "DEV_CENTRALAUTH_MAX_SESSIONS",
    ] {
        if var(name).is_some_and(|v| v.trim().is_empty()) {
            return Err(format!("{name} is set but empty: set a value or unset it"));
        }
    }
    let addr: SocketAddr = var("DEV_CENTRALAUTH_ADDR")
        .unwrap_or_else(|| "127.0.0.1:3100".into())
        .parse()
        .map_err(|_| {
            "DEV_CENTRALAUTH_ADDR is malformed: expected host:port, e.g. 127.0.0.1:3100".to_string()
        })?;
    let origins = var("DEV_CENTRALAUTH_ORIGINS")
        .ok_or(
            "DEV_CENTRALAUTH_ORIGINS is missing: list the app origins to register, comma-separated",
        )?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|o| parse_origin("DEV_CENTRALAUTH_ORIGINS", o).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let test_hooks = matches!(
        var("DEV_CENTRALAUTH_TEST_HOOKS").as_deref(),
        Some("1" | "true")
    );

    let (state_file, max_sessions) =
        DevProviderSettings::persistence(var, default_state_file("standalone", &addr.to_string()))
            .map_err(|e| e.to_string())?;

    let provider = DevProvider::new(DevProviderConfig {
        test_hooks,
        state_file,
        max_sessions,
        ..DevProviderConfig::local(format!("http://{addr}"), origins)
    });
    let mut refusals = provider.refusal_requests();
    let app = provider.router::<()>();
    tracing::warn!("DEVELOPMENT CentralAuth listening on http://{addr}: not for production");

    loop {
        let counter = provider.clone();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?
            .tap_io(move |_| counter.count_connection());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<Duration>();
        let server = axum::serve(listener, app.clone()).with_graceful_shutdown(async move {
            // The listener is dropped as soon as this resolves: new connections are refused.
            let _ = stop_rx.await;
        });
        let mut server = tokio::spawn(async move { server.await });
        tokio::select! {
            Some(pause) = refusals.recv() => {
                let _ = stop_tx.send(pause);
                tracing::warn!("refusing connections for {pause:?} (test fault)");
                // In-flight requests finish; idle keep-alive connections close.
                let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
                tokio::time::sleep(pause).await;
                tracing::info!("accepting connections again");
            }
            _ = tokio::signal::ctrl_c() => return save(&provider),
            result = &mut server => {
                return match result {
                    Ok(Ok(())) => save(&provider),
                    Ok(Err(e)) => Err(format!("server stopped: {e}")),
                    Err(e) => Err(format!("server task failed: {e}")),
                };
            }
        }
    }
}

/// The last changes, saved before the process ends.
fn save(provider: &DevProvider) -> Result<(), String> {
    provider
        .save_now()
        .map_err(|e| format!("cannot save the state file: {e}"))
}
