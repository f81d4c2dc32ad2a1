//! Step-up: a fresh proof of identity (last 4 characters of the ID number) before
//! paying or seeing whole policy numbers. Lasts 10 minutes for payments.

use super::super::domain::lockout;
use super::super::store::{customers, sessions};
use super::super::AppState;
use super::activation::id_last4_hash;
use super::codes::{self, Purpose};
use super::{claim_attempt, Refusal, Session};
use crate::model::{IdLast4, Phone, SmsCode};

/// How long a passed check lets a person pay.
pub const FRESH_FOR_SECS: i64 = 10 * 60;

pub fn is_fresh(session: &Session, now: i64) -> bool {
    session
        .stepped_up_at
        .is_some_and(|t| now - t < FRESH_FOR_SECS)
}

/// Whether whole policy numbers may be shown: only just after a check, like paying.
pub fn reveals(session: &Session, now: i64) -> bool {
    is_fresh(session, now)
}

#[derive(Debug, thiserror::Error)]
pub enum StepUpError {
    #[error("wrong digits or code")]
    Wrong,
    #[error("code requested too soon")]
    TooSoon { retry_at: i64 },
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

auth_error_from!(StepUpError, code_wrong = Wrong);

pub async fn with_id_digits(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    last4: &IdLast4,
    ip: &str,
) -> Result<(), StepUpError> {
    let attempt = claim_attempt(state, &lockout::STEP_UP, customer_id, ip).await?;
    let stored = customers::id_last4_hash(&state.db.pool, customer_id).await?;
    let ok = stored.is_some_and(|h| h == id_last4_hash(state, customer_id, last4));
    attempt.finish(state, ok).await?;
    let now = state.clock.now();
    if !ok {
        return Err(StepUpError::Wrong);
    }
    sessions::set_stepped_up(&state.db.pool, &session.token_hash, now).await?;
    Ok(())
}

/// The other way to step up: a code texted to the phone on file. Returns the challenge.
pub async fn send_code(
    state: &AppState,
    customer_id: &str,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<String, StepUpError> {
    let profile = customers::profile(&state.db.pool, customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    let phone =
        Phone::parse(&profile.phone).ok_or_else(|| anyhow::anyhow!("stored phone invalid"))?;
    Ok(codes::issue(
        state,
        &phone,
        Purpose::StepUp,
        Some(customer_id),
        true,
        ip,
        body,
    )
    .await?)
}

pub async fn with_code(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    challenge_id: &str,
    code: &SmsCode,
    ip: &str,
) -> Result<(), StepUpError> {
    let attempt = claim_attempt(state, &lockout::STEP_UP, customer_id, ip).await?;
    let profile = customers::profile(&state.db.pool, customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    let now = state.clock.now();
    let redeemed = codes::redeem(state, challenge_id, Purpose::StepUp, code).await;
    // The code must have gone to this customer's own phone.
    let ok = matches!(&redeemed, Ok(p) if p.as_str() == profile.phone);
    attempt.finish(state, ok).await?;
    if !ok {
        return Err(match redeemed {
            Err(e) => e.into(),
            Ok(_) => StepUpError::Wrong,
        });
    }
    sessions::set_stepped_up(&state.db.pool, &session.token_hash, now).await?;
    Ok(())
}
