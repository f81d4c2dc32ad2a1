//! The claim routes that carry files: reporting a claim with photos, sending a document
//! from the checklist (multipart posts that work without JavaScript), and fetching a
//! file back. Who asks is the request's `Caller`; what a file is, its content decides
//! (`domain::uploads`); the rest is the claims service's.

use app::api::claims::{self as api, ReportFields};
use app::api::ctx::error_url;
use app::backend::auth::caller::{Action, Caller, Refused};
use app::backend::domain::claims::DocKind;
use app::backend::domain::uploads::{self, FileKind};
use app::backend::services::claims::{self as svc, ChangeError, ReportError, Upload};
use app::backend::store::claims as store;
use app::backend::{AppState, RequestId};
use app::model::ErrorCode;
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use http::{HeaderMap, HeaderValue, StatusCode};

/// Longest text field we read from a multipart form.
const MAX_TEXT: usize = 8 * 1024;

/// Why a form could not be read as sent.
pub(crate) enum Bad {
    Code(ErrorCode),
    /// The body was not a multipart form we could read.
    Unreadable,
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub(crate) fn not_found(headers: &HeaderMap) -> Response {
    crate::refusal::page(
        StatusCode::NOT_FOUND,
        headers,
        "error.not_found_title",
        "error.not_found",
    )
}

/// Reads at most `limit` bytes of a field; `None` when it holds more.
async fn read_field(field: &mut Field<'_>, limit: usize) -> Result<Option<Vec<u8>>, Bad> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| Bad::Unreadable)? {
        if out.len() + chunk.len() > limit {
            // Drain the rest so the form's later fields are still read.
            while field.chunk().await.map_err(|_| Bad::Unreadable)?.is_some() {}
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out))
}

async fn text(field: &mut Field<'_>) -> Result<String, Bad> {
    text_or(field, ErrorCode::ClaimDescription).await
}

/// A text field, or `too_long` when it holds more than we read.
pub(crate) async fn text_or(field: &mut Field<'_>, too_long: ErrorCode) -> Result<String, Bad> {
    let bytes = read_field(field, MAX_TEXT)
        .await?
        .ok_or(Bad::Code(too_long))?;
    String::from_utf8(bytes).map_err(|_| Bad::Unreadable)
}

/// One file field: `None` for an input left empty (browsers still send the part).
pub(crate) async fn file(field: &mut Field<'_>) -> Result<Option<Upload>, Bad> {
    let name = field.file_name().unwrap_or("").to_owned();
    let bytes = read_field(field, uploads::MAX_BYTES)
        .await?
        .ok_or(Bad::Code(ErrorCode::FileTooLarge))?;
    if bytes.is_empty() && name.is_empty() {
        return Ok(None);
    }
    let (kind, bytes) = uploads::accept(bytes).map_err(|e| Bad::Code(api::upload_error_code(e)))?;
    Ok(Some(Upload { name, kind, bytes }))
}

pub(crate) fn refused(r: Refused, back: &str) -> Response {
    match r {
        Refused::NotSignedIn => see_other(&format!(
            "/login?next={}",
            app::api::auth::urlsafe_path(back)
        )),
        Refused::Impersonating => see_other(&error_url(back, ErrorCode::ReadOnly, &[])),
        Refused::Forbidden => see_other(&error_url(back, ErrorCode::Forbidden, &[])),
    }
}

/// `POST /claims/report`: a new claim, with its first documents.
pub async fn report(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    rid: Option<Extension<RequestId>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_default();
    let rid = rid.map(|r| r.0).unwrap_or(RequestId(String::new()));
    let customer_id = match caller.acting_customer(Action::ReportClaim) {
        Ok(c) => c.to_owned(),
        Err(r) => return refused(r, "/claims/new"),
    };
    let mut fields = ReportFields::default();
    let mut files: Vec<(DocKind, Upload)> = Vec::new();
    let mut problem: Option<ErrorCode> = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return crate::refusal::page(
                    StatusCode::BAD_REQUEST,
                    &headers,
                    "error.bad_form_title",
                    &ErrorCode::MissingField.key(),
                )
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let outcome = match name.strip_prefix("doc_") {
            Some(kind) => match DocKind::parse(kind) {
                Some(kind) => file(&mut field).await.map(|f| {
                    if let Some(f) = f {
                        files.push((kind, f));
                    }
                }),
                None => Ok(()),
            },
            None => text(&mut field).await.map(|v| match name.as_str() {
                "policy_id" => fields.policy_id = app::api::auth::urlsafe(&v),
                "incident_date" => fields.incident_date = v,
                "place" => fields.place = v,
                "description" => fields.description = v,
                "amount" => fields.amount = v,
                "payout" => fields.payout = v,
                "bank" => fields.bank = v,
                "account_no" => fields.account_no = v,
                _ => {}
            }),
        };
        match outcome {
            Ok(()) => {}
            // The first problem is the one we tell; the rest of the form is still read.
            Err(Bad::Code(c)) => {
                problem.get_or_insert(c);
            }
            Err(Bad::Unreadable) => {
                return crate::refusal::page(
                    StatusCode::BAD_REQUEST,
                    &headers,
                    "error.bad_form_title",
                    &ErrorCode::MissingField.key(),
                )
            }
        }
    }
    let back = if fields.policy_id.is_empty() {
        "/claims/new".to_owned()
    } else {
        format!("/claims/new?policy={}", fields.policy_id)
    };
    if files.len() > svc::MAX_FILES {
        problem.get_or_insert(ErrorCode::TooManyFiles);
    }
    if let Some(code) = problem {
        return see_other(&error_url(&back, code, &[]));
    }
    let (incident_date, place, description, amount_claimed, payout) =
        match api::parse_report(&fields) {
            Ok(r) => r,
            Err(code) => return see_other(&error_url(&back, code, &[])),
        };
    let report = svc::Report {
        policy_id: fields.policy_id.clone(),
        incident_date,
        place,
        description,
        amount_claimed,
        payout,
        files,
    };
    match svc::report(&state, &customer_id, report).await {
        Ok((id, _)) => see_other(&format!("{}?done=reported", api::claim_path(&id))),
        Err(ReportError::PolicyNotFound | ReportError::PolicyNotActive) => {
            see_other(&error_url("/claims/new", ErrorCode::ClaimPolicy, &[]))
        }
        Err(ReportError::BadDate) => see_other(&error_url(&back, ErrorCode::ClaimDate, &[])),
        Err(ReportError::PayoutNotFound) => {
            see_other(&error_url(&back, ErrorCode::PayoutAccount, &[]))
        }
        Err(ReportError::WrongDocument) => see_other(&error_url(&back, ErrorCode::FileType, &[])),
        Err(ReportError::Internal(e)) => internal(&rid, &back, &e),
    }
}

pub(crate) fn internal(rid: &RequestId, back: &str, e: &dyn std::fmt::Display) -> Response {
    let rid = rid.0.clone();
    tracing::error!(request_id = %rid, error = %e, "claim upload failed");
    see_other(&error_url(back, ErrorCode::Internal, &[("rid", rid)]))
}

/// `POST /claims/{claim}/documents/{document}`: files for one document on the checklist.
pub async fn upload(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    rid: Option<Extension<RequestId>>,
    Path((claim_id, document_id)): Path<(String, String)>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_default();
    let rid = rid.map(|r| r.0).unwrap_or(RequestId(String::new()));
    let claim_id = app::api::auth::urlsafe(&claim_id);
    let document_id = app::api::auth::urlsafe(&document_id);
    let back = api::claim_path(&claim_id);
    let customer_id = match api::claim_uploader(&caller, &claim_id) {
        Ok(c) => c,
        Err(r) => return refused(r, &back),
    };
    let mut files = Vec::new();
    let mut problem = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return crate::refusal::page(
                    StatusCode::BAD_REQUEST,
                    &headers,
                    "error.bad_form_title",
                    &ErrorCode::MissingField.key(),
                )
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        match file(&mut field).await {
            Ok(Some(f)) => files.push(f),
            Ok(None) => {}
            Err(Bad::Code(c)) => {
                problem.get_or_insert(c);
            }
            Err(Bad::Unreadable) => {
                return crate::refusal::page(
                    StatusCode::BAD_REQUEST,
                    &headers,
                    "error.bad_form_title",
                    &ErrorCode::MissingField.key(),
                )
            }
        }
    }
    if files.is_empty() {
        problem.get_or_insert(ErrorCode::FileEmpty);
    }
    if files.len() > svc::MAX_FILES {
        problem.get_or_insert(ErrorCode::TooManyFiles);
    }
    if let Some(code) = problem {
        return see_other(&format!("{}#documents", error_url(&back, code, &[])));
    }
    match svc::upload(&state, &customer_id, &claim_id, &document_id, files).await {
        Ok(()) => see_other(&format!("{back}?done=uploaded#documents")),
        // Someone else's claim or document: its page says not found, as always.
        Err(ChangeError::NotFound) => see_other(&back),
        Err(ChangeError::Conflict) => see_other(&error_url(&back, ErrorCode::DocumentDone, &[])),
        Err(ChangeError::Move(_)) => see_other(&error_url(&back, ErrorCode::ClaimIllegal, &[])),
        Err(ChangeError::Internal(e)) => internal(&rid, &back, &e),
    }
}

/// `GET /claims/{claim}/files/{file}`: a file, to the claim's owner (also by its link, or
/// staff viewing as them) and to claims staff; a 404 for anyone else.
pub async fn download(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path((claim_id, file_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_default();
    let claim_id = app::api::auth::urlsafe(&claim_id);
    let file_id = app::api::auth::urlsafe(&file_id);
    let visible = match api::claim_reader(&caller, &claim_id) {
        Ok((Some(customer), _)) => store::get(&state.db.pool, &customer, &claim_id).await,
        Ok((None, _)) => store::get_any(&state.db.pool, &claim_id).await,
        Err(app::api::ctx::PageError::Login) => {
            return see_other(&format!(
                "/login?next={}",
                app::api::auth::urlsafe_path(&api::claim_path(&claim_id))
            ))
        }
        Err(_) => return not_found(&headers),
    };
    match visible {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(&headers),
        Err(e) => {
            tracing::error!(error = %e, "claim file lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    match svc::file(&state, &claim_id, &file_id).await {
        Ok(Some((kind, bytes))) => file_response(kind, bytes, &file_id),
        Ok(None) => not_found(&headers),
        Err(e) => {
            tracing::error!(error = %e, "claim file read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A stored file as the browser gets it: images open in the page; a PDF is downloaded
/// rather than run in our origin; never cached.
pub(crate) fn file_response(kind: FileKind, bytes: Vec<u8>, file_id: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    let disposition = match kind {
        FileKind::Pdf => format!("attachment; filename=\"{file_id}.pdf\""),
        k => format!("inline; filename=\"{file_id}.{}\"", k.extension()),
    };
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(http::header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
