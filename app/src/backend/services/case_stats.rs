//! Case statistics for supervisors (`/staff/case-stats` and its CSV): reads the period's
//! cases once, hands them to `domain::case_stats`, names products in the reader's
//! language. The CSV carries no customer's name or words, only the case's facts.

use crate::backend::clock::{shanghai_date, shanghai_day_start};
use crate::backend::domain::case_stats::{self as rules, CaseFact, CaseStats, Period};
use crate::backend::domain::surveys::{csv_line, Month};
use crate::backend::store::audit;
use crate::backend::store::case_stats::{self as store, CaseStatRow};
use crate::backend::AppState;
use crate::i18n::{t_in, Locale};

/// A product's names: (code, Chinese, English).
pub type ProductName = (String, String, String);

/// What the statistics page shows.
#[derive(Clone, Debug)]
pub struct Statistics {
    pub period: Period,
    pub stats: CaseStats,
    pub products: Vec<ProductName>,
}

impl Statistics {
    /// A product's name in `locale`; a dash for cases about no product.
    pub fn product_name(&self, code: Option<&str>, locale: Locale) -> String {
        product_name(&self.products, code, locale)
    }
}

fn product_name(names: &[ProductName], code: Option<&str>, locale: Locale) -> String {
    let Some(code) = code else {
        return "—".into();
    };
    names
        .iter()
        .find(|(c, ..)| c == code)
        .map(|(_, zh, en)| match locale {
            Locale::ZhCn => zh.clone(),
            Locale::En => en.clone(),
        })
        .unwrap_or_else(|| code.to_owned())
}

/// `[from, to)` in unix seconds: the first instant of the first month to the first of
/// the month after the last, in Shanghai.
fn bounds(p: Period) -> (i64, i64) {
    (
        shanghai_day_start(p.from.first_day()),
        shanghai_day_start(p.to.next().first_day()),
    )
}

fn fact(r: &CaseStatRow) -> CaseFact {
    CaseFact {
        kind: r.kind,
        category: r.category,
        state: r.state,
        product: r.product_code.clone(),
        month: Month::of(shanghai_date(r.received_at)),
        received_at: r.received_at,
        resolved_at: r.resolved_at,
        extension_steps: r.extension_steps.clamp(0, 2) as u8,
        round: r.round,
        root_cause: r.root_cause(),
    }
}

fn names_of(rows: &[CaseStatRow]) -> Vec<ProductName> {
    let mut names: Vec<ProductName> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.product_code.clone()?,
                r.product_zh.clone().unwrap_or_default(),
                r.product_en.clone().unwrap_or_default(),
            ))
        })
        .collect();
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    names
}

pub async fn statistics(state: &AppState, period: Period) -> sqlx::Result<Statistics> {
    let (from, to) = bounds(period);
    let rows = store::received_between(&state.db.pool, from, to).await?;
    let facts: Vec<CaseFact> = rows.iter().map(fact).collect();
    Ok(Statistics {
        period,
        stats: rules::summarize(&facts, period),
        products: names_of(&rows),
    })
}

/// One row per case of the period, as a CSV file: UTF-8 with a BOM (so spreadsheets read
/// the Chinese), cells a spreadsheet would run as formulas neutralised. Audited under the
/// member of staff's name, like every export.
pub async fn csv(
    state: &AppState,
    staff_id: &str,
    period: Period,
    locale: Locale,
) -> sqlx::Result<String> {
    let pool = &state.db.pool;
    audit::record(
        pool,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(staff_id),
            customer_id: None,
            action: "case_stats.exported",
            detail: &format!("{}..{}", period.from, period.to),
            ip: None,
            now: state.clock.now(),
        },
    )
    .await?;
    let (from, to) = bounds(period);
    let rows = store::received_between(pool, from, to).await?;
    let names = names_of(&rows);
    let t = |key: &str| t_in(locale, key);
    let header = [
        "case_no",
        "kind",
        "category",
        "product",
        "state",
        "received",
        "resolved",
        "handling_days",
        "within_15",
        "extensions",
        "reopened",
        "root_cause",
    ]
    .map(|h| t(&format!("case_stats.csv.{h}")));
    let mut out = String::from("\u{feff}");
    out.push_str(&csv_line(&header));
    for r in &rows {
        let f = fact(r);
        let handling = f.handling_secs();
        out.push_str(&csv_line(&[
            r.case_no.clone(),
            t(&format!("cases.kind.{}", r.kind)),
            t(&format!("cases.category.{}", r.category)),
            product_name(&names, r.product_code.as_deref(), locale),
            t(&format!("cases.state.{}", r.state)),
            shanghai_date(r.received_at).to_string(),
            handling
                .and(r.resolved_at)
                .map(|at| shanghai_date(at).to_string())
                .unwrap_or_default(),
            handling.map(rules::days_tenths).unwrap_or_default(),
            match handling {
                Some(_) if f.within_deadline() => t("case_stats.csv.yes"),
                Some(_) => t("case_stats.csv.no"),
                None => String::new(),
            },
            f.extension_steps.to_string(),
            r.round.to_string(),
            f.root_cause
                .map(|c| t(&format!("cases.cause.{}", c.as_str())))
                .unwrap_or_default(),
        ]));
    }
    Ok(out)
}
