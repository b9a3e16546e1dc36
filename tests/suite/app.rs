//! The library and the server binary under test. Tests and benches say
//! `crate::app::…`.
#![allow(dead_code, unused_imports)]

pub use ::app::*;

/// The app's server binary (named after the package), built by cargo for
/// integration tests and benches.
pub const BIN: &str = env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")));
