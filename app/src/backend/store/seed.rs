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

/// `INSERT INTO table (cols…) VALUES ($1…)`.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    values: Vec<V>,
) -> sqlx::Result<()> {
    debug_assert_eq!(cols.len(), values.len());
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        cols.join(", "),
        placeholders.join(", ")
    );
    let mut q = sqlx::query::<Any>(&sql);
    for v in values {
        q = match v {
            V::T(s) => q.bind(s),
            V::I(n) => q.bind(n),
            V::Null => q.bind(Option::<String>::None),
            V::NullI => q.bind(Option::<i64>::None),
        };
    }
    q.execute(conn).await?;
    Ok(())
}

/// Takes one place in a slot if one is left.
pub async fn take_slot_place(conn: &mut AnyConnection, slot_id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity")
        .bind(slot_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
