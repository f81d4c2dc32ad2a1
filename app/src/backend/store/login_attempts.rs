use sqlx::{Any, Executor};

pub async fn record<'e>(
    ex: impl Executor<'e, Database = Any>,
    realm: &str,
    subject: &str,
    ip: &str,
    succeeded: bool,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO login_attempts (id, realm, subject, ip, succeeded, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::backend::ids::new_id())
    .bind(realm)
    .bind(subject)
    .bind(ip)
    .bind(super::flag(succeeded))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Times of the newest `limit` failures for this subject since its last success, newest first.
pub async fn failures_since_success<'e>(
    ex: impl Executor<'e, Database = Any>,
    realm: &str,
    subject: &str,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT at FROM login_attempts WHERE realm = $1 AND subject = $2 AND succeeded = 0 \
         AND at > COALESCE((SELECT MAX(at) FROM login_attempts \
                            WHERE realm = $1 AND subject = $2 AND succeeded = 1), 0) \
         ORDER BY at DESC LIMIT $3",
    )
    .bind(realm)
    .bind(subject)
    .bind(limit)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(at,)| at).collect())
}

/// Times of failures from one address since `since`, oldest first.
pub async fn failures_from_ip<'e>(
    ex: impl Executor<'e, Database = Any>,
    ip: &str,
    since: i64,
) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT at FROM login_attempts WHERE ip = $1 AND succeeded = 0 AND at > $2 ORDER BY at",
    )
    .bind(ip)
    .bind(since)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(at,)| at).collect())
}
