//! Entitlements, providers, slots and appointments. Capacity and entitlement uses change
//! only through guarded statements: `take_place` and `spend_use` succeed for exactly as
//! many callers as there are places and uses, whatever the concurrency.

use crate::model::BookingState;
use sqlx::{Any, Executor};

/// What one policy grants of one service in its current year, and how much is used.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntitlementRow {
    pub customer_id: String,
    pub policy_id: String,
    pub policy_no: String,
    pub insured_object: String,
    pub product_zh: String,
    pub product_en: String,
    pub service_kind_id: String,
    pub kind_code: String,
    pub kind_zh: String,
    pub kind_en: String,
    pub allowed: i64,
    pub used: i64,
    /// The policy year: its first and last day (`YYYY-MM-DD`).
    pub year_start: String,
    pub year_end: String,
}

impl EntitlementRow {
    pub fn left(&self) -> i64 {
        (self.allowed - self.used).max(0)
    }
}

const ENTITLEMENTS: &str =
    "SELECT p.customer_id, p.id AS policy_id, p.policy_no, p.insured_object, \
        pr.name_zh AS product_zh, pr.name_en AS product_en, \
        e.service_kind_id, k.code AS kind_code, k.name_zh AS kind_zh, k.name_en AS kind_en, \
        COALESCE(u.allowed, e.per_year) AS allowed, COALESCE(u.used, 0) AS used, \
        t.start_date AS year_start, t.end_date AS year_end \
     FROM policies p \
     JOIN products pr ON pr.id = p.product_id \
     JOIN policy_terms t ON t.policy_id = p.id AND t.start_date <= $1 AND t.end_date >= $1 \
     JOIN product_entitlements e ON e.product_id = p.product_id \
     JOIN service_kinds k ON k.id = e.service_kind_id \
     LEFT JOIN entitlement_usage u ON u.policy_id = p.id AND u.service_kind_id = e.service_kind_id \
          AND u.year_start = t.start_date";

/// Entitled, used, left and until when, for every active policy of the customer on
/// `today` (`YYYY-MM-DD`): one query over the year's term and its usage row.
pub async fn entitlements<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    today: &str,
) -> sqlx::Result<Vec<EntitlementRow>> {
    sqlx::query_as(&format!(
        "{ENTITLEMENTS} WHERE p.customer_id = $2 AND p.status = 'active' ORDER BY p.policy_no, k.code"
    ))
    .bind(today)
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// Every activated customer's entitlements on `today`, by phone number (demo data).
pub async fn entitlements_of_everyone<'e>(
    ex: impl Executor<'e, Database = Any>,
    today: &str,
) -> sqlx::Result<Vec<EntitlementRow>> {
    sqlx::query_as(&format!(
        "{ENTITLEMENTS} JOIN customers c ON c.id = p.customer_id \
         WHERE c.activated_at IS NOT NULL AND p.status = 'active' ORDER BY c.phone, p.policy_no, k.code"
    ))
    .bind(today)
    .fetch_all(ex)
    .await
}

/// How many uses of `kind` a policy of this customer grants a year, if any.
pub async fn per_year<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
    kind_id: &str,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT e.per_year FROM policies p JOIN product_entitlements e ON e.product_id = p.product_id \
         WHERE p.customer_id = $1 AND p.id = $2 AND e.service_kind_id = $3 AND p.status = 'active'",
    )
    .bind(customer_id)
    .bind(policy_id)
    .bind(kind_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(n,)| n))
}

/// One policy year's usage row for one service.
pub struct UsageYear<'a> {
    pub policy_id: &'a str,
    pub kind_id: &'a str,
    pub customer_id: &'a str,
    pub year_start: &'a str,
    pub year_end: &'a str,
    pub allowed: i64,
}

/// Spends one use of the year, if one is left: makes the year's row if it is the first
/// use, then one guarded UPDATE. A write first, so that on SQLite the transaction takes
/// the write lock before it reads anything.
pub async fn spend_use(conn: &mut sqlx::AnyConnection, u: &UsageYear<'_>) -> sqlx::Result<bool> {
    sqlx::query(
        "INSERT INTO entitlement_usage (policy_id, service_kind_id, year_start, year_end, customer_id, allowed, used) \
         VALUES ($1, $2, $3, $4, $5, $6, 0) ON CONFLICT (policy_id, service_kind_id, year_start) DO NOTHING",
    )
    .bind(u.policy_id)
    .bind(u.kind_id)
    .bind(u.year_start)
    .bind(u.year_end)
    .bind(u.customer_id)
    .bind(u.allowed)
    .execute(&mut *conn)
    .await?;
    let r = sqlx::query(
        "UPDATE entitlement_usage SET used = used + 1 \
         WHERE policy_id = $1 AND service_kind_id = $2 AND year_start = $3 AND used < allowed",
    )
    .bind(u.policy_id)
    .bind(u.kind_id)
    .bind(u.year_start)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives one use of that year back (a cancelled appointment).
pub async fn return_use<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
    kind_id: &str,
    year_start: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE entitlement_usage SET used = used - 1 \
         WHERE policy_id = $1 AND service_kind_id = $2 AND year_start = $3 AND used > 0",
    )
    .bind(policy_id)
    .bind(kind_id)
    .bind(year_start)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub service_kind_id: String,
    pub name: String,
    pub city: String,
    pub address: String,
    pub phone: Option<String>,
    /// 1: offered to customers and given new slots; 0: deactivated by an admin.
    pub active: i64,
}

impl ProviderRow {
    pub fn is_active(&self) -> bool {
        self.active != 0
    }
}

const PROVIDER: &str =
    "SELECT p.id, p.service_kind_id, p.name, p.city, p.address, p.phone, p.active FROM providers p";

/// The active providers of a service: the ones a customer may choose for a new booking.
pub async fn providers<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind_id: &str,
) -> sqlx::Result<Vec<ProviderRow>> {
    sqlx::query_as(&format!(
        "{PROVIDER} WHERE p.service_kind_id = $1 AND p.active <> 0 ORDER BY p.city, p.name"
    ))
    .bind(kind_id)
    .fetch_all(ex)
    .await
}

/// Every active provider of a service booked by appointment (the staff calendars: a
/// deactivated provider gets no new slots).
pub async fn appointment_providers<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> sqlx::Result<Vec<ProviderRow>> {
    sqlx::query_as(&format!(
        "{PROVIDER} JOIN service_kinds k ON k.id = p.service_kind_id \
         WHERE k.code <> 'roadside_assistance' AND p.active <> 0 ORDER BY k.code, p.city, p.name"
    ))
    .fetch_all(ex)
    .await
}

/// One provider, active or not.
pub async fn provider<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<ProviderRow>> {
    sqlx::query_as(&format!("{PROVIDER} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// A provider in the admins' list: its service, and what is booked there from now on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderAdminRow {
    pub id: String,
    pub service_kind_id: String,
    pub kind_code: String,
    pub kind_zh: String,
    pub kind_en: String,
    pub name: String,
    pub city: String,
    pub address: String,
    pub phone: Option<String>,
    pub active: i64,
    /// Slots starting at or after now.
    pub upcoming_slots: i64,
    /// Places taken in those slots.
    pub booked_places: i64,
    /// Live appointments in those slots: the ones a deactivation leaves standing.
    pub upcoming_bookings: i64,
}

impl ProviderAdminRow {
    pub fn is_active(&self) -> bool {
        self.active != 0
    }
}

/// Every provider, grouped by service, with its upcoming slots, places and bookings
/// counted from `now` (subqueries: one row per provider whatever the joins).
pub async fn providers_for_admin<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: i64,
) -> sqlx::Result<Vec<ProviderAdminRow>> {
    sqlx::query_as(
        "SELECT p.id, p.service_kind_id, k.code AS kind_code, k.name_zh AS kind_zh, k.name_en AS kind_en, \
                p.name, p.city, p.address, p.phone, p.active, \
                (SELECT COUNT(*) FROM slots s WHERE s.provider_id = p.id AND s.starts_at >= $1) AS upcoming_slots, \
                (SELECT CAST(COALESCE(SUM(s.booked), 0) AS BIGINT) FROM slots s \
                  WHERE s.provider_id = p.id AND s.starts_at >= $1) AS booked_places, \
                (SELECT COUNT(*) FROM bookings b JOIN slots s ON s.id = b.slot_id \
                  WHERE s.provider_id = p.id AND s.starts_at >= $1 AND b.state = 'booked') AS upcoming_bookings \
         FROM providers p JOIN service_kinds k ON k.id = p.service_kind_id \
         ORDER BY k.code, p.active DESC, p.city, p.name",
    )
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Live appointments at a provider starting at or after `now`.
pub async fn upcoming_bookings<'e>(
    ex: impl Executor<'e, Database = Any>,
    provider_id: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM bookings b JOIN slots s ON s.id = b.slot_id \
         WHERE s.provider_id = $1 AND s.starts_at >= $2 AND b.state = 'booked'",
    )
    .bind(provider_id)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(n)
}

/// A provider's fields as an admin sets them.
pub struct ProviderFields<'a> {
    pub service_kind_id: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    pub address: &'a str,
    pub phone: Option<&'a str>,
}

/// A new, active provider.
pub async fn insert_provider<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    f: &ProviderFields<'_>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO providers (id, service_kind_id, name, city, address, phone, active, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
    )
    .bind(id)
    .bind(f.service_kind_id)
    .bind(f.name)
    .bind(f.city)
    .bind(f.address)
    .bind(f.phone)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Changes a provider's fields; `false` when there is no such provider.
pub async fn update_provider<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    f: &ProviderFields<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE providers SET service_kind_id = $2, name = $3, city = $4, address = $5, phone = $6, updated_at = $7 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(f.service_kind_id)
    .bind(f.name)
    .bind(f.city)
    .bind(f.address)
    .bind(f.phone)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deactivates or reactivates a provider, guarded on its current state: `false` when
/// there is no such provider or it already is so (a second click changes nothing).
pub async fn set_provider_active<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    active: bool,
    now: i64,
) -> sqlx::Result<bool> {
    let (to, from) = if active { (1i64, 0i64) } else { (0, 1) };
    let r = sqlx::query(
        "UPDATE providers SET active = $2, updated_at = $3 WHERE id = $1 AND active = $4",
    )
    .bind(id)
    .bind(to)
    .bind(now)
    .bind(from)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Every service kind (the admins' provider form).
pub async fn service_kinds<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> sqlx::Result<Vec<(String, String, String, String)>> {
    sqlx::query_as("SELECT id, code, name_zh, name_en FROM service_kinds ORDER BY code")
        .fetch_all(ex)
        .await
}

pub async fn kind_code<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT code FROM service_kinds WHERE id = $1")
        .bind(kind_id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|(c,)| c))
}

pub async fn kind_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    code: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM service_kinds WHERE code = $1")
        .bind(code)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|(c,)| c))
}

/// A slot with its provider.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlotRow {
    pub id: String,
    pub provider_id: String,
    pub service_kind_id: String,
    pub provider_name: String,
    pub city: String,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub booked: i64,
    /// The provider's `active`: a deactivated provider's slots take no new bookings.
    pub provider_active: i64,
}

impl SlotRow {
    pub fn left(&self) -> i64 {
        (self.capacity - self.booked).max(0)
    }

    pub fn bookable(&self) -> bool {
        self.provider_active != 0
    }
}

const SLOT: &str =
    "SELECT s.id, s.provider_id, p.service_kind_id, p.name AS provider_name, p.city, p.address, \
                    s.starts_at, s.ends_at, s.capacity, s.booked, p.active AS provider_active \
                    FROM slots s JOIN providers p ON p.id = s.provider_id";

pub async fn slot<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<SlotRow>> {
    sqlx::query_as(&format!("{SLOT} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// A provider's slots starting in `[from, to)`, with or without places left; none at a
/// deactivated provider (customers are offered only what they may book).
pub async fn slots_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    provider_id: &str,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<SlotRow>> {
    sqlx::query_as(&format!(
        "{SLOT} WHERE s.provider_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 AND p.active <> 0 \
         ORDER BY s.starts_at"
    ))
    .bind(provider_id)
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}

/// The next slots with a place left at this provider, starting at `from` or later (none
/// at a deactivated provider).
pub async fn next_free<'e>(
    ex: impl Executor<'e, Database = Any>,
    provider_id: &str,
    from: i64,
    limit: i64,
) -> sqlx::Result<Vec<SlotRow>> {
    sqlx::query_as(&format!(
        "{SLOT} WHERE s.provider_id = $1 AND s.starts_at >= $2 AND s.booked < s.capacity AND p.active <> 0 \
         ORDER BY s.starts_at LIMIT $3"
    ))
    .bind(provider_id)
    .bind(from)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Takes one place in a slot if one is left and its provider is active: one guarded
/// UPDATE, so the last place goes to exactly one caller, and none slips in after a
/// deactivation.
pub async fn take_place<'e>(
    ex: impl Executor<'e, Database = Any>,
    slot_id: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity \
         AND provider_id IN (SELECT id FROM providers WHERE active <> 0)",
    )
    .bind(slot_id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn give_back_place<'e>(
    ex: impl Executor<'e, Database = Any>,
    slot_id: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE slots SET booked = booked - 1 WHERE id = $1 AND booked > 0")
        .bind(slot_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Adds slots to a provider's calendar; ones that already exist (same start) are left
/// as they are. Returns how many were added.
pub async fn add_slots(
    conn: &mut sqlx::AnyConnection,
    provider_id: &str,
    starts: &[i64],
    length_secs: i64,
    capacity: i64,
) -> sqlx::Result<u64> {
    let mut added = 0;
    for s in starts {
        added += sqlx::query(
            "INSERT INTO slots (id, provider_id, starts_at, ends_at, capacity, booked) VALUES ($1, $2, $3, $4, $5, 0) \
             ON CONFLICT (provider_id, starts_at) DO NOTHING",
        )
        .bind(crate::backend::ids::new_id())
        .bind(provider_id)
        .bind(*s)
        .bind(*s + length_secs)
        .bind(capacity)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(added)
}

/// An appointment with its slot, provider and service.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRow {
    pub id: String,
    pub customer_id: String,
    pub policy_id: String,
    pub service_kind_id: String,
    pub kind_code: String,
    pub kind_zh: String,
    pub kind_en: String,
    pub slot_id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub city: String,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    #[sqlx(try_from = "String")]
    pub state: BookingState,
    pub usage_year: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const BOOKING: &str = "SELECT b.id, b.customer_id, b.policy_id, b.service_kind_id, k.code AS kind_code, \
                       k.name_zh AS kind_zh, k.name_en AS kind_en, b.slot_id, s.provider_id, p.name AS provider_name, \
                       p.city, p.address, s.starts_at, s.ends_at, b.state, b.usage_year, b.created_at, b.updated_at \
                       FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN providers p ON p.id = s.provider_id \
                       JOIN service_kinds k ON k.id = b.service_kind_id";

pub struct NewBooking<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub policy_id: &'a str,
    pub kind_id: &'a str,
    pub slot_id: &'a str,
    pub usage_year: &'a str,
    pub now: i64,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    b: NewBooking<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO bookings (id, customer_id, policy_id, service_kind_id, slot_id, state, usage_year, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'booked', $6, $7, $7)",
    )
    .bind(b.id)
    .bind(b.customer_id)
    .bind(b.policy_id)
    .bind(b.kind_id)
    .bind(b.slot_id)
    .bind(b.usage_year)
    .bind(b.now)
    .execute(ex)
    .await?;
    Ok(())
}

/// One appointment, only if it is this customer's.
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<BookingRow>> {
    sqlx::query_as(&format!("{BOOKING} WHERE b.customer_id = $1 AND b.id = $2"))
        .bind(customer_id)
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// One appointment, whoever's (staff).
pub async fn get_any<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<BookingRow>> {
    sqlx::query_as(&format!("{BOOKING} WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The customer's appointments, soonest first.
pub async fn for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<BookingRow>> {
    sqlx::query_as(&format!(
        "{BOOKING} WHERE b.customer_id = $1 ORDER BY s.starts_at DESC"
    ))
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// Booked appointments starting in `[from, to)`, for staff to close.
pub async fn booked_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<BookingRow>> {
    sqlx::query_as(&format!(
        "{BOOKING} WHERE b.state = 'booked' AND s.starts_at >= $1 AND s.starts_at < $2 ORDER BY s.starts_at"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}

/// Moves a booked appointment to another slot (and year): only if it is still booked and
/// still in `from_slot`.
#[allow(clippy::too_many_arguments)]
pub async fn move_to<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
    from_slot: &str,
    to_slot: &str,
    usage_year: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE bookings SET slot_id = $4, usage_year = $5, updated_at = $6, reminded_at = NULL \
         WHERE customer_id = $1 AND id = $2 AND slot_id = $3 AND state = 'booked'",
    )
    .bind(customer_id)
    .bind(id)
    .bind(from_slot)
    .bind(to_slot)
    .bind(usage_year)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// `booked → to`, guarded: only one caller moves it.
pub async fn close<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    to: BookingState,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE bookings SET state = $2, updated_at = $3 WHERE id = $1 AND state = 'booked'",
    )
    .bind(id)
    .bind(to.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Booked appointments starting in `[from, to)` that have had no reminder yet.
pub async fn due_reminders<'e>(
    ex: impl Executor<'e, Database = Any>,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<BookingRow>> {
    sqlx::query_as(&format!(
        "{BOOKING} WHERE b.state = 'booked' AND b.reminded_at IS NULL \
         AND s.starts_at >= $1 AND s.starts_at < $2 ORDER BY s.starts_at"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}

/// Claims the reminder of an appointment still booked in `slot_id`: one caller wins.
pub async fn mark_reminded<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    slot_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE bookings SET reminded_at = $3 \
         WHERE id = $1 AND slot_id = $2 AND state = 'booked' AND reminded_at IS NULL",
    )
    .bind(id)
    .bind(slot_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The live booking of this customer's policy in this slot, if there is one.
pub async fn booked_in_slot<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
    slot_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM bookings WHERE customer_id = $1 AND policy_id = $2 AND slot_id = $3 AND state = 'booked'",
    )
    .bind(customer_id)
    .bind(policy_id)
    .bind(slot_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(id,)| id))
}
