//! The plain HTTP routes, for the browser's redirects and for callers
//! without Leptos. Names follow CentralAuth's NPM library.

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::session::server::routes())
        .merge(super::login::server::routes())
        .merge(super::logout::server::routes())
        .merge(super::affirm::server::routes())
}
