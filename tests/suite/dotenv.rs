//! `.env` in the working directory is read at start-up; real environment
//! variables win; a malformed line stops start-up without showing its text.

use std::{
    path::PathBuf,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

fn dir_with_env(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dotenv-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), contents).unwrap();
    dir
}

fn server(dir: &PathBuf, vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(crate::app::BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("DEV_CENTRALAUTH_STATE", "off")
        .env("RUST_LOG", "off");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the server to its exit; one still running after 10 s is killed
/// and reported as such (it got past the configuration).
fn run(dir: &PathBuf, vars: &[(&str, &str)]) -> Output {
    let mut child = server(dir, vars)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server started instead of stopping at its configuration");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn the_server_reads_dot_env_from_its_working_directory() {
    // A public origin without credentials is refused: proof the value was read.
    let dir = dir_with_env("read", "# comment\nAPP_ORIGIN=https://app.example\n");
    let out = run(&dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("https://app.example"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn real_environment_variables_win_over_dot_env() {
    let dir = dir_with_env("wins", "APP_ORIGIN=https://app.example\n");
    let mut child = server(&dir, &[("APP_ORIGIN", "http://127.0.0.1:3000")])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // With the loopback origin from the environment the server starts and
    // keeps running; with .env's value it would have stopped at once.
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the server stopped: .env overrode the environment"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_dot_env_line_stops_start_up_without_showing_it() {
    let dir = dir_with_env(
        "malformed",
        "APP_ORIGIN=http://127.0.0.1:3000\nAUTH_SECRET 's3cr3t-value\n",
    );
    let out = run(&dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".env line 2"), "{stderr}");
    assert!(!stderr.contains("s3cr3t-value"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
