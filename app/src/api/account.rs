//! Data for the signed-in home pages. Every read is scoped by the session's own id.

use super::ctx::{self, PageError};
use crate::backend::services::policies::{self as policy_svc, Standing};
use crate::backend::store::{customers, policies::PolicySummary, staff};
use crate::model::{Phone, StaffRole};

pub struct CustomerHome {
    /// Passed a step-up check in this session: policy numbers may be shown whole.
    pub reveal: bool,
    pub name: String,
    pub phone_masked: String,
    /// The policies grouped by standing, exactly as `/policies` lists them.
    pub groups: Vec<(Standing, Vec<PolicySummary>)>,
}

pub async fn customer_home() -> Result<CustomerHome, PageError> {
    let (session, customer_id) = ctx::require_customer_session().await?;
    let state = ctx::state();
    let profile = customers::profile(&state.db.pool, &customer_id)
        .await?
        .ok_or(PageError::Login)?;
    let groups = policy_svc::list(&state, &customer_id).await?;
    Ok(CustomerHome {
        reveal: crate::backend::auth::step_up::reveals(&session, state.clock.now()),
        name: profile.name,
        phone_masked: Phone::parse(&profile.phone)
            .map(|p| crate::i18n::phone(&p))
            .unwrap_or_default(),
        groups,
    })
}

pub struct StaffHome {
    pub display_name: String,
    pub role: StaffRole,
}

pub async fn staff_home() -> Result<StaffHome, PageError> {
    let (staff_id, role) = ctx::require_staff().await?;
    let state = ctx::state();
    let row = staff::by_id(&state.db.pool, &staff_id)
        .await?
        .ok_or(PageError::Login)?;
    Ok(StaffHome {
        display_name: row.display_name,
        role,
    })
}

/// Who is signed in, for the header: nobody, a customer or staff.
pub enum Viewer {
    Anonymous,
    Customer,
    Staff,
}

pub async fn viewer() -> Viewer {
    use crate::backend::auth::Caller;
    match ctx::caller() {
        Caller::Customer { .. } | Caller::Link { .. } | Caller::Impersonating { .. } => {
            Viewer::Customer
        }
        Caller::Staff { .. } => Viewer::Staff,
        Caller::Anonymous => Viewer::Anonymous,
    }
}
