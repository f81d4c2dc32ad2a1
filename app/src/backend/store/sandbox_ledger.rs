//! The sandbox payment provider's books (`adapters::payments::SandboxGateway`): what it
//! charged under which idempotency key, and the callbacks it still owes. Kept in the
//! database so that a restart of our server changes nothing the provider knows.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRow {
    pub idempotency_key: String,
    pub gateway_ref: String,
    pub amount_fen: i64,
    #[sqlx(try_from = "String")]
    pub status: LedgerStatus,
    pub failure_code: Option<String>,
    pub callbacks_left: i64,
    pub callback_due_ms: Option<i64>,
}

/// Where a charge stands at the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerStatus {
    Pending,
    Succeeded,
    Failed,
}

impl LedgerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

impl TryFrom<String> for LedgerStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "pending" => Ok(Self::Pending),
            "succeeded" => Ok(Self::Succeeded),
            "failed" => Ok(Self::Failed),
            _ => Err(format!("unknown sandbox charge status {s:?}")),
        }
    }
}

const COLS: &str = "idempotency_key, gateway_ref, amount_fen, status, failure_code, \
                    callbacks_left, callback_due_ms";

pub struct NewCharge<'a> {
    pub idempotency_key: &'a str,
    pub gateway_ref: &'a str,
    pub amount_fen: i64,
    pub status: LedgerStatus,
    pub failure_code: Option<&'a str>,
    pub callbacks: i64,
    pub callback_due_ms: Option<i64>,
    pub now: i64,
}

/// Books a charge under its key. `Ok(false)` when the key is already booked: the
/// provider never charges one key twice.
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    c: NewCharge<'_>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO sandbox_ledger (idempotency_key, gateway_ref, amount_fen, status, failure_code, \
         callbacks_left, callback_due_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(c.idempotency_key)
    .bind(c.gateway_ref)
    .bind(c.amount_fen)
    .bind(c.status.as_str())
    .bind(c.failure_code)
    .bind(c.callbacks)
    .bind(c.callback_due_ms)
    .bind(c.now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn by_key<'e>(
    ex: impl Executor<'e, Database = Any>,
    key: &str,
) -> sqlx::Result<Option<LedgerRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM sandbox_ledger WHERE idempotency_key = $1"
    ))
    .bind(key)
    .fetch_optional(ex)
    .await
}

pub async fn by_ref<'e>(
    ex: impl Executor<'e, Database = Any>,
    gateway_ref: &str,
) -> sqlx::Result<Option<LedgerRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM sandbox_ledger WHERE gateway_ref = $1"
    ))
    .bind(gateway_ref)
    .fetch_optional(ex)
    .await
}

/// pending → failed (`closed`): no money will move. Only one caller wins.
pub async fn cancel_pending<'e>(
    ex: impl Executor<'e, Database = Any>,
    key: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE sandbox_ledger SET status = 'failed', failure_code = 'closed', callbacks_left = 0 \
         WHERE idempotency_key = $1 AND status = 'pending'",
    )
    .bind(key)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many charges went through, and their total in fen.
pub async fn charged<'e>(ex: impl Executor<'e, Database = Any>) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM sandbox_ledger \
         WHERE status = 'succeeded'",
    )
    .fetch_one(ex)
    .await
}

/// Charges with callbacks still owed (after a restart: the ones a crash cut off).
pub async fn owed_callbacks<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> sqlx::Result<Vec<LedgerRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM sandbox_ledger WHERE callbacks_left > 0 ORDER BY callback_due_ms LIMIT 1000"
    ))
    .fetch_all(ex)
    .await
}

/// One callback delivered: one fewer owed. `false` when none was owed (another
/// delivery, from another instance, came first).
pub async fn callback_delivered<'e>(
    ex: impl Executor<'e, Database = Any>,
    key: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE sandbox_ledger SET callbacks_left = callbacks_left - 1 \
         WHERE idempotency_key = $1 AND callbacks_left > 0",
    )
    .bind(key)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
