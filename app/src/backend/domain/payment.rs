//! What reconciliation does with a payment nobody settled: the provider's answer wins;
//! without one, a payment is given up (`expired`) once it is past its deadline, which
//! frees its renewal offer to be paid again.

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
    Expire,
    /// Ask again next time.
    Wait,
}

/// The provider's answer settles a payment however late it comes: a charge the provider
/// says succeeded is never expired. Only silence past the deadline expires it.
pub fn resolve(answer: ProviderAnswer, created_at: i64, now: i64) -> Resolution {
    match answer {
        ProviderAnswer::Succeeded => Resolution::Succeed,
        ProviderAnswer::Failed => Resolution::Fail,
        ProviderAnswer::NoAnswer if past_deadline(created_at, now) => Resolution::Expire,
        ProviderAnswer::NoAnswer => Resolution::Wait,
    }
}

/// Whether a charge that never reached the provider should be submitted again. Past the
/// deadline it is not: it would start a charge that is given up at once.
pub fn resubmit(created_at: i64, now: i64) -> bool {
    !past_deadline(created_at, now)
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
            Resolution::Expire
        );
        assert!(resubmit(MADE, just_before));
        assert!(!resubmit(MADE, at));
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
