//! Affirmation through the real router and the development provider: the
//! route, the provider asking even with a live session, the callback
//! accepting only the same user, and the session details that need it
//! (in the session's answer to the app's own page, only when fresh).

use std::time::Duration;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

use crate::common::{self, signin::Visitor, Harness, APP};

/// The session's answer to the app's own page (`get_user`): its
/// `session_details`, `null` while hidden.
async fn session_details(h: &Harness, v: &Visitor) -> serde_json::Value {
    let req = Request::post("/api/auth/fn/user")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, APP)
        .header(
            header::COOKIE,
            format!("access_token={}", v.app["access_token"]),
        )
        .body(Body::empty())
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let user: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    user["session_details"].clone()
}

/// A session older than the demonstration's five minutes.
async fn stale_session(h: &Harness, v: &mut Visitor) {
    v.sign_in(h, "ada@example.com").await;
    h.provider.age_sessions(Duration::from_secs(600));
}

#[tokio::test]
async fn affirming_as_the_same_user_refreshes_the_session_and_shows_the_details() {
    let h = common::harness().await;
    let mut v = Visitor::new();
    stale_session(&h, &mut v).await;
    assert_eq!(session_details(&h, &v).await, serde_json::Value::Null);
    let before = v.app["access_token"].clone();

    let to_provider = v.get(&h, "/api/auth/affirm?return_to=%2Faccount").await;
    let login = to_provider.location.clone().unwrap();
    assert!(login.contains("affirm=1"), "{login}");
    assert!(login.contains("email=ada%40example.com"), "{login}");
    assert!(v.app.contains_key("affirm_pending"));
    // The provider knows this browser, and asks all the same.
    let (back, form_shown) = v
        .through_provider(&h, &to_provider, "ada@example.com")
        .await;
    assert!(form_shown, "an affirmation must ask");
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(back.location.as_deref(), Some("/account"));
    assert_ne!(v.app["access_token"], before, "a new token");
    assert!(
        !v.app.contains_key("affirm_pending"),
        "the pending cookie goes"
    );

    let details = session_details(&h, &v).await;
    assert!(details["affirmed_at"].is_string(), "{details}");
    assert_eq!(details["verified"], true, "{details}");
    // Only this app's page gets them, not the NPM-style JSON route.
    let plain = v.get(&h, "/api/auth/user").await.body;
    assert!(
        plain.contains("ada@example.com") && !plain.contains("session_details"),
        "{plain}"
    );
}

#[tokio::test]
async fn an_affirmation_that_comes_back_as_another_user_changes_nothing() {
    let h = common::harness().await;
    let mut v = Visitor::new();
    stale_session(&h, &mut v).await;
    let before = v.app["access_token"].clone();

    let to_provider = v.get(&h, "/api/auth/affirm?return_to=%2Faccount").await;
    let (back, _) = v
        .through_provider(&h, &to_provider, "eve@example.com")
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let location = back.location.clone().unwrap();
    assert!(
        location.starts_with("/auth/error?reason=affirmed_another_user"),
        "{location}"
    );
    // Still signed in as before, with the same token, and not affirmed.
    assert_eq!(v.app["access_token"], before);
    assert!(!v.app.contains_key("affirm_pending"));
    assert_eq!(session_details(&h, &v).await, serde_json::Value::Null);
    let r = v.get(&h, "/api/auth/user").await;
    assert!(r.body.contains("ada@example.com"), "{}", r.body);
}

#[tokio::test]
async fn without_the_signed_pending_cookie_a_callback_is_a_plain_sign_in() {
    // `affirm=1` in a URL proves nothing: a sign-in started as an
    // affirmation whose cookie is gone (or was never ours) cannot claim one.
    let h = common::harness().await;
    let mut v = Visitor::new();
    stale_session(&h, &mut v).await;
    let to_provider = v.get(&h, "/api/auth/affirm?return_to=%2Faccount").await;
    v.app
        .insert("affirm_pending".into(), "v1.forged.forged.1.sig".into());
    let (back, _) = v
        .through_provider(&h, &to_provider, "eve@example.com")
        .await;
    // Not checked as an affirmation, so eve simply signed in.
    assert_eq!(back.location.as_deref(), Some("/account"), "{}", back.body);
    let r = v.get(&h, "/api/auth/user").await;
    assert!(r.body.contains("eve@example.com"), "{}", r.body);
}

#[tokio::test]
async fn signed_out_the_affirm_route_is_a_sign_in_and_the_details_say_so() {
    let h = common::harness().await;
    let mut v = Visitor::new();
    let r = v.get(&h, "/api/auth/affirm?return_to=%2Faccount").await;
    let login = r.location.clone().unwrap();
    assert!(!login.contains("affirm=1"), "{login}");
    assert!(!v.app.contains_key("affirm_pending"));
    v.app.insert("access_token".into(), "not-a-token".into());
    assert_eq!(session_details(&h, &v).await, serde_json::Value::Null);
}
