//! What the staff console reads and writes about people: finding customers, "view as
//! customer" (impersonations) and the audit log that records every request made in one.
//! The audit log is append-only: nothing here updates or deletes it, and the database
//! refuses it too (migration 0007).

use sqlx::{Any, Executor};

/// A customer found by a search: shown masked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FoundCustomer {
    pub id: String,
    pub name: String,
    pub phone: String,
    /// The policy or claim number the search matched, if it matched one.
    pub matched_no: Option<String>,
    pub policies: i64,
}

/// `LIKE` pattern for text containing `s` (its `%`, `_` and `\` taken literally).
fn contains(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Customers whose name contains `q`, whose phone is `q` or ends with it (four digits or
/// more), or who hold the policy or claim numbered `q`. At most `limit`, by name.
pub async fn search<'e>(
    ex: impl Executor<'e, Database = Any>,
    q: &str,
    limit: i64,
) -> sqlx::Result<Vec<FoundCustomer>> {
    let digits = q.len() >= 4 && q.bytes().all(|b| b.is_ascii_digit());
    let phone_suffix = if digits {
        format!("%{q}")
    } else {
        // Matches no phone.
        "-".to_owned()
    };
    let upper = q.to_uppercase();
    sqlx::query_as(
        "SELECT c.id, c.name, c.phone, \
           COALESCE((SELECT p.policy_no FROM policies p WHERE p.customer_id = c.id AND p.policy_no = $3), \
                    (SELECT cl.claim_no FROM claims cl WHERE cl.customer_id = c.id AND cl.claim_no = $3)) AS matched_no, \
           (SELECT COUNT(*) FROM policies p WHERE p.customer_id = c.id) AS policies \
         FROM customers c \
         WHERE c.name LIKE $1 ESCAPE '\\' OR c.phone LIKE $2 \
            OR c.id IN (SELECT p.customer_id FROM policies p WHERE p.policy_no = $3) \
            OR c.id IN (SELECT cl.customer_id FROM claims cl WHERE cl.claim_no = $3) \
         ORDER BY c.name, c.id LIMIT $4",
    )
    .bind(contains(q))
    .bind(phone_suffix)
    .bind(upper)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The customer at the top of their 360° view.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerCard {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub id_number_masked: String,
    pub birth_date: String,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    /// 1: staff may view the account as the customer sees it; 0: open claims only.
    pub staff_view: i64,
}

pub async fn card<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Option<CustomerCard>> {
    sqlx::query_as(
        "SELECT id, name, phone, id_number_masked, birth_date, created_at, activated_at, staff_view \
         FROM customers WHERE id = $1",
    )
    .bind(customer_id)
    .fetch_optional(ex)
    .await
}

/// The customer's say over staff viewing their account.
pub async fn staff_view_allowed<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT staff_view FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(ex)
        .await?;
    Ok(row.is_some_and(|(v,)| v != 0))
}

pub async fn set_staff_view<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    allowed: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE customers SET staff_view = $1 WHERE id = $2")
        .bind(i64::from(allowed))
        .bind(customer_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub struct NewImpersonation<'a> {
    pub id: &'a str,
    pub staff_id: &'a str,
    pub customer_id: &'a str,
    pub reason: &'a str,
    pub ticket: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

/// Starts "view as customer" on one staff session: the impersonation row, and the session
/// pointing at it.
pub async fn start(
    conn: &mut sqlx::AnyConnection,
    session_hash: &str,
    i: &NewImpersonation<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO impersonations (id, staff_id, customer_id, reason, ticket, state, started_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)",
    )
    .bind(i.id)
    .bind(i.staff_id)
    .bind(i.customer_id)
    .bind(i.reason)
    .bind(i.ticket)
    .bind(i.now)
    .bind(i.expires_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE sessions SET impersonation_id = $1 WHERE token_hash = $2 AND kind = 'staff'",
    )
    .bind(i.id)
    .bind(session_hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends an impersonation: `ended` by the staff member (End, logout) or `expired` when its
/// time ran out; the session no longer points at it. Returns whether this call ended it
/// (a second End, or an End racing the expiry, changes nothing).
pub async fn finish(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    expired: bool,
    now: i64,
) -> sqlx::Result<bool> {
    let r = if expired {
        sqlx::query(
            "UPDATE impersonations SET state = 'expired', ended_at = expires_at \
             WHERE id = $1 AND state = 'active' AND expires_at <= $2",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE impersonations SET state = 'ended', ended_at = $2 WHERE id = $1 AND state = 'active'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
    };
    sqlx::query("UPDATE sessions SET impersonation_id = NULL WHERE impersonation_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// One time staff viewed a customer's account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Visit {
    pub id: String,
    pub staff_name: String,
    pub staff_role: String,
    pub customer_id: String,
    pub customer_name: String,
    pub reason: String,
    pub ticket: Option<String>,
    pub state: String,
    pub started_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    /// Requests made while it lasted.
    pub requests: i64,
}

impl Visit {
    /// How long it lasted (so far, for one still going).
    pub fn seconds(&self, now: i64) -> i64 {
        let end = self.ended_at.unwrap_or(now.min(self.expires_at));
        (end - self.started_at).max(0)
    }
}

const VISIT: &str = "SELECT i.id, s.display_name AS staff_name, s.role AS staff_role, i.customer_id, \
     c.name AS customer_name, i.reason, i.ticket, i.state, i.started_at, i.expires_at, i.ended_at, \
     (SELECT COUNT(*) FROM audit_log a WHERE a.impersonation_id = i.id) AS requests \
     FROM impersonations i JOIN staff s ON s.id = i.staff_id JOIN customers c ON c.id = i.customer_id";

/// Every time staff viewed this customer's account, newest first.
pub async fn visits_of_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<Visit>> {
    sqlx::query_as(&format!(
        "{VISIT} WHERE i.customer_id = $1 ORDER BY i.started_at DESC, i.id LIMIT $2"
    ))
    .bind(customer_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// One row of the audit log as supervisors read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor_kind: String,
    pub staff_name: Option<String>,
    pub staff_username: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
    pub reason: Option<String>,
}

/// What `/staff/audit` filters by. Empty fields filter nothing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub staff_username: Option<String>,
    pub customer_phone: Option<String>,
    pub action_prefix: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
}

pub async fn audit_search<'e>(
    ex: impl Executor<'e, Database = Any>,
    f: &AuditFilter,
    limit: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    sqlx::query_as(
        "SELECT a.id, a.at, a.actor_kind, s.display_name AS staff_name, s.username AS staff_username, \
           a.customer_id, c.name AS customer_name, c.phone AS customer_phone, a.action, a.target, a.detail, a.ip, \
           i.reason \
         FROM audit_log a \
         LEFT JOIN staff s ON a.actor_kind = 'staff' AND s.id = a.actor_id \
         LEFT JOIN customers c ON c.id = a.customer_id \
         LEFT JOIN impersonations i ON i.id = a.impersonation_id \
         WHERE ($1 = '' OR s.username = $1) AND ($2 = '' OR c.phone = $2) \
           AND ($3 = '' OR a.action LIKE $3) AND a.at >= $4 AND a.at < $5 \
         ORDER BY a.at DESC, a.id LIMIT $6",
    )
    .bind(f.staff_username.clone().unwrap_or_default())
    .bind(f.customer_phone.clone().unwrap_or_default())
    .bind(
        f.action_prefix
            .as_deref()
            .map(|p| format!("{}%", p.replace(['%', '_'], "")))
            .unwrap_or_default(),
    )
    .bind(f.from.unwrap_or(0))
    .bind(f.until.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// A payment as the 360° view lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentLine {
    pub id: String,
    pub policy_no: String,
    pub amount_fen: i64,
    pub method: String,
    pub state: String,
    pub created_at: i64,
    pub settled_at: Option<i64>,
}

pub async fn payments_of_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<PaymentLine>> {
    sqlx::query_as(
        "SELECT pa.id, p.policy_no, pa.amount_fen, pa.method, pa.state, pa.created_at, pa.settled_at \
         FROM payments pa JOIN policies p ON p.id = pa.policy_id \
         WHERE pa.customer_id = $1 ORDER BY pa.created_at DESC, pa.id LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// A survey answer as the 360° view lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SurveyLine {
    pub subject_kind: String,
    pub score: i64,
    pub comment: String,
    pub answered_at: i64,
}

pub async fn survey_answers_of_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<SurveyLine>> {
    sqlx::query_as(
        "SELECT i.subject_kind, r.score, r.comment, r.answered_at \
         FROM survey_responses r JOIN survey_invitations i ON i.id = r.invitation_id \
         WHERE r.customer_id = $1 ORDER BY r.answered_at DESC, r.id LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Is this one of the customer's claims, and still open (not paid, declined or withdrawn)?
pub async fn is_open_claim<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    claim_id: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT COUNT(*) FROM claims WHERE id = $1 AND customer_id = $2 \
         AND stage NOT IN ('paid', 'declined', 'withdrawn')",
    )
    .bind(claim_id)
    .bind(customer_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.is_some_and(|(n,)| n > 0))
}

/// The first day of cover of any of the customer's policies (`YYYY-MM-DD`).
pub async fn first_cover<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT MIN(t.start_date) FROM policy_terms t JOIN policies p ON p.id = t.policy_id \
         WHERE p.customer_id = $1",
    )
    .bind(customer_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.and_then(|(d,)| d))
}
