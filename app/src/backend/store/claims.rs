use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimLine {
    pub id: String,
    pub claim_no: String,
    pub stage: String,
    pub incident_date: String,
    pub reported_at: i64,
}

/// A policy's claims, scoped by customer.
pub async fn for_policy<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Vec<ClaimLine>> {
    sqlx::query_as(
        "SELECT id, claim_no, stage, incident_date, reported_at FROM claims \
         WHERE customer_id = $1 AND policy_id = $2 ORDER BY reported_at DESC",
    )
    .bind(customer_id)
    .bind(policy_id)
    .fetch_all(ex)
    .await
}

/// Claims on a policy reported since `since` (renewal pricing looks at the last year).
pub async fn count_since<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
    since: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM claims WHERE policy_id = $1 AND reported_at >= $2 AND stage NOT IN ('withdrawn', 'declined')",
    )
    .bind(policy_id)
    .bind(since)
    .fetch_one(ex)
    .await?;
    Ok(n)
}
