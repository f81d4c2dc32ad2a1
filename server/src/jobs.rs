//! Background jobs. Each claims its work with guarded statements, so several `anxin`
//! instances on one database never do the same piece twice.

use app::backend::store::{outbox, sessions};
use app::backend::AppState;
use std::time::Duration;

/// Starts the jobs; abort the handle to stop them.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let holder = app::backend::ids::short_code(12);
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            if let Err(e) = app::backend::services::sms::dispatch(&state, &holder).await {
                tracing::warn!(error = %e, "sms sender failed");
            }
            // Payments nobody told us about, every 30 seconds.
            if n.is_multiple_of(15) {
                if let Err(e) = app::backend::services::payments::reconcile(&state, 120).await {
                    tracing::warn!(error = %e, "payment reconciliation failed");
                }
            }
            // Renewal opens for policies entering the window: every five minutes is plenty.
            if n.is_multiple_of(150) {
                match app::backend::services::renewal_offers::open_due_offers(&state).await {
                    Ok(0) => {}
                    Ok(k) => tracing::info!(offers = k, "renewal offers opened"),
                    Err(e) => tracing::warn!(error = %e, "opening renewal offers failed"),
                }
            }
            // Auto-debit renewals that are due, every five minutes.
            if n.is_multiple_of(150) {
                if let Err(e) = app::backend::services::payments::auto_debit_due(&state).await {
                    tracing::warn!(error = %e, "auto-debit failed");
                }
            }
            // Renewal reminders (30, 7 and 1 days before cover ends), every five minutes.
            if n.is_multiple_of(150) {
                if let Err(e) =
                    app::backend::services::reminders::queue_renewal_reminders(&state).await
                {
                    tracing::warn!(error = %e, "queueing renewal reminders failed");
                }
            }
            // Housekeeping every few minutes.
            if n.is_multiple_of(150) {
                let now = state.clock.now();
                if let Err(e) = sessions::delete_expired(&state.db.pool, now).await {
                    tracing::warn!(error = %e, "session cleanup failed");
                }
                if let Err(e) = outbox::release_stale(&state.db.pool, now - 300).await {
                    tracing::warn!(error = %e, "outbox release failed");
                }
            }
            n += 1;
        }
    })
}
