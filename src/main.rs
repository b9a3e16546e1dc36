//! The app's server; everything it does lives in the library (`server`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    centralauth_starter::server::main().await
}
