//! The load benchmark's measuring: processes, the load generator, CPU and
//! memory readings, and the table rows.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, OnceLock,
    },
    time::{Duration, Instant},
};

pub struct Procs(pub Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn spawn(cmd: &mut Command) -> Child {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn")
}

pub async fn wait_for(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "{addr} did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[derive(Clone)]
pub struct Stats {
    pub n: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub lat: Vec<Duration>,
    /// CPU time per request in microseconds: servers (app and floor),
    /// provider, this load generator. `None` without /proc schedstat.
    pub cpu_us: Option<[f64; 3]>,
}

/// Process ids of the app, the provider and the floor server.
/// App, provider, floor, and the app with the session cache on.
pub static PIDS: OnceLock<[u32; 4]> = OnceLock::new();

/// Nanoseconds a process's threads have spent on a CPU (schedstat).
pub fn cpu_ns(pid: &str) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = 0;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// CPU used so far by the servers (both apps + floor; only one is busy at a
/// time), the provider and us. On a 2-core machine all three share the
/// cores, which bounds what a run can do.
pub fn cpu_now() -> Option<[u64; 3]> {
    let [app, provider, floor, cached] = PIDS.get()?.map(|p| p.to_string());
    Some([
        cpu_ns(&app)? + cpu_ns(&floor)? + cpu_ns(&cached)?,
        cpu_ns(&provider)?,
        cpu_ns("self")?,
    ])
}

impl Stats {
    pub fn rps(&self) -> f64 {
        self.n as f64 / self.elapsed.as_secs_f64()
    }
    pub fn pct(&self, p: f64) -> Duration {
        let mut l = self.lat.clone();
        l.sort();
        l[((l.len() as f64 - 1.0) * p).round() as usize]
    }
    pub fn max(&self) -> Duration {
        self.lat.iter().max().copied().unwrap_or_default()
    }
}

pub type MakeReq = Arc<dyn Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync>;

/// `n` requests, `c` at a time; a request counts as an error unless it
/// answers `expect`.
pub async fn load(n: usize, c: usize, make: MakeReq, expect: u16) -> Stats {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(c)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu_now();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..c {
        let (client, next, make) = (client.clone(), next.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                let res = make(&client, i).send().await;
                let ok = match res {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let _ = r.bytes().await;
                        status == expect
                    }
                    Err(_) => false,
                };
                lat.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::with_capacity(n);
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("task");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    let cpu_us = cpu_before.zip(cpu_now()).map(|(before, after)| {
        std::array::from_fn(|i| after[i].saturating_sub(before[i]) as f64 / 1e3 / n as f64)
    });
    Stats {
        n,
        errors,
        elapsed,
        lat: all,
        cpu_us,
    }
}

/// The run with the median throughput.
pub fn median(mut runs: Vec<Stats>) -> Stats {
    runs.sort_by(|a, b| a.rps().total_cmp(&b.rps()));
    runs.swap_remove(runs.len() / 2)
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

pub fn row(name: &str, c: usize, s: &Stats, floor: Option<&Stats>, conns: Option<u64>) {
    let ratio = floor
        .map(|f| format!("{:.2}x", s.rps() / f.rps()))
        .unwrap_or_else(|| "-".into());
    // CPU per request of the servers, the provider and the generator, and
    // how many of the machine's cores the run kept busy in all.
    let cpu = s
        .cpu_us
        .map(|[srv, prov, generator]| {
            let cores = (srv + prov + generator) * s.rps() / 1e6;
            format!("{srv:>7.1} {prov:>7.1} {generator:>7.1} {cores:>5.2}")
        })
        .unwrap_or_else(|| format!("{:>7} {:>7} {:>7} {:>5}", "-", "-", "-", "-"));
    println!(
        "{name:<24} {c:>4} {:>7} {:>9.0} {:>8} {:>8} {:>8} {:>6} {:>7} {:>6} {cpu}",
        s.n,
        s.rps(),
        ms(s.pct(0.5)),
        ms(s.pct(0.99)),
        ms(s.max()),
        s.errors,
        ratio,
        conns.map(|c| c.to_string()).unwrap_or_else(|| "-".into())
    );
}

pub fn header() {
    println!(
        "{:<24} {:>4} {:>7} {:>9} {:>8} {:>8} {:>8} {:>6} {:>7} {:>6} {:>7} {:>7} {:>7} {:>5}",
        "route",
        "conc",
        "reqs",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "÷floor",
        "conns",
        "srv us",
        "prov us",
        "gen us",
        "cores"
    );
    println!("  (us: CPU microseconds per request of the servers, the provider and the load generator; cores: CPU kept busy by all three)");
}

pub fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn open_sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .map(|t| t.to_string_lossy().starts_with("socket:"))
                        .unwrap_or(false)
                })
                .count()
        })
        .unwrap_or(0)
}
