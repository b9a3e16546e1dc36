//! The development CentralAuth as real processes: sessions survive a killed
//! server (what `cargo leptos watch` does on every save), a session ended
//! everywhere stays ended, the standalone provider refuses cross-site
//! sign-ins, its call log cannot be replayed, and its cookie goes once
//! its session has ended.

use crate::app::dev_centralauth::fingerprint;
use reqwest::{header, redirect::Policy, StatusCode};

use crate::common;

use common::processes::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_sessions_survive_a_killed_server_and_ended_ones_stay_ended() {
    let port = free_port();
    let state = temp_state("app");
    let mut server = app(port, &state);
    let base = server.base.clone();
    let mut b = Browser::new();

    assert!(
        app_sign_in(&mut b, &base).await,
        "first sign-in shows the form"
    );
    assert_eq!(
        app_user(&mut b, &base).await.as_deref(),
        Some("ada@example.com")
    );
    tokio::time::sleep(SAVED).await;
    server.restart();

    assert_eq!(
        app_user(&mut b, &base).await.as_deref(),
        Some("ada@example.com"),
        "signed out by a restart"
    );
    // The provider's own session came back too: no form, straight through.
    assert!(
        !app_sign_in(&mut b, &base).await,
        "provider forgot the browser"
    );
    // Saved as signed in, so what follows must save the logout itself.
    tokio::time::sleep(SAVED).await;

    let token = b.jar["access_token"].clone();
    let res = b
        .send(
            b.http
                .post(format!("{base}/api/auth/logout"))
                .form(&[("everywhere", "true"), ("return_to", "/")]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!b.jar.contains_key("access_token"));
    tokio::time::sleep(SAVED).await;
    server.restart();

    // The old token, replayed after the restart, names an ended session.
    b.jar.insert("access_token".into(), token);
    assert_eq!(
        app_user(&mut b, &base).await,
        None,
        "ended session came back"
    );
    assert!(
        app_sign_in(&mut b, &base).await,
        "provider autologin after logout everywhere"
    );
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_sessions_survive_a_killed_server_and_ended_ones_stay_ended() {
    let port = free_port();
    let state = temp_state("standalone");
    let mut server = standalone(port, &state, &[]);
    let api = Api::new(&server.base);
    let mut b = Browser::new();

    let (token, form_shown) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    assert!(form_shown);
    assert_eq!(api.userinfo(&token).await.unwrap(), "ada@example.com");
    tokio::time::sleep(SAVED).await;
    server.restart();

    assert_eq!(
        api.userinfo(&token).await.as_deref(),
        Ok("ada@example.com"),
        "token lost in a restart"
    );
    let (second, form_shown) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    assert!(!form_shown, "browser session lost in a restart");
    tokio::time::sleep(SAVED).await;

    assert_eq!(api.logout(&second).await, 200);
    tokio::time::sleep(SAVED).await;
    server.restart();

    for t in [&token, &second] {
        assert_eq!(api.userinfo(t).await, Err("sessionInactive".into()));
    }
    assert!(provider_sign_in(&mut b, &api, "ada@example.com").await.1);
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_provider_refuses_a_cross_site_sign_in_form() {
    let port = free_port();
    let state = temp_state("csrf");
    let server = standalone(port, &state, &[("DEV_CENTRALAUTH_STATE", "off")]);
    let login = authorize_url(&server.base, &"v".repeat(43));
    let url = url::Url::parse(&login).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("email".into(), "attacker@evil.example".into()));
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let post = |headers: &[(&str, &str)]| {
        let mut req = http.post(format!("{}/login", server.base)).form(&form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    for headers in [
        &[("origin", "http://evil.example")][..],
        &[("origin", "null")][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[
            ("origin", server.base.as_str()),
            ("sec-fetch-site", "same-site"),
        ][..],
    ] {
        let res = post(headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(
            res.headers().get(header::SET_COOKIE).is_none(),
            "{headers:?}"
        );
    }
    // The provider's own page posting to itself still signs in.
    let res = post(&[
        ("origin", server.base.as_str()),
        ("sec-fetch-site", "same-origin"),
    ])
    .await
    .unwrap();
    assert!(res.status().is_redirection());
    assert!(res.headers().get(header::SET_COOKIE).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_log_names_sessions_by_a_fingerprint_that_cannot_be_replayed() {
    let port = free_port();
    let state = temp_state("calls");
    let server = standalone(
        port,
        &state,
        &[
            ("DEV_CENTRALAUTH_STATE", "off"),
            ("DEV_CENTRALAUTH_TEST_HOOKS", "1"),
        ],
    );
    let api = Api::new(&server.base);
    let mut b = Browser::new();
    let (token, _) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    api.userinfo(&token).await.unwrap();
    let cookie = b.jar["dev_centralauth_session"].clone();
    let session_id = cookie.rsplit_once('.').unwrap().0.to_string();

    let calls: serde_json::Value = reqwest::get(format!("{}/_test/calls", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logged: Vec<&str> = calls
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["session_id"].as_str())
        .collect();
    assert_eq!(
        logged.len(),
        2,
        "verify and userinfo name the session: {calls}"
    );
    assert!(logged.iter().all(|s| *s == fingerprint(&session_id)));
    assert!(
        !calls.to_string().contains(&session_id),
        "raw session id in the log"
    );
    assert!(!calls.to_string().contains(&token), "raw token in the log");

    // Neither the logged value nor the bare id works as the provider cookie.
    for replay in [logged[0].to_string(), session_id] {
        let mut thief = Browser::new();
        thief.jar.insert("dev_centralauth_session".into(), replay);
        let (_, form_shown) = thief
            .through_provider(&authorize_url(&server.base, "x"), "thief@evil.example")
            .await;
        assert!(form_shown, "a logged value signed the thief in");
    }
}

#[test]
fn the_server_refuses_to_start_the_dev_provider_on_a_public_origin() {
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(crate::app::BIN);
        // Not the checkout: a developer's .env there must not change the test.
        cmd.current_dir(std::env::temp_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "off");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    for vars in [
        &[("APP_ORIGIN", "https://app.example")][..],
        &[("APP_ORIGIN", "https://app.example"), ("AUTH_SECRET", "")][..],
    ] {
        let out = run(vars);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{vars:?}: {stderr}");
        assert!(stderr.contains("AUTH_SECRET"), "{vars:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_drops_its_cookie_on_the_first_visit_after_its_session_ended() {
    let port = free_port();
    let state = temp_state("stale-cookie");
    let server = standalone(port, &state, &[("DEV_CENTRALAUTH_STATE", "off")]);
    let api = Api::new(&server.base);
    let mut b = Browser::new();
    let (token, form_shown) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    assert!(form_shown);

    // While the session lives, a visit keeps the cookie (autologin).
    let (_, form_shown) = b
        .through_provider(&authorize_url(&server.base, "v1"), "ada@example.com")
        .await;
    assert!(!form_shown, "autologin while the session lives");
    assert!(b.jar.contains_key("dev_centralauth_session"));
    let res = b.get(&format!("{}/", server.base)).await;
    assert!(res.headers().get(header::SET_COOKIE).is_none());

    // Ended server to server ("log out everywhere"): the next page the
    // browser opens at the provider, sign-in or index, removes the cookie.
    let ended = b.jar["dev_centralauth_session"].clone();
    assert_eq!(api.logout(&token).await, StatusCode::OK);
    for page in [
        authorize_url(&server.base, "v2"),
        format!("{}/", server.base),
    ] {
        b.jar
            .insert("dev_centralauth_session".into(), ended.clone());
        let res = b.get(&page).await;
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        let cleared: Vec<_> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        assert_eq!(cleared.len(), 1, "{page}: {cleared:?}");
        let c = cookie::Cookie::parse(cleared[0].clone()).unwrap();
        assert_eq!(c.name(), "dev_centralauth_session");
        assert_eq!(c.value(), "");
        assert_eq!(c.max_age(), Some(cookie::time::Duration::ZERO));
        assert_eq!(c.path(), Some("/"));
        assert!(!b.jar.contains_key("dev_centralauth_session"), "{page}");
    }
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}
