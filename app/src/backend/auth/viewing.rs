//! 代客查看 — a member of staff viewing a customer's account as the customer sees it.
//!
//! - Starting needs a reason (≥ 10 characters) and may name a ticket. It is refused for the
//!   customer record with the staff member's own phone. A customer who turned viewing off
//!   (`/settings/access`) can be viewed on their open claims' pages only.
//! - It lasts 30 minutes at most, and ends on End or at the staff member's logout. It rides
//!   on the staff member's own session: the customer's sessions are never touched.
//! - It only reads. `guard` runs before every request in it: a change of any kind is
//!   refused (403) unless it ends the view, signs out or switches language; the server
//!   functions and routes refuse it again through the `Caller` (`Action`). Every request,
//!   allowed or refused, is written to the audit log *before* it runs: if the log cannot
//!   be written, the request does not run.

use super::Caller;
use crate::backend::store::{audit, console};
use crate::backend::AppState;

/// How long one view lasts at most.
pub const VIEW_SECS: i64 = 30 * 60;
pub const MIN_REASON_CHARS: usize = 10;
pub const MAX_REASON_CHARS: usize = 200;
pub const MAX_TICKET_CHARS: usize = 32;

/// The server functions a view may call: ending it, signing out, the language switch.
pub const WRITES_WHILE_VIEWING: &[&str] = &["/api/end_view_as", "/api/logout", "/api/set_locale"];

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("reason too short")]
    ReasonTooShort,
    #[error("reason too long")]
    ReasonTooLong,
    #[error("bad ticket number")]
    BadTicket,
    #[error("no such customer")]
    NotFound,
    /// The customer record is the staff member's own.
    #[error("own record")]
    OwnRecord,
    /// Already viewing someone: end that first.
    #[error("already viewing")]
    AlreadyViewing,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StartError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The reason as it will be recorded: trimmed, whitespace runs made one space.
pub fn parse_reason(input: &str) -> Result<String, StartError> {
    let reason = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = reason.chars().count();
    if n < MIN_REASON_CHARS {
        Err(StartError::ReasonTooShort)
    } else if n > MAX_REASON_CHARS {
        Err(StartError::ReasonTooLong)
    } else {
        Ok(reason)
    }
}

/// A ticket number: optional; letters, digits, `-` and `_`, at most 32.
pub fn parse_ticket(input: &str) -> Result<Option<String>, StartError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok = t.len() <= MAX_TICKET_CHARS
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(Some(t.to_ascii_uppercase()))
    } else {
        Err(StartError::BadTicket)
    }
}

/// Where the request came from, for the audit log.
pub struct RequestInfo<'a> {
    pub ip: &'a str,
    pub request_id: &'a str,
}

/// Starts viewing `customer_id` as them on this staff session. Returns whether the view is
/// limited to the customer's open claims (they turned viewing off).
pub async fn start(
    state: &AppState,
    caller: &Caller,
    customer_id: &str,
    reason: &str,
    ticket: &str,
    req: RequestInfo<'_>,
) -> Result<bool, StartError> {
    let (session, staff_id) = match caller {
        Caller::Staff {
            session, staff_id, ..
        } => (session, staff_id),
        Caller::Impersonating { .. } => return Err(StartError::AlreadyViewing),
        _ => return Err(StartError::NotFound),
    };
    let reason = parse_reason(reason)?;
    let ticket = parse_ticket(ticket)?;
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    let card = console::card(&mut *tx, customer_id)
        .await?
        .ok_or(StartError::NotFound)?;
    if crate::backend::store::staff::is_own_record(&mut *tx, staff_id, &card.phone).await? {
        return Err(StartError::OwnRecord);
    }
    let id = crate::backend::ids::new_id();
    console::start(
        &mut tx,
        &session.token_hash,
        &console::NewImpersonation {
            id: &id,
            staff_id,
            customer_id,
            reason: &reason,
            ticket: ticket.as_deref(),
            now,
            expires_at: now + VIEW_SECS,
        },
    )
    .await?;
    audit::record_viewing(
        &mut *tx,
        audit::ViewingEntry {
            staff_id,
            customer_id,
            impersonation_id: &id,
            action: "viewing.start",
            target: "",
            detail: ticket.as_deref().unwrap_or(""),
            ip: req.ip,
            request_id: req.request_id,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(card.staff_view == 0)
}

/// Ends the caller's view, if they are in one; returns the customer it was of.
pub async fn end(
    state: &AppState,
    caller: &Caller,
    req: RequestInfo<'_>,
) -> sqlx::Result<Option<String>> {
    let Caller::Impersonating {
        staff_id,
        customer_id,
        impersonation_id,
        ..
    } = caller
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if console::finish(&mut tx, impersonation_id, false, now).await? {
        audit::record_viewing(
            &mut *tx,
            audit::ViewingEntry {
                staff_id,
                customer_id,
                impersonation_id,
                action: "viewing.end",
                target: "",
                detail: "",
                ip: req.ip,
                request_id: req.request_id,
                now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(customer_id.clone()))
}

/// What `guard` decided for one request made in a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not in a view, or a request the view may make.
    Go,
    /// A change, in the customer's name or anyone's: never while viewing.
    ReadOnly,
    /// The customer turned viewing off and this is not one of their open claims' pages.
    OutsideLimit,
}

/// Does this request only read? (The methods a form or a link can send that change
/// nothing.)
fn reads(method: &http::Method) -> bool {
    method == http::Method::GET || method == http::Method::HEAD
}

/// Pages and files a limited view may open, apart from the claims it checks in the
/// database: the staff console (to end the view) and the site's own static files.
fn limit_free(path: &str) -> bool {
    path == "/staff"
        || path.starts_with("/staff/")
        || path.starts_with("/pkg/")
        // `/favicon.svg`, not `/bookings/x/calendar.ics`.
        || (path.matches('/').count() == 1 && path.contains('.'))
}

/// The claim a path is about, for `/claims/{id}` and `/claims/{id}/files/{file}`.
fn claim_in(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/claims/")?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let ok = !id.is_empty()
        && id != "new"
        && id != "report"
        && (tail.is_empty() || tail.starts_with("files/"));
    ok.then_some(id)
}

/// Judges one request in a view and writes it to the audit log before it may run. Outside
/// a view: `Go`, and nothing written.
pub async fn guard(
    state: &AppState,
    caller: &Caller,
    method: &http::Method,
    path: &str,
    req: RequestInfo<'_>,
) -> sqlx::Result<Verdict> {
    let Caller::Impersonating {
        staff_id,
        customer_id,
        impersonation_id,
        limited,
        ..
    } = caller
    else {
        return Ok(Verdict::Go);
    };
    let verdict = if !reads(method) {
        if WRITES_WHILE_VIEWING.contains(&path) {
            Verdict::Go
        } else {
            Verdict::ReadOnly
        }
    } else if *limited && !limit_free(path) {
        match claim_in(path) {
            Some(claim) if console::is_open_claim(&state.db.pool, customer_id, claim).await? => {
                Verdict::Go
            }
            _ => Verdict::OutsideLimit,
        }
    } else {
        Verdict::Go
    };
    let action = match verdict {
        Verdict::Go if reads(method) => "viewing.read",
        Verdict::Go => "viewing.write",
        Verdict::ReadOnly => "viewing.refused",
        Verdict::OutsideLimit => "viewing.outside_limit",
    };
    audit::record_viewing(
        &state.db.pool,
        audit::ViewingEntry {
            staff_id,
            customer_id,
            impersonation_id,
            action,
            target: path,
            detail: method.as_str(),
            ip: req.ip,
            request_id: req.request_id,
            now: state.clock.now(),
        },
    )
    .await?;
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_says_something() {
        assert!(matches!(
            parse_reason("  查一下  "),
            Err(StartError::ReasonTooShort)
        ));
        assert_eq!(
            parse_reason(" 客户来电  咨询续保价格\n为何上涨 ").unwrap(),
            "客户来电 咨询续保价格 为何上涨"
        );
        assert!(matches!(
            parse_reason(&"长".repeat(201)),
            Err(StartError::ReasonTooLong)
        ));
        // Characters, not bytes: ten Chinese characters are enough.
        assert!(parse_reason("客户来电咨询续保价格").is_ok());
    }

    #[test]
    fn tickets_are_short_plain_codes() {
        assert_eq!(parse_ticket("").unwrap(), None);
        assert_eq!(
            parse_ticket(" inc-2026-0042 ").unwrap().as_deref(),
            Some("INC-2026-0042")
        );
        assert!(parse_ticket("<script>").is_err());
        assert!(parse_ticket(&"A".repeat(33)).is_err());
    }

    #[test]
    fn a_limited_view_opens_claims_and_the_console_only() {
        assert_eq!(claim_in("/claims/abc"), Some("abc"));
        assert_eq!(claim_in("/claims/abc/files/f1"), Some("abc"));
        assert_eq!(claim_in("/claims/new"), None);
        assert_eq!(claim_in("/claims/abc/documents/d"), None);
        assert_eq!(claim_in("/claims"), None);
        assert_eq!(claim_in("/policies/abc"), None);
        assert!(limit_free("/staff"));
        assert!(limit_free("/staff/customers/x"));
        assert!(limit_free("/favicon.svg"));
        assert!(!limit_free("/bookings/x/calendar.ics"));
        assert!(!limit_free("/"));
        assert!(!limit_free("/staffing"));
    }
}
