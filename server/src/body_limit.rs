//! The largest request body a route group accepts. A body over it gets a 413 page in the
//! person's language before any handler reads it; under it, the handler gets it whole.
//! Each route group sets its own limit: forms and server functions carry a few fields,
//! webhooks a small JSON document, and claim uploads will take 10 MB a file.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use std::pin::Pin;
use std::time::Duration;

/// Forms and server functions.
pub const FORMS: usize = 64 * 1024;
/// The payment and SMS providers' callbacks.
pub const WEBHOOKS: usize = 64 * 1024;
/// Claim reports and document uploads: a few photos of up to 10 MB each
/// (`domain::uploads::MAX_BYTES` is checked per file).
pub const UPLOADS: usize = 40 * 1024 * 1024;

/// How much of a refused body we still read (and drop) so that the browser, still
/// sending, gets to show our page rather than "connection reset"; beyond it we hang up.
const DRAIN_AT_MOST: usize = 16 * 1024 * 1024;
const DRAIN_FOR: Duration = Duration::from_secs(10);

enum Refused {
    TooLarge,
    /// The client stopped sending or sent a broken body.
    Unreadable,
}

pub async fn refuse_larger(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (parts, mut body) = req.into_parts();
    let read = if declared.is_some_and(|n| n > limit as u64) {
        Err(Refused::TooLarge)
    } else {
        read_at_most(&mut body, limit).await
    };
    match read {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        // A body cut off mid-way: never a silent nothing.
        Err(Refused::Unreadable) => crate::refusal::page(
            StatusCode::BAD_REQUEST,
            &parts.headers,
            "error.bad_form_title",
            &app::model::ErrorCode::MissingField.key(),
        ),
        Err(Refused::TooLarge) => {
            tracing::warn!(path = %parts.uri.path(), limit, "request body too large");
            let _ = tokio::time::timeout(DRAIN_FOR, drain(&mut body, DRAIN_AT_MOST)).await;
            crate::refusal::page(
                StatusCode::PAYLOAD_TOO_LARGE,
                &parts.headers,
                "error.too_large_title",
                "error.too_large",
            )
        }
    }
}

/// The next frame's data (`None` for trailers), or `None` at the end of the body.
async fn next_data(body: &mut Body) -> Option<Result<Option<Bytes>, axum::Error>> {
    let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
    Some(frame.map(|f| f.into_data().ok()))
}

/// The body's bytes, or `TooLarge` as soon as it passes `limit`.
async fn read_at_most(body: &mut Body, limit: usize) -> Result<Bytes, Refused> {
    let mut buf = Vec::new();
    while let Some(data) = next_data(body).await {
        if let Some(data) = data.map_err(|_| Refused::Unreadable)? {
            if buf.len() + data.len() > limit {
                return Err(Refused::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// Reads and drops what is left of a body, up to about `at_most` bytes.
async fn drain(body: &mut Body, at_most: usize) {
    let mut seen = 0;
    while seen <= at_most {
        match next_data(body).await {
            Some(Ok(data)) => seen += data.map_or(0, |d| d.len()),
            _ => break,
        }
    }
}
