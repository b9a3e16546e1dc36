//! Contract tests of the CentralAuth client over real HTTP on loopback: a
//! recording server for the exact wire format, the development provider for
//! the whole flow, and the standalone provider process for real refusals.
#![cfg(feature = "ssr")]

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::IntoResponse,
    serve::ListenerExt,
    Router,
};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use centralauth_starter::centralauth::{
    challenge_s256, new_verifier, CentralAuthClient, CentralAuthError, ClientConfig, ClientContext,
    Secret,
};
use centralauth_starter::dev_centralauth::{Fault, DEV_ORGANIZATION_ID, DEV_SECRET};
use url::Url;

mod common;

use common::{start_provider, APP};

const CALLBACK: &str = "http://127.0.0.1:3000/api/auth/callback";

#[derive(Debug, Clone)]
struct Captured {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    delay: Duration,
}

/// A server that records every request and answers with the configured reply.
#[derive(Clone)]
struct Recorder {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Captured>>>,
    reply: Arc<Mutex<Reply>>,
    connections: Arc<AtomicUsize>,
}

impl Recorder {
    async fn start() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(Mutex::new(Reply {
            status: 200,
            content_type: "text/plain",
            body: String::new(),
            delay: Duration::ZERO,
        }));
        let connections = Arc::new(AtomicUsize::new(0));
        let app = Router::new().fallback({
            let seen = seen.clone();
            let reply = reply.clone();
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                let reply = reply.lock().unwrap().clone();
                async move {
                    seen.lock().unwrap().push(Captured {
                        method,
                        uri,
                        headers,
                        body,
                    });
                    tokio::time::sleep(reply.delay).await;
                    (
                        StatusCode::from_u16(reply.status).unwrap(),
                        [("content-type", reply.content_type)],
                        reply.body,
                    )
                        .into_response()
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counter = connections.clone();
        let listener = listener.tap_io(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            addr,
            seen,
            reply,
            connections,
        }
    }

    fn answer(&self, status: u16, content_type: &'static str, body: &str) {
        let mut r = self.reply.lock().unwrap();
        r.status = status;
        r.content_type = content_type;
        r.body = body.to_string();
    }

    fn delay(&self, d: Duration) {
        self.reply.lock().unwrap().delay = d;
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client for this recorder with org `org` and secret `s`.
    fn client(&self, timeout: Duration, max_connections: usize) -> CentralAuthClient {
        client_capped(&self.base(), "org", "s", timeout, max_connections)
    }

    fn last(&self) -> Captured {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request")
    }
}

fn client_for(base: &str, org: &str, secret: &str, timeout: Duration) -> CentralAuthClient {
    client_capped(base, org, secret, timeout, 8)
}

/// A client of the development provider, with its credentials.
fn dev_client(base: &str) -> CentralAuthClient {
    client_for(
        base,
        DEV_ORGANIZATION_ID,
        DEV_SECRET,
        Duration::from_secs(2),
    )
}

fn client_capped(
    base: &str,
    org: &str,
    secret: &str,
    timeout: Duration,
    max_connections: usize,
) -> CentralAuthClient {
    CentralAuthClient::new(&ClientConfig {
        organization_id: org.into(),
        secret: Secret::new(secret),
        base_url: Url::parse(base).unwrap(),
        app_origin: APP.into(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: timeout,
        max_connections,
    })
    .unwrap()
}

fn header<'a>(c: &'a Captured, name: &str) -> &'a str {
    c.headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

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

#[tokio::test]
async fn a_slow_provider_gives_a_timeout_error_quickly() {
    let rec = Recorder::start().await;
    rec.delay(Duration::from_secs(5));
    let client = rec.client(Duration::from_millis(300), 8);
    let started = Instant::now();
    let e = client.logout(&Secret::new("tok")).await.unwrap_err();
    assert!(matches!(e, CentralAuthError::Timeout(_)), "{e:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = client_for(
        &format!("http://{addr}"),
        "org",
        "s",
        Duration::from_secs(2),
    );
    let e = client.logout(&Secret::new("tok")).await.unwrap_err();
    assert!(matches!(e, CentralAuthError::Connect(_)), "{e:?}");
    assert_eq!(e.error_code(), "connect");
}

#[tokio::test]
async fn a_connection_closed_mid_request_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            // Read the request, then hang up without answering.
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await;
            drop(sock);
        }
    });
    let client = client_for(
        &format!("http://{addr}"),
        "org",
        "s",
        Duration::from_secs(2),
    );
    let e = client.logout(&Secret::new("tok")).await.unwrap_err();
    assert!(matches!(e, CentralAuthError::Transport(_)), "{e:?}");
}

#[tokio::test]
async fn sequential_calls_reuse_pooled_connections() {
    let rec = Recorder::start().await;
    let client = rec.client(Duration::from_secs(2), 8);
    for _ in 0..50 {
        client.logout(&Secret::new("tok")).await.unwrap();
    }
    assert_eq!(rec.seen.lock().unwrap().len(), 50);
    let opened = rec.connections.load(Ordering::SeqCst);
    assert!(opened <= 2, "50 calls opened {opened} connections");
}

// ---------------------------------------------------------------------------
// Against the development provider
// ---------------------------------------------------------------------------

/// Drives the provider's login page like a browser would, returning the code.
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
    assert!(user
        .gravatar
        .unwrap()
        .starts_with(&format!("{base}/avatar/")));

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

#[tokio::test]
async fn concurrent_calls_never_open_more_connections_than_the_cap() {
    let rec = Recorder::start().await;
    rec.delay(Duration::from_millis(20));
    let client = rec.client(Duration::from_secs(5), 4);
    let calls = (0..40).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.logout(&Secret::new("tok")).await })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let opened = rec.connections.load(Ordering::SeqCst);
    assert!(
        opened <= 4,
        "40 concurrent calls opened {opened} connections"
    );
}

#[tokio::test]
async fn waiting_for_a_connection_counts_against_the_timeout() {
    let rec = Recorder::start().await;
    rec.delay(Duration::from_millis(400));
    let client = rec.client(Duration::from_millis(600), 1);
    let started = Instant::now();
    let (ta, tb) = (Secret::new("a"), Secret::new("b"));
    let (a, b) = tokio::join!(client.logout(&ta), client.logout(&tb));
    // One goes through; the other waited 400 ms and then ran out of its 600.
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    assert!(matches!(
        a.err().or(b.err()),
        Some(CentralAuthError::Timeout(_))
    ));
    assert!(started.elapsed() < Duration::from_millis(1_000));
}
