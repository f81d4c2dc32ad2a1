use crate::model::PaymentState;
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: String,
    pub customer_id: String,
    pub offer_id: String,
    pub policy_id: String,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub amount_fen: i64,
    pub method: String,
    pub method_token: String,
    #[sqlx(try_from = "String")]
    pub state: PaymentState,
    pub gateway_ref: Option<String>,
    pub failure_code: Option<String>,
    pub created_at: i64,
    pub settled_at: Option<i64>,
}

const COLS: &str = "id, customer_id, offer_id, policy_id, idempotency_key, fingerprint, amount_fen, method, method_token, \
                    state, gateway_ref, failure_code, created_at, settled_at";

pub struct NewPayment<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub offer_id: &'a str,
    pub policy_id: &'a str,
    pub idempotency_key: &'a str,
    pub fingerprint: &'a str,
    pub amount_fen: i64,
    pub method: &'a str,
    pub method_token: &'a str,
    pub now: i64,
}

/// Claims an idempotency key. `Ok(false)` when this customer already used the key.
/// A second live payment for the same offer violates `payments_one_live_per_offer`
/// and comes back as a unique-violation error.
pub async fn claim<'e>(
    ex: impl Executor<'e, Database = Any>,
    p: NewPayment<'_>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO payments (id, customer_id, offer_id, policy_id, idempotency_key, fingerprint, amount_fen, \
         method, method_token, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'created', $10, $10) \
         ON CONFLICT (customer_id, idempotency_key) DO NOTHING",
    )
    .bind(p.id)
    .bind(p.customer_id)
    .bind(p.offer_id)
    .bind(p.policy_id)
    .bind(p.idempotency_key)
    .bind(p.fingerprint)
    .bind(p.amount_fen)
    .bind(p.method)
    .bind(p.method_token)
    .bind(p.now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn by_key<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    key: &str,
) -> sqlx::Result<Option<PaymentRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM payments WHERE customer_id = $1 AND idempotency_key = $2"
    ))
    .bind(customer_id)
    .bind(key)
    .fetch_optional(ex)
    .await
}

/// The payment for an offer that is under way or done, if any.
pub async fn live_for_offer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    offer_id: &str,
) -> sqlx::Result<Option<PaymentRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM payments WHERE customer_id = $1 AND offer_id = $2 \
         AND state IN ('created', 'pending', 'succeeded')"
    ))
    .bind(customer_id)
    .bind(offer_id)
    .fetch_optional(ex)
    .await
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<PaymentRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM payments WHERE customer_id = $1 AND id = $2"
    ))
    .bind(customer_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn by_gateway_ref<'e>(
    ex: impl Executor<'e, Database = Any>,
    gateway_ref: &str,
) -> sqlx::Result<Option<PaymentRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM payments WHERE gateway_ref = $1"
    ))
    .bind(gateway_ref)
    .fetch_optional(ex)
    .await
}

pub async fn for_policy<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Vec<PaymentRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM payments WHERE customer_id = $1 AND policy_id = $2 ORDER BY created_at DESC"
    ))
    .bind(customer_id)
    .bind(policy_id)
    .fetch_all(ex)
    .await
}

/// created → pending, recording the provider's reference.
pub async fn mark_pending<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    gateway_ref: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE payments SET state = 'pending', gateway_ref = $1, updated_at = $2 WHERE id = $3 AND state = 'created'",
    )
    .bind(gateway_ref)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// pending (or created) → succeeded | failed. Only one caller wins; replays change nothing.
pub async fn settle<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    succeeded: bool,
    failure_code: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE payments SET state = $1, failure_code = $2, settled_at = $3, updated_at = $3 \
         WHERE id = $4 AND state IN ('created', 'pending')",
    )
    .bind(
        if succeeded {
            PaymentState::Succeeded
        } else {
            PaymentState::Failed
        }
        .as_str(),
    )
    .bind(failure_code)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// created | pending → expired: the deadline passed and the provider never said it
/// succeeded. Frees the offer for another payment. Only one caller wins.
pub async fn expire<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE payments SET state = 'expired', settled_at = $1, updated_at = $1 \
         WHERE id = $2 AND state IN ('created', 'pending')",
    )
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Payments still `created` or `pending` and not heard of since `before`, for reconciliation.
pub async fn stale<'e>(
    ex: impl Executor<'e, Database = Any>,
    before: i64,
) -> sqlx::Result<Vec<PaymentRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM payments WHERE state IN ('created', 'pending') AND updated_at < $1 \
         ORDER BY updated_at LIMIT 100"
    ))
    .bind(before)
    .fetch_all(ex)
    .await
}
