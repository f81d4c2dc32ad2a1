//! Refuses state-changing requests that another site made the browser send.
//!
//! `SameSite=Lax` cookies still travel with a form posted from another port or another
//! subdomain of ours (they are the "same site"), so a page there could log a customer out
//! everywhere or change their notification settings. Browsers say where a request comes
//! from in `Origin` and `Sec-Fetch-Site`; we believe them. A request with neither header is
//! not from a browser and carries no one's cookies by accident, so it passes.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, Method, StatusCode};

/// The signed webhooks are called by our providers' servers, never by a browser.
const SIGNED_WEBHOOKS: &[&str] = &["/webhooks/payments", "/webhooks/sms"];

/// Where people reach us, as a browser writes it in `Origin`: `https://anxin.example`.
#[derive(Clone, Debug)]
pub struct OurOrigin(String);

impl OurOrigin {
    /// From the configured public URL (`ANXIN_PUBLIC_URL`).
    pub fn from_public_url(url: &str) -> Self {
        Self(normalize(url).unwrap_or_default())
    }

    /// Whether `origin` (an `Origin` value, or the start of a `Referer`) is us: the public
    /// URL, or the host this request was sent to (tests and direct access on a port).
    pub fn matches(&self, origin: &str, headers: &HeaderMap) -> bool {
        let Some(origin) = normalize(origin) else {
            return false; // `null`, or nothing like an origin
        };
        if !self.0.is_empty() && origin == self.0 {
            return true;
        }
        let host = headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        // The host this request was sent to, under our public URL's scheme only: an
        // `http://` origin is not us when we are served over https.
        let scheme = self.0.split_once("://").map_or("http", |(s, _)| s);
        host.is_some_and(|host| {
            normalize(&format!("{scheme}://{host}")).is_some_and(|ours| ours == origin)
        })
    }
}

/// `scheme://host[:port]` in lower case, the default port dropped; `None` for anything
/// that is not an http(s) origin (including `null`).
fn normalize(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.strip_suffix(default_port).unwrap_or(authority);
    Some(format!("{scheme}://{authority}"))
}

/// Whether a browser sent this request on another site's behalf.
pub fn is_foreign(method: &Method, path: &str, headers: &HeaderMap, ours: &OurOrigin) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || SIGNED_WEBHOOKS.contains(&path)
    {
        return false;
    }
    // `same-site` is another subdomain or port: not us.
    let fetch_site_foreign = headers
        .get("sec-fetch-site")
        .is_some_and(|v| !matches!(v.as_bytes(), b"same-origin" | b"none"));
    let origin_foreign = headers
        .get(http::header::ORIGIN)
        .is_some_and(|v| !v.to_str().is_ok_and(|o| ours.matches(o, headers)));
    fetch_site_foreign || origin_foreign
}

/// Answers a foreign state-changing request with a 403 page and never runs the handler.
pub async fn refuse_foreign(State(ours): State<OurOrigin>, req: Request, next: Next) -> Response {
    if is_foreign(req.method(), req.uri().path(), req.headers(), &ours) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return crate::refusal::page(
            StatusCode::FORBIDDEN,
            req.headers(),
            "error.cross_site_title",
            "error.cross_site",
        );
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn foreign(method: Method, path: &str, pairs: &[(&'static str, &str)]) -> bool {
        let ours = OurOrigin::from_public_url("https://anxin.example/");
        is_foreign(&method, path, &headers(pairs), &ours)
    }

    #[test]
    fn our_own_origin_passes() {
        assert!(!foreign(
            Method::POST,
            "/api/logout",
            &[("origin", "https://anxin.example")]
        ));
        assert!(!foreign(
            Method::POST,
            "/api/logout",
            &[("origin", "HTTPS://Anxin.Example:443")]
        ));
        let on_a_port = [
            ("origin", "https://127.0.0.1:4321"),
            ("host", "127.0.0.1:4321"),
        ];
        assert!(!foreign(Method::POST, "/api/logout", &on_a_port));
        // The same host over plain http is not us when we are served over https.
        let downgraded = [
            ("origin", "http://127.0.0.1:4321"),
            ("host", "127.0.0.1:4321"),
        ];
        assert!(foreign(Method::POST, "/api/logout", &downgraded));
    }

    #[test]
    fn other_origins_and_null_are_foreign() {
        for origin in [
            "http://evil.example",
            "null",
            "https://anxin.example.evil.example",
            "https://shop.anxin.example",
            "http://anxin.example",
            "https://anxin.example:8443",
            "",
        ] {
            assert!(
                foreign(Method::POST, "/api/logout", &[("origin", origin)]),
                "{origin}"
            );
        }
        let other_port = [
            ("origin", "http://127.0.0.1:9999"),
            ("host", "127.0.0.1:4321"),
        ];
        assert!(foreign(Method::POST, "/api/logout", &other_port));
    }

    #[test]
    fn fetch_metadata_other_than_same_origin_or_none_is_foreign() {
        for site in ["cross-site", "same-site", "anything"] {
            assert!(
                foreign(Method::POST, "/api/x", &[("sec-fetch-site", site)]),
                "{site}"
            );
        }
        for site in ["same-origin", "none"] {
            assert!(
                !foreign(Method::POST, "/api/x", &[("sec-fetch-site", site)]),
                "{site}"
            );
        }
        let mixed = [
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://evil.example"),
        ];
        assert!(foreign(Method::POST, "/api/x", &mixed));
    }

    #[test]
    fn reads_webhooks_and_clients_without_headers_pass() {
        let evil = [
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ];
        assert!(!foreign(Method::GET, "/policies", &evil));
        assert!(!foreign(Method::HEAD, "/policies", &evil));
        assert!(!foreign(Method::POST, "/webhooks/payments", &evil));
        assert!(!foreign(Method::POST, "/webhooks/sms", &evil));
        assert!(foreign(Method::POST, "/webhooks/payments/x", &evil));
        assert!(!foreign(Method::POST, "/api/logout", &[]));
    }
}
