//! Policies, renewal and payment: the server functions behind their forms.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::Action,
    crate::backend::auth::step_up::{self, StepUpError},
    crate::backend::services::payments::{self as pay, Method, PayError, PayRequest},
    crate::backend::services::policies as svc,
    crate::model::ErrorCode,
    crate::model::IdLast4,
};

pub fn policy_path(id: &str) -> String {
    format!("/policies/{id}")
}

pub fn renew_path(id: &str) -> String {
    format!("/policies/{id}/renew")
}

pub fn payment_path(id: &str) -> String {
    format!("/payments/{id}")
}

/// Turns auto-debit renewal on or off for one of the caller's policies.
#[server(prefix = "/api", endpoint = "set_auto_debit")]
pub async fn set_auto_debit(policy_id: String, enable: String) -> Result<(), ServerFnError> {
    let policy_id = super::auth::urlsafe(&policy_id);
    let (_, customer_id) = match ctx::require_acting(Action::SetAutoDebit) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&policy_path(&policy_id), r),
    };
    let on = enable == "on";
    match svc::set_auto_debit(&ctx::state(), &customer_id, &policy_id, on).await {
        Ok(true) => ctx::go(&format!(
            "{}?done=auto_debit_{}",
            policy_path(&policy_id),
            if on { "on" } else { "off" }
        )),
        Ok(false) => ctx::go_not_found(&policy_path(&policy_id)),
        Err(e) => ctx::go_internal_error(&policy_path(&policy_id), &e),
    }
    Ok(())
}

/// Step-up with the last 4 characters of the ID number; returns to `next`.
#[server(prefix = "/api", endpoint = "step_up")]
pub async fn step_up(id_last4: String, next: String) -> Result<(), ServerFnError> {
    let next = ctx::safe_next(&next).to_owned();
    let (session, customer_id) = match ctx::require_acting(Action::StepUp) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&next, r),
    };
    let Some(last4) = IdLast4::parse(&id_last4) else {
        ctx::go(&ctx::error_url(&next, ErrorCode::InvalidIdLast4, &[]));
        return Ok(());
    };
    let state = ctx::state();
    let outcome =
        step_up::with_id_digits(&state, &session, &customer_id, &last4, &ctx::client_ip()).await;
    finish_step_up(&next, &next, outcome);
    Ok(())
}

/// Step-up by a code texted to the phone on file: send it.
#[server(prefix = "/api", endpoint = "step_up_send_code")]
pub async fn step_up_send_code(next: String) -> Result<(), ServerFnError> {
    let next = ctx::safe_next(&next).to_owned();
    let (_, customer_id) = match ctx::require_acting(Action::StepUp) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&next, r),
    };
    let loc = crate::i18n::locale();
    let body = move |sms: &str| crate::i18n::t_in_with(loc, "sms.check_code", &[("code", sms)]);
    match step_up::send_code(&ctx::state(), &customer_id, &ctx::client_ip(), body).await {
        Ok(challenge) => ctx::go(&format!("{next}?sc={challenge}")),
        Err(e) => finish_step_up(&next, &next, Err(e)),
    }
    Ok(())
}

/// Step-up by a code texted to the phone on file: check it.
#[server(prefix = "/api", endpoint = "step_up_with_code")]
pub async fn step_up_with_code(sc: String, sms: String, next: String) -> Result<(), ServerFnError> {
    let next = ctx::safe_next(&next).to_owned();
    let (session, customer_id) = match ctx::require_acting(Action::StepUp) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&next, r),
    };
    let sc = super::auth::urlsafe(&sc);
    let Some(sms) = crate::model::SmsCode::parse(&sms) else {
        ctx::go(&ctx::error_url(
            &format!("{next}?sc={sc}"),
            ErrorCode::InvalidCode,
            &[],
        ));
        return Ok(());
    };
    let outcome = step_up::with_code(
        &ctx::state(),
        &session,
        &customer_id,
        &sc,
        &sms,
        &ctx::client_ip(),
    )
    .await;
    // A wrong code goes back to the code form (same challenge), not to the ID digits.
    finish_step_up(&next, &format!("{next}?sc={sc}"), outcome);
    Ok(())
}

/// Success goes on to `next`; a failure back to the form at `back`.
#[cfg(feature = "ssr")]
fn finish_step_up(next: &str, back: &str, outcome: Result<(), StepUpError>) {
    match outcome {
        Ok(()) => ctx::go(next),
        Err(StepUpError::Wrong) => ctx::go(&ctx::error_url(back, ErrorCode::StepUpWrong, &[])),
        Err(StepUpError::TooSoon { retry_at }) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::TooSoon,
            &[("until", retry_at.to_string())],
        )),
        Err(StepUpError::Refused(r)) => ctx::go(&super::auth::refusal_url(back, &r)),
        Err(StepUpError::Internal(e)) => ctx::go_internal_error(back, &e),
    }
}

/// One tap: pay a renewal offer. Idempotent by `key`, which the page renders with the button.
#[server(prefix = "/api", endpoint = "pay_renewal")]
pub async fn pay_renewal(
    policy_id: String,
    offer_id: String,
    version: String,
    key: String,
    method: String,
    card_no: Option<String>,
) -> Result<(), ServerFnError> {
    let Ok(caller) = ctx::require_customer_or_renewal_link().await else {
        ctx::go("/login");
        return Ok(());
    };
    let policy_id = super::auth::urlsafe(&policy_id);
    let back = renew_path(&policy_id);
    if !caller.may_see(&policy_id) {
        ctx::go_not_found(&back);
        return Ok(());
    }
    // Only the customer pays: never staff viewing as them.
    if let Err(r) = caller.may_act(Action::Pay) {
        return ctx::go_refused(&back, r);
    }
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    let (Ok(version), true) = (version.parse::<i64>(), key.len() >= 16) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::OfferChanged, &[]));
        return Ok(());
    };
    let Some(method) = Method::parse(&method, card_no.as_deref().unwrap_or("")) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::BadMethod, &[]));
        return Ok(());
    };
    let req = PayRequest {
        offer_id: super::auth::urlsafe(&offer_id),
        version,
        idempotency_key: key,
        method,
        only_policy: caller.only_policy.clone(),
    };
    match pay::pay_renewal(&ctx::state(), &caller.session, &caller.customer_id, req).await {
        Ok(payment_id) => ctx::go(&payment_path(&payment_id)),
        // Not this caller's offer: their own renewal page says the offer is closed; someone
        // else's is a 404 for them, as always.
        Err(PayError::NotFound) => {
            ctx::go_not_found(&ctx::error_url(&back, ErrorCode::OfferClosed, &[]))
        }
        Err(PayError::OfferChanged) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::OfferChanged, &[]))
        }
        Err(PayError::OfferClosed) => ctx::go(&ctx::error_url(&back, ErrorCode::OfferClosed, &[])),
        Err(PayError::StepUpRequired) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::StepUpRequired, &[]))
        }
        Err(PayError::KeyReused) => ctx::go(&ctx::error_url(&back, ErrorCode::KeyReused, &[])),
        Err(PayError::BadMethod) => ctx::go(&ctx::error_url(&back, ErrorCode::BadMethod, &[])),
        Err(PayError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
}

/// Page data: the caller's policies, grouped.
#[cfg(feature = "ssr")]
pub async fn list() -> Result<
    (
        bool,
        Vec<(
            svc::Standing,
            Vec<crate::backend::store::policies::PolicySummary>,
        )>,
    ),
    PageError,
> {
    let (session, customer_id) = ctx::require_customer_session().await?;
    Ok((
        step_up::reveals(&session, ctx::state().clock.now()),
        svc::list(&ctx::state(), &customer_id).await?,
    ))
}

/// Page data: one of the caller's policies, or not found.
#[cfg(feature = "ssr")]
pub async fn detail(policy_id: &str) -> Result<(bool, svc::PolicyDetail), PageError> {
    let (session, customer_id) = ctx::require_customer_session().await?;
    let d = svc::detail(&ctx::state(), &customer_id, policy_id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((step_up::reveals(&session, ctx::state().clock.now()), d))
}

/// Page data: the e-policy of one of the caller's policies, or not found.
#[cfg(feature = "ssr")]
pub async fn document(policy_id: &str) -> Result<(bool, svc::PolicyDocument), PageError> {
    let (session, customer_id) = ctx::require_customer_session().await?;
    let d = svc::document(&ctx::state(), &customer_id, policy_id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((step_up::reveals(&session, ctx::state().clock.now()), d))
}

/// Page data: the renewal offer of one of the caller's policies, and whether they may pay now.
#[cfg(feature = "ssr")]
pub async fn renewal(policy_id: &str) -> Result<(bool, svc::RenewalView), PageError> {
    let caller = ctx::require_customer_or_renewal_link().await?;
    if !caller.may_see(policy_id) {
        return Err(PageError::NotFound);
    }
    let state = ctx::state();
    let v = svc::renewal(&state, &caller.customer_id, policy_id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((step_up::is_fresh(&caller.session, state.clock.now()), v))
}

/// Page data: one of the caller's payments.
#[cfg(feature = "ssr")]
pub async fn payment(payment_id: &str) -> Result<pay::PaymentView, PageError> {
    let caller = ctx::require_customer_or_renewal_link().await?;
    let state = ctx::state();
    let wait = std::time::Duration::from_millis(state.config.payment_wait_ms);
    let v = pay::view_when_settled(&state, &caller.customer_id, payment_id, wait)
        .await?
        .ok_or(PageError::NotFound)?;
    if !caller.may_see(&v.payment.policy_id) {
        return Err(PageError::NotFound);
    }
    Ok(v)
}
