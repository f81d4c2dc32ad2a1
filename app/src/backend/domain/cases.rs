//! Complaint and question cases: which moves a case may make and who may make them, the
//! deadline the customer sees (银行业保险业消费投诉处理管理办法, 2020: 15 days, 30 with a
//! reason, 30 more with approval), its warnings, the reopen window, and who may own it
//! (首问负责制: the first to take it, never the person complained about). No web, no SQL.

use crate::model::CaseState as State;

pub const DAY: i64 = 86_400;
/// Days to answer from receipt.
pub const BASE_DAYS: i64 = 15;
/// Days to answer after the first extension (with a reason the customer reads).
pub const EXTENDED_DAYS: i64 = 30;
/// Days to answer after the second extension (with a supervisor's approval).
pub const APPROVED_DAYS: i64 = 60;
/// Days after the answer in which the customer may reopen the case.
pub const REOPEN_DAYS: i64 = 30;
/// Characters of a case's text, a reply or an answer.
pub const MIN_TEXT: usize = 5;
pub const MAX_TEXT: usize = 2000;
/// Characters of an extension's reason.
pub const MIN_REASON: usize = 4;
pub const MAX_REASON: usize = 300;

/// Who asks for a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Customer,
    /// The case's owner.
    Owner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{actor:?} cannot move a case {from} → {to}")]
pub struct MoveError {
    pub actor: Actor,
    pub from: State,
    pub to: State,
}

/// May `actor` move a case `from` → `to`? The owner acknowledges, starts work, answers
/// and closes; the customer withdraws an open case and reopens an answered one (the
/// window is `may_reopen`).
pub fn check_move(actor: Actor, from: State, to: State) -> Result<(), MoveError> {
    use State::*;
    let ok = match actor {
        Actor::Owner => matches!(
            (from, to),
            (Received, Acknowledged)
                | (Acknowledged, InProgress)
                | (Reopened, InProgress)
                | (InProgress, Resolved)
                | (Resolved, Closed)
        ),
        Actor::Customer => {
            (from.is_open() && to == Withdrawn)
                || (matches!(from, Resolved | Closed) && to == Reopened)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(MoveError { actor, from, to })
    }
}

/// May the customer reopen a case answered at `resolved_at`, now? Within 30 days.
pub fn may_reopen(state: State, resolved_at: Option<i64>, now: i64) -> bool {
    matches!(state, State::Resolved | State::Closed)
        && resolved_at.is_some_and(|r| now <= r + REOPEN_DAYS * DAY)
}

/// When a case whose clock started at `start` is due, after `extensions` (0, 1 or 2).
pub fn due_at(start: i64, extensions: u8) -> i64 {
    let days = match extensions {
        0 => BASE_DAYS,
        1 => EXTENDED_DAYS,
        _ => APPROVED_DAYS,
    };
    start + days * DAY
}

/// Why a deadline cannot be extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtendError {
    /// Answered, closed or withdrawn: no deadline runs.
    #[error("the case is not open")]
    NotOpen,
    /// The second extension needs a supervisor (`Permission::ExtendCases`).
    #[error("needs a supervisor's approval")]
    NeedsApproval,
    /// Extended twice already.
    #[error("no further extension")]
    NoMore,
}

/// The extension a case with `extensions` so far may get (1 or 2), if `approver` (the
/// one asking may approve a second one) allows it.
pub fn next_extension(state: State, extensions: u8, approver: bool) -> Result<u8, ExtendError> {
    if !state.is_open() {
        return Err(ExtendError::NotOpen);
    }
    match extensions {
        0 => Ok(1),
        1 if approver => Ok(2),
        1 => Err(ExtendError::NeedsApproval),
        _ => Err(ExtendError::NoMore),
    }
}

/// How close a case is to its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warning {
    None,
    /// Half the time is gone.
    Half,
    /// 80 % of the time is gone.
    Late,
    Overdue,
}

impl Warning {
    /// The tail of its translation key (`cases.warning.{}`), and its CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Half => "half",
            Self::Late => "late",
            Self::Overdue => "overdue",
        }
    }
}

/// The warning of an open case whose clock runs from `start` to `due`, at `now`.
pub fn warning(state: State, start: i64, due: i64, now: i64) -> Warning {
    if !state.is_open() {
        return Warning::None;
    }
    let span = (due - start).max(1);
    let used = now - start;
    if now > due {
        Warning::Overdue
    } else if used * 10 >= span * 8 {
        Warning::Late
    } else if used * 2 >= span {
        Warning::Half
    } else {
        Warning::None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the person complained about cannot own the case")]
pub struct ComplainedAbout;

/// May `candidate` own a case about `about_staff` (if any)? Never the person complained about.
pub fn check_owner(candidate: &str, about_staff: Option<&str>) -> Result<(), ComplainedAbout> {
    if about_staff == Some(candidate) {
        Err(ComplainedAbout)
    } else {
        Ok(())
    }
}

/// `TS2026-000123`: the year and the case's number in it.
pub fn case_no(year: i32, n: i64) -> String {
    format!("TS{year}-{n:06}")
}

/// Free text a person wrote: trimmed, `min..=max` characters, no control characters but
/// line breaks and tabs.
fn text(input: &str, min: usize, max: usize) -> Option<String> {
    let s = input.trim();
    let n = s.chars().count();
    let clean = !s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    ((min..=max).contains(&n) && clean).then(|| s.replace("\r\n", "\n"))
}

/// A case's text, a reply or a final answer: 5 to 2,000 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseText(String);

impl CaseText {
    pub fn parse(input: &str) -> Option<Self> {
        text(input, MIN_TEXT, MAX_TEXT).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a deadline moves, for the customer: 4 to 300 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionReason(String);

impl ExtensionReason {
    pub fn parse(input: &str) -> Option<Self> {
        text(input, MIN_REASON, MAX_REASON)
            .filter(|s| !s.contains('\n'))
            .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name the customer typed for a member of staff (the one complained about): 1 to 30
/// characters, one line.
pub fn parse_staff_name(input: &str) -> Option<String> {
    text(input, 1, 30).filter(|s| !s.contains('\n'))
}

/// 根因 — why the customer had to ask, as the owner judges it when answering: the field
/// statistics group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootCause {
    /// The product's terms or design.
    Product,
    /// A process of ours (slow, wrong, unclear steps).
    Process,
    /// How a member of staff behaved.
    Conduct,
    /// What we told (or did not tell) the customer.
    Communication,
    /// A fault in our systems.
    System,
    /// A garage, hospital or other partner.
    ThirdParty,
    /// Nothing was wrong; the customer needed it explained.
    Explained,
}

impl RootCause {
    pub const ALL: [RootCause; 7] = [
        Self::Product,
        Self::Process,
        Self::Conduct,
        Self::Communication,
        Self::System,
        Self::ThirdParty,
        Self::Explained,
    ];

    /// The stored value, and the tail of its translation key (`cases.cause.{}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Process => "process",
            Self::Conduct => "conduct",
            Self::Communication => "communication",
            Self::System => "system",
            Self::ThirdParty => "third_party",
            Self::Explained => "explained",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use State::*;

    /// 2026-03-02 09:00 in Shanghai.
    const T0: i64 = 1_772_413_200;

    #[test]
    fn the_owner_walks_the_path_and_nobody_skips_a_step() {
        for (from, to) in [
            (Received, Acknowledged),
            (Acknowledged, InProgress),
            (InProgress, Resolved),
            (Resolved, Closed),
            (Reopened, InProgress),
        ] {
            assert!(check_move(Actor::Owner, from, to).is_ok(), "{from} → {to}");
            assert!(
                check_move(Actor::Customer, from, to).is_err(),
                "{from} → {to}"
            );
        }
        for (from, to) in [
            (Received, InProgress),
            (Received, Resolved),
            (Acknowledged, Resolved),
            (Resolved, InProgress),
            (Closed, InProgress),
            (Withdrawn, Received),
            (InProgress, Withdrawn),
            (Resolved, Reopened),
        ] {
            assert!(check_move(Actor::Owner, from, to).is_err(), "{from} → {to}");
        }
    }

    #[test]
    fn the_customer_withdraws_while_open_and_reopens_an_answer() {
        for from in [Received, Acknowledged, InProgress, Reopened] {
            assert!(
                check_move(Actor::Customer, from, Withdrawn).is_ok(),
                "{from}"
            );
        }
        for from in [Resolved, Closed, Withdrawn] {
            assert!(
                check_move(Actor::Customer, from, Withdrawn).is_err(),
                "{from}"
            );
        }
        assert!(check_move(Actor::Customer, Resolved, Reopened).is_ok());
        assert!(check_move(Actor::Customer, Closed, Reopened).is_ok());
        assert!(check_move(Actor::Customer, Withdrawn, Reopened).is_err());
        assert!(check_move(Actor::Customer, InProgress, Reopened).is_err());
        // Withdrawn is the end, for everyone.
        for to in State::ALL {
            assert!(check_move(Actor::Owner, Withdrawn, *to).is_err());
            assert!(check_move(Actor::Customer, Withdrawn, *to).is_err());
        }
    }

    #[test]
    fn a_case_may_be_reopened_for_thirty_days_after_the_answer() {
        let resolved = T0;
        assert!(may_reopen(Resolved, Some(resolved), resolved + 30 * DAY));
        assert!(may_reopen(Closed, Some(resolved), resolved + 29 * DAY));
        assert!(!may_reopen(
            Resolved,
            Some(resolved),
            resolved + 30 * DAY + 1
        ));
        assert!(!may_reopen(Resolved, None, resolved));
        assert!(!may_reopen(InProgress, Some(resolved), resolved + DAY));
        assert!(!may_reopen(Withdrawn, Some(resolved), resolved + DAY));
    }

    #[test]
    fn due_in_fifteen_days_thirty_with_a_reason_sixty_with_approval() {
        assert_eq!(due_at(T0, 0), T0 + 15 * DAY);
        assert_eq!(due_at(T0, 1), T0 + 30 * DAY);
        assert_eq!(due_at(T0, 2), T0 + 60 * DAY);
        assert_eq!(next_extension(InProgress, 0, false), Ok(1));
        assert_eq!(
            next_extension(InProgress, 1, false),
            Err(ExtendError::NeedsApproval)
        );
        assert_eq!(next_extension(InProgress, 1, true), Ok(2));
        assert_eq!(
            next_extension(InProgress, 2, true),
            Err(ExtendError::NoMore)
        );
        for s in [Resolved, Closed, Withdrawn] {
            assert_eq!(next_extension(s, 0, true), Err(ExtendError::NotOpen), "{s}");
        }
    }

    #[test]
    fn warnings_at_half_and_eighty_percent_then_overdue() {
        let due = due_at(T0, 0);
        let at = |days: f64| T0 + (days * DAY as f64) as i64;
        assert_eq!(warning(Received, T0, due, T0), Warning::None);
        assert_eq!(warning(Received, T0, due, at(7.4)), Warning::None);
        assert_eq!(warning(Received, T0, due, at(7.5)), Warning::Half);
        assert_eq!(warning(InProgress, T0, due, at(11.9)), Warning::Half);
        assert_eq!(warning(InProgress, T0, due, at(12.0)), Warning::Late);
        assert_eq!(warning(InProgress, T0, due, due), Warning::Late);
        assert_eq!(warning(InProgress, T0, due, due + 1), Warning::Overdue);
        // An extension moves the thresholds with the deadline.
        let later = due_at(T0, 1);
        assert_eq!(warning(InProgress, T0, later, at(14.0)), Warning::None);
        assert_eq!(warning(InProgress, T0, later, at(24.0)), Warning::Late);
        // An answered case warns of nothing.
        assert_eq!(warning(Resolved, T0, due, due + DAY), Warning::None);
    }

    #[test]
    fn the_person_complained_about_never_owns_the_case() {
        assert_eq!(check_owner("s1", Some("s1")), Err(ComplainedAbout));
        assert!(check_owner("s2", Some("s1")).is_ok());
        assert!(check_owner("s1", None).is_ok());
    }

    #[test]
    fn numbers_texts_and_causes() {
        assert_eq!(case_no(2026, 123), "TS2026-000123");
        assert_eq!(
            CaseText::parse("  理赔进度太慢了\r\n请尽快处理  ").map(|t| t.0),
            Some("理赔进度太慢了\n请尽快处理".to_owned())
        );
        for bad in ["", "太慢", "\u{0}\u{7}坏字符串", &"字".repeat(2001)] {
            assert!(CaseText::parse(bad).is_none(), "{bad:?}");
        }
        assert!(ExtensionReason::parse("需要医院出具补充材料").is_some());
        assert!(ExtensionReason::parse("两行\n原因").is_none());
        assert!(ExtensionReason::parse("短").is_none());
        assert_eq!(parse_staff_name(" 王经理 "), Some("王经理".to_owned()));
        assert!(parse_staff_name(&"名".repeat(31)).is_none());
        for c in RootCause::ALL {
            assert_eq!(RootCause::parse(c.as_str()), Some(c));
        }
        assert_eq!(RootCause::parse("weather"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,60}") {
            let _ = CaseText::parse(&s);
            let _ = ExtensionReason::parse(&s);
            let _ = parse_staff_name(&s);
            let _ = RootCause::parse(&s);
        }

        #[test]
        fn warnings_only_grow_as_time_passes(a in 0i64..(70 * DAY), b in 0i64..(70 * DAY), ext in 0u8..=2) {
            let due = due_at(T0, ext);
            let (early, late) = (a.min(b), a.max(b));
            prop_assert!(warning(InProgress, T0, due, T0 + early) <= warning(InProgress, T0, due, T0 + late));
        }
    }
}
