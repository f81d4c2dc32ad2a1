//! Staff accounts: created from the command line, log in at /staff/login.

use super::super::store::{audit, is_unique_violation, login_attempts, staff};
use super::super::{ids, AppState};
use super::session::{self, Principal};
use super::{check_limits, passwords, Refusal};
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
    check_limits(state, "staff", &username, ip).await?;
    let row = staff::by_username(&state.db.pool, &username).await?;
    let row = row.filter(|r| r.disabled == 0);
    let ok = passwords::verify(password, row.as_ref().map(|r| r.password_hash.clone())).await?;
    let now = state.clock.now();
    login_attempts::record(&state.db.pool, "staff", &username, ip, ok, now).await?;
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
    let hash = passwords::hash(password).await?;
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
