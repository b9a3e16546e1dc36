//! What the page after a logout may claim: the server's outcome, never the link.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};

use crate::common::{self, harness, APP};

/// What the page a no-JavaScript logout lands on claims, found by loading
/// it with the cookies the logout set: `Some(everywhere)` or `None`.
async fn landing_claim(
    h: &common::Harness,
    return_to: &str,
    everywhere: bool,
) -> (Option<bool>, String) {
    let (_, token) = h.provider.create_session("ada@example.com");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", return_to)
        .append_pair("everywhere", if everywhere { "true" } else { "false" })
        .finish();
    let r = h
        .send(
            Request::post("/api/auth/fn/logout")
                .header(header::ORIGIN, APP)
                .header(header::ACCEPT, "text/html")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("access_token={token}"))
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.location.unwrap();
    let jar: Vec<String> = r
        .set_cookies
        .iter()
        .filter(|c| !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
        .collect();
    let page = h
        .send(
            Request::get(location.as_str())
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, jar.join("; "))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let claim = if page.body.contains("You are logged out everywhere") {
        Some(true)
    } else if page.body.contains("Of this app only") {
        Some(false)
    } else {
        None
    };
    (claim, location)
}

#[tokio::test]
async fn the_page_after_logout_claims_what_the_server_did_not_what_the_link_says() {
    let h = harness().await;
    // The review's link: a return URL asking the page to say "everywhere",
    // long enough that nothing else fits under the 2,048-byte cap.
    let padding = "a".repeat(2_020);
    let lying = format!("/?logged_out=everywhere&p={padding}");
    for everywhere in [false, true] {
        let (claim, location) = landing_claim(&h, &lying, everywhere).await;
        assert_eq!(claim, Some(everywhere), "landed on {location}");
        let (claim, _) = landing_claim(&h, "/?logged_out=here", everywhere).await;
        assert_eq!(claim, Some(everywhere));
    }
    // Just a link, with no logout: no claim at all.
    let page = h.get("/?logged_out=everywhere").await;
    assert!(!page.body.contains("You are logged out everywhere"));
    assert!(!page.body.contains("Of this app only"));
}

mod landing_property {
    use proptest::prelude::*;

    fn attacker_return_url() -> impl Strategy<Value = String> {
        let claim = prop_oneof![
            Just("logged_out=everywhere"),
            Just("logged_out=here"),
            Just("logged_out=%65verywhere"),
            Just("LOGGED_OUT=everywhere"),
            Just(""),
        ];
        (claim, 0usize..2_100, "[a-z/?&=#%.]{0,12}")
            .prop_map(|(claim, pad, tail)| format!("/?{claim}&p={}{tail}", "a".repeat(pad)))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Whatever return URL an attacker built, the landing page claims
        /// exactly the outcome of the logout that happened, or nothing.
        #[test]
        fn the_claimed_outcome_equals_the_real_one(return_to in attacker_return_url(), everywhere in any::<bool>()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let (claim, location) = rt.block_on(async {
                let h = super::harness().await;
                super::landing_claim(&h, &return_to, everywhere).await
            });
            prop_assert!(claim.is_none() || claim == Some(everywhere), "{:?} -> {} claimed {:?}", return_to, location, claim);
            if location.starts_with("/?") || location == "/" {
                prop_assert_eq!(claim, Some(everywhere), "{}", location);
            }
        }
    }
}
