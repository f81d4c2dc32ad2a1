//! SMS short links: what one may be for.

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// This renewal offer's policy (target: the policy id).
    Renewal,
    Claim,
    Survey,
    /// Book a check-up on this policy (target: the policy id): the answer to a "TJ" text.
    Booking,
    /// Ask for roadside help on this policy (target: the policy id): the answer to "JY".
    Roadside,
    /// Follow and reply to this complaint or question case (target: the case id).
    Case,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Renewal => "renewal",
            Self::Claim => "claim",
            Self::Survey => "survey",
            Self::Booking => "booking",
            Self::Roadside => "roadside",
            Self::Case => "case",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "renewal" => Some(Self::Renewal),
            "claim" => Some(Self::Claim),
            "survey" => Some(Self::Survey),
            "booking" => Some(Self::Booking),
            "roadside" => Some(Self::Roadside),
            "case" => Some(Self::Case),
            _ => None,
        }
    }
}
