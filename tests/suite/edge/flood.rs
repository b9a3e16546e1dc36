//! A flood of idle connections against the real server binary.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::common;

/// With 2,000 idle or header-trickling connections held against the real
/// server binary (cap 256), a normal request is answered within a second.
/// Prints the server's memory per held connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_connections_do_not_lock_out_a_normal_request() {
    raise_open_file_limit(6_000);
    let port = common::processes::free_port();
    let state = common::processes::temp_state("flood");
    let _server = common::processes::Server::start(format!("http://127.0.0.1:{port}"), move || {
        let mut cmd = std::process::Command::new(crate::app::BIN);
        cmd.current_dir(std::env::temp_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("DEV_CENTRALAUTH_STATE", &state)
            .env("HTTP_MAX_CONNECTIONS", "256");
        cmd
    });
    let pid = _server.pid();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let rss_before = rss_kib(pid);
    let mut held = Vec::new();
    for i in 0..2_000 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            // Trickling: part of a request line, never finished.
            s.write_all(b"GET / HTTP/1.1\r\nX-Slow: a").await.unwrap();
        }
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_held = rss_kib(pid);
    for _ in 0..5 {
        let started = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /api/auth/user HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
            .await
            .expect("no answer within 5 s")
            .unwrap();
        let took = started.elapsed();
        assert!(
            out.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&out)
        );
        assert!(took < Duration::from_secs(1), "answered after {took:?}");
        // The attacker opens more meanwhile.
        for _ in 0..100 {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
    }
    println!(
        "server RSS: {rss_before} KiB before, {rss_held} KiB with 2,000 connections held (cap 256): {:.1} KiB per held connection",
        (rss_held.saturating_sub(rss_before)) as f64 / 2_000.0
    );
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn raise_open_file_limit(want: u64) {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        if lim.rlim_cur < want {
            lim.rlim_cur = want.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
