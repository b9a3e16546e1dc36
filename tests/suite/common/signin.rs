//! Signing in through the real router and the development provider on
//! loopback, as a browser would: the app's cookies kept here, the
//! provider's in a [`Browser`].

use std::collections::HashMap;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

use super::{processes::Browser, Harness, Reply};

/// One browser: its cookies for the app, and for the provider.
pub struct Visitor {
    pub app: HashMap<String, String>,
    pub provider: Browser,
}

impl Visitor {
    pub fn new() -> Self {
        Self {
            app: HashMap::new(),
            provider: Browser::new(),
        }
    }

    /// A GET to the app with this browser's cookies; keeps what it sets.
    pub async fn get(&mut self, h: &Harness, path_and_query: &str) -> Reply {
        let cookie = self
            .app
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = Request::get(path_and_query)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let r = h.send(req).await;
        for c in &r.set_cookies {
            let c = cookie::Cookie::parse(c.clone()).unwrap();
            if c.value().is_empty() || c.max_age().is_some_and(|a| a.is_zero()) {
                self.app.remove(c.name());
            } else {
                self.app.insert(c.name().into(), c.value().into());
            }
        }
        r
    }

    /// Follows a redirect to the provider's sign-in page, signs in as
    /// `email` if it asks, and brings the callback back to the app.
    /// Returns the callback's answer and whether the form was shown.
    pub async fn through_provider(
        &mut self,
        h: &Harness,
        to_provider: &Reply,
        email: &str,
    ) -> (Reply, bool) {
        assert_eq!(
            to_provider.status,
            StatusCode::FOUND,
            "{}",
            to_provider.body
        );
        let login = to_provider.location.clone().unwrap();
        let (callback, form_shown) = self.provider.through_provider(&login, email).await;
        let url = url::Url::parse(&callback).unwrap();
        let path = format!("{}?{}", url.path(), url.query().unwrap_or(""));
        (self.get(h, &path).await, form_shown)
    }

    /// A full sign-in as `email`.
    pub async fn sign_in(&mut self, h: &Harness, email: &str) {
        let to_provider = self.get(h, "/api/auth/login?return_to=%2F").await;
        let (back, _) = self.through_provider(h, &to_provider, email).await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
        assert!(self.app.contains_key("access_token"), "no session cookie");
    }
}
