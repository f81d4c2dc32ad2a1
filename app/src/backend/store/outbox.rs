use sqlx::{Any, Executor};

pub struct NewMessage<'a> {
    pub customer_id: Option<&'a str>,
    pub phone: &'a str,
    pub category: &'a str,
    pub body: &'a str,
    pub dedupe_key: Option<&'a str>,
    pub now: i64,
}

/// Queues one SMS. With a `dedupe_key`, a second message for the same key is a no-op
/// (returns false).
pub async fn enqueue<'e>(
    ex: impl Executor<'e, Database = Any>,
    m: NewMessage<'_>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO sms_outbox (id, customer_id, phone, category, body, state, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(crate::backend::ids::new_id())
    .bind(m.customer_id)
    .bind(m.phone)
    .bind(m.category)
    .bind(m.body)
    .bind(m.dedupe_key)
    .bind(m.now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedMessage {
    pub id: String,
    pub phone: String,
    pub body: String,
}

/// Claims up to `limit` queued messages for one sender. The state guard in the outer
/// WHERE makes two instances racing for a row leave it to one of them.
pub async fn claim_queued<'e>(
    ex: impl Executor<'e, Database = Any>,
    holder: &str,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<ClaimedMessage>> {
    sqlx::query_as(
        "UPDATE sms_outbox SET state = 'sending', claimed_by = $1, claimed_at = $2 \
         WHERE state = 'queued' AND id IN \
           (SELECT id FROM sms_outbox WHERE state = 'queued' ORDER BY created_at LIMIT $3) \
         RETURNING id, phone, body",
    )
    .bind(holder)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

pub async fn mark_sent<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sms_outbox SET state = 'sent', sent_at = $1 WHERE id = $2 AND state = 'sending'",
    )
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Puts back messages whose sender died mid-way (claimed long ago, never marked sent).
pub async fn release_stale<'e>(
    ex: impl Executor<'e, Database = Any>,
    claimed_before: i64,
) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "UPDATE sms_outbox SET state = 'queued', claimed_by = NULL, claimed_at = NULL \
         WHERE state = 'sending' AND claimed_at < $1",
    )
    .bind(claimed_before)
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}
