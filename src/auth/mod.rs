//! Signing in, the session, logging out and affirming: one folder per
//! feature (`login/`, `session/`, `logout/`, `affirm/`), each with what browser and server
//! share in `mod.rs`, its server functions in `server_fn.rs`, its views in
//! `view.rs`, and, server only, its steps and plain routes in `server.rs`.
//! `account.rs` is the `/account` page. Features import the session,
//! never the other way round; the pure rules they apply are in
//! `crate::rules`, the state they share in `crate::state`.

pub mod account;
pub mod affirm;
pub mod login;
pub mod logout;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod session;
