//! What every response carries at the HTTP edge, and what is refused
//! before routing: the security headers (a Content-Security-Policy with a
//! per-response nonce, framing, sniffing, referrer and isolation rules, HSTS
//! on https) and request targets that are not a path.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::config::{Config, ProviderMode};

/// The nonce of one response's `Content-Security-Policy`, put into the
/// request's extensions for the page renderer (see `server::router`).
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    /// 128 random bits, URL-safe base64 (a valid CSP nonce).
    pub fn new() -> Self {
        Self(crate::centralauth::random_urlsafe(16).into())
    }
}

impl Default for CspNonce {
    fn default() -> Self {
        Self::new()
    }
}

/// The headers one kind of server sends; built once at start-up.
#[derive(Debug)]
pub struct EdgeHeaders {
    /// The policy around the nonce: `…'nonce-` + nonce + `'…`.
    csp_before_nonce: String,
    csp_after_nonce: String,
    hsts: Option<HeaderValue>,
}

/// A year, in seconds: the Observatory's and browsers' preload threshold.
pub const HSTS_MAX_AGE_SECS: u64 = 31_536_000;

impl EdgeHeaders {
    /// The app's pages: scripts only from this origin or with this
    /// response's nonce (WebAssembly compiles under `'wasm-unsafe-eval'`),
    /// no plugins, no `<base>`, never framed. `form_action` lists the
    /// origins a form's redirect may reach besides this one (allowed return
    /// origins, CentralAuth): Chromium checks every hop of it.
    /// `connect_extra` is the live-reload websocket under `cargo leptos watch`.
    pub fn app(
        https: bool,
        form_action: &[String],
        img_extra: &[String],
        connect_extra: &[String],
    ) -> Self {
        let sources = |extra: &[String]| extra.iter().map(|s| format!(" {s}")).collect::<String>();
        Self {
            // Nothing unless named: `default-src 'none'`, then what the
            // pages load (the wasm comes by fetch, hence `connect-src`).
            csp_before_nonce: "default-src 'none'; script-src 'self' 'nonce-".to_string(),
            csp_after_nonce: format!(
                "' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:{}; \
                 font-src 'self'; connect-src 'self'{}; manifest-src 'self'; object-src 'none'; \
                 base-uri 'none'; frame-ancestors 'none'; form-action 'self'{}{}",
                sources(img_extra),
                sources(connect_extra),
                sources(form_action),
                if https {
                    "; upgrade-insecure-requests"
                } else {
                    ""
                },
            ),
            hsts: https.then(hsts),
        }
    }

    /// The policy for one response, with `nonce`.
    pub fn policy(&self, nonce: &str) -> String {
        let mut p = String::with_capacity(
            self.csp_before_nonce.len() + nonce.len() + self.csp_after_nonce.len(),
        );
        p.push_str(&self.csp_before_nonce);
        p.push_str(nonce);
        p.push_str(&self.csp_after_nonce);
        p
    }

    /// Adds what a handler did not set itself (the development provider's
    /// pages carry their own policy).
    pub fn apply(&self, headers: &mut HeaderMap, nonce: &str) {
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            if let Ok(v) = HeaderValue::from_str(&self.policy(nonce)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, v);
            }
        }
        fixed_headers(headers, self.hsts.as_ref());
    }
}

fn hsts() -> HeaderValue {
    HeaderValue::from_str(&format!("max-age={HSTS_MAX_AGE_SECS}")).expect("ASCII")
}

/// The headers that are the same on every response of every server here.
/// `Referrer-Policy: same-origin`: a URL (with a `code`, a `state`, a
/// return URL) never leaves in a Referer for another origin, while the
/// login route still sees a same-origin page to return to.
fn fixed_headers(headers: &mut HeaderMap, hsts: Option<&HeaderValue>) {
    const FIXED: [(HeaderName, &str); 5] = [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in FIXED {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if let Some(v) = hsts {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(v.clone());
    }
}

/// The app's layer: a nonce per request (in the request's extensions), the
/// headers on whatever answers.
pub async fn layer(State(edge): State<Arc<EdgeHeaders>>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    edge.apply(res.headers_mut(), &nonce.0);
    res
}

/// A policy for pages rendered by hand with one inline stylesheet and no
/// script (the development provider's): only that stylesheet by its hash,
/// images from here, forms back here or to `form_action`.
pub fn static_page_policy(inline_style: &str, form_action: &[String]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(inline_style));
    let forms: String = form_action.iter().map(|s| format!(" {s}")).collect();
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'{forms}"
    )
}

/// The layer for a server with one fixed policy (the standalone provider's).
pub async fn fixed_layer(
    State((policy, hsts)): State<(HeaderValue, Option<HeaderValue>)>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(policy);
    fixed_headers(headers, hsts.as_ref());
    res
}

/// The HSTS value for an https origin, for [`fixed_layer`].
pub fn hsts_for(https: bool) -> Option<HeaderValue> {
    https.then(hsts)
}

/// Only origin-form (`/path`) and absolute-form (`http://host/path`)
/// targets reach the router; an authority-form (`host:port`, as `CONNECT`
/// sends) or asterisk-form (`*`) target gets 400 here. Leptos' renderer
/// unwraps the path, so such a request line used to panic its handler.
pub async fn refuse_odd_targets(req: Request, next: Next) -> Response {
    if !is_path_target(req.uri()) || req.method() == http::Method::CONNECT {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CACHE_CONTROL, "no-store")],
            "The request target must be a path.",
        )
            .into_response();
    }
    next.run(req).await
}

/// Whether a request target names a path on this server.
pub fn is_path_target(uri: &http::Uri) -> bool {
    uri.path_and_query()
        .is_some_and(|pq| pq.as_str().starts_with('/'))
}

/// The page renderer uses the nonce the edge layer put in the request's
/// policy, so the hydration and reload scripts carry the one it allows.
pub fn use_nonce_of_request() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

impl EdgeHeaders {
    /// The app's headers from its configuration: forms may land on the
    /// allowed return origins and CentralAuth; under `cargo leptos watch`
    /// the page may open the live-reload websocket.
    pub fn for_config(config: &Config) -> Self {
        let https = config.secure_cookies();
        // An https page never loads from plain http (upgrade-insecure-requests
        // upgrades it), so an http CentralAuth is named only on http pages.
        let provider = match &config.provider {
            ProviderMode::Remote { base_url, .. } => Some(base_url.origin().ascii_serialization()),
            ProviderMode::Embedded { .. } => None,
        }
        .filter(|origin| !https || origin.starts_with("https://"));
        let mut form_action: Vec<String> = config
            .return_to_allowed_origins
            .iter()
            .filter(|o| **o != config.public_origin)
            .cloned()
            .collect();
        form_action.extend(provider.clone());
        let mut connect = Vec::new();
        if std::env::var_os("LEPTOS_WATCH").is_some() {
            let port = config
                .leptos
                .reload_external_port
                .unwrap_or(config.leptos.reload_port);
            // The reload script connects to the host the page was opened on.
            let scheme = if https { "wss" } else { "ws" };
            let host = url::Url::parse(&config.public_origin)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "localhost".into());
            for host in [host.as_str(), "localhost", "127.0.0.1"] {
                let source = format!("{scheme}://{host}:{port}");
                if !connect.contains(&source) {
                    connect.push(source);
                }
            }
        }
        EdgeHeaders::app(https, &form_action, provider.as_slice(), &connect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
        policy
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| {
                let mut words = d.split_whitespace().map(str::to_string);
                (words.next().unwrap(), words.collect())
            })
            .collect()
    }

    #[test]
    fn the_page_policy_allows_scripts_only_by_origin_or_nonce_and_never_inline_or_eval() {
        let edge = EdgeHeaders::app(true, &["https://docs.example".into()], &[], &[]);
        let policy = edge.policy("abc123");
        let d = directives(&policy);
        let get = |name: &str| {
            d.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{name} missing in {policy}"))
        };
        assert_eq!(
            get("script-src"),
            ["'self'", "'nonce-abc123'", "'wasm-unsafe-eval'"]
        );
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
        assert_eq!(get("object-src"), ["'none'"]);
        assert_eq!(get("base-uri"), ["'none'"]);
        assert_eq!(get("frame-ancestors"), ["'none'"]);
        assert_eq!(get("form-action"), ["'self'", "https://docs.example"]);
        assert_eq!(get("default-src"), ["'none'"]);
        assert_eq!(get("connect-src"), ["'self'"]);
        // Each directive once: a browser ignores a repeated one.
        let mut names: Vec<_> = d.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), d.len(), "{policy}");
    }

    #[test]
    fn hsts_only_on_https_and_for_a_year() {
        let mut h = HeaderMap::new();
        EdgeHeaders::app(false, &[], &[], &[]).apply(&mut h, "n");
        assert!(!h.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let mut h = HeaderMap::new();
        EdgeHeaders::app(true, &[], &[], &[]).apply(&mut h, "n");
        assert_eq!(h[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }

    #[test]
    fn a_handler_set_policy_is_kept() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'"),
        );
        EdgeHeaders::app(false, &[], &[], &[]).apply(&mut h, "n");
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "default-src 'none'");
    }

    #[test]
    fn the_static_policy_names_the_inline_style_by_hash() {
        let p = static_page_policy("body{}", &["http://a.example".into()]);
        // echo -n 'body{}' | openssl dgst -sha256 -binary | base64
        assert!(
            p.contains("style-src 'sha256-fJgEClQWV1hGkK4qHMO0KotTsVnMYMXTq7/suurGyUo='"),
            "{p}"
        );
        assert!(p.contains("form-action 'self' http://a.example"));
        assert!(!p.contains("script-src"));
    }

    #[test]
    fn only_path_targets_pass() {
        for ok in ["/", "/a?b", "http://h/x"] {
            assert!(is_path_target(&ok.parse().unwrap()), "{ok}");
        }
        for bad in ["*", "127.0.0.1:3000", "h:1"] {
            let uri: http::Uri = bad.parse().unwrap();
            assert!(!is_path_target(&uri), "{bad}");
        }
    }
}
