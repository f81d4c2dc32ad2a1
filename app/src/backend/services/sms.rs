//! Sending the SMS outbox: claim due messages, apply quiet hours, preferred windows and
//! the weekly cap (`domain::sms_rules`), hand the rest to the SMS gateway. Texts people
//! send us are answered by `sms_replies`.

use crate::backend::domain::sms_rules::{decide, retry_at, Category, Decision, Window};
use crate::backend::store::{outbox, preferences};
use crate::backend::AppState;
use crate::model::Phone;

/// One pass of the sender; returns how many messages went out. When the provider refuses
/// one, that one waits for its retry (`sms_rules::retry_at`) and the rest of the batch is
/// handed back untried: a provider that is down is not asked fifty times a tick.
pub async fn dispatch(state: &AppState, holder: &str) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut sent = 0;
    let mut batch = outbox::claim_due(&state.db.pool, holder, now, 50)
        .await?
        .into_iter();
    while let Some(msg) = batch.next() {
        let category = Category::parse(&msg.category).unwrap_or(Category::Marketing);
        let (window, recent) = match &msg.customer_id {
            Some(c) => {
                let prefs = preferences::get(&state.db.pool, c).await?;
                // Opted out after the message was queued (a "T" reply, the settings page).
                let wanted = match category {
                    Category::RenewalReminder => prefs.renewal,
                    Category::ClaimProgress => prefs.claims,
                    Category::ServiceNotice => prefs.service_notice,
                    Category::Survey => prefs.survey,
                    Category::Marketing => prefs.marketing,
                    // Answers to their own texts reach those who opted out, too.
                    // … and so do the outcomes of requests they made.
                    Category::LoginCode
                    | Category::PaymentConfirmation
                    | Category::SmsReply
                    | Category::Servicing => 1,
                };
                if wanted == 0 {
                    outbox::suppress(&state.db.pool, &msg.id, "opted_out").await?;
                    continue;
                }
                (
                    Window::parse(&prefs.time_window),
                    outbox::non_essential_sent_since(&state.db.pool, c, now - 7 * 86_400).await?,
                )
            }
            None => (Window::Any, 0),
        };
        match decide(category, now, window, recent) {
            Decision::Defer(until) => outbox::defer(&state.db.pool, &msg.id, until).await?,
            Decision::Suppress(reason) => outbox::suppress(&state.db.pool, &msg.id, reason).await?,
            Decision::Send => {
                let Some(phone) = Phone::parse(&msg.phone) else {
                    outbox::suppress(&state.db.pool, &msg.id, "invalid_phone").await?;
                    continue;
                };
                if let Err(e) = state.sms.send(&phone, &msg.body).await {
                    refused(state, &msg, category, &e).await?;
                    for untried in batch.by_ref() {
                        outbox::release(&state.db.pool, &untried.id).await?;
                    }
                    break;
                }
                outbox::mark_sent(&state.db.pool, &msg.id, state.clock.now()).await?;
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// Records the provider's refusal of `msg`: another try later, or given up.
async fn refused(
    state: &AppState,
    msg: &outbox::ClaimedMessage,
    category: Category,
    error: &anyhow::Error,
) -> anyhow::Result<()> {
    // The provider's words, never the message (it may hold a code): short, for staff.
    let error: String = format!("{error:#}").chars().take(200).collect();
    let attempts = msg.attempts + 1;
    let now = state.clock.now();
    let jitter = rand::random::<f64>();
    match retry_at(category, msg.created_at, attempts, now, jitter) {
        Some(at) => {
            if attempts == 1 {
                tracing::warn!(id = %msg.id, %error, "SMS provider refused a message; retrying");
            }
            outbox::retry_later(&state.db.pool, &msg.id, at, &error).await?;
        }
        None => {
            tracing::error!(id = %msg.id, attempts, %error, "SMS given up");
            outbox::give_up(&state.db.pool, &msg.id, &error).await?;
        }
    }
    Ok(())
}
