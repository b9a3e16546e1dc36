//! CentralAuth's words on the sign-in error page: only in the browser that
//! started the sign-in, and only shortly after.

use axum::{
    body::Body,
    http::{header, Request},
};

use crate::{
    app::{dev_centralauth::DEV_SECRET, rules::state},
    common::{self, harness},
};

fn with_cookie(path: &str, cookie: &str) -> Request<Body> {
    let mut req = Request::get(path);
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    req.body(Body::empty()).unwrap()
}

/// The review's attack: anyone gets a valid `state` from the login route
/// and builds an error callback with their own words. Those words appear
/// only in the browser that started the sign-in, and only shortly after.
#[tokio::test]
async fn provider_words_on_the_error_page_only_in_the_browser_that_signed_in_and_only_shortly_after(
) {
    let h = harness().await;
    let said = "Your account is locked. Call +1-555-0100";
    let words =
        |r: &common::Reply| r.body.contains("CentralAuth said") && r.body.contains("555-0100");
    // Browser A starts a sign-in: a verifier cookie and a state.
    let login = h.get("/api/auth/login").await;
    let verifier_a = login
        .set_cookies
        .iter()
        .find_map(|c| c.strip_prefix("code_verifier="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap();
    let login_url = url::Url::parse(login.location.as_deref().unwrap()).unwrap();
    let state_a = login_url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let callback = format!(
        "/api/auth/callback?error=accessDenied&error_description={}&state={state_a}",
        url::form_urlencoded::byte_serialize(said.as_bytes()).collect::<String>()
    );
    let cookie_a = format!("code_verifier={verifier_a}");

    // CentralAuth's error reaches browser A: A sees the words.
    let r = h.send(with_cookie(&callback, &cookie_a)).await;
    let link = r.location.unwrap();
    assert!(link.contains("sig="), "{link}");
    let page = h.send(with_cookie(&link, &cookie_a)).await;
    assert!(words(&page), "{}", page.body);

    // The same link in browser B (its own sign-in under way) or in a
    // browser with no sign-in: the fixed message only.
    let other = h.get("/api/auth/login").await;
    let cookie_b = other
        .set_cookies
        .iter()
        .find(|c| c.starts_with("code_verifier="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap();
    for cookie in [cookie_b.as_str(), ""] {
        let page = h.send(with_cookie(&link, cookie)).await;
        assert!(!words(&page), "{cookie}: {}", page.body);
        assert!(page.body.contains("CentralAuth could not sign you in."));
    }
    // The attack itself: the callback brought by browser B (or none) with A's state.
    for cookie in [cookie_b.as_str(), ""] {
        let r = h.send(with_cookie(&callback, cookie)).await;
        let link = r.location.unwrap();
        assert!(
            !link.contains("detail=") && !link.contains("sig="),
            "{link}"
        );
        let page = h.send(with_cookie(&link, cookie)).await;
        assert!(!words(&page), "{}", page.body);
    }

    // An expired link, signed correctly for browser A: not shown.
    let key = state::StateKey::derive(DEV_SECRET);
    let old = state::now_unix() - state::ERROR_DETAIL_TTL_SECS - 1;
    let detail = state::ErrorDetail {
        code: "accessDenied",
        detail: said,
        at: old,
    };
    let sig = state::sign_error_detail(&key, detail, &verifier_a);
    let expired = format!(
        "/auth/error?reason=provider&code=accessDenied&detail={}&at={old}&sig={sig}",
        url::form_urlencoded::byte_serialize(said.as_bytes()).collect::<String>()
    );
    let page = h.send(with_cookie(&expired, &cookie_a)).await;
    assert!(!words(&page), "{}", page.body);
    // ...while the same link with a fresh time would be (the control).
    let fresh_at = state::now_unix();
    let sig = state::sign_error_detail(
        &key,
        state::ErrorDetail {
            at: fresh_at,
            ..detail
        },
        &verifier_a,
    );
    let fresh = expired
        .replace(&format!("at={old}"), &format!("at={fresh_at}"))
        .split("&sig=")
        .next()
        .unwrap()
        .to_string()
        + &format!("&sig={sig}");
    let page = h.send(with_cookie(&fresh, &cookie_a)).await;
    assert!(words(&page), "{}", page.body);
}
