//! The staff console (finding customers, their 360° view, "view as customer", the audit
//! log) and the customer's own side of it (`/settings/access`).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::auth::caller::Action,
    crate::backend::auth::viewing::{self, RequestInfo, StartError},
    crate::backend::services::console::{self as svc, Customer360, Found},
    crate::backend::store::console::{self as store, AuditFilter, AuditRow, Visit},
    crate::model::{ErrorCode, Permission},
};

pub const CUSTOMERS: &str = "/staff/customers";
pub const AUDIT: &str = "/staff/audit";
pub const ACCESS: &str = "/settings/access";
pub const ACCOUNTS: &str = "/staff/accounts";
/// Holds a temporary password for the one page that shows it (5 minutes, HttpOnly).
#[cfg(feature = "ssr")]
pub const TEMP_PASSWORD: &str = "anxin_temp_pw";

pub fn customer_path(id: &str) -> String {
    format!("/staff/customers/{id}")
}

/// Starts "view as customer" for the customer on this page, with a reason.
#[server(prefix = "/api", endpoint = "start_view_as")]
pub async fn start_view_as(
    customer_id: String,
    reason: String,
    ticket: Option<String>,
) -> Result<(), ServerFnError> {
    let caller = ctx::caller();
    if ctx::require_staff_with(Permission::ViewAsCustomer)
        .await
        .is_err()
    {
        ctx::go("/staff/login");
        return Ok(());
    }
    let id = super::auth::urlsafe(&customer_id);
    let back = customer_path(&id);
    let (ip, rid) = (ctx::client_ip(), ctx::request_id());
    let req = RequestInfo {
        ip: &ip,
        request_id: &rid,
    };
    let started = viewing::start(
        &ctx::state(),
        &caller,
        &id,
        &reason,
        ticket.as_deref().unwrap_or(""),
        req,
    )
    .await;
    let code = match started {
        Ok(false) => {
            ctx::go("/");
            return Ok(());
        }
        // Limited to the open claims: their list is on the customer's page.
        Ok(true) => {
            ctx::go(&format!("{back}?viewing=limited#claims"));
            return Ok(());
        }
        Err(StartError::NotFound) => {
            ctx::go_not_found(&back);
            return Ok(());
        }
        Err(StartError::Internal(e)) => {
            ctx::go_internal_error(&back, &e);
            return Ok(());
        }
        Err(StartError::ReasonTooShort) => ErrorCode::ViewReasonShort,
        Err(StartError::ReasonTooLong) => ErrorCode::ViewReasonLong,
        Err(StartError::BadTicket) => ErrorCode::BadTicket,
        Err(StartError::OwnRecord) => ErrorCode::OwnRecord,
        Err(StartError::AlreadyViewing) => ErrorCode::ReadOnly,
    };
    ctx::go(&ctx::error_url(&back, code, &[]));
    Ok(())
}

/// Ends "view as customer": back to the customer's page in the console.
#[server(prefix = "/api", endpoint = "end_view_as")]
pub async fn end_view_as() -> Result<(), ServerFnError> {
    let (ip, rid) = (ctx::client_ip(), ctx::request_id());
    let req = RequestInfo {
        ip: &ip,
        request_id: &rid,
    };
    match viewing::end(&ctx::state(), &ctx::caller(), req).await {
        Ok(Some(customer)) => ctx::go(&format!("{}?viewing=ended", customer_path(&customer))),
        Ok(None) if ctx::caller().is_staff() => ctx::go(CUSTOMERS),
        Ok(None) => ctx::go("/"),
        Err(e) => ctx::go_internal_error("/staff", &e),
    }
    Ok(())
}

/// The customer allows, or stops, staff viewing their account (open claims stay viewable).
#[server(prefix = "/api", endpoint = "set_staff_viewing")]
pub async fn set_staff_viewing(allowed: Option<String>) -> Result<(), ServerFnError> {
    let (_, customer_id) = match ctx::require_acting(Action::ChangeStaffViewing) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(ACCESS, r),
    };
    let allowed = allowed.as_deref() == Some("on");
    match store::set_staff_view(&ctx::state().db.pool, &customer_id, allowed).await {
        Ok(()) => ctx::go(&format!("{ACCESS}?saved=1")),
        Err(e) => ctx::go_internal_error(ACCESS, &e),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub struct SearchPage {
    pub q: String,
    /// `None`: nothing searched yet (or nothing worth searching).
    pub found: Option<Vec<Found>>,
}

/// `/staff/customers?q=`: results masked.
#[cfg(feature = "ssr")]
pub async fn customer_search(q: String) -> Result<SearchPage, PageError> {
    ctx::require_staff_with(Permission::SearchCustomers).await?;
    let Some(query) = svc::search_query(&q) else {
        return Ok(SearchPage {
            q: q.chars().take(40).collect(),
            found: None,
        });
    };
    let found = svc::search(&ctx::state(), &query).await?;
    Ok(SearchPage {
        q: query,
        found: Some(found),
    })
}

#[cfg(feature = "ssr")]
pub struct CustomerPage {
    pub view: Customer360,
    pub may_view_as: bool,
    pub now: i64,
}

/// `/staff/customers/{id}`, the 360° view (its opening audited).
#[cfg(feature = "ssr")]
pub async fn customer_page(id: String) -> Result<CustomerPage, PageError> {
    let staff_id = ctx::require_staff_with(Permission::ViewCustomer).await?;
    let state = ctx::state();
    let view = svc::customer_360(
        &state,
        &staff_id,
        &id,
        &ctx::client_ip(),
        &ctx::request_id(),
    )
    .await?
    .ok_or(PageError::NotFound)?;
    Ok(CustomerPage {
        may_view_as: ctx::caller().staff_with(Permission::ViewAsCustomer).is_ok(),
        now: state.clock.now(),
        view,
    })
}

/// The filters of `/staff/audit`, as typed.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub staff: String,
    pub phone: String,
    pub action: String,
    /// `YYYY-MM-DD`, Shanghai days, inclusive.
    pub from: String,
    pub until: String,
}

#[cfg(feature = "ssr")]
pub const AUDIT_LIMIT: i64 = 200;

/// `/staff/audit`: newest first, at most 200 rows.
#[cfg(feature = "ssr")]
pub async fn audit_page(q: &AuditQuery) -> Result<Vec<AuditRow>, PageError> {
    use crate::backend::clock::shanghai_day_start;
    ctx::require_staff_with(Permission::AuditLog).await?;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let text = |s: &str, n: usize| {
        let t: String = s.trim().chars().take(n).collect();
        (!t.is_empty()).then_some(t)
    };
    let filter = AuditFilter {
        staff_username: text(&q.staff, 32).map(|s| s.to_lowercase()),
        customer_phone: text(&q.phone, 11),
        action_prefix: text(&q.action, 40),
        from: day(&q.from).map(shanghai_day_start),
        until: day(&q.until)
            .and_then(|d| d.succ_opt())
            .map(shanghai_day_start),
    };
    Ok(store::audit_search(&ctx::state().db.pool, &filter, AUDIT_LIMIT).await?)
}

#[cfg(feature = "ssr")]
pub struct AccessPage {
    pub allowed: bool,
    pub visits: Vec<Visit>,
    pub now: i64,
}

/// `/settings/access`: each time staff viewed the customer's account, and the setting.
#[cfg(feature = "ssr")]
pub async fn access_page() -> Result<AccessPage, PageError> {
    let customer_id = ctx::require_customer().await?;
    let state = ctx::state();
    Ok(AccessPage {
        allowed: store::staff_view_allowed(&state.db.pool, &customer_id).await?,
        visits: store::visits_of_customer(&state.db.pool, &customer_id, 100).await?,
        now: state.clock.now(),
    })
}

/// The admin asking, or the page/redirect that says why not.
#[cfg(feature = "ssr")]
async fn require_admin() -> Option<String> {
    match ctx::require_staff_with(Permission::ManageStaff).await {
        Ok(id) => Some(id),
        Err(_) => {
            ctx::go("/staff/login");
            None
        }
    }
}

/// Shows `password` once on `/staff/accounts`, for `username`.
#[cfg(feature = "ssr")]
fn hand_over(username: &str, password: &secrecy::SecretString) {
    use secrecy::ExposeSecret;
    ctx::remember_for(
        ACCOUNTS,
        TEMP_PASSWORD,
        Some(&format!("{username}:{}", password.expose_secret())),
    );
}

/// An admin creates a member of staff; the temporary password is shown once.
#[server(prefix = "/api", endpoint = "create_staff")]
pub async fn create_staff(
    username: String,
    display_name: String,
    role: String,
    phone: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::backend::auth::staff::{self as staff_auth, AddStaffError};
    let Some(admin) = require_admin().await else {
        return Ok(());
    };
    let Some(role) = crate::model::StaffRole::parse(&role) else {
        ctx::go(&ctx::error_url(ACCOUNTS, ErrorCode::MissingField, &[]));
        return Ok(());
    };
    let phone = phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let phone = match phone.map(crate::model::Phone::parse) {
        None => None,
        Some(Some(p)) => Some(p.as_str().to_owned()),
        Some(None) => {
            ctx::go(&ctx::error_url(ACCOUNTS, ErrorCode::InvalidPhone, &[]));
            return Ok(());
        }
    };
    let name: String = display_name.trim().chars().take(40).collect();
    let state = ctx::state();
    match staff_auth::create_by_admin(&state, &admin, &username, &name, role, phone.as_deref())
        .await
    {
        Ok(password) => {
            let username = username.trim().to_lowercase();
            hand_over(&username, &password);
            ctx::go(&format!("{ACCOUNTS}?done=created"));
        }
        Err(AddStaffError::BadUsername) => {
            ctx::go(&ctx::error_url(ACCOUNTS, ErrorCode::BadUsername, &[]))
        }
        Err(AddStaffError::Taken) => {
            ctx::go(&ctx::error_url(ACCOUNTS, ErrorCode::UsernameTaken, &[]))
        }
        Err(AddStaffError::Weak(_)) | Err(AddStaffError::Internal(_)) => {
            ctx::go_internal_error(ACCOUNTS, &"staff account not created")
        }
    }
    Ok(())
}

/// The admin asking to disable or reset `username`, or `None` (and the redirect) for
/// anyone else or for their own account, which the console may not lock out (the command
/// line can).
#[cfg(feature = "ssr")]
async fn admin_acting_on(username: &str) -> Option<String> {
    let admin = require_admin().await?;
    let own = matches!(
        crate::backend::store::staff::by_id(&ctx::state().db.pool, &admin).await,
        Ok(Some(row)) if row.username == username.trim().to_lowercase()
    );
    if own {
        ctx::go(&ctx::error_url(ACCOUNTS, ErrorCode::OwnAccount, &[]));
        return None;
    }
    Some(admin)
}

/// An admin disables a member of staff: no more logins, their sessions end now.
#[server(prefix = "/api", endpoint = "disable_staff")]
pub async fn disable_staff(username: String) -> Result<(), ServerFnError> {
    let Some(admin) = admin_acting_on(&username).await else {
        return Ok(());
    };
    let state = ctx::state();
    match crate::backend::auth::staff::disable(&state, &username, Some(&admin)).await {
        Ok(Some(_)) => ctx::go(&format!("{ACCOUNTS}?done=disabled")),
        Ok(None) => ctx::go(ACCOUNTS),
        Err(e) => ctx::go_internal_error(ACCOUNTS, &e),
    }
    Ok(())
}

/// An admin resets a member of staff's password: a new temporary one, shown once.
#[server(prefix = "/api", endpoint = "reset_staff_password")]
pub async fn reset_staff_password(username: String) -> Result<(), ServerFnError> {
    let Some(admin) = admin_acting_on(&username).await else {
        return Ok(());
    };
    let state = ctx::state();
    match crate::backend::auth::staff::reset_password(&state, &admin, &username).await {
        Ok(Some(password)) => {
            hand_over(&username.trim().to_lowercase(), &password);
            ctx::go(&format!("{ACCOUNTS}?done=reset"));
        }
        Ok(None) => ctx::go(ACCOUNTS),
        Err(e) => ctx::go_internal_error(ACCOUNTS, &e),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub struct AccountsPage {
    pub staff: Vec<crate::backend::store::staff::StaffListRow>,
    /// A password just made, for this username: shown once, then forgotten.
    pub handed_over: Option<(String, String)>,
    pub me: String,
}

/// `/staff/accounts` (admins).
#[cfg(feature = "ssr")]
pub async fn accounts_page() -> Result<AccountsPage, PageError> {
    let me = ctx::require_staff_with(Permission::ManageStaff).await?;
    let state = ctx::state();
    let handed_over = ctx::remembered(TEMP_PASSWORD).and_then(|v| {
        let (u, p) = v.split_once(':')?;
        Some((u.to_owned(), p.to_owned()))
    });
    if handed_over.is_some() {
        ctx::remember_for(ACCOUNTS, TEMP_PASSWORD, None);
    }
    Ok(AccountsPage {
        staff: crate::backend::store::staff::list(&state.db.pool).await?,
        handed_over,
        me,
    })
}
