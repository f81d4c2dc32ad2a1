//! `/bookings/{id}/calendar.ics`: one appointment of the signed-in customer as a calendar
//! file. Anyone else's booking id is a 404, exactly like its page.

use app::backend::auth::Caller;
use app::backend::AppState;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};

pub async fn booking_ics(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let Ok(customer_id) = caller.reading_customer() else {
        return (
            http::StatusCode::FOUND,
            [(http::header::LOCATION, "/login")],
        )
            .into_response();
    };
    let id = app::api::auth::urlsafe(&id);
    match app::backend::services::bookings::get(&state, customer_id, &id).await {
        Ok(Some((b, _))) => {
            let locale = app::i18n::Locale::from_headers(req.headers());
            (
                [
                    (http::header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                    (
                        http::header::CONTENT_DISPOSITION,
                        "attachment; filename=\"anxin-booking.ics\"",
                    ),
                ],
                app::backend::services::bookings::ics(&b, locale),
            )
                .into_response()
        }
        Ok(None) => (http::StatusCode::NOT_FOUND, "not found").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "calendar file failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
