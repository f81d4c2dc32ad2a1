//! SMS short links: the landing page's data and its light check.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::services::short_links::{self, CheckError, Purpose},
    crate::model::ErrorCode,
    crate::model::IdLast4,
};

pub fn link_path(code: &str) -> String {
    format!("/s/{code}")
}

/// The light check: the last 4 characters of the ID number. Success opens a session for
/// this link's one purpose and goes there.
#[server(prefix = "/api", endpoint = "check_link")]
pub async fn check_link(code: String, id_last4: String) -> Result<(), ServerFnError> {
    let code = super::auth::urlsafe(&code);
    let back = link_path(&code);
    let Some(last4) = IdLast4::parse(&id_last4) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::InvalidIdLast4, &[]));
        return Ok(());
    };
    let outcome = short_links::check(
        &ctx::state(),
        &code,
        short_links::Proof::IdDigits(&last4),
        &ctx::client_ip(),
    )
    .await;
    finish_check(&back, outcome);
    Ok(())
}

/// The other light check: a code texted to the phone on file.
#[server(prefix = "/api", endpoint = "send_link_code")]
pub async fn send_link_code(code: String) -> Result<(), ServerFnError> {
    let code = super::auth::urlsafe(&code);
    let back = link_path(&code);
    let loc = crate::i18n::locale();
    let body = move |sms: &str| crate::i18n::t_in_with(loc, "sms.check_code", &[("code", sms)]);
    match short_links::send_code(&ctx::state(), &code, &ctx::client_ip(), body).await {
        Ok(challenge) => ctx::go(&format!("{back}?sc={challenge}")),
        Err(e) => finish_check(&back, Err(e)),
    }
    Ok(())
}

#[server(prefix = "/api", endpoint = "check_link_code")]
pub async fn check_link_code(code: String, sc: String, sms: String) -> Result<(), ServerFnError> {
    let code = super::auth::urlsafe(&code);
    let sc = super::auth::urlsafe(&sc);
    let back = link_path(&code);
    let Some(sms) = crate::model::SmsCode::parse(&sms) else {
        ctx::go(&ctx::error_url(
            &format!("{back}?sc={sc}"),
            ErrorCode::InvalidCode,
            &[],
        ));
        return Ok(());
    };
    let outcome = short_links::check(
        &ctx::state(),
        &code,
        short_links::Proof::SmsCode(&sc, &sms),
        &ctx::client_ip(),
    )
    .await;
    // A wrong code goes back to the code form (same challenge), not to the ID digits.
    finish_check(&format!("{back}?sc={sc}"), outcome);
    Ok(())
}

#[cfg(feature = "ssr")]
fn finish_check(back: &str, outcome: Result<(short_links::LiveLink, String), CheckError>) {
    match outcome {
        Ok((link, cookie)) => {
            ctx::set_cookie(&cookie);
            ctx::go(&match link.purpose {
                Purpose::Renewal => super::policies::renew_path(&link.target_id),
                Purpose::Claim => super::claims::claim_path(&link.target_id),
                Purpose::Survey => super::surveys::survey_path(&link.target_id),
                // The booking page picks the policy's appointment service itself.
                Purpose::Booking => super::services::BookStep {
                    policy: link.target_id.clone(),
                    ..Default::default()
                }
                .url(),
                Purpose::Roadside => {
                    format!("{}?policy={}", super::services::ROADSIDE, link.target_id)
                }
                Purpose::Case => super::cases::case_path(&link.target_id),
            });
        }
        Err(CheckError::Gone) => ctx::go(back),
        Err(CheckError::Locked { until }) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::LinkLocked,
            &[("until", until.to_string())],
        )),
        Err(CheckError::Wrong { left }) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::LinkWrong,
            &[("left", left.to_string())],
        )),
        Err(CheckError::TooSoon { retry_at }) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::TooSoon,
            &[("until", retry_at.to_string())],
        )),
        Err(CheckError::Throttled { until }) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::Throttled,
            &[("until", until.to_string())],
        )),
        Err(CheckError::Internal(e)) => ctx::go_internal_error(back, &e),
    }
}

/// What the landing page may show before the check: masked, nothing more.
#[cfg(feature = "ssr")]
pub struct Landing {
    pub code: String,
    pub purpose: Purpose,
    pub locked_until: Option<i64>,
    pub renewal: Option<(
        crate::backend::store::policies::PolicySummary,
        crate::backend::store::renewals::OfferRow,
    )>,
}

/// `None` for unknown and expired links alike.
#[cfg(feature = "ssr")]
pub async fn landing(code: &str) -> Result<Option<Landing>, PageError> {
    use crate::backend::store::{policies, renewals};
    let state = ctx::state();
    let Some(link) = short_links::open(&state, code).await? else {
        return Ok(None);
    };
    let renewal = match link.purpose {
        Purpose::Renewal => {
            let policy =
                policies::summary(&state.db.pool, &link.customer_id, &link.target_id).await?;
            let offer =
                renewals::latest_for_policy(&state.db.pool, &link.customer_id, &link.target_id)
                    .await?;
            policy.zip(offer)
        }
        Purpose::Claim | Purpose::Survey | Purpose::Booking | Purpose::Roadside | Purpose::Case => {
            None
        }
    };
    Ok(Some(Landing {
        code: link.code,
        purpose: link.purpose,
        locked_until: link.locked_until,
        renewal,
    }))
}
