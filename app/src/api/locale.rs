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
    // A signed-in customer's choice also decides the language of their SMS answers.
    if let crate::backend::auth::Caller::Customer { customer_id, .. } = ctx::caller() {
        let state = ctx::state();
        if let Err(e) = crate::backend::store::customers::set_locale(
            &state.db.pool,
            &customer_id,
            locale.code(),
        )
        .await
        {
            tracing::warn!(error = %e, "customer language not saved");
        }
    }
    ctx::go(ctx::safe_next(&next));
    Ok(())
}
