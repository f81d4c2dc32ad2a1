//! 保单贷款 — policy loans: how much a life policy's cash value lends, at what rate and for
//! how long, and what is owed on a day. The terms are the product's published ones, the
//! same for every policy, so the page can state them before anyone asks:
//! - at most [`MAX_PCT`] % of the cash value, in whole yuan, and at least [`MIN_FEN`];
//! - [`RATE_BP`] basis points a year, simple interest by the day (365-day year);
//! - repaid within [`TERM_DAYS`] days of the day it is paid out;
//! - one loan outstanding per policy at a time.

use chrono::NaiveDate;

/// The largest loan, as a percentage of the cash value.
pub const MAX_PCT: i64 = 80;
/// The annual rate in basis points (5.00 %).
pub const RATE_BP: i64 = 500;
/// Days from payout to the repayment date (six months).
pub const TERM_DAYS: i64 = 180;
/// The smallest loan: ¥1,000.
pub const MIN_FEN: i64 = 100_000;

/// Why a loan of an amount is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoanError {
    #[error("the policy has no cash value to lend against")]
    NoCashValue,
    #[error("below the smallest loan")]
    BelowMinimum,
    #[error("above the largest loan")]
    AboveMaximum,
    #[error("not a whole number of yuan")]
    NotWholeYuan,
}

/// The largest loan a cash value lends: [`MAX_PCT`] % of it, rounded down to whole yuan.
pub fn max_loan(cash_value_fen: i64) -> i64 {
    let max = cash_value_fen.max(0) * MAX_PCT / 100;
    max - max % 100
}

/// Whether `amount_fen` may be lent against `cash_value_fen`.
pub fn check_amount(amount_fen: i64, cash_value_fen: i64) -> Result<(), LoanError> {
    let max = max_loan(cash_value_fen);
    if max < MIN_FEN {
        return Err(LoanError::NoCashValue);
    }
    if amount_fen % 100 != 0 {
        return Err(LoanError::NotWholeYuan);
    }
    if amount_fen < MIN_FEN {
        return Err(LoanError::BelowMinimum);
    }
    if amount_fen > max {
        return Err(LoanError::AboveMaximum);
    }
    Ok(())
}

/// Interest on `principal_fen` over `days` at `rate_bp` a year, to the nearest fen.
pub fn interest(principal_fen: i64, rate_bp: i64, days: i64) -> i64 {
    let n = i128::from(principal_fen) * i128::from(rate_bp) * i128::from(days.max(0));
    let d = 10_000i128 * 365;
    ((n + d / 2) / d) as i64
}

/// What is owed on `on` for a loan paid out on `start`: the principal and the interest so far.
pub fn balance(principal_fen: i64, rate_bp: i64, start: NaiveDate, on: NaiveDate) -> i64 {
    principal_fen + interest(principal_fen, rate_bp, (on - start).num_days())
}

/// The repayment date of a loan paid out on `start`.
pub fn due_date(start: NaiveDate) -> NaiveDate {
    start + chrono::Duration::days(TERM_DAYS)
}

/// The interest over the whole term: what the page quotes before the customer asks.
pub fn term_interest(principal_fen: i64) -> i64 {
    interest(principal_fen, RATE_BP, TERM_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_largest_loan_is_eighty_percent_of_the_cash_value_in_whole_yuan() {
        assert_eq!(max_loan(5_000_000), 4_000_000);
        assert_eq!(
            max_loan(1_234_567),
            987_600,
            "987,653.6 fen down to whole yuan"
        );
        assert_eq!(max_loan(0), 0);
        assert_eq!(max_loan(-5), 0);
    }

    #[test]
    fn amounts_outside_the_terms_are_refused() {
        let cash = 5_000_000; // ¥50,000: lends up to ¥40,000
        assert_eq!(check_amount(4_000_000, cash), Ok(()));
        assert_eq!(check_amount(MIN_FEN, cash), Ok(()));
        assert_eq!(check_amount(4_000_100, cash), Err(LoanError::AboveMaximum));
        assert_eq!(check_amount(99_900, cash), Err(LoanError::BelowMinimum));
        assert_eq!(check_amount(150_050, cash), Err(LoanError::NotWholeYuan));
        // ¥1,200 of cash value lends ¥960: less than the smallest loan.
        assert_eq!(check_amount(MIN_FEN, 120_000), Err(LoanError::NoCashValue));
    }

    #[test]
    fn interest_runs_by_the_day() {
        // ¥10,000 at 5 % for a year is ¥500; for a day 136.99 fen → 137.
        assert_eq!(interest(1_000_000, RATE_BP, 365), 50_000);
        assert_eq!(interest(1_000_000, RATE_BP, 1), 137);
        assert_eq!(interest(1_000_000, RATE_BP, 0), 0);
        assert_eq!(
            interest(1_000_000, RATE_BP, -3),
            0,
            "nothing before it is paid out"
        );
        assert_eq!(
            balance(1_000_000, RATE_BP, d("2026-12-01"), d("2026-12-31")),
            1_004_110
        );
        assert_eq!(term_interest(1_000_000), 24_658);
        assert_eq!(due_date(d("2026-12-01")), d("2027-05-30"));
    }

    proptest! {
        #[test]
        fn the_balance_never_falls_and_never_lends_past_the_maximum(
            cash in 0i64..1_000_000_000, amount in 0i64..1_000_000_000, days in 0i64..2000
        ) {
            if check_amount(amount, cash).is_ok() {
                prop_assert!(amount <= cash * MAX_PCT / 100);
                prop_assert!(amount >= MIN_FEN);
            }
            let start = d("2026-01-01");
            let a = balance(amount, RATE_BP, start, start + chrono::Duration::days(days));
            let b = balance(amount, RATE_BP, start, start + chrono::Duration::days(days + 1));
            prop_assert!(a >= amount && b >= a);
        }
    }
}
