//! Typed configuration, read once at start-up. A missing or malformed
//! variable stops the server with a message naming it.

use std::{net::IpAddr, time::Duration};

use leptos::config::LeptosOptions;
use url::Url;

use crate::centralauth::Secret;

mod dev;
mod error;
mod limits;
#[cfg(test)]
mod tests;
mod values;

pub use dev::{default_state_file, DevProviderSettings, DEFAULT_MAX_SESSIONS};
pub use error::{ConfigError, DEFAULT_AUTH_BASE_URL};
pub use limits::default_max_connections;
pub use values::parse_origin;
use values::{is_loopback_host, list, local_only, parse_base_url, parse_bool, parse_num};

/// Every variable this app reads (besides Leptos' own `LEPTOS_*`).
pub const VARIABLES: &[&str] = &[
    "APP_ORIGIN",
    "AUTH_ORGANIZATION_ID",
    "AUTH_SECRET",
    "AUTH_BASE_URL",
    "AUTH_CONNECT_TIMEOUT_MS",
    "AUTH_REQUEST_TIMEOUT_MS",
    "AUTH_MAX_CONNECTIONS",
    "AUTH_SESSION_CACHE_SECONDS",
    "HTTP_HEADER_READ_TIMEOUT_MS",
    "HTTP_REQUEST_TIMEOUT_MS",
    "HTTP_MAX_CONNECTIONS",
    "RETURN_TO_ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "LOG_FORMAT",
    "DEV_CENTRALAUTH",
    "DEV_CENTRALAUTH_ORIGINS",
    "DEV_CENTRALAUTH_TEST_HOOKS",
    "DEV_CENTRALAUTH_STATE",
    "DEV_CENTRALAUTH_MAX_SESSIONS",
];

/// Where CentralAuth lives for this process.
#[derive(Debug, Clone)]
pub enum ProviderMode {
    /// Real credentials were configured: the embedded provider is not mounted.
    Remote {
        organization_id: String,
        secret: Secret,
        base_url: Url,
    },
    /// No credentials: the embedded development CentralAuth serves at
    /// `{public_origin}/dev-centralauth` (`dev_centralauth::EMBEDDED_PATH`). Only on a loopback origin and
    /// address, unless `explicit` (`DEV_CENTRALAUTH=1`).
    Embedded { explicit: bool },
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
    /// How long a userinfo answer is reused (`AUTH_SESSION_CACHE_SECONDS`);
    /// zero: never, every page asks CentralAuth.
    pub session_cache_ttl: Duration,
}

/// Limits that keep slow or idle clients from holding the server.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// A connection must deliver a request's headers within this time.
    pub header_read_timeout: Duration,
    /// A whole request, body and handler included, must finish within this time.
    pub request_timeout: Duration,
    /// Connections open at once; at the cap a newcomer replaces the oldest
    /// connection without a complete request (see `crate::listener`).
    pub max_connections: usize,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub leptos: LeptosOptions,
    /// Scheme, host and port the browser uses to reach this app, no trailing slash.
    pub public_origin: String,
    pub provider: ProviderMode,
    pub http: HttpSettings,
    pub limits: ServerLimits,
    /// Absolute return URLs are only followed to these origins (ours is always in).
    pub return_to_allowed_origins: Vec<String>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// `LOG_FORMAT`: text lines or JSON objects.
    pub log_format: crate::logging::LogFormat,
    pub dev: DevProviderSettings,
}

/// Loads `.env` from the working directory, if there is one, into the
/// process environment. Variables already set win. A malformed line stops
/// start-up with its number; its text is not shown (it may hold a secret).
pub fn load_dotenv() -> Result<Option<std::path::PathBuf>, ConfigError> {
    let path = std::path::PathBuf::from(".env");
    match dotenvy::from_path(&path) {
        Ok(()) => Ok(Some(path)),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(dotenvy::Error::LineParse(line, at)) => {
            let number = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| {
                    text.find(&line)
                        .map(|at| text[..at].matches('\n').count() + 1)
                })
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into());
            Err(ConfigError::DotEnv(format!(
                ".env line {number} is malformed (at character {at}): write NAME=value"
            )))
        }
        Err(dotenvy::Error::Io(e)) => Err(ConfigError::DotEnv(format!(".env cannot be read: {e}"))),
        Err(_) => Err(ConfigError::DotEnv(".env could not be read".into())),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut leptos = leptos::config::get_configuration(None)
            .map_err(|e| ConfigError::Leptos(e.to_string()))?
            .leptos_options;
        // cargo-leptos tells the servers it starts whether file names carry
        // hashes; a server started by hand learns it from the hash file
        // the build left beside it.
        if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
            leptos.hash_files = crate::site::hash_file(&leptos).is_some_and(|f| f.is_file());
        }
        Self::from_lookup(leptos, |name| std::env::var(name).ok())
    }

    /// Parses from any variable source, so the rules are testable without
    /// touching the process environment.
    pub fn from_lookup(
        leptos: LeptosOptions,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        // Set but empty is a mistake (a secret that came out empty from a
        // deploy tool), never a quiet "unset".
        if let Some(var) = VARIABLES
            .iter()
            .find(|var| lookup(var).is_some_and(|v| v.trim().is_empty()))
        {
            return Err(ConfigError::Empty { var });
        }
        let get = |name: &str| lookup(name);

        let public_origin = match get("APP_ORIGIN") {
            Some(v) => parse_origin("APP_ORIGIN", &v)?,
            None => {
                let addr = leptos.site_addr;
                if addr.ip().is_unspecified() {
                    format!("http://localhost:{}", addr.port())
                } else {
                    // SocketAddr brackets IPv6 hosts: http://[::1]:3000
                    format!("http://{addr}")
                }
            }
        };

        let trusted_proxies = list(get("TRUSTED_PROXIES"))
            .map(|item| {
                item.parse::<IpAddr>().map_err(|_| ConfigError::Invalid {
                    var: "TRUSTED_PROXIES",
                    reason: format!("{item:?} is not an IP address"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let log_format =
            crate::logging::LogFormat::parse(get("LOG_FORMAT").as_deref()).map_err(|reason| {
                ConfigError::Invalid {
                    var: "LOG_FORMAT",
                    reason,
                }
            })?;

        let org = get("AUTH_ORGANIZATION_ID");
        let secret = get("AUTH_SECRET");
        let base = get("AUTH_BASE_URL");
        let dev_opt_in = parse_bool("DEV_CENTRALAUTH", get("DEV_CENTRALAUTH"))?;
        let provider = match (org, secret) {
            (Some(_), Some(_)) if dev_opt_in => {
                return Err(ConfigError::DevProviderWithCredentials)
            }
            (Some(organization_id), Some(secret)) => {
                let raw = base.unwrap_or_else(|| DEFAULT_AUTH_BASE_URL.to_string());
                ProviderMode::Remote {
                    organization_id,
                    secret: Secret::new(secret),
                    base_url: parse_base_url("AUTH_BASE_URL", &raw)?,
                }
            }
            (Some(_), None) => {
                return Err(ConfigError::Partial {
                    var: "AUTH_ORGANIZATION_ID",
                    missing: "AUTH_SECRET",
                })
            }
            (None, Some(_)) => {
                return Err(ConfigError::Partial {
                    var: "AUTH_SECRET",
                    missing: "AUTH_ORGANIZATION_ID",
                })
            }
            (None, None) if base.is_some() => {
                return Err(ConfigError::Partial {
                    var: "AUTH_BASE_URL",
                    missing: "AUTH_ORGANIZATION_ID and AUTH_SECRET",
                })
            }
            // A production build without the development provider.
            (None, None) if !cfg!(feature = "dev-provider") => {
                return Err(ConfigError::DevProviderNotBuilt)
            }
            (None, None) if dev_opt_in => ProviderMode::Embedded { explicit: true },
            (None, None) => {
                // Fail closed: a deploy whose secret went missing must not
                // quietly let anyone sign in.
                local_only(&public_origin, leptos.site_addr, &trusted_proxies)?;
                ProviderMode::Embedded { explicit: false }
            }
        };

        let http = HttpSettings {
            connect_timeout: Duration::from_millis(parse_num(
                "AUTH_CONNECT_TIMEOUT_MS",
                get("AUTH_CONNECT_TIMEOUT_MS"),
                3_000,
                1..=120_000,
            )?),
            request_timeout: Duration::from_millis(parse_num(
                "AUTH_REQUEST_TIMEOUT_MS",
                get("AUTH_REQUEST_TIMEOUT_MS"),
                5_000,
                1..=300_000,
            )?),
            max_connections: parse_num(
                "AUTH_MAX_CONNECTIONS",
                get("AUTH_MAX_CONNECTIONS"),
                32,
                1..=4_096,
            )? as usize,
            session_cache_ttl: Duration::from_secs(parse_num(
                "AUTH_SESSION_CACHE_SECONDS",
                get("AUTH_SESSION_CACHE_SECONDS"),
                0,
                0..=3_600,
            )?),
        };

        let limits = ServerLimits {
            header_read_timeout: Duration::from_millis(parse_num(
                "HTTP_HEADER_READ_TIMEOUT_MS",
                get("HTTP_HEADER_READ_TIMEOUT_MS"),
                10_000,
                1..=600_000,
            )?),
            request_timeout: Duration::from_millis(parse_num(
                "HTTP_REQUEST_TIMEOUT_MS",
                get("HTTP_REQUEST_TIMEOUT_MS"),
                30_000,
                1..=3_600_000,
            )?),
            max_connections: parse_num(
                "HTTP_MAX_CONNECTIONS",
                get("HTTP_MAX_CONNECTIONS"),
                // What the descriptor limit leaves after CentralAuth's pool
                // and a margin for files and the listener.
                default_max_connections(http.max_connections + 128) as u64,
                1..=1_000_000,
            )? as usize,
        };
        // A logout "everywhere" waits for CentralAuth; cutting it off first
        // would answer 408 instead of the page that explains the failure.
        if limits.request_timeout <= http.request_timeout {
            return Err(ConfigError::Invalid {
                var: "HTTP_REQUEST_TIMEOUT_MS",
                reason: format!(
                    "{} ms must be longer than AUTH_REQUEST_TIMEOUT_MS ({} ms)",
                    limits.request_timeout.as_millis(),
                    http.request_timeout.as_millis()
                ),
            });
        }

        let mut return_to_allowed_origins = vec![public_origin.clone()];
        for item in list(get("RETURN_TO_ALLOWED_ORIGINS")) {
            let origin = parse_origin("RETURN_TO_ALLOWED_ORIGINS", &item)?;
            if !return_to_allowed_origins.contains(&origin) {
                return_to_allowed_origins.push(origin);
            }
        }

        let extra_origins = list(get("DEV_CENTRALAUTH_ORIGINS"))
            .map(|item| parse_origin("DEV_CENTRALAUTH_ORIGINS", &item))
            .collect::<Result<Vec<_>, _>>()?;
        let test_hooks = parse_bool(
            "DEV_CENTRALAUTH_TEST_HOOKS",
            get("DEV_CENTRALAUTH_TEST_HOOKS"),
        )?;

        let (state_file, max_sessions) =
            DevProviderSettings::persistence(get, default_state_file("embedded", &public_origin))?;

        Ok(Self {
            leptos,
            public_origin,
            provider,
            http,
            limits,
            return_to_allowed_origins,
            trusted_proxies,
            log_format,
            dev: DevProviderSettings {
                extra_origins,
                test_hooks,
                state_file,
                max_sessions,
            },
        })
    }

    /// Whether cookies get `Secure`: always, except for plain-http development.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin.starts_with("https://")
    }

    /// Things that work but deserve a line in the log at start-up.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.provider {
            ProviderMode::Remote { base_url, .. } => {
                if base_url.scheme() == "http" && !base_url.host().is_some_and(is_loopback_host) {
                    out.push(format!(
                        "AUTH_BASE_URL {base_url} is plain http:// on a non-loopback host: the client secret and session tokens travel in clear; use https://"
                    ));
                }
            }
            ProviderMode::Embedded { explicit: true } => out.push(format!(
                "DEV_CENTRALAUTH=1: the development CentralAuth runs on {}, where ANYONE CAN SIGN IN AS ANYONE. Never do this in production",
                self.public_origin
            )),
            ProviderMode::Embedded { explicit: false } => {}
        }
        out
    }
}
