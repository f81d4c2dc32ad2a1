//! Bulk inserts for demo data (`anxin demo`) and test fixtures. Table and column names
//! come from our own code, never from input.

use sqlx::{Any, AnyConnection};

/// A value for one column.
#[derive(Clone, Debug)]
pub enum V {
    T(String),
    I(i64),
    /// NULL in a text column.
    Null,
    /// NULL in an integer column (PostgreSQL types the parameter).
    NullI,
}

impl From<&str> for V {
    fn from(s: &str) -> Self {
        V::T(s.to_owned())
    }
}
impl From<String> for V {
    fn from(s: String) -> Self {
        V::T(s)
    }
}
impl From<&String> for V {
    fn from(s: &String) -> Self {
        V::T(s.clone())
    }
}
impl From<i64> for V {
    fn from(n: i64) -> Self {
        V::I(n)
    }
}
impl From<Option<&str>> for V {
    fn from(o: Option<&str>) -> Self {
        o.map_or(V::Null, Into::into)
    }
}
impl From<Option<String>> for V {
    fn from(o: Option<String>) -> Self {
        o.map_or(V::Null, Into::into)
    }
}
impl From<Option<i64>> for V {
    fn from(o: Option<i64>) -> Self {
        o.map_or(V::NullI, Into::into)
    }
}

/// `INSERT INTO table (cols…) VALUES ($1…)`: one row of `insert_many`.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    values: Vec<V>,
) -> sqlx::Result<()> {
    insert_many(conn, table, cols, vec![values]).await
}

/// A policy as demo data and test fixtures create it.
pub struct NewPolicy<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub product_id: &'a str,
    pub policy_no: &'a str,
    pub status: &'a str,
    pub insured_object: &'a str,
    pub auto_debit: bool,
    pub verification_code: &'a str,
    pub created_at: i64,
}

pub async fn policy(conn: &mut AnyConnection, p: &NewPolicy<'_>) -> sqlx::Result<()> {
    insert(
        conn,
        "policies",
        &[
            "id",
            "customer_id",
            "product_id",
            "policy_no",
            "status",
            "insured_object",
            "auto_debit",
            "verification_code",
            "created_at",
        ],
        vec![
            p.id.into(),
            p.customer_id.into(),
            p.product_id.into(),
            p.policy_no.into(),
            p.status.into(),
            p.insured_object.into(),
            i64::from(p.auto_debit).into(),
            p.verification_code.into(),
            p.created_at.into(),
        ],
    )
    .await
}

/// One term (a year of cover) of a policy.
pub struct NewTerm<'a> {
    pub id: &'a str,
    pub policy_id: &'a str,
    pub customer_id: &'a str,
    pub term_no: i64,
    /// `YYYY-MM-DD`, both days included.
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub premium_fen: i64,
    pub created_at: i64,
}

pub async fn term(conn: &mut AnyConnection, t: &NewTerm<'_>) -> sqlx::Result<()> {
    insert(
        conn,
        "policy_terms",
        &[
            "id",
            "policy_id",
            "customer_id",
            "term_no",
            "start_date",
            "end_date",
            "premium_fen",
            "created_at",
        ],
        vec![
            t.id.into(),
            t.policy_id.into(),
            t.customer_id.into(),
            t.term_no.into(),
            t.start_date.into(),
            t.end_date.into(),
            t.premium_fen.into(),
            t.created_at.into(),
        ],
    )
    .await
}

/// The id of the row of `table` (products, service kinds) with this `code`.
pub async fn id_by_code(
    conn: &mut AnyConnection,
    table: &str,
    code: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(&format!("SELECT id FROM {table} WHERE code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Bind parameters per statement. The engines allow 32,766 (SQLite) and 65,535
/// (PostgreSQL), but binding slows down with the count (a 32,000-parameter INSERT took
/// 18 s on SQLite); around a thousand is as fast per row as it gets.
const MAX_PARAMS: usize = 999;

/// `INSERT INTO table (cols…) VALUES (…), (…), …` for many rows at once, split into
/// statements under the engines' parameter limits (the bulk data of `anxin bench-data`).
pub async fn insert_many(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<V>>,
) -> sqlx::Result<()> {
    let per_statement = (MAX_PARAMS / cols.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (r, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), cols.len());
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..row.len() {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            sql.push(')');
        }
        let mut q = sqlx::query::<Any>(&sql);
        for v in chunk.into_iter().flatten() {
            q = match v {
                V::T(s) => q.bind(s),
                V::I(n) => q.bind(n),
                V::Null => q.bind(Option::<String>::None),
                V::NullI => q.bind(Option::<i64>::None),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
