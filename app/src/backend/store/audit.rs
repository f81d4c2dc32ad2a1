use sqlx::{Any, Executor};

pub struct AuditEntry<'a> {
    pub actor_kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub customer_id: Option<&'a str>,
    pub action: &'a str,
    pub detail: &'a str,
    pub ip: Option<&'a str>,
    pub now: i64,
}

pub async fn record<'e>(
    ex: impl Executor<'e, Database = Any>,
    e: AuditEntry<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_kind, actor_id, customer_id, action, detail, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::backend::ids::new_id())
    .bind(e.now)
    .bind(e.actor_kind)
    .bind(e.actor_id)
    .bind(e.customer_id)
    .bind(e.action)
    .bind(e.detail)
    .bind(e.ip)
    .execute(ex)
    .await?;
    Ok(())
}
