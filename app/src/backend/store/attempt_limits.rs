//! Attempt counters (`domain::lockout`). One upsert claims an attempt or refuses it, so
//! concurrent requests cannot slip between a check and a record.

use crate::backend::domain::lockout::{Limit, Reset};
use sqlx::{AnyConnection, AnyPool};

/// Claims one attempt. `Ok(n)`: let through, the n-th of the window; `Err(until)`: the
/// limit is reached until then, and nothing was counted.
pub async fn claim(
    pool: &AnyPool,
    limit: &Limit,
    subject: &str,
    now: i64,
) -> sqlx::Result<Result<i64, i64>> {
    claim_in(&mut *pool.acquire().await?, limit, subject, now).await
}

/// `claim` on the caller's connection: inside a transaction, the attempt counts only if
/// the transaction commits.
pub async fn claim_in(
    conn: &mut AnyConnection,
    limit: &Limit,
    subject: &str,
    now: i64,
) -> sqlx::Result<Result<i64, i64>> {
    let expired = match limit.reset {
        Reset::AfterQuiet => "attempt_limits.last_at <= $3 - $5",
        Reset::FixedWindow => "attempt_limits.window_start <= $3 - $5",
    };
    let sql = format!(
        "INSERT INTO attempt_limits (realm, subject, attempts, window_start, last_at) \
         VALUES ($1, $2, 1, $3, $3) \
         ON CONFLICT (realm, subject) DO UPDATE SET \
           attempts = CASE WHEN {expired} THEN 1 ELSE attempt_limits.attempts + 1 END, \
           window_start = CASE WHEN {expired} THEN $3 ELSE attempt_limits.window_start END, \
           last_at = $3 \
         WHERE attempt_limits.attempts < $4 OR {expired} \
         RETURNING attempts"
    );
    let claimed: Option<(i64,)> = sqlx::query_as(&sql)
        .bind(limit.realm)
        .bind(subject)
        .bind(now)
        .bind(limit.max)
        .bind(limit.window_secs)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some((n,)) = claimed {
        return Ok(Ok(n));
    }
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT window_start, last_at FROM attempt_limits WHERE realm = $1 AND subject = $2",
    )
    .bind(limit.realm)
    .bind(subject)
    .fetch_optional(&mut *conn)
    .await?;
    let (start, last) = row.unwrap_or((now, now));
    Ok(Err(limit.refused_until(start, last)))
}

/// Claims one attempt under each `(limit, subject)` in turn, all or none: when one is
/// refused, those already claimed are given back. `Err((i, until))` names the refusing one.
pub async fn claim_all(
    pool: &AnyPool,
    claims: &[(&Limit, &str)],
    now: i64,
) -> sqlx::Result<Result<(), (usize, i64)>> {
    claim_all_in(&mut *pool.acquire().await?, claims, now).await
}

/// `claim_all` on the caller's connection (inside its transaction).
pub async fn claim_all_in(
    conn: &mut AnyConnection,
    claims: &[(&Limit, &str)],
    now: i64,
) -> sqlx::Result<Result<(), (usize, i64)>> {
    for (i, (limit, subject)) in claims.iter().enumerate() {
        if let Err(until) = claim_in(&mut *conn, limit, subject, now).await? {
            for (limit, subject) in &claims[..i] {
                refund_in(&mut *conn, limit, subject).await?;
            }
            return Ok(Err((i, until)));
        }
    }
    Ok(Ok(()))
}

/// The subject got it right: its count starts again.
pub async fn reset(pool: &AnyPool, limit: &Limit, subject: &str) -> sqlx::Result<()> {
    reset_in(&mut *pool.acquire().await?, limit, subject).await
}

/// `reset` on the caller's connection (inside its transaction).
pub async fn reset_in(conn: &mut AnyConnection, limit: &Limit, subject: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE attempt_limits SET attempts = 0 WHERE realm = $1 AND subject = $2")
        .bind(limit.realm)
        .bind(subject)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives back one claimed attempt (it turned out not to be a failure).
pub async fn refund(pool: &AnyPool, limit: &Limit, subject: &str) -> sqlx::Result<()> {
    refund_in(&mut *pool.acquire().await?, limit, subject).await
}

async fn refund_in(conn: &mut AnyConnection, limit: &Limit, subject: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE attempt_limits SET attempts = attempts - 1 \
         WHERE realm = $1 AND subject = $2 AND attempts > 0",
    )
    .bind(limit.realm)
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

/// Attempts counted in the subject's current window (for tests and staff views).
pub async fn attempts(pool: &AnyPool, limit: &Limit, subject: &str) -> sqlx::Result<i64> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT attempts FROM attempt_limits WHERE realm = $1 AND subject = $2")
            .bind(limit.realm)
            .bind(subject)
            .fetch_optional(pool)
            .await?;
    Ok(row.map_or(0, |(n,)| n))
}
