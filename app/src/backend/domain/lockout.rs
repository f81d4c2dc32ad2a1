//! When repeated failures lock an account or throttle an address.

/// Failures that lock one account (phone, username, policy number).
pub const ACCOUNT_MAX_FAILURES: usize = 5;
/// How long the lock lasts after the failure that set it.
pub const ACCOUNT_LOCK_SECS: i64 = 15 * 60;
/// Failures from one address, across all accounts, within the window, that throttle it.
pub const ADDRESS_MAX_FAILURES: usize = 20;
pub const ADDRESS_WINDOW_SECS: i64 = 15 * 60;

/// `failures_desc`: times of the newest failures since the last success, newest first.
/// Five failures within 15 minutes of each other lock the account for 15 minutes
/// from the fifth. Returns when the lock ends, if it is still on at `now`.
pub fn account_locked_until(failures_desc: &[i64], now: i64) -> Option<i64> {
    if failures_desc.len() < ACCOUNT_MAX_FAILURES {
        return None;
    }
    let newest = failures_desc[0];
    let fifth_newest = failures_desc[ACCOUNT_MAX_FAILURES - 1];
    let until = newest + ACCOUNT_LOCK_SECS;
    (newest - fifth_newest <= ACCOUNT_LOCK_SECS && now < until).then_some(until)
}

/// `failures_asc`: times of failures from one address in the last window, oldest first.
pub fn address_throttled_until(failures_asc: &[i64], now: i64) -> Option<i64> {
    if failures_asc.len() < ADDRESS_MAX_FAILURES {
        return None;
    }
    // Throttled until enough of the oldest failures have left the window.
    let pivot = failures_asc[failures_asc.len() - ADDRESS_MAX_FAILURES];
    let until = pivot + ADDRESS_WINDOW_SECS;
    (now < until).then_some(until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_failures_do_not_lock() {
        assert_eq!(account_locked_until(&[50, 40, 30, 20], 60), None);
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes_from_the_fifth() {
        let f = [500, 400, 300, 200, 100];
        assert_eq!(account_locked_until(&f, 501), Some(500 + 900));
        assert_eq!(account_locked_until(&f, 500 + 900), None);
    }

    #[test]
    fn failures_spread_over_hours_do_not_lock() {
        let f = [10_000, 8_000, 6_000, 4_000, 2_000];
        assert_eq!(account_locked_until(&f, 10_001), None);
    }

    #[test]
    fn address_throttle_lifts_as_failures_age() {
        let f: Vec<i64> = (0..20).map(|i| 1_000 + i).collect();
        assert_eq!(address_throttled_until(&f, 1_030), Some(1_900));
        assert_eq!(address_throttled_until(&f[1..], 1_030), None);
    }
}
