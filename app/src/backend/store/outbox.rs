use sqlx::{Any, Executor};

pub struct NewMessage<'a> {
    pub customer_id: Option<&'a str>,
    pub phone: &'a str,
    pub category: &'a str,
    /// What people and staff read back.
    pub body: &'a str,
    /// What the provider is handed instead, when it differs (a one-time code in clear);
    /// cleared once the message is sent or dropped.
    pub secret_body: Option<&'a str>,
    pub dedupe_key: Option<&'a str>,
    pub now: i64,
}

/// Queues one SMS. With a `dedupe_key`, a second message for the same key is a no-op
/// (returns false).
pub async fn enqueue<'e>(
    ex: impl Executor<'e, Database = Any>,
    m: NewMessage<'_>,
) -> sqlx::Result<bool> {
    enqueue_as(ex, &crate::backend::ids::new_id(), m).await
}

/// `enqueue` with the row's id chosen by the caller (who records what the message answers).
pub async fn enqueue_as<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    m: NewMessage<'_>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO sms_outbox (id, customer_id, phone, category, body, secret_body, state, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(id)
    .bind(m.customer_id)
    .bind(m.phone)
    .bind(m.category)
    .bind(m.body)
    .bind(m.secret_body)
    .bind(m.dedupe_key)
    .bind(m.now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// True when a message with this dedupe key is already queued: a read that lets a job
/// skip work it did before. Only the unique key (see `enqueue`) settles a race.
pub async fn exists<'e>(
    ex: impl Executor<'e, Database = Any>,
    dedupe_key: &str,
) -> sqlx::Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_outbox WHERE dedupe_key = $1")
        .bind(dedupe_key)
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedMessage {
    pub id: String,
    pub customer_id: Option<String>,
    pub phone: String,
    pub category: String,
    /// The text to hand to the provider (the secret one, when there is one).
    pub body: String,
    /// Tries so far that the provider refused.
    pub attempts: i64,
    pub created_at: i64,
}

/// Claims up to `limit` messages that are queued, or deferred until now or earlier, for
/// one sender. Login codes first: someone is waiting at the sign-in page, and no backlog
/// of reminders may hold their code up. The state guard in the outer WHERE makes two instances racing for a row
/// leave it to one of them.
pub async fn claim_due<'e>(
    ex: impl Executor<'e, Database = Any>,
    holder: &str,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<ClaimedMessage>> {
    sqlx::query_as(
        "UPDATE sms_outbox SET state = 'sending', claimed_by = $1, claimed_at = $2 \
         WHERE state IN ('queued', 'deferred') AND COALESCE(defer_until, 0) <= $2 AND id IN \
           (SELECT id FROM sms_outbox WHERE state IN ('queued', 'deferred') AND COALESCE(defer_until, 0) <= $2 \
            ORDER BY CASE category WHEN 'login_code' THEN 0 WHEN 'sms_reply' THEN 1 ELSE 2 END, created_at LIMIT $3) \
         RETURNING id, customer_id, phone, category, COALESCE(secret_body, body) AS body, attempts, created_at",
    )
    .bind(holder)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
    .map(|mut claimed: Vec<ClaimedMessage>| {
        // RETURNING keeps no order: codes first again, answers next, then oldest first.
        claimed.sort_by_key(|m| {
            let rank = match m.category.as_str() {
                "login_code" => 0,
                "sms_reply" => 1,
                _ => 2,
            };
            (rank, m.created_at)
        });
        claimed
    })
}

/// Holds a claimed message until `until` (quiet hours, the person's window).
pub async fn defer<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    until: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sms_outbox SET state = 'deferred', defer_until = $1 WHERE id = $2 AND state = 'sending'")
        .bind(until)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The provider refused a claimed message: it waits until `until` for another try.
pub async fn retry_later<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    until: i64,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sms_outbox SET state = 'deferred', defer_until = $1, attempts = attempts + 1, \
         last_error = $2, claimed_by = NULL, claimed_at = NULL WHERE id = $3 AND state = 'sending'",
    )
    .bind(until)
    .bind(error)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// The provider refused a claimed message for too long: dropped, with its last answer
/// kept for staff (and a secret body forgotten).
pub async fn give_up<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sms_outbox SET state = 'suppressed', suppressed_reason = 'gave_up', \
         attempts = attempts + 1, last_error = $1, secret_body = NULL WHERE id = $2 AND state = 'sending'",
    )
    .bind(error)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Hands a claimed message back untried (its sender stopped the batch).
pub async fn release<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sms_outbox SET state = 'queued', claimed_by = NULL, claimed_at = NULL \
         WHERE id = $1 AND state = 'sending'",
    )
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Drops a claimed message for good, saying why (frequency cap, opted out).
pub async fn suppress<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sms_outbox SET state = 'suppressed', suppressed_reason = $1, secret_body = NULL \
         WHERE id = $2 AND state = 'sending'",
    )
    .bind(reason)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Non-essential messages sent to a customer since `since` (for the weekly cap).
pub async fn non_essential_sent_since<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    since: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sms_outbox WHERE customer_id = $1 AND state = 'sent' AND sent_at >= $2 \
         AND category IN ('renewal_reminder', 'service_notice', 'survey', 'marketing')",
    )
    .bind(customer_id)
    .bind(since)
    .fetch_one(ex)
    .await?;
    Ok(n)
}

/// A row of the outbox as staff read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub phone: String,
    pub category: String,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub state: crate::model::OutboxState,
    pub defer_until: Option<i64>,
    pub suppressed_reason: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// Tries the provider refused, and its last answer.
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The newest messages, for `/staff/outbox`.
pub async fn newest<'e>(
    ex: impl Executor<'e, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, phone, category, body, state, defer_until, suppressed_reason, created_at, sent_at, attempts, last_error \
         FROM sms_outbox ORDER BY created_at DESC, id LIMIT $1",
    )
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
        "UPDATE sms_outbox SET state = 'sent', sent_at = $1, secret_body = NULL \
         WHERE id = $2 AND state = 'sending'",
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

/// Messages to one customer since `since`, newest first (their own record).
pub async fn for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    since: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, phone, category, body, state, defer_until, suppressed_reason, created_at, sent_at, attempts, last_error \
         FROM sms_outbox WHERE customer_id = $1 AND created_at >= $2 ORDER BY created_at DESC, id LIMIT 200",
    )
    .bind(customer_id)
    .bind(since)
    .fetch_all(ex)
    .await
}
