//! CentralAuth starter for Leptos: the library holds the app (shared by the
//! server and the wasm bundle) and, behind `ssr`, everything that must never
//! reach the browser.

pub mod app;
pub mod auth;
pub mod demo;

#[cfg(feature = "ssr")]
pub mod centralauth;
#[cfg(feature = "ssr")]
pub mod config;
/// The embedded development CentralAuth; a production build can leave it out
/// (cargo feature `dev-provider`).
#[cfg(all(feature = "ssr", feature = "dev-provider"))]
pub mod dev_centralauth;
#[cfg(feature = "ssr")]
pub mod listener;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
