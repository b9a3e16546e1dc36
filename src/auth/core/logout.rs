//! Logging out, server side: end the CentralAuth session if asked, clear
//! the cookies, and say how the answer travels ([`LogoutReply`]), the same
//! for both doors (see `auth/logout.rs`).

use axum::http::{header, HeaderMap, StatusCode};

use crate::{
    auth::{
        logout::{LoggedOut, LogoutError},
        rules::cookies,
    },
    centralauth::CentralAuthError,
    server::AppState,
};

use super::session::session_token;

/// The server function's first path; it keeps answering for callers
/// that use it.
pub const LEGACY_SERVER_FN_PATH: &str = "/api/auth/signout";

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

/// The `Set-Cookie` values that clear every auth cookie. They never change
/// for a process, so they are formatted once.
pub fn clear_all(secure: bool) -> Vec<String> {
    static CLEARED: std::sync::OnceLock<[Vec<String>; 2]> = std::sync::OnceLock::new();
    let [insecure, secure_set] = CLEARED.get_or_init(|| {
        [false, true].map(|secure| {
            cookies::all(secure)
                .iter()
                .map(|name| cookies::clear(name, secure))
                .collect()
        })
    });
    if secure {
        secure_set.clone()
    } else {
        insecure.clone()
    }
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
            // A remembered answer must not outlive the logout on this server.
            if let (Some(cache), Some(token)) = (
                &state.session_cache,
                session_token(headers, state.secure_cookies()),
            ) {
                cache.forget(token.expose());
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
                    let mut set = clear_all(state.secure_cookies());
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
    crate::auth::routes::to_path(
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
