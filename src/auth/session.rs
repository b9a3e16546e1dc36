//! The session: who is signed in (the `current_user` server function and
//! `GET /api/auth/user`), the session context every component reads, the
//! glue that keeps it right across tabs and the back/forward cache, and the
//! header menu. The server-side lookup is in `core/session.rs`.

#[cfg(feature = "hydrate")]
pub use browser::announce_logout;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

/// What the browser may know about the signed-in user. No tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub avatar_url: Option<String>,
}

/// Whether this server runs the embedded development CentralAuth.
#[server(prefix = "/api/auth", endpoint = "provider")]
pub async fn development_provider_active() -> Result<bool, ServerFnError> {
    let (state, _) = super::request_context()?;
    Ok(state.dev_provider_active())
}

/// The signed-in user, `None` when logged out. Clears the session cookie when
/// CentralAuth says the session is gone.
#[server(prefix = "/api/auth", endpoint = "current_user")]
pub async fn get_user() -> Result<Option<CurrentUser>, ServerFnError> {
    use axum::extract::ConnectInfo;
    use http::{header, HeaderValue};
    use std::net::SocketAddr;

    let (state, parts) = super::request_context()?;
    let response = use_context::<leptos_axum::ResponseOptions>().unwrap_or_default();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let lookup = super::core::session::current_user(&state, &parts.headers, peer)
        .await
        .map_err(|_| {
            ServerFnError::new("CentralAuth could not be reached to check your session.")
        })?;
    for c in lookup.set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.append_header(header::SET_COOKIE, v);
        }
    }
    Ok(lookup.user)
}

/// Why a user who was signed in on this page no longer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutBy {
    /// A logout from this page: it says so itself.
    ThisPage,
    /// A logout in another tab of this app.
    AnotherTab,
    /// Found when the page checked again, cause unknown: a "log out
    /// everywhere" in another app, an expired session, a logout of this app
    /// in a page that did not tell this one. So it claims nothing more.
    Unknown,
}

/// Shared by every component that cares who is signed in.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<CurrentUser>, ServerFnError>>,
    version: RwSignal<u64>,
    /// Set when the session ends while the page is open.
    pub signed_out_by: RwSignal<Option<SignedOutBy>>,
    /// What the next "signed out" found by a check is due to.
    expected: RwSignal<Option<SignedOutBy>>,
    /// The outcome of a logout made on this page (`Some(everywhere)`), as
    /// the server answered it: what the landing page may claim.
    pub last_logout: RwSignal<Option<bool>>,
}

impl Session {
    /// A view of the session's current state, for `<Suspense>` and
    /// `<Transition>`: `render` gets the user (`None` when logged out) or
    /// the error that kept the server from checking.
    pub fn view<F>(self, render: F) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
    where
        F: Fn(Result<Option<CurrentUser>, ServerFnError>) -> AnyView + Send + Sync + 'static,
    {
        move || self.user.get().map(&render)
    }

    /// Asks the server again (after a logout here or in another tab).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// This page logged out: check again, and do not report it as news.
    pub fn logged_out_here(&self) {
        self.expected.set(Some(SignedOutBy::ThisPage));
        self.refresh();
    }

    /// Another tab of this app logged out.
    pub fn logged_out_in_another_tab(&self) {
        self.expected.set(Some(SignedOutBy::AnotherTab));
        self.refresh();
    }

    /// Notes a new answer: a user who was signed in and is not any more
    /// was signed out by whatever was expected, else for a reason unknown.
    fn observe(&self, was_signed_in: bool, signed_in: bool) {
        if signed_in {
            self.signed_out_by.set(None);
            self.expected.set(None);
        } else if was_signed_in {
            let by = self
                .expected
                .get_untracked()
                .unwrap_or(SignedOutBy::Unknown);
            self.expected.set(None);
            self.signed_out_by.set(Some(by));
        }
    }
}

/// Text for screen readers, in one polite live region (`LiveRegion`, in the
/// shell): what changed without a page load, such as a logout.
#[derive(Clone, Copy)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    pub fn say(&self, text: &str) {
        // Cleared first, so the same message twice is announced twice.
        self.0.set(String::new());
        let inner = self.0;
        let text = text.to_string();
        request_animation_frame(move || inner.set(text));
    }
}

pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

pub fn provide_announcer() {
    provide_context(Announcer(RwSignal::new(String::new())));
}

/// The live region itself; rendered once, outside the routes, so it exists
/// before anything is announced.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let text = use_announcer().0;
    view! {
        <div class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
            {move || text.get()}
        </div>
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Creates the user resource and keeps it in step with other tabs.
pub fn provide_session() -> Session {
    let version = RwSignal::new(0u64);
    // Blocking: the first HTML already shows the right header, and hydration
    // reuses the value instead of asking again.
    let user = Resource::new_blocking(move || version.get(), |_| get_user());
    let session = Session {
        user,
        version,
        signed_out_by: RwSignal::new(None),
        expected: RwSignal::new(None),
        last_logout: RwSignal::new(None),
    };
    provide_context(session);
    let was_signed_in = StoredValue::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(Ok(answer)) = user.get() {
            let signed_in = answer.is_some();
            if let Some(before) = was_signed_in.get_value() {
                session.observe(before, signed_in);
            }
            was_signed_in.set_value(Some(signed_in));
        }
    });
    #[cfg(feature = "hydrate")]
    browser::listen(session);
    session
}

/// Says so when the session ended while the page was open, instead of the
/// header quietly turning into "Sign in".
#[component]
pub fn SessionEndedNotice() -> impl IntoView {
    let session = use_session();
    let announcer = use_announcer();
    Effect::new(move |_| match session.signed_out_by.get() {
        Some(SignedOutBy::Unknown) => announcer.say(ENDED_UNKNOWN),
        Some(SignedOutBy::AnotherTab) => announcer.say(ENDED_IN_ANOTHER_TAB),
        _ => {}
    });
    move || {
        let text = match session.signed_out_by.get()? {
            SignedOutBy::Unknown => ENDED_UNKNOWN,
            SignedOutBy::AnotherTab => ENDED_IN_ANOTHER_TAB,
            SignedOutBy::ThisPage => return None,
        };
        Some(view! {
            <div class="panel panel-notice session-ended" data-testid="session-ended">
                <p>{text}</p>
            </div>
        })
    }
}

/// A check found the session gone; it does not know why, so it says no more.
pub const ENDED_UNKNOWN: &str = "You were signed out.";
pub const ENDED_IN_ANOTHER_TAB: &str = "You were signed out: you logged out in another tab.";

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    use super::Session;

    const CHANNEL: &str = concat!(env!("CARGO_PKG_NAME"), "-session");

    pub fn listen(session: Session) {
        if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
                session.logged_out_in_another_tab()
            });
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // Both live as long as the page.
            on_message.forget();
            // Kept for announce_logout: a channel object does not hear its
            // own messages, so this page is not told about its own logout.
            LISTENING.with(|c| *c.borrow_mut() = Some(channel));
        }
        // A page restored from the back/forward cache checks the session again.
        let on_pageshow = Closure::<dyn FnMut(web_sys::PageTransitionEvent)>::new(
            move |ev: web_sys::PageTransitionEvent| {
                if ev.persisted() {
                    session.refresh();
                }
            },
        );
        let window = leptos::prelude::window();
        let _ = window
            .add_event_listener_with_callback("pageshow", on_pageshow.as_ref().unchecked_ref());
        on_pageshow.forget();

        // Back to the tab (shown again, or focused): the session may have
        // ended in another app meanwhile. At most one check per
        // RECHECK_AFTER_MS, as both events fire when switching tabs.
        let last_check = std::rc::Rc::new(std::cell::Cell::new(f64::NEG_INFINITY));
        let on_return = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let document = leptos::prelude::document();
            if document.visibility_state() != web_sys::VisibilityState::Visible {
                return;
            }
            let now = web_sys::js_sys::Date::now();
            if now - last_check.get() >= RECHECK_AFTER_MS {
                last_check.set(now);
                session.refresh();
            }
        });
        let _ = leptos::prelude::document().add_event_listener_with_callback(
            "visibilitychange",
            on_return.as_ref().unchecked_ref(),
        );
        let _ =
            window.add_event_listener_with_callback("focus", on_return.as_ref().unchecked_ref());
        on_return.forget();
    }

    const RECHECK_AFTER_MS: f64 = 5_000.0;

    /// Tells the app's other tabs that this browser logged out.
    pub fn announce_logout() {
        LISTENING.with(|c| {
            if let Some(channel) = c.borrow().as_ref() {
                let _ = channel.post_message(&JsValue::from_str("logged-out"));
            }
        });
    }

    thread_local! {
        static LISTENING: std::cell::RefCell<Option<web_sys::BroadcastChannel>> =
            const { std::cell::RefCell::new(None) };
    }
}

/// Percent-encodes a query value (no `url` crate in the wasm bundle).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn login_href(return_to: &str) -> String {
    format!(
        "/api/auth/login?return_to={}",
        encode_query_value(return_to)
    )
}

/// "Sign in", or the user's avatar and e-mail, in the header.
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        }
    };
    view! {
        <Transition fallback=|| view! { <span class="user-menu muted">"Checking session…"</span> }>
            {session.view(move |result| match result {
                        Ok(Some(user)) => {
                            view! {
                                <a class="user-menu" href="/account" title="Your account">
                                    <Avatar user=user.clone() />
                                    <span data-testid="user-email">{user.email.clone()}</span>
                                </a>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! {
                                <a class="button" href=move || login_href(&here()) rel="external">
                                    "Sign in"
                                </a>
                            }
                                .into_any()
                        }
                        Err(_) => {
                            view! {
                                <span class="user-menu warn" role="status">
                                    "Session check unavailable"
                                </span>
                            }
                                .into_any()
                        }
            })}
        </Transition>
    }
}

#[component]
pub fn Avatar(user: CurrentUser) -> impl IntoView {
    let initial = user
        .email
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    match user.avatar_url {
        Some(src) => {
            view! { <img class="avatar" src=src alt="" width="32" height="32" /> }.into_any()
        }
        None => view! { <span class="avatar" aria-hidden="true">{initial}</span> }.into_any(),
    }
}

/// A badge while the embedded development CentralAuth is in use.
#[component]
pub fn DevProviderBadge() -> impl IntoView {
    let active = OnceResource::new(development_provider_active());
    view! {
        <Suspense>
            {move || {
                matches!(active.get(), Some(Ok(true)))
                    .then(|| {
                        view! {
                            <span
                                class="dev-badge"
                                title="Signing in uses the embedded development CentralAuth: any e-mail works. Set AUTH_ORGANIZATION_ID and AUTH_SECRET to use the real one."
                            >
                                "development sign-in"
                            </span>
                        }
                    })
            }}
        </Suspense>
    }
}

/// Tells a logged-out visitor where they are, what the logout that brought
/// them here did, what signing in again will do, and the way in. After a
/// logout its heading takes the focus. What it claims comes from the
/// server's outcome only: the logout's typed answer on this page, or,
/// after a full page load (no JavaScript), the short-lived cookie that
/// logout set, read by the server ([`crate::auth::logout::logout_outcome`]);
/// never from the URL.
#[component]
pub fn SignedOutNotice(
    #[prop(into)] return_to: String,
    /// A panel on a page with its own `<h1>` uses `<h2>`.
    #[prop(optional)]
    in_page: bool,
) -> impl IntoView {
    let on_this_page = use_session().last_logout.get_untracked();
    // Only a page load asks the server; a logout on this page already knows.
    let asked = on_this_page
        .is_none()
        .then(|| Resource::new(|| (), |_| crate::auth::logout::logout_outcome()));
    let claimed = move || on_this_page.or_else(|| asked.and_then(|r| r.get()).flatten());
    let h1 = NodeRef::<leptos::html::H1>::new();
    let h2 = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if claimed().is_some() {
            if let Some(el) = h1.get() {
                let _ = el.focus();
            }
            if let Some(el) = h2.get() {
                let _ = el.focus();
            }
        }
    });
    let panel = move |everywhere: Option<bool>| {
        let (title, detail) = logged_out_text(everywhere);
        let title_view = if in_page {
            view! { <h2 tabindex="-1" node_ref=h2>{title}</h2> }.into_any()
        } else {
            view! { <h1 tabindex="-1" node_ref=h1>{title}</h1> }.into_any()
        };
        view! {
            {title_view}
            {detail.map(|d| view! { <p data-testid="logged-out-detail">{d}</p> })}
        }
    };
    let said = match asked {
        None => panel(on_this_page).into_any(),
        Some(outcome) => view! {
            <Suspense fallback=move || panel(None)>{move || outcome.get().map(panel)}</Suspense>
        }
        .into_any(),
    };
    view! {
        <section class="panel" data-testid="logged-out">
            {said}
            <p>
                <a class="button" href=login_href(&return_to) rel="external">
                    "Sign in"
                </a>
            </p>
        </section>
    }
}

/// The heading and explanation after a logout of this app only
/// (`Some(false)`), everywhere (`Some(true)`), or with no logout known.
pub fn logged_out_text(everywhere: Option<bool>) -> (&'static str, Option<&'static str>) {
    match everywhere {
        Some(true) => (
            "You are logged out everywhere",
            Some("Your CentralAuth session has ended, here and in every app that used it. Signing in again asks who you are."),
        ),
        Some(false) => (
            "You are logged out",
            Some("Of this app only: your CentralAuth session is still active, so signing in again continues as the same account without asking. To switch accounts, sign in and log out with \u{201c}Log out everywhere\u{201d}."),
        ),
        None => ("You are logged out", None),
    }
}

#[component]
pub fn SessionUnavailable(error: ServerFnError) -> impl IntoView {
    let message = match error {
        ServerFnError::ServerError(m) => m,
        other => other.to_string(),
    };
    view! {
        <section class="panel panel-error" role="alert">
            <h1>"Your session could not be checked"</h1>
            <p>{message}</p>
            <p>"Reload the page in a moment."</p>
        </section>
    }
}

/// `GET /api/auth/user`, for callers without Leptos.
#[cfg(feature = "ssr")]
pub mod server {
    use std::net::SocketAddr;

    use axum::{
        extract::{ConnectInfo, State},
        http::{header, HeaderMap, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        routing::get,
        Json, Router,
    };

    use crate::{auth::core::session, server::AppState};

    pub fn routes() -> Router<AppState> {
        Router::new().route("/api/auth/user", get(user))
    }

    /// `GET /api/auth/user`: the user as JSON, `null` when logged out.
    async fn user(
        State(state): State<AppState>,
        extensions: axum::http::Extensions,
        headers: HeaderMap,
    ) -> Response {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let mut res = match session::current_user(&state, &headers, peer).await {
            Ok(lookup) => {
                let mut res = Json(lookup.user).into_response();
                for c in lookup.set_cookies {
                    if let Ok(v) = HeaderValue::from_str(&c) {
                        res.headers_mut().append(header::SET_COOKIE, v);
                    }
                }
                res
            }
            Err(e) => (
                StatusCode::BAD_GATEWAY,
                Json(serde_json::json!({
                    "error": "centralAuthUnavailable",
                    "message": "CentralAuth could not be reached to check the session.",
                    "errorCode": e.error_code(),
                })),
            )
                .into_response(),
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/account?tab=a b&x=ü"),
            "/account%3Ftab%3Da%20b%26x%3D%C3%BC"
        );
        assert_eq!(login_href("/"), "/api/auth/login?return_to=/");
    }
}
