//! Claim rules with no web or SQL in them: which stage may follow which, what each line
//! asks the customer to send, when a small claim skips the survey (小额快赔), and when a
//! stage and the whole claim should end — from the line's own recent history, never a
//! constant.

use crate::model::{ClaimStage, DocumentState, Line, Money};
use std::collections::HashMap;

/// Who asks for a move. The customer may only withdraw; everything else is staff's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    Customer,
    Staff,
}

/// What the rules need to know about the claim to allow a move.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts {
    pub assessed: Option<Money>,
    pub approved: Option<Money>,
    /// Every document accepted and the amount under the line's threshold (`fast_track`).
    pub fast_track: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    /// Not a move the stage machine has (paid → survey, anything out of a closed claim).
    #[error("illegal move")]
    Illegal,
    /// Approval needs the assessed amount; payment the approved one.
    #[error("amount missing")]
    AmountMissing,
    /// The survey may only be skipped on the fast track.
    #[error("not fast-tracked")]
    NotFastTracked,
    /// Only staff move a claim along; the customer may withdraw.
    #[error("not yours to move")]
    NotYours,
}

/// Whether `by` may move a claim from `from` to `to`. The store's guarded UPDATE
/// (`WHERE stage = from`) then makes sure only one concurrent mover wins.
pub fn check_move(
    from: ClaimStage,
    to: ClaimStage,
    by: Mover,
    facts: Facts,
) -> Result<(), MoveError> {
    use ClaimStage::*;
    let legal = matches!(
        (from, to),
        (Reported, Survey)
            | (Reported, Assessment)
            | (Survey, Assessment)
            | (Assessment, Approval)
            | (Approval, Paid)
            | (Reported | Survey | Assessment, Withdrawn)
            | (Reported | Survey | Assessment | Approval, Declined)
    );
    if !legal {
        return Err(MoveError::Illegal);
    }
    if by == Mover::Customer && to != Withdrawn {
        return Err(MoveError::NotYours);
    }
    match (from, to) {
        (Reported, Assessment) if !facts.fast_track => Err(MoveError::NotFastTracked),
        (Assessment, Approval) if facts.assessed.is_none() => Err(MoveError::AmountMissing),
        (Approval, Paid) if facts.approved.is_none() => Err(MoveError::AmountMissing),
        _ => Ok(()),
    }
}

/// The stage a handler moves the claim on to: the survey is skipped on the fast track.
pub fn next(stage: ClaimStage, fast_track: bool) -> Option<ClaimStage> {
    use ClaimStage::*;
    match stage {
        Reported if fast_track => Some(Assessment),
        Reported => Some(Survey),
        Survey => Some(Assessment),
        Assessment => Some(Approval),
        Approval => Some(Paid),
        Paid | Declined | Withdrawn => None,
    }
}

/// A document a claim may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    DrivingLicence,
    VehicleLicence,
    RepairEstimate,
    AccidentCertificate,
    ScenePhotos,
    Invoices,
    DischargeSummary,
    Diagnosis,
    Photos,
    RepairQuote,
    DeathCertificate,
    BeneficiaryId,
    RelationshipProof,
    /// Anything else a handler asks for; the request's note says what.
    Other,
}

impl DocKind {
    pub const ALL: [DocKind; 14] = [
        Self::DrivingLicence,
        Self::VehicleLicence,
        Self::RepairEstimate,
        Self::AccidentCertificate,
        Self::ScenePhotos,
        Self::Invoices,
        Self::DischargeSummary,
        Self::Diagnosis,
        Self::Photos,
        Self::RepairQuote,
        Self::DeathCertificate,
        Self::BeneficiaryId,
        Self::RelationshipProof,
        Self::Other,
    ];

    /// Stored name, and the tail of its translation keys (`claim.doc.{}` and `claim.doc_why.{}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DrivingLicence => "driving_licence",
            Self::VehicleLicence => "vehicle_licence",
            Self::RepairEstimate => "repair_estimate",
            Self::AccidentCertificate => "accident_certificate",
            Self::ScenePhotos => "scene_photos",
            Self::Invoices => "invoices",
            Self::DischargeSummary => "discharge_summary",
            Self::Diagnosis => "diagnosis",
            Self::Photos => "photos",
            Self::RepairQuote => "repair_quote",
            Self::DeathCertificate => "death_certificate",
            Self::BeneficiaryId => "beneficiary_id",
            Self::RelationshipProof => "relationship_proof",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Photos of the scene or the damage: the file input opens the camera.
    pub fn is_photo(self) -> bool {
        matches!(self, Self::ScenePhotos | Self::Photos)
    }
}

/// What a claim on `line` asks for when it is reported, and whether each is required
/// (an optional one never holds the claim up).
pub fn standard_documents(line: Line) -> &'static [(DocKind, bool)] {
    use DocKind::*;
    match line {
        Line::Auto => &[
            (DrivingLicence, true),
            (VehicleLicence, true),
            (RepairEstimate, true),
            (AccidentCertificate, true),
            (ScenePhotos, false),
        ],
        Line::Health => &[
            (Invoices, true),
            (DischargeSummary, true),
            (Diagnosis, true),
        ],
        Line::Home => &[(Photos, true), (RepairQuote, true)],
        // Term and whole life pay on death: the certificate, and who the beneficiary is.
        Line::Life => &[
            (DeathCertificate, true),
            (BeneficiaryId, true),
            (RelationshipProof, true),
        ],
    }
}

/// 小额快赔: the largest claim a line pays without a survey. Regulator practice: motor
/// ≤ ¥5,000, medical ≤ ¥3,000; home and life claims are always surveyed. The server may
/// configure other amounts (`Config::fast_track`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastTrackLimits {
    pub auto: Option<Money>,
    pub health: Option<Money>,
    pub home: Option<Money>,
    pub life: Option<Money>,
}

impl Default for FastTrackLimits {
    fn default() -> Self {
        Self {
            auto: Some(Money(500_000)),
            health: Some(Money(300_000)),
            home: None,
            life: None,
        }
    }
}

impl FastTrackLimits {
    pub fn for_line(&self, line: Line) -> Option<Money> {
        match line {
            Line::Auto => self.auto,
            Line::Health => self.health,
            Line::Home => self.home,
            Line::Life => self.life,
        }
    }
}

/// Whether a claim is on the fast track, and why (or why not) — the page says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastTrack {
    /// Under the threshold with every required document accepted.
    Yes {
        limit: Money,
    },
    /// The line has no fast track.
    NotForLine,
    /// No amount claimed yet.
    NoAmount,
    OverLimit {
        limit: Money,
    },
    /// Under the threshold; `left` required documents are not accepted yet.
    DocumentsPending {
        limit: Money,
        left: usize,
    },
}

impl FastTrack {
    pub fn applies(self) -> bool {
        matches!(self, Self::Yes { .. })
    }
}

/// Fast track for a claim of `claimed` on `line` whose required documents stand at `docs`.
/// It only ever speeds a claim up; it never declines one.
pub fn fast_track(
    limits: &FastTrackLimits,
    line: Line,
    claimed: Option<Money>,
    required_docs: &[DocumentState],
) -> FastTrack {
    let Some(limit) = limits.for_line(line) else {
        return FastTrack::NotForLine;
    };
    let Some(claimed) = claimed else {
        return FastTrack::NoAmount;
    };
    if claimed.fen() > limit.fen() {
        return FastTrack::OverLimit { limit };
    }
    let left = required_docs
        .iter()
        .filter(|d| **d != DocumentState::Accepted)
        .count();
    if left > 0 {
        FastTrack::DocumentsPending { limit, left }
    } else {
        FastTrack::Yes { limit }
    }
}

/// Fewer finished stages of a line than this, and we say there is too little history
/// rather than guess.
pub const MIN_HISTORY: usize = 5;

/// The middle value (the lower of the two middles for an even count), or `None` for none.
pub fn median(mut xs: Vec<i64>) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    Some(xs[(xs.len() - 1) / 2])
}

/// One stage change of a past claim: (claim id, stage entered, when).
pub type StageEntry = (String, ClaimStage, i64);

/// How long each stage lasted on the claims in `entries` (ordered by claim, then time):
/// a stage lasts from its entry to the next stage's entry. Closed stages only.
pub fn stage_durations(entries: &[StageEntry]) -> HashMap<ClaimStage, Vec<i64>> {
    let mut out: HashMap<ClaimStage, Vec<i64>> = HashMap::new();
    for pair in entries.windows(2) {
        let ((a_claim, a_stage, a_at), (b_claim, _, b_at)) = (&pair[0], &pair[1]);
        if a_claim == b_claim && b_at >= a_at {
            out.entry(*a_stage).or_default().push(b_at - a_at);
        }
    }
    out
}

/// Each stage's median duration on a line, where there is history enough.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageMedians(HashMap<ClaimStage, i64>);

impl StageMedians {
    pub fn from_history(entries: &[StageEntry]) -> Self {
        Self(
            stage_durations(entries)
                .into_iter()
                .filter(|(_, xs)| xs.len() >= MIN_HISTORY)
                .filter_map(|(s, xs)| median(xs).map(|m| (s, m)))
                .collect(),
        )
    }

    pub fn get(&self, stage: ClaimStage) -> Option<i64> {
        self.0.get(&stage).copied()
    }
}

/// When something should be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimate {
    /// Expected at this instant.
    By(i64),
    /// Should have been done at this instant; it is late.
    Overdue(i64),
    /// Too few recent claims of this line to say.
    Unknown,
    /// Nothing more to expect: the claim is closed.
    Done,
}

/// The expected end of the current stage and of the whole claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forecast {
    pub stage: Estimate,
    pub claim: Estimate,
}

/// Forecast for a claim in `stage` since `since`, at `now`: the stage's median from its
/// start, then the medians of the stages still ahead (no survey on the fast track).
pub fn forecast(
    stage: ClaimStage,
    since: i64,
    now: i64,
    medians: &StageMedians,
    fast_track: bool,
) -> Forecast {
    if stage.is_closed() {
        return Forecast {
            stage: Estimate::Done,
            claim: Estimate::Done,
        };
    }
    let Some(m) = medians.get(stage) else {
        return Forecast {
            stage: Estimate::Unknown,
            claim: Estimate::Unknown,
        };
    };
    let due = since + m;
    let stage_est = if due < now {
        Estimate::Overdue(due)
    } else {
        Estimate::By(due)
    };
    // The rest starts when this stage really ends: not before now.
    let mut end = due.max(now);
    let mut s = stage;
    while let Some(n) = next(s, fast_track && s == ClaimStage::Reported) {
        if n == ClaimStage::Paid {
            break;
        }
        match medians.get(n) {
            Some(m) => end += m,
            None => {
                return Forecast {
                    stage: stage_est,
                    claim: Estimate::Unknown,
                }
            }
        }
        s = n;
    }
    Forecast {
        stage: stage_est,
        claim: Estimate::By(end),
    }
}

/// A claim number: `CL` + year + 6 digits (CL2026000123).
pub fn claim_no(year: i32, n: i64) -> String {
    format!("CL{year}{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ClaimStage::*;

    fn facts_all() -> Facts {
        Facts {
            assessed: Some(Money(100)),
            approved: Some(Money(90)),
            fast_track: true,
        }
    }

    #[test]
    fn the_normal_path_is_legal_for_staff() {
        let f = facts_all();
        for w in ClaimStage::PATH.windows(2) {
            assert_eq!(check_move(w[0], w[1], Mover::Staff, f), Ok(()), "{:?}", w);
        }
    }

    #[test]
    fn illegal_moves_are_refused_whoever_asks() {
        for (from, to) in [
            (Paid, Survey),
            (Paid, Paid),
            (Declined, Approval),
            (Withdrawn, Reported),
            (Survey, Reported),
            (Approval, Withdrawn),
            (Reported, Approval),
            (Reported, Paid),
            (Paid, Declined),
        ] {
            for by in [Mover::Staff, Mover::Customer] {
                assert_eq!(
                    check_move(from, to, by, facts_all()),
                    Err(MoveError::Illegal)
                );
            }
        }
    }

    #[test]
    fn approval_and_payment_need_their_amounts() {
        let none = Facts::default();
        assert_eq!(
            check_move(Assessment, Approval, Mover::Staff, none),
            Err(MoveError::AmountMissing)
        );
        assert_eq!(
            check_move(Approval, Paid, Mover::Staff, none),
            Err(MoveError::AmountMissing)
        );
    }

    #[test]
    fn only_the_fast_track_skips_the_survey() {
        assert_eq!(
            check_move(Reported, Assessment, Mover::Staff, Facts::default()),
            Err(MoveError::NotFastTracked)
        );
        assert_eq!(next(Reported, true), Some(Assessment));
        assert_eq!(next(Reported, false), Some(Survey));
    }

    #[test]
    fn the_customer_may_withdraw_before_approval_and_nothing_else() {
        for s in [Reported, Survey, Assessment] {
            assert_eq!(
                check_move(s, Withdrawn, Mover::Customer, Facts::default()),
                Ok(())
            );
        }
        assert_eq!(
            check_move(Approval, Withdrawn, Mover::Customer, facts_all()),
            Err(MoveError::Illegal)
        );
        assert_eq!(
            check_move(Reported, Survey, Mover::Customer, facts_all()),
            Err(MoveError::NotYours)
        );
        assert_eq!(
            check_move(Survey, Declined, Mover::Customer, facts_all()),
            Err(MoveError::NotYours)
        );
    }

    fn stage() -> impl Strategy<Value = ClaimStage> {
        proptest::sample::select(ClaimStage::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn nothing_leaves_a_closed_claim(from in stage(), to in stage(), staff in any::<bool>(), ft in any::<bool>()) {
            let by = if staff { Mover::Staff } else { Mover::Customer };
            let f = Facts { fast_track: ft, ..facts_all() };
            if from.is_closed() {
                prop_assert!(check_move(from, to, by, f).is_err());
            }
            // No move goes backwards along the normal path, or stays put.
            let pos = |s| ClaimStage::PATH.iter().position(|p| *p == s);
            if let (Some(a), Some(b)) = (pos(from), pos(to)) {
                if b <= a {
                    prop_assert_eq!(check_move(from, to, by, f), Err(MoveError::Illegal));
                }
            }
            // `next` is always a legal move for staff with the facts it needs.
            if let Some(n) = next(from, ft) {
                prop_assert_eq!(check_move(from, n, Mover::Staff, f), Ok(()));
            }
        }
    }

    #[test]
    fn fast_track_says_why() {
        let l = FastTrackLimits::default();
        let acc = [DocumentState::Accepted; 3];
        assert_eq!(
            fast_track(&l, Line::Health, Some(Money(300_000)), &acc),
            FastTrack::Yes {
                limit: Money(300_000)
            }
        );
        assert_eq!(
            fast_track(&l, Line::Health, Some(Money(300_001)), &acc),
            FastTrack::OverLimit {
                limit: Money(300_000)
            }
        );
        assert_eq!(
            fast_track(
                &l,
                Line::Auto,
                Some(Money(1)),
                &[
                    DocumentState::Accepted,
                    DocumentState::Received,
                    DocumentState::Missing
                ]
            ),
            FastTrack::DocumentsPending {
                limit: Money(500_000),
                left: 2
            }
        );
        assert_eq!(
            fast_track(&l, Line::Home, Some(Money(1)), &acc),
            FastTrack::NotForLine
        );
        assert_eq!(fast_track(&l, Line::Auto, None, &acc), FastTrack::NoAmount);
    }

    #[test]
    fn median_of_known_histories() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![9, 1, 5]), Some(5));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(
            median(vec![100, 1, 1, 1, 1]),
            Some(1),
            "one slow claim does not move it"
        );
    }

    const DAY: i64 = 86_400;

    fn history(durations: &[(ClaimStage, i64)], claims: usize) -> Vec<StageEntry> {
        let mut out = Vec::new();
        for c in 0..claims {
            let mut at = 1_000_000 + c as i64 * DAY;
            for (s, d) in durations {
                out.push((format!("c{c}"), *s, at));
                at += d;
            }
            out.push((format!("c{c}"), Paid, at));
        }
        out
    }

    #[test]
    fn durations_are_per_claim_and_stage() {
        let h = history(&[(Reported, DAY), (Survey, 2 * DAY)], 2);
        let d = stage_durations(&h);
        assert_eq!(d[&Reported], vec![DAY, DAY]);
        assert_eq!(d[&Survey], vec![2 * DAY, 2 * DAY]);
        assert!(
            !d.contains_key(&Paid),
            "paid is the end, not a stage that lasts"
        );
    }

    #[test]
    fn forecast_adds_the_medians_ahead() {
        let h = history(
            &[
                (Reported, DAY),
                (Survey, 2 * DAY),
                (Assessment, 3 * DAY),
                (Approval, 4 * DAY),
            ],
            MIN_HISTORY,
        );
        let m = StageMedians::from_history(&h);
        let since = 10 * DAY;
        let f = forecast(Survey, since, since, &m, false);
        assert_eq!(f.stage, Estimate::By(since + 2 * DAY));
        assert_eq!(f.claim, Estimate::By(since + 2 * DAY + 3 * DAY + 4 * DAY));
        // Late: the stage is overdue, and the rest counts from now.
        let now = since + 5 * DAY;
        let f = forecast(Survey, since, now, &m, false);
        assert_eq!(f.stage, Estimate::Overdue(since + 2 * DAY));
        assert_eq!(f.claim, Estimate::By(now + 7 * DAY));
        // The fast track skips the survey's median.
        let f = forecast(Reported, since, since, &m, true);
        assert_eq!(f.claim, Estimate::By(since + DAY + 3 * DAY + 4 * DAY));
        assert_eq!(forecast(Paid, since, now, &m, false).claim, Estimate::Done);
    }

    #[test]
    fn too_little_history_is_said_not_guessed() {
        let h = history(&[(Reported, DAY), (Survey, DAY)], MIN_HISTORY - 1);
        let m = StageMedians::from_history(&h);
        let f = forecast(Reported, 0, 0, &m, false);
        assert_eq!(
            f,
            Forecast {
                stage: Estimate::Unknown,
                claim: Estimate::Unknown
            }
        );
    }
}
