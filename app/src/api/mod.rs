//! The only door from the browser to the backend: `#[server]` functions, reached by
//! plain form posts (they work before any wasm arrives) and, later, by islands.
//! Each one: who is asking, parse the input, call the backend, map the outcome to a
//! redirect (Post/Redirect/Get) carrying an error *code*, never a sentence.

pub mod auth;
#[cfg(feature = "ssr")]
pub mod case_stats;
pub mod cases;
pub mod claims;
pub mod console;
pub mod links;
pub mod locale;
pub mod policies;
pub mod providers;
pub mod services;
pub mod servicing;
pub mod settings;
pub mod surveys;

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod ctx;
#[cfg(feature = "ssr")]
pub mod staff;
