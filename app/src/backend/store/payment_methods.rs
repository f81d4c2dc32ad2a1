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
