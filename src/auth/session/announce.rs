//! Screen-reader announcements.

use leptos::prelude::*;

/// Text for screen readers, in one polite live region (`LiveRegion`, in the
/// shell): what changed without a page load, such as a logout.
#[derive(Clone, Copy)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    pub fn say(&self, text: &str) {
        // Cleared first, so the same message twice is announced twice.
        self.0.set(String::new());
        let inner = self.0;
        let text = text.to_string();
        request_animation_frame(move || inner.set(text));
    }
}

pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

pub fn provide_announcer() {
    provide_context(Announcer(RwSignal::new(String::new())));
}

/// The live region itself; rendered once, outside the routes, so it exists
/// before anything is announced.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let text = use_announcer().0;
    view! {
        <div class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
            {move || text.get()}
        </div>
    }
}
