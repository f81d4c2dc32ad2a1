//! Admins manage service providers: create, edit, deactivate and reactivate. Each change
//! and its audit row are one transaction. A deactivated provider is offered to nobody for
//! a new appointment and gets no new slots; the appointments it has stay as they are.

use crate::backend::domain::providers::ProviderForm;
use crate::backend::store::audit;
use crate::backend::store::bookings::{self as store, ProviderAdminRow, ProviderFields};
use crate::backend::{ids, AppState};

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No such service kind.
    #[error("no such service")]
    NoSuchKind,
    /// No such provider, or it already is in the state asked for.
    #[error("no such provider, or no change")]
    Moved,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ProviderError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Every provider, by service, with what is booked there from now on.
pub async fn list(state: &AppState) -> sqlx::Result<Vec<ProviderAdminRow>> {
    store::providers_for_admin(&state.db.pool, state.clock.now()).await
}

fn fields<'a>(kind_id: &'a str, f: &'a ProviderForm) -> ProviderFields<'a> {
    ProviderFields {
        service_kind_id: kind_id,
        name: &f.name,
        city: &f.city,
        address: &f.address,
        phone: f.phone.as_ref().map(|p| p.as_str()),
    }
}

async fn known_kind(state: &AppState, kind_id: &str) -> Result<(), ProviderError> {
    store::kind_code(&state.db.pool, kind_id)
        .await?
        .map(|_| ())
        .ok_or(ProviderError::NoSuchKind)
}

/// A new, active provider of `kind_id`. Returns its id.
pub async fn create(
    state: &AppState,
    admin_id: &str,
    kind_id: &str,
    form: &ProviderForm,
) -> Result<String, ProviderError> {
    known_kind(state, kind_id).await?;
    let now = state.clock.now();
    let id = ids::new_id();
    let mut tx = state.db.pool.begin().await?;
    store::insert_provider(&mut *tx, &id, &fields(kind_id, form), now).await?;
    provider_change(&mut tx, admin_id, "provider.created", &id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a provider's service, name, city, address and phone. Its slots and
/// appointments stay; customers see the new name and address on them.
pub async fn update(
    state: &AppState,
    admin_id: &str,
    provider_id: &str,
    kind_id: &str,
    form: &ProviderForm,
) -> Result<(), ProviderError> {
    known_kind(state, kind_id).await?;
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::update_provider(&mut *tx, provider_id, &fields(kind_id, form), now).await? {
        tx.rollback().await?;
        return Err(ProviderError::Moved);
    }
    provider_change(&mut tx, admin_id, "provider.updated", provider_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (`active: false`) or reactivates a provider. Returns how many upcoming
/// appointments it has: after a deactivation they stay valid, and the admin is told so.
pub async fn set_active(
    state: &AppState,
    admin_id: &str,
    provider_id: &str,
    active: bool,
) -> Result<i64, ProviderError> {
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    // The guarded write first: on SQLite it takes the one writer before anything is read.
    if !store::set_provider_active(&mut *tx, provider_id, active, now).await? {
        tx.rollback().await?;
        return Err(ProviderError::Moved);
    }
    let affected = store::upcoming_bookings(&mut *tx, provider_id, now).await?;
    let action = if active {
        "provider.reactivated"
    } else {
        "provider.deactivated"
    };
    let detail = format!("{provider_id}:{affected}");
    provider_change(&mut tx, admin_id, action, &detail, now).await?;
    tx.commit().await?;
    Ok(affected)
}

/// The audit line of a change to a provider, under the admin who made it.
async fn provider_change(
    tx: &mut sqlx::AnyConnection,
    admin_id: &str,
    action: &str,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(admin_id),
            customer_id: None,
            action,
            detail,
            ip: None,
            now,
        },
    )
    .await
}
