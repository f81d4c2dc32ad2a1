use serde::{Deserialize, Serialize};

/// A mainland China mobile number: 11 digits starting with 1[3-9].
/// `Display` and `Debug` mask it (`138****5678`); `as_str` gives the whole number.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes and a leading +86 / 0086, as people type them.
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        ok.then(|| Self(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }

    pub fn last4(&self) -> &str {
        &self.0[7..]
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn valid_numbers_round_trip(second in 3u8..=9, rest in 0u64..1_000_000_000) {
            let s = format!("1{second}{rest:09}");
            let p = Phone::parse(&s).unwrap();
            prop_assert_eq!(p.as_str(), s.as_str());
            prop_assert_eq!(p.masked().bytes().filter(u8::is_ascii_digit).count(), 7);
            let shown = format!("{p} {p:?}");
            prop_assert_eq!(shown.matches("****").count(), 2);
        }

        #[test]
        fn parse_never_panics_and_yields_11_digits(s in "\\PC{0,20}") {
            if let Some(p) = Phone::parse(&s) {
                prop_assert_eq!(p.as_str().len(), 11);
            }
        }
    }

    #[test]
    fn accepts_common_formats() {
        for s in [
            "13812345678",
            "138 1234 5678",
            "+86 138-1234-5678",
            "008613812345678",
        ] {
            assert_eq!(Phone::parse(s).unwrap().as_str(), "13812345678", "{s}");
        }
        for s in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "1381234567a",
        ] {
            assert!(Phone::parse(s).is_none(), "{s}");
        }
        assert_eq!(
            Phone::parse("13812345678").unwrap().to_string(),
            "138****5678"
        );
    }
}
