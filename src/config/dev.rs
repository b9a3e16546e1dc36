//! Settings of the embedded development CentralAuth that the app and the
//! standalone binary share.

use super::{error::ConfigError, values::parse_num};

/// Live development-provider sessions kept when `DEV_CENTRALAUTH_MAX_SESSIONS`
/// is not set.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// The development provider's default state file: under `target/`, one per
/// provider address, so two apps on two ports keep two files.
pub fn default_state_file(kind: &str, address: &str) -> std::path::PathBuf {
    let name: String = address
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    std::path::PathBuf::from("target")
        .join("dev-centralauth")
        .join(format!("{kind}-{name}.json"))
}

#[derive(Debug, Clone)]
pub struct DevProviderSettings {
    /// App origins registered with the embedded provider besides our own.
    pub extra_origins: Vec<String>,
    /// Enables the fault-injection and call-log endpoints used by the tests.
    pub test_hooks: bool,
    /// The file that keeps sessions across restarts; `None` for memory only.
    pub state_file: Option<std::path::PathBuf>,
    pub max_sessions: usize,
}

impl DevProviderSettings {
    /// `DEV_CENTRALAUTH_STATE` (a path, or `off` for memory only; default
    /// `default_file`) and `DEV_CENTRALAUTH_MAX_SESSIONS`, shared by the app
    /// and the standalone provider.
    pub fn persistence(
        get: impl Fn(&str) -> Option<String>,
        default_file: std::path::PathBuf,
    ) -> Result<(Option<std::path::PathBuf>, usize), ConfigError> {
        let state_file = match get("DEV_CENTRALAUTH_STATE").as_deref().map(str::trim) {
            None => Some(default_file),
            Some("off") => None,
            Some(path) => Some(std::path::PathBuf::from(path)),
        };
        let max_sessions = parse_num(
            "DEV_CENTRALAUTH_MAX_SESSIONS",
            get("DEV_CENTRALAUTH_MAX_SESSIONS"),
            DEFAULT_MAX_SESSIONS as u64,
            1..=10_000_000,
        )? as usize;
        Ok((state_file, max_sessions))
    }
}
