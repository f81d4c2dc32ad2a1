//! Data for the staff pages. Each loader asks for the permission its page needs.

use super::ctx::{self, PageError};
use crate::backend::store::{outbox, sms_inbound};
use crate::model::Permission;

/// The SMS outbox, and the texts people sent with the answers they got (supervisors and
/// admins).
pub async fn staff_outbox(
) -> Result<(Vec<outbox::OutboxRow>, Vec<sms_inbound::InboundRow>), PageError> {
    ctx::require_staff_with(Permission::ReadOutbox).await?;
    let pool = &ctx::state().db.pool;
    Ok((
        outbox::newest(pool, 200).await?,
        sms_inbound::newest(pool, 50).await?,
    ))
}
