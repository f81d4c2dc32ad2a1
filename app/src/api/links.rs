//! SMS short links: the landing page's data and its light check.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::services::short_links::{self, CheckError, Purpose},
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
        ctx::go(&ctx::error_url(&back, "invalid_id_last4", &[]));
        return Ok(());
    };
    match short_links::check(&ctx::state(), &code, &last4, &ctx::client_ip()).await {
        Ok((link, cookie)) => {
            ctx::set_cookie(&cookie);
            ctx::go(&match link.purpose {
                Purpose::Renewal => super::policies::renew_path(&link.target_id),
                // Claims and surveys arrive with their own pages.
                Purpose::Claim | Purpose::Survey => "/".to_owned(),
            });
        }
        Err(CheckError::Gone) => ctx::go(&back),
        Err(CheckError::Locked { until }) => ctx::go(&ctx::error_url(
            &back,
            "link_locked",
            &[("until", until.to_string())],
        )),
        Err(CheckError::Wrong { left }) => ctx::go(&ctx::error_url(
            &back,
            "link_wrong",
            &[("left", left.to_string())],
        )),
        Err(CheckError::Internal(e)) => ctx::go_internal_error(&back, &e),
    }
    Ok(())
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
        Purpose::Claim | Purpose::Survey => None,
    };
    Ok(Some(Landing {
        code: link.code,
        purpose: link.purpose,
        locked_until: link.locked_until,
        renewal,
    }))
}
