//! What reconciliation does with a payment nobody settled: the provider's answer wins;
//! without one, past its deadline the charge is closed at the provider (`Resolution::Close`)
//! and only then given up (`expired`), which frees its renewal offer to be paid again. A
//! charge is never expired while the provider might still take the money.
//!
//! A charge the provider does not know at all (it never reached it, or the provider lost
//! it) is given a shorter grace period (`ANXIN_PAYMENT_GRACE_SECS`) before it is closed
//! the same way: closing spends its key, so it can never succeed afterwards.

/// How long a payment may stay `created` or `pending` after it was made. A person who
/// tapped "pay" half an hour ago and heard nothing has moved on; the offer must not stay
/// blocked by a charge the provider never confirms.
pub const PAYMENT_DEADLINE_SECS: i64 = 30 * 60;

/// True once a payment made at `created_at` may no longer wait for the provider.
pub fn past_deadline(created_at: i64, now: i64) -> bool {
    now - created_at >= PAYMENT_DEADLINE_SECS
}

/// Default grace for a charge the provider does not know: long enough for a resubmission
/// after a brief outage to land, short enough that the offer is soon payable again.
pub const DEFAULT_GRACE_SECS: i64 = 10 * 60;

/// True once a charge made at `created_at` that the provider does not know may be closed.
pub fn past_grace(created_at: i64, now: i64, grace_secs: i64) -> bool {
    now - created_at >= grace_secs.min(PAYMENT_DEADLINE_SECS)
}

/// What the provider said when reconciliation asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderAnswer {
    Succeeded,
    Failed,
    /// The provider has no record of the charge.
    Unknown,
    /// Still pending at the provider, or the provider could not be asked.
    NoAnswer,
}

/// What to do with an open payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Succeed,
    Fail,
    /// Past its deadline with no answer: close the charge at the provider (so that it can
    /// never succeed), then settle by what the provider says it became.
    Close,
    /// Ask again next time.
    Wait,
}

/// The provider's answer settles a payment however late it comes: a charge the provider
/// says succeeded is never expired. Silence past the deadline closes it at the provider,
/// and so does a charge it does not know, past the grace period.
pub fn resolve(answer: ProviderAnswer, created_at: i64, now: i64, grace_secs: i64) -> Resolution {
    match answer {
        ProviderAnswer::Succeeded => Resolution::Succeed,
        ProviderAnswer::Failed => Resolution::Fail,
        ProviderAnswer::Unknown if past_grace(created_at, now, grace_secs) => Resolution::Close,
        ProviderAnswer::Unknown => Resolution::Wait,
        ProviderAnswer::NoAnswer if past_deadline(created_at, now) => Resolution::Close,
        ProviderAnswer::NoAnswer => Resolution::Wait,
    }
}

/// Whether a charge that may never have reached the provider should be submitted again
/// (same key: the provider charges it at most once). Past the grace period it is not: the
/// person has moved on, so it is closed instead, which also says whether it went through.
pub fn resubmit(created_at: i64, now: i64, grace_secs: i64) -> bool {
    !past_grace(created_at, now, grace_secs)
}

/// What the provider says a charge became when asked to close it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// It never saw the charge; the key is now spent, so it never will.
    NeverSeen,
    /// It was pending and is now cancelled: no money will move.
    Cancelled,
    /// Too late: it had already succeeded (settle as paid) or failed.
    Succeeded,
    Failed,
}

/// After closing: expire when no money moved, else settle as the provider says.
pub fn after_close(closed: Closed) -> Resolution {
    match closed {
        Closed::NeverSeen | Closed::Cancelled => Resolution::Close,
        Closed::Succeeded => Resolution::Succeed,
        Closed::Failed => Resolution::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MADE: i64 = 1_800_000_000;
    const GRACE: i64 = DEFAULT_GRACE_SECS;

    #[test]
    fn silence_expires_a_payment_only_after_the_deadline() {
        let just_before = MADE + PAYMENT_DEADLINE_SECS - 1;
        let at = MADE + PAYMENT_DEADLINE_SECS;
        assert_eq!(
            resolve(ProviderAnswer::NoAnswer, MADE, just_before, GRACE),
            Resolution::Wait
        );
        assert_eq!(
            resolve(ProviderAnswer::NoAnswer, MADE, at, GRACE),
            Resolution::Close
        );
    }

    #[test]
    fn a_charge_the_provider_does_not_know_closes_after_the_grace_period() {
        let unknown = |now| resolve(ProviderAnswer::Unknown, MADE, now, GRACE);
        assert_eq!(unknown(MADE + GRACE - 1), Resolution::Wait);
        assert_eq!(unknown(MADE + GRACE), Resolution::Close);
        assert!(resubmit(MADE, MADE + GRACE - 1, GRACE));
        assert!(!resubmit(MADE, MADE + GRACE, GRACE));
        // A grace longer than the deadline is cut to the deadline.
        assert!(past_grace(
            MADE,
            MADE + PAYMENT_DEADLINE_SECS,
            10 * PAYMENT_DEADLINE_SECS
        ));
        // Never `Succeed` without the provider saying so.
        for now in [MADE, MADE + GRACE, MADE + 10 * PAYMENT_DEADLINE_SECS] {
            assert_ne!(unknown(now), Resolution::Succeed);
        }
    }

    #[test]
    fn a_closed_charge_expires_only_when_no_money_moved() {
        assert_eq!(after_close(Closed::NeverSeen), Resolution::Close);
        assert_eq!(after_close(Closed::Cancelled), Resolution::Close);
        assert_eq!(after_close(Closed::Succeeded), Resolution::Succeed);
        assert_eq!(after_close(Closed::Failed), Resolution::Fail);
    }

    #[test]
    fn the_providers_answer_wins_however_late() {
        let late = MADE + 10 * PAYMENT_DEADLINE_SECS;
        assert_eq!(
            resolve(ProviderAnswer::Succeeded, MADE, late, GRACE),
            Resolution::Succeed
        );
        assert_eq!(
            resolve(ProviderAnswer::Failed, MADE, late, GRACE),
            Resolution::Fail
        );
        assert_eq!(
            resolve(ProviderAnswer::Succeeded, MADE, MADE, GRACE),
            Resolution::Succeed
        );
    }
}
