//! What staff-only downloads (the survey answers' and the cases' CSV) share: who may
//! have the file, and the response that carries it.

use app::backend::auth::caller::Refused;
use app::backend::auth::Caller;
use app::model::Permission;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};

/// Why a staff download is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Staff without the permission: a 404, as the pages give.
    NotFound,
    /// Anyone else: the staff sign-in page.
    SignIn,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => (http::StatusCode::NOT_FOUND, "not found").into_response(),
            Self::SignIn => (
                http::StatusCode::FOUND,
                [(http::header::LOCATION, "/staff/login")],
            )
                .into_response(),
        }
    }
}

/// The id of the member of staff asking, if they have `permission`.
pub fn staff_with(req: &Request, permission: Permission) -> Result<String, Refusal> {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    match caller.staff_with(permission) {
        Ok((id, _)) => Ok(id.to_owned()),
        Err(Refused::Forbidden) => Err(Refusal::NotFound),
        Err(_) => Err(Refusal::SignIn),
    }
}

/// A CSV file to save as `filename` (our own ASCII name), never cached.
pub fn csv_file(filename: &str, body: String) -> Response {
    (
        [
            (
                http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
