//! The case routes that carry files: opening a case and replying to one, each with up to
//! five attachments under the claims upload rules (multipart posts that work without
//! JavaScript), and fetching a case's file back. Who asks is the request's `Caller`; the
//! rest is the cases service's. A new-case form that comes back with an error keeps what
//! was typed (`store::drafts`); files must be chosen again.

use crate::claim_files::{
    file, file_response, internal, not_found, refused, see_other, text_or, Bad,
};
use app::api::cases::{self as api, case_path, CaseAccess, CaseFields, NEW_CASE, NEW_CASE_DRAFT};
use app::api::ctx::{error_url, PageError};
use app::backend::auth::caller::{Action, Caller};
use app::backend::domain::cases::CaseText;
use app::backend::services::cases::{self as svc, CaseError, MAX_FILES};
use app::backend::services::uploads::Upload;
use app::backend::store::{cases as store, drafts};
use app::backend::{AppState, ClientIp, RequestId};
use app::model::ErrorCode;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::{HeaderMap, StatusCode};

fn bad_form(headers: &HeaderMap) -> Response {
    crate::refusal::page(
        StatusCode::BAD_REQUEST,
        headers,
        "error.bad_form_title",
        &ErrorCode::MissingField.key(),
    )
}

/// A multipart form's text fields (by name) and its `file` fields, or the first problem
/// with them (the rest of the form is still read, so a later field is not lost); `Err` for
/// a body that is not a form we can read.
async fn read_form(
    form: &mut Multipart,
) -> Result<(Vec<(String, String)>, Vec<Upload>, Option<ErrorCode>), ()> {
    let mut texts = Vec::new();
    let mut files = Vec::new();
    let mut problem = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(()),
        };
        let name = field.name().unwrap_or("").to_owned();
        let outcome = if name == "file" {
            file(&mut field).await.map(|f| files.extend(f))
        } else {
            text_or(&mut field, ErrorCode::CaseText)
                .await
                .map(|v| texts.push((name, v)))
        };
        match outcome {
            Ok(()) => {}
            Err(Bad::Code(c)) => {
                problem.get_or_insert(c);
            }
            Err(Bad::Unreadable) => return Err(()),
        }
    }
    if files.len() > MAX_FILES {
        problem.get_or_insert(ErrorCode::CaseTooManyFiles);
    }
    Ok((texts, files, problem))
}

fn client_ip(ip: Option<Extension<ClientIp>>) -> String {
    ip.map(|i| i.0 .0).unwrap_or_else(|| "unknown".into())
}

/// Keeps the typed fields for the session's next view of the form (best effort: a
/// failure only means typing again).
async fn keep_draft(state: &AppState, session_hash: &str, fields: &CaseFields) {
    let Ok(json) = serde_json::to_string(fields) else {
        return;
    };
    let now = state.clock.now();
    let kept = async {
        let mut conn = state.db.pool.acquire().await?;
        drafts::put(&mut conn, session_hash, NEW_CASE_DRAFT, &json, now).await
    }
    .await;
    if let Err(e) = kept {
        tracing::warn!(error = %e, "could not keep a form draft");
    }
}

/// `POST /cases/open`: a new complaint or question, with up to five attachments.
pub async fn open(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    rid: Option<Extension<RequestId>>,
    ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_default();
    let rid = rid.map(|r| r.0).unwrap_or(RequestId(String::new()));
    let customer_id = match caller.acting_customer(Action::ActOnCase) {
        Ok(c) => c.to_owned(),
        Err(r) => return refused(r, NEW_CASE),
    };
    let session_hash = caller
        .session()
        .map(|s| s.token_hash.clone())
        .unwrap_or_default();
    let Ok((texts, files, problem)) = read_form(&mut form).await else {
        return bad_form(&headers);
    };
    let mut fields = CaseFields::default();
    for (name, v) in texts {
        match name.as_str() {
            "kind" => fields.kind = v,
            "about" => fields.about = v,
            "body" => fields.body = v,
            "about_staff" => fields.about_staff = v,
            "about_name" => fields.about_name = v,
            _ => {}
        }
    }
    let parsed = match problem {
        Some(code) => Err(code),
        None => api::parse_new_case(&fields),
    };
    let new = match parsed {
        Ok(n) => n,
        Err(code) => {
            keep_draft(&state, &session_hash, &fields).await;
            return see_other(&error_url(NEW_CASE, code, &[]));
        }
    };
    match svc::open(&state, &customer_id, new, files, &client_ip(ip)).await {
        Ok(id) => {
            if let Err(e) = drafts::delete(&state.db.pool, &session_hash, NEW_CASE_DRAFT).await {
                tracing::warn!(error = %e, "could not forget a form draft");
            }
            see_other(&format!("{}?done=opened", case_path(&id)))
        }
        Err(e) => {
            keep_draft(&state, &session_hash, &fields).await;
            case_refused(&rid, NEW_CASE, e)
        }
    }
}

/// A refused case change: back with its code, or to the page (which shows the 404).
fn case_refused(rid: &RequestId, back: &str, e: CaseError) -> Response {
    match (api::case_error_code(&e), e) {
        (Some(code), _) => see_other(&error_url(back, code, &[])),
        (None, CaseError::Internal(e)) => internal(rid, back, &e),
        (None, _) => see_other(back),
    }
}

/// `POST /cases/{case}/reply`: the customer (signed in, or by the case's link) writes on
/// their open case, with up to five attachments.
pub async fn reply(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    rid: Option<Extension<RequestId>>,
    ip: Option<Extension<ClientIp>>,
    Path(case_id): Path<String>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_default();
    let rid = rid.map(|r| r.0).unwrap_or(RequestId(String::new()));
    let case_id = app::api::auth::urlsafe(&case_id);
    let back = case_path(&case_id);
    let customer_id = match api::case_replier(&caller, &case_id) {
        Ok(c) => c,
        Err(r) => return refused(r, &back),
    };
    let Ok((texts, files, problem)) = read_form(&mut form).await else {
        return bad_form(&headers);
    };
    let text = texts
        .iter()
        .find(|(n, _)| n == "text")
        .and_then(|(_, v)| CaseText::parse(v));
    let text = match (problem, text) {
        (Some(code), _) => return see_other(&error_url(&back, code, &[])),
        (None, None) => return see_other(&error_url(&back, ErrorCode::CaseText, &[])),
        (None, Some(t)) => t,
    };
    let ip = client_ip(ip);
    match svc::customer_reply(&state, &customer_id, &case_id, &text, files, &ip).await {
        Ok(()) => see_other(&format!("{back}?done=replied")),
        Err(e) => case_refused(&rid, &back, e),
    }
}

/// `GET /cases/{case}/files/{file}`: a case's file, to the case's customer (also by its
/// link, or staff viewing as them) and to case handlers; a 404 for anyone else.
pub async fn download(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path((case_id, file_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_default();
    let case_id = app::api::auth::urlsafe(&case_id);
    let file_id = app::api::auth::urlsafe(&file_id);
    let visible = match api::case_reader(&caller, &case_id) {
        Ok((Some(customer), _)) => store::get(&state.db.pool, &customer, &case_id).await,
        Ok((None, CaseAccess::Staff)) => store::get_any(&state.db.pool, &case_id).await,
        Ok((None, _)) => return not_found(&headers),
        Err(PageError::Login) => {
            return see_other(&format!(
                "/login?next={}",
                app::api::auth::urlsafe_path(&case_path(&case_id))
            ))
        }
        Err(_) => return not_found(&headers),
    };
    match visible {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(&headers),
        Err(e) => {
            tracing::error!(error = %e, "case file lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    match svc::file(&state, &case_id, &file_id).await {
        Ok(Some((kind, bytes))) => file_response(kind, bytes, &file_id),
        Ok(None) => not_found(&headers),
        Err(e) => {
            tracing::error!(error = %e, "case file read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
