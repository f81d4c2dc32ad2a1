//! Server-side sessions: a random 256-bit token in an HttpOnly cookie; only its keyed
//! hash is stored. 30 minutes idle, 12 hours at most, a new token at every login.
//!
//! Written here rather than with tower-sessions: its stores keep the session id itself
//! (we keep only a hash), have no `Any` backend for our two engines, and we need the
//! session kind (customer, staff, link) and step-up time as columns we can query.

use super::super::store::sessions::{self as store, NewSession};
use super::super::{ids, AppState};

pub const COOKIE: &str = "anxin_sid";

/// Who a live session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Customer {
        customer_id: String,
    },
    Staff {
        staff_id: String,
    },
    /// Came by an SMS short link and passed its light check: may do that link's one
    /// thing (pay this renewal, read this claim, answer this survey) and nothing else.
    Link {
        customer_id: String,
        code: String,
    },
}

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: String,
    pub principal: Principal,
    pub stepped_up_at: Option<i64>,
}

fn token_hash(state: &AppState, token: &str) -> String {
    state.config.keyed_hash("session", token)
}

/// Starts a session and returns the `Set-Cookie` value carrying its token.
pub async fn start(state: &AppState, principal: &Principal) -> sqlx::Result<String> {
    let lifetime = state.config.session_absolute_secs;
    open(state, principal, lifetime, None).await
}

/// Starts a session limited to one short link, for `secs`. Passing the link's check is
/// a step-up, so it is recorded as one.
pub async fn start_link(
    state: &AppState,
    customer_id: &str,
    code: &str,
    secs: i64,
) -> sqlx::Result<String> {
    let principal = Principal::Link {
        customer_id: customer_id.to_owned(),
        code: code.to_owned(),
    };
    open(state, &principal, secs, Some(state.clock.now())).await
}

async fn open(
    state: &AppState,
    principal: &Principal,
    lifetime: i64,
    stepped_up_at: Option<i64>,
) -> sqlx::Result<String> {
    let token = ids::token();
    let now = state.clock.now();
    let absolute = now + lifetime;
    let (kind, customer_id, staff_id, short_link_code) = match principal {
        Principal::Customer { customer_id } => ("customer", Some(customer_id.as_str()), None, None),
        Principal::Staff { staff_id } => ("staff", None, Some(staff_id.as_str()), None),
        Principal::Link { customer_id, code } => (
            "link",
            Some(customer_id.as_str()),
            None,
            Some(code.as_str()),
        ),
    };
    store::insert(
        &state.db.pool,
        NewSession {
            token_hash: &token_hash(state, &token),
            kind,
            customer_id,
            staff_id,
            short_link_code,
            stepped_up_at,
            now,
            idle_expires_at: (now + state.config.session_idle_secs).min(absolute),
            absolute_expires_at: absolute,
        },
    )
    .await?;
    // No Max-Age: the cookie ends with the browser; the server ends the session sooner
    // (idle, absolute, logout, a disabled account) whatever the cookie says.
    Ok(cookie(state, token, None))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(state: &AppState) -> String {
    cookie(state, String::new(), Some(0))
}

fn cookie(state: &AppState, value: String, max_age: Option<i64>) -> String {
    crate::backend::cookie_header(&state.config, COOKIE, &value, "/", max_age)
}

/// Finds the live session for a token and extends its idle expiry. The row carries what
/// the caller needs besides (staff role, link scope, impersonation), read in the same query.
pub async fn resolve(
    state: &AppState,
    token: &str,
) -> sqlx::Result<Option<(Session, store::SessionRow)>> {
    let now = state.clock.now();
    let hash = token_hash(state, token);
    let Some(row) = store::find_live(&state.db.pool, &hash, now).await? else {
        return Ok(None);
    };
    // Writing on every request would serialise SQLite; once a minute is precise enough.
    // A read-only database still serves reading pages: the idle clock just does not move.
    if now - row.last_seen_at >= 60 && !state.db.read_only {
        let idle = (now + state.config.session_idle_secs).min(row.absolute_expires_at);
        store::touch(&state.db.pool, &hash, now, idle).await?;
    }
    let principal = match (
        row.kind.as_str(),
        row.customer_id.clone(),
        row.staff_id.clone(),
    ) {
        ("customer", Some(customer_id), _) => Principal::Customer { customer_id },
        ("staff", _, Some(staff_id)) => Principal::Staff { staff_id },
        ("link", Some(customer_id), _) => match row.short_link_code.clone() {
            Some(code) => Principal::Link { customer_id, code },
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let session = Session {
        token_hash: hash,
        principal,
        stepped_up_at: row.stepped_up_at,
    };
    Ok(Some((session, row)))
}

pub async fn end(state: &AppState, session: &Session) -> sqlx::Result<()> {
    store::delete(&state.db.pool, &session.token_hash).await
}
