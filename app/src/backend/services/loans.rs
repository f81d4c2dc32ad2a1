//! 保单贷款 — policy loans as people use them: the policy page quotes what its cash value
//! lends (`domain::loans`), the customer asks for an amount after a fresh identity check,
//! a reviewer approves it (the loan is made, to be paid into the payout account named in
//! the request) or rejects it, through the servicing queue (`services::servicing::decide`).

use super::servicing::{submit_reviewed, SubmitError};
use crate::backend::auth::{step_up, Session};
use crate::backend::clock::shanghai_date;
use crate::backend::domain::loans::{self as rules, LoanError};
use crate::backend::services::servicing::ReviewError;
use crate::backend::store::loans::{self as store, CashValue, LoanRow};
use crate::backend::store::policies::{self, PolicySummary};
use crate::backend::store::servicing::{self as requests, Payload, RequestRow};
use crate::backend::store::{customers, is_unique_violation};
use crate::backend::AppState;
use crate::model::{Line, PolicyStatus, ServiceRequestKind as Kind};
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum LoanRequestError {
    #[error("step-up check needed")]
    StepUpRequired,
    #[error("policy not found")]
    PolicyNotFound,
    /// Not a life policy in force with a cash value.
    #[error("policy lends nothing")]
    NotEligible,
    #[error("a loan is outstanding")]
    Outstanding,
    #[error("no payout account")]
    NoPayoutAccount,
    #[error("amount refused: {0}")]
    Amount(LoanError),
    #[error("a loan request is open already")]
    AlreadyOpen,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for LoanRequestError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// A loan as the policy page shows it: what it was, and what is owed today.
pub struct LoanView {
    pub loan: LoanRow,
    pub balance_fen: i64,
    pub interest_fen: i64,
}

/// `/policies/{id}/loan`: what the policy lends, on which terms, and what stands now.
pub struct Quote {
    pub policy: PolicySummary,
    pub cash: Option<CashValue>,
    /// The largest loan today (0 when the policy lends nothing).
    pub max_fen: i64,
    pub outstanding: Option<LoanView>,
    /// A loan request still with the reviewers.
    pub open: Option<RequestRow>,
    pub payout_masked: Option<String>,
    /// A life policy in force with a cash value that lends at least the smallest loan.
    pub lends: bool,
}

fn lends(policy: &PolicySummary, cash: Option<&CashValue>) -> bool {
    policy.status == PolicyStatus::Active
        && Line::parse(&policy.line) == Some(Line::Life)
        && cash.is_some_and(|c| rules::max_loan(c.cash_value_fen) >= rules::MIN_FEN)
}

/// The policy's outstanding loan and what is owed on it today, if it has one.
pub async fn outstanding<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    today: chrono::NaiveDate,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Option<LoanView>> {
    Ok(store::outstanding(ex, customer_id, policy_id)
        .await?
        .map(|loan| {
            let start =
                chrono::NaiveDate::parse_from_str(&loan.start_date, "%Y-%m-%d").unwrap_or(today);
            let balance_fen = rules::balance(loan.principal_fen, loan.rate_bp, start, today);
            LoanView {
                interest_fen: balance_fen - loan.principal_fen,
                balance_fen,
                loan,
            }
        }))
}

/// The loan page of one of the customer's policies; `None` for anyone else's.
pub async fn quote(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
) -> anyhow::Result<Option<Quote>> {
    let pool = &state.db.pool;
    let Some(policy) = policies::summary(pool, customer_id, policy_id).await? else {
        return Ok(None);
    };
    let cash = store::cash_value(pool, customer_id, policy_id).await?;
    let open = requests::open_for_policy(pool, customer_id, policy_id, Kind::Loan).await?;
    let payout_masked = customers::accounts(pool, customer_id)
        .await?
        .and_then(|a| a.payout_masked);
    Ok(Some(Quote {
        lends: lends(&policy, cash.as_ref()),
        max_fen: cash
            .as_ref()
            .map_or(0, |c| rules::max_loan(c.cash_value_fen)),
        outstanding: outstanding(pool, state.clock.today_shanghai(), customer_id, policy_id)
            .await?,
        open,
        payout_masked,
        cash,
        policy,
    }))
}

/// 申请保单贷款: asks for `amount_fen` against the policy's cash value, to be paid into the
/// payout account on file. Needs a step-up check in the last 10 minutes, a life policy in
/// force that lends that much, no loan outstanding and no loan request open. Returns the
/// request's id.
pub async fn request_loan(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    policy_id: &str,
    amount_fen: i64,
    ip: &str,
) -> Result<String, LoanRequestError> {
    if !step_up::is_fresh(session, state.clock.now()) {
        return Err(LoanRequestError::StepUpRequired);
    }
    let q = quote(state, customer_id, policy_id)
        .await?
        .ok_or(LoanRequestError::PolicyNotFound)?;
    let cash = match (&q.cash, q.lends) {
        (Some(c), true) => c.cash_value_fen,
        _ => return Err(LoanRequestError::NotEligible),
    };
    if q.outstanding.is_some() {
        return Err(LoanRequestError::Outstanding);
    }
    if q.open.is_some() {
        return Err(LoanRequestError::AlreadyOpen);
    }
    rules::check_amount(amount_fen, cash).map_err(LoanRequestError::Amount)?;
    let payout_masked = q.payout_masked.ok_or(LoanRequestError::NoPayoutAccount)?;
    let payload = Payload::Loan {
        amount_fen,
        cash_value_fen: cash,
        max_fen: q.max_fen,
        rate_bp: rules::RATE_BP,
        term_days: rules::TERM_DAYS,
        payout_masked,
    };
    submit_reviewed(state, customer_id, policy_id, &payload, ip)
        .await
        .map_err(|e| match e {
            SubmitError::AlreadyOpen => LoanRequestError::AlreadyOpen,
            other => LoanRequestError::Internal(anyhow::anyhow!("{other}")),
        })
}

/// Approval, inside the reviewer's transaction: the loan is made on the terms in force
/// today, if the policy still lends the amount and has no loan outstanding; paid into
/// the payout account named in the request. Two approvals at once make one loan (the
/// request's unique key); otherwise `CannotApply` and the reviewer rejects with a reason.
pub(super) async fn make_loan(
    conn: &mut AnyConnection,
    r: &RequestRow,
    policy_id: &str,
    amount_fen: i64,
    now: i64,
) -> Result<(), ReviewError> {
    let Payload::Loan { payout_masked, .. } = &r.payload else {
        return Err(anyhow::anyhow!("not a loan request").into());
    };
    let cash = store::cash_value(&mut *conn, &r.customer_id, policy_id)
        .await?
        .ok_or(ReviewError::CannotApply)?;
    rules::check_amount(amount_fen, cash.cash_value_fen).map_err(|_| ReviewError::CannotApply)?;
    let start = shanghai_date(now);
    let made = store::insert(
        &mut *conn,
        store::NewLoan {
            id: &crate::backend::ids::new_id(),
            request_id: &r.id,
            policy_id,
            customer_id: &r.customer_id,
            principal_fen: amount_fen,
            rate_bp: rules::RATE_BP,
            start_date: &start.format("%Y-%m-%d").to_string(),
            due_date: &rules::due_date(start).format("%Y-%m-%d").to_string(),
            payout_masked,
            now,
        },
    )
    .await;
    match made {
        Ok(()) => Ok(()),
        // Another loan outstanding on the policy (or this request's, made by a racing
        // approval — which the guarded state move has already refused).
        Err(e) if is_unique_violation(&e) => Err(ReviewError::CannotApply),
        Err(e) => Err(e.into()),
    }
}

/// The policy page's loan line: a loan outstanding, or whether the policy lends.
pub async fn for_policy_page(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    customer_id: &str,
    policy: &PolicySummary,
) -> sqlx::Result<(Option<LoanView>, bool)> {
    let today = state.clock.today_shanghai();
    let loan = outstanding(&mut *conn, today, customer_id, &policy.id).await?;
    let cash = store::cash_value(&mut *conn, customer_id, &policy.id).await?;
    Ok((loan, lends(policy, cash.as_ref())))
}
