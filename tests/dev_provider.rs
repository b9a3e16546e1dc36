//! The development CentralAuth as real processes: sessions survive a killed
//! server (what `cargo leptos watch` does on every save), a session ended
//! everywhere stays ended, the standalone provider refuses cross-site
//! sign-ins, its call log cannot be replayed, and memory stays flat over
//! 50,000 sign-in/sign-out cycles.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use centralauth_starter::dev_centralauth::{fingerprint, DEV_ORGANIZATION_ID, DEV_SECRET};
use reqwest::{header, redirect::Policy, Response, StatusCode};

/// Longer than the provider's save interval (50 ms) with room to spare.
const SAVED: Duration = Duration::from_millis(400);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn temp_state(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dev-provider-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("state.json")
}

/// A server process, killed with SIGKILL when dropped or restarted: no
/// goodbye, as when `cargo leptos watch` replaces it.
struct Server {
    child: Option<Child>,
    command: Box<dyn Fn() -> Command>,
    base: String,
}

impl Server {
    fn start(base: String, command: impl Fn() -> Command + 'static) -> Self {
        let mut server = Self {
            child: None,
            command: Box::new(command),
            base,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
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

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn app(port: u16, state: &Path) -> Server {
    let state = state.to_path_buf();
    Server::start(format!("http://127.0.0.1:{port}"), move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_centralauth-starter"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("DEV_CENTRALAUTH_STATE", &state);
        cmd
    })
}

/// The standalone provider, with `APP` registered.
fn standalone(port: u16, state: &Path, extra: &[(&str, &str)]) -> Server {
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
const APP: &str = "http://127.0.0.1:9";

/// A browser reduced to what these flows need: a cookie jar (one host, so
/// names are enough) and redirects followed by hand.
struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Response {
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

    async fn get(&mut self, url: &str) -> Response {
        let req = self.http.get(url);
        self.send(req).await
    }

    /// Goes through the provider's login page at `login_url`: the form
    /// when there is no provider session (returns where it redirects),
    /// straight back when there is. `.1` tells whether the form was shown.
    async fn through_provider(&mut self, login_url: &str, email: &str) -> (String, bool) {
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

fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_string()
}

fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

/// The app's view of the browser's session: the e-mail, or `None`.
async fn app_user(b: &mut Browser, base: &str) -> Option<String> {
    let res = b.get(&format!("{base}/api/auth/user")).await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    v["email"].as_str().map(str::to_string)
}

/// Signs in to the app through its embedded provider; whether the
/// provider's form was needed.
async fn app_sign_in(b: &mut Browser, base: &str) -> bool {
    let res = b.get(&format!("{base}/api/auth/login?return_to=%2F")).await;
    let login = absolute(base, &location(&res));
    let (callback, form_shown) = b.through_provider(&login, "ada@example.com").await;
    let res = b.get(&absolute(base, &callback)).await;
    assert!(res.status().is_redirection());
    assert!(b.jar.contains_key("access_token"), "no session cookie");
    form_shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_sessions_survive_a_killed_server_and_ended_ones_stay_ended() {
    let port = free_port();
    let state = temp_state("app");
    let mut server = app(port, &state);
    let base = server.base.clone();
    let mut b = Browser::new();

    assert!(
        app_sign_in(&mut b, &base).await,
        "first sign-in shows the form"
    );
    assert_eq!(
        app_user(&mut b, &base).await.as_deref(),
        Some("ada@example.com")
    );
    tokio::time::sleep(SAVED).await;
    server.restart();

    assert_eq!(
        app_user(&mut b, &base).await.as_deref(),
        Some("ada@example.com"),
        "signed out by a restart"
    );
    // The provider's own session came back too: no form, straight through.
    assert!(
        !app_sign_in(&mut b, &base).await,
        "provider forgot the browser"
    );
    // Saved as signed in, so what follows must save the logout itself.
    tokio::time::sleep(SAVED).await;

    let token = b.jar["access_token"].clone();
    let res = b
        .send(
            b.http
                .post(format!("{base}/api/auth/logout"))
                .form(&[("everywhere", "true"), ("return_to", "/")]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!b.jar.contains_key("access_token"));
    tokio::time::sleep(SAVED).await;
    server.restart();

    // The old token, replayed after the restart, names an ended session.
    b.jar.insert("access_token".into(), token);
    assert_eq!(
        app_user(&mut b, &base).await,
        None,
        "ended session came back"
    );
    assert!(
        app_sign_in(&mut b, &base).await,
        "provider autologin after logout everywhere"
    );
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}

/// The provider's API as an app calls it.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    async fn post(&self, path: &str, body: String, content_type: &str) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .basic_auth(DEV_ORGANIZATION_ID, Some(DEV_SECRET))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    async fn userinfo(&self, token: &str) -> Result<String, String> {
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

    async fn logout(&self, token: &str) -> StatusCode {
        self.post("/api/v1/logout", token.to_string(), "text/plain")
            .await
            .status()
    }
}

/// The authorize URL an app at `APP` would send a browser to.
fn authorize_url(base: &str, verifier: &str) -> String {
    let mut url = url::Url::parse(&format!("{base}/login")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", DEV_ORGANIZATION_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &format!("{APP}/api/auth/callback"))
        .append_pair("state", "s")
        .append_pair(
            "code_challenge",
            &centralauth_starter::centralauth::challenge_s256(verifier),
        )
        .append_pair("code_challenge_method", "S256");
    url.to_string()
}

/// Signs `b` in at the standalone provider and redeems the code: the
/// access token, and whether the form was shown.
async fn provider_sign_in(b: &mut Browser, api: &Api, email: &str) -> (String, bool) {
    let verifier = centralauth_starter::centralauth::new_verifier();
    let (back, form_shown) = b
        .through_provider(&authorize_url(&api.base, &verifier), email)
        .await;
    let back = url::Url::parse(&back).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code")
        .1
        .to_string();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("redirect_uri", &format!("{APP}/api/auth/callback"))
        .append_pair("code_verifier", &verifier)
        .finish();
    let res = api
        .post("/api/v1/verify", body, "application/x-www-form-urlencoded")
        .await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    (v["access_token"].as_str().unwrap().to_string(), form_shown)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_sessions_survive_a_killed_server_and_ended_ones_stay_ended() {
    let port = free_port();
    let state = temp_state("standalone");
    let mut server = standalone(port, &state, &[]);
    let api = Api::new(&server.base);
    let mut b = Browser::new();

    let (token, form_shown) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    assert!(form_shown);
    assert_eq!(api.userinfo(&token).await.unwrap(), "ada@example.com");
    tokio::time::sleep(SAVED).await;
    server.restart();

    assert_eq!(
        api.userinfo(&token).await.as_deref(),
        Ok("ada@example.com"),
        "token lost in a restart"
    );
    let (second, form_shown) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    assert!(!form_shown, "browser session lost in a restart");
    tokio::time::sleep(SAVED).await;

    assert_eq!(api.logout(&second).await, 200);
    tokio::time::sleep(SAVED).await;
    server.restart();

    for t in [&token, &second] {
        assert_eq!(api.userinfo(t).await, Err("sessionInactive".into()));
    }
    assert!(provider_sign_in(&mut b, &api, "ada@example.com").await.1);
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_provider_refuses_a_cross_site_sign_in_form() {
    let port = free_port();
    let state = temp_state("csrf");
    let server = standalone(port, &state, &[("DEV_CENTRALAUTH_STATE", "off")]);
    let login = authorize_url(&server.base, &"v".repeat(43));
    let url = url::Url::parse(&login).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("email".into(), "attacker@evil.example".into()));
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let post = |headers: &[(&str, &str)]| {
        let mut req = http.post(format!("{}/login", server.base)).form(&form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    for headers in [
        &[("origin", "http://evil.example")][..],
        &[("origin", "null")][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[
            ("origin", server.base.as_str()),
            ("sec-fetch-site", "same-site"),
        ][..],
    ] {
        let res = post(headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(
            res.headers().get(header::SET_COOKIE).is_none(),
            "{headers:?}"
        );
    }
    // The provider's own page posting to itself still signs in.
    let res = post(&[
        ("origin", server.base.as_str()),
        ("sec-fetch-site", "same-origin"),
    ])
    .await
    .unwrap();
    assert!(res.status().is_redirection());
    assert!(res.headers().get(header::SET_COOKIE).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_log_names_sessions_by_a_fingerprint_that_cannot_be_replayed() {
    let port = free_port();
    let state = temp_state("calls");
    let server = standalone(
        port,
        &state,
        &[
            ("DEV_CENTRALAUTH_STATE", "off"),
            ("DEV_CENTRALAUTH_TEST_HOOKS", "1"),
        ],
    );
    let api = Api::new(&server.base);
    let mut b = Browser::new();
    let (token, _) = provider_sign_in(&mut b, &api, "ada@example.com").await;
    api.userinfo(&token).await.unwrap();
    let cookie = b.jar["dev_centralauth_session"].clone();
    let session_id = cookie.rsplit_once('.').unwrap().0.to_string();

    let calls: serde_json::Value = reqwest::get(format!("{}/_test/calls", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logged: Vec<&str> = calls
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["session_id"].as_str())
        .collect();
    assert_eq!(
        logged.len(),
        2,
        "verify and userinfo name the session: {calls}"
    );
    assert!(logged.iter().all(|s| *s == fingerprint(&session_id)));
    assert!(
        !calls.to_string().contains(&session_id),
        "raw session id in the log"
    );
    assert!(!calls.to_string().contains(&token), "raw token in the log");

    // Neither the logged value nor the bare id works as the provider cookie.
    for replay in [logged[0].to_string(), session_id] {
        let mut thief = Browser::new();
        thief.jar.insert("dev_centralauth_session".into(), replay);
        let (_, form_shown) = thief
            .through_provider(&authorize_url(&server.base, "x"), "thief@evil.example")
            .await;
        assert!(form_shown, "a logged value signed the thief in");
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// One sign-in through the provider's form and code exchange, a userinfo,
/// and a sign-out: every other one "everywhere" (the session ends), the rest
/// "this app only" (the session stays, up to the cap).
async fn cycle(api: &Api, http: &reqwest::Client, i: usize) {
    let verifier = "v".repeat(43);
    let url = url::Url::parse(&authorize_url(&api.base, &verifier)).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("email".into(), format!("user{i}@example.com")));
    let res = http
        .post(format!("{}/login", api.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&res)).unwrap();
    let code = back.query_pairs().find(|(k, _)| k == "code").unwrap().1;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("redirect_uri", &format!("{APP}/api/auth/callback"))
        .append_pair("code_verifier", &verifier)
        .finish();
    let res = api
        .post("/api/v1/verify", body, "application/x-www-form-urlencoded")
        .await;
    let v: serde_json::Value = res.json().await.unwrap();
    let token = v["access_token"].as_str().unwrap();
    assert!(api.userinfo(token).await.is_ok());
    if i.is_multiple_of(2) {
        assert_eq!(api.logout(token).await, 200);
    }
}

async fn cycles(api: &Api, range: std::ops::Range<usize>) {
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    // Four at a time, so the provider's two worker threads stay busy.
    let mut tasks = tokio::task::JoinSet::new();
    for stream in 0..4 {
        let (api, http) = (api.clone(), http.clone());
        let ids: Vec<usize> = range.clone().filter(|i| i % 4 == stream).collect();
        tasks.spawn(async move {
            for i in ids {
                cycle(&api, &http, i).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_sign_in_cycles_leave_memory_flat() {
    const CAP: usize = 2_000;
    let port = free_port();
    let state = temp_state("memory");
    let cap = CAP.to_string();
    let server = standalone(
        port,
        &state,
        &[
            ("DEV_CENTRALAUTH_TEST_HOOKS", "1"),
            ("DEV_CENTRALAUTH_MAX_SESSIONS", &cap),
        ],
    );
    let api = Api::new(&server.base);
    let start_rss = rss_kib(server.pid());
    let stats = || async {
        let v: serde_json::Value = reqwest::get(format!("{}/_test/stats", server.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            v["live_sessions"].as_u64().unwrap(),
            v["pending_codes"].as_u64().unwrap(),
        )
    };
    // Full: at the cap, less the few sessions that were in flight (and later
    // ended everywhere) when an older one made room for them.
    let full =
        |(live, codes): (u64, u64)| (CAP as u64 - 4..=CAP as u64).contains(&live) && codes == 0;
    // Warm up until the cap is reached: what is held from here on is the plateau.
    cycles(&api, 0..2 * CAP + 1_000).await;
    assert!(full(stats().await), "{:?}", stats().await);
    let started = Instant::now();
    let before = rss_kib(server.pid());
    eprintln!(
        "RSS {before} KiB after the warm-up ({} KiB at start)",
        start_rss
    );
    cycles(&api, 100_000..150_000).await;
    let after = rss_kib(server.pid());
    assert!(full(stats().await), "leaked: {:?}", stats().await);
    eprintln!(
        "50,000 cycles in {:.1} s: RSS {before} KiB before, {after} KiB after",
        started.elapsed().as_secs_f64()
    );
    assert!(
        after <= before + 4 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    let _ = std::fs::remove_dir_all(state.parent().unwrap());
}
