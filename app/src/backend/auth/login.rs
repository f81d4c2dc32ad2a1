//! Customer login: phone + password, or phone + SMS code.

use super::super::domain::lockout;
use super::super::store::{audit, customers};
use super::super::AppState;
use super::codes::{self, Purpose};
use super::session::{self, Principal};
use super::{claim_attempt, passwords, Refusal};
use crate::model::{Phone, SmsCode};
use secrecy::SecretString;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong phone or password, or an account not yet activated: one answer for all,
    /// so the page does not tell who is a customer.
    #[error("bad credentials")]
    BadCredentials,
    #[error("wrong or expired code")]
    BadCode,
    #[error("code requested too soon")]
    TooSoon { retry_at: i64 },
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

auth_error_from!(LoginError, code_wrong = BadCode);

/// A successful login: the customer and the cookie to set.
pub struct LoggedIn {
    pub customer_id: String,
    pub set_cookie: String,
}

pub async fn with_password(
    state: &AppState,
    phone: &Phone,
    password: SecretString,
    ip: &str,
) -> Result<LoggedIn, LoginError> {
    let attempt = claim_attempt(state, &lockout::CUSTOMER_PASSWORD, phone.as_str(), ip).await?;
    let creds = customers::credentials_by_phone(&state.db.pool, phone.as_str()).await?;
    let (id, hash) = match creds {
        Some(c) => (Some(c.id), c.password_hash),
        None => (None, None),
    };
    let ok = match passwords::verify(password, hash).await {
        Ok(ok) => ok,
        Err(e) => {
            attempt.cancel(state).await?;
            return Err(e.into());
        }
    };
    attempt.finish(state, ok).await?;
    match (ok, id) {
        (true, Some(customer_id)) => finish(state, customer_id, "login.password", ip).await,
        _ => Err(LoginError::BadCredentials),
    }
}

/// Sends a login code. Unknown or not-yet-activated phones get a challenge too, but no SMS.
pub async fn request_code(
    state: &AppState,
    phone: &Phone,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<String, LoginError> {
    let creds = customers::credentials_by_phone(&state.db.pool, phone.as_str()).await?;
    let deliverable = creds.as_ref().filter(|c| c.password_hash.is_some());
    let customer_id = deliverable.map(|c| c.id.as_str());
    Ok(codes::issue(
        state,
        phone,
        Purpose::Login,
        customer_id,
        deliverable.is_some(),
        ip,
        body,
    )
    .await?)
}

pub async fn with_code(
    state: &AppState,
    challenge_id: &str,
    code: &SmsCode,
    ip: &str,
) -> Result<LoggedIn, LoginError> {
    let Some(ch) = codes::challenge(state, challenge_id).await? else {
        return Err(LoginError::BadCode);
    };
    let attempt = claim_attempt(state, &lockout::SMS_CODE, ch.phone.as_str(), ip).await?;
    let redeemed = codes::redeem(state, challenge_id, Purpose::Login, code).await;
    attempt.finish(state, redeemed.is_ok()).await?;
    let phone = redeemed?;
    let creds = customers::credentials_by_phone(&state.db.pool, phone.as_str()).await?;
    match creds {
        Some(c) if c.password_hash.is_some() => finish(state, c.id, "login.sms_code", ip).await,
        _ => Err(LoginError::BadCode),
    }
}

/// Starts the session and writes the audit line.
pub(super) async fn finish(
    state: &AppState,
    customer_id: String,
    action: &str,
    ip: &str,
) -> Result<LoggedIn, LoginError> {
    let set_cookie = session::start(
        state,
        &Principal::Customer {
            customer_id: customer_id.clone(),
        },
    )
    .await?;
    audit::record(
        &state.db.pool,
        audit::AuditEntry {
            actor_kind: "customer",
            actor_id: Some(&customer_id),
            customer_id: Some(&customer_id),
            action,
            detail: "",
            ip: Some(ip),
            now: state.clock.now(),
        },
    )
    .await?;
    Ok(LoggedIn {
        customer_id,
        set_cookie,
    })
}
