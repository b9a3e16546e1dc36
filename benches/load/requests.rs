//! What the load benchmark sends: logouts of each kind, session checks, and
//! the provider's hooks for creating sessions and injecting faults; plus the
//! floor server it is held against.

use std::sync::Arc;

use super::measure::*;

pub const APP: &str = "127.0.0.1:3400";
pub const PROVIDER: &str = "127.0.0.1:3401";
pub const FLOOR: &str = "127.0.0.1:3402";
/// The app again, with `AUTH_SESSION_CACHE_SECONDS=60`.
pub const APP_CACHED: &str = "127.0.0.1:3403";

/// The floor: what any logout must at least do, and nothing else.
pub fn serve_floor() {
    use axum::{http::header, response::IntoResponse, routing::post, Router};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let cookies = crate::app::rules::cookies::clear_all(false);
        let app = Router::new().route(
            "/floor",
            post(move || {
                let cookies = cookies.clone();
                async move {
                    let mut res = (axum::http::StatusCode::SEE_OTHER, [(header::LOCATION, "/")])
                        .into_response();
                    for c in cookies {
                        res.headers_mut()
                            .append(header::SET_COOKIE, c.parse().expect("cookie header"));
                    }
                    res.headers_mut()
                        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
                    res
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(FLOOR)
            .await
            .expect("floor port free");
        axum::serve(listener, app).await.expect("floor serves");
    });
}

pub struct Provider {
    pub http: reqwest::Client,
    pub basic: String,
}

impl Provider {
    pub async fn sessions(&self, n: usize, tag: &str) -> Arc<Vec<String>> {
        let mut tokens = Vec::with_capacity(n);
        for i in 0..n {
            let v: serde_json::Value = self
                .http
                .post(format!("http://{PROVIDER}/_test/sessions"))
                .json(&serde_json::json!({ "email": format!("{tag}-{i}@bench.example") }))
                .send()
                .await
                .expect("provider")
                .json()
                .await
                .expect("json");
            tokens.push(v["access_token"].as_str().expect("token").to_string());
        }
        Arc::new(tokens)
    }

    pub async fn connections(&self) -> u64 {
        let v: serde_json::Value = self
            .http
            .get(format!("http://{PROVIDER}/_test/stats"))
            .send()
            .await
            .expect("provider stats")
            .json()
            .await
            .expect("json");
        v["connections_accepted"].as_u64().expect("count")
    }

    pub async fn fault(&self, body: serde_json::Value) {
        let res = self
            .http
            .post(format!("http://{PROVIDER}/_test/faults"))
            .json(&body)
            .send()
            .await
            .expect("fault");
        assert!(res.status().is_success(), "fault refused: {}", res.status());
    }

    pub async fn clear_faults(&self) {
        let _ = self
            .http
            .delete(format!("http://{PROVIDER}/_test/faults"))
            .send()
            .await;
    }
}

pub fn logout_req(
    path: &'static str,
    body: &'static str,
    tokens: Option<Arc<Vec<String>>>,
) -> MakeReq {
    logout_req_as(path, body, tokens, "text/html")
}

/// `accept`: `text/html` behaves like a browser form post (303 either way);
/// anything else gets the API answer (502 JSON when CentralAuth fails).
pub fn logout_req_as(
    path: &'static str,
    body: &'static str,
    tokens: Option<Arc<Vec<String>>>,
    accept: &'static str,
) -> MakeReq {
    Arc::new(move |c: &reqwest::Client, i: usize| {
        let token = tokens
            .as_ref()
            .map(|t| t[i].as_str())
            .unwrap_or("bench-local-token");
        c.post(format!("http://{APP}{path}"))
            .header("origin", format!("http://{APP}"))
            .header("accept", accept)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("access_token={token}"))
            .body(body)
    })
}

/// `n` "everywhere" logouts at concurrency `c`, each with a fresh session
/// (created before the clock starts), and the connections the app opened
/// to the provider meanwhile.
pub async fn everywhere_run(provider: &Provider, n: usize, c: usize, tag: &str) -> (Stats, u64) {
    let tokens = provider.sessions(n, tag).await;
    let before = provider.connections().await;
    let stats = load(
        n,
        c,
        logout_req(
            "/api/auth/logout",
            "everywhere=true&return_to=%2F",
            Some(tokens),
        ),
        303,
    )
    .await;
    (stats, provider.connections().await.saturating_sub(before))
}

/// `GET /api/auth/user` with the `i`-th token: one userinfo call each.
pub fn user_req(tokens: Arc<Vec<String>>) -> MakeReq {
    user_req_at(APP, tokens)
}

/// The same on the app at `addr` (with the cache on, one call per token).
pub fn user_req_at(addr: &'static str, tokens: Arc<Vec<String>>) -> MakeReq {
    Arc::new(move |cl: &reqwest::Client, i: usize| {
        cl.get(format!("http://{addr}/api/auth/user"))
            .header("cookie", format!("access_token={}", tokens[i]))
    })
}

pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "HOLDS"
    } else {
        "MISSED"
    }
}

/// Logout calls straight to the provider, the app not involved.
pub async fn provider_alone(basic: &str, tokens: Arc<Vec<String>>, c: usize) -> Stats {
    let basic = basic.to_string();
    let n = tokens.len();
    load(
        n,
        c,
        Arc::new(move |cl: &reqwest::Client, i: usize| {
            cl.post(format!("http://{PROVIDER}/api/v1/logout"))
                .header("authorization", basic.clone())
                .header("content-type", "text/plain")
                .body(tokens[i].clone())
        }),
        200,
    )
    .await
}
