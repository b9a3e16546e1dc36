//! Typed configuration, read once at start-up. A missing or malformed
//! variable stops the server with a message naming it.

use std::{net::IpAddr, time::Duration};

use leptos::config::LeptosOptions;
use url::Url;

use crate::centralauth::Secret;

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
    /// `{public_origin}{DEV_PROVIDER_PATH}`.
    Embedded,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
}

#[derive(Debug, Clone)]
pub struct DevProviderSettings {
    /// App origins registered with the embedded provider besides our own.
    pub extra_origins: Vec<String>,
    /// Enables the fault-injection and call-log endpoints used by the tests.
    pub test_hooks: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub leptos: LeptosOptions,
    /// Scheme, host and port the browser uses to reach this app, no trailing slash.
    pub public_origin: String,
    pub provider: ProviderMode,
    pub http: HttpSettings,
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
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let public_origin = match get("APP_ORIGIN") {
            Some(v) => parse_origin("APP_ORIGIN", &v)?,
            None => {
                let addr = leptos.site_addr;
                let host = if addr.ip().is_unspecified() {
                    "localhost".to_string()
                } else {
                    addr.ip().to_string()
                };
                format!("http://{host}:{}", addr.port())
            }
        };

        let org = get("AUTH_ORGANIZATION_ID");
        let secret = get("AUTH_SECRET");
        let base = get("AUTH_BASE_URL");
        let provider = match (org, secret) {
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
            (None, None) => ProviderMode::Embedded,
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

        Ok(Self {
            leptos,
            public_origin,
            provider,
            http,
            return_to_allowed_origins,
            trusted_proxies,
            dev: DevProviderSettings {
                extra_origins,
                test_hooks,
            },
        })
    }

    /// Whether cookies get `Secure`: always, except for plain-http development.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin.starts_with("https://")
    }
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
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(LeptosOptions::builder().output_name("t").build(), |k| {
            map.get(k).cloned()
        })
    }

    #[test]
    fn no_credentials_selects_the_embedded_provider() {
        let c = parse(&[]).unwrap();
        assert!(matches!(c.provider, ProviderMode::Embedded));
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
            ProviderMode::Embedded => panic!("expected remote"),
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
