//! 保全 — policy servicing as people use it: a customer asks for a change (beneficiaries
//! after a fresh identity check; contact details at once) and follows the request; a
//! reviewer takes it into review and approves it (the change takes effect) or rejects it
//! with a reason. Every move is one guarded UPDATE that appends a timeline entry, writes
//! the audit row and, when the customer should hear of it, queues an SMS (category
//! `servicing`), all in one transaction.

use crate::backend::auth::codes::{self, CodeError};
use crate::backend::auth::{step_up, Session};
use crate::backend::domain::servicing::{
    self as rules, Address, Beneficiary, BeneficiaryError, Email, MoveError,
};
use crate::backend::store::policies::{self, BeneficiaryRow, PolicySummary};
use crate::backend::store::servicing::{
    self as store, BeneficiaryRecord, EventRow, Payload, RequestRow,
};
use crate::backend::store::{audit, customers, outbox, sessions};
use crate::backend::AppState;
use crate::i18n::{t_in, t_in_with, Locale};
use crate::model::{
    Line, Phone, PolicyStatus, ServiceRequestKind as Kind, ServiceRequestState as State, SmsCode,
};
use sqlx::AnyConnection;

/// Requests shown on one page.
const LIST_LIMIT: i64 = 200;
/// Other requests of the customer's shown beside one under review.
const HISTORY_LIMIT: i64 = 10;
pub const MAX_REASON: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// No identity check in the last 10 minutes (`auth::step_up`).
    #[error("step-up check needed")]
    StepUpRequired,
    #[error("policy not found")]
    PolicyNotFound,
    /// Not a life or health policy in force.
    #[error("policy names no beneficiaries")]
    NotEligible,
    #[error("beneficiaries refused: {0}")]
    Invalid(BeneficiaryError),
    /// A request of this kind for this policy is still open.
    #[error("a request is open already")]
    AlreadyOpen,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SubmitError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("request not found")]
    NotFound,
    /// Someone else moved it first, or it is past this step.
    #[error("request moved meanwhile")]
    Conflict,
    #[error(transparent)]
    Illegal(#[from] MoveError),
    /// The change can no longer be made as asked (a loan past what the policy lends now,
    /// or another loan outstanding); nothing was written.
    #[error("request cannot take effect")]
    CannotApply,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ReviewError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Whether this policy's beneficiaries may be changed online: a life or health policy in force.
pub fn beneficiaries_changeable(p: &PolicySummary) -> bool {
    p.status == PolicyStatus::Active && Line::parse(&p.line).is_some_and(rules::names_beneficiaries)
}

/// A beneficiary as kept: the ID number masked and as a keyed hash (per policy).
pub fn record(state: &AppState, policy_id: &str, b: &Beneficiary) -> BeneficiaryRecord {
    BeneficiaryRecord {
        name: b.name.as_str().to_owned(),
        relation: b.relation.as_str().to_owned(),
        id_number_masked: b.id_number.masked(),
        id_number_hash: state.config.keyed_hash(
            "beneficiary_id",
            &format!("{policy_id}:{}", b.id_number.expose()),
        ),
        share_pct: i64::from(b.share_pct),
    }
}

pub(super) struct Audit<'a> {
    pub actor_kind: &'a str,
    pub actor_id: &'a str,
    pub customer_id: &'a str,
    pub action: &'a str,
    pub request_id: &'a str,
    pub ip: &'a str,
    pub now: i64,
}

pub(super) async fn audit_row(conn: &mut AnyConnection, a: Audit<'_>) -> sqlx::Result<()> {
    audit::record(
        conn,
        audit::AuditEntry {
            actor_kind: a.actor_kind,
            actor_id: Some(a.actor_id),
            customer_id: Some(a.customer_id),
            action: a.action,
            detail: a.request_id,
            ip: Some(a.ip),
            now: a.now,
        },
    )
    .await
}

/// 变更受益人: asks for a policy's beneficiaries to become `list`, for a reviewer to
/// approve. Needs a step-up check in the last 10 minutes. Returns the request's id.
pub async fn request_beneficiary_change(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    policy_id: &str,
    list: &[Beneficiary],
    ip: &str,
) -> Result<String, SubmitError> {
    let now = state.clock.now();
    if !step_up::is_fresh(session, now) {
        return Err(SubmitError::StepUpRequired);
    }
    let policy = policies::summary(&state.db.pool, customer_id, policy_id)
        .await?
        .ok_or(SubmitError::PolicyNotFound)?;
    if !beneficiaries_changeable(&policy) {
        return Err(SubmitError::NotEligible);
    }
    rules::check_list(list).map_err(SubmitError::Invalid)?;
    let payload =
        Payload::Beneficiaries(list.iter().map(|b| record(state, policy_id, b)).collect());
    submit_reviewed(state, customer_id, policy_id, &payload, ip).await
}

/// Records a request about a policy that a reviewer must approve: submitted, with its
/// first timeline entry and the audit row. A second open one of its kind for the policy
/// is `AlreadyOpen` (a unique index). Returns its id.
pub(super) async fn submit_reviewed(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
    payload: &Payload,
    ip: &str,
) -> Result<String, SubmitError> {
    let now = state.clock.now();
    let id = crate::backend::ids::new_id();
    let mut tx = state.db.pool.begin().await?;
    let inserted = store::insert_request(
        &mut tx,
        store::NewRequest {
            id: &id,
            customer_id,
            policy_id: Some(policy_id),
            payload,
            now,
        },
    )
    .await;
    match inserted {
        Err(e) if crate::backend::store::is_unique_violation(&e) => {
            return Err(SubmitError::AlreadyOpen)
        }
        other => other?,
    }
    store::insert_event(
        &mut tx,
        store::NewEvent {
            request_id: &id,
            customer_id,
            from: None,
            to: State::Submitted,
            staff_id: None,
            note: "",
            at: now,
        },
    )
    .await?;
    audit_row(
        &mut tx,
        Audit {
            actor_kind: "customer",
            actor_id: customer_id,
            customer_id,
            action: "servicing.submitted",
            request_id: &id,
            ip,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// 变更联系方式: the address and email (`None`: no email) change at once; the request is
/// recorded as done, for the customer's history. Returns its id.
pub async fn change_contact(
    state: &AppState,
    customer_id: &str,
    address: &Address,
    email: Option<&Email>,
    ip: &str,
) -> anyhow::Result<String> {
    let now = state.clock.now();
    let old = customers::contact(&state.db.pool, customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    let email = email.map(Email::as_str).unwrap_or_default();
    let payload = Payload::Contact {
        address: address.as_str().to_owned(),
        email: email.to_owned(),
        old_address: old.address,
        old_email: old.email,
    };
    let mut tx = state.db.pool.begin().await?;
    let id = record_done(&mut tx, customer_id, &payload, now).await?;
    customers::set_contact(&mut *tx, customer_id, address.as_str(), email).await?;
    audit_row(
        &mut tx,
        Audit {
            actor_kind: "customer",
            actor_id: customer_id,
            customer_id,
            action: "servicing.contact_changed",
            request_id: &id,
            ip,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records an account change the customer made that needs no review: a request that is
/// submitted and done at once, with its two timeline entries. Returns its id.
pub(super) async fn record_done(
    conn: &mut AnyConnection,
    customer_id: &str,
    payload: &Payload,
    now: i64,
) -> anyhow::Result<String> {
    let kind = payload.kind();
    anyhow::ensure!(!rules::needs_review(kind), "{kind} needs review");
    rules::check_move(kind, State::Submitted, State::Done)?;
    let id = crate::backend::ids::new_id();
    store::insert_request(
        conn,
        store::NewRequest {
            id: &id,
            customer_id,
            policy_id: None,
            payload,
            now,
        },
    )
    .await?;
    for (from, to) in [
        (None, State::Submitted),
        (Some(State::Submitted), State::Done),
    ] {
        if let Some(from) = from {
            anyhow::ensure!(
                store::move_state(conn, &id, from, to, None, None, now).await?,
                "a request just made moved"
            );
        }
        store::insert_event(
            conn,
            store::NewEvent {
                request_id: &id,
                customer_id,
                from,
                to,
                staff_id: None,
                note: "",
                at: now,
            },
        )
        .await?;
    }
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error("that is the number already")]
    Same,
    /// Another customer's number.
    #[error("number taken")]
    Taken,
    #[error("code asked for too soon")]
    TooSoon { retry_at: i64 },
    #[error("too many codes")]
    Limited { until: i64 },
    /// A wrong, expired or used code (either of the two).
    #[error("wrong code")]
    Wrong,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PhoneError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<CodeError> for PhoneError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::TooSoon { retry_at } => Self::TooSoon { retry_at },
            CodeError::Limited { until } => Self::Limited { until },
            CodeError::Wrong => Self::Wrong,
            CodeError::Db(e) => Self::Internal(e.into()),
        }
    }
}

/// 变更手机号, step 1: a code to the number on file and one to `new`. Another customer's
/// number is refused before any code goes out. Returns the two challenges (old, new).
pub async fn start_phone_change(
    state: &AppState,
    customer_id: &str,
    new: &Phone,
    ip: &str,
    body: impl Fn(&str) -> String,
) -> Result<(String, String), PhoneError> {
    let pool = &state.db.pool;
    let contact = customers::contact(pool, customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    if contact.phone == new.as_str() {
        return Err(PhoneError::Same);
    }
    if customers::owner_of_phone(pool, new.as_str())
        .await?
        .is_some()
    {
        return Err(PhoneError::Taken);
    }
    let old =
        Phone::parse(&contact.phone).ok_or_else(|| anyhow::anyhow!("stored phone invalid"))?;
    let purpose = codes::Purpose::PhoneChange;
    let a = codes::issue(state, &old, purpose, Some(customer_id), true, ip, &body).await?;
    let b = codes::issue(state, new, purpose, Some(customer_id), true, ip, &body).await?;
    Ok((a, b))
}

/// 变更手机号, step 2: both codes right, the number moves, every other session of the
/// account ends (this one stays), and the old number is told. Returns the request's id.
pub async fn confirm_phone_change(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    old: (&str, &SmsCode),
    new: (&str, &SmsCode),
    ip: &str,
) -> Result<String, PhoneError> {
    let now = state.clock.now();
    let contact = customers::contact(&state.db.pool, customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    // The first challenge must be this customer's number, the second another: checked
    // before the codes are spent, so swapped fields use nothing up.
    let (Some(a), Some(b)) = (
        codes::challenge(state, old.0).await?,
        codes::challenge(state, new.0).await?,
    ) else {
        return Err(PhoneError::Wrong);
    };
    if a.phone.as_str() != contact.phone || b.phone == a.phone {
        return Err(PhoneError::Wrong);
    }
    let [to_old, to_new] =
        codes::redeem_pair(state, codes::Purpose::PhoneChange, [old, new]).await?;
    // The first code must have gone to this customer's number, the second elsewhere.
    if to_old.as_str() != contact.phone {
        return Err(PhoneError::Wrong);
    }
    if to_new == to_old {
        return Err(PhoneError::Same);
    }
    let payload = Payload::Phone {
        old: to_old.masked(),
        new: to_new.masked(),
    };
    let mut tx = state.db.pool.begin().await?;
    match customers::set_phone(&mut *tx, customer_id, to_old.as_str(), to_new.as_str()).await {
        Ok(true) => {}
        Ok(false) => return Err(PhoneError::Wrong),
        Err(e) if crate::backend::store::is_unique_violation(&e) => return Err(PhoneError::Taken),
        Err(e) => return Err(e.into()),
    }
    sessions::delete_others_for_customer(&mut *tx, customer_id, &session.token_hash).await?;
    let id = record_done(&mut tx, customer_id, &payload, now).await?;
    audit_row(
        &mut tx,
        Audit {
            actor_kind: "customer",
            actor_id: customer_id,
            customer_id,
            action: "servicing.phone_changed",
            request_id: &id,
            ip,
            now,
        },
    )
    .await?;
    // The old number hears of it: if it was not them, they know at once.
    let locale = Locale::parse(&contact.locale).unwrap_or_default();
    let body = t_in_with(locale, "sms.phone_changed", &[("new", &to_new.masked())]);
    outbox::enqueue(
        &mut *tx,
        outbox::NewMessage {
            customer_id: Some(customer_id),
            phone: to_old.as_str(),
            category: "servicing",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("servicing:{id}:old_phone")),
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision<'a> {
    /// 受理 — take it into review (资料审核中).
    Review,
    /// The change takes effect.
    Approve,
    Reject {
        reason: &'a str,
    },
}

impl Decision<'_> {
    fn to(self) -> State {
        match self {
            Self::Review => State::InReview,
            Self::Approve => State::Done,
            Self::Reject { .. } => State::Rejected,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Self::Review => "servicing.in_review",
            Self::Approve => "servicing.approved",
            Self::Reject { .. } => "servicing.rejected",
        }
    }
}

/// A reviewer moves request `id` on: the domain allows the move from the state we read,
/// then one guarded UPDATE, the timeline entry, the change itself (approval), the SMS
/// (approval, rejection) and the audit row, in one transaction. Of two reviewers deciding
/// at once, one wins; the other gets `Conflict` and nothing of theirs is written.
pub async fn decide(
    state: &AppState,
    staff_id: &str,
    id: &str,
    decision: Decision<'_>,
    ip: &str,
) -> Result<(), ReviewError> {
    let r = store::get_any(&state.db.pool, id)
        .await?
        .ok_or(ReviewError::NotFound)?;
    let to = decision.to();
    if r.state.is_closed() || r.state == to {
        return Err(ReviewError::Conflict);
    }
    rules::check_move(r.kind, r.state, to)?;
    let reason = match decision {
        Decision::Reject { reason } => Some(reason),
        _ => None,
    };
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::move_state(&mut tx, &r.id, r.state, to, Some(staff_id), reason, now).await? {
        return Err(ReviewError::Conflict);
    }
    let event = store::insert_event(
        &mut tx,
        store::NewEvent {
            request_id: &r.id,
            customer_id: &r.customer_id,
            from: Some(r.state),
            to,
            staff_id: Some(staff_id),
            note: reason.unwrap_or(""),
            at: now,
        },
    )
    .await;
    match event {
        Err(e) if crate::backend::store::is_unique_violation(&e) => {
            return Err(ReviewError::Conflict)
        }
        other => other?,
    };
    if decision == Decision::Approve {
        apply(&mut tx, &r, now).await?;
    }
    if to.is_closed() {
        notify(&mut tx, state, &r, to, reason, now).await?;
    }
    audit_row(
        &mut tx,
        Audit {
            actor_kind: "staff",
            actor_id: staff_id,
            customer_id: &r.customer_id,
            action: decision.audit_action(),
            request_id: &r.id,
            ip,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What an approved request changes.
async fn apply(conn: &mut AnyConnection, r: &RequestRow, now: i64) -> Result<(), ReviewError> {
    match (&r.payload, &r.policy_id) {
        (Payload::Beneficiaries(list), Some(policy_id)) => {
            store::replace_beneficiaries(conn, policy_id, list).await?;
        }
        (Payload::Contact { address, email, .. }, _) => {
            customers::set_contact(&mut *conn, &r.customer_id, address, email).await?;
        }
        (Payload::Loan { amount_fen, .. }, Some(policy_id)) => {
            super::loans::make_loan(conn, r, policy_id, *amount_fen, now).await?;
        }
        (Payload::Beneficiaries(_) | Payload::Loan { .. }, None) => {
            return Err(anyhow::anyhow!("{} request without a policy", r.kind).into())
        }
        (
            Payload::Phone { .. } | Payload::DebitMethod { .. } | Payload::PayoutAccount { .. },
            _,
        ) => return Err(anyhow::anyhow!("a {} change is never reviewed", r.kind).into()),
    }
    Ok(())
}

/// The translation key of what a request of `kind` is, in words.
pub fn kind_key(kind: Kind) -> String {
    format!("servicing.kind.{kind}")
}

/// The SMS telling the customer how their request ended, in their language.
async fn notify(
    conn: &mut AnyConnection,
    state: &AppState,
    r: &RequestRow,
    to: State,
    reason: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    let Some(contact) = customers::contact(&mut *conn, &r.customer_id).await? else {
        return Ok(());
    };
    let locale = Locale::parse(&contact.locale).unwrap_or_default();
    let link = format!(
        "{}/requests/{}",
        state.config.public_url.trim_end_matches('/'),
        r.id
    );
    let what = t_in(locale, &kind_key(r.kind));
    let body = t_in_with(
        locale,
        &format!("sms.servicing_{to}"),
        &[
            ("what", what.as_str()),
            ("reason", reason.unwrap_or("")),
            ("link", link.as_str()),
        ],
    );
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(&r.customer_id),
            phone: &contact.phone,
            category: "servicing",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("servicing:{}:{to}", r.id)),
            now,
        },
    )
    .await?;
    Ok(())
}

/// `/requests`: the policies and what may be changed on each, and every request made.
pub struct Hall {
    /// Policies in force, and whether their beneficiaries may be changed here.
    pub policies: Vec<(PolicySummary, bool)>,
    pub requests: Vec<RequestRow>,
}

pub async fn hall(state: &AppState, customer_id: &str) -> anyhow::Result<Hall> {
    let pool = &state.db.pool;
    let policies = policies::list_for_customer(pool, customer_id)
        .await?
        .into_iter()
        .filter(|p| p.status == PolicyStatus::Active)
        .map(|p| {
            let ok = beneficiaries_changeable(&p);
            (p, ok)
        })
        .collect();
    Ok(Hall {
        policies,
        requests: store::list_for_customer(pool, customer_id, LIST_LIMIT).await?,
    })
}

/// One request and its timeline.
pub struct RequestView {
    pub request: RequestRow,
    pub events: Vec<EventRow>,
}

/// One of the customer's requests; `None` for anyone else's.
pub async fn view(
    state: &AppState,
    customer_id: &str,
    id: &str,
) -> anyhow::Result<Option<RequestView>> {
    let Some(request) = store::get(&state.db.pool, customer_id, id).await? else {
        return Ok(None);
    };
    let events = store::events(&state.db.pool, &request.id).await?;
    Ok(Some(RequestView { request, events }))
}

/// `/policies/{id}/beneficiaries`: who they are now, and a request still open, if any.
pub struct BeneficiariesView {
    pub policy: PolicySummary,
    pub current: Vec<BeneficiaryRow>,
    pub open: Option<RequestRow>,
    pub changeable: bool,
}

pub async fn beneficiaries(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
) -> anyhow::Result<Option<BeneficiariesView>> {
    let pool = &state.db.pool;
    let Some(policy) = policies::summary(pool, customer_id, policy_id).await? else {
        return Ok(None);
    };
    let open = store::open_for_policy(pool, customer_id, policy_id, Kind::Beneficiaries).await?;
    Ok(Some(BeneficiariesView {
        changeable: beneficiaries_changeable(&policy),
        current: policies::beneficiaries(pool, policy_id).await?,
        open,
        policy,
    }))
}

/// The review queue.
pub async fn queue(state: &AppState) -> anyhow::Result<Vec<RequestRow>> {
    Ok(store::queue(&state.db.pool, LIST_LIMIT).await?)
}

/// One request for a reviewer, with the policy's beneficiaries as they are now and the
/// customer's other recent requests beside it.
pub struct ReviewView {
    pub request: RequestRow,
    pub events: Vec<EventRow>,
    pub current: Vec<BeneficiaryRow>,
    pub history: Vec<RequestRow>,
}

pub async fn review_view(state: &AppState, id: &str) -> anyhow::Result<Option<ReviewView>> {
    let pool = &state.db.pool;
    let Some(request) = store::get_any(pool, id).await? else {
        return Ok(None);
    };
    let current = match &request.policy_id {
        Some(p) => policies::beneficiaries(pool, p).await?,
        None => vec![],
    };
    let history = store::list_for_customer(pool, &request.customer_id, HISTORY_LIMIT + 1)
        .await?
        .into_iter()
        .filter(|r| r.id != request.id)
        .take(HISTORY_LIMIT as usize)
        .collect();
    Ok(Some(ReviewView {
        events: store::events(pool, &request.id).await?,
        request,
        current,
        history,
    }))
}
