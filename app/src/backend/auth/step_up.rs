//! Step-up: a fresh proof of identity (last 4 characters of the ID number) before
//! paying or seeing whole policy numbers. Lasts 10 minutes for payments.

use super::super::store::{customers, login_attempts, sessions};
use super::super::AppState;
use super::activation::id_last4_hash;
use super::{check_limits, LimitError, Refusal, Session};
use crate::model::IdLast4;

/// How long a passed check lets a person pay.
pub const FRESH_FOR_SECS: i64 = 10 * 60;

pub fn is_fresh(session: &Session, now: i64) -> bool {
    session
        .stepped_up_at
        .is_some_and(|t| now - t < FRESH_FOR_SECS)
}

#[derive(Debug, thiserror::Error)]
pub enum StepUpError {
    #[error("wrong digits")]
    Wrong,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StepUpError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<LimitError> for StepUpError {
    fn from(e: LimitError) -> Self {
        match e {
            LimitError::Refused(r) => Self::Refused(r),
            LimitError::Db(e) => e.into(),
        }
    }
}

pub async fn with_id_digits(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    last4: &IdLast4,
    ip: &str,
) -> Result<(), StepUpError> {
    check_limits(state, "step_up", customer_id, ip).await?;
    let stored = customers::id_last4_hash(&state.db.pool, customer_id).await?;
    let ok = stored.is_some_and(|h| h == id_last4_hash(state, customer_id, last4));
    let now = state.clock.now();
    login_attempts::record(&state.db.pool, "step_up", customer_id, ip, ok, now).await?;
    if !ok {
        return Err(StepUpError::Wrong);
    }
    sessions::set_stepped_up(&state.db.pool, &session.token_hash, now).await?;
    Ok(())
}
