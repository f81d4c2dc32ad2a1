//! Anxin (安心): the Leptos app. Compiled twice: with `ssr` inside the server binary
//! (pages, server functions, backend) and with `hydrate` to wasm (islands only).

#![recursion_limit = "256"]

pub mod api;
pub mod islands;
pub mod model;

#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod components;
#[cfg(feature = "ssr")]
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod pages;

#[cfg(feature = "ssr")]
pub use pages::{shell, App};

#[cfg(feature = "ssr")]
rust_i18n::i18n!("locales", fallback = "zh-CN");

/// The wasm entry point: wakes up the islands on the page, nothing else.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
