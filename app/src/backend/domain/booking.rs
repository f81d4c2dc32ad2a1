//! Service booking rules: which appointments may still change, which policy year an
//! appointment spends its entitlement in, how bookings and roadside requests move, and
//! the roadside form's fields parsed once at the edge.

use crate::model::{BookingState, Phone, RoadsideState};
use chrono::NaiveDate;

/// Reschedule, cancel and book close this long before an appointment starts.
pub const CHANGE_CUTOFF_SECS: i64 = 2 * 3600;

/// The service kind that is roadside help rather than an appointment.
pub const ROADSIDE_KIND: &str = "roadside_assistance";

/// The roadside hotline, on every roadside page.
pub const HOTLINE: &str = "95500";

/// How a service is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceMode {
    /// A place in a provider's slot, booked ahead.
    Appointment,
    /// Help sent now, to wherever the car is.
    Roadside,
}

impl ServiceMode {
    pub fn of(kind_code: &str) -> Self {
        if kind_code == ROADSIDE_KIND {
            Self::Roadside
        } else {
            Self::Appointment
        }
    }
}

/// Whether an appointment starting at `starts_at` may still be booked, moved or
/// cancelled at `now`: up to 2 hours before it starts.
pub fn may_change(starts_at: i64, now: i64) -> bool {
    now <= starts_at - CHANGE_CUTOFF_SECS
}

/// A policy year: one term of cover, both days included. Entitlements are counted per year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyYear {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl PolicyYear {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// `YYYY-MM-DD` of its first day: the key of its usage row.
    pub fn key(&self) -> String {
        self.start.format("%Y-%m-%d").to_string()
    }

    pub fn end_iso(&self) -> String {
        self.end.format("%Y-%m-%d").to_string()
    }
}

/// The year (of `terms`, as stored: `YYYY-MM-DD` pairs) that covers `day`. An
/// appointment spends a use of the year it takes place in; a day outside every term is
/// not covered.
pub fn year_covering(terms: &[(String, String)], day: NaiveDate) -> Option<PolicyYear> {
    terms
        .iter()
        .filter_map(|(s, e)| {
            Some(PolicyYear {
                start: NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?,
                end: NaiveDate::parse_from_str(e, "%Y-%m-%d").ok()?,
            })
        })
        .find(|y| y.contains(day))
}

impl BookingState {
    /// What staff may record after the appointment: it happened, or nobody came.
    pub fn staff_may_close(self, to: BookingState) -> bool {
        self == Self::Booked && matches!(to, Self::Completed | Self::NoShow)
    }

    /// Cancelling gives the entitlement use back; a no-show keeps it spent.
    pub fn returns_use(self) -> bool {
        self == Self::Cancelled
    }
}

impl RoadsideState {
    /// The next step staff record, or `None` once help is done.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Received => Some(Self::Dispatched),
            Self::Dispatched => Some(Self::Arrived),
            Self::Arrived => Some(Self::Completed),
            Self::Completed => None,
        }
    }
}

/// A licence plate as people type it: `沪A·D1234`, `沪AD1234`, `粤B 12345D` (new-energy
/// plates have 6 characters after the letter). Stored as `沪A·D1234`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plate(String);

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

impl Plate {
    pub fn parse(input: &str) -> Option<Self> {
        let cs: Vec<char> = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '·' | '•' | '.' | '-' | '\u{3000}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let (province, letter, rest) = (cs.first()?, cs.get(1)?, cs.get(2..)?);
        let ok = PROVINCES.contains(*province)
            && letter.is_ascii_uppercase()
            && (5..=6).contains(&rest.len())
            && rest
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        ok.then(|| {
            Self(format!(
                "{province}{letter}·{}",
                rest.iter().collect::<String>()
            ))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text a person typed (where the car is, what happened): trimmed, control
/// characters dropped, between 2 and `max` characters.
pub fn free_text(input: &str, max: usize) -> Option<String> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let n = s.chars().count();
    (2..=max).contains(&n).then_some(s)
}

/// Which field of the roadside form is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoadsideField {
    Location,
    Plate,
    WhatHappened,
    Phone,
}

/// The roadside form, parsed.
#[derive(Clone, Debug)]
pub struct RoadsideForm {
    pub location: String,
    pub plate: Plate,
    pub what_happened: String,
    pub callback: Phone,
}

impl RoadsideForm {
    pub const LOCATION_MAX: usize = 200;
    pub const WHAT_MAX: usize = 500;

    /// The first wrong field, in the form's order.
    pub fn parse(
        location: &str,
        plate: &str,
        what_happened: &str,
        phone: &str,
    ) -> Result<Self, RoadsideField> {
        Ok(Self {
            location: free_text(location, Self::LOCATION_MAX).ok_or(RoadsideField::Location)?,
            plate: Plate::parse(plate).ok_or(RoadsideField::Plate)?,
            what_happened: free_text(what_happened, Self::WHAT_MAX)
                .ok_or(RoadsideField::WhatHappened)?,
            callback: Phone::parse(phone).ok_or(RoadsideField::Phone)?,
        })
    }
}

/// The starts of a week of slots from `first_day`: each of the 7 days (Sundays only when
/// `sundays`), at each of `hours` (0–23, Asia/Shanghai). Sorted, no repeats.
pub fn week_of_slots(first_day: NaiveDate, hours: &[u32], sundays: bool) -> Vec<i64> {
    use chrono::Datelike;
    let mut hours: Vec<u32> = hours.iter().copied().filter(|h| *h < 24).collect();
    hours.sort_unstable();
    hours.dedup();
    (0..7u64)
        .map(|i| first_day + chrono::Days::new(i))
        .filter(|d| sundays || d.weekday() != chrono::Weekday::Sun)
        .flat_map(|d| {
            let start = crate::backend::clock::shanghai_day_start(d);
            hours.iter().map(move |h| start + i64::from(*h) * 3600)
        })
        .collect()
}

/// Hours as staff type them: `9,10,14,15` (or with spaces or 、).
pub fn parse_hours(input: &str) -> Option<Vec<u32>> {
    let hours: Option<Vec<u32>> = input
        .split([',', ' ', '、', '，'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u32>().ok().filter(|h| *h < 24))
        .collect();
    hours.filter(|h| !h.is_empty() && h.len() <= 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn changes_close_two_hours_before_the_appointment() {
        let start = 1_000_000;
        assert!(may_change(start, start - 3 * 3600));
        assert!(may_change(start, start - 2 * 3600));
        assert!(!may_change(start, start - 2 * 3600 + 1));
        assert!(!may_change(start, start + 60));
    }

    #[test]
    fn an_appointment_spends_a_use_of_the_year_it_takes_place_in() {
        let terms = vec![
            ("2026-03-01".to_owned(), "2027-02-28".to_owned()),
            ("2025-03-01".to_owned(), "2026-02-28".to_owned()),
        ];
        let y = year_covering(&terms, d("2026-02-28")).unwrap();
        assert_eq!(y.key(), "2025-03-01");
        assert_eq!(y.end_iso(), "2026-02-28");
        assert_eq!(
            year_covering(&terms, d("2026-03-01")).unwrap().key(),
            "2026-03-01"
        );
        assert_eq!(year_covering(&terms, d("2027-03-01")), None, "not covered");
    }

    #[test]
    fn staff_close_only_booked_appointments() {
        use BookingState::*;
        assert!(Booked.staff_may_close(Completed));
        assert!(Booked.staff_may_close(NoShow));
        assert!(!Booked.staff_may_close(Cancelled));
        assert!(!Cancelled.staff_may_close(Completed));
        assert!(!Completed.staff_may_close(NoShow));
        assert!(Cancelled.returns_use() && !NoShow.returns_use());
    }

    #[test]
    fn roadside_help_moves_one_step_at_a_time_to_completed() {
        let mut s = RoadsideState::Received;
        let mut steps = vec![s];
        while let Some(n) = s.next() {
            s = n;
            steps.push(s);
        }
        assert_eq!(steps, RoadsideState::ALL.to_vec());
    }

    #[test]
    fn plates_as_people_type_them() {
        for p in ["沪A·D1234", "沪AD1234", "沪a d1234", "沪A-D1234"] {
            assert_eq!(Plate::parse(p).unwrap().as_str(), "沪A·D1234", "{p}");
        }
        assert_eq!(Plate::parse("粤B12345D").unwrap().as_str(), "粤B·12345D");
        for p in [
            "",
            "沪",
            "AB12345",
            "沪A123",
            "沪A1234567",
            "沪A·D12#4",
            "X沪D1234",
        ] {
            assert_eq!(Plate::parse(p), None, "{p}");
        }
    }

    #[test]
    fn the_roadside_form_names_the_first_wrong_field() {
        let ok = RoadsideForm::parse("延安高架 外滩出口", "沪A·D1234", "爆胎", "13800000000");
        assert!(ok.is_ok());
        assert_eq!(
            RoadsideForm::parse(" ", "沪AD1234", "爆胎", "13800000000").unwrap_err(),
            RoadsideField::Location
        );
        assert_eq!(
            RoadsideForm::parse("外滩", "nope", "爆胎", "x").unwrap_err(),
            RoadsideField::Plate
        );
        let long = "长".repeat(501);
        assert_eq!(
            RoadsideForm::parse("外滩", "沪AD1234", &long, "13800000000").unwrap_err(),
            RoadsideField::WhatHappened
        );
        assert_eq!(
            RoadsideForm::parse("外滩", "沪AD1234", "爆胎", "123").unwrap_err(),
            RoadsideField::Phone
        );
    }

    #[test]
    fn a_week_of_slots_skips_sundays_unless_asked() {
        // 2026-12-07 is a Monday.
        let week = week_of_slots(d("2026-12-07"), &[15, 9, 9], false);
        assert_eq!(week.len(), 12, "6 days, 2 distinct hours");
        assert_eq!(
            week[0],
            crate::backend::clock::shanghai_day_start(d("2026-12-07")) + 9 * 3600
        );
        assert_eq!(week_of_slots(d("2026-12-07"), &[9], true).len(), 7);
        assert_eq!(parse_hours("9, 10、14"), Some(vec![9, 10, 14]));
        assert_eq!(parse_hours("9,25"), None);
        assert_eq!(parse_hours(""), None);
    }

    proptest! {
        #[test]
        fn a_change_allowed_now_was_allowed_earlier(start in 0i64..2_000_000_000, now in 0i64..2_000_000_000, earlier in 0i64..1_000_000) {
            if may_change(start, now) {
                prop_assert!(may_change(start, now - earlier));
            }
        }

        #[test]
        fn parsers_never_panic_and_keep_limits(s in "\\PC{0,600}") {
            let _ = Plate::parse(&s);
            if let Some(t) = free_text(&s, 200) {
                prop_assert!((2..=200).contains(&t.chars().count()));
                prop_assert!(!t.chars().any(char::is_control));
            }
        }

        #[test]
        fn parsed_plates_parse_again_to_themselves(letter in "[A-Z]", rest in "[A-Z0-9]{5,6}") {
            let p = Plate::parse(&format!("京{letter}{rest}")).unwrap();
            prop_assert_eq!(Plate::parse(p.as_str()), Some(p.clone()));
        }

        #[test]
        fn a_day_is_covered_by_at_most_its_own_term(offset in 0u64..1000) {
            let terms = vec![
                ("2025-01-01".to_owned(), "2025-12-31".to_owned()),
                ("2026-01-01".to_owned(), "2026-12-31".to_owned()),
            ];
            let day = d("2024-12-01") + chrono::Days::new(offset);
            match year_covering(&terms, day) {
                Some(y) => prop_assert!(y.contains(day)),
                None => prop_assert!(day < d("2025-01-01") || day > d("2026-12-31")),
            }
        }
    }
}
