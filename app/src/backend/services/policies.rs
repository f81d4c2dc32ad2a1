//! What a policyholder reads about their policies. Every read is scoped by the
//! session's customer: another customer's id is simply not found.

use crate::backend::store::{claims, payments, policies, renewals};
use crate::backend::AppState;
use crate::model::PolicyStatus;

/// How a policy is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// 待续保 — renewal is open and unpaid
    DueForRenewal,
    Active,
    Lapsed,
    /// Cover ended without an open renewal.
    Expired,
    Cancelled,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Self::DueForRenewal => "due",
            Self::Active => "active",
            Self::Lapsed => "lapsed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn of(p: &policies::PolicySummary, today: &str) -> Self {
        match p.status {
            PolicyStatus::Lapsed => Self::Lapsed,
            PolicyStatus::Cancelled => Self::Cancelled,
            _ if p.open_offer_premium_fen.is_some() => Self::DueForRenewal,
            _ if p.end_date.as_str() < today => Self::Expired,
            _ => Self::Active,
        }
    }
}

/// The policies of a list that are in force (active, or due for renewal), in its order.
pub fn in_force(list: Vec<policies::PolicySummary>, today: &str) -> Vec<policies::PolicySummary> {
    list.into_iter()
        .filter(|p| {
            matches!(
                Standing::of(p, today),
                Standing::Active | Standing::DueForRenewal
            )
        })
        .collect()
}

/// The customer's policies, grouped by standing in the order a person cares about.
pub async fn list(
    state: &AppState,
    customer_id: &str,
) -> sqlx::Result<Vec<(Standing, Vec<policies::PolicySummary>)>> {
    let today = state.clock.today_iso();
    let mut groups: Vec<(Standing, Vec<policies::PolicySummary>)> = Vec::new();
    for p in policies::list_for_customer(&state.db.pool, customer_id).await? {
        let s = Standing::of(&p, &today);
        match groups.iter_mut().find(|(g, _)| *g == s) {
            Some((_, v)) => v.push(p),
            None => groups.push((s, vec![p])),
        }
    }
    groups.sort_by_key(|(s, _)| *s);
    Ok(groups)
}

/// What the e-policy shows: the policy (with its verification code) and what it covers.
pub struct PolicyDocument {
    pub summary: policies::PolicySummary,
    pub coverages: Vec<policies::CoverageRow>,
}

pub async fn document(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<PolicyDocument>> {
    let pool = &state.db.pool;
    let Some(summary) = policies::summary(pool, customer_id, policy_id).await? else {
        return Ok(None);
    };
    Ok(Some(PolicyDocument {
        summary,
        coverages: policies::coverages(pool, policy_id).await?,
    }))
}

pub struct PolicyDetail {
    pub summary: policies::PolicySummary,
    pub standing: Standing,
    pub terms: Vec<policies::TermRow>,
    pub coverages: Vec<policies::CoverageRow>,
    pub beneficiaries: Vec<policies::BeneficiaryRow>,
    pub entitlements: Vec<policies::EntitlementRow>,
    pub payments: Vec<payments::PaymentRow>,
    pub claims: Vec<claims::ClaimLine>,
    pub offer: Option<renewals::OfferRow>,
    /// 保单贷款: the loan outstanding, and whether the policy lends (life, in force, cash value).
    pub loan: Option<super::loans::LoanView>,
    pub lends: bool,
    /// What auto-debit renewal charges (masked), if the customer has a method.
    pub debit_label: Option<String>,
}

pub async fn detail(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<PolicyDetail>> {
    // A dozen reads on one connection: taking one from the pool for each cost a ping
    // and a thread hand-over apiece (see `Db::connect`).
    let mut conn = state.db.pool.acquire().await?;
    let Some(summary) = policies::summary(&mut *conn, customer_id, policy_id).await? else {
        return Ok(None);
    };
    let today = state.clock.today_iso();
    let terms = policies::terms(&mut *conn, customer_id, policy_id).await?;
    // The entitlement year runs with the current term.
    let term_start = terms
        .first()
        .map(|t| t.start_date.clone())
        .unwrap_or_default();
    let (loan, lends) =
        super::loans::for_policy_page(state, &mut conn, customer_id, &summary).await?;
    Ok(Some(PolicyDetail {
        loan,
        lends,
        debit_label: crate::backend::store::payment_methods::debit_method(&mut *conn, customer_id)
            .await?
            .map(|m| m.label),
        standing: Standing::of(&summary, &today),
        coverages: policies::coverages(&mut *conn, policy_id).await?,
        beneficiaries: policies::beneficiaries(&mut *conn, policy_id).await?,
        entitlements: policies::entitlements(
            &mut *conn,
            policy_id,
            &summary.product_id,
            &term_start,
        )
        .await?,
        payments: payments::for_policy(&mut *conn, customer_id, policy_id).await?,
        claims: claims::for_policy(&mut *conn, customer_id, policy_id).await?,
        offer: renewals::latest_for_policy(&mut *conn, customer_id, policy_id).await?,
        terms,
        summary,
    }))
}

pub struct RenewalView {
    pub policy: policies::PolicySummary,
    pub offer: renewals::OfferRow,
    pub items: Vec<renewals::PriceItemRow>,
    pub methods: Vec<crate::backend::store::payment_methods::PaymentMethodRow>,
    /// The payment already under way or made for this offer, if any.
    pub live_payment: Option<payments::PaymentRow>,
}

/// The newest offer for one of the customer's policies, with its explanation.
pub async fn renewal(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<RenewalView>> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(policy) = policies::summary(&mut *conn, customer_id, policy_id).await? else {
        return Ok(None);
    };
    let Some(offer) = renewals::latest_for_policy(&mut *conn, customer_id, policy_id).await? else {
        return Ok(None);
    };
    Ok(Some(RenewalView {
        items: renewals::items(&mut *conn, &offer.id).await?,
        methods: crate::backend::store::payment_methods::for_customer(&mut *conn, customer_id)
            .await?,
        live_payment: payments::live_for_offer(&mut *conn, customer_id, &offer.id).await?,
        policy,
        offer,
    }))
}

/// Turns auto-debit renewal on or off: only ever by the customer's explicit choice.
pub async fn set_auto_debit(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
    on: bool,
) -> sqlx::Result<bool> {
    let changed = policies::set_auto_debit(&state.db.pool, customer_id, policy_id, on).await?;
    if changed {
        crate::backend::store::audit::record(
            &state.db.pool,
            crate::backend::store::audit::AuditEntry {
                actor_kind: "customer",
                actor_id: Some(customer_id),
                customer_id: Some(customer_id),
                action: if on {
                    "policy.auto_debit_on"
                } else {
                    "policy.auto_debit_off"
                },
                detail: policy_id,
                ip: None,
                now: state.clock.now(),
            },
        )
        .await?;
    }
    Ok(changed)
}

/// `/verify`: is a document with this code genuine, and is its cover current?
pub async fn verify(
    state: &AppState,
    code: &str,
) -> sqlx::Result<Option<(policies::Verification, bool)>> {
    let code: String = code
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    if code.len() < 8 {
        return Ok(None);
    }
    let today = state.clock.today_iso();
    Ok(policies::verify(&state.db.pool, &code).await?.map(|v| {
        let current = v.status == PolicyStatus::Active
            && v.start_date.as_str() <= today.as_str()
            && today.as_str() <= v.end_date.as_str();
        (v, current)
    }))
}
