//! Booking appointments against entitlements: book, reschedule, cancel, list, the `.ics`
//! of one booking, and what staff record afterwards.
//!
//! Like paying (`payments.rs`): read what the page needs outside any transaction, then
//! one short transaction whose first statement is a guarded write (so SQLite's one
//! writer is taken before anything is read inside it): the slot place and the
//! entitlement use are each one `UPDATE … WHERE booked < capacity` / `WHERE used <
//! allowed`, and the SMS notice goes to the outbox in the same transaction.

use crate::backend::clock::{shanghai_date, shanghai_datetime};
use crate::backend::domain::booking::{self, ServiceMode};
use crate::backend::store::bookings::{self as store, BookingRow, SlotRow, UsageYear};
use crate::backend::store::{audit, customers, is_unique_violation, outbox, policies};
use crate::backend::{ids, AppState};
use crate::i18n::{t_in_with, Locale};
use crate::model::{BookingState, SurveySubject};
use sqlx::AnyConnection;

/// How many other slots a person is offered when the one they chose filled up.
pub const ALTERNATIVES: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// No such slot, or a policy that is not this customer's.
    #[error("not found")]
    NotFound,
    /// The policy grants no such service.
    #[error("not entitled")]
    NotEntitled,
    /// The policy does not cover the day of the appointment.
    #[error("not covered that day")]
    NotCovered,
    /// The slot starts in less than 2 hours (or has passed).
    #[error("too late")]
    TooLate,
    /// Every use of the year is spent.
    #[error("no uses left")]
    NoUsesLeft,
    /// Somebody took the last place first: the next free slots at that provider.
    #[error("slot full")]
    SlotFull { next: Vec<SlotRow> },
    /// The provider was deactivated: it takes no new appointments.
    #[error("provider closed")]
    ProviderClosed,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for BookError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The policy year an appointment at `starts_at` spends its use in, and the allowance.
async fn year_for(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
    kind_id: &str,
    starts_at: i64,
) -> Result<(booking::PolicyYear, i64), BookError> {
    let pool = &state.db.pool;
    let allowed = store::per_year(pool, customer_id, policy_id, kind_id)
        .await?
        .ok_or(BookError::NotEntitled)?;
    let terms: Vec<(String, String)> = policies::terms(pool, customer_id, policy_id)
        .await?
        .into_iter()
        .map(|t| (t.start_date, t.end_date))
        .collect();
    let year =
        booking::year_covering(&terms, shanghai_date(starts_at)).ok_or(BookError::NotCovered)?;
    Ok((year, allowed))
}

async fn next_free(state: &AppState, slot: &SlotRow) -> Result<Vec<SlotRow>, sqlx::Error> {
    let from = (state.clock.now() + booking::CHANGE_CUTOFF_SECS).max(slot.starts_at);
    let mut next =
        store::next_free(&state.db.pool, &slot.provider_id, from, ALTERNATIVES + 1).await?;
    next.retain(|s| s.id != slot.id);
    next.truncate(ALTERNATIVES as usize);
    Ok(next)
}

/// Books a place in `slot_id` with one use of the policy's entitlement. Returns the
/// booking's id.
pub async fn book(
    state: &AppState,
    customer_id: &str,
    policy_id: &str,
    slot_id: &str,
) -> Result<String, BookError> {
    let now = state.clock.now();
    let pool = &state.db.pool;
    let slot = store::slot(pool, slot_id)
        .await?
        .ok_or(BookError::NotFound)?;
    let code = store::kind_code(pool, &slot.service_kind_id)
        .await?
        .unwrap_or_default();
    if ServiceMode::of(&code) != ServiceMode::Appointment {
        return Err(BookError::NotFound);
    }
    let (year, allowed) = year_for(
        state,
        customer_id,
        policy_id,
        &slot.service_kind_id,
        slot.starts_at,
    )
    .await?;
    // A second tap after the first went through: the booking they have.
    if let Some(existing) = store::booked_in_slot(pool, customer_id, policy_id, slot_id).await? {
        return Ok(existing);
    }
    // A deactivated provider keeps the appointments it has and takes no new ones.
    if !slot.bookable() {
        return Err(BookError::ProviderClosed);
    }
    if !booking::may_change(slot.starts_at, now) {
        return Err(BookError::TooLate);
    }
    let id = ids::new_id();
    let mut tx = pool.begin().await?;
    let (year_start, year_end) = (year.key(), year.end_iso());
    let usage = UsageYear {
        policy_id,
        kind_id: &slot.service_kind_id,
        customer_id,
        year_start: &year_start,
        year_end: &year_end,
        allowed,
    };
    if !store::spend_use(&mut tx, &usage).await? {
        tx.rollback().await?;
        // The last use may have gone to this very booking, tapped twice at once.
        return match store::booked_in_slot(pool, customer_id, policy_id, slot_id).await? {
            Some(existing) => Ok(existing),
            None => Err(BookError::NoUsesLeft),
        };
    }
    if !store::take_place(&mut *tx, slot_id).await? {
        tx.rollback().await?;
        return match store::booked_in_slot(pool, customer_id, policy_id, slot_id).await? {
            Some(existing) => Ok(existing),
            None => Err(BookError::SlotFull {
                next: next_free(state, &slot).await?,
            }),
        };
    }
    let inserted = store::insert(
        &mut *tx,
        store::NewBooking {
            id: &id,
            customer_id,
            policy_id,
            kind_id: &slot.service_kind_id,
            slot_id,
            usage_year: &year_start,
            now,
        },
    )
    .await;
    match inserted {
        Ok(()) => {}
        // A double tap: this policy already has this slot. Nothing more is spent; the
        // person sees the booking they have.
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            return store::booked_in_slot(pool, customer_id, policy_id, slot_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("booking of a double tap vanished").into());
        }
        Err(e) => return Err(e.into()),
    }
    let b = store::get(&mut *tx, customer_id, &id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("new booking vanished"))?;
    notify(&mut tx, &b, "services.sms.booked", now).await?;
    record(&mut tx, customer_id, "booking.booked", &id, now).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum RescheduleError {
    #[error("not found")]
    NotFound,
    /// Cancelled, completed, missed — or changed meanwhile by another tab.
    #[error("not changeable")]
    NotChangeable,
    /// The old or the new appointment is less than 2 hours away.
    #[error("too late")]
    TooLate,
    #[error("same slot")]
    SameSlot,
    #[error("not covered that day")]
    NotCovered,
    #[error("no uses left")]
    NoUsesLeft,
    #[error("slot full")]
    SlotFull { next: Vec<SlotRow> },
    /// The new slot's provider was deactivated.
    #[error("provider closed")]
    ProviderClosed,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for RescheduleError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<BookError> for RescheduleError {
    fn from(e: BookError) -> Self {
        match e {
            BookError::NotFound | BookError::NotEntitled => Self::NotFound,
            BookError::NotCovered => Self::NotCovered,
            BookError::TooLate => Self::TooLate,
            BookError::NoUsesLeft => Self::NoUsesLeft,
            BookError::SlotFull { next } => Self::SlotFull { next },
            BookError::ProviderClosed => Self::ProviderClosed,
            BookError::Internal(e) => Self::Internal(e),
        }
    }
}

/// Moves a booked appointment to another slot of the same service: the new place is
/// taken and the old one given back in one transaction, or nothing changes.
pub async fn reschedule(
    state: &AppState,
    customer_id: &str,
    booking_id: &str,
    new_slot_id: &str,
) -> Result<(), RescheduleError> {
    let now = state.clock.now();
    let pool = &state.db.pool;
    let b = store::get(pool, customer_id, booking_id)
        .await?
        .ok_or(RescheduleError::NotFound)?;
    if b.state != BookingState::Booked {
        return Err(RescheduleError::NotChangeable);
    }
    if !booking::may_change(b.starts_at, now) {
        return Err(RescheduleError::TooLate);
    }
    if b.slot_id == new_slot_id {
        return Err(RescheduleError::SameSlot);
    }
    let slot = store::slot(pool, new_slot_id)
        .await?
        .filter(|s| s.service_kind_id == b.service_kind_id)
        .ok_or(RescheduleError::NotFound)?;
    if !slot.bookable() {
        return Err(RescheduleError::ProviderClosed);
    }
    if !booking::may_change(slot.starts_at, now) {
        return Err(RescheduleError::TooLate);
    }
    let (year, allowed) = year_for(
        state,
        customer_id,
        &b.policy_id,
        &b.service_kind_id,
        slot.starts_at,
    )
    .await?;
    let year_start = year.key();
    let year_end = year.end_iso();
    let mut tx = pool.begin().await?;
    if !store::take_place(&mut *tx, new_slot_id).await? {
        tx.rollback().await?;
        return Err(RescheduleError::SlotFull {
            next: next_free(state, &slot).await?,
        });
    }
    let moved = store::move_to(
        &mut *tx,
        customer_id,
        booking_id,
        &b.slot_id,
        new_slot_id,
        &year_start,
        now,
    )
    .await;
    match moved {
        Ok(true) => {}
        Ok(false) => {
            tx.rollback().await?;
            return Err(RescheduleError::NotChangeable);
        }
        // The policy already has another booking in that slot.
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            return Err(RescheduleError::SameSlot);
        }
        Err(e) => return Err(e.into()),
    }
    if year_start != b.usage_year {
        // Into another policy year: spend a use of that one, give the old one back.
        let usage = UsageYear {
            policy_id: &b.policy_id,
            kind_id: &b.service_kind_id,
            customer_id,
            year_start: &year_start,
            year_end: &year_end,
            allowed,
        };
        if !store::spend_use(&mut tx, &usage).await? {
            tx.rollback().await?;
            return Err(RescheduleError::NoUsesLeft);
        }
        store::return_use(&mut *tx, &b.policy_id, &b.service_kind_id, &b.usage_year).await?;
    }
    store::give_back_place(&mut *tx, &b.slot_id).await?;
    let moved = store::get(&mut *tx, customer_id, booking_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("moved booking vanished"))?;
    notify(&mut tx, &moved, "services.sms.rescheduled", now).await?;
    record(&mut tx, customer_id, "booking.rescheduled", booking_id, now).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("not found")]
    NotFound,
    #[error("not changeable")]
    NotChangeable,
    #[error("too late")]
    TooLate,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CancelError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Cancels a booked appointment up to 2 hours before: the place and the entitlement use
/// come back.
pub async fn cancel(
    state: &AppState,
    customer_id: &str,
    booking_id: &str,
) -> Result<(), CancelError> {
    let now = state.clock.now();
    let pool = &state.db.pool;
    let b = store::get(pool, customer_id, booking_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if b.state != BookingState::Booked {
        return Err(CancelError::NotChangeable);
    }
    if !booking::may_change(b.starts_at, now) {
        return Err(CancelError::TooLate);
    }
    let mut tx = pool.begin().await?;
    if !store::close(&mut *tx, booking_id, BookingState::Cancelled, now).await? {
        tx.rollback().await?;
        return Err(CancelError::NotChangeable);
    }
    store::give_back_place(&mut *tx, &b.slot_id).await?;
    store::return_use(&mut *tx, &b.policy_id, &b.service_kind_id, &b.usage_year).await?;
    notify(&mut tx, &b, "services.sms.cancelled", now).await?;
    record(&mut tx, customer_id, "booking.cancelled", booking_id, now).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error("not found")]
    NotFound,
    /// Not booked any more (cancelled, or closed by someone else first).
    #[error("not booked")]
    NotBooked,
    /// Only after it started: nobody can have missed an appointment still to come.
    #[error("not started")]
    NotStarted,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CloseError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Staff record that an appointment happened or that nobody came.
pub async fn close_by_staff(
    state: &AppState,
    staff_id: &str,
    booking_id: &str,
    to: BookingState,
) -> Result<(), CloseError> {
    let now = state.clock.now();
    let b = store::get_any(&state.db.pool, booking_id)
        .await?
        .ok_or(CloseError::NotFound)?;
    if !b.state.staff_may_close(to) {
        return Err(CloseError::NotBooked);
    }
    if now < b.starts_at {
        return Err(CloseError::NotStarted);
    }
    let mut tx = state.db.pool.begin().await?;
    if !store::close(&mut *tx, booking_id, to, now).await? {
        tx.rollback().await?;
        return Err(CloseError::NotBooked);
    }
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(staff_id),
            customer_id: Some(&b.customer_id),
            action: if to == BookingState::Completed {
                "booking.completed"
            } else {
                "booking.no_show"
            },
            detail: booking_id,
            ip: None,
            now,
        },
    )
    .await?;
    if to == BookingState::Completed {
        super::surveys::invite(
            &mut tx,
            state,
            super::surveys::Completed {
                customer_id: &b.customer_id,
                subject: SurveySubject::Booking,
                subject_id: booking_id,
                service: &b.kind_code,
                service_zh: &b.kind_zh,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum WeekError {
    #[error("no such provider")]
    NotFound,
    /// A deactivated provider gets no new slots.
    #[error("provider inactive")]
    Inactive,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for WeekError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// A week of one-hour slots for a provider in one action (a supervisor's calendar).
/// Slots that already exist are kept as they are. Returns how many were added.
pub async fn create_week(
    state: &AppState,
    staff_id: &str,
    provider_id: &str,
    first_day: chrono::NaiveDate,
    hours: &[u32],
    capacity: i64,
    sundays: bool,
) -> Result<u64, WeekError> {
    let now = state.clock.now();
    let provider = store::provider(&state.db.pool, provider_id)
        .await?
        .ok_or(WeekError::NotFound)?;
    if !provider.is_active() {
        return Err(WeekError::Inactive);
    }
    let starts: Vec<i64> = booking::week_of_slots(first_day, hours, sundays)
        .into_iter()
        .filter(|s| *s > now)
        .collect();
    let mut tx = state.db.pool.begin().await?;
    let added = store::add_slots(&mut tx, provider_id, &starts, 3600, capacity).await?;
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(staff_id),
            customer_id: None,
            action: "slots.week_created",
            detail: &format!("{provider_id}:{first_day}:{added}"),
            ip: None,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Queues the reminder for every appointment tomorrow (Asia/Shanghai) that has none yet.
/// The outbox holds it until the customer's preferred window. Each reminder is claimed
/// with a guarded UPDATE in its own transaction, so instances running this at once send
/// it once; a rescheduled appointment is reminded again for its new day.
pub async fn queue_appointment_reminders(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let tomorrow = state.clock.today_shanghai() + chrono::Days::new(1);
    let from = crate::backend::clock::shanghai_day_start(tomorrow);
    let to = from + 86_400;
    let mut queued = 0;
    for b in store::due_reminders(&state.db.pool, from, to).await? {
        let mut tx = state.db.pool.begin().await?;
        if !store::mark_reminded(&mut *tx, &b.id, &b.slot_id, now).await? {
            tx.rollback().await?;
            continue;
        }
        notify(&mut tx, &b, "services.sms.reminder", now).await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

/// The customer's appointments, soonest first, and whether each may still change.
pub async fn list(state: &AppState, customer_id: &str) -> sqlx::Result<Vec<(BookingRow, bool)>> {
    let now = state.clock.now();
    let mut rows = store::for_customer(&state.db.pool, customer_id).await?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|b| {
            let open = b.state == BookingState::Booked && booking::may_change(b.starts_at, now);
            (b, open)
        })
        .collect())
}

/// One of the customer's appointments, or `None` (a 404) for anyone else's.
pub async fn get(
    state: &AppState,
    customer_id: &str,
    booking_id: &str,
) -> sqlx::Result<Option<(BookingRow, bool)>> {
    let now = state.clock.now();
    Ok(store::get(&state.db.pool, customer_id, booking_id)
        .await?
        .map(|b| {
            let open = b.state == BookingState::Booked && booking::may_change(b.starts_at, now);
            (b, open)
        }))
}

/// The appointment as an iCalendar file (RFC 5545), for the person's own calendar.
pub fn ics(b: &BookingRow, locale: Locale) -> String {
    let name = if locale == Locale::ZhCn {
        &b.kind_zh
    } else {
        &b.kind_en
    };
    let stamp = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .unwrap_or_default()
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Anxin//Services//ZH".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@anxin", b.id),
        format!("DTSTAMP:{}", stamp(b.updated_at)),
        format!("DTSTART:{}", stamp(b.starts_at)),
        format!("DTEND:{}", stamp(b.ends_at)),
        format!(
            "SUMMARY:{}",
            ics_text(&format!("{name} · {}", b.provider_name))
        ),
        format!("LOCATION:{}", ics_text(&b.address)),
        if b.state == BookingState::Cancelled {
            "STATUS:CANCELLED".to_owned()
        } else {
            "STATUS:CONFIRMED".to_owned()
        },
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect::<String>()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| match c {
            '\\' | ';' | ',' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// A content line folded at 75 octets, never inside a character, ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in line.chars() {
        if len + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// The SMS about a booking, in the outbox, in the caller's transaction.
async fn notify(conn: &mut AnyConnection, b: &BookingRow, key: &str, now: i64) -> sqlx::Result<()> {
    let Some(customer) = customers::profile(&mut *conn, &b.customer_id).await? else {
        return Ok(());
    };
    let body = t_in_with(
        Locale::ZhCn,
        key,
        &[
            ("service", &b.kind_zh),
            ("provider", &b.provider_name),
            ("time", &shanghai_datetime(b.starts_at)),
            ("address", &b.address),
        ],
    );
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(&b.customer_id),
            phone: &customer.phone,
            category: "service_notice",
            body: &body,
            secret_body: None,
            dedupe_key: None,
            now,
        },
    )
    .await?;
    Ok(())
}

async fn record(
    conn: &mut AnyConnection,
    customer_id: &str,
    action: &str,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    audit::record(
        &mut *conn,
        audit::AuditEntry {
            actor_kind: "customer",
            actor_id: Some(customer_id),
            customer_id: Some(customer_id),
            action,
            detail: id,
            ip: None,
            now,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_lines_are_escaped_and_folded() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\de");
        let long = format!("SUMMARY:{}", "健".repeat(40));
        let folded = fold(&long);
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }
}
