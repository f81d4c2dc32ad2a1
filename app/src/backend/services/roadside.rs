//! 道路救援 — roadside assistance: asked for now (no slot), numbered, moved along by staff
//! `received → dispatched → arrived → completed`, each step a text to the customer.

use crate::backend::clock::shanghai_date;
use crate::backend::domain::booking::{self, RoadsideForm, ROADSIDE_KIND};
use crate::backend::store::bookings::{self as entitlements, UsageYear};
use crate::backend::store::roadside::{self as store, RoadsideRow};
use crate::backend::store::{audit, outbox, policies};
use crate::backend::{ids, AppState};
use crate::i18n::{t_in, t_in_with, Locale};
use crate::model::{RoadsideState, SurveySubject};
use rand::Rng;

#[derive(Debug, thiserror::Error)]
pub enum RoadsideError {
    /// Not this customer's policy, or one without roadside help.
    #[error("not entitled")]
    NotEntitled,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for RoadsideError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// `RA` + the Shanghai date + 6 digits: short enough to read out on the phone.
fn request_no(now: i64) -> String {
    format!(
        "RA{}{:06}",
        shanghai_date(now).format("%Y%m%d"),
        rand::thread_rng().gen_range(0..1_000_000)
    )
}

/// Asks for help now under one of the customer's policies. A use of the year's calls is
/// spent if one is left; when none is, help still comes (at the provider's rates) — the
/// request is never refused for it. Returns the request's id.
pub async fn request(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
    form: &RoadsideForm,
) -> Result<String, RoadsideError> {
    let now = state.clock.now();
    let pool = &state.db.pool;
    let kind_id = entitlements::kind_id(pool, ROADSIDE_KIND)
        .await?
        .ok_or(RoadsideError::NotEntitled)?;
    let allowed = entitlements::per_year(pool, customer_id, policy_id, &kind_id)
        .await?
        .ok_or(RoadsideError::NotEntitled)?;
    let terms: Vec<(String, String)> = policies::terms(pool, customer_id, policy_id)
        .await?
        .into_iter()
        .map(|t| (t.start_date, t.end_date))
        .collect();
    let year =
        booking::year_covering(&terms, shanghai_date(now)).ok_or(RoadsideError::NotEntitled)?;
    let (year_start, year_end) = (year.key(), year.end_iso());
    let id = ids::new_id();
    let no = request_no(now);
    let mut tx = pool.begin().await?;
    let covered = entitlements::spend_use(
        &mut tx,
        &UsageYear {
            policy_id,
            kind_id: &kind_id,
            customer_id,
            year_start: &year_start,
            year_end: &year_end,
            allowed,
        },
    )
    .await?;
    store::insert(
        &mut *tx,
        store::NewRequest {
            id: &id,
            request_no: &no,
            customer_id,
            policy_id,
            kind_id: &kind_id,
            usage_year: covered.then_some(year_start.as_str()),
            location: &form.location,
            plate: form.plate.as_str(),
            what_happened: &form.what_happened,
            callback_phone: form.callback.as_str(),
            now,
        },
    )
    .await?;
    let body = t_in_with(
        Locale::ZhCn,
        "roadside.sms.received",
        &[("no", &no), ("phone", &form.callback.masked())],
    );
    outbox::enqueue(
        &mut *tx,
        outbox::NewMessage {
            customer_id: Some(customer_id),
            phone: form.callback.as_str(),
            category: "service_notice",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("roadside:{id}:received")),
            now,
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "customer",
            actor_id: Some(customer_id),
            customer_id: Some(customer_id),
            action: "roadside.requested",
            detail: &id,
            ip: None,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(
    state: &AppState,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<RoadsideRow>> {
    store::get(&state.db.pool, customer_id, id).await
}

pub async fn list(state: &AppState, customer_id: &str) -> sqlx::Result<Vec<RoadsideRow>> {
    store::for_customer(&state.db.pool, customer_id).await
}

#[derive(Debug, thiserror::Error)]
pub enum AdvanceError {
    #[error("not found")]
    NotFound,
    /// Already moved on (by someone else), or completed.
    #[error("moved on")]
    MovedOn,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AdvanceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Staff move a request one step on from `from` (the state their page showed): two
/// members of staff pressing at once move it once. The customer gets a text.
pub async fn advance(
    state: &AppState,
    staff_id: &str,
    id: &str,
    from: RoadsideState,
) -> Result<RoadsideState, AdvanceError> {
    let now = state.clock.now();
    let r = store::get_any(&state.db.pool, id)
        .await?
        .ok_or(AdvanceError::NotFound)?;
    let to = from.next().ok_or(AdvanceError::MovedOn)?;
    let mut tx = state.db.pool.begin().await?;
    if !store::advance(&mut *tx, id, from, to, now).await? {
        tx.rollback().await?;
        return Err(AdvanceError::MovedOn);
    }
    let body = t_in_with(
        Locale::ZhCn,
        &format!("roadside.sms.{}", to.as_str()),
        &[("no", &r.request_no)],
    );
    outbox::enqueue(
        &mut *tx,
        outbox::NewMessage {
            customer_id: Some(&r.customer_id),
            phone: &r.callback_phone,
            category: "service_notice",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("roadside:{id}:{}", to.as_str())),
            now,
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(staff_id),
            customer_id: Some(&r.customer_id),
            action: &format!("roadside.{}", to.as_str()),
            detail: id,
            ip: None,
            now,
        },
    )
    .await?;
    if to == RoadsideState::Completed {
        super::surveys::invite(
            &mut tx,
            state,
            super::surveys::Completed {
                customer_id: &r.customer_id,
                subject: SurveySubject::Roadside,
                subject_id: id,
                service: ROADSIDE_KIND,
                service_zh: &t_in(Locale::ZhCn, "roadside.title"),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(to)
}

/// The staff queue: every request not yet completed.
pub async fn open(state: &AppState) -> sqlx::Result<Vec<RoadsideRow>> {
    store::open(&state.db.pool).await
}
