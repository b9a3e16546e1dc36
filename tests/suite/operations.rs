//! What running the app needs: the hooks for its own code, health and
//! readiness, request ids in every log line, JSON logs.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, Request, StatusCode},
};

use crate::app::{
    hooks::{AuthEvent, AuthHooks, HookFuture, Hooks},
    logging::{subscriber, LogFormat},
};
use crate::common::{self, signin::Visitor, LogCapture, APP};

/// Records every event; optionally slow or failing.
#[derive(Clone, Default)]
struct Recorder {
    events: Arc<Mutex<Vec<AuthEvent>>>,
    delay: Duration,
    fail: bool,
}

impl AuthHooks for Recorder {
    fn on_event(&self, event: AuthEvent) -> HookFuture {
        let me = self.clone();
        Box::pin(async move {
            tokio::time::sleep(me.delay).await;
            me.events.lock().unwrap().push(event);
            if me.fail {
                Err("the audit database is down\r\nINFO forged".into())
            } else {
                Ok(())
            }
        })
    }
}

fn logout(token: &str, everywhere: bool) -> Request<Body> {
    Request::post("/api/auth/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, APP)
        .header(header::COOKIE, format!("access_token={token}"))
        .body(Body::from(if everywhere { "everywhere=true" } else { "" }))
        .unwrap()
}

#[tokio::test]
async fn hooks_hear_sign_in_logout_and_a_session_found_gone_once_each() {
    let rec = Recorder::default();
    let cache = [("AUTH_SESSION_CACHE_SECONDS", "60")];
    let h = common::harness_with_hooks(&cache, Hooks::new(rec.clone(), Hooks::WAIT)).await;
    let mut v = Visitor::new();
    v.sign_in(&h, "ada@example.com").await;
    let token = v.app["access_token"].clone();
    h.send(logout(&token, true)).await;

    // A session ended elsewhere, found by the next check.
    let (_, other) = h.provider.create_session("bob@example.com");
    // Ended through the provider's API, as another app would.
    let api = crate::common::processes::Api::new(&h.provider_base());
    assert_eq!(api.logout(&other).await, StatusCode::OK);
    let mut bob = Visitor::new();
    bob.app.insert("access_token".into(), other);
    bob.get(&h, "/api/auth/user").await;
    // A token that never was one is not an event.
    let mut stranger = Visitor::new();
    stranger
        .app
        .insert("access_token".into(), "a.b.c.d.e".into());
    stranger.get(&h, "/api/auth/user").await;

    let events = rec.events.lock().unwrap().clone();
    let names: Vec<&str> = events.iter().map(AuthEvent::name).collect();
    assert_eq!(
        names,
        ["signed_in", "logged_out", "session_gone"],
        "{events:?}"
    );
    match &events[0] {
        AuthEvent::SignedIn { user, affirmed } => {
            assert_eq!(user.email, "ada@example.com");
            assert!(!affirmed);
        }
        e => panic!("{e:?}"),
    }
    match &events[1] {
        // The cache (on here) knew whose session it was.
        AuthEvent::LoggedOut { everywhere, user } => {
            assert!(everywhere);
            assert_eq!(
                user.as_ref().map(|u| u.email.as_str()),
                Some("ada@example.com")
            );
        }
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn a_slow_or_failing_hook_neither_delays_nor_breaks_the_answer_beyond_its_bound() {
    for (delay, fail) in [(Duration::from_secs(5), false), (Duration::ZERO, true)] {
        let rec = Recorder {
            delay,
            fail,
            ..Default::default()
        };
        let h = common::harness_with_hooks(&[], Hooks::new(rec, Duration::from_millis(200))).await;
        let (_, token) = h.provider.create_session("ada@example.com");
        let logs = LogCapture::start(tracing::Level::WARN);
        let started = Instant::now();
        let r = h.send(logout(&token, false)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.set_cookies
                .iter()
                .any(|c| c.starts_with("access_token=;")),
            "{:?}",
            r.set_cookies
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "waited {:?}",
            started.elapsed()
        );
        let text = logs.text();
        let expected = if fail {
            "auth hook failed"
        } else {
            "auth hook still running"
        };
        assert!(text.contains(expected), "{text}");
        assert!(
            !text.lines().any(|l| l.starts_with("INFO forged")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_starter_audits_each_event_in_one_line() {
    let h = common::harness().await;
    let logs = LogCapture::start(tracing::Level::INFO);
    let mut v = Visitor::new();
    v.sign_in(&h, "ada@example.com").await;
    h.send(logout(&v.app["access_token"].clone(), false)).await;
    let text = logs.text();
    let audit: Vec<&str> = text.lines().filter(|l| l.contains("app::audit")).collect();
    assert_eq!(audit.len(), 2, "{text}");
    assert!(
        audit[0].contains("event=\"signed_in\"") && audit[0].contains("user_id=dev-"),
        "{}",
        audit[0]
    );
    assert!(
        audit[1].contains("event=\"logged_out\"") && audit[1].contains("scope=\"this_app\""),
        "{}",
        audit[1]
    );
    assert!(
        !text.contains("ada@example.com"),
        "no e-mail in the logs: {text}"
    );
}

#[tokio::test]
async fn healthz_answers_alone_and_readyz_says_ready_without_details() {
    let h = common::harness().await;
    let r = h.get("/healthz").await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let r = h.get("/readyz").await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, r#"{"status":"ready"}"#)
    );
    assert_eq!(
        h.provider.calls().len(),
        0,
        "neither calls CentralAuth's API"
    );
}

#[tokio::test]
async fn a_request_id_from_a_trusted_proxy_is_kept_echoed_and_on_every_line() {
    let h = common::harness_with(APP, &[("TRUSTED_PROXIES", "10.0.0.2")]).await;
    let buf = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = buf.clone();
    let filter = tracing_subscriber::EnvFilter::new("debug");
    let _guard = tracing::subscriber::set_default(subscriber(LogFormat::Json, filter, move || {
        Sink(sink.clone())
    }));
    let (_, token) = h.provider.create_session("ada@example.com");
    for (peer, sent) in [
        ("10.0.0.2", "edge-7f3a"),
        ("203.0.113.9", "chosen-by-a-client"),
    ] {
        let mut req = logout(&token, true);
        req.headers_mut()
            .insert("x-request-id", sent.parse().unwrap());
        req.extensions_mut().insert(ConnectInfo(
            format!("{peer}:4000").parse::<SocketAddr>().unwrap(),
        ));
        let r = h.send(req).await;
        let id = r.headers["x-request-id"].to_str().unwrap().to_string();
        if peer == "10.0.0.2" {
            assert_eq!(id, sent);
        } else {
            assert_ne!(id, sent, "a client chose its own id");
            assert_eq!(id.len(), 32);
        }
    }
    let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of = |id: &str| {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == id)
            .map(|l| l["message"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let first = of("edge-7f3a");
    assert!(
        first.iter().any(|m| m.contains("ended everywhere")),
        "{text}"
    );
    assert!(
        first.iter().any(|m| m.contains("audit: logged out")),
        "{text}"
    );
    assert!(
        lines.iter().all(|l| l["span"]["request_id"].is_string()),
        "a line without an id: {text}"
    );
    assert!(!text.contains(&token), "a token in the logs");
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn readyz_is_503_while_centralauth_does_not_answer_and_probes_once_per_interval() {
    // Accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    let accepted = Arc::new(Mutex::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            *counter.lock().unwrap() += 1;
            held.push(conn);
        }
    });
    let h = common::harness_with(APP, &[("AUTH_BASE_URL", &base)]).await;
    let started = Instant::now();
    let (a, b, c) = tokio::join!(h.get("/readyz"), h.get("/readyz"), h.get("/readyz"));
    for r in [&a, &b, &c] {
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.body, r#"{"status":"unavailable"}"#,
            "nothing more is said"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // Asked again at once: the remembered answer, no new probe.
    let again = Instant::now();
    assert_eq!(
        h.get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(again.elapsed() < Duration::from_millis(500));
    assert_eq!(*accepted.lock().unwrap(), 1, "one probe for four questions");
    // Health does not depend on CentralAuth.
    assert_eq!(h.get("/healthz").await.status, StatusCode::OK);
}

#[test]
fn the_server_writes_json_lines_with_log_format_json_and_refuses_an_unknown_format() {
    use std::process::{Command, Stdio};
    let port = common::processes::free_port();
    let server = |format: &str| {
        let mut cmd = Command::new(crate::app::BIN);
        cmd.current_dir(std::env::temp_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("DEV_CENTRALAUTH_STATE", "off")
            .env("RUST_LOG", "info")
            .env("LOG_FORMAT", format)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    let out = server("yaml").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("LOG_FORMAT is malformed: use text or json"),
        "{stderr}"
    );

    let mut child = server("JSON").spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("listening on"), "{stdout}");
    for line in stdout.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
    }
}

#[test]
fn the_healthcheck_command_exits_0_only_when_the_server_is_ready() {
    use std::process::Command;
    let check = |port: u16| {
        Command::new(crate::app::BIN)
            .arg("healthcheck")
            .env_clear()
            .env("LEPTOS_SITE_ADDR", format!("0.0.0.0:{port}"))
            .output()
            .unwrap()
    };
    let closed = common::processes::free_port();
    let out = check(closed);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = common::processes::free_port();
    let state = common::processes::temp_state("healthcheck");
    let _server = common::processes::app(port, &state);
    let out = check(port);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}

/// Panics when called, before its future is ever polled or inside it.
struct Panicking {
    inside: bool,
}

impl AuthHooks for Panicking {
    fn on_event(&self, _event: AuthEvent) -> HookFuture {
        if !self.inside {
            panic!("a hook that panics at once");
        }
        Box::pin(async { panic!("a hook that panics when polled") })
    }
}

#[tokio::test]
async fn a_panicking_hook_is_logged_and_the_logout_still_answers() {
    let h =
        common::harness_with_hooks(&[], Hooks::new(Panicking { inside: true }, Hooks::WAIT)).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let logs = LogCapture::start(tracing::Level::WARN);
    let r = h.send(logout(&token, false)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        logs.text().contains("auth hook panicked"),
        "{}",
        logs.text()
    );
}
