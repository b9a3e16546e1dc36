//! Every request gets an id: the one a trusted proxy sent in `X-Request-Id`
//! when it is well-formed, else a new one. Every log line written while the
//! request is handled carries it (a span, which follows the tasks the
//! request makes Leptos spawn), and the response says it in `X-Request-Id`,
//! so a user's report or a proxy's log line leads to the server's lines.

use std::{net::IpAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
const MAX_LEN: usize = 128;

/// The request's id, in its extensions for handlers that want to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// An incoming id is kept only if it cannot forge or break a log line or a
/// header: 1 to 128 ASCII letters, digits and `-_.:/+=` (UUIDs, W3C trace
/// ids, the ids of common proxies and load balancers).
pub fn well_formed(raw: &str) -> bool {
    (1..=MAX_LEN).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
}

/// 128 random bits, in hex.
pub fn generate() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The id for a request from `peer`: the proxy's, if the peer is a trusted
/// proxy and its id is well-formed; otherwise a new one. Anyone else's
/// header is ignored: a client must not choose the id the logs file it under.
pub fn choose(peer: Option<IpAddr>, headers: &http::HeaderMap, trusted: &[IpAddr]) -> String {
    peer.filter(|p| trusted.contains(p))
        .and_then(|_| headers.get(&HEADER))
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map(str::to_string)
        .unwrap_or_else(generate)
}

/// The outermost layer: the id, the span every line of the request is
/// logged in, and the response header.
pub async fn layer(State(trusted): State<Arc<[IpAddr]>>, mut req: Request, next: Next) -> Response {
    let peer = crate::rules::client_ip::peer(req.extensions());
    let id = choose(peer, req.headers(), &trusted);
    req.extensions_mut().insert(RequestId(id.clone()));
    // At error level so that no RUST_LOG setting that keeps a line drops
    // the span around it.
    let span = tracing::error_span!("request", request_id = %id);
    let mut res = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    res
}

/// Leptos runs some work as tasks of its own (the resources of a page being
/// rendered): they keep the span, and so the id, of the request that
/// started them. Set before Leptos sets its own; later calls change nothing.
pub fn init_executor() {
    let _ = any_spawner::Executor::init_custom_executor(SpanKeeping);
}

struct SpanKeeping;

impl any_spawner::CustomExecutor for SpanKeeping {
    fn spawn(&self, fut: any_spawner::PinnedFuture<()>) {
        tokio::spawn(fut.in_current_span());
    }

    fn spawn_local(&self, fut: any_spawner::PinnedLocalFuture<()>) {
        tokio::task::spawn_local(fut.in_current_span());
    }

    fn poll_local(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_header(v: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(HEADER, v.parse().unwrap());
        h
    }

    #[test]
    fn a_trusted_proxys_id_is_kept_anyone_elses_is_not() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let h = with_header("req-7f3a:2");
        assert_eq!(choose(Some(proxy), &h, &[proxy]), "req-7f3a:2");
        for (peer, trusted) in [
            (Some(client), vec![proxy]),
            (None, vec![proxy]),
            (Some(proxy), vec![]),
        ] {
            let id = choose(peer, &h, &trusted);
            assert_ne!(id, "req-7f3a:2");
            assert_eq!(id.len(), 32);
        }
    }

    #[test]
    fn ids_that_could_forge_a_line_are_replaced() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        for bad in ["a b", "a\"b", "x".repeat(129).as_str(), "a}b", "ü"] {
            let Ok(value) = HeaderValue::from_str(bad) else {
                continue;
            };
            let mut h = http::HeaderMap::new();
            h.insert(HEADER, value);
            assert_ne!(choose(Some(proxy), &h, &[proxy]), bad);
        }
        assert!(!well_formed(""));
    }

    #[test]
    fn generated_ids_differ() {
        assert_ne!(generate(), generate());
    }

    proptest! {
        /// Whatever a proxy sends, the id used is well-formed and fits a header.
        #[test]
        fn every_chosen_id_is_safe(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            let proxy: IpAddr = "10.0.0.2".parse().unwrap();
            let mut h = http::HeaderMap::new();
            if let Ok(value) = HeaderValue::from_bytes(&raw) {
                h.insert(HEADER, value);
            }
            let id = choose(Some(proxy), &h, &[proxy]);
            prop_assert!(well_formed(&id), "{:?}", id);
            prop_assert!(HeaderValue::from_str(&id).is_ok());
        }
    }
}
