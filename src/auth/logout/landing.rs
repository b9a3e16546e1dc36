//! The page after a logout: what it may claim, and the way back in.

use leptos::prelude::*;

use super::server_fn::logout_outcome;
use crate::auth::{login::login_href, session::context::use_session};

/// Tells a logged-out visitor where they are, what the logout that brought
/// them here did, what signing in again will do, and the way in. After a
/// logout its heading takes the focus. What it claims comes from the
/// server's outcome only: the logout's typed answer on this page, or,
/// after a full page load (no JavaScript), the short-lived cookie that
/// logout set, read by the server ([`logout_outcome`]);
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
        .then(|| Resource::new(|| (), |_| logout_outcome()));
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
