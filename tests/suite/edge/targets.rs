//! Request lines that are not a path: an answer, never a panic.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::common::harness;

/// Every request line, as raw bytes, through the real accept loop and
/// router: each gets an HTTP answer (a panicking handler gives none), and a
/// target that is not a path gets 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_line_panics_and_non_path_targets_get_400() {
    let h = harness().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = h.config.limits.clone();
    let app = h.app.clone();
    tokio::spawn(async move {
        crate::app::listener::serve(listener, app, &limits, std::future::pending()).await
    });
    let targets = [
        ("origin", "/".to_string(), false),
        ("origin", "/account?x=1".to_string(), false),
        ("absolute", format!("http://{addr}/"), false),
        ("absolute", format!("http://{addr}/api/auth/user"), false),
        ("authority", format!("{addr}"), true),
        ("authority", "example.com:443".to_string(), true),
        ("asterisk", "*".to_string(), true),
    ];
    let methods = [
        "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "CONNECT",
    ];
    for method in methods {
        for (form, target, refused) in &targets {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let line = format!(
                "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            s.write_all(line.as_bytes()).await.unwrap();
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
            let out = String::from_utf8_lossy(&out);
            let status: u16 = out
                .strip_prefix("HTTP/1.1 ")
                .and_then(|r| r.get(..3))
                .and_then(|c| c.parse().ok())
                .unwrap_or_else(|| panic!("{method} {form} {target}: no answer: {out:?}"));
            assert!(status < 500, "{method} {form} {target}: {status}");
            if *refused || method == "CONNECT" {
                assert_eq!(status, 400, "{method} {form} {target}");
            }
        }
    }
}
