//! The browser events that can change who is signed in while a page is
//! open: a logout in another tab of this app (a `BroadcastChannel`), a page
//! restored from the back/forward cache, and coming back to the tab.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

const CHANNEL: &str = concat!(env!("CARGO_PKG_NAME"), "-session");

/// At most one re-check per this many milliseconds on returning to the tab
/// (`visibilitychange` and `focus` both fire when switching tabs).
const RECHECK_AFTER_MS: f64 = 5_000.0;

/// Calls `recheck` when the session may have changed behind the page,
/// `restored` (synchronously, in `pageshow`) when the page came back from
/// the back/forward cache, and `other_tab_logged_out` when another tab of
/// this app says it logged out.
pub fn listen(
    recheck: impl Fn() + 'static,
    restored: impl Fn() + 'static,
    other_tab_logged_out: impl Fn() + 'static,
) {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| other_tab_logged_out());
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Both live as long as the page.
        on_message.forget();
        // Kept for announce_logout: a channel object does not hear its
        // own messages, so this page is not told about its own logout.
        LISTENING.with(|c| *c.borrow_mut() = Some(channel));
    }
    let on_pageshow = Closure::<dyn FnMut(web_sys::PageTransitionEvent)>::new(
        move |ev: web_sys::PageTransitionEvent| {
            if ev.persisted() {
                restored();
            }
        },
    );
    let window = leptos::prelude::window();
    let _ =
        window.add_event_listener_with_callback("pageshow", on_pageshow.as_ref().unchecked_ref());
    on_pageshow.forget();

    // Back to the tab: the session may have ended in another app meanwhile.
    let last_check = std::rc::Rc::new(std::cell::Cell::new(f64::NEG_INFINITY));
    let on_return = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let document = leptos::prelude::document();
        if document.visibility_state() != web_sys::VisibilityState::Visible {
            return;
        }
        let now = web_sys::js_sys::Date::now();
        if now - last_check.get() >= RECHECK_AFTER_MS {
            last_check.set(now);
            recheck();
        }
    });
    let _ = leptos::prelude::document()
        .add_event_listener_with_callback("visibilitychange", on_return.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("focus", on_return.as_ref().unchecked_ref());
    on_return.forget();
}

/// Tells the app's other tabs that this browser logged out.
pub fn announce_logout() {
    LISTENING.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&JsValue::from_str("logged-out"));
        }
    });
}

thread_local! {
    static LISTENING: std::cell::RefCell<Option<web_sys::BroadcastChannel>> =
        const { std::cell::RefCell::new(None) };
}
