//! The CentralAuth client against the development provider: the whole flow,
//! the NPM library's multipart form, error JSON, injected faults, and the
//! standalone process refusing connections for real.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use crate::app::centralauth::{
    challenge_s256, new_verifier, CentralAuthClient, CentralAuthError, ClientContext, Secret,
};
use crate::app::dev_centralauth::{Fault, DEV_ORGANIZATION_ID, DEV_SECRET};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use url::Url;

use crate::common;

use common::{recorder::*, start_provider, APP};

/// A client of the development provider, with its credentials.
fn dev_client(base: &str) -> CentralAuthClient {
    client_for(
        base,
        DEV_ORGANIZATION_ID,
        DEV_SECRET,
        Duration::from_secs(2),
    )
}

async fn browser_sign_in(base: &str, email: &str, challenge: &str) -> (String, String) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let params = [
        ("client_id", DEV_ORGANIZATION_ID),
        ("response_type", "code"),
        (
            "redirect_uri",
            "http://127.0.0.1:3000/api/auth/callback?return_to=%2Faccount",
        ),
        ("state", "st4te"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let page = browser
        .get(format!("{base}/login"))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("E-mail address"));
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.push(("email", email));
    let res = browser
        .post(format!("{base}/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["return_to"], "/account");
    (q["code"].clone(), location.path().to_string())
}

#[tokio::test]
async fn full_flow_against_the_development_provider() {
    let (provider, base) = start_provider(false).await;
    let client = dev_client(&base);
    let verifier = new_verifier();
    let (code, path) = browser_sign_in(&base, "ada@example.com", &challenge_s256(&verifier)).await;
    assert_eq!(path, "/api/auth/callback");

    // A wrong verifier is refused with CentralAuth's error code.
    let e = client
        .verify(&code, CALLBACK, &new_verifier())
        .await
        .unwrap_err();
    assert_eq!(e.error_code(), "codeChallengeInvalid");

    let verifier2 = new_verifier();
    let (code, _) = browser_sign_in(&base, "ada@example.com", &challenge_s256(&verifier2)).await;
    let tokens = client.verify(&code, CALLBACK, &verifier2).await.unwrap();
    let ctx = ClientContext::default();
    let user = client.userinfo(&tokens.access_token, &ctx).await.unwrap();
    assert_eq!(user.email, "ada@example.com");
    // The avatar shows the e-mail's initial.
    let avatar = user.gravatar.unwrap();
    assert!(avatar.starts_with(&format!("{base}/avatar/a-")), "{avatar}");
    let svg = reqwest::get(&avatar).await.unwrap().text().await.unwrap();
    assert!(svg.contains(">A</text>"), "{svg}");

    client.logout(&tokens.access_token).await.unwrap();
    let e = client
        .userinfo(&tokens.access_token, &ctx)
        .await
        .unwrap_err();
    assert!(e.session_gone(), "{e:?}");
    // The ID token of the same session is gone too.
    let e = client
        .userinfo(tokens.id_token.as_ref().unwrap(), &ctx)
        .await
        .unwrap_err();
    assert!(e.session_gone(), "{e:?}");

    let calls = provider.calls();
    assert!(calls.iter().all(|c| c.basic_auth_ok));
    let logouts: Vec<_> = calls
        .iter()
        .filter(|c| c.endpoint.as_str() == "logout")
        .collect();
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].content_type.as_deref(), Some("text/plain"));
}

/// A multipart/form-data body as Node's `FormData` (undici) writes it.
fn multipart_body(boundary: &str, fields: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}

#[tokio::test]
async fn verify_accepts_the_multipart_form_the_npm_library_sends() {
    let (_provider, base) = start_provider(false).await;
    let verifier = new_verifier();
    let (code, _) = browser_sign_in(&base, "ada@example.com", &challenge_s256(&verifier)).await;
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{DEV_ORGANIZATION_ID}:{DEV_SECRET}"))
    );
    let boundary = "----formdata-undici-026194712842";
    let post = |body: String| {
        reqwest::Client::new()
            .post(format!("{base}/api/v1/verify"))
            .header("authorization", basic.clone())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };

    // Broken multipart and missing fields are refused with error JSON, and
    // the code survives them.
    let broken = post(format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n{code}"
    ))
    .await
    .unwrap();
    assert_eq!(broken.status(), 400);
    let json: serde_json::Value = broken.json().await.unwrap();
    assert_eq!(json["errorCode"], "genericError", "{json}");
    let missing = post(multipart_body(boundary, &[("code", &code)]))
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    let json: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(json["errorCode"], "missingFields", "{json}");

    let ok = post(multipart_body(
        boundary,
        &[
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let tokens: serde_json::Value = ok.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().unwrap().to_string();
    let client = dev_client(&base);
    let user = client
        .userinfo(&Secret::new(access_token), &ClientContext::default())
        .await
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
}

#[tokio::test]
async fn wrong_credentials_get_the_real_error_json() {
    let (provider, base) = start_provider(false).await;
    let (_, token) = provider.create_session("ada@example.com");
    let client = client_for(&base, DEV_ORGANIZATION_ID, "wrong", Duration::from_secs(2));
    let e = client
        .logout(&Secret::new(token.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CentralAuthError::Api { status, code, .. } if *status == 403 && code == "noPermission"),
        "{e:?}"
    );
    assert!(!provider.calls()[0].basic_auth_ok);
    // The session survived the refused call.
    let good = dev_client(&base);
    good.userinfo(&Secret::new(token), &ClientContext::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn injected_faults_reach_the_client_as_their_error_class() {
    let (provider, base) = start_provider(true).await;
    let (_, token) = provider.create_session("ada@example.com");
    let token = Secret::new(token);
    let client = client_for(
        &base,
        DEV_ORGANIZATION_ID,
        DEV_SECRET,
        Duration::from_millis(400),
    );
    let http = reqwest::Client::new();
    let fault = |body: serde_json::Value| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let res = http
                .post(format!("{base}/_test/faults"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.status());
        }
    };

    fault(serde_json::json!({"endpoint": "logout", "status": 500, "times": 1})).await;
    let e = client.logout(&token).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));

    fault(serde_json::json!({"endpoint": "logout", "status": 429, "times": 1})).await;
    assert_eq!(
        client.logout(&token).await.unwrap_err().error_code(),
        "tooManyRequests"
    );

    fault(serde_json::json!({"endpoint": "logout", "delay_ms": 2000, "times": 1})).await;
    let started = Instant::now();
    assert!(matches!(
        client.logout(&token).await.unwrap_err(),
        CentralAuthError::Timeout(_)
    ));
    assert!(started.elapsed() < Duration::from_millis(1_500));

    // Embedded providers cannot refuse connections; they say so.
    let res = http
        .post(format!("{base}/_test/faults"))
        .json(&serde_json::json!({"refuse_for_ms": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // After the faults, normal service.
    client.logout(&token).await.unwrap();
    let calls: serde_json::Value = http
        .get(format!("{base}/_test/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // 500, 429 and the final logout; the timed-out call was dropped with its connection.
    assert!(calls.as_array().unwrap().len() >= 3);
    assert!(
        !calls.to_string().contains(token.expose()),
        "call log exposes a token"
    );
    assert!(!calls.to_string().contains(DEV_SECRET));
}

#[tokio::test]
async fn hooks_are_absent_unless_enabled() {
    let (_, base) = start_provider(false).await;
    let res = reqwest::Client::new()
        .post(format!("{base}/_test/faults"))
        .json(&Fault {
            endpoint: None,
            delay_ms: 0,
            status: Some(500),
            error_code: None,
            message: None,
            refuse_for_ms: None,
            times: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn standalone_provider_really_refuses_then_recovers() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_dev-centralauth"))
        .env("DEV_CENTRALAUTH_ADDR", format!("127.0.0.1:{port}"))
        .env("DEV_CENTRALAUTH_ORIGINS", APP)
        .env("DEV_CENTRALAUTH_TEST_HOOKS", "1")
        .env("DEV_CENTRALAUTH_STATE", "off")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while http.get(format!("{base}/")).send().await.is_err() {
        assert!(
            Instant::now() < deadline,
            "standalone provider did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let session: serde_json::Value = http
        .post(format!("{base}/_test/sessions"))
        .json(&serde_json::json!({"email": "ada@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = Secret::new(session["access_token"].as_str().unwrap());
    let client = dev_client(&base);
    client
        .userinfo(&token, &ClientContext::default())
        .await
        .unwrap();

    let res = http
        .post(format!("{base}/_test/faults"))
        .json(&serde_json::json!({"refuse_for_ms": 1500}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let e = client
        .userinfo(&token, &ClientContext::default())
        .await
        .unwrap_err();
    assert!(matches!(e, CentralAuthError::Connect(_)), "{e:?}");

    tokio::time::sleep(Duration::from_millis(2_000)).await;
    client
        .userinfo(&token, &ClientContext::default())
        .await
        .unwrap();
    child.kill().await.unwrap();
}
