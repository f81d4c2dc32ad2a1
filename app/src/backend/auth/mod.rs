//! Who is asking: passwords, sessions, SMS codes, lockout, staff.

pub mod activation;
pub mod codes;
pub mod login;
pub mod passwords;
pub mod session;
pub mod staff;
pub mod step_up;

pub use session::{Principal, Session};

/// Things every authentication use case can fail with besides its own errors.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("account locked")]
    Locked { until: i64 },
    #[error("address throttled")]
    Throttled { until: i64 },
}

/// Checks the per-account lock and the per-address throttle before any secret is compared.
pub async fn check_limits(
    state: &super::AppState,
    realm: &str,
    subject: &str,
    ip: &str,
) -> Result<(), LimitError> {
    use super::domain::lockout;
    use super::store::login_attempts;
    let now = state.clock.now();
    let by_ip =
        login_attempts::failures_from_ip(&state.db.pool, ip, now - lockout::ADDRESS_WINDOW_SECS)
            .await?;
    if let Some(until) = lockout::address_throttled_until(&by_ip, now) {
        return Err(LimitError::Refused(Refusal::Throttled { until }));
    }
    let recent = login_attempts::failures_since_success(
        &state.db.pool,
        realm,
        subject,
        lockout::ACCOUNT_MAX_FAILURES as i64,
    )
    .await?;
    if let Some(until) = lockout::account_locked_until(&recent, now) {
        return Err(LimitError::Refused(Refusal::Locked { until }));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
