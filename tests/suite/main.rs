//! Every integration test in one crate, so the app is linked once. Each
//! module tests one part through its real interface: the auth routes and
//! the HTTP edge through the router, the CentralAuth client against a
//! recording server and the development provider, the provider and the
//! server as processes.
#![cfg(feature = "ssr")]

mod app;
mod common;

mod affirmation;
mod auth_routes;
mod client_transport;
mod client_wire;
mod dev_provider;
mod dev_provider_contract;
mod dev_provider_memory;
mod dotenv;
mod edge;
mod hardening;
mod hooks;
mod operations;
mod session_cache;
mod slow_clients;
