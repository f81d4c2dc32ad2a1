//! Data for the staff pages. Each loader asks for the permission its page needs.

use super::ctx::{self, PageError};
use crate::backend::store::outbox;
use crate::model::Permission;

/// The SMS outbox (supervisors and admins).
pub async fn staff_outbox() -> Result<Vec<outbox::OutboxRow>, PageError> {
    ctx::require_staff_with(Permission::ReadOutbox).await?;
    Ok(outbox::newest(&ctx::state().db.pool, 200).await?)
}
