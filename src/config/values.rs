//! Reading one variable's value: numbers, flags, lists, origins, URLs, and
//! where the development provider may run.

use url::Url;

use super::error::ConfigError;

/// 127.0.0.0/8, ::1 and `localhost`.
pub(super) fn is_loopback_host(host: url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The embedded provider without an explicit opt-in: only where nobody
/// else can reach it, on a loopback origin served from a loopback address,
/// and not behind a proxy: through one, a loopback peer may be anybody.
pub(super) fn local_only(
    public_origin: &str,
    site_addr: std::net::SocketAddr,
    trusted_proxies: &[std::net::IpAddr],
) -> Result<(), ConfigError> {
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
    if !trusted_proxies.is_empty() {
        return Err(refuse(
            "is served behind a proxy (TRUSTED_PROXIES is set), which forwards requests from anywhere".into(),
        ));
    }
    Ok(())
}

pub(super) fn list(value: Option<String>) -> impl Iterator<Item = String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

pub(super) fn parse_num(
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

pub(super) fn parse_bool(var: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
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

pub(super) fn parse_base_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
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
