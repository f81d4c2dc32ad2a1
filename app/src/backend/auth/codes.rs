//! One-time SMS codes: six digits, 5 minutes, 5 attempts, one per minute per phone,
//! stored as a keyed hash. The "challenge" is the code row's random id: pages carry it
//! instead of the phone number, so no phone number travels in a URL.

use super::super::store::{outbox, sms_codes};
use super::super::{ids, AppState};
use crate::model::{Phone, SmsCode};

pub const TTL_SECS: i64 = 5 * 60;
pub const MAX_ATTEMPTS: i64 = 5;
pub const RESEND_AFTER_SECS: i64 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Login,
    Activate,
    /// A fresh proof before paying, for someone already logged in.
    StepUp,
    /// The light check of an SMS short link.
    Link,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Activate => "activate",
            Self::StepUp => "step_up",
            Self::Link => "link",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// Asked again within a minute of the last code.
    #[error("too soon")]
    TooSoon { retry_at: i64 },
    #[error("wrong or expired code")]
    Wrong,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Creates a code for `phone` and, when `deliver`, queues the SMS that carries it.
/// With `deliver == false` (an unknown phone) a challenge still exists, so the page
/// that follows looks the same whether or not the number is ours.
pub async fn issue(
    state: &AppState,
    phone: &Phone,
    purpose: Purpose,
    customer_id: Option<&str>,
    deliver: bool,
    body: impl FnOnce(&str) -> String,
) -> Result<String, CodeError> {
    let now = state.clock.now();
    if let Some(last) =
        sms_codes::newest_created_at(&state.db.pool, phone.as_str(), purpose.as_str()).await?
    {
        if now - last < RESEND_AFTER_SECS {
            return Err(CodeError::TooSoon {
                retry_at: last + RESEND_AFTER_SECS,
            });
        }
    }
    let id = ids::new_id();
    let code = ids::sms_code();
    let hash = state.config.keyed_hash("sms_code", &format!("{id}:{code}"));
    let mut tx = state.db.pool.begin().await?;
    sms_codes::insert(
        &mut *tx,
        &id,
        phone.as_str(),
        purpose.as_str(),
        &hash,
        now,
        now + TTL_SECS,
    )
    .await?;
    if deliver {
        outbox::enqueue(
            &mut *tx,
            outbox::NewMessage {
                customer_id,
                phone: phone.as_str(),
                category: "login_code",
                body: &body(&code),
                dedupe_key: None,
                now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Where a challenge's code went, for the page that asks for it.
pub struct Challenge {
    pub phone: Phone,
    pub purpose: String,
    pub resend_at: i64,
    pub expired: bool,
}

pub async fn challenge(state: &AppState, id: &str) -> sqlx::Result<Option<Challenge>> {
    let now = state.clock.now();
    Ok(sms_codes::get(&state.db.pool, id).await?.and_then(|row| {
        Some(Challenge {
            phone: Phone::parse(&row.phone)?,
            purpose: row.purpose,
            resend_at: row.created_at + RESEND_AFTER_SECS,
            expired: row.expires_at <= now
                || row.consumed_at.is_some()
                || row.attempts >= MAX_ATTEMPTS,
        })
    }))
}

/// Checks `code` against the challenge, spending one attempt; on success the code is
/// used up and the phone it was sent to is returned.
pub async fn redeem(
    state: &AppState,
    challenge_id: &str,
    purpose: Purpose,
    code: &SmsCode,
) -> Result<Phone, CodeError> {
    let now = state.clock.now();
    let Some(row) = sms_codes::get(&state.db.pool, challenge_id).await? else {
        return Err(CodeError::Wrong);
    };
    if row.purpose != purpose.as_str() {
        return Err(CodeError::Wrong);
    }
    let Some(stored) =
        sms_codes::spend_attempt(&state.db.pool, challenge_id, MAX_ATTEMPTS, now).await?
    else {
        return Err(CodeError::Wrong);
    };
    let given = state
        .config
        .keyed_hash("sms_code", &format!("{challenge_id}:{}", code.as_str()));
    if !constant_time_eq(given.as_bytes(), stored.as_bytes()) {
        return Err(CodeError::Wrong);
    }
    if !sms_codes::consume(&state.db.pool, challenge_id, now).await? {
        return Err(CodeError::Wrong);
    }
    Phone::parse(&row.phone).ok_or(CodeError::Wrong)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
