//! SMS short links: what one may be for.

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// This renewal offer's policy (target: the policy id).
    Renewal,
    Claim,
    Survey,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Renewal => "renewal",
            Self::Claim => "claim",
            Self::Survey => "survey",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "renewal" => Some(Self::Renewal),
            "claim" => Some(Self::Claim),
            "survey" => Some(Self::Survey),
            _ => None,
        }
    }
}
