//! Shared by the integration tests.

use std::time::Duration;

use centralauth_starter::centralauth::{
    dev::{DevProvider, DevProviderConfig, DEV_ORGANIZATION_ID, DEV_SECRET},
    Secret,
};

/// The app origin the tests register with the provider.
pub const APP: &str = "http://127.0.0.1:3000";

/// A development provider serving on an ephemeral loopback port, with `APP`
/// registered. Returns it and its base URL.
pub async fn start_provider(test_hooks: bool) -> (DevProvider, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = DevProvider::new(DevProviderConfig {
        public_base: base.clone(),
        organization_id: DEV_ORGANIZATION_ID.into(),
        secret: Secret::new(DEV_SECRET),
        registered_origins: vec![APP.into()],
        test_hooks,
        token_ttl: Duration::from_secs(3600),
    });
    let app = provider.router::<()>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (provider, base)
}
