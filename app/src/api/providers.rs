//! `/staff/providers`: admins create, edit, deactivate and reactivate service providers.
//! Plain form posts (Post/Redirect/Get with error codes), admins only, never while
//! viewing as a customer.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::domain::providers::{ProviderField, ProviderForm},
    crate::backend::services::providers::{self as svc, ProviderError},
    crate::backend::store::bookings::ProviderAdminRow,
    crate::model::{ErrorCode, Permission},
};

pub const PROVIDERS: &str = "/staff/providers";

/// The page with the edit form of one provider open.
pub fn edit_path(id: &str) -> String {
    format!("{PROVIDERS}?edit={id}#edit")
}

/// The admin asking, or `None` once the browser is sent where it belongs: staff viewing
/// as a customer back with "read only" (the middleware refuses them first; this holds
/// if it ever does not), everyone else to the staff login, as the other admin forms do.
#[cfg(feature = "ssr")]
fn require_admin() -> Option<String> {
    let caller = ctx::caller();
    if matches!(caller, crate::backend::auth::Caller::Impersonating { .. }) {
        ctx::go(&ctx::error_url(PROVIDERS, ErrorCode::ReadOnly, &[]));
        return None;
    }
    match caller.staff_with(Permission::ManageProviders) {
        Ok((id, _)) => Some(id.to_owned()),
        Err(_) => {
            ctx::go("/staff/login");
            None
        }
    }
}

#[cfg(feature = "ssr")]
fn field_code(f: ProviderField) -> ErrorCode {
    match f {
        ProviderField::Name => ErrorCode::ProviderName,
        ProviderField::City => ErrorCode::ProviderCity,
        ProviderField::Address => ErrorCode::ProviderAddress,
        ProviderField::Phone => ErrorCode::ProviderPhone,
    }
}

/// The form's fields, parsed, or the code of the first wrong one. Missing fields are
/// empty ones: each gets its own message rather than a generic "form unreadable".
#[cfg(feature = "ssr")]
fn parse_form(
    name: Option<String>,
    city: Option<String>,
    address: Option<String>,
    phone: Option<String>,
) -> Result<ProviderForm, ErrorCode> {
    ProviderForm::parse(
        name.as_deref().unwrap_or_default(),
        city.as_deref().unwrap_or_default(),
        address.as_deref().unwrap_or_default(),
        phone.as_deref(),
    )
    .map_err(field_code)
}

/// The service chosen (as our ids look) and the form's fields, parsed, or the code of
/// the first wrong one, the service first.
#[cfg(feature = "ssr")]
fn parse_submission(
    service_kind: Option<String>,
    name: Option<String>,
    city: Option<String>,
    address: Option<String>,
    phone: Option<String>,
) -> Result<(String, ProviderForm), ErrorCode> {
    let kind = super::auth::urlsafe(service_kind.as_deref().unwrap_or_default());
    if kind.is_empty() {
        return Err(ErrorCode::ProviderKind);
    }
    Ok((kind, parse_form(name, city, address, phone)?))
}

/// The edit form of provider `id`, open again, with the error `code`.
#[cfg(feature = "ssr")]
fn edit_error(id: &str, code: ErrorCode) -> String {
    format!(
        "{}#edit",
        ctx::error_url(&format!("{PROVIDERS}?edit={id}"), code, &[])
    )
}

/// Sends a failed change back to `back` with its code.
#[cfg(feature = "ssr")]
fn go_failed(back: &str, e: ProviderError) {
    match e {
        ProviderError::NoSuchKind => ctx::go(&ctx::error_url(back, ErrorCode::ProviderKind, &[])),
        ProviderError::Moved => ctx::go(&ctx::error_url(PROVIDERS, ErrorCode::ProviderMoved, &[])),
        ProviderError::Internal(e) => ctx::go_internal_error(back, &e),
    }
}

/// An admin adds a provider of a service: active at once, offered to customers once it
/// has slots.
#[server(prefix = "/api", endpoint = "create_provider")]
pub async fn create_provider(
    service_kind: Option<String>,
    name: Option<String>,
    city: Option<String>,
    address: Option<String>,
    phone: Option<String>,
) -> Result<(), ServerFnError> {
    let Some(admin) = require_admin() else {
        return Ok(());
    };
    let (kind, form) = match parse_submission(service_kind, name, city, address, phone) {
        Ok(parsed) => parsed,
        Err(code) => {
            ctx::go(&ctx::error_url(PROVIDERS, code, &[]));
            return Ok(());
        }
    };
    match svc::create(&ctx::state(), &admin, &kind, &form).await {
        Ok(_) => ctx::go(&format!("{PROVIDERS}?done=created")),
        Err(e) => go_failed(PROVIDERS, e),
    }
    Ok(())
}

/// An admin edits a provider: the same fields as when it was made.
#[server(prefix = "/api", endpoint = "update_provider")]
pub async fn update_provider(
    provider_id: Option<String>,
    service_kind: Option<String>,
    name: Option<String>,
    city: Option<String>,
    address: Option<String>,
    phone: Option<String>,
) -> Result<(), ServerFnError> {
    let Some(admin) = require_admin() else {
        return Ok(());
    };
    let id = super::auth::urlsafe(provider_id.as_deref().unwrap_or_default());
    if id.is_empty() {
        ctx::go(&ctx::error_url(PROVIDERS, ErrorCode::ProviderMoved, &[]));
        return Ok(());
    }
    let (kind, form) = match parse_submission(service_kind, name, city, address, phone) {
        Ok(parsed) => parsed,
        Err(code) => {
            ctx::go(&edit_error(&id, code));
            return Ok(());
        }
    };
    match svc::update(&ctx::state(), &admin, &id, &kind, &form).await {
        Ok(()) => ctx::go(&format!("{PROVIDERS}?done=updated")),
        Err(ProviderError::NoSuchKind) => ctx::go(&edit_error(&id, ErrorCode::ProviderKind)),
        Err(e) => go_failed(PROVIDERS, e),
    }
    Ok(())
}

/// Deactivates or reactivates a provider, and says how many upcoming appointments it
/// has (after a deactivation they stay valid).
#[cfg(feature = "ssr")]
async fn set_active(provider_id: Option<String>, active: bool) {
    let Some(admin) = require_admin() else {
        return;
    };
    let id = super::auth::urlsafe(provider_id.as_deref().unwrap_or_default());
    match svc::set_active(&ctx::state(), &admin, &id, active).await {
        Ok(n) if active => ctx::go(&format!("{PROVIDERS}?done=reactivated&affected={n}")),
        Ok(n) => ctx::go(&format!("{PROVIDERS}?done=deactivated&affected={n}")),
        Err(e) => go_failed(PROVIDERS, e),
    }
}

/// An admin deactivates a provider: no new appointments or slots; existing ones stay.
#[server(prefix = "/api", endpoint = "deactivate_provider")]
pub async fn deactivate_provider(provider_id: Option<String>) -> Result<(), ServerFnError> {
    set_active(provider_id, false).await;
    Ok(())
}

/// An admin reactivates a provider: offered to customers again.
#[server(prefix = "/api", endpoint = "reactivate_provider")]
pub async fn reactivate_provider(provider_id: Option<String>) -> Result<(), ServerFnError> {
    set_active(provider_id, true).await;
    Ok(())
}

/// A service kind for the form: id, code, Chinese and English names.
#[cfg(feature = "ssr")]
pub type Kind = (String, String, String, String);

#[cfg(feature = "ssr")]
pub struct ProvidersPage {
    pub kinds: Vec<Kind>,
    /// By service (`kind_code`), the active ones first.
    pub providers: Vec<ProviderAdminRow>,
    /// The provider whose edit form is open (`?edit=`).
    pub editing: Option<ProviderAdminRow>,
}

/// `/staff/providers` (admins).
#[cfg(feature = "ssr")]
pub async fn providers_page(edit: &str) -> Result<ProvidersPage, PageError> {
    ctx::require_staff_with(Permission::ManageProviders).await?;
    let state = ctx::state();
    let providers = svc::list(&state).await?;
    let edit = super::auth::urlsafe(edit);
    let editing = providers.iter().find(|p| p.id == edit).cloned();
    Ok(ProvidersPage {
        kinds: crate::backend::store::bookings::service_kinds(&state.db.pool).await?,
        providers,
        editing,
    })
}
