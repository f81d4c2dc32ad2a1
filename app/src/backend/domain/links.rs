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
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Renewal => "renewal",
            Self::Claim => "claim",
            Self::Survey => "survey",
            Self::Booking => "booking",
            Self::Roadside => "roadside",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "renewal" => Some(Self::Renewal),
            "claim" => Some(Self::Claim),
            "survey" => Some(Self::Survey),
            "booking" => Some(Self::Booking),
            "roadside" => Some(Self::Roadside),
            _ => None,
        }
    }
}
