//! The browser's IP for CentralAuth's `auth-ip`: the TCP peer, unless the
//! peer is a configured trusted proxy, in which case `X-Forwarded-For` is read
//! from the right, skipping our own proxies.

use std::net::IpAddr;

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
        .map_while(|s| s.trim().parse::<IpAddr>().ok())
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
}
