//! The HTTP edge, as the second adversarial review met it: the security
//! headers on every kind of response, request lines that are not a path,
//! made-up session cookies (no provider call, no log line), what the page
//! after a logout may claim, and a flood of idle connections.
#![cfg(feature = "ssr")]

mod app;
mod common;

use std::time::{Duration, Instant};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use common::{harness, harness_at, harness_serving, LogCapture, APP};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use tower::ServiceExt;

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
                Request::post("/api/auth/current_user")
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
        .output_name(crate::app::APP_NAME)
        .build();
    let config = crate::app::config::Config::from_lookup(options, |_| None).unwrap();
    let app = crate::app::server::router(crate::app::server::build_state(config).unwrap());
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

/// Every request line, as raw bytes, through the real accept loop and
/// router: each gets an HTTP answer (a panicking handler gives none), and a
/// target that is not a path gets 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_line_panics_and_non_path_targets_get_400() {
    let h = harness().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = h.config.limits.clone();
    let app = h.app.clone();
    tokio::spawn(async move {
        crate::app::listener::serve(listener, app, &limits, std::future::pending()).await
    });
    let targets = [
        ("origin", "/".to_string(), false),
        ("origin", "/account?x=1".to_string(), false),
        ("absolute", format!("http://{addr}/"), false),
        ("absolute", format!("http://{addr}/api/auth/user"), false),
        ("authority", format!("{addr}"), true),
        ("authority", "example.com:443".to_string(), true),
        ("asterisk", "*".to_string(), true),
    ];
    let methods = [
        "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "CONNECT",
    ];
    for method in methods {
        for (form, target, refused) in &targets {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let line = format!(
                "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            s.write_all(line.as_bytes()).await.unwrap();
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
            let out = String::from_utf8_lossy(&out);
            let status: u16 = out
                .strip_prefix("HTTP/1.1 ")
                .and_then(|r| r.get(..3))
                .and_then(|c| c.parse().ok())
                .unwrap_or_else(|| panic!("{method} {form} {target}: no answer: {out:?}"));
            assert!(status < 500, "{method} {form} {target}: {status}");
            if *refused || method == "CONNECT" {
                assert_eq!(status, 400, "{method} {form} {target}");
            }
        }
    }
}

/// A cookie that cannot be a CentralAuth token (not a compact JWE, or
/// larger than a browser keeps) is no session and costs no provider call.
#[tokio::test]
async fn a_made_up_session_cookie_costs_no_centralauth_call() {
    let h = harness().await;
    let huge_jwe = format!("h.k.i.{}.t", "c".repeat(300 * 1024));
    for value in ["made-up", "a.b.c", huge_jwe.as_str()] {
        for path in ["/api/auth/user", "/"] {
            let r = h
                .send(
                    Request::get(path)
                        .header(header::COOKIE, format!("access_token={value}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert!(r.status.is_success(), "{path}: {}", r.status);
            if path == "/api/auth/user" {
                assert_eq!(r.body, "null");
            }
        }
    }
    assert_eq!(h.calls_to("userinfo"), 0);
    // The control: a well-formed token is asked about.
    let (_, token) = h.provider.create_session("ada@example.com");
    let r = h
        .send(
            Request::get("/api/auth/user")
                .header(header::COOKIE, format!("access_token={token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(r.body.contains("ada@example.com"));
    assert_eq!(h.calls_to("userinfo"), 1);
}

/// Anonymous requests with made-up (well-formed) tokens write nothing at
/// info; a real event (a logout everywhere) still does.
#[tokio::test]
async fn made_up_cookies_write_no_info_lines() {
    let h = harness().await;
    let logs = LogCapture::start(tracing::Level::INFO);
    for i in 0..50 {
        let r = h
            .send(
                Request::get("/api/auth/user")
                    .header(header::COOKIE, format!("access_token=h.k.i.made{i}.t"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.body, "null");
    }
    assert!(h.calls_to("userinfo") > 0, "the provider was asked");
    assert_eq!(logs.text(), "", "info lines for anonymous requests");
    let (_, token) = h.provider.create_session("ada@example.com");
    let r = h
        .send(
            Request::post("/api/auth/logout")
                .header(header::ORIGIN, APP)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("access_token={token}"))
                .body(Body::from("everywhere=true"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(h.logout_calls(), 1);
    assert!(
        logs.text().contains("ended everywhere"),
        "{:?}",
        logs.text()
    );
}

/// What the page a no-JavaScript logout lands on claims, found by loading
/// it with the cookies the logout set: `Some(everywhere)` or `None`.
async fn landing_claim(
    h: &common::Harness,
    return_to: &str,
    everywhere: bool,
) -> (Option<bool>, String) {
    let (_, token) = h.provider.create_session("ada@example.com");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", return_to)
        .append_pair("everywhere", if everywhere { "true" } else { "false" })
        .finish();
    let r = h
        .send(
            Request::post("/api/auth/log_out")
                .header(header::ORIGIN, APP)
                .header(header::ACCEPT, "text/html")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("access_token={token}"))
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.location.unwrap();
    let jar: Vec<String> = r
        .set_cookies
        .iter()
        .filter(|c| !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
        .collect();
    let page = h
        .send(
            Request::get(location.as_str())
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, jar.join("; "))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let claim = if page.body.contains("You are logged out everywhere") {
        Some(true)
    } else if page.body.contains("Of this app only") {
        Some(false)
    } else {
        None
    };
    (claim, location)
}

#[tokio::test]
async fn the_page_after_logout_claims_what_the_server_did_not_what_the_link_says() {
    let h = harness().await;
    // The review's link: a return URL asking the page to say "everywhere",
    // long enough that nothing else fits under the 2,048-byte cap.
    let padding = "a".repeat(2_020);
    let lying = format!("/?logged_out=everywhere&p={padding}");
    for everywhere in [false, true] {
        let (claim, location) = landing_claim(&h, &lying, everywhere).await;
        assert_eq!(claim, Some(everywhere), "landed on {location}");
        let (claim, _) = landing_claim(&h, "/?logged_out=here", everywhere).await;
        assert_eq!(claim, Some(everywhere));
    }
    // Just a link, with no logout: no claim at all.
    let page = h.get("/?logged_out=everywhere").await;
    assert!(!page.body.contains("You are logged out everywhere"));
    assert!(!page.body.contains("Of this app only"));
}

mod landing_property {
    use proptest::prelude::*;

    fn attacker_return_url() -> impl Strategy<Value = String> {
        let claim = prop_oneof![
            Just("logged_out=everywhere"),
            Just("logged_out=here"),
            Just("logged_out=%65verywhere"),
            Just("LOGGED_OUT=everywhere"),
            Just(""),
        ];
        (claim, 0usize..2_100, "[a-z/?&=#%.]{0,12}")
            .prop_map(|(claim, pad, tail)| format!("/?{claim}&p={}{tail}", "a".repeat(pad)))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Whatever return URL an attacker built, the landing page claims
        /// exactly the outcome of the logout that happened, or nothing.
        #[test]
        fn the_claimed_outcome_equals_the_real_one(return_to in attacker_return_url(), everywhere in any::<bool>()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let (claim, location) = rt.block_on(async {
                let h = super::harness().await;
                super::landing_claim(&h, &return_to, everywhere).await
            });
            prop_assert!(claim.is_none() || claim == Some(everywhere), "{:?} -> {} claimed {:?}", return_to, location, claim);
            if location.starts_with("/?") || location == "/" {
                prop_assert_eq!(claim, Some(everywhere), "{}", location);
            }
        }
    }
}

#[tokio::test]
async fn the_https_app_sends_hsts_and_upgrades_subresources() {
    let h = harness_at("https://app.example").await;
    let r = h.get("/").await;
    assert_edge_headers("https page", &r.headers, true);
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("upgrade-insecure-requests"), "{csp}");
}

/// With 2,000 idle or header-trickling connections held against the real
/// server binary (cap 256), a normal request is answered within a second.
/// Prints the server's memory per held connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_connections_do_not_lock_out_a_normal_request() {
    raise_open_file_limit(6_000);
    let port = common::processes::free_port();
    let state = common::processes::temp_state("flood");
    let _server = common::processes::Server::start(format!("http://127.0.0.1:{port}"), move || {
        let mut cmd = std::process::Command::new(crate::app::BIN);
        cmd.current_dir(std::env::temp_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("DEV_CENTRALAUTH_STATE", &state)
            .env("HTTP_MAX_CONNECTIONS", "256");
        cmd
    });
    let pid = _server.pid();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let rss_before = rss_kib(pid);
    let mut held = Vec::new();
    for i in 0..2_000 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            // Trickling: part of a request line, never finished.
            s.write_all(b"GET / HTTP/1.1\r\nX-Slow: a").await.unwrap();
        }
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_held = rss_kib(pid);
    for _ in 0..5 {
        let started = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /api/auth/user HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
            .await
            .expect("no answer within 5 s")
            .unwrap();
        let took = started.elapsed();
        assert!(
            out.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&out)
        );
        assert!(took < Duration::from_secs(1), "answered after {took:?}");
        // The attacker opens more meanwhile.
        for _ in 0..100 {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
    }
    println!(
        "server RSS: {rss_before} KiB before, {rss_held} KiB with 2,000 connections held (cap 256): {:.1} KiB per held connection",
        (rss_held.saturating_sub(rss_before)) as f64 / 2_000.0
    );
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn raise_open_file_limit(want: u64) {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        if lim.rlim_cur < want {
            lim.rlim_cur = want.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// An https page never names an http image (mixed content, refused by the
/// policy): a plain-http avatar URL from CentralAuth is dropped there, and
/// kept on an http origin (development).
#[tokio::test]
async fn an_https_app_never_hands_out_an_http_avatar() {
    for (origin, cookie, shown) in [
        ("https://app.example", "__Host-access_token", false),
        (APP, "access_token", true),
    ] {
        let h = harness_at(origin).await;
        let (_, token) = h.provider.create_session("ada@example.com");
        let r = h
            .send(
                Request::get("/api/auth/user")
                    .header(header::COOKIE, format!("{cookie}={token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let user: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(user["email"], "ada@example.com", "{origin}");
        // The development provider on loopback serves its avatars over http.
        assert_eq!(user["avatar_url"].is_string(), shown, "{origin}: {user}");
    }
}
