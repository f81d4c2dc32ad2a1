//! One-time SMS codes: six digits, 5 minutes, 5 attempts, one per minute per phone,
//! stored as a keyed hash. The "challenge" is the code row's random id: pages carry it
//! instead of the phone number, so no phone number travels in a URL.

use super::super::domain::lockout;
use super::super::store::{attempt_limits, outbox, sms_codes};
use super::super::{ids, AppState};
use crate::model::{Phone, SmsCode};

pub const TTL_SECS: i64 = 5 * 60;
pub const MAX_ATTEMPTS: i64 = 5;
pub const RESEND_AFTER_SECS: i64 = lockout::CODE_RESEND.window_secs;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Login,
    Activate,
    /// A fresh proof before paying, for someone already logged in.
    StepUp,
    /// The light check of an SMS short link.
    Link,
    /// A change of phone number: one code to the old number, one to the new.
    PhoneChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Activate => "activate",
            Self::StepUp => "step_up",
            Self::Link => "link",
            Self::PhoneChange => "phone_change",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// Asked again within a minute of the last code.
    #[error("too soon")]
    TooSoon { retry_at: i64 },
    /// Too many codes for this phone (5 an hour, 10 a day) or from this address (20 an
    /// hour). Unknown phones are limited the same way, so the answer tells nothing.
    #[error("too many codes")]
    Limited { until: i64 },
    #[error("wrong or expired code")]
    Wrong,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What a one-time code's SMS shows wherever people read it back (their SMS history, the
/// staff outbox): the code is starred out; only the provider is handed the real text.
pub const REDACTED: &str = "******";

/// Creates a code for `phone` and, when `deliver`, queues the SMS that carries it.
/// With `deliver == false` (an unknown phone) a challenge still exists, and the same
/// limits are spent, so the page that follows looks the same whether or not the number
/// is ours. Each limit is claimed before anything is created: a burst of requests gets
/// no more codes than the limits allow.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    state: &AppState,
    phone: &Phone,
    purpose: Purpose,
    customer_id: Option<&str>,
    deliver: bool,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<String, CodeError> {
    let now = state.clock.now();
    let pool = &state.db.pool;
    // Most particular first: a burst for one phone stops at "one a minute" without
    // spending that phone's hourly allowance or the address's.
    // Per purpose: a stranger asking for login codes must not use up the step-up, link or
    // activation codes of the phone's owner.
    let phone_key = format!("{}:{}", purpose.as_str(), phone.as_str());
    let claims = [
        (&lockout::CODE_RESEND, phone_key.as_str()),
        (&lockout::CODES_PER_PHONE_HOUR, phone_key.as_str()),
        (&lockout::CODES_PER_PHONE_DAY, phone_key.as_str()),
        (&lockout::CODES_PER_ADDRESS_HOUR, ip),
    ];
    match attempt_limits::claim_all(pool, &claims, now).await? {
        Ok(()) => {}
        Err((0, retry_at)) => return Err(CodeError::TooSoon { retry_at }),
        Err((_, until)) => return Err(CodeError::Limited { until }),
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
                body: &body(REDACTED),
                secret_body: Some(&body(&code)),
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

/// Checks two codes of `purpose` together (a change of phone number: one sent to the old
/// number, one to the new), spending an attempt on each; only when both are right are both
/// used up, so one wrong code does not waste the other. Returns the phones they went to.
pub async fn redeem_pair(
    state: &AppState,
    purpose: Purpose,
    pair: [(&str, &SmsCode); 2],
) -> Result<[Phone; 2], CodeError> {
    let now = state.clock.now();
    let pool = &state.db.pool;
    if pair[0].0 == pair[1].0 {
        return Err(CodeError::Wrong);
    }
    let mut phones = Vec::with_capacity(2);
    let mut right = true;
    for (id, code) in pair {
        let Some(row) = sms_codes::get(pool, id).await? else {
            return Err(CodeError::Wrong);
        };
        if row.purpose != purpose.as_str() {
            return Err(CodeError::Wrong);
        }
        let stored = sms_codes::spend_attempt(pool, id, MAX_ATTEMPTS, now).await?;
        let given = state
            .config
            .keyed_hash("sms_code", &format!("{id}:{}", code.as_str()));
        right &= stored.is_some_and(|s| constant_time_eq(given.as_bytes(), s.as_bytes()));
        phones.push(Phone::parse(&row.phone).ok_or(CodeError::Wrong)?);
    }
    if !right {
        return Err(CodeError::Wrong);
    }
    for (id, _) in pair {
        if !sms_codes::consume(pool, id, now).await? {
            return Err(CodeError::Wrong);
        }
    }
    let [old, new]: [Phone; 2] = phones.try_into().map_err(|_| CodeError::Wrong)?;
    Ok([old, new])
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
