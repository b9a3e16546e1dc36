//! The development CentralAuth's memory stays flat: 50,000 sign-in/sign-out
//! cycles against the standalone process.

use std::time::Instant;

use reqwest::redirect::Policy;

use crate::common;

use common::processes::*;

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
    let token = redeem(api, &location(&res), &verifier).await;
    assert!(api.userinfo(&token).await.is_ok());
    if i.is_multiple_of(2) {
        assert_eq!(api.logout(&token).await, 200);
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
