//! Claims, their events, documents and files. Reads that a customer makes are scoped by
//! the customer id; staff reads (`*_any`) are for the claims queue. Stage changes are one
//! guarded UPDATE each (`WHERE stage = from`): of two concurrent movers one wins.

use crate::backend::domain::claims::StageEntry;
use crate::model::{ClaimEventKind, ClaimStage, DocumentState};
use sqlx::{Any, AnyConnection, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimLine {
    pub id: String,
    pub claim_no: String,
    #[sqlx(try_from = "String")]
    pub stage: ClaimStage,
    pub incident_date: String,
    pub reported_at: i64,
    pub amount_paid_fen: Option<i64>,
}

const LINE: &str =
    "SELECT id, claim_no, stage, incident_date, reported_at, amount_paid_fen FROM claims";

/// A policy's claims, scoped by customer.
pub async fn for_policy<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    policy_id: &str,
) -> sqlx::Result<Vec<ClaimLine>> {
    sqlx::query_as(&format!(
        "{LINE} WHERE customer_id = $1 AND policy_id = $2 ORDER BY reported_at DESC"
    ))
    .bind(customer_id)
    .bind(policy_id)
    .fetch_all(ex)
    .await
}

/// A customer's newest 100 claims, on all their policies (the staff 360° view).
pub async fn lines_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<ClaimLine>> {
    sqlx::query_as(&format!(
        "{LINE} WHERE customer_id = $1 ORDER BY reported_at DESC, id LIMIT 100"
    ))
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// Claims on a policy reported since `since` (renewal pricing looks at the last year).
pub async fn count_since<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_id: &str,
    since: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM claims WHERE policy_id = $1 AND reported_at >= $2 AND stage NOT IN ('withdrawn', 'declined')",
    )
    .bind(policy_id)
    .bind(since)
    .fetch_one(ex)
    .await?;
    Ok(n)
}

/// One claim with what its page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub policy_id: String,
    pub policy_no: String,
    pub product_zh: String,
    pub product_en: String,
    pub line: String,
    pub claim_no: String,
    #[sqlx(try_from = "String")]
    pub stage: ClaimStage,
    pub incident_date: String,
    pub incident_place: String,
    pub description: String,
    pub channel: String,
    pub handler_staff_id: Option<String>,
    pub handler_name: Option<String>,
    pub handler_phone: Option<String>,
    pub amount_claimed_fen: Option<i64>,
    pub amount_assessed_fen: Option<i64>,
    pub amount_approved_fen: Option<i64>,
    pub amount_paid_fen: Option<i64>,
    pub paid_at: Option<i64>,
    pub decline_reason: Option<String>,
    pub payout_masked: Option<String>,
    pub reported_at: i64,
    pub updated_at: i64,
    /// When the current stage began.
    pub stage_since: i64,
    /// Documents the customer still has to send (missing or rejected).
    pub wanted: i64,
}

const CLAIM_SELECT: &str = "SELECT c.id, c.customer_id, cu.name AS customer_name, c.policy_id, p.policy_no, \
     pr.name_zh AS product_zh, pr.name_en AS product_en, pr.line, c.claim_no, c.stage, c.incident_date, \
     c.incident_place, c.description, c.channel, c.handler_staff_id, s.display_name AS handler_name, \
     s.contact_phone AS handler_phone, c.amount_claimed_fen, c.amount_assessed_fen, c.amount_approved_fen, \
     c.amount_paid_fen, c.paid_at, c.decline_reason, c.payout_masked, c.reported_at, c.updated_at, \
     COALESCE((SELECT MAX(e.at) FROM claim_events e WHERE e.claim_id = c.id AND e.kind = 'stage'), c.reported_at) AS stage_since, \
     (SELECT COUNT(*) FROM claim_documents d WHERE d.claim_id = c.id AND d.required = 1 AND d.state IN ('missing', 'rejected')) AS wanted \
     FROM claims c JOIN customers cu ON cu.id = c.customer_id JOIN policies p ON p.id = c.policy_id \
     JOIN products pr ON pr.id = p.product_id LEFT JOIN staff s ON s.id = c.handler_staff_id";

/// Every claim of a customer's, however it was filed, newest first.
pub async fn list_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Vec<ClaimRow>> {
    sqlx::query_as(&format!(
        "{CLAIM_SELECT} WHERE c.customer_id = $1 ORDER BY c.reported_at DESC"
    ))
    .bind(customer_id)
    .fetch_all(ex)
    .await
}

/// One of the customer's claims, or `None` (someone else's claim is not found).
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    claim_id: &str,
) -> sqlx::Result<Option<ClaimRow>> {
    sqlx::query_as(&format!(
        "{CLAIM_SELECT} WHERE c.customer_id = $1 AND c.id = $2"
    ))
    .bind(customer_id)
    .bind(claim_id)
    .fetch_optional(ex)
    .await
}

/// Any claim, for claims staff.
pub async fn get_any<'e>(
    ex: impl Executor<'e, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Option<ClaimRow>> {
    sqlx::query_as(&format!("{CLAIM_SELECT} WHERE c.id = $1"))
        .bind(claim_id)
        .fetch_optional(ex)
        .await
}

/// What the claims queue filters on; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub stage: Option<ClaimStage>,
    pub line: Option<crate::model::Line>,
    pub waiting_on_customer: bool,
    /// Closed claims too.
    pub include_closed: bool,
}

/// The claims queue: open claims first by how long they have waited.
pub async fn queue<'e>(
    ex: impl Executor<'e, Database = Any>,
    f: &QueueFilter,
    limit: i64,
) -> sqlx::Result<Vec<ClaimRow>> {
    let mut sql = format!("SELECT * FROM ({CLAIM_SELECT}) q WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if f.stage.is_some() {
        sql.push_str(&format!(" AND q.stage = ${}", next()));
    } else if !f.include_closed {
        sql.push_str(" AND q.stage NOT IN ('paid', 'declined', 'withdrawn')");
    }
    if f.line.is_some() {
        sql.push_str(&format!(" AND q.line = ${}", next()));
    }
    if f.waiting_on_customer {
        sql.push_str(" AND q.wanted > 0");
    }
    sql.push_str(&format!(" ORDER BY q.stage_since LIMIT ${}", next()));
    let mut q = sqlx::query_as(&sql);
    if let Some(s) = f.stage {
        q = q.bind(s.as_str());
    }
    if let Some(l) = f.line {
        q = q.bind(l.as_str());
    }
    q.bind(limit).fetch_all(ex).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub kind: ClaimEventKind,
    pub from_stage: Option<String>,
    #[sqlx(try_from = "String")]
    pub to_stage: ClaimStage,
    pub actor_kind: String,
    pub actor_name: Option<String>,
    pub actor_phone: Option<String>,
    pub note: String,
    pub document_id: Option<String>,
    pub amount_fen: Option<i64>,
    pub at: i64,
}

/// A claim's events in the order they happened (ties: along the stage path).
pub async fn events<'e>(
    ex: impl Executor<'e, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<EventRow>> {
    let mut rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.id, e.kind, e.from_stage, e.to_stage, e.actor_kind, s.display_name AS actor_name, \
         s.contact_phone AS actor_phone, e.note, e.document_id, e.amount_fen, e.at \
         FROM claim_events e LEFT JOIN staff s ON s.id = e.actor_staff_id WHERE e.claim_id = $1",
    )
    .bind(claim_id)
    .fetch_all(ex)
    .await?;
    let order = |s: ClaimStage| ClaimStage::ALL.iter().position(|x| *x == s).unwrap_or(0);
    rows.sort_by_key(|e| (e.at, e.kind != ClaimEventKind::Stage, order(e.to_stage)));
    Ok(rows)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: String,
    pub kind: String,
    #[sqlx(try_from = "String")]
    pub state: DocumentState,
    pub required: i64,
    pub reject_reason: Option<String>,
    pub requested_by: Option<String>,
    pub requested_at: i64,
    pub updated_at: i64,
}

pub async fn documents<'e>(
    ex: impl Executor<'e, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as(
        "SELECT id, kind, state, required, reject_reason, requested_by, requested_at, updated_at \
         FROM claim_documents WHERE claim_id = $1 ORDER BY required DESC, requested_at, kind",
    )
    .bind(claim_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: String,
    pub claim_id: String,
    pub document_id: String,
    pub storage_key: String,
    pub kind: String,
    pub size_bytes: i64,
    pub name: String,
    pub uploaded_at: i64,
}

const FILE_SELECT: &str =
    "SELECT id, claim_id, document_id, storage_key, kind, size_bytes, name, uploaded_at FROM claim_files";

pub async fn files<'e>(
    ex: impl Executor<'e, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(&format!(
        "{FILE_SELECT} WHERE claim_id = $1 ORDER BY uploaded_at, id"
    ))
    .bind(claim_id)
    .fetch_all(ex)
    .await
}

/// One file of one claim (the caller has checked the claim is theirs to see).
pub async fn file<'e>(
    ex: impl Executor<'e, Database = Any>,
    claim_id: &str,
    file_id: &str,
) -> sqlx::Result<Option<FileRow>> {
    sqlx::query_as(&format!("{FILE_SELECT} WHERE claim_id = $1 AND id = $2"))
        .bind(claim_id)
        .bind(file_id)
        .fetch_optional(ex)
        .await
}

/// Stage entries of a line's claims reported since `since`, ordered by claim then time:
/// the history the expected dates are medians of.
pub async fn history<'e>(
    ex: impl Executor<'e, Database = Any>,
    line: &str,
    since: i64,
) -> sqlx::Result<Vec<StageEntry>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT e.claim_id, e.to_stage, e.at FROM claim_events e \
         JOIN claims c ON c.id = e.claim_id JOIN policies p ON p.id = c.policy_id \
         JOIN products pr ON pr.id = p.product_id \
         WHERE pr.line = $1 AND e.kind = 'stage' AND c.reported_at >= $2 ORDER BY e.claim_id, e.at",
    )
    .bind(line)
    .bind(since)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, s, at)| ClaimStage::parse(&s).map(|s| (c, s, at)))
        .collect())
}

/// The next claim number of `year`, counted with one guarded statement (concurrent
/// reports queue on the row).
pub async fn next_claim_no(conn: &mut AnyConnection, year: i32) -> sqlx::Result<i64> {
    super::count_up(conn, "claim_numbers", year, 1).await
}

/// Takes `count` claim numbers of `year` at once (bulk data); returns the first.
pub async fn reserve_claim_nos(
    conn: &mut AnyConnection,
    year: i32,
    count: i64,
) -> sqlx::Result<i64> {
    super::count_up(conn, "claim_numbers", year, count).await
}

/// The claims handler with the fewest open claims (new claims are shared out).
pub async fn least_busy_handler<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT s.id FROM staff s WHERE s.role = 'claims' AND s.disabled = 0 ORDER BY \
         (SELECT COUNT(*) FROM claims c WHERE c.handler_staff_id = s.id AND c.stage NOT IN ('paid', 'declined', 'withdrawn')), s.id \
         LIMIT 1",
    )
    .fetch_optional(ex)
    .await
}

pub struct NewClaim<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub policy_id: &'a str,
    pub claim_no: &'a str,
    pub incident_date: &'a str,
    pub incident_place: &'a str,
    pub description: &'a str,
    pub channel: &'a str,
    pub handler_staff_id: Option<&'a str>,
    pub amount_claimed_fen: Option<i64>,
    pub payout: Payout<'a>,
    pub now: i64,
}

/// Where the payout goes. The full bank account number is stored for the payout only;
/// pages read `payout_masked`.
pub enum Payout<'a> {
    Method {
        id: &'a str,
        masked: &'a str,
    },
    Bank {
        bank: &'a str,
        account_no: &'a str,
        masked: &'a str,
    },
}

pub async fn insert_claim(conn: &mut AnyConnection, c: NewClaim<'_>) -> sqlx::Result<()> {
    let (kind, method, bank, account, masked) = match c.payout {
        Payout::Method { id, masked } => ("method", Some(id), None, None, masked),
        Payout::Bank {
            bank,
            account_no,
            masked,
        } => ("bank", None, Some(bank), Some(account_no), masked),
    };
    sqlx::query(
        "INSERT INTO claims (id, customer_id, policy_id, claim_no, stage, incident_date, incident_place, \
         description, channel, handler_staff_id, amount_claimed_fen, payout_kind, payout_method_id, payout_bank, \
         payout_account_no, payout_masked, reported_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'reported', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
    )
    .bind(c.id)
    .bind(c.customer_id)
    .bind(c.policy_id)
    .bind(c.claim_no)
    .bind(c.incident_date)
    .bind(c.incident_place)
    .bind(c.description)
    .bind(c.channel)
    .bind(c.handler_staff_id)
    .bind(c.amount_claimed_fen)
    .bind(kind)
    .bind(method)
    .bind(bank)
    .bind(account)
    .bind(masked)
    .bind(c.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewEvent<'a> {
    pub claim_id: &'a str,
    pub customer_id: &'a str,
    pub kind: ClaimEventKind,
    pub from_stage: Option<ClaimStage>,
    pub to_stage: ClaimStage,
    /// `None`: the customer or the system (`actor_kind`).
    pub actor_staff_id: Option<&'a str>,
    pub actor_kind: &'a str,
    pub note: &'a str,
    pub document_id: Option<&'a str>,
    pub amount_fen: Option<i64>,
    pub at: i64,
}

/// Appends an event; returns its id.
pub async fn insert_event(conn: &mut AnyConnection, e: NewEvent<'_>) -> sqlx::Result<String> {
    let id = crate::backend::ids::new_id();
    sqlx::query(
        "INSERT INTO claim_events (id, claim_id, customer_id, kind, from_stage, to_stage, actor_kind, \
         actor_staff_id, note, document_id, amount_fen, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(e.claim_id)
    .bind(e.customer_id)
    .bind(e.kind.as_str())
    .bind(e.from_stage.map(|s| s.as_str()))
    .bind(e.to_stage.as_str())
    .bind(e.actor_kind)
    .bind(e.actor_staff_id)
    .bind(e.note)
    .bind(e.document_id)
    .bind(e.amount_fen)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Puts a document on the checklist, or asks for it again (unless a file for it awaits
/// review). Returns its id, or `None` when nothing changed.
#[allow(clippy::too_many_arguments)]
pub async fn request_document(
    conn: &mut AnyConnection,
    claim_id: &str,
    customer_id: &str,
    kind: &str,
    required: bool,
    state: DocumentState,
    requested_by: Option<&str>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "INSERT INTO claim_documents (id, claim_id, customer_id, kind, state, required, requested_by, requested_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         ON CONFLICT (claim_id, kind) DO UPDATE SET state = 'missing', required = 1, reject_reason = NULL, \
         requested_by = excluded.requested_by, updated_at = excluded.updated_at \
         WHERE claim_documents.state IN ('accepted', 'rejected') OR claim_documents.required = 0 \
         RETURNING id",
    )
    .bind(crate::backend::ids::new_id())
    .bind(claim_id)
    .bind(customer_id)
    .bind(kind)
    .bind(state.as_str())
    .bind(super::flag(required))
    .bind(requested_by)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// A file came for a document that is missing, rejected or already received (a second
/// page). False for an accepted document or one not on this claim.
pub async fn mark_received(
    conn: &mut AnyConnection,
    claim_id: &str,
    document_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE claim_documents SET state = 'received', reject_reason = NULL, updated_at = $3 \
         WHERE id = $1 AND claim_id = $2 AND state IN ('missing', 'rejected', 'received')",
    )
    .bind(document_id)
    .bind(claim_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A handler accepts or rejects a received document. False when it is not awaiting review.
pub async fn review_document(
    conn: &mut AnyConnection,
    claim_id: &str,
    document_id: &str,
    accept: bool,
    reason: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE claim_documents SET state = $3, reject_reason = $4, updated_at = $5 \
         WHERE id = $1 AND claim_id = $2 AND state = 'received'",
    )
    .bind(document_id)
    .bind(claim_id)
    .bind(if accept { "accepted" } else { "rejected" })
    .bind(reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub struct NewFile<'a> {
    pub id: &'a str,
    pub claim_id: &'a str,
    pub customer_id: &'a str,
    pub document_id: &'a str,
    pub storage_key: &'a str,
    pub kind: &'a str,
    pub size_bytes: i64,
    pub name: &'a str,
    pub now: i64,
}

pub async fn insert_file(conn: &mut AnyConnection, f: NewFile<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO claim_files (id, claim_id, customer_id, document_id, storage_key, kind, size_bytes, name, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(f.id)
    .bind(f.claim_id)
    .bind(f.customer_id)
    .bind(f.document_id)
    .bind(f.storage_key)
    .bind(f.kind)
    .bind(f.size_bytes)
    .bind(f.name)
    .bind(f.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a claim from `from` to `to` in one guarded statement; false when it was no
/// longer in `from` (someone else moved it first). Paying copies the approved amount to
/// the paid one, once; declining records why; the mover becomes the handler.
pub async fn move_stage(
    conn: &mut AnyConnection,
    claim_id: &str,
    from: ClaimStage,
    to: ClaimStage,
    handler: Option<&str>,
    reason: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let sql = match to {
        ClaimStage::Paid => {
            "UPDATE claims SET stage = $3, updated_at = $4, amount_paid_fen = amount_approved_fen, paid_at = $4, \
             handler_staff_id = COALESCE($5, handler_staff_id) \
             WHERE id = $1 AND stage = $2 AND amount_approved_fen IS NOT NULL AND amount_paid_fen IS NULL"
        }
        ClaimStage::Declined => {
            "UPDATE claims SET stage = $3, updated_at = $4, handler_staff_id = COALESCE($5, handler_staff_id), \
             decline_reason = $6 WHERE id = $1 AND stage = $2"
        }
        _ => {
            "UPDATE claims SET stage = $3, updated_at = $4, handler_staff_id = COALESCE($5, handler_staff_id) \
             WHERE id = $1 AND stage = $2"
        }
    };
    let mut q = sqlx::query(sql)
        .bind(claim_id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(now)
        .bind(handler);
    if to == ClaimStage::Declined {
        q = q.bind(reason);
    }
    let r = q.execute(conn).await?;
    Ok(r.rows_affected() == 1)
}

/// Sets the assessed (定损) amount while the claim is in assessment, or the approved (核赔)
/// amount while it is in approval. False in any other stage.
pub async fn set_amount(
    conn: &mut AnyConnection,
    claim_id: &str,
    kind: ClaimEventKind,
    fen: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let sql = match kind {
        ClaimEventKind::Assessed => {
            "UPDATE claims SET amount_assessed_fen = $2, updated_at = $3 WHERE id = $1 AND stage = 'assessment'"
        }
        ClaimEventKind::Approved => {
            "UPDATE claims SET amount_approved_fen = $2, updated_at = $3 \
             WHERE id = $1 AND stage = 'approval' AND amount_paid_fen IS NULL"
        }
        _ => return Ok(false),
    };
    let r = sqlx::query(sql)
        .bind(claim_id)
        .bind(fen)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
