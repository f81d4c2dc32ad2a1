//! When an SMS may go out: quiet hours, the person's preferred window, and the weekly
//! cap on messages that are not essential. All times are Asia/Shanghai (UTC+8).

/// What kind of message it is; decides which rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    LoginCode,
    PaymentConfirmation,
    RenewalReminder,
    ClaimProgress,
    ServiceNotice,
    Survey,
    Marketing,
}

impl Category {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "login_code" => Self::LoginCode,
            "payment_confirmation" => Self::PaymentConfirmation,
            "renewal_reminder" => Self::RenewalReminder,
            "claim_progress" => Self::ClaimProgress,
            "service_notice" => Self::ServiceNotice,
            "survey" => Self::Survey,
            "marketing" => Self::Marketing,
            _ => return None,
        })
    }

    /// Login codes and payment confirmations are never capped.
    pub fn essential(self) -> bool {
        matches!(
            self,
            Self::LoginCode | Self::PaymentConfirmation | Self::ClaimProgress
        )
    }

    /// Only login codes may wake someone up.
    pub fn ignores_quiet_hours(self) -> bool {
        self == Self::LoginCode
    }

    /// Reminders, surveys and marketing wait for the person's preferred window.
    pub fn respects_window(self) -> bool {
        matches!(
            self,
            Self::RenewalReminder | Self::ServiceNotice | Self::Survey | Self::Marketing
        )
    }
}

/// When a person likes to get messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Any,
    /// 12:00–14:00
    Lunchtime,
    /// 18:00–21:00
    Evening,
    /// 09:00–18:00
    WorkingHours,
}

impl Window {
    pub fn parse(s: &str) -> Self {
        match s {
            "lunchtime" => Self::Lunchtime,
            "evening" => Self::Evening,
            "working_hours" => Self::WorkingHours,
            _ => Self::Any,
        }
    }

    /// Start and end hour (local), end exclusive.
    fn hours(self) -> (i64, i64) {
        match self {
            Self::Any => (QUIET_END_HOUR, QUIET_START_HOUR),
            Self::Lunchtime => (12, 14),
            Self::Evening => (18, 21),
            Self::WorkingHours => (9, 18),
        }
    }
}

pub const QUIET_START_HOUR: i64 = 21;
pub const QUIET_END_HOUR: i64 = 8;
/// Non-essential messages per customer per 7 days.
pub const WEEKLY_CAP: i64 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Wait until this instant (unix seconds).
    Defer(i64),
    Suppress(&'static str),
}

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const OFFSET: i64 = 8 * HOUR;

/// Seconds since local midnight, and the instant of that midnight.
fn local(now: i64) -> (i64, i64) {
    let local = now + OFFSET;
    let secs = local.rem_euclid(DAY);
    (secs, now - secs)
}

/// The next instant at or after `now` whose local hour is in `[start, end)`.
fn next_in(now: i64, start: i64, end: i64) -> i64 {
    let (secs, midnight) = local(now);
    if secs >= start * HOUR && secs < end * HOUR {
        now
    } else if secs < start * HOUR {
        midnight + start * HOUR
    } else {
        midnight + DAY + start * HOUR
    }
}

/// Decides what to do with one message now. `sent_last_week`: non-essential messages
/// this customer got in the last 7 days.
pub fn decide(category: Category, now: i64, window: Window, sent_last_week: i64) -> Decision {
    if !category.essential() && sent_last_week >= WEEKLY_CAP {
        return Decision::Suppress("frequency_cap");
    }
    let (start, end) = if category.respects_window() {
        window.hours()
    } else if category.ignores_quiet_hours() {
        return Decision::Send;
    } else {
        Window::Any.hours()
    };
    let at = next_in(now, start, end);
    if at == now {
        Decision::Send
    } else {
        Decision::Defer(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix time of 2025-11-26 at `h:m` in Shanghai.
    fn at(h: i64, m: i64) -> i64 {
        let midnight_shanghai = 1_764_086_400; // 2025-11-26 00:00 +08:00
        midnight_shanghai + h * HOUR + m * 60
    }

    #[test]
    fn login_codes_go_out_at_night() {
        assert_eq!(
            decide(Category::LoginCode, at(23, 30), Window::Any, 10),
            Decision::Send
        );
    }

    #[test]
    fn reminders_wait_for_morning() {
        assert_eq!(
            decide(Category::RenewalReminder, at(22, 0), Window::Any, 0),
            Decision::Defer(at(24 + 8, 0))
        );
        assert_eq!(
            decide(Category::RenewalReminder, at(6, 0), Window::Any, 0),
            Decision::Defer(at(8, 0))
        );
        assert_eq!(
            decide(Category::RenewalReminder, at(8, 0), Window::Any, 0),
            Decision::Send
        );
        assert_eq!(
            decide(Category::PaymentConfirmation, at(21, 0), Window::Any, 9),
            Decision::Defer(at(24 + 8, 0))
        );
    }

    #[test]
    fn reminders_respect_the_preferred_window() {
        assert_eq!(
            decide(Category::RenewalReminder, at(10, 0), Window::Evening, 0),
            Decision::Defer(at(18, 0))
        );
        assert_eq!(
            decide(Category::RenewalReminder, at(13, 0), Window::Lunchtime, 0),
            Decision::Send
        );
        assert_eq!(
            decide(Category::RenewalReminder, at(15, 0), Window::Lunchtime, 0),
            Decision::Defer(at(24 + 12, 0))
        );
        // Payment confirmations ignore the window (only quiet hours hold them).
        assert_eq!(
            decide(Category::PaymentConfirmation, at(10, 0), Window::Evening, 0),
            Decision::Send
        );
    }

    #[test]
    fn the_weekly_cap_spares_essential_messages() {
        assert_eq!(
            decide(Category::Survey, at(10, 0), Window::Any, 3),
            Decision::Suppress("frequency_cap")
        );
        assert_eq!(
            decide(Category::PaymentConfirmation, at(10, 0), Window::Any, 3),
            Decision::Send
        );
        assert_eq!(
            decide(Category::LoginCode, at(10, 0), Window::Any, 30),
            Decision::Send
        );
    }
}
