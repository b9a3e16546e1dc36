//! What can be wrong with the configuration, each naming its variable.

/// CentralAuth's own address, used when `AUTH_BASE_URL` is not set.
pub const DEFAULT_AUTH_BASE_URL: &str = "https://centralauth.com";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is set but {missing} is not: set both to use CentralAuth, or neither to use the embedded development CentralAuth")]
    Partial {
        var: &'static str,
        missing: &'static str,
    },
    #[error("{var} is malformed: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("{var} is set but empty: give it a value, or unset it to use the default")]
    Empty { var: &'static str },
    #[error("no CentralAuth credentials (AUTH_ORGANIZATION_ID, AUTH_SECRET) and APP_ORIGIN {origin} {why}: the embedded development CentralAuth, which lets anyone sign in as anyone, starts only on a loopback origin and address with no proxy in front. Set AUTH_ORGANIZATION_ID and AUTH_SECRET (and AUTH_BASE_URL if not {DEFAULT_AUTH_BASE_URL}), or set DEV_CENTRALAUTH=1 to run the development provider there anyway")]
    DevProviderNotLocal { origin: String, why: String },
    #[error("DEV_CENTRALAUTH=1 asks for the development CentralAuth, but AUTH_ORGANIZATION_ID and AUTH_SECRET are set: unset one or the other")]
    DevProviderWithCredentials,
    #[error("no CentralAuth credentials, and this build leaves out the development CentralAuth (cargo feature `dev-provider`): set AUTH_ORGANIZATION_ID and AUTH_SECRET (and AUTH_BASE_URL if not {DEFAULT_AUTH_BASE_URL})")]
    DevProviderNotBuilt,
    #[error("Leptos configuration: {0}")]
    Leptos(String),
    #[error("{0}")]
    DotEnv(String),
}
