//! 客户标签体系 and 价值分层: the tags and the value tier the staff console shows on top of a
//! customer's 360° view. Each is derived from the customer's own records by a rule written
//! here, and each carries its reason, so staff can say *why* ("车主: 持有有效车险保单") and
//! nobody has to trust an opaque score.
//!
//! The value tier adds points:
//! - annual premium of policies in force: ≥ ¥20,000 → 3, ≥ ¥5,000 → 2, ≥ ¥1,000 → 1;
//! - tenure, from the first day of cover: ≥ 5 years → 2, ≥ 2 years → 1;
//! - lines of business held in force: 3 or more → 2, 2 → 1.
//!
//! 6 points or more is 钻石 (diamond), 4–5 金卡 (gold), 2–3 银卡 (silver), else 普通 (standard).

use crate::model::{Line, PolicyStatus};
use chrono::NaiveDate;

/// A policy, as the rules see it.
#[derive(Clone, Debug)]
pub struct Holding {
    pub line: Line,
    pub status: PolicyStatus,
    pub auto_debit: bool,
    /// The current term's premium, in fen.
    pub premium_fen: i64,
    pub end_date: NaiveDate,
    /// Masked, for the reason shown (`PA****1234`).
    pub policy_no_masked: String,
}

#[derive(Clone, Debug)]
pub struct Facts {
    pub holdings: Vec<Holding>,
    pub open_claims: usize,
    /// The first day the customer was covered by any policy.
    pub first_cover: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// Renewal counts as near within this many days of the end of cover.
pub const RENEWAL_SOON_DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tag {
    /// 车主: holds an auto policy in force.
    CarOwner { policy: String },
    /// 有在途理赔
    OpenClaims { count: usize },
    /// 已开通自动扣款
    AutoDebit { count: usize },
    /// 续保临近: the soonest policy in force to end within 30 days.
    RenewalSoon {
        policy: String,
        end: NaiveDate,
        days: i64,
    },
    /// 多险种: policies in force in two or more lines.
    MultiLine { lines: usize },
    /// 有脱保保单: a policy lapsed (a customer to win back).
    Lapsed { count: usize },
}

impl Tag {
    /// The translation key of the tag's name (`console.tags.{key}`).
    pub fn key(&self) -> &'static str {
        match self {
            Self::CarOwner { .. } => "car_owner",
            Self::OpenClaims { .. } => "open_claims",
            Self::AutoDebit { .. } => "auto_debit",
            Self::RenewalSoon { .. } => "renewal_soon",
            Self::MultiLine { .. } => "multi_line",
            Self::Lapsed { .. } => "lapsed",
        }
    }
}

fn in_force(h: &Holding) -> bool {
    h.status == PolicyStatus::Active
}

pub fn tags(f: &Facts) -> Vec<Tag> {
    let mut out = vec![];
    if let Some(h) = f
        .holdings
        .iter()
        .find(|h| in_force(h) && h.line == Line::Auto)
    {
        out.push(Tag::CarOwner {
            policy: h.policy_no_masked.clone(),
        });
    }
    if f.open_claims > 0 {
        out.push(Tag::OpenClaims {
            count: f.open_claims,
        });
    }
    let auto = f
        .holdings
        .iter()
        .filter(|h| in_force(h) && h.auto_debit)
        .count();
    if auto > 0 {
        out.push(Tag::AutoDebit { count: auto });
    }
    if let Some(h) = f
        .holdings
        .iter()
        .filter(|h| in_force(h) && h.end_date >= f.today)
        .filter(|h| (h.end_date - f.today).num_days() <= RENEWAL_SOON_DAYS)
        .min_by_key(|h| h.end_date)
    {
        out.push(Tag::RenewalSoon {
            policy: h.policy_no_masked.clone(),
            end: h.end_date,
            days: (h.end_date - f.today).num_days(),
        });
    }
    let lines = lines_in_force(f);
    if lines >= 2 {
        out.push(Tag::MultiLine { lines });
    }
    let lapsed = f
        .holdings
        .iter()
        .filter(|h| h.status == PolicyStatus::Lapsed)
        .count();
    if lapsed > 0 {
        out.push(Tag::Lapsed { count: lapsed });
    }
    out
}

fn lines_in_force(f: &Facts) -> usize {
    let mut lines: Vec<Line> = f
        .holdings
        .iter()
        .filter(|h| in_force(h))
        .map(|h| h.line)
        .collect();
    lines.sort_by_key(|l| l.as_str());
    lines.dedup();
    lines.len()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TierLevel {
    Standard,
    Silver,
    Gold,
    Diamond,
}

impl TierLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Silver => "silver",
            Self::Gold => "gold",
            Self::Diamond => "diamond",
        }
    }
}

/// One rule's part of the tier, with what it was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Points {
    Premium { annual_fen: i64, points: u8 },
    Tenure { years: i64, points: u8 },
    Lines { lines: usize, points: u8 },
}

impl Points {
    pub fn points(&self) -> u8 {
        match self {
            Self::Premium { points, .. }
            | Self::Tenure { points, .. }
            | Self::Lines { points, .. } => *points,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tier {
    pub level: TierLevel,
    pub points: u8,
    pub parts: [Points; 3],
}

/// Whole years from `from` to `to` (a birthday-style count).
fn years_between(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    let mut y = i64::from(to.year() - from.year());
    if (to.month(), to.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y.max(0)
}

pub fn tier(f: &Facts) -> Tier {
    let annual_fen: i64 = f
        .holdings
        .iter()
        .filter(|h| in_force(h))
        .map(|h| h.premium_fen)
        .sum();
    let premium = match annual_fen {
        n if n >= 2_000_000 => 3,
        n if n >= 500_000 => 2,
        n if n >= 100_000 => 1,
        _ => 0,
    };
    let years = f.first_cover.map_or(0, |d| years_between(d, f.today));
    let tenure = match years {
        y if y >= 5 => 2,
        y if y >= 2 => 1,
        _ => 0,
    };
    let lines = lines_in_force(f);
    let breadth = match lines {
        n if n >= 3 => 2,
        2 => 1,
        _ => 0,
    };
    let points = premium + tenure + breadth;
    let level = match points {
        p if p >= 6 => TierLevel::Diamond,
        p if p >= 4 => TierLevel::Gold,
        p if p >= 2 => TierLevel::Silver,
        _ => TierLevel::Standard,
    };
    Tier {
        level,
        points,
        parts: [
            Points::Premium {
                annual_fen,
                points: premium,
            },
            Points::Tenure {
                years,
                points: tenure,
            },
            Points::Lines {
                lines,
                points: breadth,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn holding(line: Line, status: PolicyStatus, premium_yuan: i64, end: &str) -> Holding {
        Holding {
            line,
            status,
            auto_debit: false,
            premium_fen: premium_yuan * 100,
            end_date: d(end),
            policy_no_masked: format!("{}****0001", &line.as_str()[..2].to_uppercase()),
        }
    }

    fn facts(holdings: Vec<Holding>) -> Facts {
        Facts {
            holdings,
            open_claims: 0,
            first_cover: Some(d("2025-03-01")),
            today: d("2026-12-01"),
        }
    }

    #[test]
    fn tags_each_follow_from_a_record() {
        let mut f = facts(vec![
            holding(Line::Auto, PolicyStatus::Active, 4_800, "2026-12-20"),
            holding(Line::Health, PolicyStatus::Active, 1_200, "2027-06-30"),
            holding(Line::Life, PolicyStatus::Lapsed, 3_000, "2026-01-31"),
        ]);
        f.holdings[1].auto_debit = true;
        f.open_claims = 2;
        let t = tags(&f);
        assert_eq!(
            t,
            vec![
                Tag::CarOwner {
                    policy: "AU****0001".into()
                },
                Tag::OpenClaims { count: 2 },
                Tag::AutoDebit { count: 1 },
                Tag::RenewalSoon {
                    policy: "AU****0001".into(),
                    end: d("2026-12-20"),
                    days: 19
                },
                Tag::MultiLine { lines: 2 },
                Tag::Lapsed { count: 1 },
            ]
        );
    }

    #[test]
    fn a_lapsed_car_policy_is_no_car_owner_and_far_renewals_are_not_near() {
        let f = facts(vec![
            holding(Line::Auto, PolicyStatus::Lapsed, 4_800, "2026-11-01"),
            holding(Line::Home, PolicyStatus::Active, 600, "2027-02-01"),
        ]);
        assert_eq!(tags(&f), vec![Tag::Lapsed { count: 1 }]);
    }

    #[test]
    fn the_tier_adds_documented_points() {
        // ¥6,000 in force (2), 1 year 9 months (0), two lines (1): 3 points, silver.
        let f = facts(vec![
            holding(Line::Auto, PolicyStatus::Active, 4_800, "2027-03-01"),
            holding(Line::Health, PolicyStatus::Active, 1_200, "2027-06-30"),
        ]);
        let t = tier(&f);
        assert_eq!(t.level, TierLevel::Silver);
        assert_eq!(t.points, 3);
        assert_eq!(
            t.parts[0],
            Points::Premium {
                annual_fen: 600_000,
                points: 2
            }
        );
        assert_eq!(
            t.parts[1],
            Points::Tenure {
                years: 1,
                points: 0
            }
        );

        // ¥25,000, 6 years, three lines: 3 + 2 + 2 = 7, diamond.
        let mut f = facts(vec![
            holding(Line::Auto, PolicyStatus::Active, 5_000, "2027-03-01"),
            holding(Line::Health, PolicyStatus::Active, 5_000, "2027-06-30"),
            holding(Line::Life, PolicyStatus::Active, 15_000, "2040-06-30"),
        ]);
        f.first_cover = Some(d("2020-11-30"));
        assert_eq!(tier(&f).level, TierLevel::Diamond);
        assert_eq!(tier(&f).points, 7);

        // Nothing in force: standard, whatever lapsed.
        let f = facts(vec![holding(
            Line::Life,
            PolicyStatus::Lapsed,
            50_000,
            "2026-01-01",
        )]);
        assert_eq!(tier(&f).level, TierLevel::Standard);
        assert_eq!(tier(&f).points, 0);
    }

    #[test]
    fn tenure_counts_whole_years() {
        assert_eq!(years_between(d("2021-12-02"), d("2026-12-01")), 4);
        assert_eq!(years_between(d("2021-12-01"), d("2026-12-01")), 5);
        assert_eq!(years_between(d("2027-01-01"), d("2026-12-01")), 0);
    }
}
