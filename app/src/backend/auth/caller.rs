//! Who is asking: decided once per request, from the session cookie, by the server's
//! middleware (`resolve`), and put in the request's extensions. Pages, server functions
//! and plain routes all read that one value; nothing looks the session up again.

use super::session::{self, Principal, Session};
use crate::backend::domain::links::Purpose;
use crate::backend::AppState;
use crate::model::{Permission, StaffRole};

#[derive(Clone, Debug, Default)]
pub enum Caller {
    #[default]
    Anonymous,
    Customer {
        session: Session,
        customer_id: String,
    },
    Staff {
        session: Session,
        staff_id: String,
        role: StaffRole,
    },
    /// Came by an SMS short link and passed its light check: this one thing only.
    Link {
        session: Session,
        customer_id: String,
        scope: LinkScope,
    },
    /// 代客查看 — a member of staff viewing the portal as a customer sees it: reads as
    /// that customer, never acts as them (see `Action`), until `until`. Every request in
    /// it is audited (`auth::viewing`).
    Impersonating {
        session: Session,
        staff_id: String,
        role: StaffRole,
        customer_id: String,
        impersonation_id: String,
        reason: String,
        until: i64,
        /// For the banner: whose account, and who is looking.
        customer_name: String,
        staff_name: String,
        /// The customer turned viewing off: only their open claims' pages may be seen.
        limited: bool,
    },
}

/// The one thing a short-link session may see and do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkScope {
    /// Renew and pay this policy.
    Renewal {
        policy_id: String,
    },
    Claim {
        claim_id: String,
    },
    Survey {
        invitation_id: String,
    },
    /// Book an appointment with this policy's entitlement (and see what was booked).
    Booking {
        policy_id: String,
    },
    /// Ask for roadside help under this policy (and follow the request).
    Roadside {
        policy_id: String,
    },
    /// Follow this case and reply to it (not withdraw or reopen it: those need signing in).
    Case {
        case_id: String,
    },
}

impl LinkScope {
    fn new(purpose: Purpose, target_id: String) -> Self {
        match purpose {
            Purpose::Renewal => Self::Renewal {
                policy_id: target_id,
            },
            Purpose::Claim => Self::Claim {
                claim_id: target_id,
            },
            Purpose::Survey => Self::Survey {
                invitation_id: target_id,
            },
            Purpose::Booking => Self::Booking {
                policy_id: target_id,
            },
            Purpose::Roadside => Self::Roadside {
                policy_id: target_id,
            },
            Purpose::Case => Self::Case { case_id: target_id },
        }
    }
}

/// A change a customer makes. While staff view as the customer, every action is refused
/// unless it is on the short assisted list (`Action::assisted`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Pay,
    SetAutoDebit,
    StepUp,
    LogOutEverywhere,
    ChangeNotificationPreferences,
    /// 报案 — report a claim.
    ReportClaim,
    /// Send a document for a claim (also from the claim's short link).
    UploadClaimDocument,
    /// 撤案 — withdraw a claim.
    WithdrawClaim,
    /// Book, reschedule or cancel an appointment: spends (or returns) the customer's
    /// entitlement, so it is theirs to decide, not assisted.
    Book,
    Reschedule,
    CancelBooking,
    RequestRoadside,
    /// Allow or stop staff viewing the account (`/settings/access`).
    ChangeStaffViewing,
    /// Rate a service or a paid claim (also from the survey's short link): the
    /// customer's own opinion, never given for them.
    AnswerSurvey,
    /// 变更受益人 — ask for a policy's beneficiaries to change (after a step-up check).
    ChangeBeneficiaries,
    /// Change the account's address and email.
    ChangeContact,
    /// Change the account's phone number (ends the account's other sessions).
    ChangePhone,
    /// 变更续期扣款方式 — the saved method auto-debit renewal charges (after a step-up check).
    ChangeDebitMethod,
    /// 变更收款账户 — where claim payouts and loans are paid (after a step-up check).
    ChangePayoutAccount,
    /// 保单贷款 — borrow against a life policy's cash value (after a step-up check).
    RequestLoan,
    /// Open, reply to, withdraw or reopen a complaint or question case: the customer's
    /// own voice, never spoken for them.
    ActOnCase,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Self::Pay,
        Self::SetAutoDebit,
        Self::StepUp,
        Self::LogOutEverywhere,
        Self::ChangeNotificationPreferences,
        Self::ReportClaim,
        Self::UploadClaimDocument,
        Self::WithdrawClaim,
        Self::Book,
        Self::Reschedule,
        Self::CancelBooking,
        Self::RequestRoadside,
        Self::ChangeStaffViewing,
        Self::AnswerSurvey,
        Self::ChangeBeneficiaries,
        Self::ChangeContact,
        Self::ChangePhone,
        Self::ChangeDebitMethod,
        Self::ChangePayoutAccount,
        Self::RequestLoan,
        Self::ActOnCase,
    ];

    /// What staff may do for a customer while viewing as them. Nothing yet: payments,
    /// mandates, identity checks and account changes belong to the customer alone, and
    /// an assisted action joins this list only with its own audit trail.
    pub fn assisted(self) -> bool {
        false
    }
}

/// Why a caller may not do what they asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Nobody (of the right kind) is signed in.
    NotSignedIn,
    /// Staff viewing as the customer: never in the customer's name.
    Impersonating,
    /// Staff without the permission.
    Forbidden,
}

impl Caller {
    pub fn session(&self) -> Option<&Session> {
        match self {
            Self::Anonymous => None,
            Self::Customer { session, .. }
            | Self::Staff { session, .. }
            | Self::Link { session, .. }
            | Self::Impersonating { session, .. } => Some(session),
        }
    }

    /// The customer whose data this request reads: the customer, or the one staff are
    /// viewing as. Short-link sessions read through their scope only (`link`).
    pub fn reading_customer(&self) -> Result<&str, Refused> {
        match self {
            Self::Customer { customer_id, .. } | Self::Impersonating { customer_id, .. } => {
                Ok(customer_id)
            }
            _ => Err(Refused::NotSignedIn),
        }
    }

    /// The customer doing `action` in their own name. Staff viewing as them are refused
    /// unless the action is assisted.
    pub fn acting_customer(&self, action: Action) -> Result<&str, Refused> {
        match self {
            Self::Customer { customer_id, .. } => Ok(customer_id),
            Self::Impersonating { customer_id, .. } if action.assisted() => Ok(customer_id),
            Self::Impersonating { .. } => Err(Refused::Impersonating),
            _ => Err(Refused::NotSignedIn),
        }
    }

    /// A short-link session's customer and scope.
    pub fn link(&self) -> Option<(&str, &LinkScope)> {
        match self {
            Self::Link {
                customer_id, scope, ..
            } => Some((customer_id, scope)),
            _ => None,
        }
    }

    /// A member of staff with `permission` (also while viewing as a customer: the staff
    /// console stays theirs).
    pub fn staff_with(&self, permission: Permission) -> Result<(&str, StaffRole), Refused> {
        match self {
            Self::Staff { staff_id, role, .. } | Self::Impersonating { staff_id, role, .. } => {
                if role.can(permission) {
                    Ok((staff_id, *role))
                } else {
                    Err(Refused::Forbidden)
                }
            }
            _ => Err(Refused::NotSignedIn),
        }
    }

    /// Any member of staff (their console's home).
    pub fn staff(&self) -> Result<(&str, StaffRole), Refused> {
        match self {
            Self::Staff { staff_id, role, .. } | Self::Impersonating { staff_id, role, .. } => {
                Ok((staff_id, *role))
            }
            _ => Err(Refused::NotSignedIn),
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self, Self::Staff { .. } | Self::Impersonating { .. })
    }
}

/// The caller for a request carrying this session token (or none).
pub async fn resolve(state: &AppState, token: Option<&str>) -> sqlx::Result<Caller> {
    let Some(token) = token else {
        return Ok(Caller::Anonymous);
    };
    let Some((session, row)) = session::resolve(state, token).await? else {
        return Ok(Caller::Anonymous);
    };
    let now = state.clock.now();
    // A view whose time ran out ends here, on the first request after it (the join in
    // `find_live` already ignores it).
    if let (Some(id), None) = (&row.impersonation_id, &row.imp_customer_id) {
        let mut conn = state.db.pool.acquire().await?;
        crate::backend::store::console::finish(&mut conn, id, true, now).await?;
    }
    Ok(match session.principal.clone() {
        Principal::Customer { customer_id } => Caller::Customer {
            session,
            customer_id,
        },
        Principal::Staff { staff_id } => {
            // A role the code does not know signs nobody in.
            let Some(role) = row.staff_role.as_deref().and_then(StaffRole::parse) else {
                return Ok(Caller::Anonymous);
            };
            match (
                row.impersonation_id,
                row.imp_customer_id,
                row.imp_expires_at,
            ) {
                (Some(impersonation_id), Some(customer_id), Some(until)) => Caller::Impersonating {
                    session,
                    staff_id,
                    role,
                    customer_id,
                    impersonation_id,
                    reason: row.imp_reason.unwrap_or_default(),
                    until,
                    customer_name: row.imp_customer_name.unwrap_or_default(),
                    staff_name: row.staff_name.unwrap_or_default(),
                    limited: row.imp_staff_view == Some(0),
                },
                // Ended or expired: the staff member is back in their own console.
                _ => Caller::Staff {
                    session,
                    staff_id,
                    role,
                },
            }
        }
        Principal::Link { customer_id, .. } => {
            let live = row.link_expires_at.is_some_and(|t| t > now)
                && row.link_customer_id.as_deref() == Some(customer_id.as_str());
            match (
                live,
                row.link_purpose.as_deref().and_then(Purpose::parse),
                row.link_target,
            ) {
                (true, Some(purpose), Some(target)) => Caller::Link {
                    session,
                    customer_id,
                    scope: LinkScope::new(purpose, target),
                },
                _ => Caller::Anonymous,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            token_hash: "h".into(),
            principal: Principal::Customer {
                customer_id: "c".into(),
            },
            stepped_up_at: None,
        }
    }

    #[test]
    fn staff_viewing_as_a_customer_read_but_never_act() {
        let c = Caller::Impersonating {
            session: session(),
            staff_id: "s".into(),
            role: StaffRole::Agent,
            customer_id: "c".into(),
            impersonation_id: "i".into(),
            reason: "客户来电咨询续保".into(),
            until: 0,
            customer_name: "王伟".into(),
            staff_name: "李客服".into(),
            limited: false,
        };
        assert_eq!(c.reading_customer(), Ok("c"));
        for a in Action::ALL {
            assert_eq!(c.acting_customer(a), Err(Refused::Impersonating), "{a:?}");
        }
    }

    #[test]
    fn a_customer_acts_in_their_own_name_and_has_no_staff_rights() {
        let c = Caller::Customer {
            session: session(),
            customer_id: "c".into(),
        };
        for a in Action::ALL {
            assert_eq!(c.acting_customer(a), Ok("c"));
        }
        for p in Permission::ALL {
            assert_eq!(c.staff_with(p), Err(Refused::NotSignedIn));
        }
    }

    #[test]
    fn a_link_session_reads_through_its_scope_only() {
        let c = Caller::Link {
            session: session(),
            customer_id: "c".into(),
            scope: LinkScope::Renewal {
                policy_id: "p".into(),
            },
        };
        assert_eq!(c.reading_customer(), Err(Refused::NotSignedIn));
        assert_eq!(c.acting_customer(Action::Pay), Err(Refused::NotSignedIn));
        assert!(c.link().is_some());
    }
}
