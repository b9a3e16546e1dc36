//! Made-up session cookies: no provider call, no log line; no http avatar on https.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

use crate::common::{harness, harness_at, LogCapture, APP};

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
