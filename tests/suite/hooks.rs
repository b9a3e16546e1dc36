//! The hooks for the app's own code (`src/hooks.rs`): each event once, with
//! what is known; a slow, failing or panicking hook bounded and logged; the
//! starter's audit line.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::http::StatusCode;

use crate::app::hooks::{AuthEvent, AuthHooks, HookFuture, Hooks};
use crate::common::{self, form_logout as logout, signin::Visitor, LogCapture};

/// Records every event; optionally slow or failing.
#[derive(Clone, Default)]
struct Recorder {
    events: Arc<Mutex<Vec<AuthEvent>>>,
    delay: Duration,
    fail: bool,
}

impl AuthHooks for Recorder {
    fn on_event(&self, event: AuthEvent) -> HookFuture {
        let me = self.clone();
        Box::pin(async move {
            tokio::time::sleep(me.delay).await;
            me.events.lock().unwrap().push(event);
            if me.fail {
                Err("the audit database is down\r\nINFO forged".into())
            } else {
                Ok(())
            }
        })
    }
}

#[tokio::test]
async fn hooks_hear_sign_in_logout_and_a_session_found_gone_once_each() {
    let rec = Recorder::default();
    let cache = [("AUTH_SESSION_CACHE_SECONDS", "60")];
    let h = common::harness_with_hooks(&cache, Hooks::new(rec.clone(), Hooks::WAIT)).await;
    let mut v = Visitor::new();
    v.sign_in(&h, "ada@example.com").await;
    let token = v.app["access_token"].clone();
    h.send(logout(&token, true)).await;

    // A session ended elsewhere, found by the next check.
    let (_, other) = h.provider.create_session("bob@example.com");
    // Ended through the provider's API, as another app would.
    let api = crate::common::processes::Api::new(&h.provider_base());
    assert_eq!(api.logout(&other).await, StatusCode::OK);
    let mut bob = Visitor::new();
    bob.app.insert("access_token".into(), other);
    bob.get(&h, "/api/auth/user").await;
    // A token that never was one is not an event.
    let mut stranger = Visitor::new();
    stranger
        .app
        .insert("access_token".into(), "a.b.c.d.e".into());
    stranger.get(&h, "/api/auth/user").await;

    let events = rec.events.lock().unwrap().clone();
    let names: Vec<&str> = events.iter().map(AuthEvent::name).collect();
    assert_eq!(
        names,
        ["signed_in", "logged_out", "session_gone"],
        "{events:?}"
    );
    match &events[0] {
        AuthEvent::SignedIn { user, affirmed } => {
            assert_eq!(user.email, "ada@example.com");
            assert!(!affirmed);
        }
        e => panic!("{e:?}"),
    }
    match &events[1] {
        // The cache (on here) knew whose session it was.
        AuthEvent::LoggedOut { everywhere, user } => {
            assert!(everywhere);
            assert_eq!(
                user.as_ref().map(|u| u.email.as_str()),
                Some("ada@example.com")
            );
        }
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn a_slow_or_failing_hook_neither_delays_nor_breaks_the_answer_beyond_its_bound() {
    for (delay, fail) in [(Duration::from_secs(5), false), (Duration::ZERO, true)] {
        let rec = Recorder {
            delay,
            fail,
            ..Default::default()
        };
        let h = common::harness_with_hooks(&[], Hooks::new(rec, Duration::from_millis(200))).await;
        let (_, token) = h.provider.create_session("ada@example.com");
        let logs = LogCapture::start(tracing::Level::WARN);
        let started = Instant::now();
        let r = h.send(logout(&token, false)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.set_cookies
                .iter()
                .any(|c| c.starts_with("access_token=;")),
            "{:?}",
            r.set_cookies
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "waited {:?}",
            started.elapsed()
        );
        let text = logs.text();
        let expected = if fail {
            "auth hook failed"
        } else {
            "auth hook still running"
        };
        assert!(text.contains(expected), "{text}");
        assert!(
            !text.lines().any(|l| l.starts_with("INFO forged")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_starter_audits_each_event_in_one_line() {
    let h = common::harness().await;
    let logs = LogCapture::start(tracing::Level::INFO);
    let mut v = Visitor::new();
    v.sign_in(&h, "ada@example.com").await;
    h.send(logout(&v.app["access_token"].clone(), false)).await;
    let text = logs.text();
    let audit: Vec<&str> = text.lines().filter(|l| l.contains("app::audit")).collect();
    assert_eq!(audit.len(), 2, "{text}");
    assert!(
        audit[0].contains("event=\"signed_in\"") && audit[0].contains("user_id=dev-"),
        "{}",
        audit[0]
    );
    assert!(
        audit[1].contains("event=\"logged_out\"") && audit[1].contains("scope=\"this_app\""),
        "{}",
        audit[1]
    );
    assert!(
        !text.contains("ada@example.com"),
        "no e-mail in the logs: {text}"
    );
}

/// Panics when called, before its future is ever polled or inside it.
struct Panicking {
    inside: bool,
}

impl AuthHooks for Panicking {
    fn on_event(&self, _event: AuthEvent) -> HookFuture {
        if !self.inside {
            panic!("a hook that panics at once");
        }
        Box::pin(async { panic!("a hook that panics when polled") })
    }
}

#[tokio::test]
async fn a_panicking_hook_is_logged_and_the_logout_still_answers() {
    let h =
        common::harness_with_hooks(&[], Hooks::new(Panicking { inside: true }, Hooks::WAIT)).await;
    let (_, token) = h.provider.create_session("ada@example.com");
    let logs = LogCapture::start(tracing::Level::WARN);
    let r = h.send(logout(&token, false)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        logs.text().contains("auth hook panicked"),
        "{}",
        logs.text()
    );
}
