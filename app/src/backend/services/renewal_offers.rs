//! Opening renewal: when a policy's cover comes within 30 days of its end, price the
//! next term and open an offer that explains the price. Runs as a job on every instance;
//! the one-open-offer-per-policy index makes a second instance's attempt a no-op.

use crate::backend::domain::renewal::{quote, RenewalFactors};
use crate::backend::store::{claims, is_unique_violation, renewals};
use crate::backend::{ids, AppState};
use crate::model::Money;
use chrono::{Datelike, Days, NaiveDate};

/// Renewal opens this many days before cover ends.
pub const WINDOW_DAYS: u64 = 30;

/// Age bands that price health and life cover differently.
const AGE_BANDS: [u32; 5] = [30, 40, 50, 60, 70];

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

fn band(age: u32) -> usize {
    AGE_BANDS.iter().filter(|b| age >= **b).count()
}

/// The factors for one policy's next term.
pub fn factors(
    line: &str,
    claims_last_year: u32,
    terms_held: i64,
    birth: NaiveDate,
    term_start: NaiveDate,
    next_start: NaiveDate,
) -> RenewalFactors {
    let bands_crossed =
        band(age_on(birth, next_start)).saturating_sub(band(age_on(birth, term_start)));
    RenewalFactors {
        claims_last_year,
        // One no-claim step per claim-free year, as motor tariffs do.
        ncd_step_pct: if line == "auto" { -10 } else { -5 },
        age_band_pct: if matches!(line, "health" | "life") {
            8 * bands_crossed as i64
        } else {
            0
        },
        rate_change_pct: 0,
        coverage_change: Money(0),
        loyalty_pct: if terms_held >= 3 { -3 } else { 0 },
    }
}

/// Opens offers for every policy entering the window; returns how many were opened.
pub async fn open_due_offers(state: &AppState) -> anyhow::Result<usize> {
    let today = state.clock.today_shanghai();
    let until = today + Days::new(WINDOW_DAYS);
    let now = state.clock.now();
    let mut opened = 0;
    for due in
        renewals::due_without_offer(&state.db.pool, &today.to_string(), &until.to_string()).await?
    {
        let (Ok(start), Ok(end), Ok(birth)) = (
            NaiveDate::parse_from_str(&due.start_date, "%Y-%m-%d"),
            NaiveDate::parse_from_str(&due.end_date, "%Y-%m-%d"),
            NaiveDate::parse_from_str(&due.birth_date, "%Y-%m-%d"),
        ) else {
            tracing::warn!(policy_id = %due.policy_id, "renewal skipped: bad dates");
            continue;
        };
        let next_start = end + Days::new(1);
        let next_end = next_start
            .with_year(next_start.year() + 1)
            .unwrap_or(next_start + Days::new(365))
            - Days::new(1);
        let claims =
            claims::count_since(&state.db.pool, &due.policy_id, now - 365 * 86_400).await?;
        let f = factors(
            &due.line,
            claims as u32,
            due.term_no,
            birth,
            start,
            next_start,
        );
        let q = quote(Money(due.premium_fen), &f);
        let offer_id = ids::new_id();
        let version = renewals::max_version(&state.db.pool, &due.policy_id).await? + 1;
        // The offer is open until the old cover ends (23:59:59 Asia/Shanghai).
        let expires_at = crate::backend::clock::shanghai_day_end(end);
        let mut tx = state.db.pool.begin().await?;
        let inserted = renewals::insert_offer(
            &mut *tx,
            renewals::NewOffer {
                id: &offer_id,
                policy_id: &due.policy_id,
                customer_id: &due.customer_id,
                version,
                term_start: &next_start.to_string(),
                term_end: &next_end.to_string(),
                previous_premium_fen: due.premium_fen,
                premium_fen: q.premium.fen(),
                expires_at,
                now,
            },
        )
        .await;
        match inserted {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
        for (i, item) in q.items.iter().enumerate() {
            renewals::insert_item(
                &mut *tx,
                &ids::new_id(),
                &offer_id,
                item.kind.as_str(),
                item.amount.fen(),
                &item.detail,
                i as i64,
            )
            .await?;
        }
        tx.commit().await?;
        opened += 1;
    }
    Ok(opened)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn crossing_an_age_band_loads_health_cover_only() {
        let birth = d("1986-06-01");
        let f = factors("health", 0, 1, birth, d("2025-07-01"), d("2026-07-01"));
        assert_eq!(f.age_band_pct, 8, "turned 40");
        let f = factors("auto", 0, 1, birth, d("2025-07-01"), d("2026-07-01"));
        assert_eq!(f.age_band_pct, 0);
        let f = factors("health", 0, 1, birth, d("2026-07-01"), d("2027-07-01"));
        assert_eq!(f.age_band_pct, 0, "no band crossed");
    }

    #[test]
    fn loyalty_after_three_terms() {
        let b = d("1980-01-01");
        assert_eq!(
            factors("home", 0, 2, b, d("2025-01-01"), d("2026-01-01")).loyalty_pct,
            0
        );
        assert_eq!(
            factors("home", 0, 3, b, d("2025-01-01"), d("2026-01-01")).loyalty_pct,
            -3
        );
    }
}
