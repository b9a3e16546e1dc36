//! The security headers on every kind of response, and the provider's own policy.

use axum::{
    body::Body,
    http::{header, Request},
};
use tower::ServiceExt;

use crate::common::{harness_at, harness_serving, APP};

/// The headers every response carries, checked on one response.
fn assert_edge_headers(what: &str, h: &http::HeaderMap, https: bool) {
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_string()
    };
    let csp = get("content-security-policy");
    for needed in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(needed), "{what}: {needed} missing in {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{what}: {csp}"
    );
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{what}");
    assert!(h.contains_key("cross-origin-resource-policy"), "{what}");
    if https {
        let hsts = get("strict-transport-security");
        let age: u64 = hsts
            .trim_start_matches("max-age=")
            .split(';')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(age >= 31_536_000, "{what}: {hsts}");
    } else {
        assert!(!h.contains_key("strict-transport-security"), "{what}");
    }
}

fn nonce_of(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce") + 7;
    csp[start..].split('\'').next().unwrap().to_string()
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let root = std::env::temp_dir().join(format!("edge-site-{}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg").join("app.js"), "export {};").unwrap();
    std::fs::write(root.join("favicon.ico"), [0u8, 0, 1, 0]).unwrap();
    for origin in [APP, "https://app.example"] {
        let https = origin.starts_with("https");
        let h = harness_serving(origin, &[], Some(root.to_str().unwrap())).await;
        let (_, token) = h.provider.create_session("ada@example.com");
        let cookie = if https {
            "__Host-access_token"
        } else {
            "access_token"
        };
        let cases: Vec<(&str, Request<Body>)> = vec![
            ("page", Request::get("/").body(Body::empty()).unwrap()),
            (
                "signed-in page",
                Request::get("/")
                    .header(header::COOKIE, format!("{cookie}={token}"))
                    .body(Body::empty())
                    .unwrap(),
            ),
            (
                "redirect",
                Request::get("/api/auth/login").body(Body::empty()).unwrap(),
            ),
            (
                "404",
                Request::get("/no-such-page").body(Body::empty()).unwrap(),
            ),
            (
                "sign-in error page",
                Request::get("/auth/error?reason=provider")
                    .body(Body::empty())
                    .unwrap(),
            ),
            (
                "static file",
                Request::get("/pkg/app.js").body(Body::empty()).unwrap(),
            ),
            (
                "public file",
                Request::get("/favicon.ico").body(Body::empty()).unwrap(),
            ),
            (
                "server function",
                Request::post("/api/auth/fn/user")
                    .header(header::ORIGIN, origin)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::empty())
                    .unwrap(),
            ),
            (
                "JSON route",
                Request::get("/api/auth/user").body(Body::empty()).unwrap(),
            ),
            (
                "refused cross-site post",
                Request::post("/api/auth/logout")
                    .header(header::ORIGIN, "https://evil.example")
                    .body(Body::empty())
                    .unwrap(),
            ),
        ];
        let mut nonces = std::collections::HashSet::new();
        for (what, req) in cases {
            let res = h.app.clone().oneshot(req).await.unwrap();
            assert_edge_headers(
                &format!("{origin} {what} ({})", res.status()),
                res.headers(),
                https,
            );
            let csp = res.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(nonces.insert(nonce_of(&csp)), "{what}: a nonce used twice");
            if what == "page" {
                // The scripts on the page carry the nonce the header allows.
                let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                    .await
                    .unwrap();
                let body = String::from_utf8_lossy(&body);
                let nonce = nonce_of(&csp);
                let scripts = body.matches("<script").count();
                assert!(scripts > 0, "no script on the page");
                assert_eq!(
                    body.matches(&format!("nonce=\"{nonce}\"")).count(),
                    scripts,
                    "every script carries the nonce: {body}"
                );
            }
        }
        // The development provider's own pages: their own policy, no script.
        let provider = h.provider.router::<()>();
        for path in ["/login?redirect_uri=x", "/"] {
            let res = provider
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let csp = res.headers()["content-security-policy"].to_str().unwrap();
            assert!(
                csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
                "{csp}"
            );
            assert_edge_headers(&format!("provider {path}"), res.headers(), false);
        }
    }
}

#[tokio::test]
async fn the_embedded_providers_pages_keep_their_own_policy_inside_the_app() {
    // No credentials: the app mounts the development provider itself.
    let options = leptos::config::LeptosOptions::builder()
        .output_name(crate::app::site::APP_NAME)
        .build();
    let config = crate::app::config::Config::from_lookup(options, |_| None).unwrap();
    let app = crate::app::server::router(crate::app::state::build_state(config).unwrap());
    let res = app
        .oneshot(
            Request::get("/dev-centralauth/login?redirect_uri=x")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert_edge_headers("embedded provider", res.headers(), false);
}

#[tokio::test]
async fn the_https_app_sends_hsts_and_upgrades_subresources() {
    let h = harness_at("https://app.example").await;
    let r = h.get("/").await;
    assert_edge_headers("https page", &r.headers, true);
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("upgrade-insecure-requests"), "{csp}");
}
