//! CentralAuth's text on our pages and in our logs: only what this server
//! vouched for, bounded, and never able to forge a log line.

use super::*;

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
