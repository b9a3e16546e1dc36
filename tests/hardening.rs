//! Findings of the adversarial review, each as the attack that worked,
//! through the real router: open redirects, attacker text, log forging,
//! caching, client errors on server functions, cookie tossing.
#![cfg(feature = "ssr")]

use std::collections::HashMap;

use crate::app::{
    auth::login::server as signin, dev_centralauth::DEV_SECRET, guards, rules::state,
};
use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

mod app;
mod common;

use common::{harness, harness_at, LogCapture, APP};

/// Return URLs that normalise to another host (`//evil.example`).
const DOT_SEGMENT_ATTACKS: &[&str] = &[
    "/.//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2E%2e//evil.example/x",
    "/a/..//evil.example",
];

fn form_post(uri: &str, body: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, APP);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("access_token={t}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

fn browser_form_post(uri: &str, body: &str, token: Option<&str>) -> Request<Body> {
    let mut req = form_post(uri, body, token);
    req.headers_mut().insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    req
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn query(location: &str) -> HashMap<String, String> {
    url::Url::parse(&format!("{APP}{location}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn no_logout_door_redirects_off_site_through_dot_segments() {
    let h = harness().await;
    for attack in DOT_SEGMENT_ATTACKS {
        let form = format!("return_to={}", enc(attack));
        let (_, token) = h.provider.create_session("ada@example.com");
        // The plain route.
        let r = h
            .send(form_post("/api/auth/logout", &form, Some(&token)))
            .await;
        assert_eq!(r.location.as_deref(), Some("/"), "plain route, {attack}");
        // The server function as a plain form post (no JavaScript).
        let r = h
            .send(browser_form_post(
                "/api/auth/fn/logout",
                &form,
                Some(&token),
            ))
            .await;
        // Refused, so back to the home page.
        assert_eq!(r.location.as_deref(), Some("/"), "form post, {attack}");
        // The server function as the wasm client calls it: JSON back.
        let r = h
            .send(form_post("/api/auth/fn/logout", &form, Some(&token)))
            .await;
        let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(json["redirect_to"], "/", "JSON redirect_to, {attack}");
        // The GET door leads to the page whose button posts return_to back
        // to the doors above; the value travels as a query value only.
        let r = h
            .get(&format!("/api/auth/logout?return_to={}", enc(attack)))
            .await;
        let location = r.location.unwrap();
        assert!(location.starts_with("/logout?"), "{location}");
        assert_eq!(query(&location)["return_to"], *attack);
    }
}

#[tokio::test]
async fn sign_in_never_carries_an_off_site_return_url() {
    let h = harness().await;
    let key = state::StateKey::derive(DEV_SECRET);
    for attack in DOT_SEGMENT_ATTACKS {
        // Login puts the checked URL into the callback's redirect_uri.
        let r = h
            .get(&format!("/api/auth/login?return_to={}", enc(attack)))
            .await;
        let login = url::Url::parse(r.location.as_deref().unwrap()).unwrap();
        let q: HashMap<String, String> = login.query_pairs().into_owned().collect();
        assert_eq!(
            q["redirect_uri"],
            format!("{APP}/api/auth/callback?return_to=%2F"),
            "{attack}"
        );
        // A callback that fails sends the checked URL on to the error page.
        let issued = state::sign(&key, state::now_unix(), "v");
        let r = h
            .get(&format!(
                "/api/auth/callback?state={issued}&return_to={}",
                enc(attack)
            ))
            .await;
        assert_eq!(query(&r.location.unwrap())["return_to"], "/", "{attack}");
    }
}

#[tokio::test]
async fn an_error_callback_without_our_state_shows_only_the_fixed_message() {
    let h = harness().await;
    for state_param in ["", "&state=v1.forged.1.c2ln", "&state=expired"] {
        let r = h
            .get(&format!(
                "/api/auth/callback?error=accountLocked&error_description=Call+555-0100+now{state_param}"
            ))
            .await;
        let q = query(&r.location.unwrap());
        assert_eq!(q["reason"], "provider", "{state_param}");
        for key in ["code", "detail", "sig"] {
            assert!(!q.contains_key(key), "{state_param}: {key} echoed: {q:?}");
        }
    }
    // A state we issued, brought back by another browser (the attacker
    // got it from the login route): still only the fixed message.
    let key = state::StateKey::derive(DEV_SECRET);
    let attackers = state::sign(&key, state::now_unix(), "attacker-verifier");
    for cookie in [None, Some("code_verifier=victim-verifier")] {
        let r = h
            .send(get_with_cookie(
                &format!(
                    "/api/auth/callback?error=accountLocked&error_description=Call+555-0100&state={attackers}"
                ),
                cookie,
            ))
            .await;
        let q = query(&r.location.unwrap());
        assert_eq!(q["reason"], "provider");
        for key in ["code", "detail", "sig"] {
            assert!(!q.contains_key(key), "{cookie:?}: {key} echoed: {q:?}");
        }
    }
    // A genuine one (a state we issued to this browser) shows CentralAuth's words.
    let issued = state::sign(&key, state::now_unix(), "victim-verifier");
    let r = h
        .send(get_with_cookie(
            &format!(
                "/api/auth/callback?error=accountLocked&error_description=Locked&state={issued}"
            ),
            Some("code_verifier=victim-verifier"),
        ))
        .await;
    let q = query(&r.location.unwrap());
    assert_eq!(
        (q["code"].as_str(), q["detail"].as_str()),
        ("accountLocked", "Locked")
    );
}

#[tokio::test]
async fn echoed_provider_text_is_bounded() {
    let h = harness().await;
    let issued = state::sign(&state::StateKey::derive(DEV_SECRET), state::now_unix(), "v");
    let huge = "A".repeat(30_000);
    let r = h
        .send(get_with_cookie(
            &format!("/api/auth/callback?error={huge}&error_description={huge}&state={issued}"),
            Some("code_verifier=v"),
        ))
        .await;
    let location = r.location.unwrap();
    assert!(location.len() < 1_000, "{} bytes", location.len());
    let q = query(&location);
    assert_eq!(q["code"], "genericError");
    assert_eq!(q["detail"].chars().count(), 300);
    // Prose in the code is no code.
    let r = h
        .send(get_with_cookie(
            &format!("/api/auth/callback?error=Your+account+is+locked&state={issued}"),
            Some("code_verifier=v"),
        ))
        .await;
    assert_eq!(query(&r.location.unwrap())["code"], "genericError");
}

#[tokio::test]
async fn login_forwards_an_error_message_only_when_this_server_signed_it() {
    let h = harness().await;
    let forwarded = |r: &common::Reply| {
        let url = url::Url::parse(r.location.as_deref().unwrap()).unwrap();
        url.query_pairs()
            .find(|(k, _)| k == "error_description")
            .map(|(_, v)| v.into_owned())
    };
    let r = h
        .get("/api/auth/login?error_message=Your+account+is+compromised,+call+555-0100")
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(forwarded(&r), None);
    let r = h
        .get("/api/auth/login?error_message=Hi&error_sig=AAAA")
        .await;
    assert_eq!(forwarded(&r), None);

    // What server code builds with the helper is forwarded, bounded.
    let state = crate::app::state::build_state(h.config.clone()).unwrap();
    let long = format!("Please sign in again.\n{}", "x".repeat(1_000));
    let path = signin::login_path_with_message(&state, "/account", &long);
    let r = h.get(&path).await;
    let shown = forwarded(&r).unwrap();
    assert!(shown.starts_with("Please sign in again. x"), "{shown}");
    assert_eq!(shown.chars().count(), 300);
}

#[tokio::test]
async fn provider_text_cannot_forge_log_lines() {
    let h = harness().await;
    let logs = LogCapture::start(tracing::Level::DEBUG);
    let issued = state::sign(&state::StateKey::derive(DEV_SECRET), state::now_unix(), "v");
    for state_param in [String::new(), format!("&state={issued}")] {
        h.get(&format!(
            "/api/auth/callback?error=x%0d%0a2026-01-01T00:00:00Z%20INFO%20forged&error_description=y%0aINFO%20forged{state_param}"
        ))
        .await;
    }
    // A CentralAuth answer with a CRLF in its code, through the client.
    h.provider.add_fault(crate::app::dev_centralauth::Fault {
        endpoint: None,
        delay_ms: 0,
        status: Some(500),
        error_code: Some("boom\r\nINFO forged".into()),
        message: Some("m\r\nINFO forged".into()),
        refuse_for_ms: None,
        times: Some(1),
    });
    let (_, token) = h.provider.create_session("ada@example.com");
    h.send(form_post(
        "/api/auth/logout",
        "everywhere=true",
        Some(&token),
    ))
    .await;
    let text = logs.text();
    assert!(text.contains("sign-in callback refused"), "{text}");
    assert!(text.contains("logout everywhere failed"), "{text}");
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("2026-01-01"),
            "forged line: {line}"
        );
        assert!(
            !line.trim_start().starts_with("INFO forged"),
            "forged line: {line}"
        );
    }
}

#[tokio::test]
async fn refused_cross_site_requests_are_not_logged_above_debug() {
    let h = harness().await;
    let logs = LogCapture::start(tracing::Level::INFO);
    for _ in 0..20 {
        let req = Request::post("/api/auth/logout")
            .header(header::ORIGIN, "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert_eq!(h.send(req).await.status, StatusCode::FORBIDDEN);
    }
    let text = logs.text();
    assert!(!text.contains("refused"), "{text}");
}

fn cache_control(r: &common::Reply) -> Option<&str> {
    r.headers
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap())
}

/// A site root with one page-independent file of each kind the app serves.
fn static_site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!(
        "app-static-site-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("favicon.ico"), [0u8, 0, 1, 0]).unwrap();
    std::fs::write(root.join("pkg").join("app.js"), "export {};").unwrap();
    root
}

/// A GET as a browser navigates (the SSR redirect needs `Accept: text/html`).
fn get_with_cookie(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path).header(header::ACCEPT, "text/html,*/*;q=0.8");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn an_id_token_only_session_is_never_cached() {
    let root = static_site();
    let h = common::harness_serving(APP, &[], Some(root.to_str().unwrap())).await;
    // A static file: cacheable as such, so only the session decides.
    for cookie in ["access_token=t", "id_token=t"] {
        let r = h.send(get_with_cookie("/favicon.ico", Some(cookie))).await;
        assert_eq!(r.status, StatusCode::OK, "{cookie}");
        assert_eq!(cache_control(&r), Some("no-store, private"), "{cookie}");
    }
    let r = h.send(get_with_cookie("/favicon.ico", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(cache_control(&r), None);
}

/// Browsers replay a stored document on Back without asking the server. A
/// stored signed-out `/account` redirect, replayed after signing in again,
/// sent the sign-in chain back to sign-in until Chromium stopped it
/// (ERR_TOO_MANY_REDIRECTS); a stored signed-out page would show signed
/// out while signed in.
#[tokio::test]
async fn signed_out_pages_and_redirects_are_never_stored() {
    let root = static_site();
    let h = common::harness_serving(APP, &[], Some(root.to_str().unwrap())).await;
    for (path, status) in [
        ("/", StatusCode::OK),
        ("/account", StatusCode::FOUND),
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/api/auth/login?return_to=%2Faccount", StatusCode::FOUND),
    ] {
        let r = h.send(get_with_cookie(path, None)).await;
        assert_eq!(r.status, status, "{path}");
        let stored = cache_control(&r).is_none_or(|v| !v.contains("no-store"));
        assert!(!stored, "{path}: {:?}", cache_control(&r));
    }
    // Static files stay cacheable, the bundle even with a session.
    for (path, cookie) in [
        ("/favicon.ico", None),
        ("/pkg/app.js", None),
        ("/pkg/app.js", Some("access_token=t")),
    ] {
        let r = h.send(get_with_cookie(path, cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(cache_control(&r), None, "{path} {cookie:?}");
    }
}

#[tokio::test]
async fn server_functions_answer_client_errors_with_4xx() {
    let h = harness().await;
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "invalid UTF-8",
            "/api/auth/fn/logout",
            b"everywhere=true&return_to=\xff\xfe".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "invalid UTF-8",
            "/api/auth/fn/user",
            b"x=\xff".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "over the limit",
            "/api/auth/fn/logout",
            [
                b"return_to=".to_vec(),
                vec![b'a'; guards::SERVER_FN_BODY_LIMIT],
            ]
            .concat(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "over the limit",
            "/api/greet",
            vec![b'a'; 3 << 20],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "unreadable argument",
            "/api/auth/fn/logout",
            b"everywhere=maybe".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "missing argument",
            "/api/greet",
            b"".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (name, uri, body, expected) in cases {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, APP)
            .body(Body::from(body))
            .unwrap();
        assert_eq!(h.send(req).await.status, expected, "{name} to {uri}");
    }
    // A well-formed call still works.
    let r = h.send(form_post("/api/greet", "name=Ada", None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn on_https_cookies_carry_the_host_prefix_and_tossed_ones_are_ignored() {
    const HTTPS_APP: &str = "https://app.example";
    let h = harness_at(HTTPS_APP).await;
    // Sign-in cookies.
    let r = h.get("/api/auth/login").await;
    assert!(
        r.set_cookies[0].starts_with("__Host-code_verifier=")
            && r.set_cookies[0].contains("Secure"),
        "{:?}",
        r.set_cookies
    );
    // A sibling subdomain planted `access_token` (Domain=.app.example): it is
    // not our session, so CentralAuth is not even asked.
    let (_, token) = h.provider.create_session("ada@example.com");
    let user = |cookie: String| {
        Request::get("/api/auth/user")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    let r = h.send(user(format!("access_token={token}"))).await;
    assert_eq!(r.body, "null");
    assert_eq!(h.calls_to("userinfo"), 0);
    let r = h.send(user(format!("__Host-access_token={token}"))).await;
    assert!(r.body.contains("ada@example.com"), "{}", r.body);
    // Logout clears the prefixed cookies with the attributes that set them.
    let req = Request::post("/api/auth/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, HTTPS_APP)
        .header(header::COOKIE, format!("__Host-access_token={token}"))
        .body(Body::empty())
        .unwrap();
    let r = h.send(req).await;
    let mut names: Vec<&str> = r
        .set_cookies
        .iter()
        .map(|c| c.split('=').next().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["__Host-access_token", "__Host-code_verifier", "id_token"]
    );
    assert!(r
        .set_cookies
        .iter()
        .all(|c| c.contains("Secure") && c.contains("Path=/") && !c.contains("Domain")));
}
