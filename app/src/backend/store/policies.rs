use crate::model::PolicyStatus;
use sqlx::{Any, Executor};

/// One line of a customer's policy list: the policy and its newest term.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicySummary {
    pub id: String,
    pub policy_no: String,
    #[sqlx(try_from = "String")]
    pub status: PolicyStatus,
    pub insured_object: String,
    pub line: String,
    pub product_zh: String,
    pub product_en: String,
    pub start_date: String,
    pub end_date: String,
    pub premium_fen: i64,
    pub open_offer_premium_fen: Option<i64>,
    pub product_id: String,
    /// 1 when the holder chose automatic payment at renewal.
    pub auto_debit: i64,
    /// Printed on the e-policy; anyone can check it at `/verify`.
    pub verification_code: String,
}

/// A policy with its product and newest term (and the premium of an open renewal offer).
const SUMMARY: &str =
    "SELECT p.id, p.policy_no, p.status, p.insured_object, pr.line, pr.name_zh AS product_zh, \
        pr.name_en AS product_en, t.start_date, t.end_date, t.premium_fen, \
        (SELECT o.premium_fen FROM renewal_offers o \
          WHERE o.policy_id = p.id AND o.state = 'open') AS open_offer_premium_fen, \
        p.product_id, p.auto_debit, p.verification_code \
     FROM policies p \
     JOIN products pr ON pr.id = p.product_id \
     JOIN policy_terms t ON t.policy_id = p.id \
      AND t.term_no = (SELECT MAX(t2.term_no) FROM policy_terms t2 WHERE t2.policy_id = p.id)";

/// Every policy of one customer, soonest-ending first. Scoped by the session's customer.
pub async fn list_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<PolicySummary>> {
    sqlx::query_as(&format!(
        "{SUMMARY} WHERE p.customer_id = $1 ORDER BY t.end_date, p.policy_no"
    ))
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// One policy with its newest term, only if it belongs to `customer_id`.
pub async fn summary<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<PolicySummary>> {
    sqlx::query_as(&format!("{SUMMARY} WHERE p.customer_id = $1 AND p.id = $2"))
        .bind(customer_id)
        .bind(policy_id)
        .fetch_optional(ex)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermRow {
    pub term_no: i64,
    pub start_date: String,
    pub end_date: String,
    pub premium_fen: i64,
}

pub async fn terms<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Vec<TermRow>> {
    sqlx::query_as(
        "SELECT term_no, start_date, end_date, premium_fen FROM policy_terms \
         WHERE customer_id = $1 AND policy_id = $2 ORDER BY term_no DESC",
    )
    .bind(customer_id)
    .bind(policy_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CoverageRow {
    pub name_zh: String,
    pub name_en: String,
    pub sum_insured_fen: i64,
    pub deductible_fen: i64,
}

/// Coverages of a policy; the caller has checked the policy is the customer's.
pub async fn coverages<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
) -> sqlx::Result<Vec<CoverageRow>> {
    sqlx::query_as(
        "SELECT name_zh, name_en, sum_insured_fen, deductible_fen FROM coverages WHERE policy_id = $1 ORDER BY position",
    )
    .bind(policy_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BeneficiaryRow {
    pub name: String,
    pub relation: String,
    pub share_pct: i64,
    /// `1101**********1234`; empty for beneficiaries named before numbers were kept.
    pub id_number_masked: String,
}

pub async fn beneficiaries<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
) -> sqlx::Result<Vec<BeneficiaryRow>> {
    sqlx::query_as(
        "SELECT name, relation, share_pct, id_number_masked FROM beneficiaries WHERE policy_id = $1 \
         ORDER BY share_pct DESC, name",
    )
    .bind(policy_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntitlementRow {
    pub name_zh: String,
    pub name_en: String,
    pub per_year: i64,
    pub used: i64,
}

/// What the policy grants per year and how much of it is used in the year that starts
/// on `year_start` (`YYYY-MM-DD`, the current term's first day).
pub async fn entitlements<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
    product_id: &str,
    year_start: &str,
) -> sqlx::Result<Vec<EntitlementRow>> {
    sqlx::query_as(
        "SELECT k.name_zh, k.name_en, e.per_year, \
                COALESCE((SELECT u.used FROM entitlement_usage u WHERE u.policy_id = $1 \
                   AND u.service_kind_id = e.service_kind_id AND u.year_start = $3), 0) AS used \
         FROM product_entitlements e JOIN service_kinds k ON k.id = e.service_kind_id \
         WHERE e.product_id = $2 ORDER BY k.code",
    )
    .bind(policy_id)
    .bind(product_id)
    .bind(year_start)
    .fetch_all(ex)
    .await
}

/// Adds the next term. `(policy_id, term_no)` is unique, so a second insert for the
/// same renewal fails instead of extending the policy twice.
#[allow(clippy::too_many_arguments)]
pub async fn insert_term<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
    customer_id: &str,
    term_no: i64,
    start_date: &str,
    end_date: &str,
    premium_fen: i64,
    payment_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO policy_terms (id, policy_id, customer_id, term_no, start_date, end_date, premium_fen, payment_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(crate::backend::ids::new_id())
    .bind(policy_id)
    .bind(customer_id)
    .bind(term_no)
    .bind(start_date)
    .bind(end_date)
    .bind(premium_fen)
    .bind(payment_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_auto_debit<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
    on: bool,
) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE policies SET auto_debit = $1 WHERE customer_id = $2 AND id = $3 AND status = 'active'")
        .bind(super::flag(on))
        .bind(customer_id)
        .bind(policy_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// What `/verify` may say about a document: nothing personal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Verification {
    #[sqlx(try_from = "String")]
    pub status: PolicyStatus,
    pub product_zh: String,
    pub product_en: String,
    pub start_date: String,
    pub end_date: String,
}

pub async fn verify<'e>(
    ex: impl Executor<'e, Database = Any>,
    code: &str,
) -> sqlx::Result<Option<Verification>> {
    sqlx::query_as(
        "SELECT p.status, pr.name_zh AS product_zh, pr.name_en AS product_en, t.start_date, t.end_date \
         FROM policies p JOIN products pr ON pr.id = p.product_id \
         JOIN policy_terms t ON t.policy_id = p.id \
          AND t.term_no = (SELECT MAX(t2.term_no) FROM policy_terms t2 WHERE t2.policy_id = p.id) \
         WHERE p.verification_code = $1",
    )
    .bind(code)
    .fetch_optional(ex)
    .await
}
