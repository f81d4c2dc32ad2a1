use serde::{Deserialize, Serialize};

/// An amount of CNY in fen (1/100 yuan). Never a float.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Money(pub i64);

impl Money {
    pub fn fen(self) -> i64 {
        self.0
    }

    /// `¥1,234.56` (and `-¥12.00`): the same in both of our locales.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}¥{grouped}.{:02}", abs % 100)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_with_grouping() {
        assert_eq!(Money(234_500).display(), "¥2,345.00");
        assert_eq!(Money(5).display(), "¥0.05");
        assert_eq!(Money(-1_200).display(), "-¥12.00");
        assert_eq!(Money(123_456_789).display(), "¥1,234,567.89");
    }

    proptest! {
        #[test]
        fn display_round_trips(n in -10_000_000_000i64..10_000_000_000) {
            let s = Money(n).display();
            let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
            let back: i64 = digits.parse().unwrap();
            prop_assert_eq!(if s.starts_with('-') { -back } else { back }, n);
        }
    }
}
