//! The `/api/…` route: runs a server function and, when the framework itself answers with
//! an error (its arguments did not decode: a field missing from the form), turns that
//! into something a person can read. Left alone, a plain form post would be redirected to
//! the referring page with the Rust error in `__err`, which no page shows, or to `/`.
//!
//! Our server functions never fail themselves: they redirect with an error code. So any
//! error answer here comes from before or around them.

use crate::cross_site::OurOrigin;
use app::backend::RequestId;
use app::model::ErrorCode;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, CONTENT_TYPE, LOCATION, REFERER};
use http::{HeaderMap, HeaderValue, StatusCode};
use leptos::prelude::ServerFnError;
use leptos::server_fn::error::{FromServerFnError, SERVER_FN_ERROR_HEADER};

/// The query parameters a page is sent back with; an older set is dropped before a new
/// one is added.
const RESULT_PARAMS: &[&str] = &[
    "error", "reason", "until", "rid", "saved", "__err", "__path",
];

pub async fn handle(
    provide: impl Fn() + Clone + Send + 'static,
    ours: OurOrigin,
    req: Request,
) -> Response {
    let known = leptos::server_fn::axum::server_fn_paths()
        .any(|(path, method)| path == req.uri().path() && method == req.method());
    if !known {
        return crate::refusal::page(
            StatusCode::NOT_FOUND,
            req.headers(),
            "error.not_found_title",
            "error.not_found",
        );
    }
    let form_post = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let back = back_to(req.headers(), &ours);
    let headers = req.headers().clone();
    let rid = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let path = req.uri().path().to_owned();

    let res = leptos_axum::handle_server_fns_with_context(provide, req)
        .await
        .into_response();
    if !res.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return res;
    }
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let unreadable_form = match <ServerFnError>::de(body) {
        ServerFnError::Args(_)
        | ServerFnError::MissingArg(_)
        | ServerFnError::Deserialization(_) => {
            // The decoder's message may quote what was typed: log only that it happened.
            tracing::warn!(%path, "server function arguments did not decode");
            true
        }
        other => {
            tracing::error!(%path, request_id = %rid, error = %other, "server function failed");
            false
        }
    };

    match (form_post, back, unreadable_form) {
        (true, Some(page), true) => {
            let missing = format!("error={}", ErrorCode::MissingField.as_str());
            redirect(&with_result(&page, &missing))
        }
        (true, Some(page), false) => {
            let internal = format!("error={}&rid={rid}", ErrorCode::Internal.as_str());
            redirect(&with_result(&page, &internal))
        }
        (true, None, true) => crate::refusal::page(
            StatusCode::BAD_REQUEST,
            &headers,
            "error.bad_form_title",
            &ErrorCode::MissingField.key(),
        ),
        (true, None, false) => crate::refusal::page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &headers,
            "error.server_title",
            "error.server",
        ),
        // A program calling us: the server function error format, carrying only a code.
        (false, _, true) => for_program(
            StatusCode::BAD_REQUEST,
            ServerFnError::Args("missing_field".into()),
            &path,
        ),
        (false, _, false) => for_program(
            StatusCode::INTERNAL_SERVER_ERROR,
            ServerFnError::ServerError(format!("internal {rid}")),
            &path,
        ),
    }
}

/// The path (and query) of the page the form was on, when that page is ours.
fn back_to(headers: &HeaderMap, ours: &OurOrigin) -> Option<String> {
    let referer = headers.get(REFERER)?.to_str().ok()?;
    if !ours.matches(referer, headers) {
        return None;
    }
    let (_, rest) = referer.split_once("://")?;
    let start = rest.find(['/', '?'])?;
    let page = rest[start..].split('#').next().unwrap_or("");
    let page = if page.starts_with('?') {
        format!("/{page}")
    } else {
        page.to_owned()
    };
    // `ours.matches` saw our host; the path must not lead elsewhere (`//evil.example`).
    (app::api::ctx::safe_next(&page) == page).then_some(page)
}

/// `page` with an earlier result's parameters replaced by `result`.
fn with_result(page: &str, result: &str) -> String {
    let (path, query) = page.split_once('?').unwrap_or((page, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            !key.is_empty() && !RESULT_PARAMS.contains(&key)
        })
        .collect();
    if kept.is_empty() {
        format!("{path}?{result}")
    } else {
        format!("{path}?{}&{result}", kept.join("&"))
    }
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(LOCATION, v)]).into_response(),
        Err(_) => (
            StatusCode::FOUND,
            [(LOCATION, HeaderValue::from_static("/"))],
        )
            .into_response(),
    }
}

pub(crate) fn for_program(status: StatusCode, err: ServerFnError, path: &str) -> Response {
    let mut res = (status, err.ser()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(path) {
        headers.insert(SERVER_FN_ERROR_HEADER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referer(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(REFERER, value.parse().unwrap());
        h.insert(http::header::HOST, "127.0.0.1:4321".parse().unwrap());
        h
    }

    fn back(value: &str) -> Option<String> {
        back_to(
            &referer(value),
            &OurOrigin::from_public_url("https://anxin.example"),
        )
    }

    #[test]
    fn goes_back_only_to_our_own_pages() {
        assert_eq!(
            back("https://anxin.example/login?next=%2Fpolicies#top").as_deref(),
            Some("/login?next=%2Fpolicies")
        );
        assert_eq!(
            back("https://127.0.0.1:4321/settings/notifications").as_deref(),
            Some("/settings/notifications")
        );
        assert_eq!(back("https://anxin.example?x=1").as_deref(), Some("/?x=1"));
        assert_eq!(back("https://anxin.example"), None);
        assert_eq!(back("https://evil.example/login"), None);
        assert_eq!(back("https://anxin.example//evil.example/x"), None);
        assert_eq!(back("/login"), None);
    }

    #[test]
    fn an_earlier_result_is_replaced() {
        assert_eq!(
            with_result("/login", "error=missing_field"),
            "/login?error=missing_field"
        );
        assert_eq!(
            with_result(
                "/login?next=%2F&error=locked&until=9",
                "error=missing_field"
            ),
            "/login?next=%2F&error=missing_field"
        );
        assert_eq!(with_result("/s?saved=1&", "error=x"), "/s?error=x");
    }
}
