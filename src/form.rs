//! `PostForm`: a `<form method="post">` to a server action's URL, so it
//! works without JavaScript; with it, a submit dispatches the typed
//! arguments that `input` builds instead of a page load, and is ignored
//! while the action is still pending. Leptos' `ActionForm` does the same but
//! decodes the arguments back out of the form data with serde_qs, which
//! makes the wasm bundle markedly bigger (docs/performance.md). The children
//! are type-erased, as `ActionForm`'s are: a page that holds a form keeps a
//! shallow view type, which the server build compiles faster.

use leptos::{
    ev::SubmitEvent,
    prelude::*,
    server_fn::{client::Client, ServerFn},
};

#[component]
pub fn PostForm<S, F>(
    /// The action the form submits; its server function's URL is where the
    /// plain post goes, so the two cannot disagree.
    action: ServerAction<S>,
    /// Builds the arguments when JavaScript handles the submit.
    mut input: F,
    children: Children,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    S::Client: Client<S::Error>,
    F: FnMut() -> S + 'static,
{
    let pending = action.pending();
    view! {
        <form
            action=S::url()
            method="post"
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                if !pending.get_untracked() {
                    action.dispatch(input());
                }
            }
        >
            {children()}
        </form>
    }
}
