//! Bank accounts and cards as customers type them: the banks the forms offer, card
//! numbers (Luhn), account numbers, and the masked form (`招商银行 ****1234`) that is all a
//! page ever shows of one.

/// The banks the payout and auto-debit forms offer (the stored label uses the Chinese name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bank {
    Icbc,
    Ccb,
    Abc,
    Boc,
    Bocom,
    Cmb,
    Psbc,
    Cib,
    Spdb,
    Citic,
}

impl Bank {
    pub const ALL: [Bank; 10] = [
        Self::Icbc,
        Self::Ccb,
        Self::Abc,
        Self::Boc,
        Self::Bocom,
        Self::Cmb,
        Self::Psbc,
        Self::Cib,
        Self::Spdb,
        Self::Citic,
    ];

    /// The form value, and the tail of its translation key (`bank.{}`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Icbc => "icbc",
            Self::Ccb => "ccb",
            Self::Abc => "abc",
            Self::Boc => "boc",
            Self::Bocom => "bocom",
            Self::Cmb => "cmb",
            Self::Psbc => "psbc",
            Self::Cib => "cib",
            Self::Spdb => "spdb",
            Self::Citic => "citic",
        }
    }

    /// The name on the stored, masked label.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Icbc => "工商银行",
            Self::Ccb => "建设银行",
            Self::Abc => "农业银行",
            Self::Boc => "中国银行",
            Self::Bocom => "交通银行",
            Self::Cmb => "招商银行",
            Self::Psbc => "邮储银行",
            Self::Cib => "兴业银行",
            Self::Spdb => "浦发银行",
            Self::Citic => "中信银行",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == s.trim())
    }
}

fn digits_of(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// A bank account number as typed: digits only once spaces and dashes are gone, 12 to 30.
pub fn parse_account_no(s: &str) -> Option<String> {
    let digits = digits_of(s);
    ((12..=30).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// A card number as typed: 16–19 digits passing the Luhn check.
pub fn parse_card_no(s: &str) -> Option<String> {
    let digits = digits_of(s);
    card_number_ok(&digits).then_some(digits)
}

/// A card number: 16–19 digits passing the Luhn check.
pub fn card_number_ok(digits: &str) -> bool {
    if !(16..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (true, x) if x > 9 => x - 9,
                (true, x) => x,
                (false, _) => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `招商银行 ****1234`: the bank and the last four digits, all a page shows of an account.
pub fn mask_account(bank: &str, account_no: &str) -> String {
    let n = account_no.chars().count();
    let tail: String = account_no.chars().skip(n.saturating_sub(4)).collect();
    format!("{bank} ****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn account_and_card_numbers_as_people_type_them() {
        assert_eq!(
            parse_account_no("6225 8802 1234 5678").as_deref(),
            Some("6225880212345678")
        );
        assert_eq!(parse_account_no("12345"), None);
        assert_eq!(parse_account_no("6225abcd12345678"), None);
        assert_eq!(
            parse_card_no("6222 0200 0000 0007").as_deref(),
            Some("6222020000000007")
        );
        assert_eq!(parse_card_no("6222020000000008"), None, "fails Luhn");
        assert_eq!(parse_card_no("4242"), None);
        assert_eq!(
            mask_account("招商银行", "6225880212345678"),
            "招商银行 ****5678"
        );
        assert_eq!(Bank::parse("cmb"), Some(Bank::Cmb));
        assert_eq!(Bank::parse("招商银行"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic_and_masks_show_four_digits_at_most(s in "\\PC{0,40}") {
            let _ = parse_card_no(&s);
            let _ = Bank::parse(&s);
            if let Some(no) = parse_account_no(&s) {
                let masked = mask_account("工商银行", &no);
                prop_assert!(masked.ends_with(&no[no.len() - 4..]));
                prop_assert!(!masked.contains(&no[..no.len() - 4]));
            }
        }
    }
}
