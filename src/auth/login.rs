//! Signing in: the login and callback routes (the browser's redirects to
//! and from CentralAuth), the reasons a sign-in can fail, and the page that
//! explains one. The server-side steps are in `session.rs`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::session::login_href;

/// Why a sign-in did not complete: set by the callback, read by the error
/// page, so the two cannot drift apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    StateExpired,
    StateInvalid,
    MissingCode,
    Provider,
    VerifyRefused,
    Unavailable,
    /// A link with no or an unknown reason.
    Unknown,
}

impl SignInFailure {
    pub const ALL: [Self; 7] = [
        Self::StateExpired,
        Self::StateInvalid,
        Self::MissingCode,
        Self::Provider,
        Self::VerifyRefused,
        Self::Unavailable,
        Self::Unknown,
    ];

    /// The `reason` query value on `/auth/error`.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::StateExpired => "state_expired",
            Self::StateInvalid => "state_invalid",
            Self::MissingCode => "missing_code",
            Self::Provider => "provider",
            Self::VerifyRefused => "verify_refused",
            Self::Unavailable => "unavailable",
            Self::Unknown => "unknown",
        }
    }

    pub fn from_query(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| r.as_query() == value)
            .unwrap_or(Self::Unknown)
    }

    /// What the page says; `code` is CentralAuth's, when the server vouched
    /// for it.
    pub fn message(self, code: Option<String>) -> String {
        match self {
            Self::StateExpired => "Your sign-in took too long and has expired.".to_string(),
            Self::StateInvalid => "This sign-in response could not be verified: it may have been tampered with, or it was not started here.".to_string(),
            Self::MissingCode => "The sign-in response from CentralAuth was incomplete.".to_string(),
            Self::Provider => "CentralAuth could not sign you in.".to_string(),
            Self::VerifyRefused => match code.filter(|c| !c.is_empty()) {
                Some(code) => format!("CentralAuth refused to complete the sign-in ({code})."),
                None => "CentralAuth refused to complete the sign-in.".to_string(),
            },
            Self::Unavailable => "CentralAuth could not be reached. Please try again in a moment.".to_string(),
            Self::Unknown => "The sign-in did not complete.".to_string(),
        }
    }
}

/// What CentralAuth said when a sign-in failed, as the error page may show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderErrorDetail {
    pub code: String,
    pub detail: String,
}

/// The error page's `code` and `detail`, if the callback signed them for
/// this browser within the last minutes; `None` for a crafted link, a link
/// opened in another browser, or an old one.
#[server(prefix = "/api/auth", endpoint = "error_detail")]
pub async fn checked_error_detail(
    code: String,
    detail: String,
    at: String,
    sig: String,
) -> Result<Option<ProviderErrorDetail>, ServerFnError> {
    use super::rules::{cookies, state as signed};
    let (state, parts) = super::request_context()?;
    let verifier = cookies::read(
        &parts.headers,
        cookies::code_verifier(state.secure_cookies()),
    )
    .unwrap_or_default();
    let shown = signed::ErrorDetail {
        code: &code,
        detail: &detail,
        at: at.parse().unwrap_or(0),
    };
    let authentic = signed::error_detail_is_authentic(
        &state.state_key,
        shown,
        &verifier,
        &sig,
        signed::now_unix(),
    );
    Ok(authentic.then_some(ProviderErrorDetail { code, detail }))
}

/// The readable page for a sign-in that did not complete.
#[component]
pub fn SignInErrorPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::BAD_REQUEST);
    }
    // Code and detail come from the link, so they are shown only when the
    // server confirms the callback signed them.
    let checked = Resource::new(
        move || (get("code"), get("detail"), get("at"), get("sig")),
        |(code, detail, at, sig)| async move {
            if code.is_empty() && detail.is_empty() {
                return None;
            }
            checked_error_detail(code, detail, at, sig)
                .await
                .ok()
                .flatten()
        },
    );
    let message =
        move |code: Option<String>| SignInFailure::from_query(&get("reason")).message(code);
    let explained = move || {
        checked.get().map(|checked| {
            let detail = checked
                .as_ref()
                .map(|c| c.detail.clone())
                .filter(|d| !d.is_empty())
                .map(|d| view! { <p class="detail">"CentralAuth said: " <q>{d}</q></p> });
            view! {
                <p data-testid="signin-error">{message(checked.map(|c| c.code))}</p>
                {detail}
            }
        })
    };
    let retry = move || {
        let r = get("return_to");
        login_href(if r.is_empty() { "/" } else { &r })
    };
    view! {
        <Title text=format!("Sign-in problem · {}", crate::APP_NAME) />
        <section class="panel panel-error" role="alert">
            <h1>"Sign-in did not complete"</h1>
            <Suspense fallback=move || view! { <p data-testid="signin-error">{message(None)}</p> }>
                {explained}
            </Suspense>
            <p>
                <a class="button" href=retry rel="external">
                    "Try signing in again"
                </a>
                " "
                <a href="/">"Back to the home page"</a>
            </p>
        </section>
    }
}

/// The login and callback routes.
#[cfg(feature = "ssr")]
pub mod server {
    use axum::{
        extract::{Query, State},
        http::{header, HeaderMap, StatusCode},
        response::Response,
        routing::get,
        Router,
    };

    use crate::{
        auth::{
            core::{
                signin::{self, CallbackParams},
                Outcome,
            },
            routes::{param, redirect, to_path, Params},
            rules::{cookies, state as signed_state},
        },
        server::AppState,
    };

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/api/auth/login", get(login))
            .route(signin::CALLBACK_PATH, get(callback))
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
    async fn login(
        State(state): State<AppState>,
        headers: HeaderMap,
        Query(q): Params,
    ) -> Response {
        // Like the NPM library, fall back to the Referer, but only a same-origin one.
        let return_to = param(&q, "return_to")
            .map(str::to_string)
            .or_else(|| same_origin_referer(&state, &headers));
        // Forwarded only when this server signed it (signin::login_path_with_message).
        let error_message = param(&q, "error_message").filter(|m| {
            crate::auth::rules::state::login_message_is_authentic(
                &state.state_key,
                m,
                param(&q, "error_sig").unwrap_or(""),
            )
        });
        let outcome = signin::begin_login(
            &state,
            return_to.as_deref(),
            param(&q, "email"),
            error_message,
        );
        redirect(StatusCode::FOUND, outcome)
    }

    /// `GET /api/auth/callback?return_to=&code=&state=` (or `&error=&error_description=`)
    async fn callback(
        State(state): State<AppState>,
        headers: HeaderMap,
        Query(q): Params,
    ) -> Response {
        let params = CallbackParams {
            code: param(&q, "code"),
            state: param(&q, "state"),
            error: param(&q, "error"),
            error_description: param(&q, "error_description"),
        };
        let return_to = param(&q, "return_to");
        match signin::complete_login(&state, &headers, &params, return_to).await {
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
                let verifier =
                    cookies::read(&headers, cookies::code_verifier(state.secure_cookies()))
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
                redirect(
                    StatusCode::SEE_OTHER,
                    Outcome {
                        location,
                        set_cookies: vec![],
                    },
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_reason_round_trips_through_the_link_and_has_its_own_message() {
        let mut messages = std::collections::HashSet::new();
        for reason in SignInFailure::ALL {
            assert_eq!(SignInFailure::from_query(reason.as_query()), reason);
            assert!(messages.insert(reason.message(None)), "{reason:?}");
        }
        assert_eq!(SignInFailure::from_query("no such"), SignInFailure::Unknown);
        assert!(SignInFailure::VerifyRefused
            .message(Some("codeInvalid".into()))
            .contains("(codeInvalid)"));
    }
}
