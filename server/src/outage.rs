//! When the fault is ours (the database away, read-only or full), people are told so at
//! once with a 503 in their language and a `Retry-After`, never sent to sign in again,
//! and nothing is half-done: every change runs in a transaction that the failure rolled
//! back, and on a read-only database no change runs at all.
//!
//! Failures are explained after the fact: a request whose failure said the storage failed
//! (`ctx::STORAGE_FAILED_HEADER`), or that ended in a server error (a page's 500, a form
//! sent back with `error=internal`) while the database is not ready (`Db::readiness`,
//! shared by requests failing together), gets the 503. The cost falls on failures only.

use app::backend::store::Readiness;
use app::backend::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, LOCATION, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use std::time::Duration;

/// How long a person (or a program) is asked to wait before trying again.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The readiness check's own time limit: a load balancer waits no longer.
pub const CHECK_WITHIN: Duration = Duration::from_secs(1);

/// The 503 for a request to `path`: a page for people, the server-function error format
/// for programs calling `/api/…`.
pub fn response(request: &HeaderMap, path: &str) -> Response {
    let for_program = path.starts_with("/api/")
        && !request
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let mut res = if for_program {
        crate::server_fns::for_program(
            StatusCode::SERVICE_UNAVAILABLE,
            leptos::prelude::ServerFnError::ServerError("unavailable".into()),
            path,
        )
    } else {
        crate::refusal::page(
            StatusCode::SERVICE_UNAVAILABLE,
            request,
            "error.unavailable_title",
            "error.unavailable",
        )
    };
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}

/// Paths that answer for themselves (health checks) or need no database (built assets).
fn exempt(path: &str) -> bool {
    path == "/health" || path.starts_with("/health/") || path.starts_with("/pkg/")
}

fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a response says the server failed: a 500, or a form sent back to its page
/// with the internal-error code.
fn failed(res: &Response) -> bool {
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return true;
    }
    res.status().is_redirection()
        && res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.contains("error=internal"))
}

/// The middleware: refuses changes up front on a read-only database and turns a failure
/// the database explains into the 503.
pub async fn explain(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if exempt(&path) {
        return next.run(req).await;
    }
    let headers = req.headers().clone();
    if changes_something(req.method()) && refuses_changes(&state).await {
        return response(&headers, &path);
    }
    let res = next.run(req).await;
    if res
        .headers()
        .contains_key(app::api::ctx::STORAGE_FAILED_HEADER)
    {
        tracing::warn!(%path, "request failed: the storage failed");
        return response(&headers, &path);
    }
    if !failed(&res) {
        return res;
    }
    match state.db.readiness(CHECK_WITHIN).await {
        Readiness::Ready => res,
        other => {
            tracing::warn!(%path, state = other.as_str(), "request failed: database not ready");
            response(&headers, &path)
        }
    }
}

/// A read-only database, or a SQLite file at its quota: no change starts that could not
/// finish. The quota is checked (at most once a second) only where one is set.
async fn refuses_changes(state: &AppState) -> bool {
    state.db.read_only
        || (state.db.has_quota && state.db.readiness(CHECK_WITHIN).await == Readiness::Full)
}

/// `/health/live`: the process is up and answering.
pub async fn live() -> &'static str {
    "live"
}

/// `/health/ready` (and `/health`): the database answers, within a second. A load
/// balancer sends nobody to an instance answering 503.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.db.readiness(CHECK_WITHIN).await {
        Readiness::Ready => (StatusCode::OK, "ready").into_response(),
        other => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS))],
            other.as_str(),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect_to(location: &str) -> Response {
        (StatusCode::FOUND, [(LOCATION, location.to_owned())]).into_response()
    }

    #[test]
    fn only_server_failures_are_explained() {
        assert!(failed(&StatusCode::INTERNAL_SERVER_ERROR.into_response()));
        assert!(failed(&redirect_to("/login?error=internal&rid=ab12")));
        assert!(!failed(&redirect_to("/login?error=bad_password")));
        assert!(!failed(&StatusCode::NOT_FOUND.into_response()));
        assert!(!failed(&StatusCode::OK.into_response()));
    }

    #[test]
    fn programs_get_the_server_function_format_and_people_a_page() {
        let mut h = HeaderMap::new();
        let res = response(&h, "/api/pay");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER));
        assert_eq!(res.headers()[RETRY_AFTER], "5");
        h.insert(ACCEPT, HeaderValue::from_static("text/html"));
        let res = response(&h, "/api/pay");
        assert!(!res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER));
        assert_eq!(res.headers()[RETRY_AFTER], "5");
    }
}
