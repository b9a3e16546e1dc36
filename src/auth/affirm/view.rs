//! The session details on `/account`, behind a fresh affirmation.

use leptos::{either::Either, prelude::*};

use super::{affirm_href, FRESH_FOR_SECS};
use crate::auth::session::SessionDetails;

/// The notice while the details are hidden; says [`FRESH_FOR_SECS`].
const HIDDEN: &str = "Shown only within 5 minutes of confirming who you are.";
const _: () = assert!(FRESH_FOR_SECS == 5 * 60, "update HIDDEN");

/// `details`: what the server revealed (see `CurrentUser::session_details`).
#[component]
pub fn SessionDetailsPanel(details: Option<SessionDetails>) -> impl IntoView {
    let body = match details {
        Some(d) => Either::Left(view! {
            <dl data-testid="session-details">
                <dt>"E-mail verified"</dt>
                <dd>{if d.verified { "yes" } else { "no" }}</dd>
                <dt>"Account created"</dt>
                <dd>{d.created}</dd>
                <dt>"Last sign-in"</dt>
                <dd>{d.last_login}</dd>
                <dt>"Confirmed at"</dt>
                <dd data-testid="affirmed-at">{d.affirmed_at}</dd>
            </dl>
        }),
        None => Either::Right(view! {
            <p>{HIDDEN}</p>
            <p>
                <a class="button" href=affirm_href("/account") rel="external">
                    "Confirm it's you"
                </a>
            </p>
        }),
    };
    view! {
        <section class="panel session-details" aria-labelledby="session-details-title">
            <h2 id="session-details-title">"Session details"</h2>
            {body}
        </section>
    }
}
