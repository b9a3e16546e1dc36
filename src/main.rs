#[tokio::main]
async fn main() -> std::process::ExitCode {
    centralauth_starter::server::init_tracing();
    let config = match centralauth_starter::config::load_dotenv()
        .and_then(|_| centralauth_starter::config::Config::from_env())
    {
        Ok(config) => config,
        Err(err) => {
            // Printed plainly as well, so the reason is visible whatever RUST_LOG says.
            eprintln!("configuration error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    match centralauth_starter::server::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("server error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
