use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The time as the application sees it: the system clock plus an offset that only
/// tests move, so expiry and lockout can be tested without sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// Unix seconds, UTC.
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }

    /// Today's calendar date in Asia/Shanghai (UTC+8 all year, no daylight saving).
    pub fn today_shanghai(&self) -> chrono::NaiveDate {
        shanghai_date(self.now())
    }

    /// Today in Asia/Shanghai as `YYYY-MM-DD`, the form dates are stored in.
    pub fn today_iso(&self) -> String {
        self.today_shanghai().format("%Y-%m-%d").to_string()
    }
}

/// The instant a calendar day starts in Asia/Shanghai (UTC+8, no daylight saving).
pub fn shanghai_day_start(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
        - 8 * 3600
}

/// The last second (23:59:59) of a calendar day in Asia/Shanghai.
pub fn shanghai_day_end(d: chrono::NaiveDate) -> i64 {
    shanghai_day_start(d) + 86_399
}

pub fn shanghai_date(unix: i64) -> chrono::NaiveDate {
    shanghai(unix).date_naive()
}

/// `2026-11-26 14:05` in Asia/Shanghai.
pub fn shanghai_datetime(unix: i64) -> String {
    shanghai(unix).format("%Y-%m-%d %H:%M").to_string()
}

/// The wall-clock time in Asia/Shanghai. Instants can come from a URL (`?until=`), so any
/// `i64` is accepted: outside years 1970–9999 it is clamped, never a panic.
fn shanghai(unix: i64) -> chrono::DateTime<chrono::Utc> {
    const LAST: i64 = 253_402_300_799; // 9999-12-31 23:59:59 UTC
    let local = unix.clamp(0, LAST - 8 * 3600) + 8 * 3600;
    chrono::DateTime::from_timestamp(local, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_instant_formats_without_panicking(unix in any::<i64>()) {
            let s = shanghai_datetime(unix);
            prop_assert_eq!(s.len(), 16);
            let _ = shanghai_date(unix);
        }
    }

    #[test]
    fn instants_are_shown_in_shanghai_time() {
        assert_eq!(shanghai_datetime(0), "1970-01-01 08:00");
        assert_eq!(
            shanghai_datetime(99_999_999_999_999_999),
            "9999-12-31 23:59"
        );
    }
}
