use sqlx::{Any, Executor};

/// What login needs to know about a customer.
#[derive(Debug, sqlx::FromRow)]
pub struct CustomerCredentials {
    pub id: String,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerProfile {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub id_number_masked: String,
    pub activated_at: Option<i64>,
}

/// What activation needs: found by a policy number the person holds.
#[derive(Debug, sqlx::FromRow)]
pub struct ActivationSubject {
    pub id: String,
    pub phone: String,
    pub id_last4_hash: String,
    pub activated_at: Option<i64>,
}

pub struct NewCustomer<'a> {
    pub id: &'a str,
    pub phone: &'a str,
    pub name: &'a str,
    pub id_number_masked: &'a str,
    pub id_last4_hash: &'a str,
    pub birth_date: &'a str,
    pub password_hash: Option<&'a str>,
    pub now: i64,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    c: NewCustomer<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO customers (id, phone, name, id_number_masked, id_last4_hash, birth_date, \
         password_hash, activated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.id)
    .bind(c.phone)
    .bind(c.name)
    .bind(c.id_number_masked)
    .bind(c.id_last4_hash)
    .bind(c.birth_date)
    .bind(c.password_hash)
    .bind(c.password_hash.map(|_| c.now))
    .bind(c.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn credentials_by_phone<'e>(
    ex: impl Executor<'e, Database = Any>,
    phone: &str,
) -> sqlx::Result<Option<CustomerCredentials>> {
    sqlx::query_as("SELECT id, password_hash FROM customers WHERE phone = $1")
        .bind(phone)
        .fetch_optional(ex)
        .await
}

pub async fn profile<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<CustomerProfile>> {
    sqlx::query_as(
        "SELECT id, name, phone, id_number_masked, activated_at FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn activation_subject_by_policy_no<'e>(
    ex: impl Executor<'e, Database = Any>,
    policy_no: &str,
) -> sqlx::Result<Option<ActivationSubject>> {
    sqlx::query_as(
        "SELECT c.id, c.phone, c.id_last4_hash, c.activated_at FROM customers c \
         JOIN policies p ON p.customer_id = c.id WHERE p.policy_no = $1",
    )
    .bind(policy_no)
    .fetch_optional(ex)
    .await
}

/// Sets the first password. Only one caller can win: the row must still have none.
pub async fn activate<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    password_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE customers SET password_hash = $1, activated_at = $2 \
         WHERE id = $3 AND password_hash IS NULL",
    )
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The keyed hash of a customer's ID digits, for step-up checks.
pub async fn id_last4_hash<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id_last4_hash FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(|(h,)| h))
}

/// The customer whose registered phone this is, and the language their texts are in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhoneOwner {
    pub id: String,
    pub locale: String,
}

pub async fn owner_of_phone<'e>(
    ex: impl Executor<'e, Database = Any>,
    phone: &str,
) -> sqlx::Result<Option<PhoneOwner>> {
    sqlx::query_as("SELECT id, locale FROM customers WHERE phone = $1")
        .bind(phone)
        .fetch_optional(ex)
        .await
}

/// The language the customer chose (`zh-CN` or `en`): their texts are written in it.
pub async fn set_locale<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    locale: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE customers SET locale = $1 WHERE id = $2 AND locale <> $1")
        .bind(locale)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// How to reach a customer: the phone on file, the address and email they gave (empty:
/// none), and the language their texts are written in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub phone: String,
    pub address: String,
    pub email: String,
    pub locale: String,
}

pub async fn contact<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<Contact>> {
    sqlx::query_as("SELECT phone, address, email, locale FROM customers WHERE id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Sets the address and email (the customer's own change, already checked).
pub async fn set_contact<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    address: &str,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE customers SET address = $1, email = $2 WHERE id = $3")
        .bind(address)
        .bind(email)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Moves the customer to `new` if their number is still `old`: true when it moved. A number
/// another customer has fails on the unique key (`store::is_unique_violation`).
pub async fn set_phone<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    old: &str,
    new: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE customers SET phone = $1 WHERE id = $2 AND phone = $3")
        .bind(new)
        .bind(id)
        .bind(old)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Where the account's money comes from and goes to, masked: the auto-debit method (NULL:
/// the default saved method) and the payout account.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Accounts {
    pub debit_method_id: Option<String>,
    pub payout_kind: Option<String>,
    pub payout_method_id: Option<String>,
    pub payout_masked: Option<String>,
}

pub async fn accounts<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<Accounts>> {
    sqlx::query_as(
        "SELECT debit_method_id, payout_kind, payout_method_id, payout_masked FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The saved method auto-debit renewal charges (one of the customer's, already checked).
pub async fn set_debit_method<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    method_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE customers SET debit_method_id = $1 WHERE id = $2")
        .bind(method_id)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// A payout account: one of the customer's saved methods, or a bank account.
pub enum PayoutAccount {
    Method { id: String },
    Bank { bank: String, account_no: String },
}

/// The payout account becomes `payout`, shown as `masked`.
pub async fn set_payout<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    payout: &PayoutAccount,
    masked: &str,
) -> sqlx::Result<()> {
    let (kind, method, bank, no) = match payout {
        PayoutAccount::Method { id } => ("method", Some(id.as_str()), None, None),
        PayoutAccount::Bank { bank, account_no } => {
            ("bank", None, Some(bank.as_str()), Some(account_no.as_str()))
        }
    };
    sqlx::query(
        "UPDATE customers SET payout_kind = $1, payout_method_id = $2, payout_bank = $3, \
         payout_account_no = $4, payout_masked = $5 WHERE id = $6",
    )
    .bind(kind)
    .bind(method)
    .bind(bank)
    .bind(no)
    .bind(masked)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// The whole payout account, for a payout to use: (kind, method id, bank, number, masked).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayoutDetails {
    pub payout_kind: String,
    pub payout_method_id: Option<String>,
    pub payout_bank: Option<String>,
    pub payout_account_no: Option<String>,
    pub payout_masked: String,
}

pub async fn payout_details<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<PayoutDetails>> {
    sqlx::query_as(
        "SELECT payout_kind, payout_method_id, payout_bank, payout_account_no, payout_masked \
         FROM customers WHERE id = $1 AND payout_kind IS NOT NULL AND payout_masked IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}
