//! 投诉统计 — complaint and question case statistics for supervisors: volume, handling
//! time (median and p90), the share answered within the 15 days the rules give, deadline
//! extensions and reopenings, grouped by category, product, root cause and month. Pure
//! functions over rows the store read; no web, no SQL.

use super::cases::{RootCause, BASE_DAYS, DAY};
use super::surveys::{months, rounded_percent, Month};
use crate::model::{CaseCategory as Category, CaseKind as Kind, CaseState as State};

/// The months a statistics page covers (both included), received_at decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

/// The quick choices offered beside the month fields.
pub const MONTH_CHOICES: [u32; 3] = [3, 6, 12];
/// Months shown when nothing (or nothing readable) is asked for.
pub const DEFAULT_MONTHS: u32 = 12;

impl Period {
    /// The last `n` months up to and including the month of `today`.
    pub fn last(n: u32, today: chrono::NaiveDate) -> Self {
        let to = Month::of(today);
        Self {
            from: to.back(n.saturating_sub(1)),
            to,
        }
    }

    /// From the GET form: `months` (3, 6 or 12) wins; otherwise `from`/`to` as `YYYY-MM`
    /// (turned round if reversed, at most the latest 24 months); anything unreadable is the
    /// last 12 months.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        months_choice: Option<&str>,
        today: chrono::NaiveDate,
    ) -> Self {
        if let Some(n) = months_choice
            .and_then(|m| m.trim().parse::<u32>().ok())
            .filter(|n| MONTH_CHOICES.contains(n))
        {
            return Self::last(n, today);
        }
        match (from.and_then(Month::parse), to.and_then(Month::parse)) {
            (Some(a), Some(b)) => {
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                let covered = months(a, b);
                Self {
                    from: covered.first().copied().unwrap_or(b),
                    to: b,
                }
            }
            _ => Self::last(DEFAULT_MONTHS, today),
        }
    }

    /// Every month of the period, oldest first.
    pub fn months(self) -> Vec<Month> {
        months(self.from, self.to)
    }

    /// The quick choice this period is, if any (for the form's selected option).
    pub fn choice(self, today: chrono::NaiveDate) -> Option<u32> {
        MONTH_CHOICES
            .into_iter()
            .find(|n| Self::last(*n, today) == self)
    }
}

/// One case as statistics see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFact {
    pub kind: Kind,
    pub category: Category,
    pub state: State,
    /// The product of the policy the case is about (directly, or through its claim,
    /// payment or booking); `None` for a case about staff or about nothing in particular.
    pub product: Option<String>,
    /// The month (Asia/Shanghai) it came in.
    pub month: Month,
    pub received_at: i64,
    /// The latest answer: after a reopening, the answer that ended the last round.
    pub resolved_at: Option<i64>,
    /// The furthest extension it had in any round: 0, 1 (to 30 days) or 2 (to 60, with a
    /// supervisor's approval).
    pub extension_steps: u8,
    /// Times reopened.
    pub round: i64,
    pub root_cause: Option<RootCause>,
}

impl CaseFact {
    /// Seconds from receipt to the latest answer, for a case answered (resolved or closed)
    /// now; a case still open, reopened or withdrawn has none.
    pub fn handling_secs(&self) -> Option<i64> {
        if !matches!(self.state, State::Resolved | State::Closed) {
            return None;
        }
        self.resolved_at.map(|r| (r - self.received_at).max(0))
    }

    pub fn within_deadline(&self) -> bool {
        self.handling_secs().is_some_and(|s| s <= BASE_DAYS * DAY)
    }
}

/// The measures of a group of cases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Measures {
    /// Cases received in the period, whatever became of them.
    pub volume: i64,
    pub complaints: i64,
    pub questions: i64,
    /// Answered (resolved or closed): the denominator of handling time, the 15-day share
    /// and the reopen rate.
    pub answered: i64,
    /// Answered within 15 days of receipt.
    pub within_deadline: i64,
    /// Extended at least once (of the volume).
    pub extended: i64,
    /// Extended a second time, with a supervisor's approval (of the volume).
    pub approved: i64,
    /// Answered cases that had been reopened at least once.
    pub reopened: i64,
    /// Handling seconds of the answered cases, sorted.
    handling: Vec<i64>,
}

impl Measures {
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a CaseFact>) -> Self {
        let mut m = Self::default();
        for f in facts {
            m.add(f);
        }
        m
    }

    fn add(&mut self, f: &CaseFact) {
        self.volume += 1;
        match f.kind {
            Kind::Complaint => self.complaints += 1,
            Kind::Question => self.questions += 1,
        }
        if f.extension_steps >= 1 {
            self.extended += 1;
        }
        if f.extension_steps >= 2 {
            self.approved += 1;
        }
        if let Some(secs) = f.handling_secs() {
            self.answered += 1;
            if secs <= BASE_DAYS * DAY {
                self.within_deadline += 1;
            }
            if f.round >= 1 {
                self.reopened += 1;
            }
            let at = self.handling.partition_point(|s| *s <= secs);
            self.handling.insert(at, secs);
        }
    }

    /// Median handling time in seconds: the nearest-rank 50th percentile (the lower middle
    /// of an even count), so it is always a time some case really took.
    pub fn median_secs(&self) -> Option<i64> {
        nearest_rank(&self.handling, 50)
    }

    /// 90th-percentile handling time in seconds, nearest-rank.
    pub fn p90_secs(&self) -> Option<i64> {
        nearest_rank(&self.handling, 90)
    }

    /// Share answered within 15 days, of the answered, in whole percent.
    pub fn within_deadline_pct(&self) -> Option<i64> {
        pct(self.within_deadline, self.answered)
    }

    /// Share extended, of the volume.
    pub fn extended_pct(&self) -> Option<i64> {
        pct(self.extended, self.volume)
    }

    /// Share extended a second time, of the volume.
    pub fn approved_pct(&self) -> Option<i64> {
        pct(self.approved, self.volume)
    }

    /// Share reopened, of the answered.
    pub fn reopen_pct(&self) -> Option<i64> {
        pct(self.reopened, self.answered)
    }

    /// Volume not answered within 15 days: later, or not (yet) answered at all.
    pub fn not_within_deadline(&self) -> i64 {
        self.volume - self.within_deadline
    }
}

fn pct(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| rounded_percent(part, whole))
}

/// The nearest-rank `p`th percentile of `sorted`: the value at rank ⌈p·n/100⌉ (1-based).
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// Seconds as days with one decimal (`10.5`), rounded half up.
pub fn days_tenths(secs: i64) -> String {
    let tenths = (secs.max(0) * 10 + DAY / 2) / DAY;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Everything the statistics page and its charts show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseStats {
    pub total: Measures,
    /// Every category, in `Category::ALL` order, empty ones too.
    pub by_category: Vec<(Category, Measures)>,
    /// Each product with a case, the most cases first (then by code); cases with no
    /// product last, as `None`.
    pub by_product: Vec<(Option<String>, Measures)>,
    /// Answered cases per root cause, every cause in `RootCause::ALL` order.
    pub by_cause: Vec<(RootCause, i64)>,
    /// Answered cases without a root cause (answered before the field existed).
    pub no_cause: i64,
    /// Every month of the period, oldest first.
    pub by_month: Vec<(Month, Measures)>,
}

pub fn summarize(facts: &[CaseFact], period: Period) -> CaseStats {
    let by_category = Category::ALL
        .iter()
        .map(|c| (*c, Measures::of(facts.iter().filter(|f| f.category == *c))))
        .collect();
    let mut products: Vec<Option<String>> = facts.iter().map(|f| f.product.clone()).collect();
    products.sort();
    products.dedup();
    let mut by_product: Vec<(Option<String>, Measures)> = products
        .into_iter()
        .map(|p| {
            let m = Measures::of(facts.iter().filter(|f| f.product == p));
            (p, m)
        })
        .collect();
    // `None` last, then the most cases first; ties by product code.
    by_product.sort_by(|(pa, ma), (pb, mb)| {
        pa.is_none()
            .cmp(&pb.is_none())
            .then(mb.volume.cmp(&ma.volume))
            .then(pa.cmp(pb))
    });
    let answered = || facts.iter().filter(|f| f.handling_secs().is_some());
    let by_cause = RootCause::ALL
        .into_iter()
        .map(|c| {
            (
                c,
                answered().filter(|f| f.root_cause == Some(c)).count() as i64,
            )
        })
        .collect();
    let no_cause = answered().filter(|f| f.root_cause.is_none()).count() as i64;
    let by_month = period
        .months()
        .into_iter()
        .map(|m| (m, Measures::of(facts.iter().filter(|f| f.month == m))))
        .collect();
    CaseStats {
        total: Measures::of(facts),
        by_category,
        by_product,
        by_cause,
        no_cause,
        by_month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn day(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    /// A complaint received at 0 and answered after `days` (`None`: still open).
    fn case(days: Option<i64>) -> CaseFact {
        CaseFact {
            kind: Kind::Complaint,
            category: Category::Claim,
            state: if days.is_some() {
                State::Resolved
            } else {
                State::InProgress
            },
            product: Some("AUTO".into()),
            month: month("2026-11"),
            received_at: 1_000,
            resolved_at: days.map(|d| 1_000 + d * DAY),
            extension_steps: 0,
            round: 0,
            root_cause: None,
        }
    }

    #[test]
    fn nearest_rank_percentiles_of_odd_even_one_and_ten() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        // Odd: the middle one.
        assert_eq!(nearest_rank(&[2, 10, 20], 50), Some(10));
        assert_eq!(nearest_rank(&[2, 10, 20], 90), Some(20));
        // Even: the lower middle (rank ⌈0.5·4⌉ = 2).
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 50), Some(5));
        // Rank ⌈0.9·10⌉ = 9.
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10));
    }

    #[test]
    fn three_answered_in_2_10_and_20_days_and_one_open() {
        let mut reopened = case(Some(2));
        reopened.round = 1;
        let ten = case(Some(10));
        let mut extended = case(Some(20));
        extended.extension_steps = 1;
        let mut open = case(None);
        open.kind = Kind::Question;
        open.extension_steps = 2;
        let m = Measures::of(&[reopened, ten, extended, open]);
        assert_eq!((m.volume, m.complaints, m.questions), (4, 3, 1));
        assert_eq!(m.answered, 3, "the open one has no handling time");
        assert_eq!(m.median_secs(), Some(10 * DAY));
        assert_eq!(m.p90_secs(), Some(20 * DAY));
        assert_eq!(m.within_deadline_pct(), Some(67), "2 of 3");
        assert_eq!(m.extended_pct(), Some(50), "2 of 4");
        assert_eq!(m.approved_pct(), Some(25), "1 of 4");
        assert_eq!(m.reopen_pct(), Some(33), "1 of 3 answered");
        assert_eq!(m.not_within_deadline(), 2);
    }

    #[test]
    fn fifteen_days_exactly_is_within_and_a_second_later_is_not() {
        let mut on_time = case(Some(15));
        assert!(on_time.within_deadline());
        on_time.resolved_at = on_time.resolved_at.map(|r| r + 1);
        assert!(!on_time.within_deadline());
        // Withdrawn after an answer and a reopening: not answered now.
        let mut withdrawn = case(Some(3));
        withdrawn.state = State::Withdrawn;
        assert_eq!(withdrawn.handling_secs(), None);
        let mut closed = case(Some(3));
        closed.state = State::Closed;
        assert_eq!(closed.handling_secs(), Some(3 * DAY));
    }

    #[test]
    fn an_empty_group_has_no_times_and_no_shares() {
        let m = Measures::default();
        assert_eq!(m.median_secs(), None);
        assert_eq!(m.p90_secs(), None);
        assert_eq!(m.within_deadline_pct(), None);
        assert_eq!(m.extended_pct(), None);
        assert_eq!(m.reopen_pct(), None);
        // Only open cases: a volume, but nothing answered.
        let m = Measures::of(&[case(None)]);
        assert_eq!((m.volume, m.answered), (1, 0));
        assert_eq!(m.within_deadline_pct(), None);
        assert_eq!(m.extended_pct(), Some(0));
    }

    #[test]
    fn grouped_by_category_product_cause_and_month() {
        let mut a = case(Some(4));
        a.root_cause = Some(RootCause::Process);
        let mut b = case(Some(30));
        b.category = Category::Payment;
        b.product = Some("HEALTH".into());
        b.root_cause = Some(RootCause::Process);
        b.month = month("2026-10");
        let mut c = case(None);
        c.category = Category::Staff;
        c.product = None;
        let mut d = case(Some(1));
        d.product = Some("HEALTH".into());
        d.root_cause = Some(RootCause::Explained);
        let e = case(Some(2));
        let s = summarize(
            &[a, b, c, d, e],
            Period {
                from: month("2026-09"),
                to: month("2026-11"),
            },
        );
        assert_eq!(s.total.volume, 5);
        assert_eq!(s.by_category.len(), Category::ALL.len(), "empty ones too");
        let of = |cat: Category| {
            s.by_category
                .iter()
                .find(|(c, _)| *c == cat)
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(of(Category::Claim).volume, 3);
        assert_eq!(of(Category::Policy), Measures::default());
        assert_eq!(of(Category::Payment).within_deadline_pct(), Some(0));
        let products: Vec<_> = s
            .by_product
            .iter()
            .map(|(p, m)| (p.as_deref(), m.volume))
            .collect();
        assert_eq!(
            products,
            [(Some("AUTO"), 2), (Some("HEALTH"), 2), (None, 1)],
            "most first, ties by code, none last"
        );
        assert_eq!(s.by_cause.len(), RootCause::ALL.len());
        let cause = |c: RootCause| s.by_cause.iter().find(|(k, _)| *k == c).unwrap().1;
        assert_eq!(cause(RootCause::Process), 2);
        assert_eq!(cause(RootCause::Explained), 1);
        assert_eq!(cause(RootCause::System), 0);
        assert_eq!(s.no_cause, 1, "e was answered without one; c is open");
        let months: Vec<_> = s
            .by_month
            .iter()
            .map(|(m, x)| (m.to_string(), x.volume))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-09".to_owned(), 0),
                ("2026-10".to_owned(), 1),
                ("2026-11".to_owned(), 4)
            ]
        );
    }

    #[test]
    fn periods_from_the_form_and_what_nonsense_falls_back_to() {
        let today = day(15);
        let default = Period::parse(None, None, None, today);
        assert_eq!(
            (default.from.to_string(), default.to.to_string()),
            (String::from("2025-12"), String::from("2026-11"))
        );
        assert_eq!(default.choice(today), Some(12));
        let three = Period::parse(Some("2020-01"), None, Some("3"), today);
        assert_eq!(three.from.to_string(), "2026-09");
        assert_eq!(three.months().len(), 3);
        let turned = Period::parse(Some("2026-05"), Some("2026-02"), None, today);
        assert_eq!(
            (turned.from.to_string(), turned.to.to_string()),
            (String::from("2026-02"), String::from("2026-05"))
        );
        assert_eq!(turned.choice(today), None);
        for (from, to, months) in [
            (Some("garbage"), Some("2026-13"), Some("7")),
            (Some("99999-01"), Some("2026-01"), Some("-3")),
            (Some("2026-01"), None, Some("999999999999999999999")),
            (Some("２０２６-01"), Some("2026-1"), Some("")),
        ] {
            assert_eq!(
                Period::parse(from, to, months, today),
                default,
                "{from:?} {to:?} {months:?}"
            );
        }
        // A century asked for: the latest 24 months of it.
        let wide = Period::parse(Some("2000-01"), Some("2100-12"), None, today);
        assert_eq!(wide.months().len(), 24);
        assert_eq!(wide.to.to_string(), "2100-12");
    }

    #[test]
    fn days_with_one_decimal() {
        assert_eq!(days_tenths(0), "0.0");
        assert_eq!(days_tenths(10 * DAY), "10.0");
        assert_eq!(days_tenths(DAY / 2), "0.5");
        assert_eq!(days_tenths(DAY * 3 / 20 - 1), "0.1");
        assert_eq!(days_tenths(-5), "0.0");
    }
}
