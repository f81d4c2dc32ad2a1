//! Servicing (保全) requests and their timelines. Reads a customer makes are scoped by the
//! customer id; staff reads (`*_any`, `queue`) are for the review queue. A state change is
//! one guarded UPDATE (`WHERE state = from`): of two reviewers one wins. The payload is
//! what was asked for, already masked, and leaves here decoded.

use crate::model::{ServiceRequestKind as Kind, ServiceRequestState as State};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection, Executor};

/// A beneficiary as stored: the ID number only masked and as a keyed hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeneficiaryRecord {
    pub name: String,
    pub relation: String,
    pub id_number_masked: String,
    pub id_number_hash: String,
    pub share_pct: i64,
}

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// The whole new list, replacing the old one when approved.
    Beneficiaries(Vec<BeneficiaryRecord>),
    /// The new address and email (empty: none), and the ones they replaced.
    Contact {
        address: String,
        email: String,
        old_address: String,
        old_email: String,
    },
    /// The number before and after, masked.
    Phone { old: String, new: String },
    /// The auto-debit method before (empty: none) and after, masked.
    DebitMethod { old: String, new: String },
    /// The payout account before (empty: none) and after, masked.
    PayoutAccount { old: String, new: String },
    /// 保单贷款: the amount asked for, the terms it was asked on and where it is paid.
    Loan {
        amount_fen: i64,
        cash_value_fen: i64,
        max_fen: i64,
        rate_bp: i64,
        term_days: i64,
        payout_masked: String,
    },
}

impl Payload {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Beneficiaries(_) => Kind::Beneficiaries,
            Self::Contact { .. } => Kind::Contact,
            Self::Phone { .. } => Kind::Phone,
            Self::DebitMethod { .. } => Kind::DebitMethod,
            Self::PayoutAccount { .. } => Kind::PayoutAccount,
            Self::Loan { .. } => Kind::Loan,
        }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).expect("a payload always serialises")
    }
}

impl TryFrom<String> for Payload {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        serde_json::from_str(&s).map_err(|e| format!("unreadable request payload: {e}"))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub policy_id: Option<String>,
    pub policy_no: Option<String>,
    pub product_zh: Option<String>,
    pub product_en: Option<String>,
    pub line: Option<String>,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub state: State,
    #[sqlx(try_from = "String")]
    pub payload: Payload,
    pub reason: Option<String>,
    pub reviewer_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub decided_at: Option<i64>,
}

const SELECT: &str = "SELECT r.id, r.customer_id, cu.name AS customer_name, r.policy_id, p.policy_no, \
     pr.name_zh AS product_zh, pr.name_en AS product_en, pr.line, r.kind, r.state, r.payload, r.reason, \
     s.display_name AS reviewer_name, r.created_at, r.updated_at, r.decided_at \
     FROM service_requests r JOIN customers cu ON cu.id = r.customer_id \
     LEFT JOIN policies p ON p.id = r.policy_id LEFT JOIN products pr ON pr.id = p.product_id \
     LEFT JOIN staff s ON s.id = r.reviewer_staff_id";

/// Every request of a customer's, newest first.
pub async fn list_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE r.customer_id = $1 ORDER BY r.created_at DESC, r.id LIMIT $2"
    ))
    .bind(customer_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// One of the customer's requests, or `None` (someone else's is not found).
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE r.customer_id = $1 AND r.id = $2"))
        .bind(customer_id)
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The customer's request of `kind` for the policy that is still open, if any.
pub async fn open_for_policy<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
    kind: Kind,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE r.customer_id = $1 AND r.policy_id = $2 AND r.kind = $3 \
         AND r.state IN ('submitted', 'in_review')"
    ))
    .bind(customer_id)
    .bind(policy_id)
    .bind(kind.as_str())
    .fetch_optional(ex)
    .await
}

/// Any request, for reviewers.
pub async fn get_any<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The review queue: open requests, the longest waiting first.
pub async fn queue<'e>(
    ex: impl Executor<'e, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE r.state IN ('submitted', 'in_review') ORDER BY r.created_at, r.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(ex)
    .await
}

pub struct NewRequest<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub policy_id: Option<&'a str>,
    pub payload: &'a Payload,
    pub now: i64,
}

/// Inserts a request in `submitted`. A second open request of the kind for the policy
/// fails on the unique index (`store::is_unique_violation`).
pub async fn insert_request(conn: &mut AnyConnection, r: NewRequest<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO service_requests (id, customer_id, policy_id, kind, state, payload, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $6)",
    )
    .bind(r.id)
    .bind(r.customer_id)
    .bind(r.policy_id)
    .bind(r.payload.kind().as_str())
    .bind(r.payload.encode())
    .bind(r.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a request `from` → `to` if it is still in `from`: true when this caller won.
pub async fn move_state(
    conn: &mut AnyConnection,
    id: &str,
    from: State,
    to: State,
    reviewer: Option<&str>,
    reason: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let decided = to.is_closed().then_some(now);
    let r = sqlx::query(
        "UPDATE service_requests SET state = $1, reviewer_staff_id = COALESCE($2, reviewer_staff_id), \
         reason = COALESCE($3, reason), updated_at = $4, decided_at = COALESCE($5, decided_at) \
         WHERE id = $6 AND state = $7",
    )
    .bind(to.as_str())
    .bind(reviewer)
    .bind(reason)
    .bind(now)
    .bind(decided)
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub struct NewEvent<'a> {
    pub request_id: &'a str,
    pub customer_id: &'a str,
    pub from: Option<State>,
    pub to: State,
    /// `None`: the customer.
    pub staff_id: Option<&'a str>,
    pub note: &'a str,
    pub at: i64,
}

/// Appends a timeline entry; returns its id. Each state is reached once per request (a
/// unique index), the second guard against two reviewers at once.
pub async fn insert_event(conn: &mut AnyConnection, e: NewEvent<'_>) -> sqlx::Result<String> {
    let id = crate::backend::ids::new_id();
    sqlx::query(
        "INSERT INTO service_request_events (id, request_id, customer_id, from_state, to_state, actor_kind, actor_staff_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(e.request_id)
    .bind(e.customer_id)
    .bind(e.from.map(State::as_str))
    .bind(e.to.as_str())
    .bind(if e.staff_id.is_some() { "staff" } else { "customer" })
    .bind(e.staff_id)
    .bind(e.note)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    #[sqlx(try_from = "String")]
    pub to_state: State,
    pub actor_kind: String,
    pub actor_name: Option<String>,
    pub note: String,
    pub at: i64,
}

/// A request's timeline, in the order it happened (ties: along the state path).
pub async fn events<'e>(
    ex: impl Executor<'e, Database = Any>,
    request_id: &str,
) -> sqlx::Result<Vec<EventRow>> {
    let mut rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.to_state, e.actor_kind, s.display_name AS actor_name, e.note, e.at \
         FROM service_request_events e LEFT JOIN staff s ON s.id = e.actor_staff_id WHERE e.request_id = $1",
    )
    .bind(request_id)
    .fetch_all(ex)
    .await?;
    let order = |s: State| State::ALL.iter().position(|x| *x == s).unwrap_or(0);
    rows.sort_by_key(|e| (e.at, order(e.to_state)));
    Ok(rows)
}

/// A policy's beneficiaries become `list` (the old ones go).
pub async fn replace_beneficiaries(
    conn: &mut AnyConnection,
    policy_id: &str,
    list: &[BeneficiaryRecord],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM beneficiaries WHERE policy_id = $1")
        .bind(policy_id)
        .execute(&mut *conn)
        .await?;
    for b in list {
        sqlx::query(
            "INSERT INTO beneficiaries (id, policy_id, name, relation, share_pct, id_number_masked, id_number_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(crate::backend::ids::new_id())
        .bind(policy_id)
        .bind(&b.name)
        .bind(&b.relation)
        .bind(b.share_pct)
        .bind(&b.id_number_masked)
        .bind(&b.id_number_hash)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
