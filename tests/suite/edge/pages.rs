//! Every page has its own title and meta description (Lighthouse's SEO
//! audits; search engines show them).

use axum::{
    body::Body,
    http::{header, Request},
};

use crate::common::harness;

#[tokio::test]
async fn every_page_has_its_own_title_and_description() {
    let h = harness().await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let mut seen = std::collections::HashSet::new();
    for (path, signed_in) in [
        ("/", false),
        ("/", true),
        ("/account", true),
        ("/logout", true),
        ("/auth/error?reason=state_expired", false),
        ("/no-such-page", false),
    ] {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if signed_in {
            req = req.header(header::COOKIE, format!("access_token={token}"));
        }
        let r = h.send(req.body(Body::empty()).unwrap()).await;
        let between = |open: &str, close: &str| {
            let start = r.body.find(open).map(|i| i + open.len())?;
            let end = r.body[start..].find(close)? + start;
            Some(r.body[start..end].to_string())
        };
        let title = between("<title>", "</title>").unwrap_or_default();
        let description =
            between("<meta name=\"description\" content=\"", "\"").unwrap_or_default();
        assert!(title.len() > 3, "{path}: title {title:?}");
        assert!(
            description.len() > 20,
            "{path}: description {description:?}"
        );
        assert_eq!(r.body.matches("name=\"description\"").count(), 1, "{path}");
        seen.insert((title, description));
    }
    // Signed in or not, "/" is one page; the others differ from each other.
    assert_eq!(seen.len(), 5, "{seen:?}");
}
