//! The auth routes through the real router, against a development provider
//! on loopback: logout outcomes, cookies, CSRF, login and callback rules.

use std::{collections::HashMap, time::Duration};

use crate::app::{
    dev_centralauth::{DEV_ORGANIZATION_ID, DEV_SECRET},
    rules::state,
};
use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
};

use crate::common;

use common::{harness, APP};

fn post_logout(form: &str, token: Option<&str>, origin: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/auth/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("access_token={t}; code_verifier=v"));
    }
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    req.body(Body::from(form.to_string())).unwrap()
}

/// A same-origin form post with a session, to `path`, accepting `accept`.
fn signed_in_post(path: &str, token: &str, accept: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, accept)
        .header(header::ORIGIN, APP)
        .header(header::COOKIE, format!("access_token={token}"))
        .body(Body::from(form.to_string()))
        .unwrap()
}

fn cookie_names(set_cookies: &[String]) -> Vec<String> {
    let mut names: Vec<String> = set_cookies
        .iter()
        .map(|c| c.split('=').next().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn local_logout_clears_every_auth_cookie_without_calling_centralauth() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let r = h
        .send(post_logout("return_to=%2Faccount", Some(&token), Some(APP)))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/account"));
    // Separate headers, all kept.
    assert_eq!(
        cookie_names(&r.set_cookies),
        ["access_token", "code_verifier", "id_token"]
    );
    assert!(r
        .set_cookies
        .iter()
        .all(|c| c.contains("Max-Age=0") && c.contains("Path=/") && c.contains("HttpOnly")));
    assert_eq!(h.logout_calls(), 0);
}

#[tokio::test]
async fn logout_everywhere_maps_each_centralauth_outcome() {
    // (name, fault status, its error code, delay, expect success)
    type Case = (&'static str, Option<u16>, Option<&'static str>, u64, bool);
    let cases: &[Case] = &[
        ("ok", None, None, 0, true),
        ("server error", Some(500), None, 0, false),
        ("bad gateway", Some(502), None, 0, false),
        ("rate limited", Some(429), None, 0, false),
        ("timeout", None, None, 2_000, false),
        // The status decides first: a failure that names a session-gone
        // code is still a failure, and the session at CentralAuth lives on.
        (
            "503 saying sessionMissing",
            Some(503),
            Some("sessionMissing"),
            0,
            false,
        ),
        (
            "500 saying tokenInvalid",
            Some(500),
            Some("tokenInvalid"),
            0,
            false,
        ),
        (
            "429 saying sessionExpired",
            Some(429),
            Some("sessionExpired"),
            0,
            false,
        ),
        (
            "401 saying sessionMissing",
            Some(401),
            Some("sessionMissing"),
            0,
            true,
        ),
    ];
    for (name, status, code, delay, succeeds) in cases {
        let h = harness().await;
        let (_, token) = h.provider.create_session("ada@example.com");
        if status.is_some() || *delay > 0 {
            h.fault_with_code(*status, *code, *delay);
        }
        let started = std::time::Instant::now();
        let r = h
            .send(post_logout("everywhere=true", Some(&token), None))
            .await;
        assert!(
            started.elapsed() < Duration::from_millis(1_500),
            "{name}: took {:?}",
            started.elapsed()
        );
        if *succeeds {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}");
            assert_eq!(cookie_names(&r.set_cookies).len(), 3, "{name}");
        } else {
            // Not pretending: the session is kept and the caller hears why.
            assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{name}");
            assert!(r.set_cookies.is_empty(), "{name}: {:?}", r.set_cookies);
            let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(json["error"], "logoutEverywhereFailed", "{name}");
            assert!(!r.body.contains(&token), "{name}: token in body");
        }
    }
}

#[tokio::test]
async fn logout_everywhere_of_an_already_ended_session_succeeds() {
    let h = harness().await;
    let r = h
        // Well-formed (a compact JWE), so it is asked about; unknown to CentralAuth.
        .send(post_logout(
            "everywhere=on",
            Some("eyJh..aXY.dW5rbm93bg.dGFn"),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(cookie_names(&r.set_cookies).len(), 3);
    assert_eq!(h.logout_calls(), 1);
}

#[tokio::test]
async fn failed_logout_everywhere_sends_browsers_to_the_page_with_both_ways_on() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    h.fault(Some(500), 0);
    let mut req = post_logout(
        "everywhere=true&return_to=%2Faccount",
        Some(&token),
        Some(APP),
    );
    req.headers_mut()
        .insert(header::ACCEPT, "text/html".parse().unwrap());
    let r = h.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location.as_deref(),
        Some("/logout?failed=everywhere&return_to=%2Faccount")
    );
    assert!(r.set_cookies.is_empty());
}

#[tokio::test]
async fn logout_without_a_session_is_idempotent() {
    let h = harness().await;
    for _ in 0..2 {
        let r = h
            .send(post_logout("everywhere=true", None, Some(APP)))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location.as_deref(), Some("/"));
    }
    assert_eq!(h.logout_calls(), 0);
}

#[tokio::test]
async fn get_logout_changes_nothing() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let req = Request::get("/api/auth/logout?return_to=%2Faccount")
        .header(header::COOKIE, format!("access_token={token}"))
        .body(Body::empty())
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/logout?return_to=%2Faccount"));
    assert!(r.set_cookies.is_empty());
    assert_eq!(h.logout_calls(), 0);
}

#[tokio::test]
async fn cross_site_posts_are_refused_on_every_logout_endpoint() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    for uri in ["/api/auth/logout", "/api/auth/fn/logout"] {
        for (origin, site) in [
            (Some("https://evil.example"), Some("cross-site")),
            (Some("null"), None),
            (None, Some("cross-site")),
            (Some("http://localhost:3002"), Some("same-site")),
        ] {
            let mut req = Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("access_token={token}"));
            if let Some(o) = origin {
                req = req.header(header::ORIGIN, o);
            }
            if let Some(s) = site {
                req = req.header("sec-fetch-site", s);
            }
            let r = h
                .send(req.body(Body::from("everywhere=true")).unwrap())
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} {origin:?} {site:?}");
            assert!(r.body.contains("Request refused"));
            assert!(r.set_cookies.is_empty());
        }
    }
    assert_eq!(h.logout_calls(), 0);
    // The same post from our own origin goes through.
    let r = h.send(post_logout("", Some(&token), Some(APP))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_server_function_answers_a_plain_form_post_with_a_303() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let r = h
        .send(signed_in_post(
            "/api/auth/fn/logout",
            &token,
            "text/html,application/xhtml+xml",
            "everywhere=true&return_to=https%3A%2F%2Fevil.example",
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The hostile return URL is refused; the landing page is told what
    // happened by a short-lived cookie, not by its URL.
    assert_eq!(r.location.as_deref(), Some("/"));
    assert_eq!(
        cookie_names(&r.set_cookies),
        ["access_token", "code_verifier", "id_token", "logged_out"]
    );
    assert!(r
        .set_cookies
        .iter()
        .any(|c| c.starts_with("logged_out=everywhere;")
            && c.contains("Max-Age=60")
            && c.contains("HttpOnly")));
    assert_eq!(h.logout_calls(), 1);
}

#[tokio::test]
async fn the_server_function_answers_the_wasm_client_with_data() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let r = h
        .send(signed_in_post(
            "/api/auth/fn/logout",
            &token,
            "application/json",
            "everywhere=true&return_to=%2Faccount",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(h.logout_calls(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap(),
        serde_json::json!({"redirect_to": "/account", "everywhere": true})
    );
    assert_eq!(
        cookie_names(&r.set_cookies),
        ["access_token", "code_verifier", "id_token"]
    );
}

/// One name per action: the server function's earlier paths are not kept.
#[tokio::test]
async fn the_earlier_logout_paths_end_nothing() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    for path in ["/api/auth/signout", "/api/auth/log_out"] {
        let r = h
            .send(signed_in_post(path, &token, "*/*", "everywhere=true"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.set_cookies.is_empty(), "{path}");
    }
    assert_eq!(h.logout_calls(), 0);
}

#[tokio::test]
async fn login_redirects_with_pkce_signed_state_and_a_validated_return_url() {
    let h = harness().await;
    let r = h.get("/api/auth/login?return_to=%2F%2Fevil.example").await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = url::Url::parse(r.location.as_deref().unwrap()).unwrap();
    let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(location.path(), "/login");
    assert_eq!(q["client_id"], DEV_ORGANIZATION_ID);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["redirect_uri"],
        format!("{APP}/api/auth/callback?return_to=%2F")
    );
    assert!(q["state"].starts_with("v1."));
    let verifier_cookie = &r.set_cookies[0];
    assert!(verifier_cookie.starts_with("code_verifier="));
    assert!(
        verifier_cookie.contains("Max-Age=3600")
            && verifier_cookie.contains("HttpOnly")
            && verifier_cookie.contains("SameSite=Lax")
    );
    let verifier = verifier_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("code_verifier=");
    assert!(verifier.len() >= 43);
    assert_eq!(
        q["code_challenge"],
        crate::app::centralauth::challenge_s256(verifier)
    );
}

#[tokio::test]
async fn callback_refuses_a_bad_state_and_shows_provider_errors() {
    let h = harness().await;
    let r = h
        .get("/api/auth/callback?code=x&state=v1.forged.1.sig&return_to=%2Faccount")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location.as_deref(),
        Some("/auth/error?reason=state_invalid&return_to=%2Faccount")
    );
    assert!(r.set_cookies.is_empty());

    // CentralAuth's words, on a callback carrying a state we issued to
    // this browser (its PKCE verifier cookie).
    let key = state::StateKey::derive(DEV_SECRET);
    let issued = state::sign(&key, state::now_unix(), "verifier-a");
    let r = h
        .send(with_cookie(
            &format!(
                "/api/auth/callback?error=sessionInvalid&error_description=Nope&state={issued}"
            ),
            "code_verifier=verifier-a",
        ))
        .await;
    let location = url::Url::parse(&format!("{APP}{}", r.location.unwrap())).unwrap();
    assert_eq!(location.path(), "/auth/error");
    let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(q["reason"], "provider");
    assert_eq!(q["code"], "sessionInvalid");
    assert_eq!(q["detail"], "Nope");
    assert_eq!(q["return_to"], "/");
    // Signed for this browser, so the page can tell CentralAuth's words
    // from a crafted or forwarded link's.
    let detail = state::ErrorDetail {
        code: "sessionInvalid",
        detail: "Nope",
        at: q["at"].parse().unwrap(),
    };
    assert!(state::error_detail_is_authentic(
        &key,
        detail,
        "verifier-a",
        &q["sig"],
        state::now_unix()
    ));
}

fn with_cookie(path: &str, cookie: &str) -> Request<Body> {
    let mut req = Request::get(path);
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    req.body(Body::empty()).unwrap()
}
