//! What reconciliation does with a payment nobody settled: the provider's answer wins;
//! without one, past its deadline the charge is closed at the provider (`Resolution::Close`)
//! and only then given up (`expired`), which frees its renewal offer to be paid again. A
//! charge is never expired while the provider might still take the money.

/// How long a payment may stay `created` or `pending` after it was made. A person who
/// tapped "pay" half an hour ago and heard nothing has moved on; the offer must not stay
/// blocked by a charge the provider never confirms.
pub const PAYMENT_DEADLINE_SECS: i64 = 30 * 60;

/// True once a payment made at `created_at` may no longer wait for the provider.
pub fn past_deadline(created_at: i64, now: i64) -> bool {
    now - created_at >= PAYMENT_DEADLINE_SECS
}

/// What the provider said when reconciliation asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderAnswer {
    Succeeded,
    Failed,
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
/// says succeeded is never expired. Silence past the deadline closes it at the provider.
pub fn resolve(answer: ProviderAnswer, created_at: i64, now: i64) -> Resolution {
    match answer {
        ProviderAnswer::Succeeded => Resolution::Succeed,
        ProviderAnswer::Failed => Resolution::Fail,
        ProviderAnswer::NoAnswer if past_deadline(created_at, now) => Resolution::Close,
        ProviderAnswer::NoAnswer => Resolution::Wait,
    }
}

/// Whether a charge that never reached the provider should be submitted again. Past the
/// deadline it is not: it would start a charge that is given up at once.
pub fn resubmit(created_at: i64, now: i64) -> bool {
    !past_deadline(created_at, now)
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

    #[test]
    fn silence_expires_a_payment_only_after_the_deadline() {
        let just_before = MADE + PAYMENT_DEADLINE_SECS - 1;
        let at = MADE + PAYMENT_DEADLINE_SECS;
        assert_eq!(
            resolve(ProviderAnswer::NoAnswer, MADE, just_before),
            Resolution::Wait
        );
        assert_eq!(
            resolve(ProviderAnswer::NoAnswer, MADE, at),
            Resolution::Close
        );
        assert!(resubmit(MADE, just_before));
        assert!(!resubmit(MADE, at));
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
            resolve(ProviderAnswer::Succeeded, MADE, late),
            Resolution::Succeed
        );
        assert_eq!(
            resolve(ProviderAnswer::Failed, MADE, late),
            Resolution::Fail
        );
        assert_eq!(
            resolve(ProviderAnswer::Succeeded, MADE, MADE),
            Resolution::Succeed
        );
    }
}
