//! The accept loop: axum's router on hyper, with the limits `axum::serve`
//! does not offer. A client must send its request headers within
//! `header_read_timeout` and finish a whole request (body and handler)
//! within `request_timeout`. At most `max_connections` are open at once;
//! when a newcomer arrives at the cap, the oldest connection that has not
//! delivered a complete request (idle, kept alive between requests, or
//! still trickling headers or a body) is closed to make room. Only when
//! every connection is mid-answer does a newcomer wait. Without this, 1,250
//! held idle connections filled the cap and a normal request waited in the
//! listen queue until a header timeout freed a slot.
//!
//! HTTP/1.1 only, as browsers speak to a plain-http origin and proxies to
//! their upstreams: sniffing for HTTP/2 (hyper-util's `auto`) waits for the
//! first bytes with no timeout at all, so a connection that sends nothing
//! would hold its slot forever.

use std::{
    collections::BTreeMap,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{
        atomic::{AtomicU8, Ordering},
        Arc, Mutex,
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{body::Body, http::StatusCode, Router};
use http_body_util::BodyExt;
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{net::TcpListener, sync::Notify};
use tower::{Service, ServiceExt};
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

    let open = Arc::new(Connections::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
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
        tokio::select! {
            () = open.make_room() => {}
            () = &mut shutdown => break,
        }
        let (id, phase) = open.register();
        let _ = stream.set_nodelay(true);
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let tracked = {
            let phase = phase.clone();
            hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let phase = phase.clone();
                let service = service.clone();
                async move {
                    let guard = Busy::start(phase, &req);
                    let req = req.map(|body| {
                        Body::new(RequestBody {
                            inner: body,
                            guard: guard.clone(),
                        })
                    });
                    let res = service.oneshot(req).await?;
                    guard.answering();
                    // The connection counts as busy until its answer is sent.
                    Ok::<_, std::convert::Infallible>(res.map(move |body| {
                        Body::new(body.map_frame(move |frame| {
                            let _ = &guard;
                            frame
                        }))
                    }))
                }
            })
        };
        let conn = builder.serve_connection(TokioIo::new(stream), tracked);
        let conn = graceful.watch(conn);
        let open = open.clone();
        tokio::spawn(async move {
            // Timeouts and resets end here; they are the client's business.
            tokio::select! {
                _ = conn => {}
                () = phase.evicted.notified() => {}
            }
            open.remove(id);
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

/// Where a connection is: only [`IDLE`] and [`RECEIVING`] may be closed to
/// make room.
const IDLE: u8 = 0;
const RECEIVING: u8 = 1;
const ANSWERING: u8 = 2;

struct Phase {
    now: AtomicU8,
    evicted: Notify,
}

/// The open connections, oldest first (ids only grow).
struct Connections {
    cap: usize,
    next_id: Mutex<u64>,
    open: Mutex<BTreeMap<u64, Arc<Phase>>>,
    /// Signalled when a connection ends or stops answering.
    changed: Notify,
}

impl Connections {
    fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            next_id: Mutex::new(0),
            open: Mutex::new(BTreeMap::new()),
            changed: Notify::new(),
        }
    }

    /// Returns once a newcomer may be served: below the cap, or after the
    /// oldest connection without a complete request was told to close.
    async fn make_room(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut open = self.open.lock().expect("never poisoned");
                if open.len() < self.cap {
                    return;
                }
                let oldest_idle = open
                    .iter()
                    .find(|(_, p)| p.now.load(Ordering::Acquire) != ANSWERING)
                    .map(|(id, _)| *id);
                if let Some(id) = oldest_idle {
                    if let Some(phase) = open.remove(&id) {
                        phase.evicted.notify_one();
                    }
                    return;
                }
            }
            changed.await;
        }
    }

    fn register(&self) -> (u64, Arc<Phase>) {
        let id = {
            let mut next = self.next_id.lock().expect("never poisoned");
            *next += 1;
            *next
        };
        let phase = Arc::new(Phase {
            now: AtomicU8::new(IDLE),
            evicted: Notify::new(),
        });
        self.open
            .lock()
            .expect("never poisoned")
            .insert(id, phase.clone());
        (id, phase)
    }

    fn remove(&self, id: u64) {
        self.open.lock().expect("never poisoned").remove(&id);
        self.changed.notify_waiters();
    }
}

/// Marks its connection busy while a request is read and answered; back to
/// idle when the last clone (held by the answer's body) is dropped.
#[derive(Clone)]
struct Busy(Arc<BusyInner>);

struct BusyInner {
    phase: Arc<Phase>,
}

impl Busy {
    fn start(phase: Arc<Phase>, req: &http::Request<Incoming>) -> Self {
        use hyper::body::Body as _;
        let now = if req.body().is_end_stream() {
            ANSWERING
        } else {
            RECEIVING
        };
        phase.now.store(now, Ordering::Release);
        Self(Arc::new(BusyInner { phase }))
    }

    fn answering(&self) {
        self.0.phase.now.store(ANSWERING, Ordering::Release);
    }
}

impl Drop for BusyInner {
    fn drop(&mut self) {
        self.phase.now.store(IDLE, Ordering::Release);
    }
}

/// The request body, which marks the connection as answering once the
/// client has sent all of it.
struct RequestBody {
    inner: Incoming,
    guard: Busy,
}

impl hyper::body::Body for RequestBody {
    type Data = bytes::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.guard.answering();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
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
