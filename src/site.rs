//! The names the site goes by.

/// The package name from `Cargo.toml`: the site's title, the stylesheet's
/// file name (`output-name` is kept equal to it) and the label that keeps
/// this app's signatures and browser channels apart from another app's.
/// Renaming the package (or generating the project under a new name)
/// renames all of them.
pub const APP_NAME: &str = env!("CARGO_PKG_NAME");

/// `/pkg/<output-name>.css`, as cargo-leptos writes it.
pub const STYLESHEET: &str = concat!("/pkg/", env!("CARGO_PKG_NAME"), ".css");
