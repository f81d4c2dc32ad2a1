//! Headers that tell the browser how little to trust and keep: a Content Security Policy
//! with a fresh nonce for every response, `no-store` on anything personal, and HSTS when we
//! are served over https.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, SET_COOKIE,
    STRICT_TRANSPORT_SECURITY,
};
use http::HeaderValue;
use leptos::nonce::Nonce;

/// Pages that show nothing personal to a visitor without a cookie.
const PUBLIC_PAGES: &[&str] = &["/login", "/activate", "/staff/login"];

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Only when the public URL is https: HSTS over plain http would be ignored at best.
    pub hsts: bool,
}

/// Scripts only from us, plus the one inline module script that wakes the islands (it
/// carries the nonce; `'wasm-unsafe-eval'` lets it compile the wasm). Styles only from our
/// stylesheet: no page uses inline styles (the e-policy's QR code is SVG markup with
/// presentation attributes, which a style policy does not govern).
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

/// Puts a new nonce into the request (the app hands it to Leptos, which stamps it on the
/// hydration scripts) and the matching policy on the response.
pub async fn set(State(settings): State<Settings>, mut req: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let path = req.uri().path();
    let server_fn = path.starts_with("/api/");
    let public = PUBLIC_PAGES.contains(&path) && !req.headers().contains_key(COOKIE);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(CONTENT_SECURITY_POLICY, v);
    }
    // Pages are drawn for one person (and carry a one-time nonce); server functions
    // answer one person; a response that sets a cookie belongs to whoever gets it. A
    // public page asked for without a cookie is the same for everyone: a cache may keep
    // it but must ask again each time. (Static files have their own headers.)
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let sets_cookie = headers.contains_key(SET_COOKIE);
    if html && public && !sets_cookie {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    } else if html || server_fn || sets_cookie {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if settings.hsts {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}
