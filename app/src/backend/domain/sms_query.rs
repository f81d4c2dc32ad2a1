//! What a text message sent to the portal's number asks for (issue 22): the seed guide's
//! 发送BDCX身份证后四位 (policies), LLCX案件代码 (a claim), TJ (check-ups), JY (roadside
//! help), T/TD/R/退订 (stop). Phones type these in many ways: full-width letters and digits,
//! lower case, and `+`, `#` or spaces between the keyword and its argument are all accepted.
//! Anything else is a request for the help menu.

use crate::model::IdLast4;

/// One inbound text, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsQuery {
    /// BDCX + the last 4 characters of the ID number: the policies in force.
    Policies(IdLast4),
    /// LLCX + a claim number (`CL` + year + 6 digits): where that claim stands.
    Claim(ClaimNo),
    /// TJ — 体检: check-ups left and a link to book one.
    Checkups,
    /// JY — 救援: the roadside hotline, calls left and a link to ask for help.
    Roadside,
    /// T, TD, R or 退订: no more reminders, surveys or marketing.
    Stop,
    /// Anything else.
    Help,
}

/// A claim number as printed on every claim: `CL`, a year, 6 digits (`CL2026000123`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimNo(String);

impl ClaimNo {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase();
        let digits = s.strip_prefix("CL")?;
        (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl SmsQuery {
    pub fn parse(text: &str) -> Self {
        let s = normalise(text);
        if s == "退订" {
            return Self::Stop;
        }
        if let Some(rest) = s.strip_prefix("BDCX") {
            return IdLast4::parse(rest.trim_start_matches(SEPARATORS))
                .map_or(Self::Help, Self::Policies);
        }
        if let Some(rest) = s.strip_prefix("LLCX") {
            return ClaimNo::parse(rest.trim_start_matches(SEPARATORS))
                .map_or(Self::Help, Self::Claim);
        }
        match s.trim_end_matches(SEPARATORS) {
            "T" | "TD" | "R" => Self::Stop,
            "TJ" => Self::Checkups,
            "JY" => Self::Roadside,
            _ => Self::Help,
        }
    }

    /// The name kept beside the inbound message (`sms_inbound.query`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Policies(_) => "policies",
            Self::Claim(_) => "claim",
            Self::Checkups => "checkups",
            Self::Roadside => "roadside",
            Self::Stop => "stop",
            Self::Help => "help",
        }
    }

    /// The text as it may be kept and shown to staff: ID digits starred out of a BDCX.
    pub fn redacted(&self, text: &str) -> String {
        let text: String = text.chars().take(MAX_KEPT_CHARS).collect();
        // A mistyped BDCX (five digits, say) may still hold the ID's digits.
        if matches!(self, Self::Policies(_)) || normalise(&text).starts_with("BDCX") {
            "BDCX ****".to_owned()
        } else {
            text
        }
    }
}

/// Longest inbound text kept (one long SMS is at most a few hundred characters).
pub const MAX_KEPT_CHARS: usize = 200;

/// What may stand between a keyword and its argument.
const SEPARATORS: &[char] = &[' ', '+', '#'];

/// Full-width forms (`ＢＤＣＸ　１２３４`) to their ASCII twins, upper case, trimmed.
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                ' ' => '\u{3000}',
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                c => c,
            })
            .collect()
    }

    #[test]
    fn every_keyword_in_its_plain_form() {
        assert_eq!(
            SmsQuery::parse("BDCX1234"),
            SmsQuery::Policies(IdLast4::parse("1234").unwrap())
        );
        assert_eq!(
            SmsQuery::parse("LLCX CL2026000123"),
            SmsQuery::Claim(ClaimNo::parse("CL2026000123").unwrap())
        );
        assert_eq!(SmsQuery::parse("TJ"), SmsQuery::Checkups);
        assert_eq!(SmsQuery::parse("JY"), SmsQuery::Roadside);
        for stop in ["T", "TD", "R", "退订", " t ", "td", "r"] {
            assert_eq!(SmsQuery::parse(stop), SmsQuery::Stop, "{stop}");
        }
    }

    #[test]
    fn wrong_or_missing_arguments_get_the_help_menu() {
        for text in [
            "",
            "BDCX",
            "BDCX12",
            "BDCX12345",
            "BDCXABCD",
            "LLCX",
            "LLCX CL123",
            "LLCX 2026000123",
            "TJX",
            "T 1",
            "你好",
            "TDTD",
            "BD CX1234",
        ] {
            assert_eq!(SmsQuery::parse(text), SmsQuery::Help, "{text:?}");
        }
    }

    #[test]
    fn an_x_ends_an_id_number() {
        assert_eq!(
            SmsQuery::parse("bdcx 123x"),
            SmsQuery::Policies(IdLast4::parse("123X").unwrap())
        );
    }

    #[test]
    fn id_digits_never_reach_the_kept_text() {
        let q = SmsQuery::parse("BDCX 5678");
        assert!(!q.redacted("BDCX 5678").contains("5678"));
        assert!(!format!("{q:?}").contains("5678"));
        assert_eq!(SmsQuery::Help.redacted("BDCX 56781"), "BDCX ****");
        assert_eq!(SmsQuery::Help.redacted("你好"), "你好");
    }

    fn keyword_case() -> impl Strategy<Value = (String, SmsQuery)> {
        prop_oneof![
            ("[0-9]{3}[0-9Xx]").prop_map(|d| {
                let q = SmsQuery::Policies(IdLast4::parse(&d).unwrap());
                (format!("BDCX{d}"), q)
            }),
            ("20[0-9]{2}", "[0-9]{6}").prop_map(|(y, n)| {
                let no = format!("CL{y}{n}");
                let q = SmsQuery::Claim(ClaimNo::parse(&no).unwrap());
                (format!("LLCX{no}"), q)
            }),
            Just(("TJ".to_owned(), SmsQuery::Checkups)),
            Just(("JY".to_owned(), SmsQuery::Roadside)),
            Just(("T".to_owned(), SmsQuery::Stop)),
            Just(("TD".to_owned(), SmsQuery::Stop)),
            Just(("R".to_owned(), SmsQuery::Stop)),
        ]
    }

    /// Puts `sep` between the keyword (its first 4 letters for BDCX/LLCX) and the rest.
    fn spaced(text: &str, sep: &str) -> String {
        if text.starts_with("BDCX") || text.starts_with("LLCX") {
            format!("{}{sep}{}", &text[..4], &text[4..])
        } else {
            text.to_owned()
        }
    }

    proptest! {
        #[test]
        fn every_form_of_every_keyword_is_understood(
            (text, query) in keyword_case(),
            sep in "[ +#]{0,3}",
            lower in any::<bool>(),
            wide in any::<bool>(),
            pad in "[ ]{0,2}",
        ) {
            let mut t = spaced(&text, &sep);
            if lower {
                t = t.to_lowercase();
            }
            if wide {
                t = full_width(&t);
            }
            let t = format!("{pad}{t}{pad}");
            prop_assert_eq!(SmsQuery::parse(&t), query);
        }

        #[test]
        fn any_text_is_understood_as_something_without_panicking(text in "\\PC{0,80}") {
            let q = SmsQuery::parse(&text);
            prop_assert!(q.redacted(&text).chars().count() <= MAX_KEPT_CHARS);
        }

        #[test]
        fn other_words_are_a_request_for_help(word in "[A-SU-Z][A-Z]{2,6}") {
            prop_assume!(!word.starts_with("BDCX") && !word.starts_with("LLCX"));
            prop_assume!(!["TJ", "JY", "TD"].contains(&word.as_str()));
            prop_assert_eq!(SmsQuery::parse(&word), SmsQuery::Help);
        }

        #[test]
        fn normalising_is_idempotent(text in "\\PC{0,40}") {
            let once = normalise(&text);
            prop_assert_eq!(normalise(&once), once.clone());
        }
    }
}
