use crate::model::OfferState;
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
    #[sqlx(try_from = "String")]
    pub state: OfferState,
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
    sqlx::query_as(&format!(
        "SELECT {OFFER_COLS} FROM renewal_offers WHERE customer_id = $1 AND id = $2"
    ))
    .bind(customer_id)
    .bind(offer_id)
    .fetch_optional(ex)
    .await
}

pub async fn items<'e>(
    ex: impl Executor<'e, Database = Any>,
    offer_id: &str,
) -> sqlx::Result<Vec<PriceItemRow>> {
    sqlx::query_as("SELECT kind, amount_fen, detail FROM renewal_price_items WHERE offer_id = $1 ORDER BY position")
        .bind(offer_id)
        .fetch_all(ex)
        .await
}

/// Open → paid, once.
pub async fn mark_paid<'e>(
    ex: impl Executor<'e, Database = Any>,
    offer_id: &str,
) -> sqlx::Result<bool> {
    let r =
        sqlx::query("UPDATE renewal_offers SET state = 'paid' WHERE id = $1 AND state = 'open'")
            .bind(offer_id)
            .execute(ex)
            .await?;
    Ok(r.rows_affected() == 1)
}

/// Open → superseded (a new version replaces it).
pub async fn supersede<'e>(
    ex: impl Executor<'e, Database = Any>,
    offer_id: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE renewal_offers SET state = 'superseded' WHERE id = $1 AND state = 'open'",
    )
    .bind(offer_id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An active policy whose cover ends inside the renewal window and has no offer for its
/// next term yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DuePolicy {
    pub policy_id: String,
    pub customer_id: String,
    pub line: String,
    pub term_no: i64,
    pub start_date: String,
    pub end_date: String,
    pub premium_fen: i64,
    pub birth_date: String,
}

pub async fn due_without_offer<'e>(
    ex: impl Executor<'e, Database = Any>,
    from_date: &str,
    to_date: &str,
) -> sqlx::Result<Vec<DuePolicy>> {
    sqlx::query_as(
        "SELECT p.id AS policy_id, p.customer_id, pr.line, t.term_no, t.start_date, t.end_date, t.premium_fen, c.birth_date \
         FROM policies p \
         JOIN products pr ON pr.id = p.product_id \
         JOIN customers c ON c.id = p.customer_id \
         JOIN policy_terms t ON t.policy_id = p.id \
          AND t.term_no = (SELECT MAX(t2.term_no) FROM policy_terms t2 WHERE t2.policy_id = p.id) \
         WHERE p.status = 'active' AND t.end_date >= $1 AND t.end_date <= $2 \
           AND NOT EXISTS (SELECT 1 FROM renewal_offers o WHERE o.policy_id = p.id AND o.term_start > t.end_date) \
         ORDER BY t.end_date LIMIT 500",
    )
    .bind(from_date)
    .bind(to_date)
    .fetch_all(ex)
    .await
}

pub struct NewOffer<'a> {
    pub id: &'a str,
    pub policy_id: &'a str,
    pub customer_id: &'a str,
    pub version: i64,
    pub term_start: &'a str,
    pub term_end: &'a str,
    pub previous_premium_fen: i64,
    pub premium_fen: i64,
    pub expires_at: i64,
    pub now: i64,
}

/// Inserts an open offer. A second open offer for the policy (another instance doing
/// the same work) violates `renewal_offers_one_open` and fails.
pub async fn insert_offer<'e>(
    ex: impl Executor<'e, Database = Any>,
    o: NewOffer<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO renewal_offers (id, policy_id, customer_id, version, term_start, term_end, previous_premium_fen, \
         premium_fen, state, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10)",
    )
    .bind(o.id)
    .bind(o.policy_id)
    .bind(o.customer_id)
    .bind(o.version)
    .bind(o.term_start)
    .bind(o.term_end)
    .bind(o.previous_premium_fen)
    .bind(o.premium_fen)
    .bind(o.expires_at)
    .bind(o.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn insert_item<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    offer_id: &str,
    kind: &str,
    amount_fen: i64,
    detail: &str,
    position: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO renewal_price_items (id, offer_id, kind, amount_fen, detail, position) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(offer_id)
    .bind(kind)
    .bind(amount_fen)
    .bind(detail)
    .bind(position)
    .execute(ex)
    .await?;
    Ok(())
}

/// The highest version offered for a policy so far (0 when none).
pub async fn max_version<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
) -> sqlx::Result<i64> {
    let (v,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM renewal_offers WHERE policy_id = $1")
            .bind(policy_id)
            .fetch_one(ex)
            .await?;
    Ok(v.unwrap_or(0))
}

/// An open offer and what a reminder about it needs to say.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderSubject {
    pub offer_id: String,
    pub policy_id: String,
    pub customer_id: String,
    pub premium_fen: i64,
    pub term_start: String,
    pub expires_at: i64,
    pub policy_no: String,
    pub auto_debit: i64,
    pub product_zh: String,
    pub name: String,
    pub phone: String,
}

/// Open offers of customers who have not turned renewal reminders off.
pub async fn reminder_subjects<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: i64,
) -> sqlx::Result<Vec<ReminderSubject>> {
    sqlx::query_as(
        "SELECT o.id AS offer_id, o.policy_id, o.customer_id, o.premium_fen, o.term_start, o.expires_at, \
                p.policy_no, p.auto_debit, pr.name_zh AS product_zh, c.name, c.phone \
         FROM renewal_offers o \
         JOIN policies p ON p.id = o.policy_id \
         JOIN products pr ON pr.id = p.product_id \
         JOIN customers c ON c.id = o.customer_id \
         LEFT JOIN notification_preferences n ON n.customer_id = c.id \
         WHERE o.state = 'open' AND o.expires_at > $1 AND p.status = 'active' AND COALESCE(n.renewal, 1) = 1 \
           AND NOT EXISTS (SELECT 1 FROM payments y WHERE y.offer_id = o.id \
                           AND y.state IN ('created', 'pending', 'succeeded')) \
         ORDER BY o.expires_at LIMIT 1000",
    )
    .bind(now)
    .fetch_all(ex)
    .await
}

/// An open offer due for its auto-debit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AutoDebitOffer {
    pub customer_id: String,
    #[sqlx(flatten)]
    pub offer: OfferRow,
}

/// Open offers of policies with auto-debit on, expiring in `(now, until]`, with no
/// payment under way or done.
pub async fn auto_debit_due<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: i64,
    until: i64,
) -> sqlx::Result<Vec<AutoDebitOffer>> {
    sqlx::query_as(
        "SELECT o.customer_id, o.id, o.policy_id, o.version, o.term_start, o.term_end, o.previous_premium_fen, \
                o.premium_fen, o.state, o.expires_at \
         FROM renewal_offers o JOIN policies p ON p.id = o.policy_id \
         WHERE o.state = 'open' AND p.auto_debit = 1 AND p.status = 'active' \
           AND o.expires_at > $1 AND o.expires_at <= $2 \
           AND NOT EXISTS (SELECT 1 FROM payments y WHERE y.offer_id = o.id \
                           AND y.state IN ('created', 'pending', 'succeeded')) \
         ORDER BY o.expires_at LIMIT 500",
    )
    .bind(now)
    .bind(until)
    .fetch_all(ex)
    .await
}
