//! The app's server; everything it does lives in the library (`server`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    app::server::main().await
}
