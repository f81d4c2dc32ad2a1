//! The rules of a service provider's record as an admin types it: each field parsed once,
//! at the edge, into a form that can only hold valid values.

use crate::model::Phone;

/// Which field of the provider form is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderField {
    Name,
    City,
    Address,
    Phone,
}

/// A provider's public number: a mainland mobile, a fixed line with its area code
/// (`021-64881234`), or a 400/800 service number. Kept as digits only, so the same
/// number typed two ways is one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPhone(String);

impl ProviderPhone {
    /// Accepts spaces and dashes, as people type numbers. Providers publish landlines
    /// more often than mobiles, so `Phone` (mobiles only) alone would not do.
    pub fn parse(input: &str) -> Option<Self> {
        if let Some(mobile) = Phone::parse(input) {
            return Some(Self(mobile.as_str().to_owned()));
        }
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let service =
            digits.len() == 10 && (digits.starts_with("400") || digits.starts_with("800"));
        // Area code 0 + 2–3 digits, then a 7–8 digit number; never 00 (international).
        let fixed = (10..=12).contains(&digits.len())
            && digits.starts_with('0')
            && !digits.starts_with("00");
        (service || fixed).then_some(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The provider form, parsed: what an admin may save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderForm {
    pub name: String,
    pub city: String,
    pub address: String,
    pub phone: Option<ProviderPhone>,
}

impl ProviderForm {
    pub const NAME: (usize, usize) = (2, 60);
    pub const CITY: (usize, usize) = (2, 20);
    pub const ADDRESS: (usize, usize) = (4, 120);

    /// The first wrong field, in the form's order. An empty phone is no phone.
    pub fn parse(
        name: &str,
        city: &str,
        address: &str,
        phone: Option<&str>,
    ) -> Result<Self, ProviderField> {
        let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(ProviderPhone::parse(p).ok_or(ProviderField::Phone)?),
        };
        Ok(Self {
            name: text(name, Self::NAME).ok_or(ProviderField::Name)?,
            city: text(city, Self::CITY).ok_or(ProviderField::City)?,
            address: text(address, Self::ADDRESS).ok_or(ProviderField::Address)?,
            phone,
        })
    }
}

/// Trimmed, inner runs of white space and control characters made one space, between
/// `min` and `max` characters (not bytes: a Chinese name is as long as it looks).
fn text(input: &str, (min, max): (usize, usize)) -> Option<String> {
    let s = input
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (min..=max).contains(&s.chars().count()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form(
        name: &str,
        city: &str,
        address: &str,
        phone: Option<&str>,
    ) -> Result<ProviderForm, ProviderField> {
        ProviderForm::parse(name, city, address, phone)
    }

    #[test]
    fn each_field_has_its_length() {
        let ok = form(
            " 安心体检中心（静安） ",
            "上海市",
            "上海市静安区南京西路 1 号",
            None,
        )
        .unwrap();
        assert_eq!(ok.name, "安心体检中心（静安）");
        assert_eq!(
            form("安", "上海市", "南京西路 1 号", None),
            Err(ProviderField::Name)
        );
        assert_eq!(
            form(&"安".repeat(61), "上海市", "南京西路 1 号", None),
            Err(ProviderField::Name)
        );
        assert!(form(&"安".repeat(60), "上海市", "南京西路 1 号", None).is_ok());
        assert_eq!(
            form("安心", "上", "南京西路 1 号", None),
            Err(ProviderField::City)
        );
        assert_eq!(
            form("安心", &"上".repeat(21), "南京西路 1 号", None),
            Err(ProviderField::City)
        );
        assert_eq!(
            form("安心", "上海", "南京", None),
            Err(ProviderField::Address)
        );
        assert_eq!(
            form("安心", "上海", &"路".repeat(121), None),
            Err(ProviderField::Address)
        );
        assert_eq!(
            form("安心", "上海", "\n\t  ", None),
            Err(ProviderField::Address)
        );
    }

    #[test]
    fn a_phone_is_optional_but_must_be_a_number() {
        let f = |p| form("安心", "上海", "南京西路 1 号", Some(p));
        assert_eq!(f("").unwrap().phone, None);
        assert_eq!(
            f("021-6488 1234").unwrap().phone.unwrap().as_str(),
            "02164881234"
        );
        assert_eq!(
            f("138 0013 8000").unwrap().phone.unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            f("400-820-8820").unwrap().phone.unwrap().as_str(),
            "4008208820"
        );
        for bad in [
            "12345",
            "0086-21-1234",
            "abc",
            "021-64881234-99",
            "+1 650 555 0100",
        ] {
            assert_eq!(f(bad), Err(ProviderField::Phone), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsed_fields_are_within_their_limits(name in "\\PC{0,80}", city in "\\PC{0,30}", address in "\\PC{0,150}") {
            if let Ok(f) = form(&name, &city, &address, None) {
                prop_assert!((2..=60).contains(&f.name.chars().count()));
                prop_assert!((2..=20).contains(&f.city.chars().count()));
                prop_assert!((4..=120).contains(&f.address.chars().count()));
                prop_assert!(!f.name.chars().any(char::is_control));
            }
        }

        #[test]
        fn a_parsed_phone_is_digits(p in "[0-9 +-]{0,16}") {
            if let Some(ph) = ProviderPhone::parse(&p) {
                prop_assert!(ph.as_str().bytes().all(|b| b.is_ascii_digit()));
                prop_assert!((10..=12).contains(&ph.as_str().len()));
            }
        }
    }
}
