//! The session context every component reads: the user resource, and why
//! a user who was signed in on this page no longer is.

use leptos::prelude::*;

use super::{server_fn::get_user, CurrentUser};

/// Why a user who was signed in on this page no longer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutBy {
    /// A logout from this page: it says so itself.
    ThisPage,
    /// A logout in another tab of this app.
    AnotherTab,
    /// Found when the page checked again, cause unknown: a "log out
    /// everywhere" in another app, an expired session, a logout of this app
    /// in a page that did not tell this one. So it claims nothing more.
    Unknown,
}

/// Shared by every component that cares who is signed in.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<CurrentUser>, ServerFnError>>,
    version: RwSignal<u64>,
    /// Set when the session ends while the page is open.
    pub signed_out_by: RwSignal<Option<SignedOutBy>>,
    /// What the next "signed out" found by a check is due to.
    expected: RwSignal<Option<SignedOutBy>>,
    /// The outcome of a logout made on this page (`Some(everywhere)`), as
    /// the server answered it: what the landing page may claim.
    pub last_logout: RwSignal<Option<bool>>,
    /// The `version` whose answer the resource holds.
    answered: StoredValue<u64>,
    /// While the page's content is hidden: the first `version` whose
    /// answer may show it again.
    hidden_until: StoredValue<Option<u64>>,
}

impl Session {
    /// A view of the session's current state, for `<Suspense>` and
    /// `<Transition>`: `render` gets the user (`None` when logged out) or
    /// the error that kept the server from checking.
    pub fn view<F>(self, render: F) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
    where
        F: Fn(Result<Option<CurrentUser>, ServerFnError>) -> AnyView + Send + Sync + 'static,
    {
        move || self.user.get().map(&render)
    }

    /// Asks the server again (after a logout here or in another tab).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// This page logged out: check again, and do not report it as news.
    pub fn logged_out_here(&self) {
        self.expected.set(Some(SignedOutBy::ThisPage));
        self.refresh();
    }

    /// Another tab of this app logged out.
    pub fn logged_out_in_another_tab(&self) {
        self.expected.set(Some(SignedOutBy::AnotherTab));
        self.refresh();
    }

    /// The page came back from the back/forward cache: what it shows may
    /// belong to a session that ended meanwhile (a logout, then Back). Its
    /// content is hidden at once, before the browser paints it, and shown
    /// again when the check answers (`style/main.css`: `data-session`).
    pub fn recheck_restored_page(&self) {
        set_hidden(true);
        self.hidden_until
            .set_value(Some(self.version.get_untracked() + 1));
        self.refresh();
    }

    /// Shows the content again once the answer to the re-check is in.
    fn reveal_if_answered(&self) {
        if self
            .hidden_until
            .get_value()
            .is_some_and(|v| self.answered.get_value() >= v)
        {
            self.hidden_until.set_value(None);
            set_hidden(false);
        }
    }

    /// Notes a new answer: a user who was signed in and is not any more
    /// was signed out by whatever was expected, else for a reason unknown.
    fn observe(&self, was_signed_in: bool, signed_in: bool) {
        if signed_in {
            self.signed_out_by.set(None);
            self.expected.set(None);
        } else if was_signed_in {
            let by = self
                .expected
                .get_untracked()
                .unwrap_or(SignedOutBy::Unknown);
            self.expected.set(None);
            self.signed_out_by.set(Some(by));
        }
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Creates the user resource and keeps it in step with other tabs.
pub fn provide_session() -> Session {
    let version = RwSignal::new(0u64);
    let answered = StoredValue::new(0u64);
    // Blocking: the first HTML already shows the right header, and hydration
    // reuses the value instead of asking again.
    let user = Resource::new_blocking(
        move || version.get(),
        move |asked| async move {
            let answer = get_user().await;
            answered.set_value(asked);
            answer
        },
    );
    let session = Session {
        user,
        version,
        signed_out_by: RwSignal::new(None),
        expected: RwSignal::new(None),
        last_logout: RwSignal::new(None),
        answered,
        hidden_until: StoredValue::new(None),
    };
    provide_context(session);
    let was_signed_in = StoredValue::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(Ok(answer)) = user.get() {
            let signed_in = answer.is_some();
            if let Some(before) = was_signed_in.get_value() {
                session.observe(before, signed_in);
            }
            was_signed_in.set_value(Some(signed_in));
        }
        if user.get().is_some() {
            session.reveal_if_answered();
        }
    });
    #[cfg(feature = "hydrate")]
    super::cross_tab::listen(
        move || session.refresh(),
        move || session.recheck_restored_page(),
        move || session.logged_out_in_another_tab(),
    );
    session
}

/// Hides or shows the page's content (`html[data-session="checking"]`),
/// synchronously: a signal would only re-render after the first paint.
fn set_hidden(hidden: bool) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        let _ = if hidden {
            root.set_attribute("data-session", "checking")
        } else {
            root.remove_attribute("data-session")
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = hidden;
}
