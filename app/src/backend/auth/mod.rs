//! Who is asking: passwords, sessions, SMS codes, lockout, staff.

/// The `From` conversions every authentication error shares, for an enum with
/// `Refused(Refusal)` and `Internal(anyhow::Error)` variants: a database failure is
/// internal, a limit check refuses or fails. With `code_wrong = Variant`, also the SMS
/// code's failures: asked too soon is `TooSoon { retry_at }`, wrong is `Variant`.
/// (`thiserror`'s `#[from]` cannot do this: it maps one source type to one variant.)
macro_rules! auth_error_from {
    ($error:ident) => {
        impl From<sqlx::Error> for $error {
            fn from(e: sqlx::Error) -> Self {
                Self::Internal(e.into())
            }
        }

        impl From<$crate::backend::auth::LimitError> for $error {
            fn from(e: $crate::backend::auth::LimitError) -> Self {
                match e {
                    $crate::backend::auth::LimitError::Refused(r) => Self::Refused(r),
                    $crate::backend::auth::LimitError::Db(e) => e.into(),
                }
            }
        }
    };
    ($error:ident, code_wrong = $wrong:ident) => {
        auth_error_from!($error);

        impl From<$crate::backend::auth::codes::CodeError> for $error {
            fn from(e: $crate::backend::auth::codes::CodeError) -> Self {
                use $crate::backend::auth::codes::CodeError;
                match e {
                    CodeError::TooSoon { retry_at } => Self::TooSoon { retry_at },
                    CodeError::Wrong => Self::$wrong,
                    CodeError::Db(e) => e.into(),
                }
            }
        }
    };
}

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
