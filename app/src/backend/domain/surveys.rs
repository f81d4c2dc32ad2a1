//! 满意度调查 — satisfaction surveys: who may be invited and when, what an answer may
//! hold, and the figures staff read (average, distribution, 9–10 minus 1–6, response
//! rate). No web or SQL types here.

/// An invitation is answerable for 7 days.
pub const ANSWER_SECS: i64 = 7 * 86_400;
/// At most one invitation per customer in this many seconds (30 days).
pub const FATIGUE_SECS: i64 = 30 * 86_400;
/// The longest comment, in characters.
pub const MAX_COMMENT: usize = 500;

/// A customer last invited at or before this instant may be invited at `now`; the
/// store claims it in one guarded statement (`last_invited_at <= cutoff`).
pub fn fatigue_cutoff(now: i64) -> i64 {
    now - FATIGUE_SECS
}

/// A score from 1 to 10, nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score(u8);

impl Score {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u8 = s.parse().ok()?;
        (1..=10).contains(&n).then_some(Self(n))
    }

    pub fn new(n: i64) -> Option<Self> {
        (1..=10).contains(&n).then_some(Self(n as u8))
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerError {
    /// No score, or one that is not 1–10.
    BadScore,
    /// A comment longer than `MAX_COMMENT` characters.
    CommentTooLong,
}

/// A score and comment as the form sent them, checked: the comment trimmed, control
/// characters other than line breaks dropped.
pub fn parse_answer(score: Option<&str>, comment: &str) -> Result<(Score, String), AnswerError> {
    let score = score.and_then(Score::parse).ok_or(AnswerError::BadScore)?;
    let comment: String = comment
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AnswerError::CommentTooLong);
    }
    Ok((score, comment))
}

/// What an invitation allows now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Open,
    Answered,
    Expired,
}

/// `answered`: a response exists. An unanswered invitation past its time is expired,
/// whatever the stored state says (no job needs to have run).
pub fn standing(answered: bool, expires_at: i64, now: i64) -> Standing {
    if answered {
        Standing::Answered
    } else if now >= expires_at {
        Standing::Expired
    } else {
        Standing::Open
    }
}

/// The figures for a set of invitations: `counts[i]` answers with score `i + 1`, and
/// how many invitations were sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: [i64; 10],
    pub sent: i64,
}

impl Tally {
    pub fn add(&mut self, score: Score) {
        self.counts[(score.0 - 1) as usize] += 1;
    }

    pub fn answered(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// Mean score, to one decimal place (in tenths), when anyone answered.
    pub fn average_tenths(&self) -> Option<i64> {
        let n = self.answered();
        (n > 0).then(|| {
            let total: i64 = self
                .counts
                .iter()
                .enumerate()
                .map(|(i, c)| (i as i64 + 1) * c)
                .sum();
            // Rounded half up, in integers.
            (total * 10 * 2 + n) / (2 * n)
        })
    }

    /// Share of 9–10 minus share of 1–6, in whole points (−100 to 100), NPS-like.
    pub fn net_score(&self) -> Option<i64> {
        let n = self.answered();
        (n > 0).then(|| {
            let promoters: i64 = self.counts[8..].iter().sum();
            let detractors: i64 = self.counts[..6].iter().sum();
            rounded_percent(promoters - detractors, n)
        })
    }

    /// Answered as a share of sent, in whole percent.
    pub fn response_rate(&self) -> Option<i64> {
        (self.sent > 0).then(|| rounded_percent(self.answered(), self.sent))
    }

    /// Each score's share of the answers, in whole percent.
    pub fn shares(&self) -> [i64; 10] {
        let n = self.answered();
        self.counts
            .map(|c| if n == 0 { 0 } else { rounded_percent(c, n) })
    }
}

/// `100 * part / whole`, rounded half away from zero.
pub fn rounded_percent(part: i64, whole: i64) -> i64 {
    let x = 200 * part;
    let d = 2 * whole;
    if x >= 0 {
        (x + whole) / d
    } else {
        -((-x + whole) / d)
    }
}

/// One cell of a CSV file: quoted, quotes doubled, and text a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) led by a `'`.
pub fn csv_cell(s: &str) -> String {
    let guarded = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// One CSV line of cells, ended by CRLF (RFC 4180).
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A calendar month (Asia/Shanghai), as results group and filter by it: `2026-11`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// `YYYY-MM`, a real month from 2000 to 2100; nothing else.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((2000..=2100).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    pub fn of(day: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first_day(self) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a checked month")
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                month: self.month + 1,
                ..self
            }
        }
    }

    /// `n` months earlier.
    pub fn back(self, n: u32) -> Self {
        let total = self.year * 12 + self.month as i32 - 1 - n as i32;
        Self {
            year: total.div_euclid(12),
            month: total.rem_euclid(12) as u32 + 1,
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The months from `from` to `to`, both included; at most `MAX_MONTHS` (the latest).
pub fn months(from: Month, to: Month) -> Vec<Month> {
    let mut out = vec![];
    let mut m = from;
    while m <= to {
        out.push(m);
        m = m.next();
    }
    let skip = out.len().saturating_sub(MAX_MONTHS);
    out.split_off(skip)
}

/// The longest range results cover.
pub const MAX_MONTHS: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn one_invitation_per_customer_in_thirty_days() {
        let now = 1_000 * DAY;
        // Invited exactly 30 days ago: at the cutoff, so again now; a second later, not.
        assert_eq!(fatigue_cutoff(now), now - 30 * DAY);
        assert!(now - 30 * DAY <= fatigue_cutoff(now));
        assert!(now - 30 * DAY + 1 > fatigue_cutoff(now));
        const { assert!(ANSWER_SECS < FATIGUE_SECS, "one open survey at a time") };
    }

    #[test]
    fn scores_are_one_to_ten_and_nothing_else() {
        for n in 1..=10 {
            assert_eq!(Score::parse(&n.to_string()).map(Score::get), Some(n));
            assert_eq!(Score::new(n).map(Score::get), Some(n));
        }
        for bad in [
            "", "0", "11", "-1", "+5", "5.0", "１０", "abc", "100", "010", " ", "1e1",
        ] {
            assert_eq!(Score::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Score::parse(" 7 ").map(Score::get), Some(7));
        assert_eq!(Score::new(0), None);
        assert_eq!(Score::new(11), None);
    }

    #[test]
    fn answers_are_checked_at_the_edge() {
        assert_eq!(parse_answer(None, ""), Err(AnswerError::BadScore));
        assert_eq!(parse_answer(Some("x"), ""), Err(AnswerError::BadScore));
        let (s, c) = parse_answer(Some("9"), "  很好\u{7}，谢谢\n  ").unwrap();
        assert_eq!((s.get(), c.as_str()), (9, "很好，谢谢"));
        let long = "好".repeat(MAX_COMMENT);
        assert!(parse_answer(Some("9"), &long).is_ok());
        assert_eq!(
            parse_answer(Some("9"), &format!("{long}好")),
            Err(AnswerError::CommentTooLong)
        );
    }

    #[test]
    fn an_unanswered_invitation_expires_at_its_time() {
        assert_eq!(standing(false, 100, 99), Standing::Open);
        assert_eq!(standing(false, 100, 100), Standing::Expired);
        assert_eq!(standing(true, 100, 200), Standing::Answered);
        assert_eq!(standing(true, 100, 50), Standing::Answered);
    }

    fn tally(scores: &[i64], sent: i64) -> Tally {
        let mut t = Tally {
            sent,
            ..Tally::default()
        };
        for s in scores {
            t.add(Score::new(*s).unwrap());
        }
        t
    }

    #[test]
    fn figures_from_a_tally() {
        let empty = tally(&[], 4);
        assert_eq!(empty.average_tenths(), None);
        assert_eq!(empty.net_score(), None);
        assert_eq!(empty.response_rate(), Some(0));
        assert_eq!(Tally::default().response_rate(), None);

        // 10, 9, 8, 7, 3 of 8 sent: average 7.4, promoters 2, detractors 1 → +20.
        let t = tally(&[10, 9, 8, 7, 3], 8);
        assert_eq!(t.answered(), 5);
        assert_eq!(t.average_tenths(), Some(74));
        assert_eq!(t.net_score(), Some(20));
        assert_eq!(t.response_rate(), Some(63)); // 62.5 rounds up
        assert_eq!(t.shares()[9], 20);
        assert_eq!(t.shares()[0], 0);

        // All detractors: −100. Average rounds half up: (1 + 2) / 2 = 1.5.
        let low = tally(&[1, 2], 2);
        assert_eq!(low.net_score(), Some(-100));
        assert_eq!(low.average_tenths(), Some(15));
        // 1 promoter, 2 detractors of 3: −33.
        assert_eq!(tally(&[10, 1, 1], 3).net_score(), Some(-33));
        assert_eq!(tally(&[10, 10, 1], 3).net_score(), Some(33));
        // 21 / 3 = 7.0; 4 / 3 = 1.33 → 1.3.
        assert_eq!(tally(&[10, 10, 1], 3).average_tenths(), Some(70));
        assert_eq!(tally(&[1, 1, 2], 3).average_tenths(), Some(13));
    }

    #[test]
    fn months_parse_step_and_bound_a_range() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.next().to_string(), "2026-12");
        assert_eq!(m.next().next().to_string(), "2027-01");
        assert_eq!(m.back(11).to_string(), "2025-12");
        assert_eq!(m.back(10).to_string(), "2026-01");
        assert_eq!(m.first_day().to_string(), "2026-11-01");
        for bad in [
            "",
            "2026-13",
            "2026-00",
            "26-11",
            "2026-1",
            "2026/11",
            "1999-12",
            "abcd-ef",
            "2026-11-01",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?}");
        }
        let r = months(Month::parse("2026-10").unwrap(), m);
        assert_eq!(r.len(), 2);
        assert!(months(m, Month::parse("2026-10").unwrap()).is_empty());
        let long = months(Month::parse("2000-01").unwrap(), m);
        assert_eq!(long.len(), MAX_MONTHS);
        assert_eq!(long.last(), Some(&m));
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_cell("很好"), "\"很好\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for lead in ["=", "+", "-", "@", "\t", "\r"] {
            let cell = csv_cell(&format!("{lead}1+1"));
            assert!(cell.starts_with("\"'"), "{lead:?} → {cell}");
        }
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("a,b\nc"), "\"a,b\nc\"");
        assert_eq!(csv_cell(""), "\"\"");
        assert_eq!(csv_line(&["a", "=b"]), "\"a\",\"'=b\"\r\n");
    }
}
