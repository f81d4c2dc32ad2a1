use serde::{Deserialize, Serialize};

/// A policy number such as `PA2024110012345678`: two capital letters, then 8–20 digits.
/// `Display` and `Debug` mask it (`PA****5678`) so it cannot leak into pages or logs
/// by accident; `as_str` is for the few places allowed to show it whole.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PolicyNo(String);

impl PolicyNo {
    pub fn parse(input: &str) -> Option<Self> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = (10..=22).contains(&b.len())
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2..].iter().all(u8::is_ascii_digit);
        ok.then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..2], &self.0[self.0.len() - 4..])
    }
}

impl std::fmt::Display for PolicyNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

impl std::fmt::Debug for PolicyNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PolicyNo({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks() {
        let p = PolicyNo::parse("pa 2024 1100 1234 5678").unwrap();
        assert_eq!(p.as_str(), "PA2024110012345678");
        assert_eq!(p.to_string(), "PA****5678");
        assert!(PolicyNo::parse("P12345678901").is_none());
        assert!(PolicyNo::parse("PA12").is_none());
    }

    proptest! {
        #[test]
        fn masked_shows_only_last_four_digits(s in "[A-Za-z]{2}[0-9]{8,20}|\\PC{0,30}") {
            if let Some(p) = PolicyNo::parse(&s) {
                prop_assert_eq!(p.masked().bytes().filter(u8::is_ascii_digit).count(), 4);
            }
        }
    }
}
