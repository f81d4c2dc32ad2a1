use sqlx::{Any, Executor};

/// One line of a customer's policy list: the policy and its newest term.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicySummary {
    pub id: String,
    pub policy_no: String,
    pub status: String,
    pub insured_object: String,
    pub line: String,
    pub product_zh: String,
    pub product_en: String,
    pub start_date: String,
    pub end_date: String,
    pub premium_fen: i64,
    pub open_offer_premium_fen: Option<i64>,
}

/// Every policy of one customer, soonest-ending first. Scoped by the session's customer.
pub async fn list_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<PolicySummary>> {
    sqlx::query_as(
        "SELECT p.id, p.policy_no, p.status, p.insured_object, pr.line, pr.name_zh AS product_zh, \
                pr.name_en AS product_en, t.start_date, t.end_date, t.premium_fen, \
                (SELECT o.premium_fen FROM renewal_offers o \
                  WHERE o.policy_id = p.id AND o.state = 'open') AS open_offer_premium_fen \
         FROM policies p \
         JOIN products pr ON pr.id = p.product_id \
         JOIN policy_terms t ON t.policy_id = p.id \
          AND t.term_no = (SELECT MAX(t2.term_no) FROM policy_terms t2 WHERE t2.policy_id = p.id) \
         WHERE p.customer_id = $1 \
         ORDER BY t.end_date, p.policy_no",
    )
    .bind(customer_id)
    .fetch_all(ex)
    .await
}
