use leptos::prelude::*;

/// Switches the interface language and remembers it for a year.
#[server(prefix = "/api", endpoint = "set_locale")]
pub async fn set_locale(lang: String, next: String) -> Result<(), ServerFnError> {
    use super::ctx;
    use crate::i18n::{Locale, COOKIE};
    let locale = Locale::parse(&lang).unwrap_or_default();
    let cookie = cookie::Cookie::build((COOKIE, locale.code()))
        .path("/")
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build();
    ctx::set_cookie(&cookie.to_string());
    ctx::go(ctx::safe_next(&next));
    Ok(())
}
