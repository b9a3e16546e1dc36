//! Signing in, server side: the login URL with its PKCE cookie, and the
//! callback's checks and code exchange. Headers in, cookies and a location
//! out (see `auth/login.rs` for the routes and the error page).

use http::HeaderMap;

use super::Outcome;
use crate::{
    auth::{
        login::SignInFailure,
        rules::{cookies, state as signed_state},
    },
    centralauth::{
        challenge_s256, new_verifier, CentralAuthError, LoginParams, MAX_CODE_CHARS,
        MAX_MESSAGE_CHARS,
    },
    server::AppState,
};

pub const CALLBACK_PATH: &str = "/api/auth/callback";

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
pub fn begin_login(
    state: &AppState,
    return_to: Option<&str>,
    email: Option<&str>,
    error_message: Option<&str>,
) -> Outcome {
    let return_to = state.return_url(return_to);
    let error_message = error_message.map(|m| printable(m, MAX_MESSAGE_CHARS));
    let verifier = new_verifier();
    let mut redirect_uri = url::Url::parse(&state.callback_url()).expect("origin was validated");
    redirect_uri
        .query_pairs_mut()
        .append_pair("return_to", &return_to);
    let location = state.centralauth.login_url(&LoginParams {
        redirect_uri: redirect_uri.as_str(),
        state: &signed_state::sign(&state.state_key, signed_state::now_unix(), &verifier),
        code_challenge: &challenge_s256(&verifier),
        email: email
            .map(str::trim)
            .filter(|e| !e.is_empty() && e.len() <= 254),
        error_description: error_message.as_deref(),
    });
    Outcome {
        location,
        set_cookies: vec![cookies::set(
            cookies::code_verifier(state.secure_cookies()),
            &verifier,
            cookies::CODE_VERIFIER_MAX_AGE_SECS,
            state.secure_cookies(),
        )],
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

/// Finishes a sign-in: checks state, trades the code, sets the session cookie.
pub async fn complete_login(
    state: &AppState,
    headers: &HeaderMap,
    p: &CallbackParams<'_>,
    return_to: Option<&str>,
) -> Result<Outcome, CallbackError> {
    if p.error.is_some() || p.error_description.is_some() {
        let code = provider_code(p.error);
        // The text is CentralAuth's only if the state is one we issued to
        // the browser now bringing it back.
        let verifier = cookies::read(headers, cookies::code_verifier(state.secure_cookies()))
            .unwrap_or_default();
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
    let verifier =
        cookies::read(headers, cookies::code_verifier(state.secure_cookies())).unwrap_or_default();
    let tokens = state
        .centralauth
        .verify(code, &state.callback_url(), &verifier)
        .await?;
    let secure = state.secure_cookies();
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
