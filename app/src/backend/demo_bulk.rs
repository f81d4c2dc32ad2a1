//! Bulk data for `make bench` (`anxin bench-data`): on top of the demo data, as many
//! customers and policies as asked (100,000 and 1,000,000 by default) with everything
//! that grows with them in the proportions the demo has: a year or three of terms per
//! policy, each renewal's paid offer and payment, open offers with their price items for
//! policies due within 30 days, coverages, beneficiaries on life policies, a claim on one
//! policy in twenty (most finished, some in every open stage, with events and
//! checklists), a saved payment method and notification settings per customer, and three
//! sent texts per customer. Rows go in many at a time (`seed::insert_many`), a few
//! thousand customers per transaction, so a million policies load in minutes.
//!
//! Bulk customer `n` (1-based) logs in with phone `139` + `n` in 8 digits and the demo
//! password; each has `policies / customers` policies (the remainder spread over the
//! first ones). Customer 1's first policy is due for renewal and its second has a claim
//! in assessment, so a benchmark finds every kind of page on one account.

use super::auth::activation::id_last4_hash;
use super::auth::passwords;
use super::clock::shanghai_day_end;
use super::demo::{self, PRODUCTS};
use super::domain::claims::{claim_no, standard_documents};
use super::domain::renewal::{quote, RenewalFactors};
use super::domain::servicing::id_check_char;
use super::store::claims as claims_store;
use super::store::seed::{self, insert_many, V};
use super::AppState;
use crate::model::{IdLast4, Line, Money};
use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// Customers written per transaction: small enough that SQLite's one writer is not held
/// for long, large enough that commits are not the cost.
const CUSTOMERS_PER_TX: usize = 2_000;
/// Claims per policy, as a fraction: one in `CLAIM_EVERY`.
const CLAIM_EVERY: usize = 20;
/// The claim numbers of bulk claims are of this year, reserved in one statement.
const CLAIM_YEAR: i32 = 2025;
const DAY: i64 = 86_400;

/// Phone number of bulk customer `n` (1-based).
pub fn bulk_phone(n: usize) -> String {
    format!("139{n:08}")
}

#[derive(Debug, Default)]
pub struct BulkSummary {
    pub customers: usize,
    pub policies: usize,
    pub terms: usize,
    pub offers_open: usize,
    pub payments: usize,
    pub claims: usize,
    pub texts: usize,
    pub rows: usize,
    pub seconds: f64,
}

/// One table's name, columns and the rows waiting for it.
type Pending = (&'static str, &'static [&'static str], Vec<Vec<V>>);

/// Rows waiting to be written, per table, flushed parents first.
struct Batch {
    tables: Vec<Pending>,
}

const TABLES: &[(&str, &[&str])] = &[
    (
        "customers",
        &[
            "id",
            "phone",
            "name",
            "id_number_masked",
            "id_last4_hash",
            "birth_date",
            "password_hash",
            "activated_at",
            "created_at",
        ],
    ),
    ("notification_preferences", &["customer_id", "updated_at"]),
    (
        "payment_methods",
        &[
            "id",
            "customer_id",
            "kind",
            "label",
            "gateway_token",
            "is_default",
            "created_at",
        ],
    ),
    (
        "policies",
        &[
            "id",
            "customer_id",
            "product_id",
            "policy_no",
            "status",
            "insured_object",
            "auto_debit",
            "verification_code",
            "created_at",
        ],
    ),
    (
        "renewal_offers",
        &[
            "id",
            "policy_id",
            "customer_id",
            "version",
            "term_start",
            "term_end",
            "previous_premium_fen",
            "premium_fen",
            "state",
            "expires_at",
            "created_at",
        ],
    ),
    (
        "payments",
        &[
            "id",
            "customer_id",
            "offer_id",
            "policy_id",
            "idempotency_key",
            "fingerprint",
            "amount_fen",
            "method",
            "state",
            "gateway_ref",
            "created_at",
            "updated_at",
            "settled_at",
        ],
    ),
    (
        "policy_terms",
        &[
            "id",
            "policy_id",
            "customer_id",
            "term_no",
            "start_date",
            "end_date",
            "premium_fen",
            "payment_id",
            "created_at",
        ],
    ),
    (
        "renewal_price_items",
        &["id", "offer_id", "kind", "amount_fen", "detail", "position"],
    ),
    (
        "coverages",
        &[
            "id",
            "policy_id",
            "name_zh",
            "name_en",
            "sum_insured_fen",
            "deductible_fen",
            "position",
        ],
    ),
    (
        "beneficiaries",
        &["id", "policy_id", "name", "relation", "share_pct"],
    ),
    (
        "claims",
        &[
            "id",
            "customer_id",
            "policy_id",
            "claim_no",
            "stage",
            "incident_date",
            "incident_place",
            "description",
            "channel",
            "handler_staff_id",
            "amount_claimed_fen",
            "amount_assessed_fen",
            "amount_approved_fen",
            "amount_paid_fen",
            "paid_at",
            "decline_reason",
            "payout_kind",
            "payout_bank",
            "payout_masked",
            "reported_at",
            "updated_at",
        ],
    ),
    (
        "claim_events",
        &[
            "id",
            "claim_id",
            "customer_id",
            "kind",
            "from_stage",
            "to_stage",
            "actor_kind",
            "actor_staff_id",
            "note",
            "amount_fen",
            "at",
        ],
    ),
    (
        "claim_documents",
        &[
            "id",
            "claim_id",
            "customer_id",
            "kind",
            "state",
            "required",
            "requested_at",
            "updated_at",
        ],
    ),
    (
        "sms_outbox",
        &[
            "id",
            "customer_id",
            "phone",
            "category",
            "body",
            "state",
            "dedupe_key",
            "created_at",
            "sent_at",
        ],
    ),
];

impl Batch {
    fn new() -> Self {
        Self {
            tables: TABLES.iter().map(|(t, c)| (*t, *c, Vec::new())).collect(),
        }
    }

    fn push(&mut self, table: &str, row: Vec<V>) {
        let (_, cols, rows) = self
            .tables
            .iter_mut()
            .find(|(t, _, _)| *t == table)
            .expect("a bulk table");
        debug_assert_eq!(cols.len(), row.len(), "{table}");
        rows.push(row);
    }

    /// Writes every table's rows, parents before children; returns how many.
    async fn flush(&mut self, conn: &mut sqlx::AnyConnection) -> sqlx::Result<usize> {
        let mut n = 0;
        for (table, cols, rows) in &mut self.tables {
            n += rows.len();
            insert_many(conn, table, cols, std::mem::take(rows)).await?;
        }
        Ok(n)
    }
}

fn id(rng: &mut StdRng) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..22)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The same day `years` years earlier (later when negative); 29 February becomes the 28th.
fn years_before(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() - years).unwrap_or_else(|| {
        (d - Days::new(1))
            .with_year(d.year() - years)
            .expect("28 February exists every year")
    })
}

/// What the shared pieces of one run are.
struct Ctx {
    today: NaiveDate,
    now: i64,
    password_hash: String,
    product_ids: Vec<String>,
    handlers: Vec<String>,
    next_claim: i64,
}

/// Adds `customers` customers holding `policies` policies to a database that already
/// has the demo data (its products and staff).
pub async fn generate(
    state: &AppState,
    customers: usize,
    policies: usize,
    seed_value: u64,
) -> anyhow::Result<BulkSummary> {
    anyhow::ensure!(customers > 0, "at least one customer");
    anyhow::ensure!(policies >= customers, "at least one policy per customer");
    anyhow::ensure!(policies < 100_000_000, "policy numbers have 8 digits");
    let started = Instant::now();
    // Not the demo's own sequence, whose ids are already in the database.
    let mut rng = StdRng::seed_from_u64(seed_value ^ 0x6275_6c6b);
    let mut conn = state.db.pool.acquire().await?;
    let mut product_ids = Vec::new();
    for p in PRODUCTS {
        product_ids.push(
            seed::id_by_code(&mut conn, "products", p.code)
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("no product {}: load the demo data first", p.code)
                })?,
        );
    }
    let handlers: Vec<String> =
        sqlx::query_scalar("SELECT id FROM staff WHERE role = 'claims' ORDER BY username")
            .fetch_all(&mut *conn)
            .await?;
    anyhow::ensure!(
        !handlers.is_empty(),
        "no claims staff: load the demo data first"
    );
    let claims = (policies / CLAIM_EVERY).max(1) as i64;
    let next_claim = claims_store::reserve_claim_nos(&mut conn, CLAIM_YEAR, claims).await?;
    drop(conn);
    let mut cx = Ctx {
        today: state.clock.today_shanghai(),
        now: state.clock.now(),
        password_hash: passwords::hash_blocking(demo::CUSTOMER_PASSWORD)?,
        product_ids,
        handlers,
        next_claim,
    };

    let mut summary = BulkSummary::default();
    let mut batch = Batch::new();
    let mut policy_seq = 0usize;
    let mut n = 1;
    while n <= customers {
        let mut tx = state.db.pool.begin().await?;
        let end = (n + CUSTOMERS_PER_TX).min(customers + 1);
        for c in n..end {
            let held = policies / customers + usize::from(c <= policies % customers);
            customer(
                state,
                &mut cx,
                &mut rng,
                &mut batch,
                &mut summary,
                c,
                held,
                &mut policy_seq,
            );
        }
        summary.rows += batch.flush(&mut tx).await?;
        tx.commit().await?;
        n = end;
    }
    state.db.analyze().await?;
    summary.customers = customers;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn customer(
    state: &AppState,
    cx: &mut Ctx,
    rng: &mut StdRng,
    b: &mut Batch,
    s: &mut BulkSummary,
    n: usize,
    held: usize,
    policy_seq: &mut usize,
) {
    let now = cx.now;
    let cid = id(rng);
    let name = format!(
        "{}{}",
        demo::SURNAMES[rng.gen_range(0..demo::SURNAMES.len())],
        demo::GIVEN[rng.gen_range(0..demo::GIVEN.len())]
    );
    let (region, street) = demo::REGIONS[rng.gen_range(0..demo::REGIONS.len())];
    let birth = NaiveDate::from_ymd_opt(
        rng.gen_range(1955..2003),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .expect("valid date");
    let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), n % 1000);
    let id_number = format!("{first17}{}", id_check_char(&first17));
    let last4 = IdLast4::parse(&id_number[14..]).expect("valid id digits");
    let phone = bulk_phone(n);
    b.push(
        "customers",
        vec![
            cid.clone().into(),
            phone.clone().into(),
            name.clone().into(),
            format!("{}**********{}", &id_number[..4], &id_number[14..]).into(),
            id_last4_hash(state, &cid, &last4).into(),
            date(birth).into(),
            cx.password_hash.clone().into(),
            (now - DAY * rng.gen_range(30..900)).into(),
            (now - DAY * rng.gen_range(900..2000)).into(),
        ],
    );
    b.push(
        "notification_preferences",
        vec![cid.clone().into(), now.into()],
    );
    let (kind, label) = [
        ("card", "招商银行 储蓄卡 ****6218"),
        ("wechat", "微信支付 · 零钱"),
        ("alipay", "支付宝 · 余额宝"),
        ("unionpay", "工商银行 信用卡 ****3047"),
    ][n % 4];
    b.push(
        "payment_methods",
        vec![
            id(rng).into(),
            cid.clone().into(),
            kind.into(),
            label.into(),
            format!("tok_{}", id(rng)).into(),
            1i64.into(),
            now.into(),
        ],
    );
    for k in 0..held {
        *policy_seq += 1;
        let seq = *policy_seq;
        let pi = (n * 3 + k * 5) % PRODUCTS.len();
        let p = &PRODUCTS[pi];
        let policy_id = id(rng);
        let prefix = match p.line {
            "auto" => "PA",
            "health" => "PH",
            "life" => "PL",
            _ => "PR",
        };
        // Year 2019 is never a demo policy's, so the numbers cannot meet.
        let policy_no = format!("{prefix}2019{seq:08}");
        let offset: i64 = match (n, k, seq % 12) {
            (1, 0, _) => 20,
            (1, 1, _) => 200,
            (_, _, 0) => -rng.gen_range(10..200), // lapsed
            (_, _, 1) => rng.gen_range(1..=30),   // due for renewal
            _ => rng.gen_range(31..365),
        };
        let end = if offset >= 0 {
            cx.today + Days::new(offset as u64)
        } else {
            cx.today - Days::new((-offset) as u64)
        };
        let status = if offset < 0 { "lapsed" } else { "active" };
        let insured = match p.line {
            "auto" => format!(
                "{}·{}{:04}",
                demo::PLATE_PREFIX[rng.gen_range(0..demo::PLATE_PREFIX.len())],
                ["D", "F", "K", "Q"][rng.gen_range(0..4)],
                rng.gen_range(1000..9999)
            ),
            "home" => format!(
                "{street}{}弄{}号{}室",
                rng.gen_range(10..800),
                rng.gen_range(1..30),
                rng.gen_range(101..2302)
            ),
            _ => name.clone(),
        };
        let terms = 1 + (seq * 7 + n) % 3;
        b.push(
            "policies",
            vec![
                policy_id.clone().into(),
                cid.clone().into(),
                cx.product_ids[pi].clone().into(),
                policy_no.into(),
                status.into(),
                insured.into(),
                i64::from(seq.is_multiple_of(9)).into(),
                id(rng)[..12].to_uppercase().into(),
                (now - DAY * 366 * terms as i64).into(),
            ],
        );
        let mut premium = p.base + rng.gen_range(-20..20) * p.base / 200;
        for t in 1..=terms {
            // Term t of `terms` ends `terms - t` years before the current one does.
            let t_end = years_before(end, (terms - t) as i32);
            let t_start = years_before(t_end, 1) + Days::new(1);
            let payment_id = if t > 1 {
                // The renewal that made this term: its offer, paid, and the payment.
                let offer_id = id(rng);
                let pay_id = id(rng);
                let paid_at = shanghai_day_end(t_start) - DAY * rng.gen_range(2..25);
                let previous = premium;
                premium = previous + rng.gen_range(-8..10) * p.base / 100;
                premium = premium.max(p.base / 2);
                b.push(
                    "renewal_offers",
                    vec![
                        offer_id.clone().into(),
                        policy_id.clone().into(),
                        cid.clone().into(),
                        // Versions count up over the policy's life (unique per policy).
                        (t as i64 - 1).into(),
                        date(t_start).into(),
                        date(t_end).into(),
                        previous.into(),
                        premium.into(),
                        "paid".into(),
                        shanghai_day_end(t_start - Days::new(1)).into(),
                        (paid_at - DAY * 20).into(),
                    ],
                );
                b.push(
                    "payments",
                    vec![
                        pay_id.clone().into(),
                        cid.clone().into(),
                        offer_id.into(),
                        policy_id.clone().into(),
                        id(rng).into(),
                        format!("bulk:{t}").into(),
                        premium.into(),
                        kind.into(),
                        "succeeded".into(),
                        format!("sbx_{}", id(rng)).into(),
                        paid_at.into(),
                        paid_at.into(),
                        paid_at.into(),
                    ],
                );
                s.payments += 1;
                Some(pay_id)
            } else {
                None
            };
            b.push(
                "policy_terms",
                vec![
                    id(rng).into(),
                    policy_id.clone().into(),
                    cid.clone().into(),
                    (t as i64).into(),
                    date(t_start).into(),
                    date(t_end).into(),
                    premium.into(),
                    payment_id.into(),
                    now.into(),
                ],
            );
            s.terms += 1;
        }
        for (pos, (zh, en, sum, deductible)) in p.coverages.iter().enumerate() {
            b.push(
                "coverages",
                vec![
                    id(rng).into(),
                    policy_id.clone().into(),
                    (*zh).into(),
                    (*en).into(),
                    (*sum).into(),
                    (*deductible).into(),
                    (pos as i64).into(),
                ],
            );
        }
        if p.line == "life" {
            b.push(
                "beneficiaries",
                vec![
                    id(rng).into(),
                    policy_id.clone().into(),
                    format!(
                        "{}{}",
                        &name[..3],
                        demo::GIVEN[rng.gen_range(0..demo::GIVEN.len())]
                    )
                    .into(),
                    "spouse".into(),
                    100i64.into(),
                ],
            );
        }
        if (0..=30).contains(&offset) {
            let q = quote(
                Money(premium),
                &RenewalFactors {
                    claims_last_year: u32::from(seq.is_multiple_of(9)),
                    ncd_step_pct: -5 * rng.gen_range(0..3),
                    age_band_pct: if p.line == "health" || p.line == "life" {
                        rng.gen_range(0..3) * 4
                    } else {
                        0
                    },
                    rate_change_pct: rng.gen_range(-3..6),
                    coverage_change: Money(0),
                    loyalty_pct: if terms >= 3 { -3 } else { 0 },
                },
            );
            let offer_id = id(rng);
            b.push(
                "renewal_offers",
                vec![
                    offer_id.clone().into(),
                    policy_id.clone().into(),
                    cid.clone().into(),
                    (terms as i64).into(),
                    date(end + Days::new(1)).into(),
                    date(years_before(end, -1)).into(),
                    premium.into(),
                    q.premium.fen().into(),
                    "open".into(),
                    shanghai_day_end(end).into(),
                    (now - DAY * (30 - offset).max(0)).into(),
                ],
            );
            for (pos, item) in q.items.iter().enumerate() {
                b.push(
                    "renewal_price_items",
                    vec![
                        id(rng).into(),
                        offer_id.clone().into(),
                        item.kind.as_str().into(),
                        item.amount.fen().into(),
                        item.detail.clone().into(),
                        (pos as i64).into(),
                    ],
                );
            }
            s.offers_open += 1;
        }
        let claim_here = (n == 1 && k == 1) || (seq % CLAIM_EVERY == 3 && !(n == 1 && k < 2));
        if claim_here {
            if let Some(line) = Line::parse(p.line) {
                claim(cx, rng, b, &cid, &policy_id, line, n == 1);
                s.claims += 1;
            }
        }
        s.policies += 1;
    }
    // Three texts of the last months: two reminders and a payment confirmation.
    for (i, (category, body)) in [
        (
            "renewal_reminder",
            "【安心保险】您的保单将于30天后到期，点击续保：",
        ),
        (
            "renewal_reminder",
            "【安心保险】您的保单将于7天后到期，点击续保：",
        ),
        (
            "payment_confirmation",
            "【安心保险】续保成功，新保险期间已生效。",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let at = now - DAY * rng.gen_range(1..90);
        b.push(
            "sms_outbox",
            vec![
                id(rng).into(),
                cid.clone().into(),
                phone.clone().into(),
                category.into(),
                body.into(),
                "sent".into(),
                format!("bulk:{cid}:{i}").into(),
                at.into(),
                (at + 5).into(),
            ],
        );
        s.texts += 1;
    }
}

/// One claim: finished (most), or open in some stage; its events and checklist.
fn claim(
    cx: &mut Ctx,
    rng: &mut StdRng,
    b: &mut Batch,
    cid: &str,
    policy_id: &str,
    line: Line,
    showcase: bool,
) {
    let claim_id = id(rng);
    let no = claim_no(CLAIM_YEAR, cx.next_claim);
    cx.next_claim += 1;
    let handler = cx.handlers[rng.gen_range(0..cx.handlers.len())].clone();
    // Where it ends: 60 % paid, 5 % declined, 5 % withdrawn, the rest open.
    let roll = rng.gen_range(0..100);
    let path: &[&str] = match roll {
        _ if showcase => &["survey", "assessment"],
        0..=59 => &["survey", "assessment", "approval", "paid"],
        60..=64 => &["survey", "assessment", "declined"],
        65..=69 => &["withdrawn"],
        70..=77 => &[],
        78..=85 => &["survey"],
        86..=93 => &["survey", "assessment"],
        _ => &["survey", "assessment", "approval"],
    };
    let open = !matches!(path.last(), Some(&"paid" | &"declined" | &"withdrawn"));
    let days: i64 = match line {
        Line::Auto => 2,
        Line::Health => 3,
        Line::Home => 4,
        Line::Life => 7,
    };
    let reported = if open {
        cx.now - DAY * (days * path.len() as i64 + 1) - rng.gen_range(0..DAY)
    } else {
        cx.now - DAY * rng.gen_range(20..360)
    };
    let amount: i64 = match line {
        Line::Auto => rng.gen_range(150_000..1_200_000),
        Line::Health => rng.gen_range(80_000..4_000_000),
        Line::Home => rng.gen_range(200_000..2_500_000),
        Line::Life => 50_000_000,
    };
    let assessed = path.contains(&"approval").then_some(amount * 9 / 10);
    let approved = path.contains(&"paid").then_some(amount * 9 / 10);
    // (kind, from, to, by staff, amount, at), given ids when written.
    #[allow(clippy::type_complexity)] // a local list, named by the comment above
    let mut events: Vec<(&str, Option<&str>, &str, bool, Option<i64>, i64)> =
        vec![("stage", None, "reported", false, None, reported)];
    let mut at = reported;
    let mut stage = "reported";
    let mut paid_at = None;
    for &to in path {
        at += DAY * days + rng.gen_range(-(DAY / 2)..(DAY / 2));
        let at_ = at.min(cx.now - 3600);
        if stage == "assessment" && to == "approval" {
            events.push(("assessed", None, stage, true, assessed, at_ - 3600));
        }
        if stage == "approval" && to == "paid" {
            events.push(("approved", None, stage, true, approved, at_ - 3600));
            paid_at = Some(at_);
        }
        events.push(("stage", Some(stage), to, to != "withdrawn", None, at_));
        stage = to;
    }
    for (kind, from, to, staff, amount_fen, at) in events {
        b.push(
            "claim_events",
            vec![
                id(rng).into(),
                claim_id.clone().into(),
                cid.into(),
                kind.into(),
                from.into(),
                to.into(),
                if staff { "staff" } else { "customer" }.into(),
                staff.then(|| handler.clone()).into(),
                "".into(),
                amount_fen.into(),
                at.into(),
            ],
        );
    }
    let (description, place) = match line {
        Line::Auto => ("车辆追尾，后保险杠受损", "上海市徐汇区漕溪北路与南丹路路口"),
        Line::Health => ("急性阑尾炎住院手术", "上海交通大学医学院附属瑞金医院"),
        Line::Home => ("厨房水管爆裂，地板受损", "成都市武侯区人民南路四段"),
        Line::Life => ("被保险人因病身故", "上海市徐汇区"),
    };
    b.push(
        "claims",
        vec![
            claim_id.clone().into(),
            cid.into(),
            policy_id.into(),
            no.into(),
            stage.into(),
            date(super::clock::shanghai_date(reported - DAY)).into(),
            place.into(),
            description.into(),
            ["portal", "phone", "agent"][rng.gen_range(0..3)].into(),
            Some(handler.clone()).into(),
            Some(amount).into(),
            assessed.into(),
            approved.into(),
            paid_at.and(approved).into(),
            paid_at.into(),
            (stage == "declined")
                .then_some("事故发生在保险期间开始之前，不属于保险责任")
                .into(),
            "bank".into(),
            "招商银行".into(),
            format!("招商银行 ****{:04}", rng.gen_range(0..10_000)).into(),
            reported.into(),
            at.min(cx.now - 3600).into(),
        ],
    );
    // The checklist: all accepted on a finished claim; an open one still in survey or
    // earlier waits on the customer for its last required document.
    let standard = standard_documents(line);
    for (i, (kind, required)) in standard.iter().enumerate() {
        let waiting = open && path.len() <= 1 && i + 1 == standard.len();
        if !required && waiting {
            continue;
        }
        b.push(
            "claim_documents",
            vec![
                id(rng).into(),
                claim_id.clone().into(),
                cid.into(),
                kind.as_str().into(),
                if waiting { "missing" } else { "accepted" }.into(),
                i64::from(*required).into(),
                reported.into(),
                (reported + DAY / 2).into(),
            ],
        );
    }
}
