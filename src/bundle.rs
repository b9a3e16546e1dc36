//! How a page loads the wasm bundle: one inline module script, run when
//! the browser is first idle, and no preload hints. Leptos'
//! `HydrationScripts` preloads the JavaScript and the wasm at once; on a
//! slow phone link those 220 KB then download while the page renders its
//! first view, and Lighthouse's mobile LCP counts them (docs/performance.md).
//! The pages work before hydration (every form posts without JavaScript),
//! so the bundle can wait for the first paint.

use leptos::{config::LeptosOptions, prelude::*};

use crate::site::bundle_name;

#[component]
pub fn BundleLoader(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}", options.site_pkg_dir);
    let js = format!("{pkg}/{}.js", bundle_name(&options, "js"));
    let wasm = format!("{pkg}/{}.wasm", bundle_name(&options, "wasm"));
    // `timeout`: a page that is never idle still hydrates. A load cut short
    // because the visitor moved on (Firefox rejects it as a NetworkError)
    // is no error; a failure is reported only if the page is still there a
    // second later (a page being left runs no more timers).
    let script = format!(
        "const hydrate = () => import({js:?}).then((m) => m.default({{ module_or_path: {wasm:?} }}).then(() => m.hydrate()))\
         .catch((e) => setTimeout(() => console.error(\"The page script did not load (the page works without it):\", e), 1000));\
         if (\"requestIdleCallback\" in window) requestIdleCallback(hydrate, {{ timeout: 2000 }}); else hydrate();"
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}
