//! Texts people send to the portal's number, one row each: the provider's message id is
//! unique, so a delivery it retries is recorded (and answered) once.

use sqlx::{Any, Executor};

pub struct NewInbound<'a> {
    pub id: &'a str,
    pub message_id: &'a str,
    pub phone: &'a str,
    pub customer_id: Option<&'a str>,
    /// As received, with ID digits starred out (`SmsQuery::redacted`).
    pub body: &'a str,
    pub query: &'a str,
    pub outcome: &'a str,
    pub reply_id: Option<&'a str>,
    pub now: i64,
}

/// Records a text. False when this message id was recorded before: the caller rolls back
/// whatever it did for it, so that a retried delivery changes nothing.
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    m: NewInbound<'_>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO sms_inbound (id, message_id, phone, customer_id, body, query, outcome, reply_id, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(m.id)
    .bind(m.message_id)
    .bind(m.phone)
    .bind(m.customer_id)
    .bind(m.body)
    .bind(m.query)
    .bind(m.outcome)
    .bind(m.reply_id)
    .bind(m.now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether this message id was recorded: lets a retried delivery skip the work. Only the
/// unique key (see `insert`) settles a race.
pub async fn seen<'e>(
    ex: impl Executor<'e, Database = Any>,
    message_id: &str,
) -> sqlx::Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_inbound WHERE message_id = $1")
        .bind(message_id)
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}

/// A text as staff read it at `/staff/outbox`, beside the answer it got.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboundRow {
    pub id: String,
    pub phone: String,
    pub body: String,
    pub query: String,
    pub outcome: String,
    pub received_at: i64,
    pub reply_body: Option<String>,
    #[sqlx(try_from = "Option<String>")]
    pub reply_state: OptionalState,
}

/// The answer's outbox state, if there is an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalState(pub Option<crate::model::OutboxState>);

impl TryFrom<Option<String>> for OptionalState {
    type Error = <crate::model::OutboxState as TryFrom<String>>::Error;
    fn try_from(s: Option<String>) -> Result<Self, Self::Error> {
        s.map(crate::model::OutboxState::try_from)
            .transpose()
            .map(OptionalState)
    }
}

/// The newest texts with their answers.
pub async fn newest<'e>(
    ex: impl Executor<'e, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<InboundRow>> {
    sqlx::query_as(
        "SELECT i.id, i.phone, i.body, i.query, i.outcome, i.received_at, \
                o.body AS reply_body, o.state AS reply_state \
         FROM sms_inbound i LEFT JOIN sms_outbox o ON o.id = i.reply_id \
         ORDER BY i.received_at DESC, i.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await
}
