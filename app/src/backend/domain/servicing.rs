//! 保全 — policy servicing: which moves a request may make, and what a customer may ask
//! for (beneficiaries, contact details). Outside input is parsed here once into types that
//! can only hold valid values; nothing here knows the web or the database.

use crate::model::{Line, ServiceRequestKind as Kind, ServiceRequestState as State};

/// At most this many named beneficiaries on one policy.
pub const MAX_BENEFICIARIES: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("request of kind {kind} cannot move {from} → {to}")]
pub struct MoveError {
    pub kind: Kind,
    pub from: State,
    pub to: State,
}

/// Whether a request of `kind` needs a member of staff to approve it before it takes
/// effect. Contact details and the accounts change at once (after their own checks: codes,
/// a step-up); beneficiaries decide who is paid on a death, and a loan pays money out.
pub fn needs_review(kind: Kind) -> bool {
    match kind {
        Kind::Beneficiaries | Kind::Loan => true,
        Kind::Contact | Kind::Phone | Kind::DebitMethod | Kind::PayoutAccount => false,
    }
}

/// May a request of `kind` move `from` → `to`? Reviewed kinds go
/// submitted → in_review → done | rejected; the others submitted → done.
pub fn check_move(kind: Kind, from: State, to: State) -> Result<(), MoveError> {
    use State::*;
    let ok = if needs_review(kind) {
        matches!(
            (from, to),
            (Submitted, InReview) | (InReview, Done) | (InReview, Rejected)
        )
    } else {
        matches!((from, to), (Submitted, Done))
    };
    if ok {
        Ok(())
    } else {
        Err(MoveError { kind, from, to })
    }
}

/// The lines whose policies name beneficiaries: life and health.
pub fn names_beneficiaries(line: Line) -> bool {
    matches!(line, Line::Life | Line::Health)
}

/// A beneficiary's relation to the insured person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Spouse,
    Child,
    Parent,
    Sibling,
}

impl Relation {
    pub const ALL: [Relation; 4] = [Self::Spouse, Self::Child, Self::Parent, Self::Sibling];

    /// The stored value, and the tail of its translation key (`policy.relation.{}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spouse => "spouse",
            Self::Child => "child",
            Self::Parent => "parent",
            Self::Sibling => "sibling",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// A person's name as written on their ID card: 2 to 30 letters (any script), with the
/// spaces, dots and hyphens of transliterated names; no digits, no symbols.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        let n = s.chars().count();
        let ok = (2..=30).contains(&n)
            && s.chars().next().is_some_and(char::is_alphabetic)
            && s.chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '·' | '•' | '-' | '.'));
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonName(…)")
    }
}

/// A PRC resident ID number (GB 11643): 17 digits, the first 6 a region, then a birth
/// date, then the check character (a digit or `X`). Its `Debug` is masked; it is kept only
/// as `masked()` and a keyed hash.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(input: &str) -> Option<Self> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if s.len() != 18 || !s.is_ascii() {
            return None;
        }
        let (first17, check) = s.split_at(17);
        if !first17.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let born = chrono::NaiveDate::parse_from_str(&first17[6..14], "%Y%m%d").ok()?;
        // No region code starts with 0.
        if chrono::Datelike::year(&born) < 1900 || first17.starts_with('0') {
            return None;
        }
        check.starts_with(id_check_char(first17)).then_some(Self(s))
    }

    /// `1101**********1234`, as customers' numbers are shown.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }

    /// The whole number: only for hashing it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// The GB 11643 check character of the first 17 digits of an ID number.
pub fn id_check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    C[(sum % 11) as usize] as char
}

/// One named beneficiary, every part valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beneficiary {
    pub name: PersonName,
    pub relation: Relation,
    pub id_number: IdNumber,
    /// Whole percent, 1–100.
    pub share_pct: u8,
}

/// One row of the beneficiaries form, as typed.
#[derive(Clone, Copy, Debug, Default)]
pub struct BeneficiaryInput<'a> {
    pub name: &'a str,
    pub relation: &'a str,
    pub id_number: &'a str,
    pub share: &'a str,
}

impl BeneficiaryInput<'_> {
    fn is_blank(&self) -> bool {
        [self.name, self.relation, self.id_number, self.share]
            .iter()
            .all(|f| f.trim().is_empty())
    }
}

/// Why a list of beneficiaries is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BeneficiaryError {
    #[error("between 1 and 5 beneficiaries")]
    Count,
    #[error("not a name")]
    Name,
    #[error("not a relation")]
    Relation,
    #[error("not an ID number")]
    IdNumber,
    #[error("a share that is not a whole percent from 1 to 100")]
    Share,
    #[error("shares that do not add up to 100 %")]
    SharesSum,
    #[error("one person named twice")]
    Duplicate,
}

/// A share as people type it: `50`, `50%`, `50 ％`.
pub fn parse_share(s: &str) -> Option<u8> {
    let s = s.trim().trim_end_matches(['%', '％']).trim();
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u8>().ok().filter(|n| (1..=100).contains(n))
}

/// The form's rows as a valid list: blank rows are skipped; every other row must be
/// whole; 1 to 5 people, each once, whose shares add up to exactly 100. The first problem
/// wins, with the (1-based) row it is on.
pub fn parse_beneficiaries(
    rows: &[BeneficiaryInput<'_>],
) -> Result<Vec<Beneficiary>, (usize, BeneficiaryError)> {
    let mut out: Vec<Beneficiary> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.is_blank() {
            continue;
        }
        let at = |e| (i + 1, e);
        let name = PersonName::parse(row.name).ok_or(at(BeneficiaryError::Name))?;
        let relation = Relation::parse(row.relation).ok_or(at(BeneficiaryError::Relation))?;
        let id_number = IdNumber::parse(row.id_number).ok_or(at(BeneficiaryError::IdNumber))?;
        let share_pct = parse_share(row.share).ok_or(at(BeneficiaryError::Share))?;
        if out.iter().any(|b| b.id_number == id_number) {
            return Err(at(BeneficiaryError::Duplicate));
        }
        out.push(Beneficiary {
            name,
            relation,
            id_number,
            share_pct,
        });
    }
    check_list(&out).map_err(|e| (1, e))?;
    Ok(out)
}

/// 1 to 5 beneficiaries whose shares add up to exactly 100.
pub fn check_list(list: &[Beneficiary]) -> Result<(), BeneficiaryError> {
    if list.is_empty() || list.len() > MAX_BENEFICIARIES {
        return Err(BeneficiaryError::Count);
    }
    let sum: u32 = list.iter().map(|b| u32::from(b.share_pct)).sum();
    if sum != 100 {
        return Err(BeneficiaryError::SharesSum);
    }
    Ok(())
}

/// A postal address: 5 to 120 characters, no control characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Address(String);

impl Address {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        let n = s.chars().count();
        ((5..=120).contains(&n) && !s.chars().any(char::is_control)).then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Address(…)")
    }
}

/// An email address, checked the way a form can check one: one `@`, something before
/// it, a dotted domain after it, no spaces or characters mail systems refuse.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        if s.len() > 254 || !s.is_ascii() {
            return None;
        }
        let (local, domain) = s.split_once('@')?;
        let bad = |c: char| c.is_ascii_control() || " <>()[],;:\"\\@".contains(c);
        let ok = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(bad)
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        ok.then(|| Self(s.to_ascii_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A valid ID number for a test: region, birth date, sequence, check character.
    fn id(region: &str, born: &str, seq: &str) -> String {
        let first17 = format!("{region}{born}{seq}");
        format!("{first17}{}", id_check_char(&first17))
    }

    fn row<'a>(name: &'a str, rel: &'a str, id: &'a str, share: &'a str) -> BeneficiaryInput<'a> {
        BeneficiaryInput {
            name,
            relation: rel,
            id_number: id,
            share,
        }
    }

    #[test]
    fn reviewed_requests_go_through_review_and_end_once() {
        use State::*;
        let b = Kind::Beneficiaries;
        assert!(check_move(b, Submitted, InReview).is_ok());
        assert!(check_move(b, InReview, Done).is_ok());
        assert!(check_move(b, InReview, Rejected).is_ok());
        for (from, to) in [
            (Submitted, Done),
            (Submitted, Rejected),
            (Done, Rejected),
            (Rejected, Done),
            (Done, InReview),
            (InReview, Submitted),
            (InReview, InReview),
        ] {
            assert!(check_move(b, from, to).is_err(), "{from} → {to}");
        }
        // Contact details need no review: done at once, and nothing after.
        assert!(check_move(Kind::Contact, Submitted, Done).is_ok());
        assert!(check_move(Kind::Contact, Submitted, InReview).is_err());
        assert!(check_move(Kind::Contact, Done, Rejected).is_err());
    }

    #[test]
    fn every_closed_state_is_a_dead_end() {
        for kind in Kind::ALL {
            for from in State::ALL.iter().filter(|s| s.is_closed()) {
                for to in State::ALL {
                    assert!(
                        check_move(*kind, *from, *to).is_err(),
                        "{kind} {from} → {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_life_and_health_policies_name_beneficiaries() {
        assert!(names_beneficiaries(Line::Life));
        assert!(names_beneficiaries(Line::Health));
        assert!(!names_beneficiaries(Line::Auto));
        assert!(!names_beneficiaries(Line::Home));
    }

    #[test]
    fn id_numbers_are_checked_and_masked() {
        let good = id("110105", "19800501", "123");
        let n = IdNumber::parse(&good).unwrap();
        assert_eq!(n.masked(), format!("1101**********{}", &good[14..]));
        assert!(!format!("{n:?}").contains("19800501"), "Debug is masked");
        // Lower-case x and spaces as people type them.
        let with_x = (0..1000)
            .map(|s| id("310104", "19900101", &format!("{s:03}")))
            .find(|i| i.ends_with('X'))
            .unwrap();
        assert!(IdNumber::parse(&with_x.to_lowercase()).is_some());
        assert!(IdNumber::parse(&format!("{} {}", &good[..6], &good[6..])).is_some());
        // A wrong check character, a date that is not one, a short one, letters.
        let mut wrong = good.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '1' { '2' } else { '1' });
        for bad in [
            wrong.as_str(),
            &id("110105", "19801301", "123"),
            &good[..17],
            "11010519800501123A",
            "",
            "０１２３４５６７８９０１２３４５６７",
        ] {
            assert!(IdNumber::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn shares_must_add_up_to_exactly_one_hundred() {
        let a = id("110105", "19800501", "123");
        let b = id("110105", "20100301", "456");
        let ok = parse_beneficiaries(&[
            row("王芳", "spouse", &a, "60"),
            row("王小明", "child", &b, "40%"),
            BeneficiaryInput::default(),
        ])
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].share_pct, 40);
        for (x, y) in [("60", "30"), ("60", "50"), ("99", "2")] {
            assert_eq!(
                parse_beneficiaries(&[row("王芳", "spouse", &a, x), row("王小明", "child", &b, y)]),
                Err((1, BeneficiaryError::SharesSum)),
                "{x} + {y}"
            );
        }
        assert_eq!(
            parse_beneficiaries(&[row("王芳", "spouse", &a, "100")]).map(|l| l.len()),
            Ok(1)
        );
    }

    #[test]
    fn each_row_is_checked_and_the_first_problem_names_its_row() {
        let a = id("110105", "19800501", "123");
        let b = id("110105", "20100301", "456");
        let cases = [
            (
                row("王芳", "spouse", &a, "50"),
                row("1", "child", &b, "50"),
                BeneficiaryError::Name,
            ),
            (
                row("王芳", "spouse", &a, "50"),
                row("王小明", "cousin", &b, "50"),
                BeneficiaryError::Relation,
            ),
            (
                row("王芳", "spouse", &a, "50"),
                row("王小明", "child", "123", "50"),
                BeneficiaryError::IdNumber,
            ),
            (
                row("王芳", "spouse", &a, "50"),
                row("王小明", "child", &b, "0"),
                BeneficiaryError::Share,
            ),
            (
                row("王芳", "spouse", &a, "50"),
                row("王小明", "child", &b, "50.5"),
                BeneficiaryError::Share,
            ),
            (
                row("王芳", "spouse", &a, "50"),
                row("王小芳", "child", &a, "50"),
                BeneficiaryError::Duplicate,
            ),
        ];
        for (first, second, e) in cases {
            assert_eq!(parse_beneficiaries(&[first, second]), Err((2, e)), "{e:?}");
        }
    }

    #[test]
    fn one_to_five_beneficiaries() {
        assert_eq!(
            parse_beneficiaries(&[BeneficiaryInput::default()]),
            Err((1, BeneficiaryError::Count))
        );
        let ids: Vec<String> = (0..6)
            .map(|i| id("110105", "19800501", &format!("{i:03}")))
            .collect();
        let six: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, n)| row("李四", "child", n, if i == 0 { "60" } else { "10" }))
            .collect();
        assert_eq!(parse_beneficiaries(&six), Err((1, BeneficiaryError::Count)));
        assert_eq!(parse_beneficiaries(&six[..5]).map(|l| l.len()), Ok(5));
    }

    #[test]
    fn names_addresses_and_emails() {
        assert!(PersonName::parse("欧阳娜娜").is_some());
        assert!(PersonName::parse("阿卜杜·热合曼").is_some());
        assert!(PersonName::parse("Anna-Lena Smith").is_some());
        for bad in ["王", "王2", "<b>王</b>", "", "  ", "·王"] {
            assert!(PersonName::parse(bad).is_none(), "{bad}");
        }
        assert!(Address::parse("上海市徐汇区漕溪北路 88 号").is_some());
        assert!(Address::parse("上海").is_none());
        assert!(Address::parse("上海市\u{0}徐汇区").is_none());
        assert_eq!(
            Email::parse(" Wang.Fang@Example.cn ").map(|e| e.as_str().to_owned()),
            Some("wang.fang@example.cn".to_owned())
        );
        for bad in [
            "wang",
            "wang@",
            "@example.cn",
            "a b@example.cn",
            "a@example",
            "a@@b.cn",
            "a@b..cn",
            "王@例子.cn",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn a_valid_list_always_sums_to_one_hundred(shares in proptest::collection::vec(1u8..=100, 1..=5)) {
            let ids: Vec<String> = (0..shares.len()).map(|i| id("110105", "19800501", &format!("{i:03}"))).collect();
            let share_text: Vec<String> = shares.iter().map(u8::to_string).collect();
            let rows: Vec<_> = ids.iter().zip(&share_text).map(|(n, s)| row("李四", "child", n, s)).collect();
            let sum: u32 = shares.iter().map(|s| u32::from(*s)).sum();
            match parse_beneficiaries(&rows) {
                Ok(list) => prop_assert_eq!(list.iter().map(|b| u32::from(b.share_pct)).sum::<u32>(), 100),
                Err((_, e)) => { prop_assert_ne!(sum, 100); prop_assert_eq!(e, BeneficiaryError::SharesSum); }
            }
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = IdNumber::parse(&s);
            let _ = PersonName::parse(&s);
            let _ = Email::parse(&s);
            let _ = Address::parse(&s);
            let _ = parse_share(&s);
        }

        #[test]
        fn a_masked_id_number_hides_the_birth_date(y in 1930i32..2020, m in 1u32..=12, d in 1u32..=28, seq in 0u32..1000) {
            let born = format!("{y:04}{m:02}{d:02}");
            let n = IdNumber::parse(&id("110105", &born, &format!("{seq:03}"))).unwrap();
            prop_assert!(!n.masked().contains(&born));
            prop_assert_eq!(n.masked().len(), 18);
        }
    }
}
