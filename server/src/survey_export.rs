//! `/staff/surveys/answers.csv`: the answers a results filter shows, as a spreadsheet
//! file, for staff with `SurveyResults`. Staff without it get a 404 (as the page does);
//! anyone else the staff sign-in page.

use app::backend::auth::caller::Refused;
use app::backend::auth::Caller;
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
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let staff_id = match caller.staff_with(Permission::SurveyResults) {
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
    let q = ResultsQuery::parse(
        get("from"),
        get("to"),
        get("service"),
        state.clock.today_shanghai(),
    );
    let locale = app::i18n::Locale::from_headers(req.headers());
    match surveys::csv(&state, &staff_id, &q, locale).await {
        Ok(body) => {
            let disposition = format!(
                "attachment; filename=\"anxin-surveys-{}-{}.csv\"",
                q.from, q.to
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
            tracing::error!(error = %e, "survey export failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
