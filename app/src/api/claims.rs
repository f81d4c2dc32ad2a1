//! Claims: the server functions behind their forms, and the page data. Reporting and
//! uploading carry files, so they are multipart posts to plain routes (the server's
//! `claims_upload`), which parse their text fields here (`parse_report`).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::{Action, Caller, LinkScope, Refused},
    crate::backend::domain::claims::{DocKind, MoveError},
    crate::backend::services::claims::{self as svc, ChangeError},
    crate::model::{ClaimEventKind, ClaimStage, ErrorCode, Money, Permission},
};

pub fn claim_path(id: &str) -> String {
    format!("/claims/{id}")
}

pub fn staff_claim_path(id: &str) -> String {
    format!("/staff/claims/{id}")
}

/// Where the multipart forms post.
pub const REPORT_PATH: &str = "/claims/report";

pub fn upload_path(claim_id: &str, document_id: &str) -> String {
    format!("/claims/{claim_id}/documents/{document_id}")
}

pub fn file_path(claim_id: &str, file_id: &str) -> String {
    format!("/claims/{claim_id}/files/{file_id}")
}

/// How the caller may see one claim.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The customer, signed in.
    Owner,
    /// Came by the claim's short link: this claim, view and upload only.
    Link,
    /// Staff viewing as the customer: read only.
    Viewing,
    /// Claims staff (the file route only).
    Staff,
}

#[cfg(feature = "ssr")]
impl Access {
    pub fn may_upload(self) -> bool {
        matches!(self, Self::Owner | Self::Link)
    }
    pub fn may_withdraw(self) -> bool {
        self == Self::Owner
    }
}

/// The customer whose claim `claim_id` the caller may read, and how; `None` when this
/// caller may not see it (the page is then a 404 or the sign-in page).
#[cfg(feature = "ssr")]
pub fn claim_reader(
    caller: &Caller,
    claim_id: &str,
) -> Result<(Option<String>, Access), PageError> {
    match caller {
        Caller::Customer { customer_id, .. } => Ok((Some(customer_id.clone()), Access::Owner)),
        Caller::Impersonating { customer_id, .. } => {
            Ok((Some(customer_id.clone()), Access::Viewing))
        }
        Caller::Link {
            customer_id,
            scope: LinkScope::Claim { claim_id: only },
            ..
        } => {
            if only == claim_id {
                Ok((Some(customer_id.clone()), Access::Link))
            } else {
                Err(PageError::NotFound)
            }
        }
        Caller::Staff { role, .. } if role.can(Permission::ClaimsQueue) => {
            Ok((None, Access::Staff))
        }
        _ => Err(PageError::Login),
    }
}

/// The customer sending a document for `claim_id`: themselves, or by the claim's link.
#[cfg(feature = "ssr")]
pub fn claim_uploader(caller: &Caller, claim_id: &str) -> Result<String, Refused> {
    match caller {
        Caller::Link {
            customer_id,
            scope: LinkScope::Claim { claim_id: only },
            ..
        } if only == claim_id => Ok(customer_id.clone()),
        Caller::Link { .. } => Err(Refused::NotSignedIn),
        other => other
            .acting_customer(Action::UploadClaimDocument)
            .map(str::to_owned),
    }
}

/// The text fields of the report form, as posted.
#[cfg(feature = "ssr")]
#[derive(Default, Debug)]
pub struct ReportFields {
    pub policy_id: String,
    pub incident_date: String,
    pub place: String,
    pub description: String,
    pub amount: String,
    /// A saved method's id, or "bank".
    pub payout: String,
    pub bank: String,
    pub account_no: String,
}

/// An amount in yuan as people type it ("3500", "3,500.50", "¥3500"): fen, if positive.
#[cfg(feature = "ssr")]
pub fn parse_yuan(s: &str) -> Option<Money> {
    let s: String = s
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fen = whole.parse::<i64>().ok()? * 100 + format!("{frac:0<2}").parse::<i64>().ok()?;
    (fen > 0).then_some(Money(fen))
}

#[cfg(feature = "ssr")]
pub use crate::backend::domain::accounts::parse_account_no;

/// Parses the report form's text fields (files aside); the first problem wins.
#[cfg(feature = "ssr")]
pub fn parse_report(
    f: &ReportFields,
) -> Result<
    (
        chrono::NaiveDate,
        String,
        String,
        Option<Money>,
        svc::PayoutChoice,
    ),
    ErrorCode,
> {
    let date = chrono::NaiveDate::parse_from_str(f.incident_date.trim(), "%Y-%m-%d")
        .map_err(|_| ErrorCode::ClaimDate)?;
    let place = f.place.trim();
    if place.is_empty() || place.chars().count() > svc::MAX_PLACE {
        return Err(ErrorCode::ClaimPlace);
    }
    let description = f.description.trim();
    if description.chars().count() < 4 || description.chars().count() > svc::MAX_DESCRIPTION {
        return Err(ErrorCode::ClaimDescription);
    }
    let amount = if f.amount.trim().is_empty() {
        None
    } else {
        Some(parse_yuan(&f.amount).ok_or(ErrorCode::ClaimAmount)?)
    };
    let payout = match f.payout.as_str() {
        "" => return Err(ErrorCode::PayoutAccount),
        "on_file" => svc::PayoutChoice::OnFile,
        "bank" => {
            let bank = f.bank.trim();
            let account_no = parse_account_no(&f.account_no).ok_or(ErrorCode::PayoutAccount)?;
            if bank.is_empty() || bank.chars().count() > 40 {
                return Err(ErrorCode::PayoutAccount);
            }
            svc::PayoutChoice::Bank {
                bank: bank.to_owned(),
                account_no,
            }
        }
        id => svc::PayoutChoice::Method(super::auth::urlsafe(id)),
    };
    Ok((
        date,
        place.to_owned(),
        description.to_owned(),
        amount,
        payout,
    ))
}

/// The code a refused upload goes back with.
#[cfg(feature = "ssr")]
pub fn upload_error_code(e: crate::backend::domain::uploads::UploadError) -> ErrorCode {
    use crate::backend::domain::uploads::UploadError as U;
    match e {
        U::Empty => ErrorCode::FileEmpty,
        U::TooLarge => ErrorCode::FileTooLarge,
        U::Heic => ErrorCode::FileHeic,
        U::NotAllowed => ErrorCode::FileType,
        U::Damaged => ErrorCode::FileDamaged,
    }
}

/// Where a refused claim change sends the browser, with which code.
#[cfg(feature = "ssr")]
pub fn change_error(back: &str, e: ChangeError) {
    match e {
        ChangeError::NotFound => ctx::go_not_found(back),
        ChangeError::Conflict => ctx::go(&ctx::error_url(back, ErrorCode::ClaimMoved, &[])),
        ChangeError::Move(MoveError::AmountMissing) => {
            ctx::go(&ctx::error_url(back, ErrorCode::ClaimAmountMissing, &[]))
        }
        ChangeError::Move(_) => ctx::go(&ctx::error_url(back, ErrorCode::ClaimIllegal, &[])),
        ChangeError::Internal(e) => ctx::go_internal_error(back, &e),
    }
}

/// 撤案: the customer withdraws their claim while it is before approval.
#[server(prefix = "/api", endpoint = "withdraw_claim")]
pub async fn withdraw_claim(claim_id: String) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let back = claim_path(&claim_id);
    let (_, customer_id) = match ctx::require_acting(Action::WithdrawClaim) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(&back, r),
    };
    match svc::withdraw(&ctx::state(), &customer_id, &claim_id).await {
        Ok(()) => ctx::go(&format!("{back}?done=withdrawn")),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// A note from a handler: trimmed, at most `MAX_NOTE` characters.
#[cfg(feature = "ssr")]
fn note(s: &str) -> Option<String> {
    let s = s.trim();
    (s.chars().count() <= svc::MAX_NOTE).then(|| s.to_owned())
}

/// The claims handler asking, or the redirect that refuses them.
#[cfg(feature = "ssr")]
fn claims_staff(back: &str) -> Option<String> {
    match ctx::caller().staff_with(Permission::ClaimsQueue) {
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

/// Claims staff: move a claim on to its next stage, from the stage the page showed.
#[server(prefix = "/api", endpoint = "advance_claim")]
pub async fn advance_claim(
    claim_id: String,
    from: String,
    note: String,
) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let back = staff_claim_path(&claim_id);
    let Some(staff_id) = claims_staff(&back) else {
        return Ok(());
    };
    let (Some(from), Some(note)) = (ClaimStage::parse(&from), self::note(&note)) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        return Ok(());
    };
    match svc::advance(&ctx::state(), &staff_id, &claim_id, from, &note).await {
        Ok(to) => ctx::go(&format!("{back}?done=moved_{to}")),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// Claims staff: 拒赔, with the reason the customer will read.
#[server(prefix = "/api", endpoint = "decline_claim")]
pub async fn decline_claim(
    claim_id: String,
    from: String,
    reason: String,
) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let back = staff_claim_path(&claim_id);
    let Some(staff_id) = claims_staff(&back) else {
        return Ok(());
    };
    let reason = note(&reason).filter(|r| r.chars().count() >= 4);
    let (Some(from), Some(reason)) = (ClaimStage::parse(&from), reason) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        return Ok(());
    };
    match svc::decline(&ctx::state(), &staff_id, &claim_id, from, &reason).await {
        Ok(()) => ctx::go(&format!("{back}?done=declined")),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// Claims staff: the assessed (`kind=assessed`) or approved (`kind=approved`) amount.
#[server(prefix = "/api", endpoint = "set_claim_amount")]
pub async fn set_claim_amount(
    claim_id: String,
    kind: String,
    amount: String,
) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let back = staff_claim_path(&claim_id);
    let Some(staff_id) = claims_staff(&back) else {
        return Ok(());
    };
    let kind = match kind.as_str() {
        "assessed" => ClaimEventKind::Assessed,
        "approved" => ClaimEventKind::Approved,
        _ => {
            ctx::go(&ctx::error_url(&back, ErrorCode::ClaimIllegal, &[]));
            return Ok(());
        }
    };
    let Some(amount) = parse_yuan(&amount) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::ClaimAmount, &[]));
        return Ok(());
    };
    match svc::set_amount(&ctx::state(), &staff_id, &claim_id, kind, amount).await {
        Ok(()) => ctx::go(&format!("{back}?done={kind}")),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// Claims staff: ask the customer for a document, saying why.
#[server(prefix = "/api", endpoint = "request_claim_document")]
pub async fn request_claim_document(
    claim_id: String,
    kind: String,
    note: String,
) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let back = staff_claim_path(&claim_id);
    let Some(staff_id) = claims_staff(&back) else {
        return Ok(());
    };
    let (Some(kind), Some(note)) = (DocKind::parse(&kind), self::note(&note)) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        return Ok(());
    };
    match svc::request_document(&ctx::state(), &staff_id, &claim_id, kind, &note).await {
        Ok(()) => ctx::go(&format!("{back}?done=requested")),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// Claims staff: accept a received document, or reject it with a reason.
#[server(prefix = "/api", endpoint = "review_claim_document")]
pub async fn review_claim_document(
    claim_id: String,
    document_id: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let document_id = super::auth::urlsafe(&document_id);
    let back = staff_claim_path(&claim_id);
    let Some(staff_id) = claims_staff(&back) else {
        return Ok(());
    };
    let accept = match decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            ctx::go(&ctx::error_url(&back, ErrorCode::ClaimIllegal, &[]));
            return Ok(());
        }
    };
    let reason = note(reason.as_deref().unwrap_or("")).unwrap_or_default();
    if !accept && reason.chars().count() < 4 {
        ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        return Ok(());
    }
    match svc::review_document(
        &ctx::state(),
        &staff_id,
        &claim_id,
        &document_id,
        accept,
        &reason,
    )
    .await
    {
        Ok(()) => ctx::go(&format!(
            "{back}?done={}",
            if accept { "accepted" } else { "rejected" }
        )),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// Claims staff: a note on the claim's timeline.
#[server(prefix = "/api", endpoint = "add_claim_note")]
pub async fn add_claim_note(claim_id: String, note: String) -> Result<(), ServerFnError> {
    let claim_id = super::auth::urlsafe(&claim_id);
    let back = staff_claim_path(&claim_id);
    let Some(staff_id) = claims_staff(&back) else {
        return Ok(());
    };
    let Some(note) = self::note(&note).filter(|n| !n.is_empty()) else {
        ctx::go(&ctx::error_url(&back, ErrorCode::ReasonRequired, &[]));
        return Ok(());
    };
    match svc::add_note(&ctx::state(), &staff_id, &claim_id, &note).await {
        Ok(()) => ctx::go(&format!("{back}?done=noted")),
        Err(e) => change_error(&back, e),
    }
    Ok(())
}

/// Page data: every claim of the reading customer's.
#[cfg(feature = "ssr")]
pub async fn list() -> Result<Vec<svc::ClaimListItem>, PageError> {
    let customer_id = ctx::require_customer().await?;
    Ok(svc::list(&ctx::state(), &customer_id).await?)
}

/// Page data for `/claims/new`: the active policies a claim may be made on, and the
/// saved methods a payout may go to, the payout account on file (masked), read-only.
#[cfg(feature = "ssr")]
pub async fn new_claim() -> Result<
    (
        Vec<crate::backend::store::policies::PolicySummary>,
        Vec<crate::backend::store::payment_methods::PaymentMethodRow>,
        Option<String>,
        bool,
    ),
    PageError,
> {
    use crate::backend::store::{customers, payment_methods, policies};
    let caller = ctx::caller();
    let customer_id = caller
        .reading_customer()
        .map_err(|_| PageError::Login)?
        .to_owned();
    let read_only = caller.acting_customer(Action::ReportClaim).is_err();
    let pool = &ctx::state().db.pool;
    let active = policies::list_for_customer(pool, &customer_id)
        .await?
        .into_iter()
        .filter(|p| p.status == crate::model::PolicyStatus::Active)
        .collect();
    Ok((
        active,
        payment_methods::for_customer(pool, &customer_id).await?,
        customers::accounts(pool, &customer_id)
            .await?
            .and_then(|a| a.payout_masked),
        read_only,
    ))
}

/// Page data: one claim the caller may see, and how they may see it.
#[cfg(feature = "ssr")]
pub async fn detail(claim_id: &str) -> Result<(svc::ClaimView, Access), PageError> {
    let (customer, access) = claim_reader(&ctx::caller(), claim_id)?;
    // Staff read claims on their own pages, not the customer's.
    let customer = customer.ok_or(PageError::Login)?;
    let v = svc::view(&ctx::state(), &customer, claim_id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((v, access))
}

/// Page data: the claims queue.
#[cfg(feature = "ssr")]
pub async fn queue(
    filter: &crate::backend::store::claims::QueueFilter,
    overdue: bool,
) -> Result<Vec<svc::ClaimListItem>, PageError> {
    ctx::require_staff_with(Permission::ClaimsQueue).await?;
    Ok(svc::queue(&ctx::state(), filter, overdue).await?)
}

/// Page data: one claim, for claims staff.
#[cfg(feature = "ssr")]
pub async fn staff_detail(claim_id: &str) -> Result<svc::ClaimView, PageError> {
    ctx::require_staff_with(Permission::ClaimsQueue).await?;
    svc::view_any(&ctx::state(), claim_id)
        .await?
        .ok_or(PageError::NotFound)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_as_people_type_it() {
        assert_eq!(parse_yuan("3500"), Some(Money(350_000)));
        assert_eq!(parse_yuan("¥3,500.5"), Some(Money(350_050)));
        assert_eq!(parse_yuan(" 12.34 "), Some(Money(1_234)));
        for bad in [
            "",
            "0",
            "-5",
            "1.234",
            "abc",
            "1e5",
            "99999999999999",
            ".5",
            "1..2",
        ] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_yuan_never_panics(s in "\\PC{0,40}") {
            let _ = parse_yuan(&s);
        }
    }
}
