use sqlx::{Any, Executor};

#[derive(Debug, sqlx::FromRow)]
pub struct CodeRow {
    pub id: String,
    pub phone: String,
    pub purpose: String,
    pub code_hash: String,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    phone: &str,
    purpose: &str,
    code_hash: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sms_codes (id, phone, purpose, code_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(phone)
    .bind(purpose)
    .bind(code_hash)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<CodeRow>> {
    sqlx::query_as(
        "SELECT id, phone, purpose, code_hash, attempts, created_at, expires_at, consumed_at \
         FROM sms_codes WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// When the newest code for this phone and purpose was created.
pub async fn newest_created_at<'e>(
    ex: impl Executor<'e, Database = Any>,
    phone: &str,
    purpose: &str,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT created_at FROM sms_codes WHERE phone = $1 AND purpose = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(phone)
    .bind(purpose)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(t,)| t))
}

/// Spends one attempt on a live code; returns the hash to compare against, or `None`
/// when the code is unknown, used, expired or out of attempts. Concurrent guesses
/// each spend an attempt: the guard is in the statement.
pub async fn spend_attempt<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    max_attempts: i64,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1 AND consumed_at IS NULL \
         AND expires_at > $2 AND attempts < $3 RETURNING code_hash",
    )
    .bind(id)
    .bind(now)
    .bind(max_attempts)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(h,)| h))
}

/// Marks the code used; only one caller can.
pub async fn consume<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r =
        sqlx::query("UPDATE sms_codes SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(ex)
            .await?;
    Ok(r.rows_affected() == 1)
}
