//! The session in the page: the header's user menu and avatar, the badge
//! of the development CentralAuth, and the notices when the session ended
//! or could not be checked.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::{
    announce::use_announcer,
    context::{use_session, SignedOutBy},
    server_fn::development_provider_active,
    CurrentUser,
};
use crate::auth::login::login_href;

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
