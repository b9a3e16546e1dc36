//! The library holds the app (shared by the server and the wasm bundle) and,
//! behind `ssr`, everything that must never reach the browser.

pub mod app;
pub mod auth;
pub mod bundle;
pub mod demo;
pub mod form;
pub mod site;

#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod centralauth;
#[cfg(feature = "ssr")]
pub mod compress;
#[cfg(feature = "ssr")]
pub mod config;
/// The embedded development CentralAuth; a production build can leave it out
/// (cargo feature `dev-provider`).
#[cfg(all(feature = "ssr", feature = "dev-provider"))]
pub mod dev_centralauth;
#[cfg(feature = "ssr")]
pub mod edge;
#[cfg(feature = "ssr")]
pub mod encoding;
#[cfg(feature = "ssr")]
pub mod guards;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod hooks;
#[cfg(feature = "ssr")]
pub mod listener;
#[cfg(feature = "ssr")]
pub mod logging;
#[cfg(feature = "ssr")]
pub mod reply;
#[cfg(feature = "ssr")]
pub mod request_id;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
