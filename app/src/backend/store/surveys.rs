//! Survey invitations, their one response each, the 30-day fatigue claim, and the rows
//! staff results are counted from.

use crate::model::{SurveyState, SurveySubject};
use sqlx::{Any, AnyConnection, Executor};

/// Claims the customer's survey turn: true when they have not opted out of surveys and
/// their last invitation was at or before `cutoff` (or there was none); records `now`
/// as the new last one. One guarded upsert, so two completions at once for one customer
/// claim it once; and a write first, so SQLite's one writer is taken before any read.
pub async fn claim_turn<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    now: i64,
    cutoff: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO survey_fatigue (customer_id, last_invited_at) \
         SELECT $1, $2 WHERE NOT EXISTS \
           (SELECT 1 FROM notification_preferences WHERE customer_id = $1 AND survey = 0) \
         ON CONFLICT (customer_id) DO UPDATE SET last_invited_at = $2 \
         WHERE survey_fatigue.last_invited_at <= $3",
    )
    .bind(customer_id)
    .bind(now)
    .bind(cutoff)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub struct NewInvitation<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub subject: SurveySubject,
    pub subject_id: &'a str,
    /// The service kind code (`health_checkup`, `roadside_assistance`) or `claim`.
    pub service: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// One invitation per subject: a second for the same booking, request or claim is a
/// no-op (returns false).
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    i: NewInvitation<'_>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO survey_invitations (id, customer_id, subject_kind, subject_id, service, state, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7) ON CONFLICT (subject_kind, subject_id) DO NOTHING",
    )
    .bind(i.id)
    .bind(i.customer_id)
    .bind(i.subject.as_str())
    .bind(i.subject_id)
    .bind(i.service)
    .bind(i.now)
    .bind(i.expires_at)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An invitation with what it is about and its answer, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub customer_id: String,
    #[sqlx(try_from = "String")]
    pub subject: SurveySubject,
    pub subject_id: String,
    pub service: String,
    /// The service kind's names; NULL for claims.
    pub service_zh: Option<String>,
    pub service_en: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: SurveyState,
    pub sent_at: i64,
    pub expires_at: i64,
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub answered_at: Option<i64>,
}

const INVITATION: &str =
    "SELECT i.id, i.customer_id, i.subject_kind AS subject, i.subject_id, i.service, \
     k.name_zh AS service_zh, k.name_en AS service_en, i.state, i.sent_at, i.expires_at, \
     r.score, r.comment, r.answered_at \
     FROM survey_invitations i LEFT JOIN service_kinds k ON k.code = i.service \
     LEFT JOIN survey_responses r ON r.invitation_id = i.id";

/// One invitation, only if it is this customer's.
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<InvitationRow>> {
    sqlx::query_as(&format!(
        "{INVITATION} WHERE i.customer_id = $1 AND i.id = $2"
    ))
    .bind(customer_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The invitation about one of the customer's bookings, requests or claims, if any.
pub async fn for_subject<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    subject: SurveySubject,
    subject_id: &str,
) -> sqlx::Result<Option<InvitationRow>> {
    sqlx::query_as(&format!(
        "{INVITATION} WHERE i.customer_id = $1 AND i.subject_kind = $2 AND i.subject_id = $3"
    ))
    .bind(customer_id)
    .bind(subject.as_str())
    .bind(subject_id)
    .fetch_optional(ex)
    .await
}

/// The customer's invitations still waiting for an answer at `now`, newest first.
pub async fn open_for_customer<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    now: i64,
) -> sqlx::Result<Vec<InvitationRow>> {
    sqlx::query_as(&format!(
        "{INVITATION} WHERE i.customer_id = $1 AND i.state = 'sent' AND i.expires_at > $2 \
         ORDER BY i.sent_at DESC"
    ))
    .bind(customer_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Answers the invitation: the one guarded statement that consumes it (only while sent
/// and not expired, only by its customer), then the response, in the caller's
/// transaction. False when it was not open: answered already, expired, or not theirs.
pub async fn answer(
    conn: &mut AnyConnection,
    customer_id: &str,
    id: &str,
    score: i64,
    comment: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE survey_invitations SET state = 'answered' \
         WHERE id = $1 AND customer_id = $2 AND state = 'sent' AND expires_at > $3",
    )
    .bind(id)
    .bind(customer_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO survey_responses (id, invitation_id, customer_id, score, comment, answered_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::backend::ids::new_id())
    .bind(id)
    .bind(customer_id)
    .bind(score)
    .bind(comment)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The filter staff chose: invitations sent in `[from, to)`, of one service or all.
pub struct Filter<'a> {
    pub from: i64,
    pub to: i64,
    pub service: Option<&'a str>,
}

/// One invitation as results count it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub service: String,
    pub sent_at: i64,
    pub score: Option<i64>,
}

pub async fn results<'e>(
    ex: impl Executor<'e, Database = Any>,
    f: &Filter<'_>,
) -> sqlx::Result<Vec<ResultRow>> {
    sqlx::query_as(
        "SELECT i.service, i.sent_at, r.score FROM survey_invitations i \
         LEFT JOIN survey_responses r ON r.invitation_id = i.id \
         WHERE i.sent_at >= $1 AND i.sent_at < $2 AND ($3 = '' OR i.service = $3)",
    )
    .bind(f.from)
    .bind(f.to)
    .bind(f.service.unwrap_or(""))
    .fetch_all(ex)
    .await
}

/// An answer as staff read and export it: no customer, no subject id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub service: String,
    pub sent_at: i64,
    pub answered_at: i64,
    pub score: i64,
    pub comment: String,
}

/// Answers to invitations matching the filter, newest first; with `comments_only`,
/// only those with a comment; at most `limit`.
pub async fn answers<'e>(
    ex: impl Executor<'e, Database = Any>,
    f: &Filter<'_>,
    comments_only: bool,
    limit: i64,
) -> sqlx::Result<Vec<AnswerRow>> {
    sqlx::query_as(
        "SELECT i.service, i.sent_at, r.answered_at, r.score, r.comment FROM survey_responses r \
         JOIN survey_invitations i ON i.id = r.invitation_id \
         WHERE i.sent_at >= $1 AND i.sent_at < $2 AND ($3 = '' OR i.service = $3) \
         AND ($4 = 0 OR r.comment <> '') \
         ORDER BY r.answered_at DESC, r.id LIMIT $5",
    )
    .bind(f.from)
    .bind(f.to)
    .bind(f.service.unwrap_or(""))
    .bind(i64::from(comments_only))
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// A service kind by its code, with its names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceName {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

pub async fn service_kinds<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> sqlx::Result<Vec<ServiceName>> {
    sqlx::query_as("SELECT code, name_zh, name_en FROM service_kinds ORDER BY code")
        .fetch_all(ex)
        .await
}

/// Something completed that a survey may ask about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompletedSubject {
    #[sqlx(try_from = "String")]
    pub subject: SurveySubject,
    pub subject_id: String,
    pub customer_id: String,
    pub phone: String,
    pub service: String,
    /// The service kind's Chinese name; NULL for claims.
    pub service_zh: Option<String>,
    pub done_at: i64,
}

/// Every completed appointment and roadside request and every paid claim, oldest first
/// (the demo invites for them as the product would have).
pub async fn completed_subjects<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> sqlx::Result<Vec<CompletedSubject>> {
    sqlx::query_as(
        "SELECT * FROM ( \
           SELECT 'booking' AS subject, b.id AS subject_id, b.customer_id, cu.phone, k.code AS service, \
                  k.name_zh AS service_zh, b.updated_at AS done_at \
           FROM bookings b JOIN service_kinds k ON k.id = b.service_kind_id \
           JOIN customers cu ON cu.id = b.customer_id WHERE b.state = 'completed' \
           UNION ALL \
           SELECT 'roadside', r.id, r.customer_id, cu.phone, k.code, k.name_zh, \
                  COALESCE(r.completed_at, r.updated_at) \
           FROM roadside_requests r JOIN service_kinds k ON k.id = r.service_kind_id \
           JOIN customers cu ON cu.id = r.customer_id WHERE r.state = 'completed' \
           UNION ALL \
           SELECT 'claim', c.id, c.customer_id, cu.phone, 'claim', NULL, \
                  (SELECT MAX(e.at) FROM claim_events e WHERE e.claim_id = c.id AND e.to_stage = 'paid') \
           FROM claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.stage = 'paid' \
         ) s ORDER BY done_at, subject_id",
    )
    .fetch_all(ex)
    .await
}
