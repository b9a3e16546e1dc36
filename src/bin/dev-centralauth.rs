//! The development CentralAuth as a process of its own
//! (`cargo run --bin dev-centralauth`); see `dev_centralauth::standalone`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    app::dev_centralauth::standalone::main().await
}
