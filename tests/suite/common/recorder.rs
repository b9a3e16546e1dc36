//! A recording HTTP server that stands in for CentralAuth: it captures each
//! request and answers what a test tells it to. Shared by the client's
//! wire and transport tests.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use crate::app::centralauth::{CentralAuthClient, ClientConfig, Secret};
use axum::{
    body::Bytes,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::IntoResponse,
    serve::ListenerExt,
    Router,
};
use url::Url;

use super::APP;

pub const CALLBACK: &str = "http://127.0.0.1:3000/api/auth/callback";

#[derive(Debug, Clone)]
pub struct Captured {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub delay: Duration,
}

/// A server that records every request and answers with the configured reply.
#[derive(Clone)]
pub struct Recorder {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Captured>>>,
    pub reply: Arc<Mutex<Reply>>,
    pub connections: Arc<AtomicUsize>,
}

impl Recorder {
    pub async fn start() -> Self {
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

    pub fn answer(&self, status: u16, content_type: &'static str, body: &str) {
        let mut r = self.reply.lock().unwrap();
        r.status = status;
        r.content_type = content_type;
        r.body = body.to_string();
    }

    pub fn delay(&self, d: Duration) {
        self.reply.lock().unwrap().delay = d;
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client for this recorder with org `org` and secret `s`.
    pub fn client(&self, timeout: Duration, max_connections: usize) -> CentralAuthClient {
        client_capped(&self.base(), "org", "s", timeout, max_connections)
    }

    pub fn last(&self) -> Captured {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request")
    }
}

pub fn client_capped(
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

pub fn header<'a>(c: &'a Captured, name: &str) -> &'a str {
    c.headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

pub fn client_for(base: &str, org: &str, secret: &str, timeout: Duration) -> CentralAuthClient {
    client_capped(base, org, secret, timeout, 8)
}
