//! The accept loop's limits over real TCP: clients that trickle headers or
//! bodies are cut off in the configured time, the connection cap holds
//! (the oldest connection without a complete request makes room; one
//! mid-answer never does), and normal requests are served meanwhile.

use std::time::{Duration, Instant};

use crate::app::{config::ServerLimits, listener::serve};
use axum::{routing::get, Router};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

const HEADER_TIMEOUT: Duration = Duration::from_millis(600);
const REQUEST_TIMEOUT: Duration = Duration::from_millis(1_200);

struct Server {
    addr: std::net::SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn start(max_connections: usize) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .route(
            "/echo",
            axum::routing::post(|body: String| async move { body }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "slow"
            }),
        );
    let limits = ServerLimits {
        header_read_timeout: HEADER_TIMEOUT,
        request_timeout: REQUEST_TIMEOUT,
        max_connections,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        serve(listener, app, &limits, async {
            let _ = stopped.await;
        })
        .await
    });
    Server { addr, _stop: stop }
}

/// A whole GET on a fresh connection; the response's first line.
async fn plain_get(addr: std::net::SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out.lines().next().unwrap_or_default().to_string()
}

/// Writes `bytes` one at a time, `every` apart, until the server answers
/// or closes the connection; returns how long that took and what it
/// answered (`None` if it never did within `give_up`).
async fn trickle(
    stream: &mut TcpStream,
    bytes: &[u8],
    every: Duration,
    give_up: Duration,
) -> Option<(Duration, String)> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    for b in bytes.iter().cycle() {
        if started.elapsed() > give_up {
            return None;
        }
        if stream.write_all(&[*b]).await.is_err() {
            return Some((started.elapsed(), String::new()));
        }
        match tokio::time::timeout(every, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some((started.elapsed(), String::new())),
            Ok(Ok(n)) => {
                return Some((
                    started.elapsed(),
                    String::from_utf8_lossy(&buf[..n]).into_owned(),
                ))
            }
            Err(_) => {}
        }
    }
    unreachable!()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_headers_is_disconnected_while_others_are_served() {
    let server = start(64).await;
    let addr = server.addr;
    // Ten slowloris connections, a header byte every 100 ms, forever.
    let mut slow = Vec::new();
    for _ in 0..10 {
        slow.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            trickle(
                &mut s,
                b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                Duration::from_millis(100),
                Duration::from_secs(10),
            )
            .await
        }));
    }
    // Normal requests go through meanwhile.
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(plain_get(addr).await, "HTTP/1.1 200 OK");
        assert!(started.elapsed() < Duration::from_millis(300));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for handle in slow {
        let (cut, _) = handle
            .await
            .unwrap()
            .expect("a trickling client was never disconnected");
        assert!(
            cut >= HEADER_TIMEOUT - Duration::from_millis(50) && cut < HEADER_TIMEOUT * 3,
            "disconnected after {cut:?}, header timeout {HEADER_TIMEOUT:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let server = start(64).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    // Closed: the read ends (0 bytes or a reset) instead of timing out.
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("an idle connection was kept open");
    assert!(
        started.elapsed() < HEADER_TIMEOUT * 3,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_body_gets_408_within_the_request_timeout() {
    let server = start(64).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
        .await
        .unwrap();
    // One body byte every 100 ms: 100 s for the whole body if allowed.
    let (took, answer) = trickle(
        &mut s,
        b"a",
        Duration::from_millis(100),
        REQUEST_TIMEOUT * 3,
    )
    .await
    .expect("the body trickled on");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        took >= REQUEST_TIMEOUT - Duration::from_millis(50),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_a_newcomer_replaces_the_oldest_connection_without_a_complete_request() {
    let server = start(2).await;
    let addr = server.addr;
    // Two connections fill the cap, each with part of its headers sent;
    // the first is the older.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        held.push(s);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A third complete request is served at once...
    let started = Instant::now();
    assert_eq!(plain_get(addr).await, "HTTP/1.1 200 OK");
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    // ...because the oldest was closed, while the younger one still waits.
    let mut buf = [0u8; 16];
    let oldest = tokio::time::timeout(Duration::from_millis(300), held[0].read(&mut buf)).await;
    assert!(
        matches!(oldest, Ok(Ok(0)) | Ok(Err(_))),
        "the oldest was kept: {oldest:?}"
    );
    let younger = tokio::time::timeout(Duration::from_millis(100), held[1].read(&mut buf)).await;
    assert!(
        younger.is_err(),
        "the younger one was closed too: {younger:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_mid_answer_are_never_closed_and_a_newcomer_waits_for_one() {
    let server = start(2).await;
    let addr = server.addr;
    // Both slots answer a request whose body arrives in full but slowly is
    // handled: each has sent a complete request that takes time to answer.
    let mut busy = Vec::new();
    for _ in 0..2 {
        busy.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).await.unwrap();
            out.lines().next().unwrap_or_default().to_string()
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let third = tokio::spawn(async move {
        let started = Instant::now();
        (plain_get(addr).await, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !third.is_finished(),
        "served beyond the cap while both were answering"
    );
    for b in busy {
        assert_eq!(
            b.await.unwrap(),
            "HTTP/1.1 200 OK",
            "a busy connection was cut"
        );
    }
    let (status, _) = tokio::time::timeout(Duration::from_secs(2), third)
        .await
        .expect("not served after a slot freed up")
        .unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
}
