use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferRow {
    pub id: String,
    pub policy_id: String,
    pub version: i64,
    pub term_start: String,
    pub term_end: String,
    pub previous_premium_fen: i64,
    pub premium_fen: i64,
    pub state: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PriceItemRow {
    pub kind: String,
    pub amount_fen: i64,
    pub detail: String,
}

const OFFER_COLS: &str = "id, policy_id, version, term_start, term_end, previous_premium_fen, premium_fen, state, expires_at";

/// The newest offer for a policy (open, paid or otherwise), scoped by customer.
pub async fn latest_for_policy<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<OfferRow>> {
    sqlx::query_as(&format!(
        "SELECT {OFFER_COLS} FROM renewal_offers WHERE customer_id = $1 AND policy_id = $2 \
         ORDER BY version DESC LIMIT 1"
    ))
    .bind(customer_id)
    .bind(policy_id)
    .fetch_optional(ex)
    .await
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    offer_id: &str,
) -> sqlx::Result<Option<OfferRow>> {
    sqlx::query_as(&format!("SELECT {OFFER_COLS} FROM renewal_offers WHERE customer_id = $1 AND id = $2"))
        .bind(customer_id)
        .bind(offer_id)
        .fetch_optional(ex)
        .await
}

pub async fn items<'e>(ex: impl Executor<'e, Database = Any>, offer_id: &str) -> sqlx::Result<Vec<PriceItemRow>> {
    sqlx::query_as("SELECT kind, amount_fen, detail FROM renewal_price_items WHERE offer_id = $1 ORDER BY position")
        .bind(offer_id)
        .fetch_all(ex)
        .await
}

/// Open → paid, once.
pub async fn mark_paid<'e>(ex: impl Executor<'e, Database = Any>, offer_id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE renewal_offers SET state = 'paid' WHERE id = $1 AND state = 'open'")
        .bind(offer_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Open → superseded (a new version replaces it).
pub async fn supersede<'e>(ex: impl Executor<'e, Database = Any>, offer_id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE renewal_offers SET state = 'superseded' WHERE id = $1 AND state = 'open'")
        .bind(offer_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}
