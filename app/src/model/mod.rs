//! Plain types shared by the server and the browser. Each newtype can only hold a
//! valid value: outside input is parsed into one of these once, at the edge.

mod money;
mod phone;
mod policy_no;
mod states;

pub use money::Money;
pub use phone::Phone;
pub use policy_no::PolicyNo;
pub use states::{OfferState, PaymentState, PolicyStatus};

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
}

/// Line of business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
        }
    }
}
