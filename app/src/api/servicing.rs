//! 保全 — servicing requests: the server functions behind their forms, and the page data.
//! The beneficiaries form has five fixed rows of four fields, so its server function takes
//! twenty optional fields (a plain form cannot post a list any other way before the wasm).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::{Action, Refused},
    crate::backend::domain::servicing::{
        parse_beneficiaries, Address, BeneficiaryError, BeneficiaryInput, Email,
    },
    crate::backend::services::servicing::{
        self as svc, Decision, PhoneError, ReviewError, SubmitError,
    },
    crate::model::{ErrorCode, Permission, Phone, SmsCode},
};

/// `/requests`: the servicing hall (线上保全大厅).
pub const REQUESTS: &str = "/requests";
pub const CONTACT_PATH: &str = "/requests/new/contact";
pub const PHONE_PATH: &str = "/requests/new/phone";
pub const STAFF_REQUESTS: &str = "/staff/requests";

pub fn request_path(id: &str) -> String {
    format!("/requests/{id}")
}

pub fn beneficiaries_path(policy_id: &str) -> String {
    format!("/policies/{policy_id}/beneficiaries")
}

pub fn staff_request_path(id: &str) -> String {
    format!("/staff/requests/{id}")
}

/// The rows of the beneficiaries form: one per beneficiary a policy may name
/// (`domain::servicing::MAX_BENEFICIARIES`).
pub const FORM_ROWS: usize = 5;

/// The code a refused list of beneficiaries goes back with.
#[cfg(feature = "ssr")]
pub fn beneficiary_error_code(e: BeneficiaryError) -> ErrorCode {
    match e {
        BeneficiaryError::Count => ErrorCode::BeneficiaryCount,
        BeneficiaryError::Name => ErrorCode::BeneficiaryName,
        BeneficiaryError::Relation => ErrorCode::BeneficiaryRelation,
        BeneficiaryError::IdNumber => ErrorCode::BeneficiaryIdNumber,
        BeneficiaryError::Share => ErrorCode::BeneficiaryShare,
        BeneficiaryError::SharesSum => ErrorCode::SharesSum,
        BeneficiaryError::Duplicate => ErrorCode::BeneficiaryDuplicate,
    }
}

/// 变更受益人: the customer asks for the policy's beneficiaries to become the rows filled
/// in, after a step-up check; a reviewer approves it before it takes effect.
#[server(prefix = "/api", endpoint = "request_beneficiary_change")]
pub async fn request_beneficiary_change(
    policy_id: String,
    name_1: Option<String>,
    relation_1: Option<String>,
    id_number_1: Option<String>,
    share_1: Option<String>,
    name_2: Option<String>,
    relation_2: Option<String>,
    id_number_2: Option<String>,
    share_2: Option<String>,
    name_3: Option<String>,
    relation_3: Option<String>,
    id_number_3: Option<String>,
    share_3: Option<String>,
    name_4: Option<String>,
    relation_4: Option<String>,
    id_number_4: Option<String>,
    share_4: Option<String>,
    name_5: Option<String>,
    relation_5: Option<String>,
    id_number_5: Option<String>,
    share_5: Option<String>,
) -> Result<(), ServerFnError> {
    let policy_id = super::auth::urlsafe(&policy_id);
    let back = beneficiaries_path(&policy_id);
    let (session, customer_id) = match ctx::require_acting(Action::ChangeBeneficiaries) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    let typed = [
        [name_1, relation_1, id_number_1, share_1],
        [name_2, relation_2, id_number_2, share_2],
        [name_3, relation_3, id_number_3, share_3],
        [name_4, relation_4, id_number_4, share_4],
        [name_5, relation_5, id_number_5, share_5],
    ];
    let rows: Vec<BeneficiaryInput<'_>> = typed
        .iter()
        .map(|[n, r, i, s]| BeneficiaryInput {
            name: n.as_deref().unwrap_or(""),
            relation: r.as_deref().unwrap_or(""),
            id_number: i.as_deref().unwrap_or(""),
            share: s.as_deref().unwrap_or(""),
        })
        .collect();
    let list = match parse_beneficiaries(&rows) {
        Ok(l) => l,
        Err((row, e)) => {
            // The count and the sum are about the whole list, not one row.
            let row = match e {
                BeneficiaryError::Count | BeneficiaryError::SharesSum => vec![],
                _ => vec![("row", row.to_string())],
            };
            ctx::go(&ctx::error_url(&back, beneficiary_error_code(e), &row));
            return Ok(());
        }
    };
    let state = ctx::state();
    match svc::request_beneficiary_change(
        &state,
        &session,
        &customer_id,
        &policy_id,
        &list,
        &ctx::client_ip(),
    )
    .await
    {
        Ok(id) => ctx::go(&format!("{}?done=submitted", request_path(&id))),
        Err(SubmitError::StepUpRequired) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::StepUpRequired, &[]))
        }
        Err(SubmitError::PolicyNotFound) => ctx::go_not_found(&back),
        Err(SubmitError::NotEligible) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::NotEligible, &[]))
        }
        Err(SubmitError::Invalid(e)) => {
            ctx::go(&ctx::error_url(&back, beneficiary_error_code(e), &[]))
        }
        Err(SubmitError::AlreadyOpen) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::RequestOpen, &[]))
        }
        Err(SubmitError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
}

/// 变更联系方式: the address and email change at once (a blank email: none).
#[server(prefix = "/api", endpoint = "change_contact")]
pub async fn change_contact(address: String, email: Option<String>) -> Result<(), ServerFnError> {
    let (_, customer_id) = match ctx::require_acting(Action::ChangeContact) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(CONTACT_PATH, r),
    };
    let Some(address) = Address::parse(&address) else {
        ctx::go(&ctx::error_url(
            CONTACT_PATH,
            ErrorCode::ContactAddress,
            &[],
        ));
        return Ok(());
    };
    let email = email.unwrap_or_default();
    let email = if email.trim().is_empty() {
        None
    } else {
        match Email::parse(&email) {
            Some(e) => Some(e),
            None => {
                ctx::go(&ctx::error_url(CONTACT_PATH, ErrorCode::ContactEmail, &[]));
                return Ok(());
            }
        }
    };
    match svc::change_contact(
        &ctx::state(),
        &customer_id,
        &address,
        email.as_ref(),
        &ctx::client_ip(),
    )
    .await
    {
        Ok(id) => ctx::go(&format!("{}?done=contact", request_path(&id))),
        Err(e) => ctx::go_internal_error(CONTACT_PATH, &e),
    }
    Ok(())
}

/// The code page of a phone change: both challenges in the query.
pub fn phone_codes_path(old: &str, new: &str) -> String {
    format!("{PHONE_PATH}?a={old}&b={new}")
}

/// Where a refused phone change goes back to, with which code.
#[cfg(feature = "ssr")]
fn phone_error(back: &str, e: PhoneError) {
    let (code, extra) = match e {
        PhoneError::Same => (ErrorCode::PhoneSame, vec![]),
        PhoneError::Taken => (ErrorCode::PhoneTaken, vec![]),
        PhoneError::TooSoon { retry_at } => {
            (ErrorCode::TooSoon, vec![("until", retry_at.to_string())])
        }
        PhoneError::Limited { until } => {
            (ErrorCode::CodesLimited, vec![("until", until.to_string())])
        }
        PhoneError::Wrong => (ErrorCode::BadCode, vec![]),
        PhoneError::Internal(e) => return ctx::go_internal_error(back, &e),
    };
    ctx::go(&ctx::error_url(back, code, &extra));
}

/// 变更手机号, step 1: texts a code to the number on file and one to the new number.
#[server(prefix = "/api", endpoint = "start_phone_change")]
pub async fn start_phone_change(phone: String) -> Result<(), ServerFnError> {
    let (_, customer_id) = match ctx::require_acting(Action::ChangePhone) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(PHONE_PATH, r),
    };
    let Some(new) = Phone::parse(&phone) else {
        ctx::go(&ctx::error_url(PHONE_PATH, ErrorCode::InvalidPhone, &[]));
        return Ok(());
    };
    let loc = crate::i18n::locale();
    let body =
        move |code: &str| crate::i18n::t_in_with(loc, "sms.phone_change_code", &[("code", code)]);
    match svc::start_phone_change(&ctx::state(), &customer_id, &new, &ctx::client_ip(), body).await
    {
        Ok((a, b)) => ctx::go(&phone_codes_path(&a, &b)),
        Err(e) => phone_error(PHONE_PATH, e),
    }
    Ok(())
}

/// 变更手机号, step 2: both codes; the number changes and the other sessions end.
#[server(prefix = "/api", endpoint = "confirm_phone_change")]
pub async fn confirm_phone_change(
    a: String,
    b: String,
    code_old: String,
    code_new: String,
) -> Result<(), ServerFnError> {
    let (a, b) = (super::auth::urlsafe(&a), super::auth::urlsafe(&b));
    let back = phone_codes_path(&a, &b);
    let (session, customer_id) = match ctx::require_acting(Action::ChangePhone) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(PHONE_PATH, r),
    };
    let (Some(old_code), Some(new_code)) = (SmsCode::parse(&code_old), SmsCode::parse(&code_new))
    else {
        ctx::go(&ctx::error_url(&back, ErrorCode::InvalidCode, &[]));
        return Ok(());
    };
    match svc::confirm_phone_change(
        &ctx::state(),
        &session,
        &customer_id,
        (&a, &old_code),
        (&b, &new_code),
        &ctx::client_ip(),
    )
    .await
    {
        Ok(id) => ctx::go(&format!("{}?done=phone", request_path(&id))),
        Err(e) => phone_error(&back, e),
    }
    Ok(())
}

/// Page data: the reading customer's phone on file, and whether they may change it.
#[cfg(feature = "ssr")]
pub async fn phone_page() -> Result<(Option<Phone>, bool), PageError> {
    let (contact, read_only) = contact_page().await?;
    let read_only = read_only || ctx::caller().acting_customer(Action::ChangePhone).is_err();
    Ok((Phone::parse(&contact.phone), read_only))
}

/// The reviewer asking, or the redirect that refuses them.
#[cfg(feature = "ssr")]
fn reviewer(back: &str) -> Option<String> {
    match ctx::caller().staff_with(Permission::ReviewServicing) {
        Ok((id, _)) => Some(id.to_owned()),
        Err(Refused::Forbidden) => {
            ctx::go(&ctx::error_url(back, ErrorCode::Forbidden, &[]));
            None
        }
        Err(_) => {
            ctx::go("/staff/login");
            None
        }
    }
}

#[cfg(feature = "ssr")]
async fn decide(request_id: &str, decision: Decision<'_>, done: &str) {
    let request_id = super::auth::urlsafe(request_id);
    let back = staff_request_path(&request_id);
    let Some(staff_id) = reviewer(&back) else {
        return;
    };
    match svc::decide(
        &ctx::state(),
        &staff_id,
        &request_id,
        decision,
        &ctx::client_ip(),
    )
    .await
    {
        Ok(()) => ctx::go(&format!("{back}?done={done}")),
        Err(ReviewError::NotFound) => ctx::go_not_found(&back),
        Err(ReviewError::Conflict | ReviewError::Illegal(_)) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::RequestMoved, &[]))
        }
        Err(ReviewError::CannotApply) => {
            ctx::go(&ctx::error_url(&back, ErrorCode::RequestCannotApply, &[]))
        }
        Err(ReviewError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
}

/// Reviewers: 受理 — take a submitted request into review.
#[server(prefix = "/api", endpoint = "review_service_request")]
pub async fn review_service_request(request_id: String) -> Result<(), ServerFnError> {
    decide(&request_id, Decision::Review, "in_review").await;
    Ok(())
}

/// Reviewers: approve a request in review; the change takes effect.
#[server(prefix = "/api", endpoint = "approve_service_request")]
pub async fn approve_service_request(request_id: String) -> Result<(), ServerFnError> {
    decide(&request_id, Decision::Approve, "done").await;
    Ok(())
}

/// Reviewers: reject a request in review, with the reason the customer will read.
#[server(prefix = "/api", endpoint = "reject_service_request")]
pub async fn reject_service_request(
    request_id: String,
    reason: String,
) -> Result<(), ServerFnError> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if !(4..=svc::MAX_REASON).contains(&n) || reason.chars().any(char::is_control) {
        let back = staff_request_path(&super::auth::urlsafe(&request_id));
        if reviewer(&back).is_some() {
            ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        }
        return Ok(());
    }
    decide(&request_id, Decision::Reject { reason }, "rejected").await;
    Ok(())
}

/// Page data: the servicing hall of the reading customer.
#[cfg(feature = "ssr")]
pub async fn hall() -> Result<svc::Hall, PageError> {
    let customer_id = ctx::require_customer().await?;
    Ok(svc::hall(&ctx::state(), &customer_id).await?)
}

/// Page data: one of the reading customer's requests (anyone else's is a 404).
#[cfg(feature = "ssr")]
pub async fn detail(id: &str) -> Result<svc::RequestView, PageError> {
    let customer_id = ctx::require_customer().await?;
    svc::view(&ctx::state(), &customer_id, id)
        .await?
        .ok_or(PageError::NotFound)
}

/// What the beneficiaries page needs.
#[cfg(feature = "ssr")]
pub type BeneficiariesPage = Guarded<svc::BeneficiariesView>;

#[cfg(feature = "ssr")]
pub async fn beneficiaries_page(policy_id: &str) -> Result<BeneficiariesPage, PageError> {
    let state = ctx::state();
    guarded(Action::ChangeBeneficiaries, async |c: &str| {
        svc::beneficiaries(&state, c, policy_id).await
    })
    .await
}

/// Page data: the reading customer's contact details, and whether they may change them.
#[cfg(feature = "ssr")]
pub async fn contact_page() -> Result<(crate::backend::store::customers::Contact, bool), PageError>
{
    let customer_id = ctx::require_customer().await?;
    let contact = crate::backend::store::customers::contact(&ctx::state().db.pool, &customer_id)
        .await?
        .ok_or(PageError::NotFound)?;
    let read_only = ctx::caller()
        .acting_customer(Action::ChangeContact)
        .is_err();
    Ok((contact, read_only))
}

/// Page data: the review queue.
#[cfg(feature = "ssr")]
pub async fn queue() -> Result<Vec<crate::backend::store::servicing::RequestRow>, PageError> {
    ctx::require_staff_with(Permission::ReviewServicing).await?;
    Ok(svc::queue(&ctx::state()).await?)
}

/// Page data: one request for a reviewer.
#[cfg(feature = "ssr")]
pub async fn review(id: &str) -> Result<svc::ReviewView, PageError> {
    ctx::require_staff_with(Permission::ReviewServicing).await?;
    svc::review_view(&ctx::state(), id)
        .await?
        .ok_or(PageError::NotFound)
}

/// `/requests/new/accounts`: the auto-debit method and the payout account.
pub const ACCOUNTS_PATH: &str = "/requests/new/accounts";

pub fn loan_path(policy_id: &str) -> String {
    format!("/policies/{policy_id}/loan")
}

/// Where a refused account change goes back to, with which code.
#[cfg(feature = "ssr")]
fn account_error(e: crate::backend::services::accounts::AccountError) {
    use crate::backend::services::accounts::AccountError as E;
    let code = match e {
        E::StepUpRequired => ErrorCode::StepUpRequired,
        E::MethodNotFound => ErrorCode::AccountChoice,
        E::Internal(e) => return ctx::go_internal_error(ACCOUNTS_PATH, &e),
    };
    ctx::go(&ctx::error_url(ACCOUNTS_PATH, code, &[]));
}

/// A bank from the form's list, or the code that refuses it.
#[cfg(feature = "ssr")]
fn bank_of(bank: Option<&str>) -> Result<crate::backend::domain::accounts::Bank, ErrorCode> {
    bank.and_then(crate::backend::domain::accounts::Bank::parse)
        .ok_or(ErrorCode::AccountBank)
}

/// 变更续期扣款方式: `method` is a saved method's id or `new` (a bank card typed in);
/// `also_payout` set: the payout account becomes the same card (one for both).
#[server(prefix = "/api", endpoint = "change_debit_method")]
pub async fn change_debit_method(
    method: Option<String>,
    bank: Option<String>,
    card_no: Option<String>,
    also_payout: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::backend::domain::accounts::parse_card_no;
    use crate::backend::services::accounts::{self as accounts, DebitChoice};
    let (session, customer_id) = match ctx::require_acting(Action::ChangeDebitMethod) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(ACCOUNTS_PATH, r),
    };
    let choice = match method.as_deref().map(str::trim) {
        None | Some("") => Err(ErrorCode::AccountChoice),
        Some("new") => bank_of(bank.as_deref()).and_then(|bank| {
            parse_card_no(card_no.as_deref().unwrap_or(""))
                .map(|card_no| DebitChoice::NewCard { bank, card_no })
                .ok_or(ErrorCode::AccountCard)
        }),
        Some(id) => Ok(DebitChoice::Saved(super::auth::urlsafe(id))),
    };
    let choice = match choice {
        Ok(c) => c,
        Err(code) => {
            ctx::go(&ctx::error_url(ACCOUNTS_PATH, code, &[]));
            return Ok(());
        }
    };
    match accounts::change_debit_method(
        &ctx::state(),
        &session,
        &customer_id,
        choice,
        also_payout.is_some_and(|v| !v.is_empty()),
        &ctx::client_ip(),
    )
    .await
    {
        Ok(id) => ctx::go(&format!("{}?done=debit_method", request_path(&id))),
        Err(e) => account_error(e),
    }
    Ok(())
}

/// 变更收款账户: `payout` is a saved card's id or `bank` (a bank account typed in).
#[server(prefix = "/api", endpoint = "change_payout_account")]
pub async fn change_payout_account(
    payout: Option<String>,
    bank: Option<String>,
    account_no: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::backend::domain::accounts::parse_account_no;
    use crate::backend::services::accounts::{self as accounts, PayoutChoice};
    let (session, customer_id) = match ctx::require_acting(Action::ChangePayoutAccount) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(ACCOUNTS_PATH, r),
    };
    let choice = match payout.as_deref().map(str::trim) {
        None | Some("") => Err(ErrorCode::AccountChoice),
        Some("bank") => bank_of(bank.as_deref()).and_then(|bank| {
            parse_account_no(account_no.as_deref().unwrap_or(""))
                .map(|account_no| PayoutChoice::Bank { bank, account_no })
                .ok_or(ErrorCode::AccountNumber)
        }),
        Some(id) => Ok(PayoutChoice::Saved(super::auth::urlsafe(id))),
    };
    let choice = match choice {
        Ok(c) => c,
        Err(code) => {
            ctx::go(&ctx::error_url(ACCOUNTS_PATH, code, &[]));
            return Ok(());
        }
    };
    match accounts::change_payout_account(
        &ctx::state(),
        &session,
        &customer_id,
        choice,
        &ctx::client_ip(),
    )
    .await
    {
        Ok(id) => ctx::go(&format!("{}?done=payout_account", request_path(&id))),
        Err(e) => account_error(e),
    }
    Ok(())
}

/// 申请保单贷款: an amount in yuan against the policy's cash value, paid into the payout
/// account on file once a reviewer approves it.
#[server(prefix = "/api", endpoint = "request_loan")]
pub async fn request_loan(policy_id: String, amount: Option<String>) -> Result<(), ServerFnError> {
    use crate::backend::domain::loans::LoanError;
    use crate::backend::services::loans::{self as loans, LoanRequestError as E};
    let policy_id = super::auth::urlsafe(&policy_id);
    let back = loan_path(&policy_id);
    let (session, customer_id) = match ctx::require_acting(Action::RequestLoan) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    let Some(amount) = super::claims::parse_yuan(amount.as_deref().unwrap_or("")) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::LoanAmount, &[]));
        return Ok(());
    };
    let state = ctx::state();
    let code = match loans::request_loan(
        &state,
        &session,
        &customer_id,
        &policy_id,
        amount.fen(),
        &ctx::client_ip(),
    )
    .await
    {
        Ok(id) => {
            ctx::go(&format!("{}?done=submitted", request_path(&id)));
            return Ok(());
        }
        Err(E::PolicyNotFound) => {
            ctx::go_not_found(&back);
            return Ok(());
        }
        Err(E::Internal(e)) => {
            ctx::go_internal_error(&back, &e);
            return Ok(());
        }
        Err(E::StepUpRequired) => ErrorCode::StepUpRequired,
        Err(E::NotEligible) => ErrorCode::LoanNotEligible,
        Err(E::Outstanding) => ErrorCode::LoanOutstanding,
        Err(E::NoPayoutAccount) => ErrorCode::NoPayoutAccount,
        Err(E::AlreadyOpen) => ErrorCode::RequestOpen,
        Err(E::Amount(LoanError::NoCashValue)) => ErrorCode::LoanNotEligible,
        Err(E::Amount(LoanError::BelowMinimum)) => ErrorCode::LoanBelowMinimum,
        Err(E::Amount(LoanError::AboveMaximum)) => ErrorCode::LoanAboveMaximum,
        Err(E::Amount(LoanError::NotWholeYuan)) => ErrorCode::LoanAmount,
    };
    ctx::go(&ctx::error_url(&back, code, &[]));
    Ok(())
}

/// A page whose form needs a fresh identity check: whether it is fresh, and whether the
/// caller is only viewing (staff as the customer: never a change).
#[cfg(feature = "ssr")]
pub struct Guarded<T> {
    pub view: T,
    pub fresh: bool,
    pub read_only: bool,
}

#[cfg(feature = "ssr")]
async fn guarded<T>(
    action: Action,
    load: impl AsyncFnOnce(&str) -> anyhow::Result<Option<T>>,
) -> Result<Guarded<T>, PageError> {
    let (session, customer_id) = ctx::require_customer_session().await?;
    let state = ctx::state();
    let view = load(&customer_id).await?.ok_or(PageError::NotFound)?;
    Ok(Guarded {
        view,
        fresh: crate::backend::auth::step_up::is_fresh(&session, state.clock.now()),
        read_only: ctx::caller().acting_customer(action).is_err(),
    })
}

/// Page data: the reading customer's auto-debit method and payout account.
#[cfg(feature = "ssr")]
pub async fn accounts_page(
) -> Result<Guarded<crate::backend::services::accounts::AccountsView>, PageError> {
    let state = ctx::state();
    guarded(Action::ChangeDebitMethod, async |c: &str| {
        Ok(Some(
            crate::backend::services::accounts::view(&state, c).await?,
        ))
    })
    .await
}

/// Page data: what one of the reading customer's policies lends (anyone else's: 404).
#[cfg(feature = "ssr")]
pub async fn loan_page(
    policy_id: &str,
) -> Result<Guarded<crate::backend::services::loans::Quote>, PageError> {
    let state = ctx::state();
    guarded(Action::RequestLoan, async |c: &str| {
        crate::backend::services::loans::quote(&state, c, policy_id).await
    })
    .await
}
