//! The wasm entry point. `hydrate` lives in the app crate (`src/lib.rs`);
//! naming it here links it into the bundle, where wasm-bindgen exports it.

pub use app::hydrate;
