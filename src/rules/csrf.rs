//! Cross-site request refusal for every state-changing request.
//!
//! No token is needed: browsers tell us where a request comes from. A
//! request is refused when its `Origin` is not ours (`null` included) or
//! `Sec-Fetch-Site` says it came from another site or origin. Requests with
//! neither header (curl, server-to-server) pass: they carry no ambient
//! browser cookies an attacker could ride on. Same-origin form posts with
//! JavaScript off carry `Origin` and pass.

use crate::centralauth::log_safe;
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Refuse(&'static str),
}

/// The rule, as a plain function over the request's method and headers.
pub fn judge(
    method: &Method,
    origin: Option<&str>,
    fetch_site: Option<&str>,
    own_origin: &str,
) -> Verdict {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return Verdict::Allow;
    }
    if let Some(site) = fetch_site {
        match site.trim().to_ascii_lowercase().as_str() {
            "same-origin" | "none" => {}
            _ => return Verdict::Refuse("the request came from another site"),
        }
    }
    if let Some(origin) = origin {
        let origin = origin.trim();
        if origin.eq_ignore_ascii_case("null") {
            return Verdict::Refuse("the request came from an opaque origin");
        }
        if !origin.eq_ignore_ascii_case(own_origin) {
            return Verdict::Refuse("the request came from another origin");
        }
    }
    Verdict::Allow
}

/// What [`layer`] needs: the origin requests must come from, and the
/// stylesheet its refusal page links (none for a site without one).
#[derive(Debug, Clone)]
pub struct CrossSite {
    pub own_origin: String,
    pub stylesheet: Option<String>,
}

/// axum middleware applying [`judge`]; refusals get a readable 403.
pub async fn layer(
    State(policy): State<std::sync::Arc<CrossSite>>,
    req: Request,
    next: Next,
) -> Response {
    let h = req.headers();
    let origin = h.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("null"));
    let site = h
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or("cross-site"));
    match judge(req.method(), origin, site, &policy.own_origin) {
        Verdict::Allow => next.run(req).await,
        Verdict::Refuse(why) => {
            // Debug only: anyone can send these, and at warn a flood of
            // them would flood the log. Header values are escaped.
            tracing::debug!(
                method = %req.method(),
                path = %log_safe(req.uri().path(), 200),
                origin = origin.map(|o| log_safe(o, 200)),
                site = site.map(|s| log_safe(s, 50)),
                "refused cross-site request: {why}"
            );
            refusal_page(why, policy.stylesheet.as_deref())
        }
    }
}

fn refusal_page(why: &str, stylesheet: Option<&str>) -> Response {
    let stylesheet = stylesheet
        .map(|href| format!("<link rel=\"stylesheet\" href=\"{href}\">"))
        .unwrap_or_default();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Request refused</title>\
         {stylesheet}</head><body><main class=\"content\">\
         <section class=\"panel panel-error\" role=\"alert\"><h1>Request refused</h1>\
         <p>This request was refused because {why}. Nothing was changed.</p>\
         <p>If you meant to do this, go to <a href=\"/\">the app</a> and use its own buttons.</p>\
         </section></main></body></html>"
    );
    (
        StatusCode::FORBIDDEN,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://127.0.0.1:3000";

    #[test]
    fn the_rule_over_method_origin_and_fetch_site() {
        use Verdict::*;
        let refuse = |v: Verdict| matches!(v, Refuse(_));
        let cases: &[(Method, Option<&str>, Option<&str>, bool)] = &[
            // safe methods always pass: they change nothing
            (
                Method::GET,
                Some("https://evil.example"),
                Some("cross-site"),
                false,
            ),
            (Method::HEAD, None, Some("cross-site"), false),
            // same-origin browser posts, with or without JavaScript
            (Method::POST, Some(OWN), Some("same-origin"), false),
            (Method::POST, Some("HTTP://127.0.0.1:3000"), None, false),
            (Method::POST, None, Some("same-origin"), false),
            (Method::POST, None, Some("none"), false),
            // non-browser callers (curl, server to server)
            (Method::POST, None, None, false),
            // cross-site and cross-origin
            (
                Method::POST,
                Some("https://evil.example"),
                Some("cross-site"),
                true,
            ),
            (Method::POST, Some("https://evil.example"), None, true),
            (Method::POST, None, Some("cross-site"), true),
            (Method::POST, Some(OWN), Some("cross-site"), true),
            (
                Method::POST,
                Some("http://localhost:3002"),
                Some("same-site"),
                true,
            ),
            (
                Method::POST,
                Some("http://127.0.0.1:3002"),
                Some("same-site"),
                true,
            ),
            (Method::POST, Some("null"), None, true),
            (Method::POST, Some("null"), Some("cross-site"), true),
            (
                Method::POST,
                Some("http://127.0.0.1:3000.evil.example"),
                None,
                true,
            ),
            (Method::PUT, Some("https://evil.example"), None, true),
            (Method::DELETE, None, Some("cross-site"), true),
            (
                Method::PATCH,
                Some("https://evil.example"),
                Some("cross-site"),
                true,
            ),
        ];
        for (method, origin, site, refused) in cases {
            assert_eq!(
                refuse(judge(method, *origin, *site, OWN)),
                *refused,
                "{method} origin={origin:?} site={site:?}"
            );
        }
    }
}
