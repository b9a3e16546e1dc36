//! Whether CentralAuth answers, for `/readyz`: probed at most once per
//! [`CHECK_EVERY`] however often it is asked, within [`PROBE_TIMEOUT`].

use std::time::{Duration, Instant};

use super::CentralAuthClient;

pub const CHECK_EVERY: Duration = Duration::from_secs(5);
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The last readiness check: when, and whether CentralAuth answered.
#[derive(Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

impl Readiness {
    /// The remembered answer while fresh; else one probe, which callers
    /// arriving meanwhile wait for instead of sending their own.
    pub async fn ready(&self, client: &CentralAuthClient) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, ready)) = *last {
            if at.elapsed() < CHECK_EVERY {
                return ready;
            }
        }
        let ready = match client.reachable(PROBE_TIMEOUT).await {
            Ok(()) => true,
            Err(e) => {
                // Said when it changes, not on every probe.
                if last.is_none_or(|(_, was)| was) {
                    tracing::warn!(
                        error_code = e.error_code(),
                        "not ready: CentralAuth does not answer: {e}"
                    );
                }
                false
            }
        };
        if ready && last.is_some_and(|(_, was)| !was) {
            tracing::info!("ready: CentralAuth answers again");
        }
        *last = Some((Instant::now(), ready));
        ready
    }
}
