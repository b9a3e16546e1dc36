//! The CentralAuth client's transport: timeouts, refused and broken
//! connections, pooling and the connection cap.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use crate::app::centralauth::{CentralAuthError, Secret};

use crate::common;

use common::recorder::*;

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
