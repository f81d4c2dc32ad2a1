use leptos::prelude::*;

/// Switches the interface language and remembers it for a year.
#[server(prefix = "/api", endpoint = "set_locale")]
pub async fn set_locale(lang: String, next: String) -> Result<(), ServerFnError> {
    use super::ctx;
    use crate::i18n::{Locale, COOKIE};
    let locale = Locale::parse(&lang).unwrap_or_default();
    ctx::set_cookie(&crate::backend::cookie_header(
        &ctx::state().config,
        COOKIE,
        locale.code(),
        "/",
        Some(365 * 86_400),
    ));
    ctx::go(ctx::safe_next(&next));
    Ok(())
}
