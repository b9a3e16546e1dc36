//! The session details on `/account`, behind a fresh affirmation.

use leptos::prelude::*;

use super::{affirm_href, server_fn::get_session_details, SessionDetails, FRESH_FOR_SECS};

#[component]
pub fn SessionDetailsPanel() -> impl IntoView {
    let details = Resource::new(|| (), |_| get_session_details());
    view! {
        <section class="panel session-details" aria-labelledby="session-details-title">
            <h2 id="session-details-title">"Session details"</h2>
            <Suspense fallback=|| view! { <p>"Checking…"</p> }>
                {move || {
                    details
                        .get()
                        .map(|answer| match answer {
                            Ok(SessionDetails::Shown { user_id, verified, created, last_login, affirmed_at }) => {
                                let or_dash = |v: Option<String>| v.unwrap_or_else(|| "–".into());
                                view! {
                                    <dl data-testid="session-details">
                                        <dt>"User id"</dt>
                                        <dd>{user_id}</dd>
                                        <dt>"E-mail verified"</dt>
                                        <dd>{if verified { "yes" } else { "no" }}</dd>
                                        <dt>"Account created"</dt>
                                        <dd>{or_dash(created)}</dd>
                                        <dt>"Last sign-in"</dt>
                                        <dd>{or_dash(last_login)}</dd>
                                        <dt>"Confirmed at"</dt>
                                        <dd data-testid="affirmed-at">{or_dash(affirmed_at)}</dd>
                                    </dl>
                                }
                                    .into_any()
                            }
                            Ok(SessionDetails::NeedsAffirmation) => {
                                view! {
                                    <p>
                                        {format!(
                                            "Shown only within {} minutes of confirming who you are.",
                                            FRESH_FOR_SECS / 60,
                                        )}
                                    </p>
                                    <p>
                                        <a class="button" href=affirm_href("/account") rel="external">
                                            "Confirm it's you"
                                        </a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(SessionDetails::SignedOut) => ().into_any(),
                            Err(_) => {
                                view! { <p role="status">"The session details could not be checked. Reload the page in a moment."</p> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
