//! Complaint and question cases: the server functions behind their forms, and the page
//! data. The customer's functions refuse staff viewing as them (`Action::ActOnCase`);
//! the handlers' need `Permission::HandleCases`, a second extension `ExtendCases`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::{Action, Caller, LinkScope, Refused},
    crate::backend::domain::cases::{
        parse_staff_name, CaseText, ExtendError, ExtensionReason, RootCause,
    },
    crate::backend::services::cases::{self as svc, About, CaseError, NewCase, StaffMove},
    crate::model::{CaseCategory, CaseKind, CaseState, ErrorCode, Permission},
};

/// `/cases`: the customer's complaints and questions.
pub const CASES: &str = "/cases";
pub const NEW_CASE: &str = "/cases/new";
pub const STAFF_CASES: &str = "/staff/cases";

pub fn case_path(id: &str) -> String {
    format!("/cases/{id}")
}

pub fn staff_case_path(id: &str) -> String {
    format!("/staff/cases/{id}")
}

/// Sends a refused case action back with its code (or to the page, which shows the 404).
#[cfg(feature = "ssr")]
fn go_case_error(back: &str, e: CaseError) {
    match (case_error_code(&e), e) {
        (Some(code), _) => ctx::go(&ctx::error_url(back, code, &[])),
        (None, CaseError::Internal(e)) => ctx::go_internal_error(back, &e),
        (None, _) => ctx::go_not_found(back),
    }
}

/// The outcome of a case action: on success to `back?done=…`, otherwise back with a code.
#[cfg(feature = "ssr")]
fn finish(back: &str, done: &str, r: Result<(), CaseError>) -> Result<(), ServerFnError> {
    match r {
        Ok(()) => ctx::go(&format!("{back}?done={done}")),
        Err(e) => go_case_error(back, e),
    }
    Ok(())
}

/// Text the person wrote, or the redirect that says it is not right.
#[cfg(feature = "ssr")]
fn case_text(back: &str, text: &str) -> Option<CaseText> {
    let parsed = CaseText::parse(text);
    if parsed.is_none() {
        ctx::go(&ctx::error_url(back, ErrorCode::CaseText, &[]));
    }
    parsed
}

/// Where the forms that carry files post (plain multipart routes of the server's: a
/// server function cannot take files without JavaScript).
pub const OPEN_PATH: &str = "/cases/open";

pub fn reply_path(id: &str) -> String {
    format!("/cases/{id}/reply")
}

pub fn file_path(case_id: &str, file_id: &str) -> String {
    format!("/cases/{case_id}/files/{file_id}")
}

/// The new-case form's text fields as posted, and as kept in a draft when the form comes
/// back with an error (`store::drafts`).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CaseFields {
    pub kind: String,
    /// `category:id` (the id one of the customer's policies, claims, payments or bookings,
    /// or empty).
    pub about: String,
    pub body: String,
    /// A complaint about a member of staff names one of those who served the customer…
    pub about_staff: String,
    /// …or a name in the customer's words.
    pub about_name: String,
}

/// The draft's name in `form_drafts`.
#[cfg(feature = "ssr")]
pub const NEW_CASE_DRAFT: &str = "case_new";

/// Parses the new-case form, or says which field is wrong.
#[cfg(feature = "ssr")]
pub fn parse_new_case(f: &CaseFields) -> Result<NewCase, ErrorCode> {
    let (category, subject) = f.about.split_once(':').unwrap_or((f.about.as_str(), ""));
    let (Some(kind), Some(category)) = (CaseKind::parse(&f.kind), CaseCategory::parse(category))
    else {
        return Err(ErrorCode::CaseKind);
    };
    let subject = super::auth::urlsafe(subject);
    let staff = super::auth::urlsafe(&f.about_staff);
    let named = parse_staff_name(&f.about_name);
    let about = match (category, staff.is_empty(), named) {
        (CaseCategory::Staff, false, _) => About::Staff(staff),
        (CaseCategory::Staff, true, Some(name)) => About::Named(name),
        (CaseCategory::Staff, true, None) => return Err(ErrorCode::CaseStaff),
        _ => About::Nobody,
    };
    let body = CaseText::parse(&f.body).ok_or(ErrorCode::CaseText)?;
    Ok(NewCase {
        kind,
        category,
        subject_id: (!subject.is_empty() && category != CaseCategory::Staff).then_some(subject),
        about,
        body,
    })
}

/// The code a refused case action is told with; `None` for "not found" (the page then
/// shows the 404) and for an internal error (logged by the caller).
#[cfg(feature = "ssr")]
pub fn case_error_code(e: &CaseError) -> Option<ErrorCode> {
    Some(match e {
        CaseError::NotFound | CaseError::Internal(_) => return None,
        CaseError::Conflict | CaseError::Illegal(_) | CaseError::Extend(ExtendError::NotOpen) => {
            ErrorCode::CaseMoved
        }
        CaseError::NotOwner => ErrorCode::CaseNotOwner,
        CaseError::ComplainedAbout(_) => ErrorCode::CaseComplainedAbout,
        CaseError::ReopenWindow => ErrorCode::ReopenWindow,
        CaseError::Extend(ExtendError::NeedsApproval) => ErrorCode::ExtensionApproval,
        CaseError::Extend(ExtendError::NoMore) => ErrorCode::ExtensionMax,
        CaseError::Subject => ErrorCode::CaseSubject,
    })
}

/// How the caller may use a customer's case page.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseAccess {
    /// The customer, signed in: everything.
    Owner,
    /// Came by the case's short link: this case, read and reply only.
    Link,
    /// Staff viewing as the customer: read only.
    Viewing,
    /// Case handlers (the file route only).
    Staff,
}

#[cfg(feature = "ssr")]
impl CaseAccess {
    pub fn may_reply(self) -> bool {
        matches!(self, Self::Owner | Self::Link)
    }
}

/// The customer whose case `case_id` the caller may read, and how (`None`: a case handler,
/// any customer's); an error when this caller may not (a 404 or the sign-in page).
#[cfg(feature = "ssr")]
pub fn case_reader(
    caller: &Caller,
    case_id: &str,
) -> Result<(Option<String>, CaseAccess), PageError> {
    match caller {
        Caller::Customer { customer_id, .. } => Ok((Some(customer_id.clone()), CaseAccess::Owner)),
        Caller::Impersonating { customer_id, .. } => {
            Ok((Some(customer_id.clone()), CaseAccess::Viewing))
        }
        Caller::Link {
            customer_id,
            scope: LinkScope::Case { case_id: only },
            ..
        } if only == case_id => Ok((Some(customer_id.clone()), CaseAccess::Link)),
        Caller::Link {
            scope: LinkScope::Case { .. },
            ..
        } => Err(PageError::NotFound),
        Caller::Staff { role, .. } if role.can(Permission::HandleCases) => {
            Ok((None, CaseAccess::Staff))
        }
        _ => Err(PageError::Login),
    }
}

/// The customer writing on case `case_id`: themselves, or by the case's link.
#[cfg(feature = "ssr")]
pub fn case_replier(caller: &Caller, case_id: &str) -> Result<String, Refused> {
    match caller {
        Caller::Link {
            customer_id,
            scope: LinkScope::Case { case_id: only },
            ..
        } if only == case_id => Ok(customer_id.clone()),
        Caller::Link { .. } => Err(Refused::NotSignedIn),
        other => other.acting_customer(Action::ActOnCase).map(str::to_owned),
    }
}

/// The customer acting on case `case_id`: their id and the case page, or the redirect.
#[cfg(feature = "ssr")]
fn customer_on(case_id: &str) -> Result<(String, String), String> {
    let back = case_path(&super::auth::urlsafe(case_id));
    match ctx::require_acting(Action::ActOnCase) {
        Ok((_, customer_id)) => Ok((customer_id, back)),
        Err(r) => {
            let _ = ctx::go_refused(&back, r);
            Err(back)
        }
    }
}

/// 撤回 — the customer withdraws their open case.
#[server(prefix = "/api", endpoint = "withdraw_case")]
pub async fn withdraw_case(case_id: String) -> Result<(), ServerFnError> {
    let Ok((customer_id, back)) = customer_on(&case_id) else {
        return Ok(());
    };
    let id = super::auth::urlsafe(&case_id);
    let r = svc::withdraw(&ctx::state(), &customer_id, &id, &ctx::client_ip()).await;
    finish(&back, "withdrawn", r)
}

/// The customer does not accept the answer and says why: within 30 days of it.
#[server(prefix = "/api", endpoint = "reopen_case")]
pub async fn reopen_case(case_id: String, text: String) -> Result<(), ServerFnError> {
    let Ok((customer_id, back)) = customer_on(&case_id) else {
        return Ok(());
    };
    let Some(text) = case_text(&back, &text) else {
        return Ok(());
    };
    let id = super::auth::urlsafe(&case_id);
    let r = svc::reopen(&ctx::state(), &customer_id, &id, &text, &ctx::client_ip()).await;
    finish(&back, "reopened", r)
}

/// A case handler acting on `case_id`: (their id, whether they may approve a second
/// extension, the case id, the staff case page), or the redirect that refuses them.
#[cfg(feature = "ssr")]
fn handler_on(case_id: &str) -> Option<(String, bool, String, String)> {
    let id = super::auth::urlsafe(case_id);
    let back = staff_case_path(&id);
    match ctx::caller().staff_with(Permission::HandleCases) {
        Ok((staff_id, role)) => Some((
            staff_id.to_owned(),
            role.can(Permission::ExtendCases),
            id,
            back,
        )),
        Err(Refused::Forbidden) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::Forbidden, &[]));
            None
        }
        Err(_) => {
            ctx::go("/staff/login");
            None
        }
    }
}

/// 首问负责制: the first member of staff to take the case owns it.
#[server(prefix = "/api", endpoint = "take_case")]
pub async fn take_case(case_id: String) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let r = svc::take(&ctx::state(), &staff_id, &id, &ctx::client_ip()).await;
    finish(&back, "taken", r)
}

/// The owner acknowledges the case, starts work on it, or closes an answered one
/// (`to`: acknowledged, in_progress, closed).
#[server(prefix = "/api", endpoint = "move_case")]
pub async fn move_case(case_id: String, to: String) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let Some(m) = StaffMove::parse(&to) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::CaseMoved, &[]));
        return Ok(());
    };
    let r = svc::staff_move(&ctx::state(), &staff_id, &id, m, &ctx::client_ip()).await;
    finish(&back, &super::auth::urlsafe_path(&to), r)
}

/// The owner writes to the customer.
#[server(prefix = "/api", endpoint = "answer_case")]
pub async fn answer_case(case_id: String, text: String) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let Some(text) = case_text(&back, &text) else {
        return Ok(());
    };
    let r = svc::staff_reply(&ctx::state(), &staff_id, &id, &text, &ctx::client_ip()).await;
    finish(&back, "replied", r)
}

/// The owner's final answer, with the root cause.
#[server(prefix = "/api", endpoint = "resolve_case")]
pub async fn resolve_case(
    case_id: String,
    text: String,
    root_cause: String,
) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let Some(text) = case_text(&back, &text) else {
        return Ok(());
    };
    let Some(cause) = RootCause::parse(&root_cause) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::RootCause, &[]));
        return Ok(());
    };
    let r = svc::resolve(
        &ctx::state(),
        &staff_id,
        &id,
        &text,
        cause,
        &ctx::client_ip(),
    )
    .await;
    finish(&back, "resolved", r)
}

/// Moves the deadline, with the reason the customer reads: to 30 days by the owner, to 60
/// only by a supervisor, whose approval is recorded.
#[server(prefix = "/api", endpoint = "extend_case")]
pub async fn extend_case(case_id: String, reason: String) -> Result<(), ServerFnError> {
    let Some((staff_id, approver, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let Some(reason) = ExtensionReason::parse(&reason) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        return Ok(());
    };
    let state = ctx::state();
    let r = svc::extend(&state, &staff_id, approver, &id, &reason, &ctx::client_ip()).await;
    finish(&back, "extended", r)
}

/// The owner offers the case to another member of staff, who must accept it.
#[server(prefix = "/api", endpoint = "hand_over_case")]
pub async fn hand_over_case(case_id: String, to_staff: String) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let to = super::auth::urlsafe(&to_staff);
    if to.is_empty() {
        ctx::go(&ctx::error_url(&back, ErrorCode::HandoverTarget, &[]));
        return Ok(());
    }
    let r = svc::offer_handover(&ctx::state(), &staff_id, &id, &to, &ctx::client_ip()).await;
    let r = match r {
        Err(CaseError::Subject) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::HandoverTarget, &[]));
            return Ok(());
        }
        other => other,
    };
    finish(&back, "handover_offered", r)
}

/// The member of staff a case was offered to accepts it.
#[server(prefix = "/api", endpoint = "accept_case")]
pub async fn accept_case(case_id: String) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let r = svc::accept_handover(&ctx::state(), &staff_id, &id, &ctx::client_ip()).await;
    finish(&back, "handover_accepted", r)
}

/// The owner links a claim file the portal already holds to the case (instead of asking
/// the customer for it again).
#[server(prefix = "/api", endpoint = "link_case_document")]
pub async fn link_case_document(case_id: String, file_id: String) -> Result<(), ServerFnError> {
    let Some((staff_id, _, id, back)) = handler_on(&case_id) else {
        return Ok(());
    };
    let file_id = super::auth::urlsafe(&file_id);
    let r = svc::link_document(&ctx::state(), &staff_id, &id, &file_id, &ctx::client_ip()).await;
    let r = match r {
        Err(CaseError::Subject) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::CaseDocument, &[]));
            return Ok(());
        }
        other => other,
    };
    finish(&back, "linked", r)
}

/// Page data: the reading customer's cases.
#[cfg(feature = "ssr")]
pub async fn list() -> Result<Vec<crate::backend::store::cases::CaseRow>, PageError> {
    let customer_id = ctx::require_customer().await?;
    Ok(svc::list(&ctx::state(), &customer_id).await?)
}

/// Whether the caller is only viewing the customer's pages (staff as the customer).
#[cfg(feature = "ssr")]
fn read_only() -> bool {
    ctx::caller().acting_customer(Action::ActOnCase).is_err()
}

/// Page data: one of the reading customer's cases (anyone else's is a 404), and how the
/// caller may use it (by the case's short link: read and reply only).
#[cfg(feature = "ssr")]
pub async fn detail(id: &str) -> Result<(svc::CaseView, CaseAccess), PageError> {
    let (customer_id, access) = match case_reader(&ctx::caller(), id)? {
        (Some(c), access) => (c, access),
        // Case handlers have their own page of it.
        (None, _) => return Err(PageError::Login),
    };
    let view = svc::view(&ctx::state(), &customer_id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((view, access))
}

/// Page data: the new-case form's choices, what the caller typed before if the form came
/// back with an error, and whether the caller may only look.
#[cfg(feature = "ssr")]
pub async fn new_case_form() -> Result<(svc::CaseForm, CaseFields, bool), PageError> {
    let (session, customer_id) = ctx::require_customer_session().await?;
    let state = ctx::state();
    let now = state.clock.now();
    let draft = crate::backend::store::drafts::get(
        &state.db.pool,
        &session.token_hash,
        NEW_CASE_DRAFT,
        now,
    )
    .await?
    .and_then(|f| serde_json::from_str(&f).ok())
    .unwrap_or_default();
    Ok((svc::form(&state, &customer_id).await?, draft, read_only()))
}

/// Page data: the queue, filtered by `state` and `category` (unknown values: no filter).
#[cfg(feature = "ssr")]
pub async fn queue(
    state: Option<String>,
    category: Option<String>,
) -> Result<Vec<crate::backend::store::cases::CaseRow>, PageError> {
    ctx::require_staff_with(Permission::HandleCases).await?;
    let state = state.as_deref().and_then(CaseState::parse);
    let category = category.as_deref().and_then(CaseCategory::parse);
    Ok(svc::queue(&ctx::state(), state, category).await?)
}

/// Page data: one case for a handler, the handler's id, and whether they may approve a
/// second extension.
#[cfg(feature = "ssr")]
pub async fn staff_detail(id: &str) -> Result<(svc::CaseView, String, bool), PageError> {
    let staff_id = ctx::require_staff_with(Permission::HandleCases).await?;
    let approver = ctx::caller().staff_with(Permission::ExtendCases).is_ok();
    let view = svc::staff_view(&ctx::state(), id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((view, staff_id, approver))
}
