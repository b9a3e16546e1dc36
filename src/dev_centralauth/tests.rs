//! The provider handle: tokens, the browser cookie, the secret.

use super::*;
use tokens::BrowserCookie;

fn provider() -> DevProvider {
    DevProvider::new(DevProviderConfig::local(
        "http://127.0.0.1:3000/dev-centralauth",
        vec!["http://127.0.0.1:3000".into()],
    ))
}

#[test]
fn cookie_path_follows_the_mount() {
    let mut c = DevProviderConfig::local("http://127.0.0.1:3000/dev-centralauth", vec![]);
    assert_eq!(c.cookie_path(), "/dev-centralauth");
    assert_eq!(c.origin(), "http://127.0.0.1:3000");
    c.public_base = "http://127.0.0.1:3100".into();
    assert_eq!(c.cookie_path(), "/");
}

#[test]
fn tokens_round_trip_and_name_their_session() {
    let p = provider();
    let session = p.change(|s, now| s.create_session("ada@example.com", now));
    let tokens = p.issue_tokens(&session);
    let access = p.claims(&tokens.access_token).unwrap();
    assert_eq!(access.session_id, session.id);
    assert!(access.user.is_none());
    assert!(access.exp > access.iat);
    let id = p.claims(&tokens.id_token).unwrap();
    assert_eq!(id.user.unwrap()["email"], "ada@example.com");
    assert_eq!(p.session_for_token(&tokens.access_token).unwrap(), session);
}

#[test]
fn ending_a_session_ends_every_token_of_it() {
    let p = provider();
    let session = p.change(|s, now| s.create_session("ada@example.com", now));
    let (first, second) = (p.issue_tokens(&session), p.issue_tokens(&session));
    p.change(|s, _| s.end_session(&session.id));
    for t in [&first.access_token, &first.id_token, &second.access_token] {
        assert_eq!(p.session_for_token(t), Err("sessionInactive"));
    }
    assert_eq!(p.session_for_token("dev_at_opaque"), Err("tokenInvalid"));
}

#[test]
fn only_the_development_secret_is_accepted() {
    let p = provider();
    let basic = |secret: &str| {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            basic_auth_value(DEV_ORGANIZATION_ID, secret)
                .parse()
                .unwrap(),
        );
        p.authenticated(&h)
    };
    assert!(basic(DEV_SECRET));
    for other in [
        "dev-secret-not-for-production",
        "dev-secret-not-for-production-v3",
        "",
    ] {
        assert!(!basic(other), "{other:?}");
    }
    assert!(!p.authenticated(&HeaderMap::new()));
}

#[test]
fn tokens_never_outlive_their_session() {
    let p = provider();
    let mut session = p.change(|s, now| s.create_session("ada@example.com", now));
    session.expires = now_ms() + 60_000;
    let tokens = p.issue_tokens(&session);
    assert!(tokens.expires_in <= 60, "{}", tokens.expires_in);
}

#[test]
fn the_browser_cookie_needs_the_providers_mac() {
    let p = provider();
    let session = p.change(|s, now| s.create_session("ada@example.com", now));
    let with = |value: &str| {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            format!("{SESSION_COOKIE}={value}").parse().unwrap(),
        );
        p.browser_cookie(&h)
    };
    assert_eq!(
        with(&p.cookie_value(&session.id)),
        BrowserCookie::Live(session.clone())
    );
    // The bare id, as a token reveals it, or another provider's MAC: no.
    assert_eq!(with(&session.id), BrowserCookie::Stale);
    assert_eq!(
        with(&provider().cookie_value(&session.id)),
        BrowserCookie::Stale
    );
    assert_eq!(p.browser_cookie(&HeaderMap::new()), BrowserCookie::Absent);
}
