//! Signing in, server side: `GET /api/auth/login` (the login URL with its
//! PKCE cookie) and `GET /api/auth/callback` (the state's checks, the code
//! exchange, who signed in, and for an affirmation whether it is the same
//! user), with the steps they run.

use std::{net::IpAddr, time::Instant};

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Router,
};

use super::SignInFailure;
use crate::{
    centralauth::{
        challenge_s256, new_verifier, CentralAuthError, LoginParams, MAX_CODE_CHARS,
        MAX_MESSAGE_CHARS,
    },
    hooks::AuthEvent,
    reply::{param, redirect, to_path, Outcome, Params},
    rules::{affirm, client_ip, cookies, state as signed_state},
    state::AppState,
};

pub const CALLBACK_PATH: &str = "/api/auth/callback";

/// The callback URL CentralAuth sends the browser back to.
pub fn callback_url(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.config.public_origin)
}

/// A link to the login route that shows `message` on CentralAuth's sign-in
/// page (the docs' retry pattern: `/api/auth/login?error_message=...`). The
/// route forwards a message only with this signature, so a crafted link
/// cannot put words on the sign-in page.
pub fn login_path_with_message(state: &AppState, return_to: &str, message: &str) -> String {
    let message = printable(message, MAX_MESSAGE_CHARS);
    let sig = signed_state::sign_login_message(&state.state_key, &message);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", return_to)
        .append_pair("error_message", &message)
        .append_pair("error_sig", &sig)
        .finish();
    format!("/api/auth/login?{query}")
}

/// Starts a sign-in: the CentralAuth login URL and the PKCE verifier cookie.
/// `error_message` must come from this server (see [`login_path_with_message`]).
/// With `affirm_for`, it is an affirmation: CentralAuth asks that user to
/// confirm who they are, and the callback accepts only the same user.
pub fn begin_login(
    state: &AppState,
    return_to: Option<&str>,
    email: Option<&str>,
    error_message: Option<&str>,
    affirm_for: Option<&affirm::Expected>,
) -> Outcome {
    let return_to = state.return_url(return_to);
    let error_message = error_message.map(|m| printable(m, MAX_MESSAGE_CHARS));
    let verifier = new_verifier();
    let mut redirect_uri = url::Url::parse(&callback_url(state)).expect("origin was validated");
    redirect_uri
        .query_pairs_mut()
        .append_pair("return_to", &return_to);
    let now = signed_state::now_unix();
    let location = state.centralauth.login_url(&LoginParams {
        redirect_uri: redirect_uri.as_str(),
        state: &signed_state::sign(&state.state_key, now, &verifier),
        code_challenge: &challenge_s256(&verifier),
        email: affirm_for
            .map(|u| u.email.as_str())
            .or(email)
            .map(str::trim)
            .filter(|e| !e.is_empty() && e.len() <= 254),
        error_description: error_message.as_deref(),
        affirm: affirm_for.is_some(),
    });
    let secure = state.secure_cookies();
    let mut set_cookies = vec![cookies::set(
        cookies::code_verifier(secure),
        &verifier,
        cookies::CODE_VERIFIER_MAX_AGE_SECS,
        secure,
    )];
    set_cookies.push(match affirm_for {
        Some(user) => cookies::set(
            affirm::pending_cookie(secure),
            &affirm::sign_pending(&state.state_key, now, &verifier, user),
            affirm::PENDING_MAX_AGE_SECS,
            secure,
        ),
        // A plain sign-in ends any affirmation left unfinished.
        None => cookies::clear(affirm::pending_cookie(secure), secure),
    });
    Outcome {
        location,
        set_cookies,
    }
}

/// Why a callback did not sign the user in; each maps to a readable page.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// CentralAuth reported an error on a callback that carries a state we
    /// issued to this very browser: its code and description may be shown
    /// (to this browser, see `rules::state::ErrorDetail`).
    #[error("CentralAuth reported {code}")]
    Provider { code: String, description: String },
    /// An error callback without a valid state, or with one issued to
    /// another browser (anyone can get a state from the login route and
    /// craft that link): none of its text is shown, only the fixed message.
    #[error("unverified error callback ({code}): {state}")]
    UnverifiedProvider {
        code: String,
        state: signed_state::StateError,
    },
    #[error("bad state: {0}")]
    State(#[from] signed_state::StateError),
    #[error("the callback has no code")]
    MissingCode,
    #[error("code exchange failed: {0}")]
    Verify(#[from] CentralAuthError),
    #[error("the affirmation came back as another user")]
    AffirmedAnotherUser,
}

impl CallbackError {
    /// Why, as the error page understands it.
    pub fn reason(&self) -> SignInFailure {
        match self {
            Self::Provider { .. } | Self::UnverifiedProvider { .. } => SignInFailure::Provider,
            Self::State(signed_state::StateError::Expired) => SignInFailure::StateExpired,
            Self::State(_) => SignInFailure::StateInvalid,
            Self::MissingCode => SignInFailure::MissingCode,
            Self::Verify(CentralAuthError::Api { .. }) => SignInFailure::VerifyRefused,
            Self::Verify(_) => SignInFailure::Unavailable,
            Self::AffirmedAnotherUser => SignInFailure::AffirmedAnotherUser,
        }
    }

    /// CentralAuth's own code and description, when the page may show them.
    pub fn provider_text(&self) -> (&str, &str) {
        match self {
            Self::Provider { code, description } => (code, description),
            Self::Verify(e) => (e.error_code(), ""),
            _ => ("", ""),
        }
    }
}

/// CentralAuth's error codes are identifiers; anything else is shown as
/// `genericError`, so a link cannot put prose (or 60 KB) in the code.
fn provider_code(raw: Option<&str>) -> String {
    match raw {
        Some(c)
            if (1..=MAX_CODE_CHARS).contains(&c.len())
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) =>
        {
            c.to_string()
        }
        _ => "genericError".to_string(),
    }
}

pub struct CallbackParams<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    pub error: Option<&'a str>,
    pub error_description: Option<&'a str>,
}

/// Finishes a sign-in: checks state, trades the code, asks who signed in,
/// and sets the session cookie; an affirmation must bring back the user it
/// was started for, else the session in place is kept.
pub async fn complete_login(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    p: &CallbackParams<'_>,
    return_to: Option<&str>,
) -> Result<Outcome, CallbackError> {
    let secure = state.secure_cookies();
    if p.error.is_some() || p.error_description.is_some() {
        let code = provider_code(p.error);
        // The text is CentralAuth's only if the state is one we issued to
        // the browser now bringing it back.
        let verifier = cookies::read(headers, cookies::code_verifier(secure)).unwrap_or_default();
        let checked = signed_state::verify(&state.state_key, p.state, signed_state::now_unix())
            .and_then(|()| {
                let issued = p.state.unwrap_or("");
                signed_state::issued_to(&state.state_key, issued, &verifier)
                    .then_some(())
                    .ok_or(signed_state::StateError::OtherBrowser)
            });
        return Err(match checked {
            Ok(()) => CallbackError::Provider {
                code,
                description: printable(p.error_description.unwrap_or(""), MAX_MESSAGE_CHARS),
            },
            Err(e) => CallbackError::UnverifiedProvider { code, state: e },
        });
    }
    signed_state::verify(&state.state_key, p.state, signed_state::now_unix())?;
    let code = p
        .code
        .filter(|c| !c.is_empty())
        .ok_or(CallbackError::MissingCode)?;
    // Autologin hops arrive without our verifier; CentralAuth decides then.
    let verifier = cookies::read(headers, cookies::code_verifier(secure)).unwrap_or_default();
    // Not `affirm=1` in the URL, which anyone can drop: our signed cookie.
    let affirming = cookies::read(headers, affirm::pending_cookie(secure)).and_then(|v| {
        affirm::read_pending(&state.state_key, &v, &verifier, signed_state::now_unix())
    });
    let tokens = state
        .centralauth
        .verify(code, &callback_url(state), &verifier)
        .await?;
    let client = client_ip::client_context(headers, peer, &state.config.trusted_proxies);
    let user = state
        .centralauth
        .userinfo(&tokens.access_token, &client)
        .await?;
    if affirming
        .as_ref()
        .is_some_and(|expected| !expected.matches(&user.id, &user.email))
    {
        return Err(CallbackError::AffirmedAnotherUser);
    }
    if let Some(cache) = &state.session_cache {
        cache.insert(
            tokens.access_token.expose(),
            &client,
            user.clone(),
            Instant::now(),
        );
    }
    state
        .hooks
        .notify(AuthEvent::SignedIn {
            user,
            affirmed: affirming.is_some(),
        })
        .await;
    let max_age = cookies::access_token_max_age(tokens.expires_in, tokens.expires_at.as_deref());
    Ok(Outcome {
        location: state.return_url(return_to),
        set_cookies: vec![
            cookies::set(
                cookies::access_token(secure),
                tokens.access_token.expose(),
                max_age,
                secure,
            ),
            cookies::clear(cookies::code_verifier(secure), secure),
            cookies::clear(affirm::pending_cookie(secure), secure),
        ],
    })
}

/// Text a page may show: control characters become spaces, at most
/// `max_chars` characters.
fn printable(s: &str, max_chars: usize) -> String {
    s.chars()
        .take(max_chars)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/login", get(login))
        .route(CALLBACK_PATH, get(callback))
}

fn same_origin_referer(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    (url.origin().ascii_serialization() == state.config.public_origin).then(|| {
        let mut p = url.path().to_string();
        if let Some(q) = url.query() {
            p.push('?');
            p.push_str(q);
        }
        p
    })
}

/// `GET /api/auth/login?return_to=&email=&error_message=&error_sig=`
async fn login(State(state): State<AppState>, headers: HeaderMap, Query(q): Params) -> Response {
    // Like the NPM library, fall back to the Referer, but only a same-origin one.
    let return_to = param(&q, "return_to")
        .map(str::to_string)
        .or_else(|| same_origin_referer(&state, &headers));
    // Forwarded only when this server signed it ([`login_path_with_message`]).
    let error_message = param(&q, "error_message").filter(|m| {
        signed_state::login_message_is_authentic(
            &state.state_key,
            m,
            param(&q, "error_sig").unwrap_or(""),
        )
    });
    let outcome = begin_login(
        &state,
        return_to.as_deref(),
        param(&q, "email"),
        error_message,
        None,
    );
    redirect(StatusCode::FOUND, outcome)
}

/// `GET /api/auth/callback?return_to=&code=&state=` (or `&error=&error_description=`)
async fn callback(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let peer = crate::rules::client_ip::peer(&extensions);
    let params = CallbackParams {
        code: param(&q, "code"),
        state: param(&q, "state"),
        error: param(&q, "error"),
        error_description: param(&q, "error_description"),
    };
    let return_to = param(&q, "return_to");
    match complete_login(&state, &headers, peer, &params, return_to).await {
        Ok(outcome) => redirect(StatusCode::SEE_OTHER, outcome),
        Err(err) => {
            // Display of every variant holds only checked codes or escaped text.
            tracing::warn!(
                reason = err.reason().as_query(),
                "sign-in callback refused: {err}"
            );
            // The page shows code and detail only with this signature,
            // for the browser that started the sign-in, for a few
            // minutes: a crafted or forwarded link cannot put words in
            // CentralAuth's mouth. Without a verifier (an autologin hop)
            // there is nothing to bind to, so only the fixed message.
            let verifier = cookies::read(&headers, cookies::code_verifier(state.secure_cookies()))
                .unwrap_or_default();
            let (code, detail) = match err.provider_text() {
                _ if verifier.is_empty() => ("", ""),
                text => text,
            };
            let now = signed_state::now_unix();
            let at = now.to_string();
            let sig = if code.is_empty() && detail.is_empty() {
                String::new()
            } else {
                let shown = signed_state::ErrorDetail {
                    code,
                    detail,
                    at: now,
                };
                signed_state::sign_error_detail(&state.state_key, shown, &verifier)
            };
            let location = to_path(
                "/auth/error",
                &[
                    ("reason", err.reason().as_query()),
                    ("code", code),
                    ("detail", detail),
                    ("at", if sig.is_empty() { "" } else { &at }),
                    ("sig", &sig),
                    ("return_to", &state.return_url(return_to)),
                ],
            );
            // An affirmation that failed is over; the session stays.
            let secure = state.secure_cookies();
            let set_cookies = cookies::read(&headers, affirm::pending_cookie(secure))
                .map(|_| vec![cookies::clear(affirm::pending_cookie(secure), secure)])
                .unwrap_or_default();
            redirect(
                StatusCode::SEE_OTHER,
                Outcome {
                    location,
                    set_cookies,
                },
            )
        }
    }
}
