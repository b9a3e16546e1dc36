//! The crate and the binary under test, named in this one place (a project
//! generated from the template gets its own name here). Tests and benches
//! say `crate::app::…`.
#![allow(dead_code, unused_imports)]

pub use centralauth_starter::*;

/// The app's server binary, built by cargo for integration tests and benches.
pub const BIN: &str = env!("CARGO_BIN_EXE_centralauth-starter");
