//! Background jobs. Each claims its work with guarded statements, so several `anxin`
//! instances on one database never do the same piece twice.

use app::backend::store::{outbox, sessions};
use app::backend::AppState;
use app::model::Phone;
use std::time::Duration;

/// Starts the jobs; abort the handle to stop them.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let holder = app::backend::ids::short_code(12);
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            if let Err(e) = send_sms(&state, &holder).await {
                tracing::warn!(error = %e, "sms sender failed");
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

/// Hands queued messages to the SMS gateway.
pub async fn send_sms(state: &AppState, holder: &str) -> anyhow::Result<usize> {
    let batch = outbox::claim_queued(&state.db.pool, holder, state.clock.now(), 50).await?;
    let n = batch.len();
    for msg in batch {
        let Some(phone) = Phone::parse(&msg.phone) else {
            continue;
        };
        state.sms.send(&phone, &msg.body).await?;
        outbox::mark_sent(&state.db.pool, &msg.id, state.clock.now()).await?;
    }
    Ok(n)
}
