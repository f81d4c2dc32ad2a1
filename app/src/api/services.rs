//! Service booking and roadside help: the server functions behind their forms, and the
//! data their pages load. Customers' reads work while staff view as them; every write is
//! the customer's own (`require_acting`), never assisted.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::Action,
    crate::backend::clock::{shanghai_date, shanghai_day_start},
    crate::backend::domain::booking::{self, RoadsideField, RoadsideForm},
    crate::backend::services::bookings::{
        self as svc, BookError, CancelError, CloseError, RescheduleError, WeekError,
    },
    crate::backend::services::roadside::{self as roadside_svc, AdvanceError, RoadsideError},
    crate::backend::store::bookings::{self as store, BookingRow, EntitlementRow, SlotRow},
    crate::backend::store::roadside::RoadsideRow,
    crate::model::{BookingState, ErrorCode, Permission, RoadsideState},
};

pub const SERVICES: &str = "/services";
pub const BOOK: &str = "/services/book";
pub const BOOKINGS: &str = "/bookings";
pub const ROADSIDE: &str = "/roadside";
pub const STAFF_SERVICES: &str = "/staff/services";
pub const STAFF_ROADSIDE: &str = "/staff/roadside";

pub fn booking_path(id: &str) -> String {
    format!("/bookings/{id}")
}

pub fn reschedule_path(id: &str) -> String {
    format!("/bookings/{id}/reschedule")
}

pub fn ics_path(id: &str) -> String {
    format!("/bookings/{id}/calendar.ics")
}

pub fn roadside_path(id: &str) -> String {
    format!("/roadside/{id}")
}

/// A step of the booking flow: what is chosen so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BookStep {
    pub policy: String,
    pub kind: String,
    pub provider: Option<String>,
    /// `YYYY-MM-DD`
    pub day: Option<String>,
    pub slot: Option<String>,
}

impl BookStep {
    pub fn url(&self) -> String {
        let mut u = format!("{BOOK}?policy={}&kind={}", self.policy, self.kind);
        for (k, v) in [
            ("provider", &self.provider),
            ("day", &self.day),
            ("slot", &self.slot),
        ] {
            if let Some(v) = v {
                u.push_str(&format!("&{k}={v}"));
            }
        }
        u
    }
}

/// A day as it may travel in a URL: `YYYY-MM-DD`, nothing else.
pub fn clean_day(s: &str) -> Option<String> {
    let ok = s.len() == 10
        && s.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    ok.then(|| s.to_owned())
}

/// Books the chosen slot with one use of the policy's entitlement.
#[server(prefix = "/api", endpoint = "book_service")]
pub async fn book_service(
    policy_id: String,
    kind: String,
    slot: Option<String>,
) -> Result<(), ServerFnError> {
    let caller = match ctx::require_service_actor(Action::Book) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(SERVICES, r),
    };
    let customer_id = caller.customer_id.clone();
    let policy = super::auth::urlsafe(&policy_id);
    // A booking link books on its own policy only.
    if !caller.may_use(&policy) {
        ctx::go_not_found(&ctx::error_url(SERVICES, ErrorCode::NotEntitled, &[]));
        return Ok(());
    }
    let kind = super::auth::urlsafe(&kind);
    let slot = slot
        .as_deref()
        .map(super::auth::urlsafe)
        .unwrap_or_default();
    let state = ctx::state();
    // Back to the step the form was on: the day of the chosen slot, at its provider.
    let chosen = if slot.is_empty() {
        None
    } else {
        store::slot(&state.db.pool, &slot).await.ok().flatten()
    };
    let back = |s: Option<&SlotRow>| {
        BookStep {
            policy: policy.clone(),
            kind: kind.clone(),
            provider: s.map(|s| s.provider_id.clone()),
            day: s.map(|s| shanghai_date(s.starts_at).to_string()),
            slot: None,
        }
        .url()
    };
    let Some(chosen) = chosen else {
        ctx::go(&ctx::error_url(&back(None), ErrorCode::PickSlot, &[]));
        return Ok(());
    };
    let here = back(Some(&chosen));
    match svc::book(&state, &customer_id, &policy, &slot).await {
        Ok(id) => ctx::go(&format!("{}?done=booked", booking_path(&id))),
        // Told plainly, and shown the next free slots: the day of the first one.
        Err(BookError::SlotFull { next }) => ctx::go(&ctx::error_url(
            &back(next.first().or(Some(&chosen))),
            ErrorCode::SlotFull,
            &[],
        )),
        Err(BookError::NotFound) => {
            ctx::go_not_found(&ctx::error_url(SERVICES, ErrorCode::NotEntitled, &[]))
        }
        Err(BookError::NotEntitled) => {
            ctx::go(&ctx::error_url(SERVICES, ErrorCode::NotEntitled, &[]))
        }
        Err(BookError::NotCovered) => ctx::go(&ctx::error_url(&here, ErrorCode::NotCovered, &[])),
        Err(BookError::TooLate) => ctx::go(&ctx::error_url(&here, ErrorCode::BookingCutoff, &[])),
        Err(BookError::NoUsesLeft) => {
            ctx::go(&ctx::error_url(SERVICES, ErrorCode::NoUsesLeft, &[]))
        }
        // Back to choosing a provider: the deactivated one is no longer listed.
        Err(BookError::ProviderClosed) => {
            ctx::go(&ctx::error_url(&back(None), ErrorCode::ProviderClosed, &[]))
        }
        Err(BookError::Internal(e)) => ctx::go_internal_error(&here, &e),
    }
    Ok(())
}

/// Moves an appointment to another slot (old place given back, new one taken, at once).
#[server(prefix = "/api", endpoint = "reschedule_booking")]
pub async fn reschedule_booking(
    booking_id: String,
    slot: Option<String>,
) -> Result<(), ServerFnError> {
    let id = super::auth::urlsafe(&booking_id);
    let slot = slot
        .as_deref()
        .map(super::auth::urlsafe)
        .unwrap_or_default();
    let back = reschedule_path(&id);
    let (_, customer_id) = match ctx::require_acting(Action::Reschedule) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    if slot.is_empty() {
        ctx::go(&ctx::error_url(&back, ErrorCode::PickSlot, &[]));
        return Ok(());
    }
    let state = ctx::state();
    match svc::reschedule(&state, &customer_id, &id, &slot).await {
        Ok(()) => ctx::go(&format!("{}?done=rescheduled", booking_path(&id))),
        Err(RescheduleError::NotFound) => ctx::go_not_found(&booking_path(&id)),
        Err(RescheduleError::SlotFull { next }) => {
            let day = next
                .first()
                .map(|s| format!("?day={}", shanghai_date(s.starts_at)))
                .unwrap_or_default();
            ctx::go(&ctx::error_url(
                &format!("{back}{day}"),
                ErrorCode::SlotFull,
                &[],
            ))
        }
        Err(RescheduleError::NotChangeable) => ctx::go(&ctx::error_url(
            &booking_path(&id),
            ErrorCode::BookingClosed,
            &[],
        )),
        Err(RescheduleError::TooLate) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::BookingCutoff, &[]))
        }
        Err(RescheduleError::SameSlot) => ctx::go(&ctx::error_url(&back, ErrorCode::SameSlot, &[])),
        Err(RescheduleError::NotCovered) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::NotCovered, &[]))
        }
        Err(RescheduleError::NoUsesLeft) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::NoUsesLeft, &[]))
        }
        Err(RescheduleError::ProviderClosed) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::ProviderClosed, &[]))
        }
        Err(RescheduleError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
}

/// Cancels an appointment; the entitlement use comes back.
#[server(prefix = "/api", endpoint = "cancel_booking")]
pub async fn cancel_booking(booking_id: String) -> Result<(), ServerFnError> {
    let id = super::auth::urlsafe(&booking_id);
    let back = booking_path(&id);
    let (_, customer_id) = match ctx::require_acting(Action::CancelBooking) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    match svc::cancel(&ctx::state(), &customer_id, &id).await {
        Ok(()) => ctx::go(&format!("{back}?done=cancelled")),
        Err(CancelError::NotFound) => ctx::go_not_found(&back),
        Err(CancelError::NotChangeable) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::BookingClosed, &[]))
        }
        Err(CancelError::TooLate) => ctx::go(&ctx::error_url(&back, ErrorCode::BookingCutoff, &[])),
        Err(CancelError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
}

/// Asks for roadside help now.
#[server(prefix = "/api", endpoint = "request_roadside")]
pub async fn request_roadside(
    policy_id: String,
    location: String,
    plate: String,
    what_happened: String,
    phone: String,
) -> Result<(), ServerFnError> {
    let policy = super::auth::urlsafe(&policy_id);
    let back = format!("{ROADSIDE}?policy={policy}");
    let caller = match ctx::require_service_actor(Action::RequestRoadside) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    // A roadside link asks for help under its own policy only.
    if !caller.may_use(&policy) {
        ctx::go_not_found(&ctx::error_url(ROADSIDE, ErrorCode::NotEntitled, &[]));
        return Ok(());
    }
    let customer_id = caller.customer_id;
    let form = match RoadsideForm::parse(&location, &plate, &what_happened, &phone) {
        Ok(f) => f,
        Err(field) => {
            let code = match field {
                RoadsideField::Location => ErrorCode::BadLocation,
                RoadsideField::Plate => ErrorCode::BadPlate,
                RoadsideField::WhatHappened => ErrorCode::BadWhatHappened,
                RoadsideField::Phone => ErrorCode::InvalidPhone,
            };
            ctx::go(&ctx::error_url(&back, code, &[]));
            return Ok(());
        }
    };
    match roadside_svc::request(&ctx::state(), &customer_id, &policy, &form).await {
        Ok(id) => ctx::go(&format!("{}?done=received", roadside_path(&id))),
        Err(RoadsideError::NotEntitled) => {
            ctx::go(&ctx::error_url(ROADSIDE, ErrorCode::NotEntitled, &[]))
        }
        Err(RoadsideError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
}

/// Staff: the appointment happened (`completed`) or nobody came (`no_show`).
#[server(prefix = "/api", endpoint = "close_booking")]
pub async fn close_booking(booking_id: String, outcome: String) -> Result<(), ServerFnError> {
    let Ok(staff_id) = ctx::require_staff_with(Permission::SlotCalendars).await else {
        ctx::go("/staff/login");
        return Ok(());
    };
    let to = match BookingState::parse(&outcome) {
        Some(s @ (BookingState::Completed | BookingState::NoShow)) => s,
        _ => {
            ctx::go(&ctx::error_url(STAFF_SERVICES, ErrorCode::MovedOn, &[]));
            return Ok(());
        }
    };
    let id = super::auth::urlsafe(&booking_id);
    match svc::close_by_staff(&ctx::state(), &staff_id, &id, to).await {
        Ok(()) => ctx::go(&format!("{STAFF_SERVICES}?done={}", to.as_str())),
        Err(CloseError::NotFound | CloseError::NotBooked | CloseError::NotStarted) => {
            ctx::go(&ctx::error_url(STAFF_SERVICES, ErrorCode::MovedOn, &[]))
        }
        Err(CloseError::Internal(e)) => ctx::go_internal_error(STAFF_SERVICES, &e),
    }
    Ok(())
}

/// Staff: a week of slots for one provider in one action.
#[server(prefix = "/api", endpoint = "create_slot_week")]
pub async fn create_slot_week(
    provider_id: String,
    first_day: String,
    hours: String,
    capacity: String,
    sundays: Option<String>,
) -> Result<(), ServerFnError> {
    let Ok(staff_id) = ctx::require_staff_with(Permission::SlotCalendars).await else {
        ctx::go("/staff/login");
        return Ok(());
    };
    let (Some(day), Some(hours), Ok(capacity)) = (
        chrono::NaiveDate::parse_from_str(first_day.trim(), "%Y-%m-%d").ok(),
        booking::parse_hours(&hours),
        capacity.trim().parse::<i64>(),
    ) else {
        ctx::go(&ctx::error_url(STAFF_SERVICES, ErrorCode::BadHours, &[]));
        return Ok(());
    };
    if !(1..=50).contains(&capacity) {
        ctx::go(&ctx::error_url(STAFF_SERVICES, ErrorCode::BadHours, &[]));
        return Ok(());
    }
    let provider = super::auth::urlsafe(&provider_id);
    let sundays = sundays.as_deref() == Some("on");
    match svc::create_week(
        &ctx::state(),
        &staff_id,
        &provider,
        day,
        &hours,
        capacity,
        sundays,
    )
    .await
    {
        Ok(n) => ctx::go(&format!("{STAFF_SERVICES}?done=week&added={n}")),
        Err(WeekError::NotFound) => {
            ctx::go(&ctx::error_url(STAFF_SERVICES, ErrorCode::MovedOn, &[]))
        }
        Err(WeekError::Inactive) => ctx::go(&ctx::error_url(
            STAFF_SERVICES,
            ErrorCode::ProviderInactive,
            &[],
        )),
        Err(WeekError::Internal(e)) => ctx::go_internal_error(STAFF_SERVICES, &e),
    }
    Ok(())
}

/// Staff: move a roadside request one step on from the state their page showed.
#[server(prefix = "/api", endpoint = "advance_roadside")]
pub async fn advance_roadside(request_id: String, from: String) -> Result<(), ServerFnError> {
    let Ok(staff_id) = ctx::require_staff_with(Permission::SlotCalendars).await else {
        ctx::go("/staff/login");
        return Ok(());
    };
    let Some(from) = RoadsideState::parse(&from) else {
        ctx::go(&ctx::error_url(STAFF_ROADSIDE, ErrorCode::MovedOn, &[]));
        return Ok(());
    };
    let id = super::auth::urlsafe(&request_id);
    match roadside_svc::advance(&ctx::state(), &staff_id, &id, from).await {
        Ok(to) => ctx::go(&format!("{STAFF_ROADSIDE}?done={}", to.as_str())),
        Err(AdvanceError::NotFound | AdvanceError::MovedOn) => {
            ctx::go(&ctx::error_url(STAFF_ROADSIDE, ErrorCode::MovedOn, &[]))
        }
        Err(AdvanceError::Internal(e)) => ctx::go_internal_error(STAFF_ROADSIDE, &e),
    }
    Ok(())
}

/// Page data: every entitlement of the caller's active policies.
#[cfg(feature = "ssr")]
pub async fn entitlements() -> Result<Vec<EntitlementRow>, PageError> {
    let (_, customer_id) = ctx::require_customer_session().await?;
    let state = ctx::state();
    Ok(store::entitlements(&state.db.pool, &customer_id, &state.clock.today_iso()).await?)
}

/// What the booking page shows at its current step.
#[cfg(feature = "ssr")]
pub struct BookView {
    pub entitlement: EntitlementRow,
    pub providers: Vec<store::ProviderRow>,
    pub provider: Option<store::ProviderRow>,
    /// The next 14 days, each with how many places are left that day.
    pub days: Vec<(String, i64)>,
    /// The chosen day's slots.
    pub slots: Vec<SlotRow>,
    pub slot: Option<SlotRow>,
}

/// The earliest a slot may start to be booked or moved to now.
#[cfg(feature = "ssr")]
fn bookable_from(now: i64) -> i64 {
    now + booking::CHANGE_CUTOFF_SECS
}

/// The next 14 days at a provider, with the places left each day (from `from`).
#[cfg(feature = "ssr")]
async fn days_at(
    state: &crate::backend::AppState,
    provider_id: &str,
    from: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    let today = state.clock.today_shanghai();
    let end = shanghai_day_start(today + chrono::Days::new(15));
    let slots = store::slots_between(&state.db.pool, provider_id, from, end).await?;
    let mut days: Vec<(String, i64)> = Vec::new();
    for s in slots {
        let d = shanghai_date(s.starts_at).to_string();
        match days.last_mut() {
            Some((last, n)) if *last == d => *n += s.left(),
            _ => days.push((d, s.left())),
        }
    }
    Ok(days)
}

#[cfg(feature = "ssr")]
async fn slots_on(
    state: &crate::backend::AppState,
    provider_id: &str,
    day: &str,
    from: i64,
) -> sqlx::Result<Vec<SlotRow>> {
    let Ok(d) = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
        return Ok(vec![]);
    };
    let start = shanghai_day_start(d).max(from);
    let end = shanghai_day_start(d + chrono::Days::new(1));
    store::slots_between(&state.db.pool, provider_id, start, end).await
}

/// Page data: one step of the booking flow for one of the caller's entitlements.
#[cfg(feature = "ssr")]
pub async fn book_view(step: &BookStep) -> Result<BookView, PageError> {
    let caller = ctx::require_service_reader(Action::Book)?;
    if !caller.may_use(&step.policy) {
        return Err(PageError::NotFound);
    }
    let state = ctx::state();
    let pool = &state.db.pool;
    // No service named (a booking link lands here with its policy only): the policy's
    // first appointment service.
    let entitlement = store::entitlements(pool, &caller.customer_id, &state.clock.today_iso())
        .await?
        .into_iter()
        .filter(|e| booking::ServiceMode::of(&e.kind_code) == booking::ServiceMode::Appointment)
        .find(|e| {
            e.policy_id == step.policy && (step.kind.is_empty() || e.service_kind_id == step.kind)
        })
        .ok_or(PageError::NotFound)?;
    let providers = store::providers(pool, &entitlement.service_kind_id).await?;
    let provider = step
        .provider
        .as_ref()
        .and_then(|p| providers.iter().find(|x| &x.id == p).cloned());
    let from = bookable_from(state.clock.now());
    let (days, slots) = match (&provider, &step.day) {
        (Some(p), day) => (
            days_at(&state, &p.id, from).await?,
            match day {
                Some(d) => slots_on(&state, &p.id, d, from).await?,
                None => vec![],
            },
        ),
        _ => (vec![], vec![]),
    };
    let slot = step
        .slot
        .as_ref()
        .and_then(|s| slots.iter().find(|x| &x.id == s).cloned());
    Ok(BookView {
        entitlement,
        providers,
        provider,
        days,
        slots,
        slot,
    })
}

/// Page data: the caller's appointments and roadside requests, and whether each
/// appointment may still change.
#[cfg(feature = "ssr")]
pub async fn bookings() -> Result<(Vec<(BookingRow, bool)>, Vec<RoadsideRow>), PageError> {
    let (_, customer_id) = ctx::require_customer_session().await?;
    let state = ctx::state();
    Ok((
        svc::list(&state, &customer_id).await?,
        roadside_svc::list(&state, &customer_id).await?,
    ))
}

/// Page data: one of the caller's appointments (by a booking link: one on its policy), or
/// not found.
#[cfg(feature = "ssr")]
pub async fn booking(id: &str) -> Result<(BookingRow, bool), PageError> {
    let caller = ctx::require_service_reader(Action::Book)?;
    svc::get(&ctx::state(), &caller.customer_id, id)
        .await?
        .filter(|(b, _)| caller.may_use(&b.policy_id))
        .ok_or(PageError::NotFound)
}

/// Page data: an appointment to move, with the days and slots it may move to.
#[cfg(feature = "ssr")]
pub async fn reschedule_view(
    id: &str,
    day: Option<&str>,
) -> Result<(BookingRow, bool, Vec<(String, i64)>, Vec<SlotRow>), PageError> {
    let (b, open) = booking(id).await?;
    let state = ctx::state();
    let from = bookable_from(state.clock.now());
    let days = days_at(&state, &b.provider_id, from).await?;
    let slots = match day {
        Some(d) => slots_on(&state, &b.provider_id, d, from).await?,
        None => vec![],
    };
    Ok((b, open, days, slots))
}

/// Page data: the caller's policies with roadside help (and what is left of it).
#[cfg(feature = "ssr")]
pub async fn roadside_policies() -> Result<Vec<EntitlementRow>, PageError> {
    let caller = ctx::require_service_reader(Action::RequestRoadside)?;
    let state = ctx::state();
    Ok(store::entitlements(
        &state.db.pool,
        &caller.customer_id,
        &state.clock.today_iso(),
    )
    .await?
    .into_iter()
    .filter(|e| booking::ServiceMode::of(&e.kind_code) == booking::ServiceMode::Roadside)
    .filter(|e| caller.may_use(&e.policy_id))
    .collect())
}

/// Page data: one of the caller's roadside requests, or not found.
#[cfg(feature = "ssr")]
pub async fn roadside_request(id: &str) -> Result<RoadsideRow, PageError> {
    let caller = ctx::require_service_reader(Action::RequestRoadside)?;
    roadside_svc::get(&ctx::state(), &caller.customer_id, id)
        .await?
        .filter(|r| caller.may_use(&r.policy_id))
        .ok_or(PageError::NotFound)
}

/// Staff page data: appointment providers, and booked appointments from the last 7 days
/// to the next 7 still to be closed.
#[cfg(feature = "ssr")]
pub async fn staff_services() -> Result<(Vec<store::ProviderRow>, Vec<BookingRow>), PageError> {
    ctx::require_staff_with(Permission::SlotCalendars).await?;
    let state = ctx::state();
    let now = state.clock.now();
    Ok((
        store::appointment_providers(&state.db.pool).await?,
        store::booked_between(&state.db.pool, now - 7 * 86_400, now + 7 * 86_400).await?,
    ))
}

/// Staff page data: roadside requests not yet completed.
#[cfg(feature = "ssr")]
pub async fn staff_roadside() -> Result<Vec<RoadsideRow>, PageError> {
    ctx::require_staff_with(Permission::SlotCalendars).await?;
    Ok(roadside_svc::open(&ctx::state()).await?)
}
