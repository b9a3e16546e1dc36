//! The provider's browser side: the sign-in page (with autologin when the
//! browser already has a provider session), its form, the index page and
//! avatars.

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use url::Url;

use super::{html, tokens::BrowserCookie, DevProvider, DEMO_USERS};

/// A login request that passed the checks that make redirecting back safe.
struct Authorize {
    redirect_uri: Url,
    state: String,
    challenge: String,
    app_origin: String,
    /// `affirm=1`: the user confirms who they are, even when signed in here.
    affirm: bool,
}

enum Refusal {
    /// The redirect target cannot be trusted: show a page, do not redirect.
    Page(&'static str, String),
    /// The request is wrong but the app is known: send the error back to it.
    Back(Box<Url>, Option<String>, &'static str, String),
}

const FORWARDED: &[&str] = &[
    "affirm",
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
            affirm: get("affirm") == "1",
        })
    }

    /// Issues a code for the session and sends the browser back to the app
    /// (with `affirm=1` after an affirmation, as CentralAuth's NPM library
    /// expects to find it).
    fn complete(&self, auth: &Authorize, session_id: &str, set_cookie: Option<String>) -> Response {
        let code = self.change(|store, now| {
            store.issue_code(session_id, auth.redirect_uri.as_str(), &auth.challenge, now)
        });
        let mut target = auth.redirect_uri.clone();
        {
            let mut q = target.query_pairs_mut();
            q.append_pair("code", &code)
                .append_pair("state", &auth.state);
            if auth.affirm {
                q.append_pair("affirm", "1");
            }
        }
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

impl DevProvider {
    /// Clears a cookie that names an ended session.
    fn drop_stale_cookie(&self, cookie: &BrowserCookie, mut res: Response) -> Response {
        if matches!(cookie, BrowserCookie::Stale) {
            res.headers_mut().append(
                header::SET_COOKIE,
                self.clear_session_cookie()
                    .parse()
                    .expect("cookie is a valid header"),
            );
        }
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
        affirm: auth.affirm,
    });
    let mut res = (status, Html(body)).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("static header"),
    );
    res
}

pub(super) async fn login_page(
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
    let cookie = p.browser_cookie(&headers);
    match cookie {
        // An affirmation always asks.
        BrowserCookie::Live(session) if !auth.affirm => {
            return p.complete(&auth, &session.id, None)
        }
        _ => {}
    }
    let email = q.get("email").map(String::as_str).unwrap_or("");
    let res = login_form_response(StatusCode::OK, &q, &auth, email, None);
    p.drop_stale_cookie(&cookie, res)
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

pub(super) async fn login_submit(
    State(p): State<DevProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    // Affirmed as the user of this browser's session: that session goes
    // on, affirmed now. Anyone else signs in anew, as on CentralAuth.
    if let (true, BrowserCookie::Live(session)) = (auth.affirm, p.browser_cookie(&headers)) {
        if session.email.eq_ignore_ascii_case(&email)
            && p.change(|store, now| store.affirm_session(&session.id, now))
        {
            return p.complete(&auth, &session.id, None);
        }
    }
    let session = p.change(|store, now| store.create_session(&email, now));
    let cookie = p.session_cookie(&session);
    p.complete(&auth, &session.id, Some(cookie))
}

pub(super) async fn index(State(p): State<DevProvider>, headers: HeaderMap) -> Response {
    let cookie = p.browser_cookie(&headers);
    let who = match &cookie {
        BrowserCookie::Live(session) => Some(session.email.as_str()),
        _ => None,
    };
    let res = Html(html::index(who, &p.inner.config.registered_origins)).into_response();
    p.drop_stale_cookie(&cookie, res)
}

pub(super) async fn avatar(Path(file): Path<String>) -> Response {
    // `<initial>-<sha256 of the e-mail>.svg`; `_` when the e-mail does not
    // start with a letter or digit.
    let Some((initial, hash)) = file.strip_suffix(".svg").and_then(|f| f.split_once('-')) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut initial_chars = initial.chars();
    let (Some(first), None) = (initial_chars.next(), initial_chars.next()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !(first.is_ascii_alphanumeric() || first == '_')
        || hash.len() != 64
        || !hash.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let hue = u16::from_str_radix(&hash[..4], 16).unwrap_or(0) % 360;
    let letter = if first == '_' {
        '?'
    } else {
        first.to_ascii_uppercase()
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            // Shown by the app's pages, which may be on another origin.
            (
                http::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin",
            ),
        ],
        html::avatar_svg(letter, hue),
    )
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
}
