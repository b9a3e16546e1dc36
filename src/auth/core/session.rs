//! The session, server side: what the app knows from a request (its token,
//! the client's address and agent) and who the session belongs to, asked
//! of CentralAuth.

use std::{net::IpAddr, time::Instant};

use http::HeaderMap;

use crate::{
    auth::{
        rules::{client_ip::client_ip, cookies, return_url::safe_return_url},
        CurrentUser,
    },
    centralauth::{CentralAuthError, ClientContext, Secret},
    server::AppState,
};

impl AppState {
    pub fn secure_cookies(&self) -> bool {
        self.config.secure_cookies()
    }

    pub fn return_url(&self, raw: Option<&str>) -> String {
        safe_return_url(raw, &self.config.return_to_allowed_origins)
    }

    pub fn callback_url(&self) -> String {
        format!(
            "{}{}",
            self.config.public_origin,
            super::signin::CALLBACK_PATH
        )
    }

    fn client_context(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> ClientContext {
        ClientContext {
            user_agent: headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            ip: client_ip(peer, headers, &self.config.trusted_proxies),
        }
    }
}

/// The session token this request carries, if any: a value that cannot be
/// a CentralAuth token is no session (see [`cookies::plausible_token`]).
pub fn session_token(headers: &HeaderMap, secure: bool) -> Option<Secret> {
    let value = cookies::session(headers, secure)?;
    if cookies::plausible_token(&value) {
        Some(Secret::new(value))
    } else {
        tracing::debug!(
            bytes = value.len(),
            "session cookie is not a token; ignored"
        );
        None
    }
}

pub struct UserLookup {
    pub user: Option<CurrentUser>,
    /// Set-Cookie values to send (the cleared session when CentralAuth said it is gone).
    pub set_cookies: Vec<String>,
}

/// Asks CentralAuth who the session belongs to. A session CentralAuth calls
/// gone is logged out here too; an unreachable CentralAuth is an error, not
/// a logout.
pub async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<UserLookup, CentralAuthError> {
    let Some(token) = session_token(headers, state.secure_cookies()) else {
        return Ok(UserLookup {
            user: None,
            set_cookies: vec![],
        });
    };
    let client = state.client_context(headers, peer);
    let cache = state.session_cache.as_ref();
    if let Some(user) = cache.and_then(|c| c.get(token.expose(), &client, Instant::now())) {
        return Ok(UserLookup {
            user: Some(user),
            set_cookies: vec![],
        });
    }
    match state.centralauth.userinfo(&token, &client).await {
        Ok(u) => {
            let user = CurrentUser {
                id: u.id,
                email: u.email,
                // An https page shows only https images: an http one would
                // be mixed content, and the policy refuses it.
                avatar_url: u.gravatar.filter(|g| {
                    g.starts_with("https://")
                        || (!state.secure_cookies() && g.starts_with("http://"))
                }),
            };
            if let Some(c) = cache {
                c.insert(token.expose(), &client, user.clone(), Instant::now());
            }
            Ok(UserLookup {
                user: Some(user),
                set_cookies: vec![],
            })
        }
        Err(e) if e.session_gone() => {
            if let Some(c) = cache {
                c.forget(token.expose());
            }
            // Debug, not info: anyone can send a made-up cookie, and a line
            // per such request would let them fill the disk.
            tracing::debug!(
                error_code = e.error_code(),
                "session ended at CentralAuth; clearing the cookie"
            );
            Ok(UserLookup {
                user: None,
                set_cookies: super::logout::clear_all(state.secure_cookies()),
            })
        }
        Err(e) => {
            tracing::warn!(
                error_code = e.error_code(),
                "could not check the session with CentralAuth: {e}"
            );
            Err(e)
        }
    }
}
