//! CentralAuth, server side only and with no Leptos in it: the wire client
//! and the embedded development provider that speaks the same contract.

mod secret;

pub use secret::Secret;
