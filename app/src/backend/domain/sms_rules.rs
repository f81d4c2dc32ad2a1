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
    /// The answer to a text the person sent us (BDCX, LLCX, TJ, JY, T …): they asked for it
    /// just now, so it goes at once, day or night, uncapped, whatever their preferences.
    SmsReply,
    /// The outcome of a servicing (保全) request the person made: never capped, whatever
    /// their preferences, but not at night.
    Servicing,
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
            "sms_reply" => Self::SmsReply,
            "servicing" => Self::Servicing,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginCode => "login_code",
            Self::PaymentConfirmation => "payment_confirmation",
            Self::RenewalReminder => "renewal_reminder",
            Self::ClaimProgress => "claim_progress",
            Self::ServiceNotice => "service_notice",
            Self::Survey => "survey",
            Self::Marketing => "marketing",
            Self::SmsReply => "sms_reply",
            Self::Servicing => "servicing",
        }
    }

    /// Login codes and payment confirmations are never capped.
    pub fn essential(self) -> bool {
        matches!(
            self,
            Self::LoginCode
                | Self::PaymentConfirmation
                | Self::ClaimProgress
                | Self::SmsReply
                | Self::Servicing
        )
    }

    /// Only login codes, and answers to a text just sent, may wake someone up.
    pub fn ignores_quiet_hours(self) -> bool {
        matches!(self, Self::LoginCode | Self::SmsReply)
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

/// The first pause after the provider refuses a message; it doubles with every refusal.
pub const FIRST_RETRY_SECS: i64 = 30;
/// The longest pause between tries.
pub const MAX_RETRY_SECS: i64 = 3600;

/// How long a message is worth trying: a login code only while it can still be used, a
/// payment confirmation or a reminder for a day.
pub fn give_up_after(category: Category) -> i64 {
    match category {
        Category::LoginCode => 600,
        // An answer an hour late is still of use; one a day late only confuses.
        Category::SmsReply => 3600,
        _ => 86_400,
    }
}

/// When to try a refused message again, after its `attempts`-th refusal (1 for the first),
/// or `None` to give it up. `jitter` (0 to 1, random) spreads the retries of a backlog
/// that failed together over the second half of each pause, so that a provider coming
/// back is not hit by all of them at once.
pub fn retry_at(
    category: Category,
    created_at: i64,
    attempts: i64,
    now: i64,
    jitter: f64,
) -> Option<i64> {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let pause = FIRST_RETRY_SECS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_SECS);
    let jitter = jitter.clamp(0.0, 1.0);
    // Between half the pause and the whole of it.
    let pause = pause / 2 + ((pause / 2) as f64 * jitter).round() as i64;
    let at = now + pause.max(1);
    (at - created_at <= give_up_after(category)).then_some(at)
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

    #[test]
    fn answers_to_texts_go_at_night_and_are_never_capped() {
        assert_eq!(
            decide(Category::SmsReply, at(23, 30), Window::Evening, 30),
            Decision::Send
        );
        assert_eq!(
            decide(Category::SmsReply, at(3, 0), Window::Lunchtime, 3),
            Decision::Send
        );
        for c in [
            "login_code",
            "payment_confirmation",
            "renewal_reminder",
            "claim_progress",
            "service_notice",
            "survey",
            "marketing",
            "sms_reply",
            "servicing",
        ] {
            assert_eq!(Category::parse(c).map(Category::as_str), Some(c));
        }
    }

    #[test]
    fn refused_messages_back_off_with_jitter_and_are_given_up_in_time() {
        let t0 = 1_000_000;
        // Without jitter the pauses are the halves: 15, 30, 60 … up to half an hour.
        let pauses: Vec<i64> = (1..=9)
            .map(|n| retry_at(Category::RenewalReminder, t0, n, t0, 0.0).unwrap() - t0)
            .collect();
        assert_eq!(pauses, [15, 30, 60, 120, 240, 480, 960, 1800, 1800]);
        // With it, never more than the whole pause.
        assert_eq!(
            retry_at(Category::RenewalReminder, t0, 1, t0, 1.0),
            Some(t0 + 30)
        );
        assert_eq!(
            retry_at(Category::RenewalReminder, t0, 50, t0, 1.0),
            Some(t0 + 3600)
        );
        // Given up once the next try would come later than a day after queueing …
        assert!(retry_at(Category::PaymentConfirmation, t0, 3, t0 + 86_000, 0.0).is_some());
        assert_eq!(
            retry_at(Category::PaymentConfirmation, t0, 30, t0 + 86_000, 1.0),
            None
        );
        // … and a login code after 10 minutes, when nobody can use it any more.
        assert!(retry_at(Category::LoginCode, t0, 2, t0 + 60, 0.5).is_some());
        assert_eq!(retry_at(Category::LoginCode, t0, 5, t0 + 590, 0.5), None);
    }
}
