//! Logging in and out: customers (password, SMS code, first-time activation) and staff.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx,
    crate::backend::auth::{
        activation::{self, ActivationError},
        login::{self, LoginError},
        staff::{self as staff_auth, StaffLoginError},
        Refusal,
    },
    crate::i18n::{locale, t_in_with},
    crate::model::ErrorCode,
    crate::model::{IdLast4, Phone, PolicyNo, SmsCode},
    secrecy::SecretString,
};

pub const LOGIN_PAGE: &str = "/login";
pub const CODE_PAGE: &str = "/login/code";
pub const ACTIVATE_PAGE: &str = "/activate";
pub const ACTIVATE_VERIFY_PAGE: &str = "/activate/verify";
pub const STAFF_LOGIN_PAGE: &str = "/staff/login";
/// Cookies keeping what was typed into a login form that came back with an error.
pub const REMEMBERED_PHONE: &str = "anxin_phone";
pub const REMEMBERED_STAFF: &str = "anxin_staff_user";

/// Redirect target for a lock or throttle.
#[cfg(feature = "ssr")]
pub fn refusal_url(path: &str, r: &Refusal) -> String {
    match r {
        Refusal::Locked { until } => {
            ctx::error_url(path, ErrorCode::Locked, &[("until", until.to_string())])
        }
        Refusal::Throttled { until } => {
            ctx::error_url(path, ErrorCode::Throttled, &[("until", until.to_string())])
        }
        Refusal::CodesLimited { until } => ctx::error_url(
            path,
            ErrorCode::CodesLimited,
            &[("until", until.to_string())],
        ),
        Refusal::Busy => ctx::error_url(path, ErrorCode::Busy, &[]),
    }
}

/// Logs a customer in with phone and password.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(phone: String, password: String, next: String) -> Result<(), ServerFnError> {
    // Every way back to the form keeps where the person was going.
    let back = login_page_for(&next);
    let Some(phone) = Phone::parse(&phone) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::InvalidPhone, &[]));
        return Ok(());
    };
    if password.is_empty() {
        ctx::remember_for(LOGIN_PAGE, REMEMBERED_PHONE, Some(phone.as_str()));
        ctx::go(&ctx::error_url(&back, ErrorCode::MissingPassword, &[]));
        return Ok(());
    }
    let state = ctx::state();
    let result = login::with_password(
        &state,
        &phone,
        SecretString::from(password),
        &ctx::client_ip(),
    )
    .await;
    match result {
        Ok(done) => {
            signed_in(&done.set_cookie);
            ctx::go(ctx::safe_next(&next));
        }
        Err(e) => {
            // Back to the form with the number filled in.
            ctx::remember_for(LOGIN_PAGE, REMEMBERED_PHONE, Some(phone.as_str()));
            match e {
                LoginError::Refused(r) => ctx::go(&refusal_url(&back, &r)),
                LoginError::Internal(e) => ctx::go_internal_error(&back, &e),
                _ => ctx::go(&ctx::error_url(&back, ErrorCode::BadCredentials, &[])),
            }
        }
    }
    Ok(())
}

/// A customer session begins: its cookie, and the phone number kept for the login form
/// is forgotten (however they got in), so the next person on this device does not see it.
#[cfg(feature = "ssr")]
fn signed_in(session_cookie: &str) {
    ctx::set_cookie(session_cookie);
    ctx::remember_for(LOGIN_PAGE, REMEMBERED_PHONE, None);
}

/// The login page, carrying `next` (a same-site path) so that an error does not lose it.
#[cfg(feature = "ssr")]
fn login_page_for(next: &str) -> String {
    match ctx::safe_next(next) {
        "/" => LOGIN_PAGE.to_owned(),
        next => format!(
            "{LOGIN_PAGE}?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ),
    }
}

#[cfg(feature = "ssr")]
fn sms_body(key: &'static str) -> impl Fn(&str) -> String {
    let loc = locale();
    move |code| t_in_with(loc, key, &[("code", code)])
}

/// Texts a login code to the phone and shows the page that asks for it.
#[server(prefix = "/api", endpoint = "request_login_code")]
pub async fn request_login_code(phone: String) -> Result<(), ServerFnError> {
    let Some(phone) = Phone::parse(&phone) else {
        ctx::go(&ctx::error_url(CODE_PAGE, ErrorCode::InvalidPhone, &[]));
        return Ok(());
    };
    let state = ctx::state();
    let ip = ctx::client_ip();
    let sent = login::request_code(&state, &phone, &ip, sms_body("sms.login_code")).await;
    code_sent(CODE_PAGE, sent);
    Ok(())
}

/// To the code form with its new challenge, or back with why no code was sent.
#[cfg(feature = "ssr")]
fn code_sent(back: &str, sent: Result<String, LoginError>) {
    match sent {
        Ok(challenge) => ctx::go(&format!("{CODE_PAGE}?c={challenge}")),
        Err(LoginError::TooSoon { retry_at }) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::TooSoon,
            &[("until", retry_at.to_string())],
        )),
        Err(LoginError::Refused(r)) => ctx::go(&refusal_url(back, &r)),
        Err(e) => ctx::go_internal_error(back, &e),
    }
}

/// Sends a fresh code for the same phone as an earlier challenge.
#[server(prefix = "/api", endpoint = "resend_login_code")]
pub async fn resend_login_code(c: String) -> Result<(), ServerFnError> {
    let state = ctx::state();
    let back = format!("{CODE_PAGE}?c={}", urlsafe(&c));
    let phone = match crate::backend::auth::codes::challenge(&state, &c).await {
        Ok(Some(ch)) => ch.phone,
        Ok(None) => {
            ctx::go(CODE_PAGE);
            return Ok(());
        }
        Err(e) => {
            ctx::go_internal_error(&back, &e);
            return Ok(());
        }
    };
    let ip = ctx::client_ip();
    let sent = login::request_code(&state, &phone, &ip, sms_body("sms.login_code")).await;
    code_sent(&back, sent);
    Ok(())
}

/// Challenge ids are our own base-62 strings; anything else is dropped from URLs.
pub fn urlsafe(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect()
}

/// A local path safe to put back into a URL: letters, digits and `/-_`.
pub fn urlsafe_path(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
        .take(200)
        .collect()
}

/// Logs a customer in with the code from the text message.
#[server(prefix = "/api", endpoint = "login_with_code")]
pub async fn login_with_code(c: String, code: String, next: String) -> Result<(), ServerFnError> {
    let back = format!("{CODE_PAGE}?c={}", urlsafe(&c));
    let Some(code) = SmsCode::parse(&code) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::InvalidCode, &[]));
        return Ok(());
    };
    let state = ctx::state();
    match login::with_code(&state, &c, &code, &ctx::client_ip()).await {
        Ok(done) => {
            signed_in(&done.set_cookie);
            ctx::go(ctx::safe_next(&next));
        }
        Err(LoginError::Refused(r)) => ctx::go(&refusal_url(&back, &r)),
        Err(LoginError::Internal(e)) => ctx::go_internal_error(&back, &e),
        Err(_) => ctx::go(&ctx::error_url(&back, ErrorCode::BadCode, &[])),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn activation_redirect(back: &str, e: ActivationError) {
    match e {
        ActivationError::NoMatch => ctx::go(&ctx::error_url(back, ErrorCode::NoMatch, &[])),
        ActivationError::AlreadyActive => {
            ctx::go(&ctx::error_url(LOGIN_PAGE, ErrorCode::AlreadyActive, &[]))
        }
        ActivationError::BadCode => ctx::go(&ctx::error_url(back, ErrorCode::BadCode, &[])),
        ActivationError::TooSoon { retry_at } => ctx::go(&ctx::error_url(
            back,
            ErrorCode::TooSoon,
            &[("until", retry_at.to_string())],
        )),
        ActivationError::Weak(w) => ctx::go(&ctx::error_url(
            back,
            ErrorCode::Weak,
            &[("reason", w.code().to_owned())],
        )),
        ActivationError::Refused(r) => ctx::go(&refusal_url(back, &r)),
        ActivationError::Internal(e) => ctx::go_internal_error(back, &e),
    }
}

/// First-time activation, step 1: policy number and ID digits.
#[server(prefix = "/api", endpoint = "start_activation")]
pub async fn start_activation(policy_no: String, id_last4: String) -> Result<(), ServerFnError> {
    let Some(policy_no) = PolicyNo::parse(&policy_no) else {
        ctx::go(&ctx::error_url(
            ACTIVATE_PAGE,
            ErrorCode::InvalidPolicyNo,
            &[],
        ));
        return Ok(());
    };
    let Some(last4) = IdLast4::parse(&id_last4) else {
        ctx::go(&ctx::error_url(
            ACTIVATE_PAGE,
            ErrorCode::InvalidIdLast4,
            &[],
        ));
        return Ok(());
    };
    let state = ctx::state();
    match activation::start(
        &state,
        &policy_no,
        &last4,
        &ctx::client_ip(),
        sms_body("sms.activate_code"),
    )
    .await
    {
        Ok(challenge) => ctx::go(&format!("{ACTIVATE_VERIFY_PAGE}?c={challenge}")),
        Err(e) => activation_redirect(ACTIVATE_PAGE, e),
    }
    Ok(())
}

/// Sends a fresh activation code to the same phone.
#[server(prefix = "/api", endpoint = "resend_activation_code")]
pub async fn resend_activation_code(c: String) -> Result<(), ServerFnError> {
    let state = ctx::state();
    let back = format!("{ACTIVATE_VERIFY_PAGE}?c={}", urlsafe(&c));
    match activation::resend(&state, &c, &ctx::client_ip(), sms_body("sms.activate_code")).await {
        Ok(challenge) => ctx::go(&format!("{ACTIVATE_VERIFY_PAGE}?c={challenge}")),
        Err(e) => activation_redirect(&back, e),
    }
    Ok(())
}

/// First-time activation, step 2: the code and a new password.
#[server(prefix = "/api", endpoint = "complete_activation")]
pub async fn complete_activation(
    c: String,
    code: String,
    password: String,
    confirm: String,
) -> Result<(), ServerFnError> {
    let back = format!("{ACTIVATE_VERIFY_PAGE}?c={}", urlsafe(&c));
    let Some(code) = SmsCode::parse(&code) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::InvalidCode, &[]));
        return Ok(());
    };
    let state = ctx::state();
    let outcome = activation::complete(
        &state,
        &c,
        &code,
        SecretString::from(password),
        SecretString::from(confirm),
        &ctx::client_ip(),
    )
    .await;
    match outcome {
        Ok(done) => {
            signed_in(&done.set_cookie);
            ctx::go("/");
        }
        Err(e) => activation_redirect(&back, e),
    }
    Ok(())
}

/// Logs a member of staff in.
#[server(prefix = "/api", endpoint = "staff_login")]
pub async fn staff_login(username: String, password: String) -> Result<(), ServerFnError> {
    if username.trim().is_empty() || password.is_empty() {
        ctx::go(&ctx::error_url(
            STAFF_LOGIN_PAGE,
            ErrorCode::StaffBadCredentials,
            &[],
        ));
        return Ok(());
    }
    let state = ctx::state();
    let result = staff_auth::login(
        &state,
        &username,
        SecretString::from(password),
        &ctx::client_ip(),
    )
    .await;
    let username = username.trim().to_lowercase();
    let keep =
        (result.is_err() && staff_auth::valid_username(&username)).then_some(username.as_str());
    ctx::remember_for(STAFF_LOGIN_PAGE, REMEMBERED_STAFF, keep);
    match result {
        Ok((_, cookie)) => {
            ctx::set_cookie(&cookie);
            ctx::go("/staff");
        }
        Err(StaffLoginError::Refused(r)) => ctx::go(&refusal_url(STAFF_LOGIN_PAGE, &r)),
        Err(StaffLoginError::Internal(e)) => ctx::go_internal_error(STAFF_LOGIN_PAGE, &e),
        Err(StaffLoginError::BadCredentials) => ctx::go(&ctx::error_url(
            STAFF_LOGIN_PAGE,
            ErrorCode::StaffBadCredentials,
            &[],
        )),
    }
    Ok(())
}

/// Ends the session (customer or staff) and clears the cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::backend::auth::session;
    let state = ctx::state();
    let caller = ctx::caller();
    let target = if caller.is_staff() {
        STAFF_LOGIN_PAGE
    } else {
        LOGIN_PAGE
    };
    // Signing out ends a view as a customer too (it lives on this session).
    let req = crate::backend::auth::viewing::RequestInfo {
        ip: &ctx::client_ip(),
        request_id: &ctx::request_id(),
    };
    if let Err(e) = crate::backend::auth::viewing::end(&state, &caller, req).await {
        ctx::go_internal_error("/", &e);
        return Ok(());
    }
    if let Some(s) = caller.session() {
        if let Err(e) = session::end(&state, s).await {
            ctx::go_internal_error("/", &e);
            return Ok(());
        }
    }
    ctx::set_cookie(&session::clearing_cookie(&state));
    ctx::remember_for(LOGIN_PAGE, REMEMBERED_PHONE, None);
    ctx::go(target);
    Ok(())
}

/// Logs the customer out on every device at once.
#[server(prefix = "/api", endpoint = "logout_everywhere")]
pub async fn logout_everywhere() -> Result<(), ServerFnError> {
    use crate::backend::auth::session;
    use crate::backend::store::sessions;
    let state = ctx::state();
    let customer_id = match ctx::require_acting(crate::backend::auth::Action::LogOutEverywhere) {
        Ok((_, id)) => Some(id),
        // Staff viewing as the customer cannot sign the customer out of their devices.
        Err(r @ crate::backend::auth::caller::Refused::Impersonating) => {
            return ctx::go_refused("/settings/notifications", r);
        }
        Err(_) => None,
    };
    if let Some(customer_id) = customer_id {
        if let Err(e) = sessions::delete_for_customer(&state.db.pool, &customer_id).await {
            ctx::go_internal_error("/", &e);
            return Ok(());
        }
    }
    ctx::set_cookie(&session::clearing_cookie(&state));
    ctx::go(LOGIN_PAGE);
    Ok(())
}
