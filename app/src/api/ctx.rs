//! Request context for server functions and pages: the app state, the caller, the
//! response. Errors carry codes; `error_url` builds the redirect that shows one.

use crate::backend::auth::{self, Principal, Session};
use crate::backend::{AppState, ClientIp, RequestId};
use http::header::{HeaderValue, COOKIE, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

pub fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn client_ip() -> String {
    parts()
        .and_then(|p| p.extensions.get::<ClientIp>().map(|c| c.0.clone()))
        .unwrap_or_else(|| "unknown".into())
}

pub fn request_id() -> String {
    parts()
        .and_then(|p| p.extensions.get::<RequestId>().map(|r| r.0.clone()))
        .unwrap_or_else(|| "-".into())
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

pub fn set_status(status: http::StatusCode) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status);
    }
}

/// Post/Redirect/Get: send the browser to `path`.
pub fn go(path: &str) {
    leptos_axum::redirect(path);
}

/// Redirects a page request (a GET) with a real 302, whatever the Accept header says.
pub fn go_page(path: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(path),
    ) {
        res.set_status(http::StatusCode::FOUND);
        res.insert_header(http::header::LOCATION, v);
    }
}

/// `path?error=code&k=v…`. Values are our own codes and numbers, never user input.
pub fn error_url(path: &str, code: &str, extra: &[(&str, String)]) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}error={code}");
    for (k, v) in extra {
        url.push_str(&format!("&{k}={v}"));
    }
    url
}

/// Logs an unexpected error (without personal data) and sends the person back with a
/// reference they can quote.
pub fn go_internal_error(path: &str, err: &dyn std::fmt::Display) {
    let rid = request_id();
    tracing::error!(request_id = %rid, error = %err, "request failed");
    go(&error_url(path, "internal", &[("rid", rid)]));
}

/// A same-site path to return to after login; anything else becomes `/`.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://");
    if ok {
        next
    } else {
        "/"
    }
}

/// The caller's live session, if any.
pub async fn session() -> Option<Session> {
    let header = parts().and_then(|p| {
        p.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(auth::session::token_from_header)
    })?;
    match auth::session::resolve(&state(), &header).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            None
        }
    }
}

/// Why a page cannot be shown.
#[derive(Debug)]
pub enum PageError {
    /// No session of the right kind: go to the login page.
    Login,
    NotFound,
    Internal(String),
}

impl PageError {
    /// Logs an unexpected failure and returns the reference shown to the person.
    pub fn internal(e: &dyn std::fmt::Display) -> Self {
        let rid = request_id();
        tracing::error!(request_id = %rid, error = %e, "page failed");
        PageError::Internal(rid)
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(&e)
    }
}

impl From<anyhow::Error> for PageError {
    fn from(e: anyhow::Error) -> Self {
        Self::internal(&e)
    }
}

/// The customer asking, or `PageError::Login`. A staff session is not a customer session.
pub async fn require_customer() -> Result<String, PageError> {
    match session().await.map(|s| s.principal) {
        Some(Principal::Customer { customer_id }) => Ok(customer_id),
        _ => Err(PageError::Login),
    }
}

/// The member of staff asking, or `PageError::Login`.
pub async fn require_staff() -> Result<String, PageError> {
    match session().await.map(|s| s.principal) {
        Some(Principal::Staff { staff_id }) => Ok(staff_id),
        _ => Err(PageError::Login),
    }
}
