//! Policy loans (保单贷款) and the cash value they are measured against. Customer reads are
//! scoped by the customer id. A loan is inserted once per approved request (unique
//! `request_id`) and one is outstanding per policy at a time (a partial unique index).

use sqlx::{Any, Executor};

/// A life policy's cash value as last valued, and on which day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CashValue {
    pub cash_value_fen: i64,
    pub cash_value_on: String,
}

pub async fn cash_value<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<CashValue>> {
    sqlx::query_as(
        "SELECT cash_value_fen, cash_value_on FROM policies WHERE customer_id = $1 AND id = $2 \
         AND cash_value_fen IS NOT NULL AND cash_value_on IS NOT NULL",
    )
    .bind(customer_id)
    .bind(policy_id)
    .fetch_optional(ex)
    .await
}

/// The core system's valuation of a policy (demo data; the import in production).
pub async fn set_cash_value<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
    cash_value_fen: i64,
    on: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE policies SET cash_value_fen = $1, cash_value_on = $2 WHERE id = $3")
        .bind(cash_value_fen)
        .bind(on)
        .bind(policy_id)
        .execute(ex)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoanRow {
    pub id: String,
    pub request_id: String,
    pub policy_id: String,
    pub principal_fen: i64,
    pub rate_bp: i64,
    pub start_date: String,
    pub due_date: String,
    pub payout_masked: String,
    pub created_at: i64,
}

const SELECT: &str =
    "SELECT id, request_id, policy_id, principal_fen, rate_bp, start_date, due_date, \
     payout_masked, created_at FROM policy_loans";

/// The policy's outstanding loan, if it has one.
pub async fn outstanding<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<LoanRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE customer_id = $1 AND policy_id = $2 AND state = 'outstanding'"
    ))
    .bind(customer_id)
    .bind(policy_id)
    .fetch_optional(ex)
    .await
}

pub struct NewLoan<'a> {
    pub id: &'a str,
    pub request_id: &'a str,
    pub policy_id: &'a str,
    pub customer_id: &'a str,
    pub principal_fen: i64,
    pub rate_bp: i64,
    pub start_date: &'a str,
    pub due_date: &'a str,
    pub payout_masked: &'a str,
    pub now: i64,
}

/// Makes the loan. A second loan for the request, or a second outstanding one for the
/// policy, fails on a unique key (`store::is_unique_violation`).
pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, l: NewLoan<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO policy_loans (id, request_id, policy_id, customer_id, principal_fen, rate_bp, \
         start_date, due_date, payout_masked, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'outstanding', $10)",
    )
    .bind(l.id)
    .bind(l.request_id)
    .bind(l.policy_id)
    .bind(l.customer_id)
    .bind(l.principal_fen)
    .bind(l.rate_bp)
    .bind(l.start_date)
    .bind(l.due_date)
    .bind(l.payout_masked)
    .bind(l.now)
    .execute(ex)
    .await?;
    Ok(())
}
