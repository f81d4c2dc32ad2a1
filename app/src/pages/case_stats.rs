//! `/staff/case-stats`: complaint and question case statistics for supervisors. The
//! headline figures, then charts drawn here on the server as plain SVG (no script, no
//! chart crate), each followed by a table that says the same in numbers, and a CSV of
//! the period's cases.

use crate::api::account::Viewer;
use crate::api::case_stats::{self as api, STAFF_CASE_STATS};
use crate::backend::domain::case_stats::{days_tenths, Measures, MONTH_CHOICES};
use crate::backend::services::case_stats::Statistics;
use crate::components::Layout;
use crate::i18n::{locale, t, t_with};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Width of every chart's viewBox: the SVGs scale to their frame from there.
const W: i64 = 340;

fn days(secs: Option<i64>) -> String {
    secs.map(days_tenths).unwrap_or_else(|| "—".into())
}

fn share(pct: Option<i64>) -> String {
    pct.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

/// The bar length for `value` of `max` in `span` units; a sliver for any value above 0.
fn scaled(value: i64, max: i64, span: i64) -> i64 {
    if value <= 0 {
        0
    } else {
        (value * span / max.max(1)).max(2)
    }
}

/// Cases per month as stacked bars: answered within 15 days, and the rest (later, or not
/// answered yet).
fn month_chart(rows: &[(String, Measures)]) -> impl IntoView {
    const BASE: i64 = 170;
    const TALL: i64 = 140;
    let n = rows.len().max(1) as i64;
    let slot = (W - 16) / n;
    let bar = (slot * 7 / 10).max(3);
    let max = rows.iter().map(|(_, m)| m.volume).max().unwrap_or(0);
    // Every label when they fit, every other one past 12 months.
    let every = if n > 12 { 2 } else { 1 };
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (month, m))| {
            let x = 8 + i as i64 * slot + (slot - bar) / 2;
            let total = scaled(m.volume, max, TALL);
            let within = if m.volume == 0 {
                0
            } else {
                total * m.within_deadline / m.volume
            };
            let label = month.split('-').nth(1).unwrap_or_default().to_owned();
            let mid = (x + bar / 2).to_string();
            view! {
                <g>
                    <rect class="bar bar-late" x=x.to_string() y=(BASE - total).to_string() width=bar.to_string() height=(total - within).to_string()/>
                    <rect class="bar bar-high" x=x.to_string() y=(BASE - within).to_string() width=bar.to_string() height=within.to_string()/>
                    {(m.volume > 0).then(|| view! {
                        <text class="bar-count" x=mid.clone() y=(BASE - total - 4).to_string() text-anchor="middle">{m.volume.to_string()}</text>
                    })}
                    {(i as i64 % every == 0).then(|| view! {
                        <text class="bar-label" x=mid.clone() y=(BASE + 18).to_string() text-anchor="middle">{label}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {W} 196") role="img" aria-labelledby="month-chart-title" class="bars" data-testid="month-chart">
            <title id="month-chart-title">{t("case_stats.month_chart")}</title>
            <line class="axis" x1="4" x2=(W - 4).to_string() y1=BASE.to_string() y2=BASE.to_string()/>
            {bars}
        </svg>
    }
}

/// Horizontal bars, one a row: its label above the bar (long product names fit on a
/// phone), its count at the bar's end.
fn bar_rows(id: &'static str, title: String, rows: &[(String, i64)]) -> impl IntoView {
    const ROW: i64 = 36;
    const SPAN: i64 = W - 60;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let height = (rows.len() as i64 * ROW).max(ROW) + 4;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = i as i64 * ROW;
            let len = scaled(*value, max, SPAN);
            view! {
                <g>
                    <text class="bar-label" x="4" y=(y + 13).to_string()>{label.clone()}</text>
                    <rect class="bar bar-high" x="4" y=(y + 18).to_string() width=len.to_string() height="12" rx="2"/>
                    <text class="bar-count" x=(len + 10).to_string() y=(y + 29).to_string()>{value.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <svg viewBox=format!("0 0 {W} {height}") role="img" aria-labelledby=labelled_by class="bars hbars" data-testid=id>
            <title id=title_id>{title}</title>
            {bars}
        </svg>
    }
}

/// Every measure of one group, as a table row.
fn measures_row(label: String, m: &Measures) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td class="num">{m.volume.to_string()}</td>
            <td class="num">{m.complaints.to_string()}</td>
            <td class="num">{m.questions.to_string()}</td>
            <td class="num">{m.answered.to_string()}</td>
            <td class="num">{days(m.median_secs())}</td>
            <td class="num">{days(m.p90_secs())}</td>
            <td class="num">{share(m.within_deadline_pct())}</td>
            <td class="num">{share(m.extended_pct())}</td>
            <td class="num">{share(m.approved_pct())}</td>
            <td class="num">{share(m.reopen_pct())}</td>
        </tr>
    }
}

/// A table of every measure per group, in a frame that scrolls (and takes the focus, so
/// a keyboard can scroll it) on a narrow screen.
fn measures_table(
    title: &'static str,
    first: &'static str,
    rows: Vec<(String, Measures)>,
    testid: &'static str,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|(label, m)| measures_row(label, &m))
        .collect_view();
    let heads = [
        "volume",
        "complaints",
        "questions",
        "answered",
        "median",
        "p90",
        "within",
        "extended",
        "approved",
        "reopen",
    ]
    .map(|h| view! { <th scope="col" class="num">{t(&format!("case_stats.col.{h}"))}</th> })
    .into_iter()
    .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t(title)>
            <table class="figures" data-testid=testid>
                <caption class="sr-only">{t(title)}</caption>
                <thead><tr><th scope="col">{t(first)}</th>{heads}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn period_form(s: &Statistics) -> impl IntoView {
    let today = crate::api::ctx::state().clock.today_shanghai();
    let chosen = s.period.choice(today);
    let options = MONTH_CHOICES
        .into_iter()
        .map(|n| {
            view! {
                <option value=n.to_string() selected={chosen == Some(n)}>
                    {t_with("case_stats.last_months", &[("n", &n.to_string())])}
                </option>
            }
        })
        .collect_view();
    view! {
        <form method="get" action=STAFF_CASE_STATS class="filters" data-testid="case-stats-period">
            <div class="field">
                <label for="months">{t("case_stats.range")}</label>
                <select id="months" name="months">
                    {options}
                    <option value="" selected={chosen.is_none()}>{t("case_stats.custom")}</option>
                </select>
            </div>
            <div class="field">
                <label for="from">{t("case_stats.from")}</label>
                <input id="from" name="from" type="month" value=s.period.from.to_string() min="2000-01" max="2100-12"/>
            </div>
            <div class="field">
                <label for="to">{t("case_stats.to")}</label>
                <input id="to" name="to" type="month" value=s.period.to.to_string() min="2000-01" max="2100-12"/>
            </div>
            <button type="submit" class="btn btn-quiet">{t("case_stats.apply")}</button>
        </form>
        <p class="muted small">{t("case_stats.range_hint")}</p>
    }
}

fn headline(m: &Measures) -> impl IntoView {
    let kinds = format!("{} / {}", m.complaints, m.questions);
    view! {
        <dl class="stats" data-testid="case-stats-headline">
            <div><dt>{t("case_stats.volume")}</dt><dd data-testid="stat-volume">{m.volume.to_string()}</dd></div>
            <div><dt>{t("case_stats.kinds")}</dt><dd data-testid="stat-kinds">{kinds}</dd></div>
            <div><dt>{t("case_stats.median")}</dt><dd data-testid="stat-median">{days(m.median_secs())}</dd></div>
            <div><dt>{t("case_stats.p90")}</dt><dd data-testid="stat-p90">{days(m.p90_secs())}</dd></div>
            <div><dt>{t("case_stats.within")}</dt><dd data-testid="stat-within">{share(m.within_deadline_pct())}</dd></div>
            <div><dt>{t("case_stats.extended")}</dt><dd data-testid="stat-extended">{share(m.extended_pct())}</dd></div>
            <div><dt>{t("case_stats.approved")}</dt><dd data-testid="stat-approved">{share(m.approved_pct())}</dd></div>
            <div><dt>{t("case_stats.reopen")}</dt><dd data-testid="stat-reopen">{share(m.reopen_pct())}</dd></div>
        </dl>
        <p class="muted small">{t("case_stats.definitions")}</p>
    }
}

fn months_section(s: &Statistics) -> impl IntoView {
    let rows: Vec<(String, Measures)> = s
        .stats
        .by_month
        .iter()
        .map(|(m, x)| (m.to_string(), x.clone()))
        .collect();
    let table = rows
        .iter()
        .map(|(month, m)| {
            view! {
                <tr>
                    <th scope="row">{month.clone()}</th>
                    <td class="num">{m.volume.to_string()}</td>
                    <td class="num">{m.within_deadline.to_string()}</td>
                    <td class="num">{m.not_within_deadline().to_string()}</td>
                    <td class="num">{days(m.median_secs())}</td>
                    <td class="num">{share(m.within_deadline_pct())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t("case_stats.by_month")}</h2>
            <figure class="chart">
                {month_chart(&rows)}
                <figcaption>
                    {t("case_stats.month_caption")}
                    <span class="legend">
                        <span class="key key-high"></span>{t("case_stats.col.within_n")}
                        <span class="key key-late"></span>{t("case_stats.col.later")}
                    </span>
                </figcaption>
            </figure>
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("case_stats.by_month")>
                <table class="figures" data-testid="by-month">
                    <caption class="sr-only">{t("case_stats.by_month")}</caption>
                    <thead><tr>
                        <th scope="col">{t("case_stats.col.month")}</th>
                        <th scope="col" class="num">{t("case_stats.col.volume")}</th>
                        <th scope="col" class="num">{t("case_stats.col.within_n")}</th>
                        <th scope="col" class="num">{t("case_stats.col.later")}</th>
                        <th scope="col" class="num">{t("case_stats.col.median")}</th>
                        <th scope="col" class="num">{t("case_stats.col.within")}</th>
                    </tr></thead>
                    <tbody>{table}</tbody>
                </table>
            </div>
        </section>
    }
}

fn causes_section(s: &Statistics) -> impl IntoView {
    let mut rows: Vec<(String, i64)> = s
        .stats
        .by_cause
        .iter()
        .map(|(c, n)| (t(&format!("cases.cause.{}", c.as_str())), *n))
        .collect();
    if s.stats.no_cause > 0 {
        rows.push((t("case_stats.no_cause"), s.stats.no_cause));
    }
    let answered = s.stats.total.answered;
    let table = rows
        .iter()
        .map(|(label, n)| {
            let pct = (answered > 0)
                .then(|| crate::backend::domain::surveys::rounded_percent(*n, answered));
            view! {
                <tr>
                    <th scope="row">{label.clone()}</th>
                    <td class="num">{n.to_string()}</td>
                    <td class="num">{share(pct)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t("case_stats.by_cause")}</h2>
            <figure class="chart">
                {bar_rows("cause-chart", t("case_stats.cause_chart"), &rows)}
                <figcaption>{t("case_stats.cause_chart")}</figcaption>
            </figure>
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("case_stats.by_cause")>
                <table class="figures" data-testid="by-cause">
                    <caption class="sr-only">{t("case_stats.by_cause")}</caption>
                    <thead><tr>
                        <th scope="col">{t("case_stats.col.cause")}</th>
                        <th scope="col" class="num">{t("case_stats.col.count")}</th>
                        <th scope="col" class="num">{t("case_stats.col.share")}</th>
                    </tr></thead>
                    <tbody>{table}</tbody>
                </table>
            </div>
        </section>
    }
}

fn statistics_view(s: Statistics) -> impl IntoView {
    let loc = locale();
    let by_category: Vec<(String, Measures)> = s
        .stats
        .by_category
        .iter()
        .map(|(c, m)| (t(&format!("cases.category.{c}")), m.clone()))
        .collect();
    let by_product: Vec<(String, Measures)> = s
        .stats
        .by_product
        .iter()
        .map(|(p, m)| (s.product_name(p.as_deref(), loc), m.clone()))
        .collect();
    let volumes = |rows: &[(String, Measures)]| -> Vec<(String, i64)> {
        rows.iter().map(|(l, m)| (l.clone(), m.volume)).collect()
    };
    let category_bars = volumes(&by_category);
    let product_bars = volumes(&by_product);
    let empty = (s.stats.total.volume == 0)
        .then(|| view! { <p class="alert alert-info" data-testid="case-stats-empty">{t("case_stats.none")}</p> });
    let period = t_with(
        "case_stats.period",
        &[
            ("from", &s.period.from.to_string()),
            ("to", &s.period.to.to_string()),
        ],
    );
    view! {
        <section class="card">
            <h1>{t("case_stats.title")}</h1>
            {period_form(&s)}
            <p data-testid="case-stats-period-text">{period}</p>
            <p><a href=api::csv_url(s.period) download="" data-testid="case-stats-csv">{t("case_stats.csv_link")}</a></p>
            {empty}
            {headline(&s.stats.total)}
        </section>
        {months_section(&s)}
        <section class="card">
            <h2>{t("case_stats.by_category")}</h2>
            <figure class="chart">
                {bar_rows("category-chart", t("case_stats.category_chart"), &category_bars)}
                <figcaption>{t("case_stats.category_chart")}</figcaption>
            </figure>
            {measures_table("case_stats.by_category", "case_stats.col.category", by_category, "by-category")}
        </section>
        <section class="card">
            <h2>{t("case_stats.by_product")}</h2>
            <figure class="chart">
                {bar_rows("product-chart", t("case_stats.product_chart"), &product_bars)}
                <figcaption>{t("case_stats.product_chart")}</figcaption>
            </figure>
            {measures_table("case_stats.by_product", "case_stats.col.product", by_product, "by-product")}
        </section>
        {causes_section(&s)}
    }
}

/// `/staff/case-stats`: supervisors and admins; other staff get the 404, anyone else the
/// staff sign-in page.
#[component]
pub fn StaffCaseStatsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let q = use_query_map().get_untracked();
                match api::staff_statistics(q.get("from").as_deref(), q.get("to").as_deref(), q.get("months").as_deref()).await {
                    Ok(s) => view! {
                        <Title text=t("case_stats.title")/>
                        <Layout viewer=Viewer::Staff>
                            <p><a href="/staff">{t("staff_claims.back")}</a></p>
                            {statistics_view(s)}
                        </Layout>
                    }.into_any(),
                    Err(e) => super::staff::staff_page_error(e),
                }
            })}
        </Suspense>
    }
}
