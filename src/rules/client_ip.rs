//! The browser's IP for CentralAuth's `auth-ip`: the TCP peer, unless the
//! peer is a configured trusted proxy, in which case `X-Forwarded-For` is read
//! from the right, skipping our own proxies.
//!
//! Each entry is read on its own: an unparsable one (`unknown`, garbage a
//! client sent) is skipped rather than ending the walk, and an address with
//! a port (`203.0.113.9:4711`, `[2001:db8::1]:443`, as some proxies write
//! it) counts as that address. Before, either made the whole header
//! unreadable and every such request looked like it came from the proxy.

use std::net::{IpAddr, SocketAddr};

pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &http::HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| parse_entry(s.trim()))
        .collect();
    Some(
        forwarded
            .iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .copied()
            .unwrap_or(peer),
    )
}

/// The TCP peer's address, as the listener recorded it in the request.
pub fn peer(extensions: &http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// What CentralAuth's hijack protection compares: the browser's agent and
/// address, as this request shows them.
pub fn client_context(
    headers: &http::HeaderMap,
    peer: Option<IpAddr>,
    trusted: &[IpAddr],
) -> crate::centralauth::ClientContext {
    crate::centralauth::ClientContext {
        user_agent: headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        ip: client_ip(peer, headers, trusted),
    }
}

fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_ignored_without_a_trusted_proxy() {
        let peer = "198.51.100.1".parse().ok();
        assert_eq!(client_ip(peer, &headers("203.0.113.9"), &[]), peer);
    }

    #[test]
    fn forwarded_for_is_read_from_the_right_behind_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let got = client_ip(
            Some(proxy),
            &headers("1.2.3.4, 203.0.113.9, 10.0.0.2"),
            &[proxy],
        );
        // The spoofable left part is not believed.
        assert_eq!(got, "203.0.113.9".parse().ok());
        assert_eq!(
            client_ip(Some(proxy), &http::HeaderMap::new(), &[proxy]),
            Some(proxy)
        );
    }

    #[test]
    fn unparsable_entries_and_ports_do_not_fall_back_to_the_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client = "203.0.113.9".parse().ok();
        for xff in [
            "garbage, 203.0.113.9",
            "unknown, 203.0.113.9, 10.0.0.2",
            "203.0.113.9, not-an-ip",
            "203.0.113.9:4711",
            "1.2.3.4, 203.0.113.9:4711, 10.0.0.2:80",
            "203.0.113.9, ,",
        ] {
            assert_eq!(
                client_ip(Some(proxy), &headers(xff), &[proxy]),
                client,
                "{xff}"
            );
        }
        assert_eq!(
            client_ip(Some(proxy), &headers("[2001:db8::1]:443"), &[proxy]),
            "2001:db8::1".parse().ok()
        );
        // Nothing usable at all: the proxy is all we know.
        assert_eq!(
            client_ip(Some(proxy), &headers("unknown, garbage"), &[proxy]),
            Some(proxy)
        );
    }
}
