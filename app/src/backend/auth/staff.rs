//! Staff accounts: created from the command line or by an admin at `/staff/accounts`,
//! log in at /staff/login.

use super::super::domain::lockout;
use super::super::store::{audit, is_unique_violation, sessions, staff};
use super::super::{ids, AppState};
use super::session::{self, Principal};
use super::{claim_attempt, passwords, Refusal};
use crate::model::StaffRole;
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, thiserror::Error)]
pub enum StaffLoginError {
    #[error("bad credentials")]
    BadCredentials,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

auth_error_from!(StaffLoginError);

pub async fn login(
    state: &AppState,
    username: &str,
    password: SecretString,
    ip: &str,
) -> Result<(String, String), StaffLoginError> {
    let username = username.trim().to_lowercase();
    let attempt = claim_attempt(state, &lockout::STAFF_PASSWORD, &username, ip).await?;
    let row = staff::by_username(&state.db.pool, &username).await?;
    let row = row.filter(|r| r.disabled == 0);
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    let ok = match passwords::verify(password, stored).await {
        Ok(ok) => ok,
        Err(e) => {
            attempt.cancel(state).await?;
            return Err(e.into());
        }
    };
    attempt.finish(state, ok).await?;
    let now = state.clock.now();
    let row = match row {
        Some(r) if ok => r,
        _ => return Err(StaffLoginError::BadCredentials),
    };
    let cookie = session::start(
        state,
        &Principal::Staff {
            staff_id: row.id.clone(),
        },
    )
    .await?;
    audit::record(
        &state.db.pool,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(&row.id),
            customer_id: None,
            action: "staff.login",
            detail: "",
            ip: Some(ip),
            now,
        },
    )
    .await?;
    Ok((row.id, cookie))
}

#[derive(Debug, thiserror::Error)]
pub enum AddStaffError {
    #[error("username must be 3–32 letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("username is taken")]
    Taken,
    #[error("password refused: {0}")]
    Weak(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AddStaffError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Creates a member of staff (the `anxin staff add` command).
pub async fn add(
    state: &AppState,
    username: &str,
    display_name: &str,
    role: StaffRole,
    password: SecretString,
) -> Result<String, AddStaffError> {
    let username = username.trim().to_lowercase();
    if !valid_username(&username) {
        return Err(AddStaffError::BadUsername);
    }
    passwords::check_policy(
        password.expose_secret(),
        password.expose_secret(),
        &[&username],
    )
    .map_err(|w| AddStaffError::Weak(w.code()))?;
    let hash = passwords::hash(password)
        .await
        .map_err(|e| AddStaffError::Internal(e.into()))?;
    let id = ids::new_id();
    let name = if display_name.trim().is_empty() {
        username.as_str()
    } else {
        display_name.trim()
    };
    match staff::insert(
        &state.db.pool,
        &id,
        &username,
        name,
        role.as_str(),
        &hash,
        state.clock.now(),
    )
    .await
    {
        Ok(()) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(AddStaffError::Taken),
        Err(e) => Err(AddStaffError::Internal(e.into())),
    }
}

/// 3–32 lower-case letters, digits, '.', '_' or '-'.
pub fn valid_username(username: &str) -> bool {
    (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Disables a member of staff (`anxin staff disable`, or an admin at `/staff/accounts`:
/// `by`): no more logins, and every session of theirs ends now, in one transaction.
/// `None` when there is no such username.
pub async fn disable(
    state: &AppState,
    username: &str,
    by: Option<&str>,
) -> anyhow::Result<Option<u64>> {
    let username = username.trim().to_lowercase();
    let mut tx = state.db.pool.begin().await?;
    let Some(id) = staff::disable(&mut *tx, &username).await? else {
        return Ok(None);
    };
    let ended = sessions::delete_for_staff(&mut *tx, &id).await?;
    staff_change(&mut tx, by, "staff.disabled", &id, state.clock.now()).await?;
    tx.commit().await?;
    Ok(Some(ended))
}

/// The audit line of a change to a staff account: by an admin (`by`), or from the
/// command line (the system).
async fn staff_change(
    tx: &mut sqlx::AnyConnection,
    by: Option<&str>,
    action: &str,
    staff_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: if by.is_some() { "staff" } else { "system" },
            actor_id: by,
            customer_id: None,
            action,
            detail: staff_id,
            ip: None,
            now,
        },
    )
    .await
}

/// A password made to be handed over once: 16 base-62 characters (about 95 bits).
pub fn temporary_password() -> SecretString {
    SecretString::from(ids::short_code(16))
}

/// An admin creates a member of staff, with their own phone if given (so they can never
/// view their own customer record). Returns the temporary password, shown once.
pub async fn create_by_admin(
    state: &AppState,
    admin_id: &str,
    username: &str,
    display_name: &str,
    role: StaffRole,
    phone: Option<&str>,
) -> Result<SecretString, AddStaffError> {
    let password = temporary_password();
    let id = add(
        state,
        username,
        display_name,
        role,
        SecretString::from(password.expose_secret().to_owned()),
    )
    .await?;
    let mut tx = state.db.pool.begin().await?;
    staff::set_phone(&mut *tx, &id, phone).await?;
    staff_change(
        &mut tx,
        Some(admin_id),
        "staff.created",
        &id,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(password)
}

/// An admin resets a member of staff's password: a new temporary one (returned, shown
/// once), and every session of theirs ends. `None` when there is no such username.
pub async fn reset_password(
    state: &AppState,
    admin_id: &str,
    username: &str,
) -> anyhow::Result<Option<SecretString>> {
    let username = username.trim().to_lowercase();
    let password = temporary_password();
    let hash = passwords::hash(SecretString::from(password.expose_secret().to_owned()))
        .await
        .map_err(anyhow::Error::from)?;
    let mut tx = state.db.pool.begin().await?;
    let Some(id) = staff::set_password(&mut *tx, &username, &hash).await? else {
        return Ok(None);
    };
    sessions::delete_for_staff(&mut *tx, &id).await?;
    staff_change(
        &mut tx,
        Some(admin_id),
        "staff.password_reset",
        &id,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(password))
}
