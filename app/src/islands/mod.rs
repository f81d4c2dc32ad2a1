//! The only interactive parts: small `#[island]` components. Their text arrives as props
//! already translated by the server, so no translation tables reach the wasm.

mod password_input;

pub use password_input::PasswordInput;
