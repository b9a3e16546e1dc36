//! The accept loop: axum's router on hyper, with the limits `axum::serve`
//! does not offer. A client must send its request headers within
//! `header_read_timeout`, finish a whole request (body and handler) within
//! `request_timeout`, and at most `max_connections` are served at once;
//! further connections wait in the kernel's listen queue until one ends.
//! Without these, 1,250 connections trickling bytes were held for 48 s and
//! none was closed.
//!
//! HTTP/1.1 only, as browsers speak to a plain-http origin and proxies to
//! their upstreams: sniffing for HTTP/2 (hyper-util's `auto`) waits for the
//! first bytes with no timeout at all, so a connection that sends nothing
//! would hold its slot forever.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::{http::StatusCode, Router};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::Service;
use tower_http::timeout::TimeoutLayer;

use crate::config::ServerLimits;

/// In-flight requests get this long to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` resolves, then lets open
/// connections finish their requests (for up to ten seconds).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request_timeout,
    ));
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();

    let mut builder = http1::Builder::new();
    // hyper ignores the header timeout without a timer. The timeout runs
    // from the connection's start and again while a kept-alive connection
    // waits for its next request.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);

    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service = TowerToHyperService::new(service);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Timeouts and resets end here; they are the client's business.
            let _ = conn.await;
            drop(slot);
        });
    }

    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open {DRAIN:?} after shutdown; closing them");
    }
}

/// Per-connection errors (the peer gave up during the handshake) are
/// routine; running out of file descriptors is not, and retrying at once
/// would spin.
async fn accept_failed(err: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        err.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept failed: {err}; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
