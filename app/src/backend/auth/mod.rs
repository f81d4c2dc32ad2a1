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

        impl From<$crate::backend::auth::passwords::HashError> for $error {
            fn from(e: $crate::backend::auth::passwords::HashError) -> Self {
                match e {
                    $crate::backend::auth::passwords::HashError::Busy => {
                        Self::Refused($crate::backend::auth::Refusal::Busy)
                    }
                    $crate::backend::auth::passwords::HashError::Internal(e) => Self::Internal(e),
                }
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
                    CodeError::Limited { until } => {
                        Self::Refused($crate::backend::auth::Refusal::CodesLimited { until })
                    }
                    CodeError::Wrong => Self::$wrong,
                    CodeError::Db(e) => e.into(),
                }
            }
        }
    };
}

pub mod activation;
pub mod caller;
pub mod codes;
pub mod login;
pub mod passwords;
pub mod session;
pub mod staff;
pub mod step_up;
pub mod viewing;

pub use caller::{Action, Caller, LinkScope};
pub use session::{Principal, Session};

/// Things every authentication use case can fail with besides its own errors.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("account locked")]
    Locked { until: i64 },
    #[error("address throttled")]
    Throttled { until: i64 },
    /// Too many codes texted to this phone or asked for from this address.
    #[error("codes limited")]
    CodesLimited { until: i64 },
    /// Too many sign-ins at once: try again in a moment.
    #[error("busy")]
    Busy,
}

/// An attempt let through its limits (the account's and the address's), claimed before
/// any secret is compared. Say how it ended with `finish`; an attempt never finished
/// (an error on the way) stays counted, as a failure would.
pub struct Attempt {
    limit: &'static Limit,
    subject: String,
    ip: String,
}

/// Claims one attempt for `subject` under `limit` and one for the address under
/// `lockout::ADDRESS`, both or neither. N parallel requests get at most the limit's worth of attempts;
/// the rest are refused before anything is compared or hashed.
pub async fn claim_attempt(
    state: &super::AppState,
    limit: &'static Limit,
    subject: &str,
    ip: &str,
) -> Result<Attempt, LimitError> {
    let now = state.clock.now();
    // The account first: a burst at one account is refused there without spending the
    // address's allowance.
    let claims = [(limit, subject), (&lockout::ADDRESS, ip)];
    match attempt_limits::claim_all(&state.db.pool, &claims, now).await? {
        Ok(()) => Ok(Attempt {
            limit,
            subject: subject.to_owned(),
            ip: ip.to_owned(),
        }),
        Err((0, until)) => Err(LimitError::Refused(Refusal::Locked { until })),
        Err((_, until)) => Err(LimitError::Refused(Refusal::Throttled { until })),
    }
}

impl Attempt {
    /// Records the outcome: a success starts the subject's count again and gives the
    /// address its attempt back; a failure stays counted.
    pub async fn finish(self, state: &super::AppState, ok: bool) -> sqlx::Result<()> {
        let pool = &state.db.pool;
        if ok {
            attempt_limits::reset(pool, self.limit, &self.subject).await?;
            attempt_limits::refund(pool, &lockout::ADDRESS, &self.ip).await?;
        }
        if LOGGED_REALMS.contains(&self.limit.realm) {
            let now = state.clock.now();
            login_attempts::record(pool, self.limit.realm, &self.subject, &self.ip, ok, now)
                .await?;
        }
        Ok(())
    }

    /// Gives both attempts back: nothing was compared (hashing was busy).
    pub async fn cancel(self, state: &super::AppState) -> sqlx::Result<()> {
        let pool = &state.db.pool;
        attempt_limits::refund(pool, self.limit, &self.subject).await?;
        attempt_limits::refund(pool, &lockout::ADDRESS, &self.ip).await
    }
}

/// Sign-in attempts kept in `login_attempts`, the history of who tried what from where
/// (link checks are in the audit log instead).
const LOGGED_REALMS: &[&str] = &["customer", "staff", "sms_code", "activation", "step_up"];

use super::domain::lockout::{self, Limit};
use super::store::{attempt_limits, login_attempts};

#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
