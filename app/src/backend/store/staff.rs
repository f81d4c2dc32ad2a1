use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: i64,
    /// Their own mobile: "view as customer" is refused for the customer with it.
    pub phone: Option<String>,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    username: &str,
    display_name: &str,
    role: &str,
    password_hash: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO staff (id, username, display_name, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(username)
    .bind(display_name)
    .bind(role)
    .bind(password_hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_username<'e>(
    ex: impl Executor<'e, Database = Any>,
    username: &str,
) -> sqlx::Result<Option<StaffRow>> {
    sqlx::query_as(
        "SELECT id, username, display_name, role, password_hash, disabled, phone FROM staff WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(ex)
    .await
}

pub async fn by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<StaffRow>> {
    sqlx::query_as(
        "SELECT id, username, display_name, role, password_hash, disabled, phone FROM staff WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Marks a member of staff disabled; returns their id.
pub async fn disable<'e>(
    ex: impl Executor<'e, Database = Any>,
    username: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("UPDATE staff SET disabled = 1 WHERE username = $1 RETURNING id")
            .bind(username)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// A member of staff as `/staff/accounts` lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffListRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub phone: Option<String>,
    pub disabled: i64,
    pub created_at: i64,
}

pub async fn list<'e>(ex: impl Executor<'e, Database = Any>) -> sqlx::Result<Vec<StaffListRow>> {
    sqlx::query_as(
        "SELECT id, username, display_name, role, phone, disabled, created_at FROM staff \
         ORDER BY disabled, role, username",
    )
    .fetch_all(ex)
    .await
}

/// Sets a new password hash; returns the member of staff's id.
pub async fn set_password<'e>(
    ex: impl Executor<'e, Database = Any>,
    username: &str,
    hash: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("UPDATE staff SET password_hash = $1 WHERE username = $2 RETURNING id")
            .bind(hash)
            .bind(username)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn set_phone<'e>(
    ex: impl Executor<'e, Database = Any>,
    staff_id: &str,
    phone: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE staff SET phone = $1 WHERE id = $2")
        .bind(phone)
        .bind(staff_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Is the customer with `customer_phone` this member of staff themselves?
pub async fn is_own_record<'e>(
    ex: impl Executor<'e, Database = Any>,
    staff_id: &str,
    customer_phone: &str,
) -> sqlx::Result<bool> {
    Ok(by_id(ex, staff_id)
        .await?
        .and_then(|s| s.phone)
        .is_some_and(|p| p == customer_phone))
}
