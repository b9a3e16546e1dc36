//! The processes under load: the standalone provider, the release app twice
//! (session cache off and on) and the floor, all answering before it returns.

use std::process::Command;

use crate::app::{dev_centralauth::DEV_SECRET, site::APP_NAME};
use crate::{measure::*, requests::*, APP_TIMEOUT_MS, MAX_CONNECTIONS};

/// Starts everything; the processes end when the returned `Procs` drops.
/// Also returns the app's pid (its memory and sockets are reported).
pub async fn start() -> (Procs, u32) {
    let root = root();
    let release = root.join("target/release");
    for bin in [APP_NAME, "dev-centralauth"] {
        assert!(
            release.join(bin).exists(),
            "target/release/{bin} is missing: run scripts/bench.sh"
        );
    }
    let provider_child = spawn(
        Command::new(release.join("dev-centralauth"))
            .env("DEV_CENTRALAUTH_ADDR", PROVIDER)
            .env(
                "DEV_CENTRALAUTH_ORIGINS",
                format!("http://{APP},http://{APP_CACHED}"),
            )
            .env("DEV_CENTRALAUTH_TEST_HOOKS", "1")
            .env("DEV_CENTRALAUTH_STATE", "off")
            // Its batches of sessions outnumber the default cap.
            .env("DEV_CENTRALAUTH_MAX_SESSIONS", "1000000")
            .env("RUST_LOG", "error"),
    );
    let app = |addr: &str, cache_seconds: u32| {
        let mut cmd = Command::new(release.join(APP_NAME));
        cmd.current_dir(&root)
            .env("LEPTOS_SITE_ADDR", addr)
            .env("LEPTOS_SITE_ROOT", root.join("target/site"))
            .env("LEPTOS_ENV", "PROD")
            .env("APP_ORIGIN", format!("http://{addr}"))
            .env("AUTH_ORGANIZATION_ID", "dev-organization")
            .env("AUTH_SECRET", DEV_SECRET)
            .env("AUTH_BASE_URL", format!("http://{PROVIDER}"))
            .env("AUTH_REQUEST_TIMEOUT_MS", APP_TIMEOUT_MS.to_string())
            .env("AUTH_MAX_CONNECTIONS", MAX_CONNECTIONS.to_string())
            .env("AUTH_SESSION_CACHE_SECONDS", cache_seconds.to_string())
            .env("RUST_LOG", "error");
        spawn(&mut cmd)
    };
    let app_child = app(APP, 0);
    // The same app with the session cache on, for its own rows (idle otherwise).
    let cached_child = app(APP_CACHED, 60);
    let floor_child =
        spawn(Command::new(std::env::current_exe().expect("exe")).arg("--serve-floor"));
    let app_pid = app_child.id();
    let _ = PIDS.set([
        app_pid,
        provider_child.id(),
        floor_child.id(),
        cached_child.id(),
    ]);
    let procs = Procs(vec![provider_child, app_child, floor_child, cached_child]);
    for addr in [PROVIDER, APP, FLOOR, APP_CACHED] {
        wait_for(addr).await;
    }
    (procs, app_pid)
}
