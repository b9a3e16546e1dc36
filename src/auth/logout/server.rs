//! Logging out, server side: end the CentralAuth session if asked, clear
//! the cookies, and decide where the browser goes and how the answer
//! travels ([`LogoutReply`]), the same for both doors: the server function
//! and the plain `POST /api/auth/logout` route.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Form, Router,
};

use super::{LoggedOut, LogoutError, EVERYWHERE_FAILED_MESSAGE};
use crate::{
    auth::session::server::session_token,
    centralauth::CentralAuthError,
    hooks::AuthEvent,
    reply::{append_cookies_to, finish, json_error, redirect, to_path, Outcome},
    rules::cookies,
    state::AppState,
};

/// Which door a logout came through; it decides how the answer travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// `POST /api/auth/logout`: a redirect on success for any caller.
    Route,
    /// The server function: data for the wasm client, a redirect for a
    /// plain form post (JavaScript off).
    ServerFunction,
}

/// What a logout answers, whichever door it came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutReply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub result: Result<LoggedOut, LogoutError>,
}

/// Ends the CentralAuth session if `everywhere`; a failure of that call
/// is returned as is, and then nothing else happens.
async fn end_everywhere(state: &AppState, headers: &HeaderMap) -> Result<(), CentralAuthError> {
    let Some(token) = session_token(headers, state.secure_cookies()) else {
        return Ok(());
    };
    match state.centralauth.logout(&token).await {
        Ok(()) => tracing::info!("CentralAuth session ended everywhere"),
        Err(e) if e.session_gone() => {
            tracing::info!(
                error_code = e.error_code(),
                "CentralAuth session was already gone"
            )
        }
        Err(e) => {
            tracing::warn!(error_code = e.error_code(), status = ?e.status(), "logout everywhere failed: {e}");
            return Err(e);
        }
    }
    Ok(())
}

/// Logs out of this app, and with `everywhere` ends the CentralAuth
/// session first. If that call fails the session is kept: nothing is
/// cleared and the user is told, rather than shown as logged out
/// everywhere when they are not.
pub async fn logout(
    state: &AppState,
    headers: &HeaderMap,
    everywhere: bool,
    return_to: Option<&str>,
    door: Door,
) -> LogoutReply {
    // A browser navigating (a form post) wants a page, not data.
    let navigating = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let outcome = if everywhere {
        end_everywhere(state, headers).await
    } else {
        Ok(())
    };
    match outcome {
        Ok(()) => {
            if let Some(token) = session_token(headers, state.secure_cookies()) {
                // A remembered answer must not outlive the logout on this
                // server; it also says whose session this was.
                let user = state
                    .session_cache
                    .as_ref()
                    .and_then(|cache| cache.forget(token.expose()));
                state
                    .hooks
                    .notify(AuthEvent::LoggedOut { everywhere, user })
                    .await;
            }
            let redirect_to = state.return_url(return_to);
            let redirects = navigating || door == Door::Route;
            LogoutReply {
                status: if redirects {
                    StatusCode::SEE_OTHER
                } else {
                    StatusCode::OK
                },
                location: redirects.then(|| redirect_to.clone()),
                set_cookies: {
                    let mut set = cookies::clear_all(state.secure_cookies());
                    // Our own form posted without JavaScript lands on a page
                    // that says what happened from this cookie, not from its
                    // URL; with JavaScript the answer itself tells the page.
                    // The plain route answers as the NPM library's does.
                    if redirects && door == Door::ServerFunction {
                        set.push(cookies::logout_outcome(everywhere, state.secure_cookies()));
                    }
                    set
                },
                result: Ok(LoggedOut {
                    redirect_to,
                    everywhere,
                }),
            }
        }
        Err(e) => LogoutReply {
            // The page offers "try again" and "log out of this app only".
            status: if navigating {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::BAD_GATEWAY
            },
            location: navigating.then(|| failed_page(return_to)),
            set_cookies: vec![],
            result: Err(LogoutError::Everywhere {
                error_code: e.error_code().to_string(),
            }),
        },
    }
}

/// `/logout?failed=everywhere&return_to=…`
fn failed_page(return_to: Option<&str>) -> String {
    to_path(
        "/logout",
        &[
            ("failed", "everywhere"),
            ("return_to", return_to.unwrap_or("")),
        ],
    )
}

/// Reads a form flag the way browsers and people send it.
pub fn parse_flag(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("true" | "on" | "1" | "yes")
    )
}

impl LogoutReply {
    /// The server function's door: status, headers and cookies onto
    /// Leptos' response; the result is the function's value.
    pub fn apply(self, response: &leptos_axum::ResponseOptions) -> Result<LoggedOut, LogoutError> {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        append_cookies_to(response, self.set_cookies);
        if let Some(v) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.insert_header(header::LOCATION, v);
        }
        if self.status != StatusCode::OK {
            response.set_status(self.status);
        }
        self.result
    }
}

/// The plain route's door.
impl IntoResponse for LogoutReply {
    fn into_response(self) -> Response {
        let res = match (&self.result, &self.location) {
            (Err(LogoutError::Everywhere { error_code }), None) => json_error(
                self.status,
                "logoutEverywhereFailed",
                EVERYWHERE_FAILED_MESSAGE,
                Some(error_code),
            ),
            _ => self.status.into_response(),
        };
        finish(res, self.location.as_deref(), self.set_cookies)
    }
}

#[derive(serde::Deserialize)]
struct LogoutForm {
    everywhere: Option<String>,
    return_to: Option<String>,
}

/// `POST /api/auth/logout` and `GET /api/auth/logout`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/auth/logout", get(logout_page).post(logout_route))
}

/// `POST /api/auth/logout` with form fields `everywhere` and `return_to`:
/// the counterpart of the NPM library's `logoutHTTP`, minus its flaws.
async fn logout_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> LogoutReply {
    let everywhere = parse_flag(form.everywhere.as_deref());
    logout(
        &state,
        &headers,
        everywhere,
        form.return_to.as_deref(),
        Door::Route,
    )
    .await
}

/// `GET /api/auth/logout` changes nothing: it leads to the page with the form.
async fn logout_page(Query(q): Query<HashMap<String, String>>) -> Response {
    let return_to = q.get("return_to").map(String::as_str).unwrap_or("");
    redirect(
        StatusCode::SEE_OTHER,
        Outcome {
            location: to_path("/logout", &[("return_to", return_to)]),
            set_cookies: vec![],
        },
    )
}
