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
    // Blocking: the first HTML already shows the right header, and hydration
    // reuses the value instead of asking again.
    let user = Resource::new_blocking(move || version.get(), |_| get_user());
    let session = Session {
        user,
        version,
        signed_out_by: RwSignal::new(None),
        expected: RwSignal::new(None),
        last_logout: RwSignal::new(None),
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
    });
    #[cfg(feature = "hydrate")]
    super::cross_tab::listen(
        move || session.refresh(),
        move || session.logged_out_in_another_tab(),
    );
    session
}
