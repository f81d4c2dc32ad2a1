//! The rows case statistics are computed from: every case received in a period, with
//! the product of the policy it is about. No customer's name or words leave here.

use crate::backend::domain::cases::RootCause;
use crate::model::{CaseCategory as Category, CaseKind as Kind, CaseState as State};
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseStatRow {
    pub case_no: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub category: Category,
    #[sqlx(try_from = "String")]
    pub state: State,
    /// The product's code and names; `None` when the case is about no policy.
    pub product_code: Option<String>,
    pub product_zh: Option<String>,
    pub product_en: Option<String>,
    pub received_at: i64,
    pub resolved_at: Option<i64>,
    /// The furthest extension step of any round (0 when never extended): `cases.extensions`
    /// starts again at 0 when a case is reopened.
    pub extension_steps: i64,
    pub round: i64,
    root_cause: Option<String>,
}

impl CaseStatRow {
    /// The root cause the owner chose; a value this build does not know reads as none.
    pub fn root_cause(&self) -> Option<RootCause> {
        self.root_cause.as_deref().and_then(RootCause::parse)
    }
}

/// Cases received in `[from, to)` (unix seconds), oldest first. A case's policy is its
/// subject (category `policy`) or the policy of its claim, payment or booking.
pub async fn received_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<CaseStatRow>> {
    sqlx::query_as(
        "SELECT k.case_no, k.kind, k.category, k.state, pr.code AS product_code, \
         pr.name_zh AS product_zh, pr.name_en AS product_en, k.received_at, k.resolved_at, \
         COALESCE((SELECT MAX(e.step) FROM case_extensions e WHERE e.case_id = k.id), 0) AS extension_steps, \
         k.round, k.root_cause \
         FROM cases k \
         LEFT JOIN policies p ON p.id = (CASE k.category \
             WHEN 'policy' THEN k.subject_id \
             WHEN 'claim' THEN (SELECT c.policy_id FROM claims c WHERE c.id = k.subject_id) \
             WHEN 'payment' THEN (SELECT y.policy_id FROM payments y WHERE y.id = k.subject_id) \
             WHEN 'service' THEN (SELECT b.policy_id FROM bookings b WHERE b.id = k.subject_id) \
             END) \
         LEFT JOIN products pr ON pr.id = p.product_id \
         WHERE k.received_at >= $1 AND k.received_at < $2 \
         ORDER BY k.received_at, k.case_no",
    )
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}
