//! Test hooks (only with `DEV_CENTRALAUTH_TEST_HOOKS=1`): inject faults, read
//! the call log, create sessions without the browser flow, make sessions
//! older (their affirmation too), count connections.

use std::time::Duration;

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};

use super::{api::api_error, browser::validate_email, CallRecord, DevProvider, Fault};

pub(super) fn routes(router: Router<DevProvider>) -> Router<DevProvider> {
    router
        .route("/_test/faults", post(add_fault).delete(clear_faults))
        .route("/_test/calls", get(list_calls).delete(clear_calls))
        .route("/_test/sessions", post(create_session_for_tests))
        .route("/_test/age", post(age_sessions))
        .route("/_test/stats", get(stats))
}

async fn add_fault(State(p): State<DevProvider>, Json(fault): Json<Fault>) -> Response {
    if let Some(ms) = fault.refuse_for_ms {
        let sender = p
            .inner
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        return match sender {
            Some(tx) if tx.send(Duration::from_millis(ms)).is_ok() => StatusCode::ACCEPTED.into_response(),
            _ => api_error(
                StatusCode::BAD_REQUEST,
                "genericError",
                "refuse_for_ms needs the standalone provider (bin dev-centralauth); the embedded one shares the app's listener",
            ),
        };
    }
    p.add_fault(fault);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(serde::Deserialize)]
struct Age {
    seconds: u64,
}

/// Every session as if created (and affirmed) `seconds` earlier.
async fn age_sessions(State(p): State<DevProvider>, Json(age): Json<Age>) -> StatusCode {
    p.age_sessions(Duration::from_secs(age.seconds));
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(p): State<DevProvider>) -> StatusCode {
    p.clear_faults();
    StatusCode::NO_CONTENT
}

async fn list_calls(State(p): State<DevProvider>) -> Json<Vec<CallRecord>> {
    Json(p.calls())
}

async fn clear_calls(State(p): State<DevProvider>) -> StatusCode {
    p.store().clear_calls();
    StatusCode::NO_CONTENT
}

async fn stats(State(p): State<DevProvider>) -> Json<serde_json::Value> {
    let (live_sessions, pending_codes) = p.counts();
    Json(serde_json::json!({
        "connections_accepted": p.connections_accepted(),
        "live_sessions": live_sessions,
        "pending_codes": pending_codes,
    }))
}

#[derive(serde::Deserialize)]
struct NewSession {
    email: String,
}

/// Creates a signed-in session directly and returns its access token (and
/// the session's fingerprint, as the call log shows it); for tests and
/// benchmarks that need many sessions without the browser flow.
async fn create_session_for_tests(
    State(p): State<DevProvider>,
    Json(req): Json<NewSession>,
) -> Response {
    let email = match validate_email(&req.email) {
        Ok(e) => e,
        Err(msg) => return api_error(StatusCode::BAD_REQUEST, "missingFields", msg),
    };
    let (session_id, access_token) = p.create_session(&email);
    Json(serde_json::json!({ "session_id": session_id, "access_token": access_token }))
        .into_response()
}
