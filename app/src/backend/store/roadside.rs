//! Roadside-assistance requests: help asked for now, moved along by staff.

use crate::model::RoadsideState;
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoadsideRow {
    pub id: String,
    pub request_no: String,
    pub customer_id: String,
    pub policy_id: String,
    /// NULL: the year's calls were used up; help comes at the provider's rates.
    pub usage_year: Option<String>,
    pub location: String,
    pub plate: String,
    pub what_happened: String,
    pub callback_phone: String,
    #[sqlx(try_from = "String")]
    pub state: RoadsideState,
    pub created_at: i64,
    pub dispatched_at: Option<i64>,
    pub arrived_at: Option<i64>,
    pub completed_at: Option<i64>,
}

const COLS: &str =
    "id, request_no, customer_id, policy_id, usage_year, location, plate, what_happened, \
                    callback_phone, state, created_at, dispatched_at, arrived_at, completed_at";

pub struct NewRequest<'a> {
    pub id: &'a str,
    pub request_no: &'a str,
    pub customer_id: &'a str,
    pub policy_id: &'a str,
    pub kind_id: &'a str,
    pub usage_year: Option<&'a str>,
    pub location: &'a str,
    pub plate: &'a str,
    pub what_happened: &'a str,
    pub callback_phone: &'a str,
    pub now: i64,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    r: NewRequest<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO roadside_requests (id, request_no, customer_id, policy_id, service_kind_id, usage_year, location, \
         plate, what_happened, callback_phone, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $11)",
    )
    .bind(r.id)
    .bind(r.request_no)
    .bind(r.customer_id)
    .bind(r.policy_id)
    .bind(r.kind_id)
    .bind(r.usage_year)
    .bind(r.location)
    .bind(r.plate)
    .bind(r.what_happened)
    .bind(r.callback_phone)
    .bind(r.now)
    .execute(ex)
    .await?;
    Ok(())
}

/// One request, only if it is this customer's.
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<RoadsideRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM roadside_requests WHERE customer_id = $1 AND id = $2"
    ))
    .bind(customer_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn get_any<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<RoadsideRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM roadside_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<RoadsideRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM roadside_requests WHERE customer_id = $1 ORDER BY created_at DESC"
    ))
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// Requests not yet completed, oldest first (the staff queue).
pub async fn open<'e>(ex: impl Executor<'e, Database = Any>) -> sqlx::Result<Vec<RoadsideRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM roadside_requests WHERE state <> 'completed' ORDER BY created_at"
    ))
    .fetch_all(ex)
    .await
}

/// `from → to`, stamping when it happened; guarded, so one caller moves it.
pub async fn advance<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    from: RoadsideState,
    to: RoadsideState,
    now: i64,
) -> sqlx::Result<bool> {
    let stamp = match to {
        RoadsideState::Dispatched => "dispatched_at",
        RoadsideState::Arrived => "arrived_at",
        RoadsideState::Completed => "completed_at",
        RoadsideState::Received => "updated_at",
    };
    let r = sqlx::query(&format!(
        "UPDATE roadside_requests SET state = $3, {stamp} = $4, updated_at = $4 WHERE id = $1 AND state = $2"
    ))
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
