//! `/staff/case-stats.csv`: the cases of a statistics period, one row each, as a
//! spreadsheet file, for staff with `CaseStatistics`. Staff without it get a 404 (as the
//! page does); anyone else the staff sign-in page.

use crate::staff_download::{csv_file, staff_with};
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
    let staff_id = match staff_with(&req, Permission::CaseStatistics) {
        Ok(id) => id,
        Err(refused) => return refused.into_response(),
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
        Ok(body) => csv_file(
            &format!("anxin-cases-{}-{}.csv", period.from, period.to),
            body,
        ),
        Err(e) => {
            tracing::error!(error = %e, "case statistics export failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
