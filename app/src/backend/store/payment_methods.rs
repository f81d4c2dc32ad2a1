use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentMethodRow {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub gateway_token: String,
    pub is_default: i64,
}

pub async fn for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<PaymentMethodRow>> {
    sqlx::query_as(
        "SELECT id, kind, label, gateway_token, is_default FROM payment_methods WHERE customer_id = $1 \
         ORDER BY is_default DESC, created_at",
    )
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<PaymentMethodRow>> {
    sqlx::query_as("SELECT id, kind, label, gateway_token, is_default FROM payment_methods WHERE customer_id = $1 AND id = $2")
        .bind(customer_id)
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Saves a method the customer added (a bank card, by the provider's token only).
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    customer_id: &str,
    kind: &str,
    label: &str,
    gateway_token: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO payment_methods (id, customer_id, kind, label, gateway_token, is_default, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(id)
    .bind(customer_id)
    .bind(kind)
    .bind(label)
    .bind(gateway_token)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The method auto-debit renewal charges: the one the customer chose, else the default.
pub async fn debit_method<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Option<PaymentMethodRow>> {
    sqlx::query_as(
        "SELECT m.id, m.kind, m.label, m.gateway_token, m.is_default FROM payment_methods m \
         JOIN customers c ON c.id = m.customer_id WHERE m.customer_id = $1 \
         AND (m.id = c.debit_method_id OR (c.debit_method_id IS NULL AND m.is_default = 1)) \
         ORDER BY m.created_at LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(ex)
    .await
}
