//! The place for the app's own code to follow the session's life: one
//! [`AuthHooks`] implementation, called on the server once per event, after
//! the event happened: signed in (with the user), logged out (this app or
//! everywhere, with the user when the server knows it without asking
//! CentralAuth, i.e. from the session cache), and a session found gone
//! (ended at CentralAuth, expired; the user when known the same way).
//!
//! The answer to the browser waits for the hook at most [`Hooks::wait`];
//! a hook that takes longer goes on in the background, and one that fails
//! or panics is logged. Neither changes the answer. The starter's own hook,
//! [`AuditLog`], writes one line per event (target `app::audit`). Replace it
//! in `build_state` (`src/state.rs`) with yours, or call it from yours.

use std::{
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, Waker},
    time::Duration,
};

use tracing::Instrument;

use crate::centralauth::{log_safe, User};

#[derive(Debug, Clone, PartialEq)]
pub enum AuthEvent {
    SignedIn {
        user: User,
        /// An affirmation: the user confirmed who they are (CentralAuth's
        /// `affirmationDate` is now).
        affirmed: bool,
    },
    LoggedOut {
        /// `true`: the CentralAuth session ended too ("log out everywhere").
        everywhere: bool,
        user: Option<User>,
    },
    SessionGone {
        user: Option<User>,
    },
}

impl AuthEvent {
    pub fn name(&self) -> &'static str {
        match self {
            Self::SignedIn { .. } => "signed_in",
            Self::LoggedOut { .. } => "logged_out",
            Self::SessionGone { .. } => "session_gone",
        }
    }
}

pub type HookError = Box<dyn std::error::Error + Send + Sync>;
pub type HookFuture = Pin<Box<dyn Future<Output = Result<(), HookError>> + Send>>;

pub trait AuthHooks: Send + Sync + 'static {
    fn on_event(&self, event: AuthEvent) -> HookFuture;
}

/// The hook in use and how long an answer waits for it.
#[derive(Clone)]
pub struct Hooks {
    handler: Arc<dyn AuthHooks>,
    pub wait: Duration,
}

impl Default for Hooks {
    fn default() -> Self {
        Self::new(AuditLog, Self::WAIT)
    }
}

impl Hooks {
    pub const WAIT: Duration = Duration::from_secs(1);

    pub fn new(handler: impl AuthHooks, wait: Duration) -> Self {
        Self {
            handler: Arc::new(handler),
            wait,
        }
    }

    /// Runs the hook for `event` in the request's log span, waiting at most
    /// `wait`. A hook that finishes at once (the audit line) is done inline;
    /// one that has to wait goes on in a task of its own, so the answer is
    /// not held up past the bound. A panic is caught either way.
    pub async fn notify(&self, event: AuthEvent) {
        let name = event.name();
        let first = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let mut hook = Box::pin(self.handler.on_event(event).in_current_span());
            let mut cx = Context::from_waker(Waker::noop());
            let poll = hook.as_mut().poll(&mut cx);
            (hook, poll)
        }));
        let outcome = match first {
            Ok((_, Poll::Ready(result))) => Ok(Ok(result)),
            Ok((hook, Poll::Pending)) => tokio::time::timeout(self.wait, tokio::spawn(hook))
                .await
                .map(|joined| joined.map_err(|_| ())),
            Err(_) => Ok(Err(())),
        };
        match outcome {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                tracing::warn!(
                    event = name,
                    "auth hook failed: {}",
                    log_safe(&e.to_string(), 300)
                )
            }
            Ok(Err(())) => tracing::error!(event = name, "auth hook panicked"),
            Err(_) => tracing::warn!(
                event = name,
                wait_ms = self.wait.as_millis() as u64,
                "auth hook still running; the answer did not wait for it"
            ),
        }
    }
}

/// The starter's hook: an audit line per event, with the user's id (no
/// e-mail: an id is enough to look the rest up, and keeps logs lean of
/// personal data).
pub struct AuditLog;

impl AuthHooks for AuditLog {
    fn on_event(&self, event: AuthEvent) -> HookFuture {
        Box::pin(async move {
            let id = |user: &Option<User>| {
                user.as_ref()
                    .map(|u| log_safe(&u.id, 100))
                    .unwrap_or_else(|| "unknown".into())
            };
            match &event {
                AuthEvent::SignedIn { user, affirmed } => tracing::info!(
                    target: "app::audit",
                    event = "signed_in",
                    affirmed,
                    user_id = %log_safe(&user.id, 100),
                    "audit: signed in"
                ),
                AuthEvent::LoggedOut { everywhere, user } => tracing::info!(
                    target: "app::audit",
                    event = "logged_out",
                    scope = if *everywhere { "everywhere" } else { "this_app" },
                    user_id = %id(user),
                    "audit: logged out"
                ),
                AuthEvent::SessionGone { user } => tracing::info!(
                    target: "app::audit",
                    event = "session_gone",
                    user_id = %id(user),
                    "audit: session found gone"
                ),
            }
            Ok(())
        })
    }
}
