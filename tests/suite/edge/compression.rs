//! Answers compressed on the fly: pages and JSON to requests without a
//! session, at the fastest level; never an answer to a signed-in request,
//! whose page shows the user's e-mail next to text the request chose
//! (BREACH).

use axum::{
    body::Body,
    http::{header, Request},
};

use crate::common::harness;

fn get(path: &str, accept_encoding: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path)
        .header(header::ACCEPT, "text/html,*/*;q=0.8")
        .header(header::ACCEPT_ENCODING, accept_encoding);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("access_token={t}"));
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn only_answers_without_a_session_are_compressed_on_the_fly() {
    let h = harness().await;
    let encoding = |r: &crate::common::Reply| {
        r.headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_string())
    };
    for (accept, expected) in [("br, gzip", "br"), ("gzip", "gzip")] {
        for path in ["/", "/logout?return_to=%2Fattacker-text"] {
            let r = h.send(get(path, accept, None)).await;
            assert_eq!(encoding(&r).as_deref(), Some(expected), "{path} {accept}");
            let vary = r.headers.get(header::VARY).unwrap().to_str().unwrap();
            assert!(vary.contains("accept-encoding"), "{vary}");
        }
    }
    let r = h.send(get("/", "identity", None)).await;
    assert_eq!(encoding(&r), None);

    let (_, token) = h.provider.create_session("ada@example.com");
    for path in ["/", "/account", "/logout?return_to=%2Fattacker-text"] {
        let r = h.send(get(path, "br, gzip", Some(&token))).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.contains("ada@example.com"), "{path}: signed in");
        assert_eq!(encoding(&r), None, "{path}");
    }
}
