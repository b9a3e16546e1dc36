//! `/account`: the user's details and the logout form.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    affirm::view::SessionDetailsPanel,
    logout::{landing::SignedOutNotice, view::LogoutButton},
    session::{
        context::use_session,
        view::{Avatar, SessionUnavailable},
    },
};

/// `/account`: the user's details and the logout form. Anonymous visitors
/// are sent to sign in and brought back.
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text=format!("Account · {}", crate::site::APP_NAME) />
        <Suspense fallback=|| view! { <p>"Loading your account…"</p> }>
            {session.view(move |result| match result {
                        Ok(Some(user)) => {
                            view! {
                                <h1>"Your account"</h1>
                                <section class="panel account">
                                    <Avatar user=user.clone() />
                                    <dl>
                                        <dt>"E-mail"</dt>
                                        <dd data-testid="account-email">{user.email.clone()}</dd>
                                        <dt>"User id"</dt>
                                        <dd>{user.id.clone()}</dd>
                                    </dl>
                                </section>
                                <SessionDetailsPanel details=user.session_details.clone() />
                                <LogoutButton />
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            #[cfg(feature = "ssr")]
                            leptos_axum::redirect(&super::login::login_href("/account"));
                            view! { <SignedOutNotice return_to="/account" /> }.into_any()
                        }
                        Err(e) => view! { <SessionUnavailable error=e /> }.into_any(),
            })}
        </Suspense>
    }
}
