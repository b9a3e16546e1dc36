//! Shared by the integration tests; each test crate uses part of it.
#![allow(dead_code)]

pub mod processes;
pub mod recorder;
pub mod signin;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::app::{
    config::Config,
    dev_centralauth::{DevProvider, DevProviderConfig, Fault, DEV_ORGANIZATION_ID, DEV_SECRET},
    hooks::Hooks,
    server, state,
};
use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use leptos::config::LeptosOptions;
use tower::ServiceExt;

/// The app origin the tests register with the provider.
pub const APP: &str = "http://127.0.0.1:3000";

/// A development provider serving on an ephemeral loopback port, with `APP`
/// registered. Returns it and its base URL.
pub async fn start_provider(test_hooks: bool) -> (DevProvider, String) {
    start_provider_for(APP, test_hooks).await
}

pub async fn start_provider_for(app_origin: &str, test_hooks: bool) -> (DevProvider, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = DevProvider::new(DevProviderConfig {
        test_hooks,
        token_ttl: Duration::from_secs(3600),
        ..DevProviderConfig::local(base.clone(), vec![app_origin.into()])
    });
    let app = provider.router::<()>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (provider, base)
}

/// The real app router, configured like a deployment with credentials,
/// against a development provider on loopback.
pub struct Harness {
    pub app: Router,
    pub provider: DevProvider,
    pub config: Config,
}

pub async fn harness() -> Harness {
    harness_at(APP).await
}

/// The app as served on `app_origin` (https gives the `__Host-` cookies).
pub async fn harness_at(app_origin: &str) -> Harness {
    harness_with(app_origin, &[]).await
}

/// The same, with more variables set.
pub async fn harness_with(app_origin: &str, extra: &[(&'static str, &str)]) -> Harness {
    harness_serving(app_origin, extra, None).await
}

/// The same, serving static files from `site_root` (else the default,
/// which a test run may not have built).
pub async fn harness_serving(
    app_origin: &str,
    extra: &[(&'static str, &str)],
    site_root: Option<&str>,
) -> Harness {
    harness_full(app_origin, extra, site_root, Hooks::default()).await
}

/// The app with its own hooks (see `src/hooks.rs`).
pub async fn harness_with_hooks(extra: &[(&'static str, &str)], hooks: Hooks) -> Harness {
    harness_full(APP, extra, None, hooks).await
}

async fn harness_full(
    app_origin: &str,
    extra: &[(&'static str, &str)],
    site_root: Option<&str>,
    hooks: Hooks,
) -> Harness {
    let (provider, base) = start_provider_for(app_origin, false).await;
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("APP_ORIGIN", app_origin.to_string()),
        ("AUTH_ORGANIZATION_ID", DEV_ORGANIZATION_ID.to_string()),
        ("AUTH_SECRET", DEV_SECRET.to_string()),
        ("AUTH_BASE_URL", base),
        ("AUTH_REQUEST_TIMEOUT_MS", "400".to_string()),
    ]);
    for (k, v) in extra {
        vars.insert(k, v.to_string());
    }
    let options = LeptosOptions::builder().output_name(crate::app::site::APP_NAME);
    let options = match site_root {
        Some(root) => options.site_root(root).build(),
        None => options.build(),
    };
    let config = Config::from_lookup(options, |k| vars.get(k).cloned()).unwrap();
    let state = state::build_state_with_hooks(config.clone(), hooks).unwrap();
    Harness {
        app: server::router(state),
        provider,
        config,
    }
}

/// `POST /api/auth/logout` from the app's own page, with a session.
pub fn form_logout(token: &str, everywhere: bool) -> Request<Body> {
    Request::post("/api/auth/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, APP)
        .header(header::COOKIE, format!("access_token={token}"))
        .body(Body::from(if everywhere { "everywhere=true" } else { "" }))
        .unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Harness {
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookies = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            location,
            set_cookies,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub fn calls_to(&self, endpoint: &str) -> usize {
        self.provider
            .calls()
            .iter()
            .filter(|c| c.endpoint.as_str() == endpoint)
            .count()
    }

    /// The provider's base URL, as the app is configured with it.
    pub fn provider_base(&self) -> String {
        match &self.config.provider {
            crate::app::config::ProviderMode::Remote { base_url, .. } => {
                base_url.as_str().trim_end_matches('/').to_string()
            }
            _ => unreachable!("the harness configures credentials"),
        }
    }

    pub fn logout_calls(&self) -> usize {
        self.calls_to("logout")
    }

    pub fn fault(&self, status: Option<u16>, delay_ms: u64) {
        self.fault_with_code(status, None, delay_ms)
    }

    /// One failing answer, with `error_code` in its JSON body.
    pub fn fault_with_code(&self, status: Option<u16>, error_code: Option<&str>, delay_ms: u64) {
        self.provider.add_fault(Fault {
            endpoint: None,
            delay_ms,
            status,
            error_code: error_code.map(str::to_string),
            message: None,
            refuse_for_ms: None,
            times: Some(1),
        });
    }
}

/// Everything logged at `level` and above on this thread while the guard
/// lives, as the app's formatter writes it. Needs a current-thread runtime
/// (`#[tokio::test]`'s default), since the capture is per thread.
pub struct LogCapture {
    buf: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl LogCapture {
    pub fn start(level: tracing::Level) -> Self {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || Writer(writer.clone()))
            .finish();
        Self {
            buf,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap()).into_owned()
    }
}

/// An in-memory log sink, for a subscriber's writer.
pub struct Writer(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
