//! Plain types shared by the server and the browser. Each newtype can only hold a
//! valid value: outside input is parsed into one of these once, at the edge.

mod error_code;
mod money;
mod phone;
mod policy_no;
mod states;

pub use error_code::ErrorCode;
pub use money::Money;
pub use phone::Phone;
pub use policy_no::PolicyNo;
pub use states::{
    BookingState, CaseCategory, CaseEventKind, CaseKind, CaseState, ClaimEventKind, ClaimStage,
    DocumentState, OfferState, OutboxState, PaymentState, PolicyStatus, RoadsideState,
    ServiceRequestKind, ServiceRequestState, SurveyState, SurveySubject,
};

use serde::{Deserialize, Serialize};

/// The last four characters of a PRC resident ID number (digits, or a final `X`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdLast4(String);

impl IdLast4 {
    pub fn parse(input: &str) -> Option<Self> {
        let s: String = input.trim().to_ascii_uppercase();
        let ok = s.len() == 4
            && s.char_indices()
                .all(|(i, c)| c.is_ascii_digit() || (i == 3 && c == 'X'));
        ok.then_some(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IdLast4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdLast4(****)")
    }
}

/// A one-time code sent by SMS: exactly six digits.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsCode(String);

impl SmsCode {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmsCode(******)")
    }
}

/// What a member of staff may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffRole {
    /// 客服坐席 — customer service agent
    Agent,
    /// 理赔专员 — claims handler
    Claims,
    Supervisor,
    Admin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [Self::Agent, Self::Claims, Self::Supervisor, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Claims => "claims",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// What this role may do: the one permission table, checked on the server for every
    /// staff page and server function. Each role has everything the one before it has.
    pub fn can(self, p: Permission) -> bool {
        self.rank() >= p.least_role().rank()
    }

    fn rank(self) -> u8 {
        match self {
            Self::Agent => 0,
            Self::Claims => 1,
            Self::Supervisor => 2,
            Self::Admin => 3,
        }
    }
}

/// Something a member of staff may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// Find customers (results masked).
    SearchCustomers,
    /// Open a customer's 360° view.
    ViewCustomer,
    /// 代客查看 — view the portal as the customer sees it (read-only, audited).
    ViewAsCustomer,
    /// Own and answer complaint and question cases.
    HandleCases,
    /// Move claims through their stages, request documents.
    ClaimsQueue,
    /// Review servicing (保全) requests.
    ReviewServicing,
    /// Read the SMS outbox.
    ReadOutbox,
    SurveyResults,
    SlotCalendars,
    AuditLog,
    /// Extend a case's deadline past 30 days.
    ExtendCases,
    /// 投诉统计 — read complaint and question case statistics and export them.
    CaseStatistics,
    /// Create, disable and reset staff accounts.
    ManageStaff,
    ManageProviders,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Self::SearchCustomers,
        Self::ViewCustomer,
        Self::ViewAsCustomer,
        Self::HandleCases,
        Self::ClaimsQueue,
        Self::ReviewServicing,
        Self::ReadOutbox,
        Self::SurveyResults,
        Self::SlotCalendars,
        Self::AuditLog,
        Self::ExtendCases,
        Self::CaseStatistics,
        Self::ManageStaff,
        Self::ManageProviders,
    ];

    /// The least role that has this permission.
    pub fn least_role(self) -> StaffRole {
        use StaffRole::*;
        match self {
            Self::SearchCustomers
            | Self::ViewCustomer
            | Self::ViewAsCustomer
            | Self::HandleCases => Agent,
            Self::ClaimsQueue | Self::ReviewServicing => Claims,
            Self::ReadOutbox
            | Self::SurveyResults
            | Self::SlotCalendars
            | Self::AuditLog
            | Self::ExtendCases
            | Self::CaseStatistics => Supervisor,
            Self::ManageStaff | Self::ManageProviders => Admin,
        }
    }
}

/// Line of business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Line {
    Auto,
    Health,
    Life,
    Home,
}

impl Line {
    pub const ALL: [Line; 4] = [Self::Auto, Self::Health, Self::Life, Self::Home];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Health => "health",
            Self::Life => "life",
            Self::Home => "home",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn id_last4_accepts_only_four_digits_or_trailing_x(s in "\\PC{0,6}") {
            if let Some(v) = IdLast4::parse(&s) {
                prop_assert_eq!(v.as_str().len(), 4);
                prop_assert!(v.as_str()[..3].bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn sms_code_is_six_digits(n in 0u32..1_000_000) {
            let s = format!("{n:06}");
            prop_assert_eq!(SmsCode::parse(&s).map(|c| c.as_str().to_owned()), Some(s));
        }
    }

    #[test]
    fn id_last4_examples() {
        assert!(IdLast4::parse("123x").is_some());
        assert!(IdLast4::parse("12x4").is_none());
        assert!(IdLast4::parse("12345").is_none());
        assert_eq!(
            format!("{:?}", IdLast4::parse("1234").unwrap()),
            "IdLast4(****)"
        );
    }

    #[test]
    fn roles_round_trip() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
            assert!(r.can(Permission::SearchCustomers), "every role searches");
        }
    }
}

#[cfg(test)]
mod permission_tests {
    use super::{Permission::*, StaffRole::*, *};

    /// The table in the staff console issue, written out: who may do what.
    #[test]
    fn each_role_has_exactly_its_permissions() {
        let expected: &[(StaffRole, &[Permission])] = &[
            (
                Agent,
                &[SearchCustomers, ViewCustomer, ViewAsCustomer, HandleCases],
            ),
            (
                Claims,
                &[
                    SearchCustomers,
                    ViewCustomer,
                    ViewAsCustomer,
                    HandleCases,
                    ClaimsQueue,
                    ReviewServicing,
                ],
            ),
            (
                Supervisor,
                &[
                    SearchCustomers,
                    ViewCustomer,
                    ViewAsCustomer,
                    HandleCases,
                    ClaimsQueue,
                    ReviewServicing,
                    ReadOutbox,
                    SurveyResults,
                    SlotCalendars,
                    AuditLog,
                    ExtendCases,
                    CaseStatistics,
                ],
            ),
            (Admin, &Permission::ALL),
        ];
        for (role, allowed) in expected {
            for p in Permission::ALL {
                assert_eq!(role.can(p), allowed.contains(&p), "{role:?} {p:?}");
            }
        }
    }
}
