//! Limits on attempts: wrong passwords and codes lock an account, failures from one
//! address throttle it, and codes sent to one phone or from one address are rationed.
//! Every limit is enforced by claiming the attempt first, in one guarded statement
//! (`store::attempt_limits::claim`), and only then comparing a secret or sending.

/// When a limit's count starts again from zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// After `window_secs` with no attempt: failures that follow each other closely lock;
    /// the lock lasts `window_secs` from the last attempt that was let through.
    AfterQuiet,
    /// `window_secs` after the window's first attempt: "5 an hour".
    FixedWindow,
}

/// At most `max` attempts of one kind (`realm`) for one subject.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub realm: &'static str,
    pub max: i64,
    pub window_secs: i64,
    pub reset: Reset,
}

impl Limit {
    /// When a refused subject may try again, from its row's window start and last attempt.
    pub fn refused_until(&self, window_start: i64, last_at: i64) -> i64 {
        match self.reset {
            Reset::AfterQuiet => last_at + self.window_secs,
            Reset::FixedWindow => window_start + self.window_secs,
        }
    }
}

const fn lock(realm: &'static str, max: i64, window_secs: i64) -> Limit {
    Limit {
        realm,
        max,
        window_secs,
        reset: Reset::AfterQuiet,
    }
}

const fn rate(realm: &'static str, max: i64, window_secs: i64) -> Limit {
    Limit {
        realm,
        max,
        window_secs,
        reset: Reset::FixedWindow,
    }
}

/// Failures that lock one account (phone, username, policy number) for 15 minutes.
pub const ACCOUNT_MAX_FAILURES: i64 = 5;
pub const ACCOUNT_LOCK_SECS: i64 = 15 * 60;

pub const CUSTOMER_PASSWORD: Limit = lock("customer", ACCOUNT_MAX_FAILURES, ACCOUNT_LOCK_SECS);
pub const STAFF_PASSWORD: Limit = lock("staff", ACCOUNT_MAX_FAILURES, ACCOUNT_LOCK_SECS);
/// Wrong SMS codes for one phone (login and activation), across codes.
pub const SMS_CODE: Limit = lock("sms_code", ACCOUNT_MAX_FAILURES, ACCOUNT_LOCK_SECS);
/// Wrong policy number + ID digits pairs for one policy number.
pub const ACTIVATION: Limit = lock("activation", ACCOUNT_MAX_FAILURES, ACCOUNT_LOCK_SECS);
/// Wrong ID digits or codes in a signed-in customer's step-up check.
pub const STEP_UP: Limit = lock("step_up", ACCOUNT_MAX_FAILURES, ACCOUNT_LOCK_SECS);
/// Wrong answers to one short link's light check lock that link for 30 minutes.
pub const LINK_CHECK: Limit = lock("link", 5, 30 * 60);
/// Failures from one address, across all accounts: 20 close together throttle it.
pub const ADDRESS: Limit = lock("address", 20, 15 * 60);

/// One code a minute per phone and purpose.
pub const CODE_RESEND: Limit = rate("code_resend", 1, 60);
/// Codes texted to one phone for one purpose (login, step-up, link, activation): 5 an
/// hour, 10 a day.
pub const CODES_PER_PHONE_HOUR: Limit = rate("codes_phone_hour", 5, 3600);
pub const CODES_PER_PHONE_DAY: Limit = rate("codes_phone_day", 10, 86_400);
/// Texts answered per phone (BDCX, LLCX, TJ, JY, help): 5 an hour, 10 a day.
pub const SMS_QUERIES_PER_PHONE_HOUR: Limit = rate("sms_queries_hour", 5, 3600);
pub const SMS_QUERIES_PER_PHONE_DAY: Limit = rate("sms_queries_day", 10, 86_400);
/// Wrong ID digits in BDCX texts from one phone: the third locks BDCX for that phone for
/// 24 hours (from the last one let through).
pub const SMS_POLICY_QUERY: Limit = lock("sms_bdcx", 3, 86_400);
/// Codes asked for from one address: 20 an hour.
pub const CODES_PER_ADDRESS_HOUR: Limit = rate("codes_address_hour", 20, 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_lasts_from_the_last_attempt_let_through() {
        assert_eq!(CUSTOMER_PASSWORD.refused_until(100, 500), 500 + 900);
    }

    #[test]
    fn a_rate_window_ends_a_fixed_time_after_it_began() {
        assert_eq!(CODES_PER_PHONE_HOUR.refused_until(100, 500), 100 + 3600);
    }
}
