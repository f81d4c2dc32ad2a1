//! Fault injection for crash tests: `ANXIN_FAULT=pay:before_gateway` (or
//! `pay:after_gateway`, `webhook:before_commit`) makes the process abort itself at that
//! step of paying, as a `kill -9` would, so a test can prove that a restart on the same
//! database charges at most once and renews only what was charged. The configuration
//! refuses it when `ANXIN_ENV=production`.

/// A step of paying where a crash is injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The idempotency key is claimed; the gateway has not been called.
    PayBeforeGateway,
    /// The gateway took the charge; `pending` is not recorded yet.
    PayAfterGateway,
    /// The webhook's settling transaction is written but not committed.
    WebhookBeforeCommit,
}

impl Fault {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pay:before_gateway" => Some(Self::PayBeforeGateway),
            "pay:after_gateway" => Some(Self::PayAfterGateway),
            "webhook:before_commit" => Some(Self::WebhookBeforeCommit),
            _ => None,
        }
    }
}

/// Aborts the process here when the configuration injects this fault. No destructor,
/// no flush, no graceful shutdown: what a power cut leaves behind.
pub fn inject(configured: Option<Fault>, here: Fault) {
    if configured == Some(here) {
        tracing::error!(fault = ?here, "ANXIN_FAULT: aborting the process");
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_and_nothing_else_does() {
        assert_eq!(
            Fault::parse("pay:before_gateway"),
            Some(Fault::PayBeforeGateway)
        );
        assert_eq!(
            Fault::parse("pay:after_gateway"),
            Some(Fault::PayAfterGateway)
        );
        assert_eq!(
            Fault::parse("webhook:before_commit"),
            Some(Fault::WebhookBeforeCommit)
        );
        assert_eq!(Fault::parse("pay"), None);
        assert_eq!(Fault::parse(""), None);
    }
}
