//! What running the app needs: health and readiness, request ids in every
//! log line, JSON logs, the container's health check command.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::ConnectInfo,
    http::{header, StatusCode},
};

use crate::app::logging::{subscriber, LogFormat};
use crate::common::{self, form_logout as logout, Writer, APP};

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
        Writer(sink.clone())
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
