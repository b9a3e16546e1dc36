//! Micro-benchmarks of the pure rules on the sign-in and sign-out paths.

#[path = "../tests/suite/app.rs"]
mod app;

use std::hint::black_box;

use crate::app::rules::{cookies, return_url::safe_return_url, state};
use criterion::{criterion_group, criterion_main, Criterion};

fn rules(c: &mut Criterion) {
    let allowed = vec![
        "http://127.0.0.1:3000".to_string(),
        "https://docs.example".to_string(),
    ];
    let mut g = c.benchmark_group("return_url");
    for (name, input) in [
        ("relative", "/account?tab=security"),
        ("allowed_absolute", "https://docs.example/guide"),
        ("hostile_encoded", "/%252F%252Fevil.example"),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| safe_return_url(black_box(Some(input)), black_box(&allowed)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("cookies");
    g.bench_function("set_access_token", |b| {
        b.iter(|| {
            cookies::set(
                cookies::ACCESS_TOKEN,
                black_box("dev_at_0123456789abcdef0123456789abcdef"),
                3600,
                true,
            )
        })
    });
    g.bench_function("clear_all_three", |b| {
        b.iter(|| cookies::all(true).map(|n| cookies::clear(black_box(n), true)))
    });
    g.finish();

    let key = state::StateKey::derive(crate::app::dev_centralauth::DEV_SECRET);
    let now = state::now_unix();
    let signed = state::sign(&key, now, "verifier");
    let mut g = c.benchmark_group("state");
    g.bench_function("sign", |b| {
        b.iter(|| state::sign(black_box(&key), black_box(now), "verifier"))
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            state::verify(
                black_box(&key),
                black_box(Some(signed.as_str())),
                black_box(now),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
