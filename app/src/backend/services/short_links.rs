//! SMS short links: `/s/{code}` lands a phone user on exactly one thing. Opening a link
//! changes nothing (SMS apps and scanners open links); a light check (the last 4 of the
//! ID number) then gives a session limited to that one purpose for 15 minutes. Five
//! wrong answers lock the link for 30 minutes.

use crate::backend::auth::activation::id_last4_hash;
use crate::backend::auth::codes::{self, CodeError, Purpose as CodePurpose};
use crate::backend::domain::lockout;
use crate::backend::store::{attempt_limits, audit, customers, short_links};
use crate::backend::{ids, AppState};
use crate::model::{IdLast4, Phone, SmsCode};
use sqlx::AnyConnection;

/// 22 base-62 characters: about 131 bits, unguessable (DESIGN asks for ≥ 96). Links
/// sent before with 12 characters keep working until they expire.
pub const CODE_LEN: usize = 22;
pub const SESSION_SECS: i64 = 15 * 60;
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECS: i64 = 30 * 60;

pub use crate::backend::domain::links::Purpose;

/// Creates a link inside the caller's transaction (the one that queues the SMS).
pub async fn create(
    conn: &mut AnyConnection,
    customer_id: &str,
    purpose: Purpose,
    target_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<String> {
    let code = ids::short_code(CODE_LEN);
    short_links::insert(
        conn,
        &code,
        customer_id,
        purpose.as_str(),
        target_id,
        now,
        expires_at,
    )
    .await?;
    Ok(code)
}

/// Creates a link until `expires_at` (inside the caller's transaction) and returns its
/// full address, as an SMS carries it.
pub async fn create_url(
    state: &AppState,
    conn: &mut AnyConnection,
    customer_id: &str,
    purpose: Purpose,
    target_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<String> {
    let code = create(conn, customer_id, purpose, target_id, now, expires_at).await?;
    Ok(format!(
        "{}/s/{code}",
        state.config.public_url.trim_end_matches('/')
    ))
}

/// A link that can be used now.
#[derive(Clone, Debug)]
pub struct LiveLink {
    pub code: String,
    pub customer_id: String,
    pub purpose: Purpose,
    pub target_id: String,
    pub locked_until: Option<i64>,
}

/// Finds a link without touching it. Unknown and expired links look the same.
pub async fn open(state: &AppState, code: &str) -> sqlx::Result<Option<LiveLink>> {
    let now = state.clock.now();
    let code: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    Ok(short_links::get(&state.db.pool, &code)
        .await?
        .and_then(|l| {
            (l.expires_at > now).then_some(())?;
            Some(LiveLink {
                purpose: Purpose::parse(&l.purpose)?,
                locked_until: l.locked_until.filter(|t| *t > now),
                code: l.code,
                customer_id: l.customer_id,
                target_id: l.target_id,
            })
        }))
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("unknown or expired link")]
    Gone,
    #[error("link locked")]
    Locked { until: i64 },
    #[error("wrong answer")]
    Wrong { left: i64 },
    #[error("code requested too soon")]
    TooSoon { retry_at: i64 },
    /// Too many failures (or codes) from this address.
    #[error("address throttled")]
    Throttled { until: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CheckError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The two light checks a link accepts.
pub enum Proof<'a> {
    IdDigits(&'a IdLast4),
    /// A code texted to the phone on file: the challenge and the code.
    SmsCode(&'a str, &'a SmsCode),
}

/// Texts a code for a link's light check to the phone on file; returns the challenge.
pub async fn send_code(
    state: &AppState,
    code: &str,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<String, CheckError> {
    let link = open(state, code).await?.ok_or(CheckError::Gone)?;
    if let Some(until) = link.locked_until {
        return Err(CheckError::Locked { until });
    }
    let profile = customers::profile(&state.db.pool, &link.customer_id)
        .await?
        .ok_or(CheckError::Gone)?;
    let phone =
        Phone::parse(&profile.phone).ok_or_else(|| anyhow::anyhow!("stored phone invalid"))?;
    codes::issue(
        state,
        &phone,
        CodePurpose::Link,
        Some(&link.customer_id),
        true,
        ip,
        body,
    )
    .await
    .map_err(|e| match e {
        CodeError::TooSoon { retry_at } => CheckError::TooSoon { retry_at },
        CodeError::Limited { until } => CheckError::Throttled { until },
        CodeError::Wrong => CheckError::Gone,
        CodeError::Db(e) => e.into(),
    })
}

/// Checks the proof; on success starts a session for this link only and returns the
/// cookie to set. Passing the check counts as a step-up: the person may pay.
pub async fn check(
    state: &AppState,
    code: &str,
    proof: Proof<'_>,
    ip: &str,
) -> Result<(LiveLink, String), CheckError> {
    let link = open(state, code).await?.ok_or(CheckError::Gone)?;
    let now = state.clock.now();
    let pool = &state.db.pool;
    // Both claimed before the answer is compared: the link's first, then the address's.
    let Some(n) =
        short_links::claim_check(pool, &link.code, MAX_FAILURES, now, now + LOCK_SECS).await?
    else {
        let until = open(state, code)
            .await?
            .and_then(|l| l.locked_until)
            .unwrap_or(now + LOCK_SECS);
        return Err(CheckError::Locked { until });
    };
    // A throttled address keeps the link's check spent: given back, a lock set by a
    // parallel check could be undone.
    if let Err(until) = attempt_limits::claim(pool, &lockout::ADDRESS, ip, now).await? {
        return Err(CheckError::Throttled { until });
    }
    let passed = match proof {
        Proof::IdDigits(last4) => {
            let stored = customers::id_last4_hash(&state.db.pool, &link.customer_id).await?;
            stored.as_deref() == Some(id_last4_hash(state, &link.customer_id, last4).as_str())
        }
        Proof::SmsCode(challenge, sms) => {
            let phone = customers::profile(&state.db.pool, &link.customer_id)
                .await?
                .map(|p| p.phone);
            match codes::redeem(state, challenge, CodePurpose::Link, sms).await {
                Ok(p) => phone.as_deref() == Some(p.as_str()),
                Err(CodeError::Db(e)) => return Err(e.into()),
                Err(_) => false,
            }
        }
    };
    if !passed {
        audit::record(
            &state.db.pool,
            audit::AuditEntry {
                actor_kind: "anonymous",
                actor_id: None,
                customer_id: Some(&link.customer_id),
                action: "short_link.check_failed",
                detail: link.purpose.as_str(),
                ip: Some(ip),
                now,
            },
        )
        .await?;
        return Err(if n >= MAX_FAILURES {
            CheckError::Locked {
                until: now + LOCK_SECS,
            }
        } else {
            CheckError::Wrong {
                left: MAX_FAILURES - n,
            }
        });
    }
    short_links::reset_failures(pool, &link.code).await?;
    attempt_limits::refund(pool, &lockout::ADDRESS, ip).await?;
    let cookie = crate::backend::auth::session::start_link(
        state,
        &link.customer_id,
        &link.code,
        SESSION_SECS,
    )
    .await?;
    audit::record(
        &state.db.pool,
        audit::AuditEntry {
            actor_kind: "customer",
            actor_id: Some(&link.customer_id),
            customer_id: Some(&link.customer_id),
            action: "short_link.checked",
            detail: link.purpose.as_str(),
            ip: Some(ip),
            now,
        },
    )
    .await?;
    Ok((link, cookie))
}
