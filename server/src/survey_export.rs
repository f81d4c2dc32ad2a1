//! `/staff/surveys/answers.csv`: the answers a results filter shows, as a spreadsheet
//! file, for staff with `SurveyResults`. Staff without it get a 404 (as the page does);
//! anyone else the staff sign-in page.

use crate::staff_download::{csv_file, staff_with};
use app::backend::services::surveys::{self, ResultsQuery};
use app::backend::AppState;
use app::model::Permission;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

pub async fn answers_csv(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let staff_id = match staff_with(&req, Permission::SurveyResults) {
        Ok(id) => id,
        Err(refused) => return refused.into_response(),
    };
    let get = |k: &str| params.get(k).map(String::as_str);
    let q = ResultsQuery::parse(
        get("from"),
        get("to"),
        get("service"),
        state.clock.today_shanghai(),
    );
    let locale = app::i18n::Locale::from_headers(req.headers());
    match surveys::csv(&state, &staff_id, &q, locale).await {
        Ok(body) => csv_file(&format!("anxin-surveys-{}-{}.csv", q.from, q.to), body),
        Err(e) => {
            tracing::error!(error = %e, "survey export failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
