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
    chrono::DateTime::from_timestamp(unix + 8 * 3600, 0)
        .expect("timestamp in range")
        .date_naive()
}

/// `2026-11-26 14:05` in Asia/Shanghai.
pub fn shanghai_datetime(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix + 8 * 3600, 0)
        .expect("timestamp in range")
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
