//! Real server processes for the tests: start, SIGKILL, restart; a minimal
//! browser (cookie jar, redirects by hand); the provider's API as an app
//! calls it.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::app::dev_centralauth::{DEV_ORGANIZATION_ID, DEV_SECRET};
use reqwest::{header, redirect::Policy, Response, StatusCode};

/// Longer than the provider's save interval (50 ms) with room to spare.
pub const SAVED: Duration = Duration::from_millis(400);

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn temp_state(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dev-provider-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("state.json")
}

/// A server process, killed with SIGKILL when dropped or restarted: no
/// goodbye, as when `cargo leptos watch` replaces it.
pub struct Server {
    pub child: Option<Child>,
    pub command: Box<dyn Fn() -> Command>,
    pub base: String,
}

impl Server {
    pub fn start(base: String, command: impl Fn() -> Command + 'static) -> Self {
        let mut server = Self {
            child: None,
            command: Box::new(command),
            base,
        };
        server.spawn();
        server
    }

    pub fn spawn(&mut self) {
        let child = (self.command)()
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        let addr = self.base.trim_start_matches("http://").to_string();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "{} did not start", self.base);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn app(port: u16, state: &Path) -> Server {
    let state = state.to_path_buf();
    Server::start(format!("http://127.0.0.1:{port}"), move || {
        let mut cmd = Command::new(crate::app::BIN);
        // Not the checkout: a developer's .env there must not change the test.
        cmd.current_dir(std::env::temp_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("DEV_CENTRALAUTH_STATE", &state);
        cmd
    })
}

/// The standalone provider, with `APP` registered.
pub fn standalone(port: u16, state: &Path, extra: &[(&str, &str)]) -> Server {
    let state = state.to_path_buf();
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Server::start(format!("http://127.0.0.1:{port}"), move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dev-centralauth"));
        cmd.env_clear()
            .env("DEV_CENTRALAUTH_ADDR", format!("127.0.0.1:{port}"))
            .env("DEV_CENTRALAUTH_ORIGINS", APP)
            .env("DEV_CENTRALAUTH_STATE", &state);
        for (k, v) in &extra {
            cmd.env(k, v);
        }
        cmd
    })
}

/// An app origin the standalone provider knows; nothing listens there, the
/// tests read the code from the redirect.
pub const APP: &str = "http://127.0.0.1:9";

/// A browser reduced to what these flows need: a cookie jar (one host, so
/// names are enough) and redirects followed by hand.
pub struct Browser {
    pub http: reqwest::Client,
    pub jar: HashMap<String, String>,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Response {
        let res = req
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        for value in res.headers().get_all(header::SET_COOKIE) {
            let c = cookie::Cookie::parse(value.to_str().unwrap().to_string()).unwrap();
            let gone = c.value().is_empty() || c.max_age().is_some_and(|a| a.is_zero());
            if gone {
                self.jar.remove(c.name());
            } else {
                self.jar.insert(c.name().to_string(), c.value().to_string());
            }
        }
        res
    }

    pub async fn get(&mut self, url: &str) -> Response {
        let req = self.http.get(url);
        self.send(req).await
    }

    /// Goes through the provider's login page at `login_url`: the form
    /// when there is no provider session (returns where it redirects),
    /// straight back when there is. `.1` tells whether the form was shown.
    pub async fn through_provider(&mut self, login_url: &str, email: &str) -> (String, bool) {
        let res = self.get(login_url).await;
        if res.status() == StatusCode::SEE_OTHER || res.status() == StatusCode::FOUND {
            return (location(&res), false);
        }
        assert_eq!(res.status(), 200, "provider login page");
        let url = url::Url::parse(login_url).unwrap();
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("email".into(), email.into()));
        let post = format!("{}://{}{}", url.scheme(), url.authority(), url.path());
        let req = self.http.post(post).form(&form);
        let res = self.send(req).await;
        assert!(res.status().is_redirection(), "{}", res.status());
        (location(&res), true)
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_string()
}

pub fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

/// The app's view of the browser's session: the e-mail, or `None`.
pub async fn app_user(b: &mut Browser, base: &str) -> Option<String> {
    let res = b.get(&format!("{base}/api/auth/user")).await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    v["email"].as_str().map(str::to_string)
}

/// Signs in to the app through its embedded provider; whether the
/// provider's form was needed.
pub async fn app_sign_in(b: &mut Browser, base: &str) -> bool {
    let res = b.get(&format!("{base}/api/auth/login?return_to=%2F")).await;
    let login = absolute(base, &location(&res));
    let (callback, form_shown) = b.through_provider(&login, "ada@example.com").await;
    let res = b.get(&absolute(base, &callback)).await;
    assert!(res.status().is_redirection());
    assert!(b.jar.contains_key("access_token"), "no session cookie");
    form_shown
}

/// The provider's API as an app calls it.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    pub async fn post(&self, path: &str, body: String, content_type: &str) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .basic_auth(DEV_ORGANIZATION_ID, Some(DEV_SECRET))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn userinfo(&self, token: &str) -> Result<String, String> {
        let path = format!("/api/v1/userinfo?domain={APP}");
        let res = self.post(&path, token.to_string(), "text/plain").await;
        let status = res.status();
        let v: serde_json::Value = res.json().await.unwrap();
        if status == 200 {
            Ok(v["email"].as_str().unwrap().to_string())
        } else {
            Err(v["errorCode"].as_str().unwrap_or("").to_string())
        }
    }

    pub async fn logout(&self, token: &str) -> StatusCode {
        self.post("/api/v1/logout", token.to_string(), "text/plain")
            .await
            .status()
    }
}

/// The authorize URL an app at `APP` would send a browser to.
pub fn authorize_url(base: &str, verifier: &str) -> String {
    let mut url = url::Url::parse(&format!("{base}/login")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", DEV_ORGANIZATION_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &format!("{APP}/api/auth/callback"))
        .append_pair("state", "s")
        .append_pair(
            "code_challenge",
            &crate::app::centralauth::challenge_s256(verifier),
        )
        .append_pair("code_challenge_method", "S256");
    url.to_string()
}

/// Signs `b` in at the standalone provider and redeems the code: the
/// access token, and whether the form was shown.
pub async fn provider_sign_in(b: &mut Browser, api: &Api, email: &str) -> (String, bool) {
    let verifier = crate::app::centralauth::new_verifier();
    let (back, form_shown) = b
        .through_provider(&authorize_url(&api.base, &verifier), email)
        .await;
    (redeem(api, &back, &verifier).await, form_shown)
}

/// The app's side of a callback: the code from the provider's redirect
/// (`back`) traded for an access token, as `APP` would.
pub async fn redeem(api: &Api, back: &str, verifier: &str) -> String {
    let back = url::Url::parse(back).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code")
        .1
        .to_string();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("redirect_uri", &format!("{APP}/api/auth/callback"))
        .append_pair("code_verifier", verifier)
        .finish();
    let res = api
        .post("/api/v1/verify", body, "application/x-www-form-urlencoded")
        .await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}
