//! The readable page for a sign-in that did not complete.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use super::{login_href, server_fn::checked_error_detail, SignInFailure};

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
        <Title text=format!("Sign-in problem · {}", crate::site::APP_NAME) />
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
