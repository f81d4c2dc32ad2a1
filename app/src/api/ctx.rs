//! Request context for server functions and pages: the app state, the caller, the
//! response. Errors carry codes; `error_url` builds the redirect that shows one.

use crate::backend::auth::caller::Refused;
use crate::backend::auth::{Action, Caller, LinkScope, Session};
use crate::backend::{AppState, ClientIp, RequestId};
use crate::model::{ErrorCode, Permission, StaffRole};
use http::header::{HeaderValue, SET_COOKIE};
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

/// Keeps what a person typed into a form that came back with an error (the phone number
/// after a wrong password), so they need not type it again: an HttpOnly cookie for that
/// page only, for 5 minutes. `None` forgets it.
pub fn remember_for(page: &'static str, name: &'static str, value: Option<&str>) {
    let max_age = if value.is_some() { 300 } else { 0 };
    set_cookie(&crate::backend::cookie_header(
        &state().config,
        name,
        value.unwrap_or_default(),
        page,
        Some(max_age),
    ));
}

/// A value kept by `remember_for`, if the request carries it.
pub fn remembered(name: &str) -> Option<String> {
    crate::backend::cookie_value(&parts()?.headers, name)
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
pub fn error_url(path: &str, code: ErrorCode, extra: &[(&str, String)]) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}error={}", code.as_str());
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
    mark_storage_failure(err);
    go(&error_url(path, ErrorCode::Internal, &[("rid", rid)]));
}

/// The response header by which a failure tells the HTTP layer that the storage failed
/// (the server turns such a response into the 503 and removes the header).
pub const STORAGE_FAILED_HEADER: &str = "x-anxin-storage-failed";

fn mark_storage_failure(err: &dyn std::fmt::Display) {
    if crate::backend::store::is_storage_failure(&format!("{err:#}")) {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.insert_header(
                http::HeaderName::from_static(STORAGE_FAILED_HEADER),
                HeaderValue::from_static("1"),
            );
        }
    }
}

/// A same-site path to return to after login; anything else becomes `/`.
pub fn safe_next(next: &str) -> &str {
    // Browsers drop tabs and line breaks from URLs: "/\t/evil.example" is "//evil.example".
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
        && !next.chars().any(|c| c.is_control());
    if ok {
        next
    } else {
        "/"
    }
}

/// Who is asking, as the server's middleware decided once for this request. A request
/// that did not pass through it (none should) is anonymous.
pub fn caller() -> Caller {
    parts()
        .and_then(|p| p.extensions.get::<Caller>().cloned())
        .unwrap_or_default()
}

/// The caller's live session, if any.
pub async fn session() -> Option<Session> {
    caller().session().cloned()
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
        mark_storage_failure(e);
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

/// The customer whose pages these are, or `PageError::Login`: the customer, or the
/// customer staff are viewing as (reading only). A staff session alone is not a customer.
pub async fn require_customer() -> Result<String, PageError> {
    require_customer_session().await.map(|(_, id)| id)
}

/// The reading customer's id and the session (for step-up checks: a member of staff
/// viewing as the customer has never passed one, so numbers stay masked).
pub async fn require_customer_session() -> Result<(Session, String), PageError> {
    let caller = caller();
    let id = caller
        .reading_customer()
        .map_err(|_| PageError::Login)?
        .to_owned();
    let session = caller.session().cloned().ok_or(PageError::Login)?;
    Ok((session, id))
}

/// The customer doing `action` in their own name, with their session; refused for staff
/// viewing as them (unless the action is assisted) and for everyone else.
pub fn require_acting(action: Action) -> Result<(Session, String), Refused> {
    let caller = caller();
    let id = caller.acting_customer(action)?.to_owned();
    let session = caller.session().cloned().ok_or(Refused::NotSignedIn)?;
    Ok((session, id))
}

/// Sends a refused form post where it belongs: to sign in, or back to `back` saying that
/// only the customer may do this. The server function then has nothing more to do.
pub fn go_refused(back: &str, r: Refused) -> Result<(), ServerFnError> {
    match r {
        Refused::NotSignedIn => go("/login"),
        Refused::Impersonating => go(&error_url(back, ErrorCode::ReadOnly, &[])),
        Refused::Forbidden => go(&error_url(back, ErrorCode::Forbidden, &[])),
    }
    Ok(())
}

/// A customer, staff viewing as one, or someone who came by a renewal short link and
/// passed its check.
pub struct RenewalCaller {
    pub session: Session,
    pub customer_id: String,
    /// For a short-link session: the one policy it may see and pay.
    pub only_policy: Option<String>,
    /// Staff viewing as the customer: may look, never pay.
    pub read_only: bool,
}

impl RenewalCaller {
    /// May this caller do `action` here? Staff viewing as the customer only when assisted.
    pub fn may_act(&self, action: Action) -> Result<(), Refused> {
        if self.read_only && !action.assisted() {
            return Err(Refused::Impersonating);
        }
        Ok(())
    }

    /// May this caller see this policy's renewal?
    pub fn may_see(&self, policy_id: &str) -> bool {
        self.only_policy.as_deref().is_none_or(|p| p == policy_id)
    }
}

pub async fn require_customer_or_renewal_link() -> Result<RenewalCaller, PageError> {
    let caller = caller();
    let session = caller.session().cloned().ok_or(PageError::Login)?;
    match &caller {
        Caller::Customer { customer_id, .. } | Caller::Impersonating { customer_id, .. } => {
            Ok(RenewalCaller {
                session,
                customer_id: customer_id.clone(),
                only_policy: None,
                read_only: matches!(caller, Caller::Impersonating { .. }),
            })
        }
        Caller::Link {
            customer_id,
            scope: LinkScope::Renewal { policy_id },
            ..
        } => Ok(RenewalCaller {
            session,
            customer_id: customer_id.clone(),
            only_policy: Some(policy_id.clone()),
            read_only: false,
        }),
        _ => Err(PageError::Login),
    }
}

/// Who a service page (booking, roadside help) is for: the customer (or staff viewing as
/// them), or someone who came by a booking or roadside short link and passed its check,
/// who may use that one policy only (`only_policy`).
pub struct ServiceCaller {
    pub customer_id: String,
    pub only_policy: Option<String>,
}

impl ServiceCaller {
    pub fn may_use(&self, policy_id: &str) -> bool {
        self.only_policy.as_deref().is_none_or(|p| p == policy_id)
    }
}

/// The link scope that lets a short-link session do `action`: booking or roadside help.
fn link_policy(scope: &LinkScope, action: Action) -> Option<&str> {
    match (scope, action) {
        (LinkScope::Booking { policy_id }, Action::Book)
        | (LinkScope::Roadside { policy_id }, Action::RequestRoadside) => Some(policy_id),
        _ => None,
    }
}

/// For a short-link session: its customer and policy if its scope allows `action`
/// (`Some(None)` if it does not); `None` for every other caller.
fn by_link(caller: &Caller, action: Action) -> Option<Option<ServiceCaller>> {
    let (customer_id, scope) = caller.link()?;
    Some(link_policy(scope, action).map(|p| ServiceCaller {
        customer_id: customer_id.to_owned(),
        only_policy: Some(p.to_owned()),
    }))
}

/// The reader of a service page about `action` (`Book` or `RequestRoadside`).
pub fn require_service_reader(action: Action) -> Result<ServiceCaller, PageError> {
    let caller = caller();
    if let Some(link) = by_link(&caller, action) {
        return link.ok_or(PageError::Login);
    }
    caller
        .reading_customer()
        .map(|c| ServiceCaller {
            customer_id: c.to_owned(),
            only_policy: None,
        })
        .map_err(|_| PageError::Login)
}

/// The customer doing `action` (`Book` or `RequestRoadside`) in their own name, or by a
/// booking or roadside link for its one policy; refused for staff viewing as them.
pub fn require_service_actor(action: Action) -> Result<ServiceCaller, Refused> {
    let caller = caller();
    if let Some(link) = by_link(&caller, action) {
        return link.ok_or(Refused::NotSignedIn);
    }
    caller.acting_customer(action).map(|c| ServiceCaller {
        customer_id: c.to_owned(),
        only_policy: None,
    })
}

/// A form posted about something the caller may not act on: change nothing and send the
/// browser to that thing's page, which applies the same scoping, so that a thing that is
/// not theirs gets the 404 page (and their own thing simply its page). A 404 from the
/// server function itself would reach a browser as an empty page: leptos_axum answers
/// form posts with a redirect to the referrer.
pub fn go_not_found(page: &str) {
    go(page);
}

/// The member of staff asking (any role), or `PageError::Login`.
pub async fn require_staff() -> Result<(String, StaffRole), PageError> {
    caller()
        .staff()
        .map(|(id, role)| (id.to_owned(), role))
        .map_err(|_| PageError::Login)
}

/// The member of staff asking, if their role has `permission`: `PageError::Login` for
/// anyone else, and the 404 page for staff without it (a page they cannot use is not
/// shown to exist).
pub async fn require_staff_with(permission: Permission) -> Result<String, PageError> {
    match caller().staff_with(permission) {
        Ok((id, _)) => Ok(id.to_owned()),
        Err(Refused::Forbidden) => Err(PageError::NotFound),
        Err(_) => Err(PageError::Login),
    }
}
