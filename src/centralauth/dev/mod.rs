//! The embedded development CentralAuth: the same wire contract as the real
//! service (login page, `/api/v1/verify`, `/api/v1/userinfo`,
//! `/api/v1/logout`, error JSON), kept in memory, for running and testing the
//! starter with no account and no network. Never mounted when real
//! credentials are configured.

mod html;
mod store;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, SystemTime},
};

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use url::Url;

use store::{fingerprint, Store};
pub use store::{CallRecord, Endpoint, Fault};

use super::{basic_auth_value, Secret};

/// Where the app mounts the embedded provider.
pub const EMBEDDED_PATH: &str = "/dev-centralauth";
/// Development credentials: public on purpose, valid only against this provider.
pub const DEV_ORGANIZATION_ID: &str = "dev-organization";
pub const DEV_SECRET: &str = "dev-secret-not-for-production";
/// The provider's own browser cookie; its name and path keep it apart from
/// the app's cookies when both share a host.
pub const SESSION_COOKIE: &str = "dev_centralauth_session";
pub const DEMO_USERS: &[&str] = &["ada@example.com", "grace@example.com"];

#[derive(Debug, Clone)]
pub struct DevProviderConfig {
    /// The provider's URL as browsers and apps reach it, without trailing slash.
    pub public_base: String,
    pub organization_id: String,
    pub secret: Secret,
    /// App origins allowed as `redirect_uri` and `domain`.
    pub registered_origins: Vec<String>,
    pub test_hooks: bool,
    pub token_ttl: Duration,
}

impl DevProviderConfig {
    fn cookie_path(&self) -> String {
        let path = Url::parse(&self.public_base)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        if path.is_empty() {
            "/".into()
        } else {
            path
        }
    }
}

/// A handle on the provider; clones share its memory.
#[derive(Clone)]
pub struct DevProvider {
    inner: Arc<Inner>,
}

struct Inner {
    config: DevProviderConfig,
    expected_basic: String,
    store: Mutex<Store>,
    /// Set by a standalone server that can really stop listening.
    refusals: Mutex<Option<tokio::sync::mpsc::UnboundedSender<Duration>>>,
    /// TCP connections accepted, counted by a standalone server.
    connections: std::sync::atomic::AtomicU64,
}

impl DevProvider {
    pub fn new(config: DevProviderConfig) -> Self {
        let expected_basic = basic_auth_value(&config.organization_id, config.secret.expose());
        Self {
            inner: Arc::new(Inner {
                config,
                expected_basic,
                store: Mutex::new(Store::default()),
                refusals: Mutex::new(None),
                connections: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    pub fn config(&self) -> &DevProviderConfig {
        &self.inner.config
    }

    /// For a standalone server: receives "stop listening for this long" requests.
    pub fn refusal_requests(&self) -> tokio::sync::mpsc::UnboundedReceiver<Duration> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        *self
            .inner
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(tx);
        rx
    }

    /// Counts an accepted connection (the standalone server calls this).
    pub fn count_connection(&self) {
        self.inner
            .connections
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn connections_accepted(&self) -> u64 {
        self.inner
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.inner.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The API calls received so far (test hooks read this too).
    pub fn calls(&self) -> Vec<CallRecord> {
        self.store().calls().to_vec()
    }

    pub fn add_fault(&self, fault: Fault) {
        self.store().add_fault(fault);
    }

    pub fn clear_faults(&self) {
        self.store().clear_faults();
    }

    /// A signed-in session with tokens, without the browser flow (tests and benchmarks).
    pub fn create_session(&self, email: &str) -> (String, String) {
        let ttl = self.inner.config.token_ttl;
        let mut store = self.store();
        let session = store.create_session(email);
        let tokens = store.issue_tokens(&session.id, ttl);
        (session.id, tokens.access_token)
    }

    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let mut router = Router::new()
            .route("/", get(index))
            .route("/login", get(login_page).post(login_submit))
            .route("/api/v1/verify", post(verify))
            .route("/api/v1/userinfo", post(userinfo))
            .route("/api/v1/logout", post(logout))
            .route("/avatar/{file}", get(avatar));
        if self.inner.config.test_hooks {
            router = router
                .route("/_test/faults", post(add_fault).delete(clear_faults))
                .route("/_test/calls", get(list_calls).delete(clear_calls))
                .route("/_test/sessions", post(create_session_for_tests))
                .route("/_test/stats", get(stats));
        }
        router.with_state(self.clone())
    }

    fn registered(&self, origin: &str) -> bool {
        self.inner
            .config
            .registered_origins
            .iter()
            .any(|o| o == origin)
    }

    fn basic_ok(&self, headers: &HeaderMap) -> bool {
        let got = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // Compare digests so the time taken says nothing about the secret.
        Sha256::digest(got.as_bytes()) == Sha256::digest(self.inner.expected_basic.as_bytes())
    }

    fn avatar_url(&self, email: &str) -> String {
        let hash = hex(&Sha256::digest(email.trim().to_lowercase().as_bytes()));
        format!("{}/avatar/{hash}.svg", self.inner.config.public_base)
    }

    fn browser_session(&self, headers: &HeaderMap) -> Option<store::Session> {
        let id = read_cookie(headers, SESSION_COOKIE)?;
        self.store().active_session(&id).cloned()
    }

    fn session_cookie(&self, value: &str, max_age: Option<Duration>) -> String {
        let secure = self.inner.config.public_base.starts_with("https://");
        let mut c = Cookie::build((SESSION_COOKIE, value.to_string()))
            .path(self.inner.config.cookie_path())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure);
        c = match max_age {
            Some(age) => c.max_age(cookie::time::Duration::seconds(age.as_secs() as i64)),
            None => c.max_age(cookie::time::Duration::ZERO),
        };
        c.build().to_string()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// CentralAuth's error JSON.
fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "errorCode": code, "message": message })),
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// Browser side: the login page
// ---------------------------------------------------------------------------

/// A login request that passed the checks that make redirecting back safe.
struct Authorize {
    redirect_uri: Url,
    state: String,
    challenge: String,
    app_origin: String,
}

enum Refusal {
    /// The redirect target cannot be trusted: show a page, do not redirect.
    Page(&'static str, String),
    /// The request is wrong but the app is known: send the error back to it.
    Back(Box<Url>, Option<String>, &'static str, String),
}

const FORWARDED: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
];

impl DevProvider {
    fn check_authorize(&self, q: &HashMap<String, String>) -> Result<Authorize, Refusal> {
        let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
        if get("client_id") != self.inner.config.organization_id {
            return Err(Refusal::Page(
                "organizationIdMissing",
                "The client_id is missing or not known to this provider.".into(),
            ));
        }
        let redirect_uri = Url::parse(get("redirect_uri")).map_err(|_| {
            Refusal::Page(
                "callbackUrlMissing",
                "The redirect_uri is missing or not a URL.".into(),
            )
        })?;
        let app_origin = redirect_uri.origin().ascii_serialization();
        if !self.registered(&app_origin) {
            return Err(Refusal::Page(
                "callbackUrlInvalid",
                format!("{app_origin} is not a registered app origin."),
            ));
        }
        let state = q.get("state").filter(|s| !s.is_empty()).cloned();
        let back = |code, msg: &str| {
            Refusal::Back(
                Box::new(redirect_uri.clone()),
                state.clone(),
                code,
                msg.to_string(),
            )
        };
        if get("response_type") != "code" {
            return Err(back("missingFields", "response_type must be code"));
        }
        let Some(state) = state.clone() else {
            return Err(back("stateMissing", "The state parameter is missing"));
        };
        let challenge = get("code_challenge");
        if challenge.is_empty() {
            return Err(back(
                "codeChallengeMissing",
                "The code_challenge is missing",
            ));
        }
        if get("code_challenge_method") != "S256" {
            return Err(back(
                "codeChallengeInvalid",
                "Only code_challenge_method=S256 is supported",
            ));
        }
        Ok(Authorize {
            redirect_uri,
            state,
            challenge: challenge.to_string(),
            app_origin,
        })
    }

    /// Issues a code for the session and sends the browser back to the app.
    fn complete(&self, auth: &Authorize, session_id: &str, set_cookie: Option<String>) -> Response {
        let code = self
            .store()
            .issue_code(session_id, auth.redirect_uri.as_str(), &auth.challenge);
        let mut target = auth.redirect_uri.clone();
        target
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &auth.state);
        let mut res = Redirect::to(target.as_str()).into_response();
        if let Some(c) = set_cookie {
            res.headers_mut().append(
                header::SET_COOKIE,
                c.parse().expect("cookie is a valid header"),
            );
        }
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            "no-store".parse().expect("static header"),
        );
        res
    }
}

fn refuse(r: Refusal) -> Response {
    match r {
        Refusal::Page(code, msg) => {
            (StatusCode::BAD_REQUEST, Html(html::problem(code, &msg))).into_response()
        }
        Refusal::Back(mut url, state, code, msg) => {
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("error", code)
                    .append_pair("error_description", &msg);
                if let Some(state) = state {
                    q.append_pair("state", &state);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
    }
}

fn login_form_response(
    status: StatusCode,
    q: &HashMap<String, String>,
    auth: &Authorize,
    email: &str,
    error: Option<&str>,
) -> Response {
    let hidden: Vec<(&str, &str)> = FORWARDED
        .iter()
        .filter_map(|k| q.get(*k).map(|v| (*k, v.as_str())))
        .collect();
    let body = html::login(&html::LoginForm {
        hidden: &hidden,
        email,
        app_origin: &auth.app_origin,
        error,
        notice: q.get("error_description").map(String::as_str),
        demo_users: DEMO_USERS,
    });
    let mut res = (status, Html(body)).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("static header"),
    );
    res
}

async fn login_page(
    State(p): State<DevProvider>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let auth = match p.check_authorize(&q) {
        Ok(a) => a,
        Err(r) => return refuse(r),
    };
    // Already signed in at the provider: no form (what CentralAuth's
    // autologin gives), and the same session, so a session-wide logout
    // reaches every app that joined it.
    if let Some(session) = p.browser_session(&headers) {
        return p.complete(&auth, &session.id, None);
    }
    let email = q.get("email").map(String::as_str).unwrap_or("");
    login_form_response(StatusCode::OK, &q, &auth, email, None)
}

/// Any address of a plausible shape; the provider has no passwords.
pub fn validate_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim();
    if email.is_empty() {
        return Err("Please enter an e-mail address.");
    }
    let valid = email.len() <= 254
        && !email.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')
        })
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email.to_string())
    } else {
        Err("That does not look like an e-mail address (name@example.com).")
    }
}

async fn login_submit(State(p): State<DevProvider>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let auth = match p.check_authorize(&form) {
        Ok(a) => a,
        Err(r) => return refuse(r),
    };
    if form.contains_key("cancel") {
        return refuse(Refusal::Back(
            Box::new(auth.redirect_uri),
            Some(auth.state),
            "genericError",
            "The sign-in was cancelled.".into(),
        ));
    }
    let typed = form
        .get("demo_email")
        .or_else(|| form.get("email"))
        .map(String::as_str)
        .unwrap_or("");
    let email = match validate_email(typed) {
        Ok(e) => e,
        Err(msg) => {
            return login_form_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &auth,
                typed,
                Some(msg),
            )
        }
    };
    let session = p.store().create_session(&email);
    let cookie = p.session_cookie(&session.id, Some(Duration::from_secs(7 * 24 * 3600)));
    p.complete(&auth, &session.id, Some(cookie))
}

async fn index(State(p): State<DevProvider>, headers: HeaderMap) -> Response {
    let who = p.browser_session(&headers).map(|s| s.email);
    Html(html::index(
        who.as_deref(),
        &p.inner.config.registered_origins,
    ))
    .into_response()
}

async fn avatar(Path(file): Path<String>) -> Response {
    let Some(hash) = file
        .strip_suffix(".svg")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let hue = u16::from_str_radix(&hash[..4], 16).unwrap_or(0) % 360;
    // The hash hides the e-mail; the letter comes from the hash too.
    let letter = (b'A' + (u8::from_str_radix(&hash[4..6], 16).unwrap_or(0) % 26)) as char;
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        html::avatar_svg(letter, hue),
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// Server side: the API
// ---------------------------------------------------------------------------

struct ApiCall {
    endpoint: Endpoint,
    basic_auth_ok: bool,
    content_type: Option<String>,
}

impl DevProvider {
    /// Common start of every API call: faults, then the Basic check.
    async fn begin(&self, endpoint: Endpoint, headers: &HeaderMap) -> Result<ApiCall, Response> {
        let call = ApiCall {
            endpoint,
            basic_auth_ok: self.basic_ok(headers),
            content_type: headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        };
        let fault = self.store().take_fault(endpoint);
        if let Some(f) = fault {
            if f.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
            }
            if let Some(status) = f.status {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let code = f.error_code.unwrap_or_else(|| {
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        "tooManyRequests"
                    } else {
                        "genericError"
                    }
                    .to_string()
                });
                let message = f.message.unwrap_or_else(|| "Injected fault".into());
                self.finish(&call, None, status);
                return Err(api_error(status, &code, &message));
            }
        }
        if !call.basic_auth_ok {
            self.finish(&call, None, StatusCode::FORBIDDEN);
            return Err(api_error(
                StatusCode::FORBIDDEN,
                "noPermission",
                "The Authorization header does not hold this organization's client id and secret",
            ));
        }
        Ok(call)
    }

    fn finish(&self, call: &ApiCall, token: Option<&str>, status: StatusCode) {
        let mut store = self.store();
        let session_id = token.and_then(|t| store.session_id_for_token(t));
        store.record(CallRecord {
            endpoint: call.endpoint,
            basic_auth_ok: call.basic_auth_ok,
            content_type: call.content_type.clone(),
            token_fingerprint: token.map(fingerprint),
            session_id,
            status: status.as_u16(),
        });
    }
}

/// The fields of a form body: urlencoded (the docs, PHP, Rust and this
/// starter) or multipart/form-data (CentralAuth's NPM library posts
/// `FormData`), so an NPM-based app can use this provider too.
async fn form_fields(headers: &HeaderMap, body: Bytes) -> Result<HashMap<String, String>, String> {
    use axum::extract::{FromRequest, Multipart, Request};

    let multipart_type = headers.get(header::CONTENT_TYPE).filter(|v| {
        v.to_str().is_ok_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
    });
    let Some(content_type) = multipart_type else {
        return Ok(url::form_urlencoded::parse(&body).into_owned().collect());
    };
    let mut req = Request::new(axum::body::Body::from(body));
    req.headers_mut()
        .insert(header::CONTENT_TYPE, content_type.clone());
    let unreadable =
        |e: &dyn std::fmt::Display| format!("The multipart body could not be read: {e}");
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| unreadable(&e.body_text()))?;
    let mut fields = HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let value = field.text().await.map_err(|e| unreadable(&e))?;
        fields.insert(name, value);
    }
    Ok(fields)
}

async fn verify(State(p): State<DevProvider>, headers: HeaderMap, body: Bytes) -> Response {
    let call = match p.begin(Endpoint::Verify, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let form = match form_fields(&headers, body).await {
        Ok(f) => f,
        Err(why) => {
            p.finish(&call, None, StatusCode::BAD_REQUEST);
            return api_error(StatusCode::BAD_REQUEST, "genericError", &why);
        }
    };
    let (Some(code), Some(redirect_uri)) = (form.get("code"), form.get("redirect_uri")) else {
        p.finish(&call, None, StatusCode::BAD_REQUEST);
        return api_error(
            StatusCode::BAD_REQUEST,
            "missingFields",
            "code and redirect_uri are required (application/x-www-form-urlencoded or multipart/form-data)",
        );
    };
    let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
    let ttl = p.inner.config.token_ttl;
    let result = p.store().redeem_code(code, redirect_uri, verifier, ttl);
    match result {
        Ok(t) => {
            p.finish(&call, Some(&t.access_token), StatusCode::OK);
            let expires_at = cookie::time::OffsetDateTime::from(t.expires_at)
                .format(&cookie::time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            Json(serde_json::json!({
                "access_token": t.access_token,
                "id_token": t.id_token,
                "token_type": "Bearer",
                "expires_in": t.expires_in,
                "expires_at": expires_at,
            }))
            .into_response()
        }
        Err(e) => {
            p.finish(&call, None, StatusCode::BAD_REQUEST);
            api_error(StatusCode::BAD_REQUEST, e.code(), e.message())
        }
    }
}

async fn userinfo(
    State(p): State<DevProvider>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let call = match p.begin(Endpoint::Userinfo, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let token = body.trim();
    // `domain` may be an origin or a full URL (the PHP library sends the redirect URI).
    let domain_ok = q
        .get("domain")
        .and_then(|d| Url::parse(d).ok())
        .is_some_and(|u| p.registered(&u.origin().ascii_serialization()));
    if !domain_ok {
        p.finish(&call, Some(token), StatusCode::BAD_REQUEST);
        return api_error(
            StatusCode::BAD_REQUEST,
            "domainInvalid",
            "The domain is missing or not registered",
        );
    }
    if token.is_empty() {
        p.finish(&call, None, StatusCode::BAD_REQUEST);
        return api_error(
            StatusCode::BAD_REQUEST,
            "tokenInvalid",
            "An access token is missing in this request",
        );
    }
    let session = p.store().session_for_token(token).cloned();
    match session {
        Ok(s) => {
            p.finish(&call, Some(token), StatusCode::OK);
            let created = rfc3339(s.created);
            let id = hex(&Sha256::digest(s.email.to_lowercase().as_bytes()))[..24].to_string();
            Json(serde_json::json!({
                "id": format!("dev-{id}"),
                "email": s.email,
                "gravatar": p.avatar_url(&s.email),
                "verified": true,
                "blocked": false,
                "organizationId": p.inner.config.organization_id,
                "created": created,
                "updated": created,
                "lastLogin": created,
                "affirmationDate": created,
            }))
            .into_response()
        }
        Err(code) => {
            p.finish(&call, Some(token), StatusCode::BAD_REQUEST);
            api_error(StatusCode::BAD_REQUEST, code, "The session is not active")
        }
    }
}

async fn logout(State(p): State<DevProvider>, headers: HeaderMap, body: String) -> Response {
    let call = match p.begin(Endpoint::Logout, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let token = body.trim();
    let session_id = p.store().session_id_for_token(token);
    match session_id {
        Some(id) => {
            p.finish(&call, Some(token), StatusCode::OK);
            p.store().end_session(&id);
            StatusCode::OK.into_response()
        }
        None => {
            p.finish(
                &call,
                Some(token).filter(|t| !t.is_empty()),
                StatusCode::BAD_REQUEST,
            );
            api_error(
                StatusCode::BAD_REQUEST,
                "sessionMissing",
                "No session for this token",
            )
        }
    }
}

fn rfc3339(t: SystemTime) -> String {
    cookie::time::OffsetDateTime::from(t)
        .format(&cookie::time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Test hooks (only with DEV_CENTRALAUTH_TEST_HOOKS=1)
// ---------------------------------------------------------------------------

async fn add_fault(State(p): State<DevProvider>, Json(fault): Json<Fault>) -> Response {
    if let Some(ms) = fault.refuse_for_ms {
        let sender = p
            .inner
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        return match sender {
            Some(tx) if tx.send(Duration::from_millis(ms)).is_ok() => StatusCode::ACCEPTED.into_response(),
            _ => api_error(
                StatusCode::BAD_REQUEST,
                "genericError",
                "refuse_for_ms needs the standalone provider (bin dev-centralauth); the embedded one shares the app's listener",
            ),
        };
    }
    p.add_fault(fault);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(p): State<DevProvider>) -> StatusCode {
    p.clear_faults();
    StatusCode::NO_CONTENT
}

async fn list_calls(State(p): State<DevProvider>) -> Json<Vec<CallRecord>> {
    Json(p.calls())
}

async fn clear_calls(State(p): State<DevProvider>) -> StatusCode {
    p.store().clear_calls();
    StatusCode::NO_CONTENT
}

async fn stats(State(p): State<DevProvider>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "connections_accepted": p.connections_accepted() }))
}

#[derive(serde::Deserialize)]
struct NewSession {
    email: String,
}

/// Creates a signed-in session directly and returns its access token; for
/// tests and benchmarks that need many sessions without the browser flow.
async fn create_session_for_tests(
    State(p): State<DevProvider>,
    Json(req): Json<NewSession>,
) -> Response {
    let email = match validate_email(&req.email) {
        Ok(e) => e,
        Err(msg) => return api_error(StatusCode::BAD_REQUEST, "missingFields", msg),
    };
    let (session_id, access_token) = p.create_session(&email);
    Json(serde_json::json!({ "session_id": session_id, "access_token": access_token }))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation() {
        assert_eq!(
            validate_email("  ada@example.com "),
            Ok("ada@example.com".into())
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "a b@example.com",
            "a@b@c",
            "ada@.example",
            "<x>@y.z",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cookie_path_follows_the_mount() {
        let mut c = DevProviderConfig {
            public_base: "http://127.0.0.1:3000/dev-centralauth".into(),
            organization_id: DEV_ORGANIZATION_ID.into(),
            secret: Secret::new(DEV_SECRET),
            registered_origins: vec![],
            test_hooks: false,
            token_ttl: Duration::from_secs(60),
        };
        assert_eq!(c.cookie_path(), "/dev-centralauth");
        c.public_base = "http://127.0.0.1:3100".into();
        assert_eq!(c.cookie_path(), "/");
    }
}
