//! Renewal pricing: the new premium and why it differs from last year's, item by item.
//! The items always sum exactly to the difference.

use crate::model::Money;

/// One reason the premium changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceItemKind {
    /// 无赔款优待 — no-claim discount step
    NoClaimDiscount,
    /// 年龄段 — the insured moved into another age band
    AgeBand,
    /// 费率调整 — the product's rates changed
    RateChange,
    /// 保障调整 — cover was added or removed
    CoverageChange,
    /// 老客户优惠 — loyalty discount
    LoyaltyDiscount,
    /// 出险上浮 — claims in the last year
    ClaimsLoading,
}

impl PriceItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoClaimDiscount => "no_claim_discount",
            Self::AgeBand => "age_band",
            Self::RateChange => "rate_change",
            Self::CoverageChange => "coverage_change",
            Self::LoyaltyDiscount => "loyalty_discount",
            Self::ClaimsLoading => "claims_loading",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceItem {
    pub kind: PriceItemKind,
    pub amount: Money,
    /// Short machine-readable detail, e.g. `"-10%"`.
    pub detail: String,
}

/// What the pricing looks at.
#[derive(Clone, Debug, Default)]
pub struct RenewalFactors {
    pub claims_last_year: u32,
    /// Percentage points, e.g. -10 for a 10% discount step.
    pub ncd_step_pct: i64,
    pub age_band_pct: i64,
    pub rate_change_pct: i64,
    pub coverage_change: Money,
    pub loyalty_pct: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub previous: Money,
    pub premium: Money,
    pub items: Vec<PriceItem>,
}

/// Applies each factor in a fixed order to the running premium, rounding each step to
/// the fen, so that previous + Σ items == premium exactly.
pub fn quote(previous: Money, f: &RenewalFactors) -> Quote {
    let mut running = previous.fen();
    let mut items = Vec::new();
    let pct = |kind: PriceItemKind, pct: i64, running: &mut i64, items: &mut Vec<PriceItem>| {
        if pct != 0 {
            // Round half away from zero to the fen.
            let delta = (*running * pct + if pct > 0 { 50 } else { -50 }) / 100;
            *running += delta;
            items.push(PriceItem {
                kind,
                amount: Money(delta),
                detail: format!("{pct:+}%"),
            });
        }
    };
    if f.claims_last_year > 0 {
        pct(
            PriceItemKind::ClaimsLoading,
            15 * i64::from(f.claims_last_year),
            &mut running,
            &mut items,
        );
    } else {
        pct(
            PriceItemKind::NoClaimDiscount,
            f.ncd_step_pct,
            &mut running,
            &mut items,
        );
    }
    pct(
        PriceItemKind::AgeBand,
        f.age_band_pct,
        &mut running,
        &mut items,
    );
    pct(
        PriceItemKind::RateChange,
        f.rate_change_pct,
        &mut running,
        &mut items,
    );
    if f.coverage_change.fen() != 0 {
        running += f.coverage_change.fen();
        items.push(PriceItem {
            kind: PriceItemKind::CoverageChange,
            amount: f.coverage_change,
            detail: String::new(),
        });
    }
    pct(
        PriceItemKind::LoyaltyDiscount,
        f.loyalty_pct,
        &mut running,
        &mut items,
    );
    // Discounts never take a premium below ¥1.00: the last item absorbs the floor.
    if let (true, Some(last)) = (running < 100, items.last_mut()) {
        last.amount = Money(last.amount.fen() + 100 - running);
        running = 100;
    }
    Quote {
        previous,
        premium: Money(running),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn no_claim_discount_and_rate_change() {
        let q = quote(
            Money(300_000),
            &RenewalFactors {
                ncd_step_pct: -10,
                rate_change_pct: 5,
                ..Default::default()
            },
        );
        assert_eq!(q.items[0].amount, Money(-30_000));
        assert_eq!(q.items[1].amount, Money(13_500));
        assert_eq!(q.premium, Money(283_500));
    }

    proptest! {
        #[test]
        fn items_sum_to_the_difference(
            prev in 100i64..10_000_000, claims in 0u32..3, ncd in -30i64..0, age in -10i64..30,
            rate in -10i64..20, cov in -50_000i64..50_000, loyal in -5i64..=0,
        ) {
            let q = quote(Money(prev), &RenewalFactors {
                claims_last_year: claims, ncd_step_pct: ncd, age_band_pct: age,
                rate_change_pct: rate, coverage_change: Money(cov), loyalty_pct: loyal,
            });
            let sum: Money = q.items.iter().map(|i| i.amount).sum();
            prop_assert_eq!(q.previous + sum, q.premium);
            prop_assert!(q.premium.fen() >= 100);
        }
    }
}
