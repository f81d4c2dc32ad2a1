//! What a person typed into a form that came back with an error, kept for their session
//! for a short while so the page can show it again (`form_drafts`). Never logged; deleted
//! when the form goes through, ignored (and cleared by the next write) once expired.

use sqlx::{Any, AnyConnection, Executor};

/// How long a draft is kept.
pub const KEEP_SECS: i64 = 30 * 60;

/// Keeps `fields` (the form's own serialisation) for `session_hash` and `form`, replacing
/// an earlier draft; clears everyone's expired drafts on the way.
pub async fn put(
    conn: &mut AnyConnection,
    session_hash: &str,
    form: &str,
    fields: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM form_drafts WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO form_drafts (session_hash, form, fields, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (session_hash, form) DO UPDATE SET fields = excluded.fields, expires_at = excluded.expires_at",
    )
    .bind(session_hash)
    .bind(form)
    .bind(fields)
    .bind(now + KEEP_SECS)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The session's live draft of `form`, if any.
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    session_hash: &str,
    form: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT fields FROM form_drafts WHERE session_hash = $1 AND form = $2 AND expires_at > $3",
    )
    .bind(session_hash)
    .bind(form)
    .bind(now)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(f,)| f))
}

pub async fn delete<'e>(
    ex: impl Executor<'e, Database = Any>,
    session_hash: &str,
    form: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM form_drafts WHERE session_hash = $1 AND form = $2")
        .bind(session_hash)
        .bind(form)
        .execute(ex)
        .await?;
    Ok(())
}
