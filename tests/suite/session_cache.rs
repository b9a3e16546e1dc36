//! `AUTH_SESSION_CACHE_SECONDS`: off by default (every check asks
//! CentralAuth); when set, an answer is reused for that long for the same
//! token, address and agent, and forgotten on a logout here or a "session
//! gone" answer.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

use crate::common;

use crate::app::{
    config::ProviderMode,
    dev_centralauth::{DEV_ORGANIZATION_ID, DEV_SECRET},
};
use common::{harness_with, Harness, APP};

fn check(token: &str, agent: &str) -> Request<Body> {
    Request::get("/api/auth/user")
        .header(header::COOKIE, format!("access_token={token}"))
        .header(header::USER_AGENT, agent)
        .body(Body::empty())
        .unwrap()
}

/// The signed-in e-mail the app reports, or None.
async fn email(h: &Harness, token: &str, agent: &str) -> Option<String> {
    let r = h.send(check(token, agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["email"].as_str().map(str::to_string)
}

fn userinfo_calls(h: &Harness) -> usize {
    h.calls_to("userinfo")
}

/// Ends the session at CentralAuth, as "log out everywhere" in another app does.
async fn end_at_centralauth(h: &Harness, token: &str) {
    let ProviderMode::Remote { base_url, .. } = &h.config.provider else {
        panic!("the harness talks to a provider over HTTP");
    };
    let res = reqwest::Client::new()
        .post(base_url.join("api/v1/logout").unwrap())
        .basic_auth(DEV_ORGANIZATION_ID, Some(DEV_SECRET))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(token.to_string())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

#[tokio::test]
async fn without_the_setting_every_check_asks_centralauth() {
    let h = harness_with(APP, &[]).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    for _ in 0..3 {
        assert_eq!(
            email(&h, &token, "ua").await.as_deref(),
            Some("ada@example.com")
        );
    }
    assert_eq!(userinfo_calls(&h), 3);
}

#[tokio::test]
async fn with_the_setting_an_answer_is_reused_for_the_same_token_address_and_agent_only() {
    let h = harness_with(APP, &[("AUTH_SESSION_CACHE_SECONDS", "60")]).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    for _ in 0..3 {
        assert_eq!(
            email(&h, &token, "ua").await.as_deref(),
            Some("ada@example.com")
        );
    }
    assert_eq!(userinfo_calls(&h), 1);
    // Another agent (as a replayed cookie would have) is asked about.
    assert_eq!(
        email(&h, &token, "other agent").await.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(userinfo_calls(&h), 2);
    // Another session is its own.
    let (_, other) = h.provider.create_session("bob@example.com");
    assert_eq!(
        email(&h, &other, "ua").await.as_deref(),
        Some("bob@example.com")
    );
    assert_eq!(userinfo_calls(&h), 3);
}

#[tokio::test]
async fn an_answer_expires_after_the_setting() {
    let h = harness_with(APP, &[("AUTH_SESSION_CACHE_SECONDS", "1")]).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    email(&h, &token, "ua").await;
    email(&h, &token, "ua").await;
    assert_eq!(userinfo_calls(&h), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    email(&h, &token, "ua").await;
    assert_eq!(userinfo_calls(&h), 2);
}

#[tokio::test]
async fn a_logout_here_forgets_the_answer() {
    let h = harness_with(APP, &[("AUTH_SESSION_CACHE_SECONDS", "60")]).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    email(&h, &token, "ua").await;
    let logout = Request::post("/api/auth/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("access_token={token}"))
        .body(Body::from("return_to=/"))
        .unwrap();
    assert_eq!(h.send(logout).await.status, StatusCode::SEE_OTHER);
    // The cookie replayed after the logout is asked about again (this app
    // only: CentralAuth still knows the session, so it answers).
    email(&h, &token, "ua").await;
    assert_eq!(userinfo_calls(&h), 2);
}

#[tokio::test]
async fn a_session_gone_answer_forgets_the_token_for_every_agent() {
    let h = harness_with(APP, &[("AUTH_SESSION_CACHE_SECONDS", "60")]).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    assert!(email(&h, &token, "first").await.is_some());
    end_at_centralauth(&h, &token).await;
    // The documented trade-off: within the TTL this agent's answer stands.
    assert_eq!(
        email(&h, &token, "first").await.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(userinfo_calls(&h), 1);
    // Another agent is asked about, hears "gone", and that ends it for all.
    assert_eq!(email(&h, &token, "second").await, None);
    assert_eq!(email(&h, &token, "first").await, None);
    assert_eq!(userinfo_calls(&h), 3);
}
