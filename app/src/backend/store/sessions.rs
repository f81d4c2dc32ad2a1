use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub kind: String,
    pub customer_id: Option<String>,
    pub staff_id: Option<String>,
    pub short_link_code: Option<String>,
    pub impersonation_id: Option<String>,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub stepped_up_at: Option<i64>,
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub kind: &'a str,
    pub customer_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    pub short_link_code: Option<&'a str>,
    pub stepped_up_at: Option<i64>,
    pub now: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    s: NewSession<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, kind, customer_id, staff_id, short_link_code, stepped_up_at, \
         created_at, last_seen_at, idle_expires_at, absolute_expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
    )
    .bind(s.token_hash)
    .bind(s.kind)
    .bind(s.customer_id)
    .bind(s.staff_id)
    .bind(s.short_link_code)
    .bind(s.stepped_up_at)
    .bind(s.now)
    .bind(s.idle_expires_at)
    .bind(s.absolute_expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The session for this token hash if it has not expired, idle or absolute.
pub async fn find_live<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT token_hash, kind, customer_id, staff_id, short_link_code, impersonation_id, \
         last_seen_at, idle_expires_at, absolute_expires_at, stepped_up_at FROM sessions \
         WHERE token_hash = $1 AND idle_expires_at > $2 AND absolute_expires_at > $2 \
         AND NOT EXISTS (SELECT 1 FROM staff WHERE staff.id = sessions.staff_id AND staff.disabled <> 0)",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Pushes the idle expiry forward (never past the absolute expiry).
pub async fn touch<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
    idle_expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE token_hash = $3",
    )
    .bind(now)
    .bind(idle_expires_at)
    .bind(token_hash)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn delete<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete_expired<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: i64,
) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1",
    )
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// Records a passed step-up check (ID digits or SMS code) on the session.
pub async fn set_stepped_up<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET stepped_up_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Ends every session of a customer (all devices, and their short-link sessions).
pub async fn delete_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND impersonation_id IS NULL")
        .bind(customer_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected())
}

/// Ends every session of one member of staff; returns how many.
pub async fn delete_for_staff<'e>(
    ex: impl Executor<'e, Database = Any>,
    staff_id: &str,
) -> sqlx::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(staff_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected())
}
