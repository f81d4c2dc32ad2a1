use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShortLinkRow {
    pub code: String,
    pub customer_id: String,
    pub purpose: String,
    pub target_id: String,
    pub expires_at: i64,
    pub failed_checks: i64,
    pub locked_until: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    code: &str,
    customer_id: &str,
    purpose: &str,
    target_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO short_links (code, customer_id, purpose, target_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code)
    .bind(customer_id)
    .bind(purpose)
    .bind(target_id)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    code: &str,
) -> sqlx::Result<Option<ShortLinkRow>> {
    sqlx::query_as(
        "SELECT code, customer_id, purpose, target_id, expires_at, failed_checks, locked_until FROM short_links WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(ex)
    .await
}

/// Claims one check of the link before the answer is compared: `Some(n)` for the n-th
/// check since the last pass, `None` while the link is locked. The `max_checks`-th claim
/// locks the link until `lock_until` unless it passes (`reset_failures`); a lock that has
/// run out starts the count again. One guarded statement: parallel guesses cannot get
/// more than `max_checks` answers compared.
pub async fn claim_check<'e>(
    ex: impl Executor<'e, Database = Any>,
    code: &str,
    max_checks: i64,
    now: i64,
    lock_until: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE short_links SET \
           failed_checks = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_checks + 1 END, \
           locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_checks + 1 END) >= $3 \
                               THEN $4 ELSE NULL END \
         WHERE code = $1 AND ((locked_until IS NULL AND failed_checks < $3) OR locked_until <= $2) \
         RETURNING failed_checks",
    )
    .bind(code)
    .bind(now)
    .bind(max_checks)
    .bind(lock_until)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(n,)| n))
}

/// A passed check starts the count again (after a lock has run out, too).
pub async fn reset_failures<'e>(
    ex: impl Executor<'e, Database = Any>,
    code: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE short_links SET failed_checks = 0, locked_until = NULL WHERE code = $1")
        .bind(code)
        .execute(ex)
        .await?;
    Ok(())
}
