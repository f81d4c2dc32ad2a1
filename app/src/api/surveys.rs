//! Satisfaction surveys: the answer form's server function, the survey page's data (for
//! the customer, staff viewing as them, and the survey's short-link session) and the
//! staff results.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::{Action, Caller, LinkScope, Refused},
    crate::backend::domain::surveys::{self as rules},
    crate::backend::services::surveys::{
        self as svc, AnswerError, Results, ResultsQuery, SurveyView,
    },
    crate::model::{ErrorCode, Permission, SurveySubject},
};

pub const STAFF_SURVEYS: &str = "/staff/surveys";
/// The CSV of the answers a results filter shows (a plain route, like `.ics` files).
pub const STAFF_SURVEYS_CSV: &str = "/staff/surveys/answers.csv";

pub fn survey_path(id: &str) -> String {
    format!("/surveys/{id}")
}

/// Who may answer invitation `id`: the customer, or the survey's own short-link
/// session. Staff viewing as the customer may read it, never answer for them.
#[cfg(feature = "ssr")]
pub fn survey_answerer(caller: &Caller, id: &str) -> Result<String, Refused> {
    match caller {
        Caller::Link {
            customer_id,
            scope: LinkScope::Survey { invitation_id },
            ..
        } if invitation_id == id => Ok(customer_id.clone()),
        Caller::Link { .. } => Err(Refused::NotSignedIn),
        other => other
            .acting_customer(Action::AnswerSurvey)
            .map(str::to_owned),
    }
}

/// Who may read invitation `id`, and whether they may answer it.
#[cfg(feature = "ssr")]
fn survey_reader(caller: &Caller, id: &str) -> Result<(String, bool), PageError> {
    match caller {
        Caller::Customer { customer_id, .. } => Ok((customer_id.clone(), true)),
        Caller::Impersonating { customer_id, .. } => Ok((customer_id.clone(), false)),
        Caller::Link {
            customer_id,
            scope: LinkScope::Survey { invitation_id },
            ..
        } => {
            if invitation_id == id {
                Ok((customer_id.clone(), true))
            } else {
                Err(PageError::NotFound)
            }
        }
        _ => Err(PageError::Login),
    }
}

/// Answers a survey: a score 1–10 and an optional comment, once.
#[server(prefix = "/api", endpoint = "answer_survey")]
pub async fn answer_survey(
    survey_id: String,
    score: Option<String>,
    comment: Option<String>,
) -> Result<(), ServerFnError> {
    let id = super::auth::urlsafe(&survey_id);
    let back = survey_path(&id);
    let customer_id = match survey_answerer(&ctx::caller(), &id) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    let (score, comment) =
        match rules::parse_answer(score.as_deref(), comment.as_deref().unwrap_or_default()) {
            Ok(a) => a,
            Err(e) => {
                let code = match e {
                    rules::AnswerError::BadScore => ErrorCode::BadScore,
                    rules::AnswerError::CommentTooLong => ErrorCode::CommentTooLong,
                };
                ctx::go(&ctx::error_url(&back, code, &[]));
                return Ok(());
            }
        };
    match svc::answer(&ctx::state(), &customer_id, &id, score, &comment).await {
        Ok(()) => ctx::go(&format!("{back}?done=answered")),
        Err(AnswerError::NotFound) => ctx::go_not_found(&back),
        Err(AnswerError::Answered) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::SurveyAnswered, &[]))
        }
        Err(AnswerError::Expired) => ctx::go(&ctx::error_url(&back, ErrorCode::SurveyExpired, &[])),
        Err(AnswerError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
}

/// Page data: the invitation and whether this caller may answer it. Opening changes
/// nothing.
#[cfg(feature = "ssr")]
pub async fn survey(id: &str) -> Result<(SurveyView, bool), PageError> {
    let (customer_id, may_answer) = survey_reader(&ctx::caller(), id)?;
    let view = svc::view(&ctx::state(), &customer_id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((view, may_answer))
}

/// The reading customer's invitation about one of their bookings, requests or claims,
/// for a notice on its page. Nothing for anyone else.
#[cfg(feature = "ssr")]
pub async fn survey_about(subject: SurveySubject, subject_id: &str) -> Option<SurveyView> {
    let caller = ctx::caller();
    let customer_id = caller.reading_customer().ok()?;
    svc::for_subject(&ctx::state(), customer_id, subject, subject_id)
        .await
        .map_err(|e| tracing::error!(error = %e, "survey notice failed"))
        .ok()
        .flatten()
}

/// The reading customer's open invitations, for the home page.
#[cfg(feature = "ssr")]
pub async fn open_surveys() -> Vec<crate::backend::store::surveys::InvitationRow> {
    let caller = ctx::caller();
    let Ok(customer_id) = caller.reading_customer() else {
        return vec![];
    };
    svc::open_for_customer(&ctx::state(), customer_id)
        .await
        .map_err(|e| tracing::error!(error = %e, "open surveys failed"))
        .unwrap_or_default()
}

/// Page data: results for the filter in the query string. Supervisors and admins.
#[cfg(feature = "ssr")]
pub async fn staff_results(
    from: Option<&str>,
    to: Option<&str>,
    service: Option<&str>,
) -> Result<(ResultsQuery, Results), PageError> {
    ctx::require_staff_with(Permission::SurveyResults).await?;
    let state = ctx::state();
    let q = ResultsQuery::parse(from, to, service, state.clock.today_shanghai());
    let r = svc::results(&state, &q).await?;
    Ok((q, r))
}

/// The CSV link for a filter.
#[cfg(feature = "ssr")]
pub fn csv_url(q: &ResultsQuery) -> String {
    let mut u = format!("{STAFF_SURVEYS_CSV}?from={}&to={}", q.from, q.to);
    if let Some(s) = &q.service {
        u.push_str(&format!("&service={s}"));
    }
    u
}
