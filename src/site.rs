//! The names the site goes by: the app's, and its bundle files'.

use leptos::config::LeptosOptions;

/// The package name from `Cargo.toml`: the site's title, the stylesheet's
/// file name (`output-name` is kept equal to it) and the label that keeps
/// this app's signatures and browser channels apart from another app's.
/// Renaming the package (or generating the project under a new name)
/// renames all of them.
pub const APP_NAME: &str = env!("CARGO_PKG_NAME");

/// The bundle's file of `kind` (`js`, `wasm` or `css`) without its
/// extension: `<output-name>`, or `<output-name>.<hash>` when cargo-leptos
/// hashes file names (the hashes are in the build's hash file beside the
/// server binary). Read on the server only, when a page is rendered.
pub fn bundle_name(options: &LeptosOptions, kind: &str) -> String {
    let mut name = options.output_name.to_string();
    if options.hash_files {
        // Read per page, as Leptos does: under `cargo leptos watch` a style
        // edit writes a new hash without restarting the server.
        let hash = build_hashes(options)
            .into_iter()
            .find(|(k, _)| k == kind)
            .map(|(_, h)| h);
        if let Some(hash) = hash {
            name.push('.');
            name.push_str(&hash);
        }
    } else if kind == "wasm" && option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        // wasm-bindgen's own name, when cargo-leptos did not build this.
        name.push_str("_bg");
    }
    name
}

/// The stylesheet's URL.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    format!(
        "/{}/{}.css",
        options.site_pkg_dir,
        bundle_name(options, "css")
    )
}

/// The build's hash file as `(kind, hash)` pairs (`js`, `wasm`, `css`);
/// empty without file hashing or without the file.
pub fn build_hashes(options: &LeptosOptions) -> Vec<(String, String)> {
    if !options.hash_files {
        return Vec::new();
    }
    hash_file(options)
        .and_then(|file| std::fs::read_to_string(file).ok())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, h)| (k.trim().to_string(), h.trim().to_string()))
        .filter(|(_, h)| !h.is_empty())
        .collect()
}

/// Where Leptos and this app look for the hash file: beside the running
/// executable.
pub fn hash_file(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}
