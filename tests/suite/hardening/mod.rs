//! Findings of the adversarial review, each as the attack that worked,
//! through the real router: open redirects, attacker text, log forging,
//! caching, client errors on server functions, cookie tossing. Here the
//! redirects; CentralAuth's text in `provider_text.rs`; what is stored and
//! what is refused in `caching.rs`.

mod caching;
mod provider_text;

use std::collections::HashMap;

use crate::app::{
    auth::login::server as signin, dev_centralauth::DEV_SECRET, guards, rules::state,
};
use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

use crate::common;

use common::{harness, harness_at, LogCapture, APP};

/// Return URLs that normalise to another host (`//evil.example`).
const DOT_SEGMENT_ATTACKS: &[&str] = &[
    "/.//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2E%2e//evil.example/x",
    "/a/..//evil.example",
];

pub(super) fn form_post(uri: &str, body: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, APP);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("access_token={t}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

pub(super) fn browser_form_post(uri: &str, body: &str, token: Option<&str>) -> Request<Body> {
    let mut req = form_post(uri, body, token);
    req.headers_mut().insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    req
}

pub(super) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(super) fn query(location: &str) -> HashMap<String, String> {
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

/// A GET as a browser navigates (the SSR redirect needs `Accept: text/html`).
pub(super) fn get_with_cookie(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path).header(header::ACCEPT, "text/html,*/*;q=0.8");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::empty()).unwrap()
}
