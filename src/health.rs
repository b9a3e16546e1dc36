//! `GET /healthz`: the process serves (nothing else is asked). `GET
//! /readyz`: CentralAuth answers too (see `centralauth::Readiness`: checked
//! at most every few seconds, with a short timeout); 503 otherwise. Neither
//! answer says more than that: no address, no error.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Response {
    answer(StatusCode::OK, "ok")
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.readiness.ready(&state.centralauth).await {
        answer(StatusCode::OK, "ready")
    } else {
        answer(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    }
}

fn answer(status: StatusCode, word: &'static str) -> Response {
    let mut res = (status, Json(serde_json::json!({ "status": word }))).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `<binary> healthcheck`: asks this server's own `/readyz` (at
/// `LEPTOS_SITE_ADDR`, an unspecified address read as loopback) and exits 0
/// when it is ready, 1 otherwise: a container's `HEALTHCHECK`, which needs
/// no curl in the image.
pub async fn check_command() -> std::process::ExitCode {
    let addr = std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let Ok(mut addr) = addr.parse::<std::net::SocketAddr>() else {
        eprintln!("healthcheck: LEPTOS_SITE_ADDR is malformed: expected host:port");
        return std::process::ExitCode::from(2);
    };
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let ready = async {
        let res = reqwest::Client::new()
            .get(format!("http://{addr}/readyz"))
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await?;
        Ok::<_, reqwest::Error>(res.status() == StatusCode::OK)
    };
    match ready.await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("healthcheck: not ready");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("healthcheck: {addr} did not answer: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
