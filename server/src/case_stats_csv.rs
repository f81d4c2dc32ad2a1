//! `/staff/case-stats.csv`: the cases of a statistics period, one row each, as a
//! spreadsheet file, for staff with `CaseStatistics`. Staff without it get a 404 (as the
//! page does); anyone else the staff sign-in page.

use app::backend::auth::caller::Refused;
use app::backend::auth::Caller;
use app::backend::domain::case_stats::Period;
use app::backend::services::case_stats;
use app::backend::AppState;
use app::model::Permission;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

pub async fn cases_csv(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let staff_id = match caller.staff_with(Permission::CaseStatistics) {
        Ok((id, _)) => id.to_owned(),
        Err(Refused::Forbidden) => {
            return (http::StatusCode::NOT_FOUND, "not found").into_response()
        }
        Err(_) => {
            return (
                http::StatusCode::FOUND,
                [(http::header::LOCATION, "/staff/login")],
            )
                .into_response()
        }
    };
    let get = |k: &str| params.get(k).map(String::as_str);
    let period = Period::parse(
        get("from"),
        get("to"),
        get("months"),
        state.clock.today_shanghai(),
    );
    let locale = app::i18n::Locale::from_headers(req.headers());
    match case_stats::csv(&state, &staff_id, period, locale).await {
        Ok(body) => {
            let disposition = format!(
                "attachment; filename=\"anxin-cases-{}-{}.csv\"",
                period.from, period.to
            );
            (
                [
                    (
                        http::header::CONTENT_TYPE,
                        "text/csv; charset=utf-8".to_owned(),
                    ),
                    (http::header::CONTENT_DISPOSITION, disposition),
                    (http::header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "case statistics export failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
