//! Data for the staff pages.

use super::ctx::{self, PageError};
use crate::backend::store::{outbox, staff};
use crate::model::StaffRole;

/// The SMS outbox for supervisors and admins.
pub async fn staff_outbox() -> Result<Vec<outbox::OutboxRow>, PageError> {
    let staff_id = ctx::require_staff().await?;
    let state = ctx::state();
    let row = staff::by_id(&state.db.pool, &staff_id)
        .await?
        .ok_or(PageError::Login)?;
    match StaffRole::parse(&row.role) {
        Some(StaffRole::Supervisor | StaffRole::Admin) => {
            Ok(outbox::newest(&state.db.pool, 200).await?)
        }
        _ => Err(PageError::NotFound),
    }
}
