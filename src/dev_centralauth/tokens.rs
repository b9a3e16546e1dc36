//! The provider's tokens (JWE naming their session) and its own browser
//! cookie (the session id with a MAC).

use axum::http::{header, HeaderMap};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{now_ms, DevProvider, Session, SESSION_COOKIE};

/// What a token says, in the shape CentralAuth's NPM library reads:
/// `{ sessionId, user? }`, plus the standard `iat` and `exp` that `jose`
/// checks.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "sessionId")]
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<serde_json::Value>,
    pub iat: u64,
    pub exp: u64,
}

#[derive(Debug, PartialEq)]
pub(super) enum BrowserCookie {
    Absent,
    Live(Session),
    /// Ended, expired, or not signed by this provider.
    Stale,
}

pub struct IssuedTokens {
    pub access_token: String,
    pub id_token: String,
    pub expires_in: u64,
    pub expires_at: SystemTime,
}

impl DevProvider {
    /// An access token and an ID token for the session, sealed as JWE; they
    /// never outlive it.
    pub(super) fn issue_tokens(&self, session: &Session) -> IssuedTokens {
        let now = now_ms();
        let ttl = self.inner.config.token_ttl.as_millis() as u64;
        let (iat, exp) = (now / 1000, (now + ttl).min(session.expires) / 1000);
        let seal = |user: Option<serde_json::Value>| {
            let claims = Claims {
                session_id: session.id.clone(),
                user,
                iat,
                exp,
            };
            self.inner
                .sealer
                .seal(&serde_json::to_vec(&claims).expect("claims serialise"))
        };
        IssuedTokens {
            access_token: seal(None),
            id_token: seal(Some(self.user_json(session))),
            expires_in: exp.saturating_sub(iat),
            expires_at: UNIX_EPOCH + Duration::from_secs(exp),
        }
    }

    /// What one of our tokens says; `None` for anything else. A foreign
    /// header is refused before any crypto.
    pub(super) fn claims(&self, token: &str) -> Option<Claims> {
        let plain = self.inner.sealer.open(token).ok()?;
        serde_json::from_slice(&plain).ok()
    }

    /// The live session behind a token, or the CentralAuth code saying why not.
    pub(super) fn session_for_token(&self, token: &str) -> Result<Session, &'static str> {
        let claims = self.claims(token).ok_or("tokenInvalid")?;
        let now = now_ms();
        if claims.exp.saturating_mul(1000) <= now {
            return Err("sessionExpired");
        }
        self.store()
            .live_session(&claims.session_id, now)
            .cloned()
            .ok_or("sessionInactive")
    }

    /// The provider's browser cookie names the session and carries a MAC
    /// under a key only the provider has: the session id alone (which every
    /// token reveals to apps that decrypt it) is not enough to forge one.
    pub(super) fn cookie_value(&self, session_id: &str) -> String {
        format!(
            "{session_id}.{}",
            B64.encode(self.cookie_mac(session_id).finalize().into_bytes())
        )
    }

    pub(super) fn cookie_mac(&self, session_id: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.inner.cookie_key).expect("any key length");
        mac.update(session_id.as_bytes());
        mac
    }

    /// What the browser's provider cookie names: a live session, one that
    /// ended (or was never ours), or nothing.
    pub(super) fn browser_cookie(&self, headers: &HeaderMap) -> BrowserCookie {
        let Some(value) = read_cookie(headers, SESSION_COOKIE) else {
            return BrowserCookie::Absent;
        };
        let live = value.rsplit_once('.').and_then(|(id, sig)| {
            let sig = B64.decode(sig).ok()?;
            self.cookie_mac(id).verify_slice(&sig).ok()?;
            self.store().live_session(id, now_ms()).cloned()
        });
        live.map_or(BrowserCookie::Stale, BrowserCookie::Live)
    }

    /// Removes the provider's cookie: sent when it names a session that
    /// ended ("log out everywhere" reaches the provider server to server,
    /// so the browser's next visit is the first chance to drop it).
    pub(super) fn clear_session_cookie(&self) -> String {
        Cookie::build((SESSION_COOKIE, ""))
            .path(self.inner.config.cookie_path())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.inner.config.public_base.starts_with("https://"))
            .max_age(cookie::time::Duration::ZERO)
            .build()
            .to_string()
    }

    pub(super) fn session_cookie(&self, session: &Session) -> String {
        let secure = self.inner.config.public_base.starts_with("https://");
        let max_age = session.expires.saturating_sub(now_ms()) / 1000;
        Cookie::build((SESSION_COOKIE, self.cookie_value(&session.id)))
            .path(self.inner.config.cookie_path())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(cookie::time::Duration::seconds(max_age as i64))
            .build()
            .to_string()
    }
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}
