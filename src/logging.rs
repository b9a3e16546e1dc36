//! Logging, for the app and the standalone development provider alike.

use tracing_subscriber::EnvFilter;

/// `RUST_LOG` decides; without it, our own crate logs at info and noisy
/// dependencies at warn.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,hyper=warn,reqwest=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
