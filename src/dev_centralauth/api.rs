//! The API apps call, server to server: `/api/v1/verify`, `/api/v1/userinfo`
//! and `/api/v1/logout`, with CentralAuth's Basic auth and error JSON, and
//! the faults and call log the test hooks drive.

use std::{
    collections::HashMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use sha2::{Digest, Sha256};
use url::Url;

use super::{fingerprint, CallRecord, DevProvider, Endpoint, Session};

/// CentralAuth's error JSON.
pub(super) fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "errorCode": code, "message": message })),
    )
        .into_response()
}

struct ApiCall {
    endpoint: Endpoint,
    basic_auth_ok: bool,
    content_type: Option<String>,
    auth_ip: Option<String>,
}

impl DevProvider {
    /// Common start of every API call: faults, then the Basic check.
    async fn begin(&self, endpoint: Endpoint, headers: &HeaderMap) -> Result<ApiCall, Response> {
        let call = ApiCall {
            endpoint,
            basic_auth_ok: self.authenticated(headers),
            content_type: headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            auth_ip: headers
                .get("auth-ip")
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

    /// Logs the call. The session is named when the token is one of ours
    /// (decrypted again only where the handler did not already).
    fn finish(&self, call: &ApiCall, token: Option<&str>, status: StatusCode) {
        let session_id = token.and_then(|t| self.claims(t)).map(|c| c.session_id);
        self.finish_with(call, token, session_id.as_deref(), status);
    }

    fn finish_with(
        &self,
        call: &ApiCall,
        token: Option<&str>,
        session_id: Option<&str>,
        status: StatusCode,
    ) {
        self.store().record(CallRecord {
            endpoint: call.endpoint,
            basic_auth_ok: call.basic_auth_ok,
            content_type: call.content_type.clone(),
            auth_ip: call.auth_ip.clone(),
            token_fingerprint: token.map(fingerprint),
            session_id: session_id.map(fingerprint),
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

pub(super) async fn verify(
    State(p): State<DevProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    let result = p.change(|store, now| store.redeem_code(code, redirect_uri, verifier, now));
    match result {
        Ok(session) => {
            let t = p.issue_tokens(&session);
            p.finish_with(
                &call,
                Some(&t.access_token),
                Some(&session.id),
                StatusCode::OK,
            );
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

pub(super) async fn userinfo(
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
    match p.session_for_token(token) {
        Ok(s) => {
            p.finish_with(&call, Some(token), Some(&s.id), StatusCode::OK);
            Json(p.user_json(&s)).into_response()
        }
        Err(code) => {
            p.finish(&call, Some(token), StatusCode::BAD_REQUEST);
            api_error(StatusCode::BAD_REQUEST, code, "The session is not active")
        }
    }
}

pub(super) async fn logout(
    State(p): State<DevProvider>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let call = match p.begin(Endpoint::Logout, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let token = body.trim();
    // An expired token still ends its session: "log out everywhere" must
    // not depend on how old the app's cookie is.
    let session_id = p.claims(token).map(|c| c.session_id);
    let ended = session_id
        .as_deref()
        .is_some_and(|id| p.change(|store, _| store.end_session(id)));
    match session_id.filter(|_| ended) {
        Some(id) => {
            p.finish_with(&call, Some(token), Some(&id), StatusCode::OK);
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

impl DevProvider {
    /// The avatar shows the e-mail's initial (what the app shows next to
    /// it anyway); the hash picks its colour and hides the rest.
    fn avatar_url(&self, email: &str) -> String {
        let email = email.trim().to_lowercase();
        let hash = hex(&Sha256::digest(email.as_bytes()));
        let initial = email
            .chars()
            .next()
            .filter(char::is_ascii_alphanumeric)
            .unwrap_or('_');
        format!(
            "{}/avatar/{initial}-{hash}.svg",
            self.inner.config.public_base
        )
    }

    /// The user as userinfo and the ID token show it.
    pub(super) fn user_json(&self, s: &Session) -> serde_json::Value {
        let created = rfc3339(UNIX_EPOCH + Duration::from_millis(s.created));
        let affirmed = rfc3339(UNIX_EPOCH + Duration::from_millis(s.affirmed.unwrap_or(s.created)));
        let id = hex(&Sha256::digest(s.email.to_lowercase().as_bytes()))[..24].to_string();
        serde_json::json!({
            "id": format!("dev-{id}"),
            "email": s.email,
            "gravatar": self.avatar_url(&s.email),
            "verified": true,
            "blocked": false,
            "organizationId": self.inner.config.organization_id,
            "created": created,
            "updated": created,
            "lastLogin": created,
            "affirmationDate": affirmed,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(t: SystemTime) -> String {
    cookie::time::OffsetDateTime::from(t)
        .format(&cookie::time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
