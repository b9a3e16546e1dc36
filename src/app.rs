//! The shell, the root component and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    SsrMode, StaticSegment,
};

use crate::{
    auth::{
        account::AccountPage,
        login::view::SignInErrorPage,
        logout::{
            landing::SignedOutNotice,
            view::{LogoutButton, LogoutPage},
        },
        session::{
            announce::{provide_announcer, LiveRegion},
            context::{provide_session, use_session},
            view::{DevProviderBadge, SessionEndedNotice, UserMenu},
        },
    },
    bundle::BundleLoader,
    demo::GreetingForm,
    site,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // `data-hydrated` turns "true" once the wasm bundle has taken over (see App).
        <html lang="en" data-hydrated="false">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <BundleLoader options=options.clone() />
                // Here, not in App: the shell is rendered on the server only,
                // so these stay out of the wasm bundle.
                <link rel="stylesheet" id="leptos" href=site::stylesheet_href(&options) />
                <link rel="icon" type="image/x-icon" href="/favicon.ico" />
                <meta name="description" content=page_description() />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// What search engines show for the requested page. In the shell, which
/// only the server renders: leptos_meta's `<Meta>` in each page would add
/// its client code (4.6 KB gzip) to the wasm bundle for a tag nobody sees
/// change.
fn page_description() -> &'static str {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return match parts.uri.path() {
            "/" => "Sign in with CentralAuth, and log out of this app only or of every app that uses your CentralAuth session.",
            "/account" => "Your account: who you are signed in as, and the way to log out.",
            "/logout" => "Log out of this app, or of every app that uses your CentralAuth session.",
            "/auth/error" => "Why signing in did not complete, and the way to try again.",
            _ => "There is no page at this address.",
        };
    }
    "Sign in with CentralAuth, and log out properly."
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_announcer();
    provide_session();
    // Effects never run during SSR, so this attribute on the root element
    // proves hydration to tests without any visible text.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title text=crate::site::APP_NAME />
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">
                    {crate::site::APP_NAME}
                </A>
                <DevProviderBadge />
                <nav class="site-nav" aria-label="Account">
                    <UserMenu />
                </nav>
            </header>
            <main class="content">
                <SessionEndedNotice />
                <ErrorBoundary fallback=|errors| {
                    view! { <ErrorPanel errors /> }
                }>
                    <Routes fallback=NotFound>
                        // Async rendering: the page is complete before it is sent, so it
                        // needs no JavaScript to swap in the session, and /account can
                        // still redirect anonymous visitors.
                        <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                        <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("logout") view=LogoutPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("auth"), StaticSegment("error"))
                            view=SignInErrorPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </ErrorBoundary>
                <LiveRegion />
            </main>
        </Router>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    view! {
        <Title text=format!("Home · {}", crate::site::APP_NAME) />
        <h1>"Sign in, and log out properly"</h1>
        <p class="lede">
            "A Leptos full-stack starter for CentralAuth: server-rendered pages, hydrated WebAssembly, and a logout that really ends the session."
        </p>
        <SessionPanel />
        <GreetingForm />
    }
}

/// Who is signed in, and the way out.
#[component]
fn SessionPanel() -> impl IntoView {
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <section class="panel">"Checking your session…"</section> }>
            {session.view(move |result| match result {
                        Ok(Some(user)) => {
                            view! {
                                <section class="panel" data-testid="session-panel">
                                    <h2>"Signed in"</h2>
                                    <p>
                                        "You are signed in as " <strong>{user.email.clone()}</strong> ". "
                                        <A href="/account">"Your account"</A>
                                    </p>
                                    <LogoutButton />
                                </section>
                            }
                                .into_any()
                        }
                        Ok(None) => view! { <SignedOutNotice return_to="/" in_page=true /> }.into_any(),
                        Err(_) => {
                            view! {
                                <section class="panel panel-error" role="alert">
                                    "Your session could not be checked: CentralAuth is unreachable."
                                </section>
                            }
                                .into_any()
                        }
            })}
        </Transition>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=format!("Not found · {}", crate::site::APP_NAME) />
        <section class="panel panel-notice" role="alert">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <A href="/">"Back to the home page"</A>
            </p>
        </section>
    }
}

#[component]
fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <section class="panel panel-error" role="alert">
            <h1>"Something went wrong"</h1>
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
            <p>
                <a href="/">"Back to the home page"</a>
            </p>
        </section>
    }
}
