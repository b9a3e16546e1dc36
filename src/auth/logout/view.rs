//! The logout form and the `/logout` page.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::{use_navigate, use_query_map};

use super::{
    landing::SignedOutNotice, server_fn::Logout, LogoutError, EVERYWHERE_FAILED_MESSAGE,
    EVERYWHERE_HINT,
};
use crate::{
    auth::session::{announce::use_announcer, context::use_session, view::SessionUnavailable},
    form::PostForm,
};

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
    let action = ServerAction::<Logout>::new();
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
            crate::auth::session::cross_tab::announce_logout();
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
    let args = |everywhere: bool, return_to: &String| Logout {
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
    let panel_return = return_to.clone();

    view! {
        <div class="logout">
            <PostForm
                action
                input=move || {
                    let everywhere = everywhere_box
                        .get_untracked()
                        .is_some_and(|input| input.checked());
                    args(everywhere, &return_to)
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
                    on:click=ignore_while_pending(pending)
                >
                    {move || if pending.get() { "Logging out..." } else { "Log out" }}
                </button>
            </PostForm>
            {move || {
                let return_to = panel_return.clone();
                failed()
                    .map(|message| {
                        view! {
                            <div
                                class="panel panel-error logout-error"
                                role="alert"
                                tabindex="-1"
                                node_ref=error_panel
                            >
                                <p>{message}</p>
                                <div class="row">
                                    <OneClickLogout
                                        action
                                        everywhere=true
                                        return_to=return_to.clone()
                                        label="Try again"
                                    />
                                    <OneClickLogout
                                        action
                                        everywhere=false
                                        return_to
                                        label="Log out of this app only"
                                    />
                                </div>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// One button that logs out one way, offered when a logout failed.
#[component]
fn OneClickLogout(
    action: ServerAction<Logout>,
    everywhere: bool,
    return_to: String,
    label: &'static str,
) -> impl IntoView {
    let pending = action.pending();
    let submitted = return_to.clone();
    view! {
        <PostForm
            action
            input=move || Logout {
                everywhere,
                return_to: Some(submitted.clone()),
            }
        >
            {everywhere.then(|| view! { <input type="hidden" name="everywhere" value="true" /> })}
            <input type="hidden" name="return_to" value=return_to />
            <button
                type="submit"
                class=(!everywhere).then_some("secondary")
                aria-disabled=move || pending.get().to_string()
                on:click=ignore_while_pending(pending)
            >
                {label}
            </button>
        </PostForm>
    }
}

/// Clicks while a logout is under way are ignored, not queued.
fn ignore_while_pending(pending: Memo<bool>) -> impl Fn(leptos::ev::MouseEvent) + Copy {
    move |ev| {
        if pending.get_untracked() {
            ev.prevent_default();
        }
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
        <Title text=format!("Log out · {}", crate::site::APP_NAME) />
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
