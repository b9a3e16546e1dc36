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
