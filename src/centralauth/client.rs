use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::sync::Semaphore;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use http::{header, HeaderValue, StatusCode};
use url::Url;

use super::{CentralAuthError, ClientContext, LoginParams, Secret, TokenResponse, User};

/// What the client needs to talk to CentralAuth.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// CentralAuth's client id is the organization id.
    pub organization_id: String,
    pub secret: Secret,
    /// `https://centralauth.com`, an org subdomain, a custom domain, or the
    /// embedded development provider's URL. May carry a path.
    pub base_url: Url,
    /// This app's origin, sent as `domain` to userinfo.
    pub app_origin: String,
    pub connect_timeout: Duration,
    /// The whole call, including the wait for a free connection.
    pub request_timeout: Duration,
    /// At most this many calls in flight, so at most this many connections
    /// (reqwest alone caps only idle ones); also the idle pool size.
    pub max_connections: usize,
}

/// The one CentralAuth client of the process. Cloning shares the connection
/// pool; never build one per request.
#[derive(Clone)]
pub struct CentralAuthClient {
    http: reqwest::Client,
    /// `Basic base64(client_id:secret)`, built once and marked sensitive so
    /// the HTTP stack never logs it.
    basic: HeaderValue,
    base: String,
    /// Parsed once; reqwest would parse a string on every call.
    verify_url: Url,
    userinfo_url: Url,
    logout_url: Url,
    organization_id: String,
    request_timeout: Duration,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for CentralAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralAuthClient")
            .field("base", &self.base)
            .field("organization_id", &self.organization_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    #[error("the CentralAuth credentials cannot be put in a header")]
    Header,
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}

/// `Basic base64(client_id:client_secret)`: the raw bytes, not URL-encoded
/// first (which is what OAuth libraries do, and CentralAuth does not expect).
pub fn basic_auth_value(client_id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")))
}

impl CentralAuthClient {
    pub fn new(config: &ClientConfig) -> Result<Self, ClientBuildError> {
        let mut basic = HeaderValue::from_str(&basic_auth_value(
            &config.organization_id,
            config.secret.expose(),
        ))
        .map_err(|_| ClientBuildError::Header)?;
        basic.set_sensitive(true);

        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_max_idle_per_host(config.max_connections)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_keepalive(Duration::from_secs(30))
            .tcp_nodelay(true)
            // An API answer that redirects is a misconfiguration, not a path to follow.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "centralauth-leptos-starter/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| ClientBuildError::Http(e.to_string()))?;

        let base = config.base_url.as_str().trim_end_matches('/').to_string();
        let endpoint = |path: &str| {
            Url::parse(&format!("{base}{path}")).map_err(|e| ClientBuildError::Http(e.to_string()))
        };
        let mut userinfo_url = endpoint("/api/v1/userinfo")?;
        userinfo_url
            .query_pairs_mut()
            .append_pair("domain", &config.app_origin);
        Ok(Self {
            http,
            basic,
            verify_url: endpoint("/api/v1/verify")?,
            userinfo_url,
            logout_url: endpoint("/api/v1/logout")?,
            base,
            organization_id: config.organization_id.clone(),
            request_timeout: config.request_timeout,
            permits: Arc::new(Semaphore::new(config.max_connections.max(1))),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The browser redirect that starts a sign-in, with the query in the
    /// order CentralAuth's own library sends it.
    pub fn login_url(&self, p: &LoginParams<'_>) -> String {
        let mut url = Url::parse(&format!("{}/login", self.base)).expect("base URL was validated");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("redirect_uri", p.redirect_uri);
            q.append_pair("client_id", &self.organization_id);
            q.append_pair("response_type", "code");
            if let Some(msg) = p.error_description {
                q.append_pair("error_description", msg);
            }
            if let Some(email) = p.email {
                q.append_pair("email", email);
            }
            q.append_pair("state", p.state);
            if p.affirm {
                q.append_pair("affirm", "1");
            }
            q.append_pair("code_challenge", p.code_challenge);
            q.append_pair("code_challenge_method", "S256");
        }
        url.into()
    }

    /// `POST /api/v1/verify`: trades the callback's code for tokens.
    pub async fn verify(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<TokenResponse, CentralAuthError> {
        let req = self.post(&self.verify_url).form(&[
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ]);
        let (status, body) = self.send("verify", req).await?;
        decode(status, &body)
    }

    /// `POST /api/v1/userinfo?domain=<app origin>`: the user behind a token,
    /// which also proves the session is still alive.
    pub async fn userinfo(
        &self,
        token: &Secret,
        client: &ClientContext,
    ) -> Result<User, CentralAuthError> {
        let ip = client
            .ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "0.0.0.0".into());
        let req = self
            .post(&self.userinfo_url)
            .header(
                header::USER_AGENT,
                client.user_agent.as_deref().unwrap_or("unknown"),
            )
            .header("auth-ip", ip)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(token.expose().to_string());
        let (status, body) = self.send("userinfo", req).await?;
        decode(status, &body)
    }

    /// `POST /api/v1/logout`: ends the CentralAuth session behind the token
    /// (access or ID token) for every app sharing it.
    pub async fn logout(&self, token: &Secret) -> Result<(), CentralAuthError> {
        let req = self
            .post(&self.logout_url)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(token.expose().to_string());
        self.send("logout", req).await.map(|_| ())
    }

    /// Whether CentralAuth answers at all: any HTTP answer below 500 to
    /// `GET {base}/` within `timeout`. No credentials are sent.
    pub async fn reachable(&self, timeout: Duration) -> Result<(), CentralAuthError> {
        let req = self.http.get(format!("{}/", self.base)).timeout(timeout);
        match req.send().await {
            Ok(res) if res.status().is_server_error() => Err(CentralAuthError::Api {
                status: res.status(),
                code: "serverError".into(),
                message: "server error".into(),
            }),
            Ok(_) => Ok(()),
            Err(e) => Err(CentralAuthError::from_reqwest(e, timeout)),
        }
    }

    fn post(&self, url: &Url) -> reqwest::RequestBuilder {
        self.http
            .post(url.clone())
            .header(header::AUTHORIZATION, self.basic.clone())
    }

    /// Sends, reads the whole body, and turns non-2xx answers into errors.
    async fn send(
        &self,
        endpoint: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, bytes::Bytes), CentralAuthError> {
        let started = Instant::now();
        // One deadline for waiting on a permit and the exchange itself.
        let result = tokio::time::timeout(self.request_timeout, async {
            let _permit = self
                .permits
                .acquire()
                .await
                .expect("semaphore never closed");
            let res = req.send().await?;
            let status = res.status();
            let body = res.bytes().await?;
            // hyper returns the connection to the pool from a task of its
            // own; let it run before the permit goes, or the next caller
            // finds no idle connection and opens one more than the cap.
            tokio::task::yield_now().await;
            Ok::<_, reqwest::Error>((status, body))
        })
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let result = match result {
            Ok(r) => r,
            Err(_elapsed) => {
                let err = CentralAuthError::Timeout(self.request_timeout);
                tracing::debug!(
                    endpoint,
                    error_code = err.error_code(),
                    elapsed_ms,
                    "centralauth call failed"
                );
                return Err(err);
            }
        };
        match result {
            Ok((status, body)) if status.is_success() => {
                tracing::debug!(endpoint, %status, elapsed_ms, "centralauth call");
                Ok((status, body))
            }
            Ok((status, body)) => {
                let err = CentralAuthError::from_response(status, &body);
                tracing::debug!(endpoint, %status, error_code = err.error_code(), elapsed_ms, "centralauth call failed");
                Err(err)
            }
            Err(e) => {
                let err = CentralAuthError::from_reqwest(e, self.request_timeout);
                tracing::debug!(
                    endpoint,
                    error_code = err.error_code(),
                    elapsed_ms,
                    "centralauth call failed"
                );
                Err(err)
            }
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
) -> Result<T, CentralAuthError> {
    serde_json::from_slice(body).map_err(|e| CentralAuthError::Decode {
        status,
        // serde's message names the field and position, never the value.
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> CentralAuthClient {
        CentralAuthClient::new(&ClientConfig {
            organization_id: "org-1".into(),
            secret: Secret::new("s3cr3t"),
            base_url: Url::parse(base).unwrap(),
            app_origin: "http://127.0.0.1:3000".into(),
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
            max_connections: 4,
        })
        .unwrap()
    }

    #[test]
    fn basic_auth_is_base64_of_raw_id_and_secret() {
        assert_eq!(
            basic_auth_value("CLIENT_ID", "CLIENT_SECRET"),
            "Basic Q0xJRU5UX0lEOkNMSUVOVF9TRUNSRVQ="
        );
        // A colon or non-ASCII byte is encoded as is, not percent-encoded first.
        assert_eq!(
            basic_auth_value("a:b", "ü"),
            format!("Basic {}", STANDARD.encode("a:b:ü"))
        );
    }

    #[test]
    fn an_affirmation_adds_affirm_1_before_the_challenge() {
        let url = client("https://centralauth.com").login_url(&LoginParams {
            redirect_uri: "http://127.0.0.1:3000/api/auth/callback",
            state: "st",
            code_challenge: "ch",
            affirm: true,
            ..Default::default()
        });
        let keys: Vec<String> = Url::parse(&url)
            .unwrap()
            .query_pairs()
            .map(|(k, _)| k.into_owned())
            .collect();
        let at = keys.iter().position(|k| k == "affirm").unwrap();
        assert_eq!(keys[at + 1], "code_challenge");
        assert!(url.contains("affirm=1"));
    }

    #[test]
    fn login_url_carries_every_required_parameter() {
        let url = client("https://centralauth.com").login_url(&LoginParams {
            redirect_uri: "http://127.0.0.1:3000/api/auth/callback?return_to=%2Faccount",
            state: "st",
            code_challenge: "ch",
            email: Some("a@b.example"),
            error_description: None,
            affirm: false,
        });
        let url = Url::parse(&url).unwrap();
        assert_eq!(
            url.origin().ascii_serialization(),
            "https://centralauth.com"
        );
        assert_eq!(url.path(), "/login");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "redirect_uri",
                "client_id",
                "response_type",
                "email",
                "state",
                "code_challenge",
                "code_challenge_method"
            ]
        );
        assert!(q.contains(&(
            "redirect_uri".into(),
            "http://127.0.0.1:3000/api/auth/callback?return_to=%2Faccount".into()
        )));
        assert!(q.contains(&("code_challenge_method".into(), "S256".into())));
    }

    #[test]
    fn login_url_keeps_a_base_path() {
        let url =
            client("http://127.0.0.1:3000/dev-centralauth").login_url(&LoginParams::default());
        assert!(
            url.starts_with("http://127.0.0.1:3000/dev-centralauth/login?"),
            "{url}"
        );
    }

    #[test]
    fn client_debug_output_has_no_secret() {
        let c = client("https://centralauth.com");
        let out = format!("{c:?} {:?}", c.basic);
        assert!(
            !out.contains("s3cr3t") && !out.contains(&STANDARD.encode("org-1:s3cr3t")),
            "{out}"
        );
    }
}
