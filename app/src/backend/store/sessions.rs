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
    /// The staff member's role (staff sessions).
    pub staff_role: Option<String>,
    /// The short link's purpose, target, owner and expiry (link sessions).
    pub link_purpose: Option<String>,
    pub link_target: Option<String>,
    pub link_customer_id: Option<String>,
    pub link_expires_at: Option<i64>,
    /// The customer, reason and end of an impersonation still active (staff sessions).
    pub imp_customer_id: Option<String>,
    pub imp_reason: Option<String>,
    pub imp_expires_at: Option<i64>,
    pub imp_customer_name: Option<String>,
    /// The customer's `staff_view` setting: 0 limits the view to their open claims.
    pub imp_staff_view: Option<i64>,
    /// The staff member's name (staff sessions), for the viewing banner.
    pub staff_name: Option<String>,
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

/// The session for this token hash if it has not expired, idle or absolute, and is not a
/// disabled staff member's; with what the caller needs besides, in one query.
pub async fn find_live<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT s.token_hash, s.kind, s.customer_id, s.staff_id, s.short_link_code, s.impersonation_id, \
         s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, s.stepped_up_at, \
         st.role AS staff_role, st.display_name AS staff_name, \
         l.purpose AS link_purpose, l.target_id AS link_target, l.customer_id AS link_customer_id, \
         l.expires_at AS link_expires_at, \
         i.customer_id AS imp_customer_id, i.reason AS imp_reason, i.expires_at AS imp_expires_at, \
         ci.name AS imp_customer_name, ci.staff_view AS imp_staff_view \
         FROM sessions s \
         LEFT JOIN staff st ON st.id = s.staff_id \
         LEFT JOIN short_links l ON l.code = s.short_link_code \
         LEFT JOIN impersonations i ON i.id = s.impersonation_id AND i.state = 'active' AND i.expires_at > $2 \
         LEFT JOIN customers ci ON ci.id = i.customer_id \
         WHERE s.token_hash = $1 AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2 \
         AND (s.staff_id IS NULL OR st.disabled = 0)",
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

/// Ends a customer's other sessions (their other devices and short-link sessions), keeping
/// the one whose token hash is `keep`; returns how many ended.
pub async fn delete_others_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    keep: &str,
) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM sessions WHERE customer_id = $1 AND impersonation_id IS NULL AND token_hash <> $2",
    )
    .bind(customer_id)
    .bind(keep)
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
