//! The library holds the app (shared by the server and the wasm bundle) and,
//! behind `ssr`, everything that must never reach the browser.

/// The package name from `Cargo.toml`: the site's title, the stylesheet's
/// file name (`output-name` is kept equal to it) and the label that keeps
/// this app's signatures and browser channels apart from another app's.
/// Renaming the package (or generating the project under a new name)
/// renames all of them.
pub const APP_NAME: &str = env!("CARGO_PKG_NAME");

/// `/pkg/<output-name>.css`, as cargo-leptos writes it.
pub const STYLESHEET: &str = concat!("/pkg/", env!("CARGO_PKG_NAME"), ".css");

pub mod app;
pub mod auth;
pub mod demo;
pub mod form;

#[cfg(feature = "ssr")]
pub mod centralauth;
#[cfg(feature = "ssr")]
pub mod config;
/// The embedded development CentralAuth; a production build can leave it out
/// (cargo feature `dev-provider`).
#[cfg(all(feature = "ssr", feature = "dev-provider"))]
pub mod dev_centralauth;
#[cfg(feature = "ssr")]
pub mod edge;
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
