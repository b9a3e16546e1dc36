//! What is stored and what is refused: no page or redirect that depends on
//! the session is cached, server functions answer a client's mistakes with
//! 4xx, and on https only `__Host-` cookies count.

use super::*;

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
