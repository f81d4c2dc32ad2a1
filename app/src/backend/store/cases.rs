//! Complaint and question cases, their timelines and deadline extensions. A customer's
//! reads are scoped by the customer id; staff reads (`get_any`, `queue`) serve the case
//! handlers. Every change is one guarded UPDATE whose row count says who won: of two staff
//! taking a case at once one becomes its owner.

use crate::model::{CaseCategory as Category, CaseEventKind, CaseKind as Kind, CaseState as State};
use sqlx::{Any, AnyConnection, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: String,
    pub case_no: String,
    pub customer_id: String,
    pub customer_name: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub subject_id: Option<String>,
    pub about_staff_id: Option<String>,
    /// The member of staff complained about: their name, or the one the customer typed.
    pub about_staff_name: String,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub owner_staff_id: Option<String>,
    pub owner_name: Option<String>,
    pub owner_role: Option<String>,
    pub handover_to_staff_id: Option<String>,
    pub handover_to_name: Option<String>,
    pub received_at: i64,
    pub clock_start_at: i64,
    pub due_at: i64,
    pub extensions: i64,
    pub round: i64,
    pub final_answer: Option<String>,
    pub root_cause: Option<String>,
    pub resolved_at: Option<i64>,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT k.id, k.case_no, k.customer_id, cu.name AS customer_name, k.kind, k.category, \
     k.subject_id, k.about_staff_id, COALESCE(a.display_name, k.about_staff_name) AS about_staff_name, k.body, k.state, \
     k.owner_staff_id, o.display_name AS owner_name, o.role AS owner_role, k.handover_to_staff_id, \
     h.display_name AS handover_to_name, k.received_at, k.clock_start_at, k.due_at, k.extensions, k.round, \
     k.final_answer, k.root_cause, k.resolved_at, k.updated_at \
     FROM cases k JOIN customers cu ON cu.id = k.customer_id \
     LEFT JOIN staff a ON a.id = k.about_staff_id LEFT JOIN staff o ON o.id = k.owner_staff_id \
     LEFT JOIN staff h ON h.id = k.handover_to_staff_id";

/// Every case of a customer's, newest first.
pub async fn list_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<CaseRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE k.customer_id = $1 ORDER BY k.received_at DESC, k.id LIMIT $2"
    ))
    .bind(customer_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// One of the customer's cases, or `None` (someone else's is not found).
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<CaseRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE k.customer_id = $1 AND k.id = $2"))
        .bind(customer_id)
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Any case, for case handlers.
pub async fn get_any<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<CaseRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE k.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The handlers' queue: cases in `states`, of `category` if given, the soonest due first.
pub async fn queue<'e>(
    ex: impl Executor<'e, Database = Any>,
    states: &[State],
    category: Option<Category>,
    limit: i64,
) -> sqlx::Result<Vec<CaseRow>> {
    // The states are our own enum's names, never input.
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query_as(&format!(
        "{SELECT} WHERE k.state IN ({list}) AND ($1 = '' OR k.category = $1) \
         ORDER BY k.due_at, k.id LIMIT $2"
    ))
    .bind(category.map(Category::as_str).unwrap_or(""))
    .bind(limit)
    .fetch_all(ex)
    .await
}

pub struct NewCase<'a> {
    pub id: &'a str,
    pub case_no: &'a str,
    pub customer_id: &'a str,
    pub kind: Kind,
    pub category: Category,
    pub subject_id: Option<&'a str>,
    pub about_staff_id: Option<&'a str>,
    pub about_staff_name: &'a str,
    pub body: &'a str,
    pub due_at: i64,
    pub now: i64,
}

pub async fn insert_case(conn: &mut AnyConnection, c: NewCase<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO cases (id, case_no, customer_id, kind, category, subject_id, about_staff_id, about_staff_name, \
         body, state, received_at, clock_start_at, due_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, $10, $11, $10)",
    )
    .bind(c.id)
    .bind(c.case_no)
    .bind(c.customer_id)
    .bind(c.kind.as_str())
    .bind(c.category.as_str())
    .bind(c.subject_id)
    .bind(c.about_staff_id)
    .bind(c.about_staff_name)
    .bind(c.body)
    .bind(c.now)
    .bind(c.due_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The next case number of `year` (`domain::cases::case_no` formats it).
pub async fn next_case_no(conn: &mut AnyConnection, year: i32) -> sqlx::Result<i64> {
    super::count_up(conn, "case_numbers", year, 1).await
}

/// Takes an ownerless case for `staff_id`: true when this caller won. The person
/// complained about never wins.
pub async fn take(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE cases SET owner_staff_id = $1, updated_at = $2 WHERE id = $3 AND owner_staff_id IS NULL \
         AND (about_staff_id IS NULL OR about_staff_id <> $1) AND state NOT IN ('closed', 'withdrawn')",
    )
    .bind(staff_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// What a state change sets besides the state.
#[derive(Default)]
pub struct MoveSet<'a> {
    /// Resolving: the answer and the root cause.
    pub answer: Option<(&'a str, &'a str)>,
    /// Reopening: the new clock (start, due) of the next round.
    pub new_round: Option<(i64, i64)>,
}

/// Moves a case `from` → `to` if it is still in `from` (and, for a staff move, still
/// owned by `owner`): true when this caller won.
pub async fn move_state(
    conn: &mut AnyConnection,
    id: &str,
    from: State,
    to: State,
    owner: Option<&str>,
    set: MoveSet<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let (answer, cause) = set.answer.unzip();
    let (start, due) = set.new_round.unzip();
    let r = sqlx::query(
        "UPDATE cases SET state = $1, updated_at = $2, \
         final_answer = COALESCE($3, final_answer), root_cause = COALESCE($4, root_cause), \
         resolved_at = CASE WHEN $1 = 'resolved' THEN $2 ELSE resolved_at END, \
         closed_at = CASE WHEN $1 IN ('closed', 'withdrawn') THEN $2 ELSE closed_at END, \
         clock_start_at = COALESCE($5, clock_start_at), due_at = COALESCE($6, due_at), \
         extensions = CASE WHEN $5 IS NULL THEN extensions ELSE 0 END, \
         round = CASE WHEN $5 IS NULL THEN round ELSE round + 1 END \
         WHERE id = $7 AND state = $8 AND ($9 = '' OR owner_staff_id = $9)",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(answer)
    .bind(cause)
    .bind(start)
    .bind(due)
    .bind(id)
    .bind(from.as_str())
    .bind(owner.unwrap_or(""))
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves the deadline of an open case extended `from` times to `due`: true when won.
pub async fn extend(
    conn: &mut AnyConnection,
    id: &str,
    from: i64,
    due: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE cases SET extensions = $1 + 1, due_at = $2, updated_at = $3 WHERE id = $4 AND extensions = $1 \
         AND state IN ('received', 'acknowledged', 'in_progress', 'reopened')",
    )
    .bind(from)
    .bind(due)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub struct NewExtension<'a> {
    pub case_id: &'a str,
    pub round: i64,
    pub step: u8,
    pub reason: &'a str,
    pub staff_id: &'a str,
    pub approved_by: Option<&'a str>,
    pub old_due_at: i64,
    pub new_due_at: i64,
    pub at: i64,
}

/// Records an extension; one of each step per round (a unique index).
pub async fn insert_extension(conn: &mut AnyConnection, e: NewExtension<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO case_extensions (id, case_id, round, step, reason, staff_id, approved_by, old_due_at, new_due_at, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(crate::backend::ids::new_id())
    .bind(e.case_id)
    .bind(e.round)
    .bind(i64::from(e.step))
    .bind(e.reason)
    .bind(e.staff_id)
    .bind(e.approved_by)
    .bind(e.old_due_at)
    .bind(e.new_due_at)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExtensionRow {
    pub step: i64,
    pub reason: String,
    pub approver_name: Option<String>,
    pub new_due_at: i64,
    pub at: i64,
}

/// The extensions of a case's current round, in order.
pub async fn extensions<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
    round: i64,
) -> sqlx::Result<Vec<ExtensionRow>> {
    sqlx::query_as(
        "SELECT e.step, e.reason, s.display_name AS approver_name, e.new_due_at, e.at FROM case_extensions e \
         LEFT JOIN staff s ON s.id = e.approved_by WHERE e.case_id = $1 AND e.round = $2 ORDER BY e.step",
    )
    .bind(case_id)
    .bind(round)
    .fetch_all(ex)
    .await
}

/// Offers the case to `to`: only its owner, only to someone who may own it.
pub async fn offer_handover(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    to: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE cases SET handover_to_staff_id = $1, updated_at = $2 WHERE id = $3 AND owner_staff_id = $4 \
         AND $1 <> $4 AND (about_staff_id IS NULL OR about_staff_id <> $1) AND state NOT IN ('closed', 'withdrawn')",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// `staff_id` accepts the case offered to them and owns it from now on: true when won.
pub async fn accept_handover(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE cases SET owner_staff_id = $1, handover_to_staff_id = NULL, updated_at = $2 \
         WHERE id = $3 AND handover_to_staff_id = $1 AND (about_staff_id IS NULL OR about_staff_id <> $1)",
    )
    .bind(staff_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub struct NewEvent<'a> {
    pub case_id: &'a str,
    pub customer_id: &'a str,
    pub kind: CaseEventKind,
    pub to_state: Option<State>,
    /// `None`: the customer.
    pub staff_id: Option<&'a str>,
    pub body: &'a str,
    /// A one-time step's name (unique per case), `None` for a reply.
    pub once_key: Option<&'a str>,
    pub at: i64,
}

impl<'a> NewEvent<'a> {
    /// An entry of `kind` on a case at `at`: by the customer, with no text and no one-time
    /// key unless the struct update that uses it says otherwise.
    pub fn on(case_id: &'a str, customer_id: &'a str, kind: CaseEventKind, at: i64) -> Self {
        Self {
            case_id,
            customer_id,
            kind,
            to_state: None,
            staff_id: None,
            body: "",
            once_key: None,
            at,
        }
    }
}

/// Appends a timeline entry. A one-time step recorded already fails on the unique index
/// (`store::is_unique_violation`).
pub async fn insert_event(conn: &mut AnyConnection, e: NewEvent<'_>) -> sqlx::Result<String> {
    let id = crate::backend::ids::new_id();
    sqlx::query(
        "INSERT INTO case_events (id, case_id, customer_id, kind, to_state, actor_kind, actor_staff_id, body, once_key, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(e.case_id)
    .bind(e.customer_id)
    .bind(e.kind.as_str())
    .bind(e.to_state.map(State::as_str))
    .bind(if e.staff_id.is_some() { "staff" } else { "customer" })
    .bind(e.staff_id)
    .bind(e.body)
    .bind(e.once_key)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub kind: CaseEventKind,
    pub to_state: Option<String>,
    pub actor_kind: String,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub body: String,
    pub at: i64,
}

impl EventRow {
    pub fn to_state(&self) -> Option<State> {
        self.to_state.as_deref().and_then(State::parse)
    }
}

/// A case's timeline, in the order it happened.
pub async fn events<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.to_state, e.actor_kind, s.display_name AS actor_name, s.role AS actor_role, e.body, e.at \
         FROM case_events e LEFT JOIN staff s ON s.id = e.actor_staff_id WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await
}

/// Something of the customer's a case can be about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubjectRow {
    pub category: String,
    pub id: String,
    /// The policy, claim or payment's policy number; the service's name for a booking.
    pub label: String,
    pub name_zh: String,
    pub name_en: String,
    pub at: i64,
}

/// The customer's policies, claims, payments and bookings, newest first in each.
pub async fn subjects<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<SubjectRow>> {
    sqlx::query_as(
        "SELECT 'policy' AS category, p.id, p.policy_no AS label, pr.name_zh, pr.name_en, p.created_at AS at \
         FROM policies p JOIN products pr ON pr.id = p.product_id WHERE p.customer_id = $1 \
         UNION ALL SELECT 'claim', c.id, c.claim_no, pr.name_zh, pr.name_en, c.reported_at FROM claims c \
         JOIN policies p ON p.id = c.policy_id JOIN products pr ON pr.id = p.product_id WHERE c.customer_id = $1 \
         UNION ALL SELECT 'payment', y.id, p.policy_no, pr.name_zh, pr.name_en, y.created_at FROM payments y \
         JOIN policies p ON p.id = y.policy_id JOIN products pr ON pr.id = p.product_id WHERE y.customer_id = $1 \
         UNION ALL SELECT 'service', b.id, k.code, k.name_zh, k.name_en, b.created_at FROM bookings b \
         JOIN service_kinds k ON k.id = b.service_kind_id WHERE b.customer_id = $1 \
         ORDER BY 1, 6 DESC",
    )
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// Staff who dealt with the customer: handled their claims, acted on them, or viewed
/// their account. Who a complaint about a member of staff may name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffPick {
    pub id: String,
    pub display_name: String,
    pub role: String,
}

pub async fn staff_who_served<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<StaffPick>> {
    sqlx::query_as(
        "SELECT s.id, s.display_name, s.role FROM staff s WHERE s.id IN ( \
         SELECT handler_staff_id FROM claims WHERE customer_id = $1 AND handler_staff_id IS NOT NULL \
         UNION SELECT actor_staff_id FROM claim_events WHERE customer_id = $1 AND actor_staff_id IS NOT NULL \
         UNION SELECT staff_id FROM impersonations WHERE customer_id = $1) ORDER BY s.role, s.display_name, s.id",
    )
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// Staff who may own cases, for a handover: everyone not disabled (every role handles cases).
pub async fn handlers<'e>(ex: impl Executor<'e, Database = Any>) -> sqlx::Result<Vec<StaffPick>> {
    sqlx::query_as(
        "SELECT id, display_name, role FROM staff WHERE disabled = 0 ORDER BY role, display_name, id",
    )
    .fetch_all(ex)
    .await
}

/// A file that came with a case's message: sent by the customer, or a claim file the
/// portal holds, linked by staff (then `claim_no` and `document` say which).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseFileRow {
    pub id: String,
    pub event_id: String,
    /// `domain::uploads::FileKind::as_str`.
    pub kind: String,
    pub name: String,
    pub size_bytes: i64,
    /// Where the bytes are: the case's own file, or the linked claim file's.
    pub storage_key: String,
    pub claim_no: Option<String>,
    /// The claim document's kind (`claim.doc.{}`), for a linked file.
    pub document: Option<String>,
}

const FILE_SELECT: &str = "SELECT f.id, f.event_id, f.kind, \
     COALESCE(NULLIF(f.name, ''), cf.name, '') AS name, f.size_bytes, \
     COALESCE(f.storage_key, cf.storage_key) AS storage_key, c.claim_no, d.kind AS document \
     FROM case_files f LEFT JOIN claim_files cf ON cf.id = f.claim_file_id \
     LEFT JOIN claims c ON c.id = cf.claim_id LEFT JOIN claim_documents d ON d.id = cf.document_id";

/// A case's files, in the order they came.
pub async fn files<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> sqlx::Result<Vec<CaseFileRow>> {
    sqlx::query_as(&format!(
        "{FILE_SELECT} WHERE f.case_id = $1 ORDER BY f.added_at, f.id"
    ))
    .bind(case_id)
    .fetch_all(ex)
    .await
}

/// One of a case's files (the caller has already made sure the case is theirs to read).
pub async fn file<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
    file_id: &str,
) -> sqlx::Result<Option<CaseFileRow>> {
    sqlx::query_as(&format!("{FILE_SELECT} WHERE f.case_id = $1 AND f.id = $2"))
        .bind(case_id)
        .bind(file_id)
        .fetch_optional(ex)
        .await
}

pub struct NewCaseFile<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub customer_id: &'a str,
    pub event_id: &'a str,
    /// The file the customer sent, or
    pub storage_key: Option<&'a str>,
    /// the claim file linked (of the same customer: the caller checks).
    pub claim_file_id: Option<&'a str>,
    pub kind: &'a str,
    pub size_bytes: i64,
    pub name: &'a str,
    pub now: i64,
}

/// Records a case file. Linking a claim file a second time fails on the unique index.
pub async fn insert_file(conn: &mut AnyConnection, f: NewCaseFile<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO case_files (id, case_id, customer_id, event_id, storage_key, claim_file_id, kind, size_bytes, name, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(f.id)
    .bind(f.case_id)
    .bind(f.customer_id)
    .bind(f.event_id)
    .bind(f.storage_key)
    .bind(f.claim_file_id)
    .bind(f.kind)
    .bind(f.size_bytes)
    .bind(f.name)
    .bind(f.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A claim file the portal already holds for the customer: what staff may link to a case
/// instead of asking for it again.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileOnRecord {
    pub id: String,
    pub claim_no: String,
    /// `claim.doc.{}`.
    pub document: String,
    pub kind: String,
    pub name: String,
    pub size_bytes: i64,
    pub uploaded_at: i64,
}

/// The customer's claim files, newest first (at most `limit`).
pub async fn files_on_record<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<FileOnRecord>> {
    sqlx::query_as(
        "SELECT cf.id, c.claim_no, d.kind AS document, cf.kind, cf.name, cf.size_bytes, cf.uploaded_at \
         FROM claim_files cf JOIN claims c ON c.id = cf.claim_id JOIN claim_documents d ON d.id = cf.document_id \
         WHERE cf.customer_id = $1 ORDER BY cf.uploaded_at DESC, cf.id LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Open cases of `states` whose clock has run at least `tenths`/10 of its time at `now`
/// and that have no `warned` entry with `once_key` `warned:{round}:{level}` yet: what the
/// deadline-warning job still has to warn of (at most `limit`).
pub async fn due_for_warning<'e>(
    ex: impl Executor<'e, Database = Any>,
    level: &str,
    tenths: i64,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<CaseRow>> {
    // (now - start) * 10 >= (due - start) * tenths, kept in integers for both engines.
    sqlx::query_as(&format!(
        "{SELECT} WHERE k.state IN ('received', 'acknowledged', 'in_progress', 'reopened') \
         AND ($1 - k.clock_start_at) * 10 >= (k.due_at - k.clock_start_at) * $2 \
         AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = k.id \
             AND e.once_key = 'warned:' || CAST(k.round AS TEXT) || ':' || $3) \
         ORDER BY k.due_at, k.id LIMIT $4"
    ))
    .bind(now)
    .bind(tenths)
    .bind(level)
    .bind(limit)
    .fetch_all(ex)
    .await
}
