//! Case statistics: the page's data and the CSV link, for supervisors and up
//! (`Permission::CaseStatistics`). Read only: no server function.

use super::ctx::{self, PageError};
use crate::backend::domain::case_stats::Period;
use crate::backend::services::case_stats::{self as svc, Statistics};
use crate::model::Permission;

pub const STAFF_CASE_STATS: &str = "/staff/case-stats";
/// One row per case of the period (a plain route, like the survey answers' CSV).
pub const STAFF_CASE_STATS_CSV: &str = "/staff/case-stats.csv";

/// Page data: the statistics of the period the query string asks for (`from`/`to` as
/// `YYYY-MM`, or `months` 3, 6 or 12); anything unreadable is the last 12 months.
pub async fn staff_statistics(
    from: Option<&str>,
    to: Option<&str>,
    months: Option<&str>,
) -> Result<Statistics, PageError> {
    ctx::require_staff_with(Permission::CaseStatistics).await?;
    let state = ctx::state();
    let period = Period::parse(from, to, months, state.clock.today_shanghai());
    Ok(svc::statistics(&state, period).await?)
}

/// The CSV link for a period.
pub fn csv_url(p: Period) -> String {
    format!("{STAFF_CASE_STATS_CSV}?from={}&to={}", p.from, p.to)
}
