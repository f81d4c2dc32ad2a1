//! rust-i18n compiles `locales/*.json` into the crate, but cargo does not know the
//! macro read them: without this, an edited translation shows only after some Rust
//! file changes too.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
