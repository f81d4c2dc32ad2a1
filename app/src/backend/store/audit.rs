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

/// A request made by a member of staff while viewing as a customer, or the start or end
/// of such a view: who, for whom, what and on which path, from where, in which view.
pub struct ViewingEntry<'a> {
    pub staff_id: &'a str,
    pub customer_id: &'a str,
    pub impersonation_id: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub ip: &'a str,
    pub request_id: &'a str,
    pub now: i64,
}

pub async fn record_viewing<'e>(
    ex: impl Executor<'e, Database = Any>,
    e: ViewingEntry<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_kind, actor_id, customer_id, impersonation_id, action, target, detail, ip, request_id) \
         VALUES ($1, $2, 'staff', $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(crate::backend::ids::new_id())
    .bind(e.now)
    .bind(e.staff_id)
    .bind(e.customer_id)
    .bind(e.impersonation_id)
    .bind(e.action)
    .bind(e.target)
    .bind(e.detail)
    .bind(e.ip)
    .bind(e.request_id)
    .execute(ex)
    .await?;
    Ok(())
}
