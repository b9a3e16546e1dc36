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
        let hash = hash_file(options)
            .and_then(|file| std::fs::read_to_string(file).ok())
            .and_then(|text| {
                text.lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim() == kind)
                    .map(|(_, h)| h.trim().to_string())
            });
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

/// Where Leptos and this app look for the hash file: beside the running
/// executable.
pub fn hash_file(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}
