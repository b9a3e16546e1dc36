//! Logging out, in one place: the server function behind the button, the
//! `LogoutButton` with its "log out everywhere" toggle, the `/logout` page,
//! and the plain `POST`/`GET /api/auth/logout` routes for callers without
//! Leptos (CentralAuth's NPM library has the same route). Both doors run
//! one [`server::logout`] and answer from one typed [`server::LogoutReply`].

use leptos::{
    prelude::*,
    server_fn::{codec::JsonEncoding, error::FromServerFnError},
};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

use crate::form::PostForm;

use super::session::{use_announcer, use_session, SessionUnavailable, SignedOutNotice};

pub const EVERYWHERE_FAILED_MESSAGE: &str =
    "We couldn't end your CentralAuth session everywhere. You are still signed in here.";

/// What the logout that brought this browser here did, as the server
/// answered it: `Some(everywhere)` once, from the short-lived cookie a
/// redirecting logout sets (then cleared), else `None`. The landing page
/// claims only this, never what its URL says. Read while the server
/// renders the page (a no-JavaScript logout always lands on a full page
/// load); in the browser there is nothing to read, so no server call and
/// no code for one in the bundle.
pub async fn logout_outcome() -> Option<bool> {
    #[cfg(feature = "ssr")]
    {
        use super::rules::cookies;
        use http::{header, HeaderValue};
        let (state, parts) = super::request_context().ok()?;
        let secure = state.secure_cookies();
        let outcome = cookies::read(&parts.headers, cookies::logged_out(secure))
            .and_then(|v| cookies::logout_outcome_from(&v));
        if outcome.is_some() {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                let clear = cookies::clear(cookies::logged_out(secure), secure);
                if let Ok(v) = HeaderValue::from_str(&clear) {
                    response.append_header(header::SET_COOKIE, v);
                }
            }
        }
        outcome
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// The toggle's hint: what "everywhere" does, and what leaving it off means
/// for the next sign-in (CentralAuth signs the same account straight back in).
pub const EVERYWHERE_HINT: &str = "Also ends your CentralAuth session in every app that uses it. \
     Without it, CentralAuth keeps you signed in: the next sign-in continues as the same account \
     without asking. To switch accounts, log out everywhere.";

/// A finished logout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedOut {
    /// The validated return URL: a path on this app or an allowed absolute URL.
    pub redirect_to: String,
    pub everywhere: bool,
}

/// Why a logout did not happen; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LogoutError {
    /// CentralAuth could not end the session (timeout, refused, 5xx, 429, …).
    /// The session here is kept, so the user is still signed in.
    #[error("{}", EVERYWHERE_FAILED_MESSAGE)]
    Everywhere { error_code: String },
    #[error("Logging out failed: {0}")]
    Other(String),
}

impl FromServerFnError for LogoutError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        // Arguments the server could not read are the client's error: 400,
        // not server_fn's blanket 500 (see server::server_fn_guard).
        #[cfg(feature = "ssr")]
        if crate::server::is_request_error(&value) {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::BAD_REQUEST);
            }
        }
        Self::Other(value.to_string())
    }
}

/// Logs out. `everywhere` also ends the CentralAuth session in every app
/// sharing it. With JavaScript the result comes back as data; a plain form
/// post gets a 303 to the return URL (or to the error page).
/// (Its first path, `/api/auth/signout`, still answers: see [`server::routes`].)
#[server(prefix = "/api/auth", endpoint = "log_out")]
pub async fn log_out(
    #[server(default)] everywhere: bool,
    #[server(default)] return_to: Option<String>,
) -> Result<LoggedOut, LogoutError> {
    let (state, parts) = super::request_context().map_err(|e| LogoutError::Other(e.to_string()))?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    server::logout(
        &state,
        &parts.headers,
        everywhere,
        return_to.as_deref(),
        server::Door::ServerFunction,
    )
    .await
    .apply(&response)
}

/// The logout form: a toggle for "everywhere" and a button. A [`PostForm`],
/// so it works without JavaScript; with it, the submit dispatches the typed
/// arguments and the page updates in place.
#[component]
pub fn LogoutButton(
    /// Where to go afterwards (validated on the server); default `/`.
    #[prop(optional, into)]
    return_to: Option<String>,
    /// Show the "everywhere" failure from the start (the no-JavaScript path
    /// lands on /logout?failed=everywhere).
    #[prop(optional)]
    failed_everywhere: bool,
) -> impl IntoView {
    let session = use_session();
    let announcer = use_announcer();
    let action = ServerAction::<LogOut>::new();
    let pending = action.pending();
    let result = action.value();
    let return_to = return_to.unwrap_or_default();
    let navigate = use_navigate();
    let error_panel = NodeRef::<leptos::html::Div>::new();

    Effect::new(move |_| {
        if let Some(Ok(done)) = result.get() {
            // The landing page says what the server did, from this answer.
            session.last_logout.set(Some(done.everywhere));
            session.logged_out_here();
            announcer.say(if done.everywhere {
                "You are logged out everywhere."
            } else {
                "You are logged out."
            });
            #[cfg(feature = "hydrate")]
            super::session::announce_logout();
            let landing = &done.redirect_to;
            if landing.starts_with('/') {
                navigate(landing, Default::default());
            } else {
                let _ = window().location().set_href(landing);
            }
        }
    });
    // The focused button stays where it is while pending (aria-disabled, not
    // disabled); when the logout fails, focus goes to the message saying so.
    Effect::new(move |_| {
        if let Some(panel) = error_panel.get() {
            let _ = panel.focus();
        }
    });
    // Clicks while a logout is under way are ignored, not queued.
    let ignore_while_pending = move |ev: leptos::ev::MouseEvent| {
        if pending.get_untracked() {
            ev.prevent_default();
        }
    };
    let log_out = |everywhere: bool, return_to: &String| LogOut {
        everywhere,
        return_to: Some(return_to.clone()),
    };
    let everywhere_box = NodeRef::<leptos::html::Input>::new();

    let failed = move || match result.get() {
        Some(Err(LogoutError::Everywhere { .. })) => Some(EVERYWHERE_FAILED_MESSAGE.to_string()),
        Some(Err(other)) => Some(other.to_string()),
        Some(Ok(_)) => None,
        None => failed_everywhere.then(|| EVERYWHERE_FAILED_MESSAGE.to_string()),
    };
    let return_field = return_to.clone();
    let retry_return = return_to.clone();
    let local_return = return_to.clone();

    view! {
        <div class="logout">
            <PostForm
                action
                input=move || {
                    let everywhere = everywhere_box
                        .get_untracked()
                        .is_some_and(|input| input.checked());
                    log_out(everywhere, &return_to)
                }
                attr:class="logout-form"
                attr:aria-label="Log out"
            >
                <input type="hidden" name="return_to" value=return_field />
                <div class="toggle">
                    <input
                        node_ref=everywhere_box
                        type="checkbox"
                        class="switch"
                        id="logout-everywhere"
                        name="everywhere"
                        value="true"
                        aria-describedby="logout-everywhere-hint"
                    />
                    <label for="logout-everywhere">"Log out everywhere"</label>
                    <p class="hint" id="logout-everywhere-hint">
                        {EVERYWHERE_HINT}
                    </p>
                </div>
                <button
                    type="submit"
                    class="logout-button"
                    aria-disabled=move || pending.get().to_string()
                    aria-busy=move || pending.get().to_string()
                    on:click=ignore_while_pending
                >
                    {move || if pending.get() { "Logging out..." } else { "Log out" }}
                </button>
            </PostForm>
            {move || {
                failed()
                    .map(|message| {
                        let retry_return = retry_return.clone();
                        let local_return = local_return.clone();
                        let retry_submit = retry_return.clone();
                        let local_submit = local_return.clone();
                        view! {
                            <div
                                class="panel panel-error logout-error"
                                role="alert"
                                tabindex="-1"
                                node_ref=error_panel
                            >
                                <p>{message}</p>
                                <div class="row">
                                    <PostForm
                                        action
                                        input=move || log_out(true, &retry_submit)
                                    >
                                        <input type="hidden" name="everywhere" value="true" />
                                        <input type="hidden" name="return_to" value=retry_return />
                                        <button
                                            type="submit"
                                            aria-disabled=move || pending.get().to_string()
                                            on:click=ignore_while_pending
                                        >
                                            "Try again"
                                        </button>
                                    </PostForm>
                                    <PostForm
                                        action
                                        input=move || log_out(false, &local_submit)
                                    >
                                        <input type="hidden" name="return_to" value=local_return />
                                        <button
                                            type="submit"
                                            class="secondary"
                                            aria-disabled=move || pending.get().to_string()
                                            on:click=ignore_while_pending
                                        >
                                            "Log out of this app only"
                                        </button>
                                    </PostForm>
                                </div>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// `/logout`: the form on its own page; also where plain form posts land
/// when "log out everywhere" failed.
#[component]
pub fn LogoutPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let return_to = move || query.read().get("return_to").unwrap_or_default();
    let failed = move || query.read().get("failed").as_deref() == Some("everywhere");
    view! {
        <Title text=format!("Log out · {}", crate::APP_NAME) />
        <Suspense fallback=|| view! { <p>"Checking your session…"</p> }>
            {session.view(move |result| match result {
                        Ok(Some(user)) => {
                            view! {
                                <h1>"Log out"</h1>
                                <p>"You are signed in as " <strong>{user.email.clone()}</strong> "."</p>
                                <LogoutButton return_to=return_to() failed_everywhere=failed() />
                            }
                                .into_any()
                        }
                        Ok(None) => view! { <SignedOutNotice return_to="/" /> }.into_any(),
                        Err(e) => view! { <SessionUnavailable error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

/// The server side: the logout itself, the typed reply both doors share,
/// and the plain routes.
#[cfg(feature = "ssr")]
pub mod server {
    use axum::{
        body::Body,
        extract::{Query, Request, State},
        http::{header, HeaderMap, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        routing::{get, post},
        Form, Json, Router,
    };
    use leptos::{prelude::provide_context, server_fn::ServerFn};
    use std::collections::HashMap;

    use super::{LogOut, LoggedOut, LogoutError, EVERYWHERE_FAILED_MESSAGE};
    pub use crate::auth::core::logout::{
        clear_all, logout, parse_flag, Door, LogoutReply, LEGACY_SERVER_FN_PATH,
    };
    use crate::{
        auth::{
            core::Outcome,
            routes::{finish, redirect, to_path},
        },
        server::AppState,
    };

    impl LogoutReply {
        /// The server function's door: status, headers and cookies onto
        /// Leptos' response; the result is the function's value.
        pub fn apply(
            self,
            response: &leptos_axum::ResponseOptions,
        ) -> Result<LoggedOut, LogoutError> {
            response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            for c in &self.set_cookies {
                if let Ok(v) = HeaderValue::from_str(c) {
                    response.append_header(header::SET_COOKIE, v);
                }
            }
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
            let mut res = match (&self.result, &self.location) {
                (Err(LogoutError::Everywhere { error_code }), None) => Json(serde_json::json!({
                    "error": "logoutEverywhereFailed",
                    "message": EVERYWHERE_FAILED_MESSAGE,
                    "errorCode": error_code,
                }))
                .into_response(),
                _ => Body::empty().into_response(),
            };
            *res.status_mut() = self.status;
            finish(res, self.location.as_deref(), self.set_cookies)
        }
    }

    #[derive(serde::Deserialize)]
    struct LogoutForm {
        everywhere: Option<String>,
        return_to: Option<String>,
    }

    /// `POST /api/auth/logout` and `GET /api/auth/logout`, plus the server
    /// function's first path.
    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/api/auth/logout", get(logout_page).post(logout_route))
            .route(LEGACY_SERVER_FN_PATH, post(legacy_server_fn))
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

    /// The server function under its first path, `/api/auth/signout`.
    async fn legacy_server_fn(State(state): State<AppState>, mut req: Request) -> Response {
        let path_and_query = match req.uri().query() {
            Some(q) => format!("{}?{q}", LogOut::PATH),
            None => LogOut::PATH.to_string(),
        };
        if let Ok(uri) = path_and_query.parse() {
            *req.uri_mut() = uri;
        }
        leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req)
            .await
            .into_response()
    }
}
