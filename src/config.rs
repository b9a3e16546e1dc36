//! Typed configuration, read once at start-up. A missing or malformed
//! variable stops the server with a message naming it.

use std::{net::IpAddr, time::Duration};

use leptos::config::LeptosOptions;
use url::Url;

use crate::centralauth::Secret;

pub const DEFAULT_AUTH_BASE_URL: &str = "https://centralauth.com";

/// Every variable this app reads (besides Leptos' own `LEPTOS_*`).
pub const VARIABLES: &[&str] = &[
    "APP_ORIGIN",
    "AUTH_ORGANIZATION_ID",
    "AUTH_SECRET",
    "AUTH_BASE_URL",
    "AUTH_CONNECT_TIMEOUT_MS",
    "AUTH_REQUEST_TIMEOUT_MS",
    "AUTH_MAX_CONNECTIONS",
    "HTTP_HEADER_READ_TIMEOUT_MS",
    "HTTP_REQUEST_TIMEOUT_MS",
    "HTTP_MAX_CONNECTIONS",
    "RETURN_TO_ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "DEV_CENTRALAUTH",
    "DEV_CENTRALAUTH_ORIGINS",
    "DEV_CENTRALAUTH_TEST_HOOKS",
    "DEV_CENTRALAUTH_STATE",
    "DEV_CENTRALAUTH_MAX_SESSIONS",
];

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
    #[error("no CentralAuth credentials (AUTH_ORGANIZATION_ID, AUTH_SECRET) and APP_ORIGIN {origin} {why}: the embedded development CentralAuth, which lets anyone sign in as anyone, starts only on a loopback origin and address. Set AUTH_ORGANIZATION_ID and AUTH_SECRET (and AUTH_BASE_URL if not {DEFAULT_AUTH_BASE_URL}), or set DEV_CENTRALAUTH=1 to run the development provider there anyway")]
    DevProviderNotLocal { origin: String, why: String },
    #[error("DEV_CENTRALAUTH=1 asks for the development CentralAuth, but AUTH_ORGANIZATION_ID and AUTH_SECRET are set: unset one or the other")]
    DevProviderWithCredentials,
    #[error("no CentralAuth credentials, and this build leaves out the development CentralAuth (cargo feature `dev-provider`): set AUTH_ORGANIZATION_ID and AUTH_SECRET (and AUTH_BASE_URL if not {DEFAULT_AUTH_BASE_URL})")]
    DevProviderNotBuilt,
    #[error("Leptos configuration: {0}")]
    Leptos(String),
}

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
    /// `{public_origin}{DEV_PROVIDER_PATH}`. Only on a loopback origin and
    /// address, unless `explicit` (`DEV_CENTRALAUTH=1`).
    Embedded { explicit: bool },
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
}

/// Limits that keep slow or idle clients from holding the server.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// A connection must deliver a request's headers within this time.
    pub header_read_timeout: Duration,
    /// A whole request, body and handler included, must finish within this time.
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
}

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
    pub dev: DevProviderSettings,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let leptos = leptos::config::get_configuration(None)
            .map_err(|e| ConfigError::Leptos(e.to_string()))?
            .leptos_options;
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
                local_only(&public_origin, leptos.site_addr)?;
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
                512,
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

        let trusted_proxies = list(get("TRUSTED_PROXIES"))
            .map(|item| {
                item.parse::<IpAddr>().map_err(|_| ConfigError::Invalid {
                    var: "TRUSTED_PROXIES",
                    reason: format!("{item:?} is not an IP address"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

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

/// 127.0.0.0/8, ::1 and `localhost`.
fn is_loopback_host(host: url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The embedded provider without an explicit opt-in: only where nobody
/// else can reach it, on a loopback origin served from a loopback address.
fn local_only(public_origin: &str, site_addr: std::net::SocketAddr) -> Result<(), ConfigError> {
    let refuse = |why: String| ConfigError::DevProviderNotLocal {
        origin: public_origin.to_string(),
        why,
    };
    let url = Url::parse(public_origin).map_err(|e| refuse(format!("is not a URL ({e})")))?;
    if !url.host().is_some_and(is_loopback_host) {
        return Err(refuse("is not a loopback origin".into()));
    }
    if !site_addr.ip().is_loopback() {
        return Err(refuse(format!(
            "is served on {site_addr} (LEPTOS_SITE_ADDR), which is not a loopback address"
        )));
    }
    Ok(())
}

fn list(value: Option<String>) -> impl Iterator<Item = String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

fn parse_num(
    var: &'static str,
    value: Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = value else {
        return Ok(default);
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!(
                "{raw:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

fn parse_bool(var: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError::Invalid {
            var,
            reason: format!("{other:?} is not one of true/false/1/0"),
        }),
    }
}

/// An origin: `http(s)://host[:port]`, nothing else. Returned without a trailing slash.
pub fn parse_origin(var: &'static str, raw: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        var,
        reason: format!("{raw:?} {reason}"),
    };
    let url = Url::parse(raw.trim()).map_err(|e| invalid(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must start with http:// or https://"));
    }
    if url.host_str().is_none() {
        return Err(invalid("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain a user name or password"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "must be an origin only, without a path, query or fragment",
        ));
    }
    Ok(url.origin().ascii_serialization())
}

fn parse_base_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        var,
        reason: format!("{raw:?} {reason}"),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| invalid(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must start with http:// or https://"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    // A base path (the embedded provider's, say) is kept; one trailing slash is not.
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        parse_at("127.0.0.1:3000", vars)
    }

    /// As served from `site_addr` (LEPTOS_SITE_ADDR).
    fn parse_at(site_addr: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let options = LeptosOptions::builder()
            .output_name("t")
            .site_addr(site_addr.parse::<std::net::SocketAddr>().unwrap())
            .build();
        Config::from_lookup(options, |k| map.get(k).cloned())
    }

    fn embedded(c: &Config) -> Option<bool> {
        match c.provider {
            ProviderMode::Embedded { explicit } => Some(explicit),
            ProviderMode::Remote { .. } => None,
        }
    }

    // Needs the embedded provider (no credentials given).
    #[cfg(feature = "dev-provider")]
    #[test]
    fn without_credentials_the_dev_provider_starts_on_loopback_origins_only() {
        for origin in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://LOCALHOST:8080",
            "http://[::1]:3000",
            "http://127.0.0.2:3000",
            "https://localhost:3443",
        ] {
            let c = parse(&[("APP_ORIGIN", origin)]).unwrap();
            assert_eq!(embedded(&c), Some(false), "{origin}");
            assert!(c.warnings().is_empty(), "{origin}");
        }
        let c = parse_at("[::1]:3000", &[]).unwrap();
        assert_eq!(c.public_origin, "http://[::1]:3000");
        assert_eq!(embedded(&c), Some(false));
    }

    // Needs the embedded provider (no credentials given).
    #[cfg(feature = "dev-provider")]
    #[test]
    fn without_credentials_a_public_origin_stops_start_up_naming_the_credentials() {
        for (site, vars) in [
            (
                "127.0.0.1:3000",
                &[("APP_ORIGIN", "https://app.example")][..],
            ),
            (
                "127.0.0.1:3000",
                &[("APP_ORIGIN", "http://192.168.1.20:3000")][..],
            ),
            (
                "127.0.0.1:3000",
                &[("APP_ORIGIN", "http://localhost.evil.example")][..],
            ),
            // A loopback origin served on every interface is reachable from outside.
            ("0.0.0.0:3000", &[][..]),
            (
                "0.0.0.0:3000",
                &[("APP_ORIGIN", "http://localhost:3000")][..],
            ),
            ("192.0.2.10:3000", &[][..]),
        ] {
            let err = parse_at(site, vars).unwrap_err();
            assert!(
                matches!(err, ConfigError::DevProviderNotLocal { .. }),
                "{site} {vars:?}: {err}"
            );
            let text = err.to_string();
            for name in ["AUTH_ORGANIZATION_ID", "AUTH_SECRET", "DEV_CENTRALAUTH=1"] {
                assert!(text.contains(name), "{text}");
            }
        }
    }

    // Needs the embedded provider (no credentials given).
    #[cfg(feature = "dev-provider")]
    #[test]
    fn dev_centralauth_opts_in_anywhere_and_is_logged_loudly() {
        let c = parse(&[
            ("APP_ORIGIN", "https://app.example"),
            ("DEV_CENTRALAUTH", "1"),
        ])
        .unwrap();
        assert_eq!(embedded(&c), Some(true));
        let warnings = c.warnings().join("\n");
        assert!(
            warnings.contains("DEV_CENTRALAUTH=1") && warnings.contains("ANYONE CAN SIGN IN"),
            "{warnings}"
        );
        let c = parse_at("0.0.0.0:3000", &[("DEV_CENTRALAUTH", "true")]).unwrap();
        assert_eq!(embedded(&c), Some(true));
        // Off is off: the loopback rule applies again.
        let err = parse(&[
            ("APP_ORIGIN", "https://app.example"),
            ("DEV_CENTRALAUTH", "0"),
        ])
        .unwrap_err();
        assert!(
            matches!(err, ConfigError::DevProviderNotLocal { .. }),
            "{err}"
        );
        // Both at once is a contradiction, not a guess.
        let err = parse(&[
            ("DEV_CENTRALAUTH", "1"),
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", "s"),
        ])
        .unwrap_err();
        assert!(
            matches!(err, ConfigError::DevProviderWithCredentials),
            "{err}"
        );
    }

    #[test]
    fn credentials_work_on_any_origin() {
        let c = parse_at(
            "0.0.0.0:8080",
            &[
                ("APP_ORIGIN", "https://app.example"),
                ("AUTH_ORGANIZATION_ID", "o"),
                ("AUTH_SECRET", "s"),
            ],
        )
        .unwrap();
        assert_eq!(embedded(&c), None);
        assert!(c.warnings().is_empty());
    }

    #[test]
    fn a_variable_set_but_empty_stops_start_up_naming_it() {
        for var in VARIABLES {
            for empty in ["", "  "] {
                let err = parse(&[(var, empty)]).unwrap_err();
                assert!(matches!(err, ConfigError::Empty { .. }), "{var}: {err}");
                assert!(err.to_string().starts_with(var), "{var}: {err}");
            }
        }
        // The deploy whose secret came out empty: refused, not embedded.
        let err = parse(&[
            ("APP_ORIGIN", "https://app.example"),
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", ""),
        ])
        .unwrap_err();
        assert!(err.to_string().starts_with("AUTH_SECRET"), "{err}");
    }

    /// Only in a build without the development provider
    /// (`scripts/test.sh` runs it with `--no-default-features --features ssr`).
    #[cfg(not(feature = "dev-provider"))]
    #[test]
    fn a_build_without_the_dev_provider_needs_credentials() {
        for vars in [&[][..], &[("DEV_CENTRALAUTH", "1")][..]] {
            let err = parse(vars).unwrap_err();
            assert!(
                matches!(err, ConfigError::DevProviderNotBuilt),
                "{vars:?}: {err}"
            );
            assert!(err.to_string().contains("AUTH_SECRET"), "{err}");
        }
        assert!(parse(&[("AUTH_ORGANIZATION_ID", "o"), ("AUTH_SECRET", "s")]).is_ok());
    }

    #[cfg(feature = "dev-provider")]
    #[test]
    fn the_dev_provider_keeps_state_under_target_unless_told_otherwise() {
        let c = parse(&[]).unwrap();
        assert_eq!(
            c.dev.state_file.as_deref(),
            Some(std::path::Path::new(
                "target/dev-centralauth/embedded-127.0.0.1-3000.json"
            ))
        );
        assert_eq!(c.dev.max_sessions, DEFAULT_MAX_SESSIONS);
        let c = parse(&[
            ("DEV_CENTRALAUTH_STATE", "/tmp/x.json"),
            ("DEV_CENTRALAUTH_MAX_SESSIONS", "50"),
        ])
        .unwrap();
        assert_eq!(
            c.dev.state_file.as_deref(),
            Some(std::path::Path::new("/tmp/x.json"))
        );
        assert_eq!(c.dev.max_sessions, 50);
        assert_eq!(
            parse(&[("DEV_CENTRALAUTH_STATE", "off")])
                .unwrap()
                .dev
                .state_file,
            None
        );
        for bad in ["0", "-1", "many"] {
            let err = parse(&[("DEV_CENTRALAUTH_MAX_SESSIONS", bad)]).unwrap_err();
            assert!(
                err.to_string().starts_with("DEV_CENTRALAUTH_MAX_SESSIONS"),
                "{err}"
            );
        }
    }

    #[test]
    fn plain_http_centralauth_off_loopback_is_warned_about() {
        let with_base = |base: &str| {
            parse(&[
                ("AUTH_ORGANIZATION_ID", "o"),
                ("AUTH_SECRET", "s"),
                ("AUTH_BASE_URL", base),
            ])
            .unwrap()
            .warnings()
        };
        let w = with_base("http://centralauth.internal:8080");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("AUTH_BASE_URL") && w[0].contains("clear"),
            "{w:?}"
        );
        assert_eq!(with_base("http://10.0.0.5").len(), 1);
        for quiet in [
            "https://centralauth.com",
            "http://127.0.0.1:3000/dev-centralauth",
            "http://localhost:3000/dev-centralauth",
            "http://[::1]:9000",
        ] {
            assert!(with_base(quiet).is_empty(), "{quiet}");
        }
    }

    // Needs the embedded provider (no credentials given).
    #[cfg(feature = "dev-provider")]
    #[test]
    fn server_limits_have_defaults_and_the_request_timeout_outlasts_centralauth_calls() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.limits.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.limits.request_timeout, Duration::from_secs(30));
        assert_eq!(c.limits.max_connections, 512);
        let c = parse(&[
            ("HTTP_HEADER_READ_TIMEOUT_MS", "1500"),
            ("HTTP_REQUEST_TIMEOUT_MS", "9000"),
            ("HTTP_MAX_CONNECTIONS", "64"),
        ])
        .unwrap();
        assert_eq!(c.limits.header_read_timeout, Duration::from_millis(1500));
        assert_eq!(c.limits.request_timeout, Duration::from_millis(9000));
        assert_eq!(c.limits.max_connections, 64);
        let err = parse(&[("HTTP_REQUEST_TIMEOUT_MS", "5000")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("HTTP_REQUEST_TIMEOUT_MS") && err.contains("AUTH_REQUEST_TIMEOUT_MS"),
            "{err}"
        );
        for (var, bad) in [
            ("HTTP_MAX_CONNECTIONS", "0"),
            ("HTTP_HEADER_READ_TIMEOUT_MS", "soon"),
        ] {
            let err = parse(&[(var, bad)]).unwrap_err().to_string();
            assert!(err.starts_with(var), "{err}");
        }
    }

    // Needs the embedded provider (no credentials given).
    #[cfg(feature = "dev-provider")]
    #[test]
    fn no_credentials_selects_the_embedded_provider() {
        let c = parse(&[]).unwrap();
        assert!(matches!(
            c.provider,
            ProviderMode::Embedded { explicit: false }
        ));
        assert_eq!(c.public_origin, "http://127.0.0.1:3000");
        assert!(!c.secure_cookies());
    }

    #[test]
    fn full_credentials_select_the_remote_provider_with_default_base_url() {
        let c = parse(&[("AUTH_ORGANIZATION_ID", "org"), ("AUTH_SECRET", "s3cr3t")]).unwrap();
        match c.provider {
            ProviderMode::Remote {
                base_url, secret, ..
            } => {
                assert_eq!(base_url.as_str(), "https://centralauth.com/");
                assert_eq!(secret.expose(), "s3cr3t");
            }
            ProviderMode::Embedded { .. } => panic!("expected remote"),
        }
    }

    #[test]
    fn partial_credentials_name_what_is_missing() {
        let err = parse(&[("AUTH_SECRET", "x")]).unwrap_err().to_string();
        assert!(err.contains("AUTH_ORGANIZATION_ID"), "{err}");
        let err = parse(&[("AUTH_ORGANIZATION_ID", "x")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("AUTH_SECRET"), "{err}");
        let err = parse(&[("AUTH_BASE_URL", "https://x.example")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("AUTH_BASE_URL"), "{err}");
    }

    // Needs the embedded provider (no credentials given).
    #[cfg(feature = "dev-provider")]
    #[test]
    fn malformed_values_name_the_variable() {
        for (var, value) in [
            ("APP_ORIGIN", "ftp://x"),
            ("APP_ORIGIN", "http://x/path"),
            ("AUTH_REQUEST_TIMEOUT_MS", "soon"),
            ("AUTH_REQUEST_TIMEOUT_MS", "0"),
            ("TRUSTED_PROXIES", "not-an-ip"),
            ("DEV_CENTRALAUTH_TEST_HOOKS", "maybe"),
            ("RETURN_TO_ALLOWED_ORIGINS", "javascript:alert(1)"),
        ] {
            let err = parse(&[(var, value)]).unwrap_err().to_string();
            assert!(err.starts_with(var), "{var}={value}: {err}");
        }
        let err = parse(&[
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", "s"),
            ("AUTH_BASE_URL", "centralauth.com"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("AUTH_BASE_URL"), "{err}");
    }

    #[test]
    fn base_url_keeps_its_path_without_trailing_slash() {
        let c = parse(&[
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", "s"),
            ("AUTH_BASE_URL", "http://127.0.0.1:3000/dev-centralauth/"),
        ])
        .unwrap();
        let ProviderMode::Remote { base_url, .. } = c.provider else {
            panic!()
        };
        assert_eq!(base_url.as_str(), "http://127.0.0.1:3000/dev-centralauth");
    }

    #[test]
    fn allowed_return_origins_always_include_our_own() {
        let c = parse(&[
            ("APP_ORIGIN", "https://app.example"),
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", "s"),
            (
                "RETURN_TO_ALLOWED_ORIGINS",
                "https://docs.example, https://app.example",
            ),
        ])
        .unwrap();
        assert_eq!(
            c.return_to_allowed_origins,
            vec!["https://app.example", "https://docs.example"]
        );
        assert!(c.secure_cookies());
    }
}
