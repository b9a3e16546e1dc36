//! The CentralAuth client's wire format, against a recording server: Basic
//! auth, bodies, headers, and how each error answer is classified.

use std::{collections::HashMap, time::Duration};

use crate::app::centralauth::{CentralAuthError, ClientContext, Secret};
use axum::http::Method;
use base64::{engine::general_purpose::STANDARD, Engine as _};

use crate::common;

use common::{recorder::*, APP};

#[tokio::test]
async fn basic_header_is_base64_of_raw_credentials_with_colons_and_non_ascii() {
    let rec = Recorder::start().await;
    let org = "org:with:colons";
    let secret = "sécret:ü/+= x";
    let client = client_for(
        &format!("http://{}", rec.addr),
        org,
        secret,
        Duration::from_secs(2),
    );
    client.logout(&Secret::new("tok")).await.unwrap();
    let c = rec.last();
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{org}:{secret}").as_bytes())
    );
    assert_eq!(header(&c, "authorization"), expected);
}

#[tokio::test]
async fn logout_posts_the_token_as_text_plain() {
    let rec = Recorder::start().await;
    let client = rec.client(Duration::from_secs(2), 8);
    client
        .logout(&Secret::new("the.access.token"))
        .await
        .unwrap();
    let c = rec.last();
    assert_eq!(c.method, Method::POST);
    assert_eq!(c.uri.path(), "/api/v1/logout");
    assert_eq!(header(&c, "content-type"), "text/plain");
    assert_eq!(&c.body[..], b"the.access.token");
}

#[tokio::test]
async fn verify_posts_an_urlencoded_form_and_parses_tokens() {
    let rec = Recorder::start().await;
    rec.answer(
        200,
        "application/json",
        r#"{"access_token":"at","id_token":"it","expires_in":3600,"expires_at":"2030-01-01T00:00:00Z","token_type":"Bearer"}"#,
    );
    let client = rec.client(Duration::from_secs(2), 8);
    let tokens = client
        .verify("c0de&x=1", CALLBACK, "v".repeat(64).as_str())
        .await
        .unwrap();
    assert_eq!(tokens.access_token.expose(), "at");
    assert_eq!(tokens.expires_in, Some(3600));
    let c = rec.last();
    assert_eq!(c.uri.path(), "/api/v1/verify");
    assert_eq!(
        header(&c, "content-type"),
        "application/x-www-form-urlencoded"
    );
    let form: HashMap<String, String> = url::form_urlencoded::parse(&c.body).into_owned().collect();
    assert_eq!(form["code"], "c0de&x=1");
    assert_eq!(form["redirect_uri"], CALLBACK);
    assert_eq!(form["code_verifier"], "v".repeat(64));
}

#[tokio::test]
async fn userinfo_sends_domain_user_agent_and_client_ip() {
    let rec = Recorder::start().await;
    rec.answer(
        200,
        "application/json",
        r#"{"id":"u1","email":"ada@example.com","gravatar":"https://g/x","verified":true,"blocked":false,"organizationId":"org","created":"c","updated":"u","lastLogin":null,"affirmationDate":"a"}"#,
    );
    let client = client_for(
        &format!("http://{}/base", rec.addr),
        "org",
        "s",
        Duration::from_secs(2),
    );
    let user = client
        .userinfo(
            &Secret::new("tok"),
            &ClientContext {
                user_agent: Some("Mozilla/5.0 Test".into()),
                ip: Some("203.0.113.7".parse().unwrap()),
            },
        )
        .await
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
    let c = rec.last();
    assert_eq!(c.uri.path(), "/base/api/v1/userinfo");
    let q: HashMap<String, String> = url::form_urlencoded::parse(c.uri.query().unwrap().as_bytes())
        .into_owned()
        .collect();
    assert_eq!(q["domain"], APP);
    assert_eq!(header(&c, "user-agent"), "Mozilla/5.0 Test");
    assert_eq!(header(&c, "auth-ip"), "203.0.113.7");
    assert_eq!(header(&c, "content-type"), "text/plain");
    assert_eq!(&c.body[..], b"tok");
}

#[tokio::test]
async fn each_error_answer_maps_to_its_class() {
    let rec = Recorder::start().await;
    // Values that cannot turn up in a message by chance.
    const TOKEN: &str = "tok-7d1f0c9e-never-shown";
    const SECRET: &str = "secret-5b2a-never-shown";
    let client = client_capped(&rec.base(), "org", SECRET, Duration::from_secs(2), 8);
    let token = Secret::new(TOKEN);
    // Every error of a call that carried the token and the secret.
    let mut carried = Vec::new();

    rec.answer(
        400,
        "application/json",
        r#"{"errorCode":"sessionExpired","message":"expired"}"#,
    );
    let e = client.logout(&token).await.unwrap_err();
    assert!(
        matches!(&e, CentralAuthError::Api { status, code, .. } if *status == 400 && code == "sessionExpired"),
        "{e:?}"
    );
    assert!(e.session_gone());
    carried.push(e);

    rec.answer(
        429,
        "application/json",
        r#"{"errorCode":"tooManyRequests","message":"slow down"}"#,
    );
    let e = client.logout(&token).await.unwrap_err();
    assert_eq!(e.error_code(), "tooManyRequests");
    assert!(!e.session_gone());
    carried.push(e);

    rec.answer(500, "text/html", "<h1>oops</h1>");
    let e = client.logout(&token).await.unwrap_err();
    assert!(
        matches!(&e, CentralAuthError::Api { status, .. } if *status == 500),
        "{e:?}"
    );
    assert!(!e.session_gone());
    carried.push(e);

    rec.answer(200, "application/json", "not json");
    let e = client.verify("c", CALLBACK, "v").await.unwrap_err();
    assert!(matches!(e, CentralAuthError::Decode { .. }), "{e:?}");

    carried.push(e);
    let user = client
        .userinfo(&token, &ClientContext::default())
        .await
        .unwrap_err();
    carried.push(user);
    // The requests really carried them (else the check below proves nothing).
    let last = rec.last();
    assert_eq!(&last.body[..], TOKEN.as_bytes());
    assert!(header(&last, "authorization").starts_with("Basic "));

    // Nothing of the token or the secret leaks into any of these messages.
    for e in &carried {
        for msg in [e.to_string(), format!("{e:?}")] {
            assert!(
                !msg.contains(TOKEN) && !msg.contains(SECRET) && !msg.contains("Basic"),
                "{msg}"
            );
        }
    }
}
