//! First login: prove you hold a policy (its number and the last 4 characters of your ID
//! number), receive a code on the phone on file, choose a password.

use super::super::domain::lockout;
use super::super::store::customers;
use super::super::AppState;
use super::codes::{self, Purpose};
use super::login::{finish, LoggedIn, LoginError};
use super::passwords::{self, Weakness};
use super::{claim_attempt, Refusal};
use crate::model::{IdLast4, Phone, PolicyNo, SmsCode};
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, thiserror::Error)]
pub enum ActivationError {
    /// Unknown policy, wrong ID digits: one answer for both.
    #[error("details do not match")]
    NoMatch,
    #[error("already activated")]
    AlreadyActive,
    #[error("wrong or expired code")]
    BadCode,
    #[error("code requested too soon")]
    TooSoon { retry_at: i64 },
    #[error("weak password")]
    Weak(Weakness),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

auth_error_from!(ActivationError, code_wrong = BadCode);

impl From<LoginError> for ActivationError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Refused(r) => Self::Refused(r),
            LoginError::Internal(e) => Self::Internal(e),
            other => Self::Internal(anyhow::anyhow!("activation login: {other}")),
        }
    }
}

/// The keyed hash kept for a customer's ID digits.
pub fn id_last4_hash(state: &AppState, customer_id: &str, last4: &IdLast4) -> String {
    state
        .config
        .keyed_hash("id_last4", &format!("{customer_id}:{}", last4.as_str()))
}

/// Step 1: checks policy number and ID digits, then sends a code to the phone on file.
pub async fn start(
    state: &AppState,
    policy_no: &PolicyNo,
    last4: &IdLast4,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<String, ActivationError> {
    let attempt = claim_attempt(state, &lockout::ACTIVATION, policy_no.as_str(), ip).await?;
    let subject =
        customers::activation_subject_by_policy_no(&state.db.pool, policy_no.as_str()).await?;
    let matches = subject
        .as_ref()
        .is_some_and(|s| id_last4_hash(state, &s.id, last4) == s.id_last4_hash);
    // Right digits for an account already active count as a failure too: a reset count
    // (or a lock that never comes) would tell a stranger that they had guessed them.
    let waiting = subject.as_ref().is_some_and(|s| s.activated_at.is_none());
    attempt.finish(state, matches && waiting).await?;
    // An account already active gets the same answer as wrong details: "already active"
    // after the right digits would tell a stranger they had guessed them.
    let subject = match subject {
        Some(s) if matches && s.activated_at.is_none() => s,
        _ => return Err(ActivationError::NoMatch),
    };
    let phone =
        Phone::parse(&subject.phone).ok_or_else(|| anyhow::anyhow!("stored phone invalid"))?;
    Ok(codes::issue(
        state,
        &phone,
        Purpose::Activate,
        Some(&subject.id),
        true,
        ip,
        body,
    )
    .await?)
}

/// Step 2: the code, and the new password twice. The password is judged before the
/// code is spent, so a refused password does not cost the person their code.
pub async fn complete(
    state: &AppState,
    challenge_id: &str,
    code: &SmsCode,
    password: SecretString,
    confirm: SecretString,
    ip: &str,
) -> Result<LoggedIn, ActivationError> {
    let Some(ch) = codes::challenge(state, challenge_id).await? else {
        return Err(ActivationError::BadCode);
    };
    let Some(creds) = customers::credentials_by_phone(&state.db.pool, ch.phone.as_str()).await?
    else {
        return Err(ActivationError::BadCode);
    };
    let profile = customers::profile(&state.db.pool, &creds.id)
        .await?
        .ok_or(ActivationError::BadCode)?;
    passwords::check_policy(
        password.expose_secret(),
        confirm.expose_secret(),
        &[ch.phone.as_str(), &profile.name],
    )
    .map_err(ActivationError::Weak)?;
    let attempt = claim_attempt(state, &lockout::SMS_CODE, ch.phone.as_str(), ip).await?;
    let now = state.clock.now();
    let redeemed = codes::redeem(state, challenge_id, Purpose::Activate, code).await;
    attempt.finish(state, redeemed.is_ok()).await?;
    redeemed?;
    let hash = passwords::hash(password).await?;
    if !customers::activate(&state.db.pool, &creds.id, &hash, now).await? {
        return Err(ActivationError::AlreadyActive);
    }
    Ok(finish(state, creds.id, "account.activated", ip).await?)
}

/// A fresh activation code for the phone an earlier challenge went to.
pub async fn resend(
    state: &AppState,
    challenge_id: &str,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<String, ActivationError> {
    let ch = codes::challenge(state, challenge_id)
        .await?
        .ok_or(ActivationError::BadCode)?;
    if ch.purpose != Purpose::Activate.as_str() {
        return Err(ActivationError::BadCode);
    }
    let creds = customers::credentials_by_phone(&state.db.pool, ch.phone.as_str())
        .await?
        .ok_or(ActivationError::BadCode)?;
    if creds.password_hash.is_some() {
        return Err(ActivationError::AlreadyActive);
    }
    Ok(codes::issue(
        state,
        &ch.phone,
        Purpose::Activate,
        Some(&creds.id),
        true,
        ip,
        body,
    )
    .await?)
}
