//! Renewal reminders: 30, 7 and 1 day(s) before cover ends, one SMS per offer and step,
//! each with a short link to that renewal. A run skips the steps already queued with a
//! read, so a run with nothing new writes nothing. Two instances racing for one step are
//! settled by the outbox's unique `dedupe_key`: the loser's link, created in the same
//! transaction, is rolled back with it.

use super::short_links::{self, Purpose};
use crate::backend::store::{outbox, renewals};
use crate::backend::AppState;
use crate::i18n::{t_in_with, Locale};
use crate::model::{Money, PolicyNo};
use chrono::{Days, NaiveDate};

/// Days before the end of cover at which a reminder goes out.
pub const STEPS: [i64; 3] = [30, 7, 1];

/// The reminder step due with `days_left` days to go, if any.
pub fn step_for(days_left: i64) -> Option<i64> {
    if days_left < 0 {
        return None;
    }
    STEPS.iter().rev().copied().find(|s| days_left <= *s)
}

/// Queues every reminder now due; returns how many were queued.
pub async fn queue_renewal_reminders(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let today = state.clock.today_shanghai();
    let mut queued = 0;
    for s in renewals::reminder_subjects(&state.db.pool, now).await? {
        let Ok(term_start) = NaiveDate::parse_from_str(&s.term_start, "%Y-%m-%d") else {
            continue;
        };
        let cover_ends = term_start - Days::new(1);
        let days_left = (cover_ends - today).num_days();
        let Some(step) = step_for(days_left) else {
            continue;
        };
        let dedupe = format!("reminder:{}:{step}", s.offer_id);
        if outbox::exists(&state.db.pool, &dedupe).await? {
            continue;
        }
        let mut tx = state.db.pool.begin().await?;
        let link = short_links::create_url(
            state,
            &mut tx,
            &s.customer_id,
            Purpose::Renewal,
            &s.policy_id,
            now,
            s.expires_at,
        )
        .await?;
        let last4 = PolicyNo::parse(&s.policy_no)
            .map(|p| p.as_str()[p.as_str().len() - 4..].to_owned())
            .unwrap_or_default();
        let amount = Money(s.premium_fen).display();
        let date = cover_ends.format("%Y年%-m月%-d日").to_string();
        let args = [
            ("name", s.name.as_str()),
            ("last4", last4.as_str()),
            ("product", s.product_zh.as_str()),
            ("date", date.as_str()),
            ("amount", amount.as_str()),
            ("link", link.as_str()),
        ];
        let key = if s.auto_debit == 1 {
            "sms.auto_debit_notice"
        } else {
            "sms.renewal_reminder"
        };
        let body = t_in_with(Locale::ZhCn, key, &args);
        let inserted = outbox::enqueue(
            &mut *tx,
            outbox::NewMessage {
                customer_id: Some(&s.customer_id),
                phone: &s.phone,
                category: "renewal_reminder",
                body: &body,
                secret_body: None,
                dedupe_key: Some(&dedupe),
                now,
            },
        )
        .await?;
        if inserted {
            tx.commit().await?;
            queued += 1;
        }
        // Not inserted: another instance queued this step meanwhile; dropping the
        // transaction removes the link.
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(step_for(45), None);
        assert_eq!(step_for(30), Some(30));
        assert_eq!(step_for(12), Some(30));
        assert_eq!(step_for(7), Some(7));
        assert_eq!(step_for(2), Some(7));
        assert_eq!(step_for(1), Some(1));
        assert_eq!(step_for(0), Some(1));
        assert_eq!(step_for(-1), None);
    }
}
