//! Believable demo data: customers with Chinese names, policies in every line and
//! state, renewal offers, claims in every stage, services with slots, surveys, staff
//! in every role. The same seed gives the same people, products and numbers; dates
//! are placed relative to `today` so that "due in 12 days" stays true.

use super::auth::activation::id_last4_hash;
use super::auth::passwords;
use super::clock::shanghai_day_end;
use super::domain::renewal::{quote, RenewalFactors};
use super::domain::servicing::id_check_char;
use super::store::renewals;
use super::store::seed::{self, insert};
use super::AppState;
use crate::model::{IdLast4, Money, PolicyStatus, StaffRole};
use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const DEMO_SEED: u64 = 20261126;
pub const CUSTOMER_PASSWORD: &str = "Anxin-Demo-2026";
pub const STAFF_PASSWORD: &str = "Anxin-Staff-2026";
pub const CUSTOMERS: usize = 36;
/// Customers 1..=12 each have a policy due for renewal and a saved payment method.
pub const DUE_FOR_RENEWAL: usize = 12;
/// Customers numbered from here on have never logged in (for the activation journey).
pub const FIRST_INACTIVE: usize = 31;

/// What `anxin demo` prints.
pub struct DemoSummary {
    pub customers: usize,
    pub policies: usize,
    pub claims: usize,
    pub staff: Vec<(String, StaffRole)>,
    /// An account to try activation with: (policy number, ID last 4, phone).
    pub activation_example: (String, String, String),
}

/// The last 4 characters of demo customer `n`'s ID number: `1{nn}8` (customer 1: 1018).
pub fn demo_id_last4(n: usize) -> String {
    format!("{}8", 100 + n)
}

/// Phone number of demo customer `n` (1-based): 13800000001, …
pub fn customer_phone(n: usize) -> String {
    format!("138{:08}", n)
}

pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓燕", "海燕", "子涵",
    "浩然", "雨桐",
];
pub(super) const REGIONS: &[(&str, &str)] = &[
    ("310104", "上海市徐汇区漕溪北路"),
    ("310115", "上海市浦东新区张杨路"),
    ("110105", "北京市朝阳区建国路"),
    ("440106", "广州市天河区天河路"),
    ("330106", "杭州市西湖区文三路"),
    ("510107", "成都市武侯区人民南路"),
];
pub(super) const PLATE_PREFIX: &[&str] = &["沪A", "沪B", "京N", "粤A", "浙A", "川A"];

pub(super) struct Product {
    pub code: &'static str,
    pub line: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub base: i64,
    pub coverages: &'static [(&'static str, &'static str, i64, i64)],
    pub entitlement: Option<(&'static str, i64)>,
}

pub(super) const PRODUCTS: &[Product] = &[
    Product {
        code: "AUTO_FULL",
        line: "auto",
        zh: "安心车险·全面保障",
        en: "Anxin Motor Comprehensive",
        base: 452_000,
        coverages: &[
            ("机动车损失险", "Own damage", 18_000_000, 0),
            ("第三者责任险", "Third-party liability", 200_000_000, 0),
            ("车上人员责任险", "Passenger liability", 2_000_000, 0),
        ],
        entitlement: Some(("roadside_assistance", 6)),
    },
    Product {
        code: "AUTO_TPL",
        line: "auto",
        zh: "安心车险·交强+三者",
        en: "Anxin Motor Third-Party",
        base: 176_000,
        coverages: &[
            ("交强险", "Compulsory traffic insurance", 20_000_000, 0),
            ("第三者责任险", "Third-party liability", 100_000_000, 0),
        ],
        entitlement: Some(("roadside_assistance", 2)),
    },
    Product {
        code: "HEALTH_MILLION",
        line: "health",
        zh: "安心百万医疗",
        en: "Anxin Million Medical",
        base: 68_800,
        coverages: &[
            ("一般医疗", "General medical", 300_000_000, 1_000_000),
            ("重大疾病医疗", "Critical illness medical", 600_000_000, 0),
        ],
        entitlement: Some(("health_checkup", 1)),
    },
    Product {
        code: "HEALTH_CI",
        line: "health",
        zh: "安心重疾险",
        en: "Anxin Critical Illness",
        base: 518_000,
        coverages: &[
            ("重大疾病保险金", "Critical illness benefit", 50_000_000, 0),
            ("轻症保险金", "Early-stage illness benefit", 15_000_000, 0),
        ],
        entitlement: Some(("health_checkup", 2)),
    },
    Product {
        code: "LIFE_TERM",
        line: "life",
        zh: "安心定期寿险",
        en: "Anxin Term Life",
        base: 186_000,
        coverages: &[
            ("身故保险金", "Death benefit", 100_000_000, 0),
            ("全残保险金", "Total disability benefit", 100_000_000, 0),
        ],
        entitlement: None,
    },
    Product {
        code: "LIFE_WHOLE",
        line: "life",
        zh: "安心终身寿险",
        en: "Anxin Whole Life",
        base: 862_000,
        coverages: &[("身故保险金", "Death benefit", 80_000_000, 0)],
        entitlement: None,
    },
    Product {
        code: "HOME_CONTENTS",
        line: "home",
        zh: "安心家财险",
        en: "Anxin Home Contents",
        base: 39_900,
        coverages: &[
            ("房屋主体", "Building", 100_000_000, 50_000),
            ("室内财产", "Contents", 20_000_000, 50_000),
            (
                "管道破裂及水渍",
                "Burst pipes and water damage",
                5_000_000,
                20_000,
            ),
        ],
        entitlement: None,
    },
    Product {
        code: "HOME_PLUS",
        line: "home",
        zh: "安心家庭综合险",
        en: "Anxin Home Plus",
        base: 96_000,
        coverages: &[
            ("房屋主体", "Building", 200_000_000, 50_000),
            ("室内财产", "Contents", 50_000_000, 50_000),
            ("家庭成员意外", "Family accident", 20_000_000, 0),
        ],
        entitlement: None,
    },
];

const SERVICE_KINDS: &[(&str, &str, &str)] = &[
    ("health_checkup", "健康体检", "Health check-up"),
    ("roadside_assistance", "道路救援", "Roadside assistance"),
];

const STAFF: &[(&str, &str, StaffRole)] = &[
    ("agent.wang", "王芳", StaffRole::Agent),
    ("agent.zhou", "周杰", StaffRole::Agent),
    ("claims.li", "李强", StaffRole::Claims),
    ("claims.sun", "孙丽", StaffRole::Claims),
    ("super.zhang", "张敏", StaffRole::Supervisor),
    ("admin.chen", "陈静", StaffRole::Admin),
];

fn id(rng: &mut StdRng) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..22)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Fills an empty database. Runs in one transaction: all or nothing.
pub async fn generate(state: &AppState, seed: u64) -> anyhow::Result<DemoSummary> {
    let mut rng = StdRng::seed_from_u64(seed);
    let now = state.clock.now();
    let today = state.clock.today_shanghai();
    // Hashing is the slow part: one hash per distinct password.
    let customer_hash = passwords::hash_blocking(CUSTOMER_PASSWORD)?;
    let staff_hash = passwords::hash_blocking(STAFF_PASSWORD)?;
    let mut tx = state.db.pool.begin().await?;
    let c = &mut *tx;

    let mut kind_ids = Vec::new();
    for (code, zh, en) in SERVICE_KINDS {
        let kid = id(&mut rng);
        insert(
            c,
            "service_kinds",
            &["id", "code", "name_zh", "name_en"],
            vec![
                kid.clone().into(),
                (*code).into(),
                (*zh).into(),
                (*en).into(),
            ],
        )
        .await?;
        kind_ids.push((*code, kid));
    }
    let kind_id = |code: &str| {
        kind_ids
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, id)| id.clone())
            .expect("known kind")
    };

    let mut product_ids = Vec::new();
    for p in PRODUCTS {
        let pid = id(&mut rng);
        insert(
            c,
            "products",
            &[
                "id",
                "code",
                "line",
                "name_zh",
                "name_en",
                "base_premium_fen",
            ],
            vec![
                pid.clone().into(),
                p.code.into(),
                p.line.into(),
                p.zh.into(),
                p.en.into(),
                p.base.into(),
            ],
        )
        .await?;
        if let Some((kind, per_year)) = p.entitlement {
            insert(
                c,
                "product_entitlements",
                &["id", "product_id", "service_kind_id", "per_year"],
                vec![
                    id(&mut rng).into(),
                    pid.clone().into(),
                    kind_id(kind).into(),
                    per_year.into(),
                ],
            )
            .await?;
        }
        product_ids.push(pid);
    }

    let mut staff_ids = Vec::new();
    for (username, name, role) in STAFF {
        let sid = id(&mut rng);
        insert(
            c,
            "staff",
            &[
                "id",
                "username",
                "display_name",
                "role",
                "password_hash",
                "contact_phone",
                "created_at",
            ],
            vec![
                sid.clone().into(),
                (*username).into(),
                (*name).into(),
                role.as_str().into(),
                staff_hash.clone().into(),
                // Their work line, which customers see on the claims they handle.
                format!("021-6888 {:04}", 1000 + staff_ids.len() * 11).into(),
                now.into(),
            ],
        )
        .await?;
        staff_ids.push((sid, *role));
    }
    let claims_handlers: Vec<String> = staff_ids
        .iter()
        .filter(|(_, r)| *r == StaffRole::Claims)
        .map(|(s, _)| s.clone())
        .collect();

    let mut policies = 0;
    let mut claim_policies = Vec::new();
    let mut activation_example = None;
    let mut seq = 0u32;
    for n in 1..=CUSTOMERS {
        let cid = id(&mut rng);
        let name = format!(
            "{}{}",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        );
        let (region, street) = REGIONS[rng.gen_range(0..REGIONS.len())];
        let mut birth = NaiveDate::from_ymd_opt(
            rng.gen_range(1955..2003),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
        )
        .expect("valid date");
        // A valid ID number whose last 4 follow `demo_id_last4`, so a demo (and the
        // browser tests) can pass the step-up check: move the birthday until the check
        // character comes out right.
        let wanted = demo_id_last4(n);
        let first17 = loop {
            let f = format!("{region}{}{}", birth.format("%Y%m%d"), &wanted[..3]);
            if id_check_char(&f).to_string() == wanted[3..] {
                break f;
            }
            birth = birth.succ_opt().expect("valid date");
        };
        let id_number = format!("{first17}{}", id_check_char(&first17));
        let last4 = IdLast4::parse(&id_number[14..]).expect("valid id digits");
        let active = n < FIRST_INACTIVE;
        let phone = customer_phone(n);
        insert(
            c,
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
            vec![
                cid.clone().into(),
                phone.clone().into(),
                name.clone().into(),
                format!("{}**********{}", &id_number[..4], &id_number[14..]).into(),
                id_last4_hash(state, &cid, &last4).into(),
                date(birth).into(),
                active.then(|| customer_hash.clone()).into(),
                active.then_some(now - 86_400 * 200).into(),
                (now - 86_400 * 400).into(),
            ],
        )
        .await?;
        insert(
            c,
            "notification_preferences",
            &["customer_id", "updated_at"],
            vec![cid.clone().into(), now.into()],
        )
        .await?;
        if active && (n % 4 != 0 || n <= DUE_FOR_RENEWAL) {
            let (kind, label) = [
                ("card", "招商银行 储蓄卡 ****6218"),
                ("wechat", "微信支付 · 零钱"),
                ("alipay", "支付宝 · 余额宝"),
                ("unionpay", "工商银行 信用卡 ****3047"),
            ][n % 4];
            insert(
                c,
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
                vec![
                    id(&mut rng).into(),
                    cid.clone().into(),
                    kind.into(),
                    label.into(),
                    format!("tok_{}", id(&mut rng)).into(),
                    1i64.into(),
                    now.into(),
                ],
            )
            .await?;
        }

        let count = 2 + (n % 3);
        for k in 0..count {
            seq += 1;
            let pi = (n * 3 + k * 5) % PRODUCTS.len();
            let p = &PRODUCTS[pi];
            let policy_id = id(&mut rng);
            let prefix = match p.line {
                "auto" => "PA",
                "health" => "PH",
                "life" => "PL",
                _ => "PR",
            };
            let policy_no = format!(
                "{prefix}{}{:08}",
                2020 + (seq % 6),
                10_000_000 + seq * 7919 % 89_999_999
            );
            // Where this policy's current term ends, relative to today: a spread that puts
            // some within the renewal window, some lapsed, most comfortably in force.
            let offset: i64 = match seq % 10 {
                // The first policy of each of the first customers is due for renewal,
                // so a demo always has one to pay (see DUE_FOR_RENEWAL).
                _ if k == 0 && n <= DUE_FOR_RENEWAL => rng.gen_range(5..=25),
                0 => -rng.gen_range(10..60),    // lapsed
                1 | 2 => rng.gen_range(1..=30), // due for renewal
                3 => rng.gen_range(31..60),
                _ => rng.gen_range(60..360),
            };
            let end = if offset >= 0 {
                today + Days::new(offset as u64)
            } else {
                today - Days::new((-offset) as u64)
            };
            let start = end
                .with_year(end.year() - 1)
                .unwrap_or(end - Days::new(365))
                + Days::new(1);
            let insured = match p.line {
                "auto" => format!(
                    "{}·{}{:04}",
                    PLATE_PREFIX[rng.gen_range(0..PLATE_PREFIX.len())],
                    ["D", "F", "K", "Q"][rng.gen_range(0..4)],
                    rng.gen_range(1000..9999)
                ),
                "home" => format!(
                    "{street}{}弄{}号{}室",
                    rng.gen_range(10..800),
                    rng.gen_range(1..30),
                    rng.gen_range(101..2302)
                ),
                _ => {
                    if k % 2 == 0 {
                        name.clone()
                    } else {
                        format!("{}{}", &name[..3], GIVEN[rng.gen_range(0..GIVEN.len())])
                    }
                }
            };
            let status = if offset < 0 {
                PolicyStatus::Lapsed
            } else {
                PolicyStatus::Active
            };
            let premium = p.base + rng.gen_range(-20..20) * p.base / 200;
            seed::policy(
                c,
                &seed::NewPolicy {
                    id: &policy_id,
                    customer_id: &cid,
                    product_id: &product_ids[pi],
                    policy_no: &policy_no,
                    status: status.as_str(),
                    insured_object: &insured,
                    auto_debit: seq.is_multiple_of(7) && active,
                    verification_code: &id(&mut rng)[..12].to_uppercase(),
                    created_at: now - 86_400 * 400,
                },
            )
            .await?;
            // Last year's term too, so payment history has something in it.
            let prev_start = start
                .with_year(start.year() - 1)
                .unwrap_or(start - Days::new(365));
            let prev_premium = premium + rng.gen_range(-10..15) * p.base / 100;
            for (term_no, s, e, prem) in [
                (1i64, prev_start, start - Days::new(1), prev_premium),
                (2, start, end, premium),
            ] {
                seed::term(
                    c,
                    &seed::NewTerm {
                        id: &id(&mut rng),
                        policy_id: &policy_id,
                        customer_id: &cid,
                        term_no,
                        start_date: &date(s),
                        end_date: &date(e),
                        premium_fen: prem,
                        created_at: now,
                    },
                )
                .await?;
            }
            for (pos, (zh, en, sum, deductible)) in p.coverages.iter().enumerate() {
                insert(
                    c,
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
                    vec![
                        id(&mut rng).into(),
                        policy_id.clone().into(),
                        (*zh).into(),
                        (*en).into(),
                        (*sum).into(),
                        (*deductible).into(),
                        (pos as i64).into(),
                    ],
                )
                .await?;
            }
            if p.line == "life" {
                insert(
                    c,
                    "beneficiaries",
                    &["id", "policy_id", "name", "relation", "share_pct"],
                    vec![
                        id(&mut rng).into(),
                        policy_id.clone().into(),
                        format!("{}{}", &name[..3], GIVEN[rng.gen_range(0..GIVEN.len())]).into(),
                        "spouse".into(),
                        100i64.into(),
                    ],
                )
                .await?;
            }
            if (0..=30).contains(&offset) && status == PolicyStatus::Active {
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
                        coverage_change: Money(if seq.is_multiple_of(5) { 12_000 } else { 0 }),
                        loyalty_pct: if seq.is_multiple_of(3) { -3 } else { 0 },
                    },
                );
                let offer_id = id(&mut rng);
                renewals::insert_offer(
                    &mut *c,
                    renewals::NewOffer {
                        id: &offer_id,
                        policy_id: &policy_id,
                        customer_id: &cid,
                        version: 1,
                        term_start: &date(end + Days::new(1)),
                        term_end: &date(
                            end.with_year(end.year() + 1)
                                .unwrap_or(end + Days::new(365)),
                        ),
                        previous_premium_fen: premium,
                        premium_fen: q.premium.fen(),
                        expires_at: shanghai_day_end(end),
                        now,
                    },
                )
                .await?;
                for (pos, item) in q.items.iter().enumerate() {
                    renewals::insert_item(
                        &mut *c,
                        &id(&mut rng),
                        &offer_id,
                        item.kind.as_str(),
                        item.amount.fen(),
                        &item.detail,
                        pos as i64,
                    )
                    .await?;
                }
            }
            if n == FIRST_INACTIVE && k == 0 {
                activation_example =
                    Some((policy_no.clone(), last4.as_str().to_owned(), phone.clone()));
            }
            if active && status == PolicyStatus::Active {
                if let Some(line) = crate::model::Line::parse(p.line) {
                    claim_policies.push(super::demo_claims::DemoPolicy {
                        id: policy_id.clone(),
                        customer_id: cid.clone(),
                        customer_no: n,
                        line,
                    });
                }
            }
            policies += 1;
        }
    }
    let claims =
        super::demo_claims::generate(c, &mut rng, state, &claim_policies, &claims_handlers).await?;
    super::demo_services::generate(c, seed, now, today).await?;
    super::demo_servicing::generate(c, state, &claim_policies, &staff_ids, now).await?;
    super::demo_cases::generate(c, &claim_policies, &staff_ids, now).await?;
    super::demo_case_history::generate(c, &claim_policies, &staff_ids, now).await?;
    super::demo_console::generate(c, &staff_ids, now).await?;
    super::demo_surveys::generate(c, state, seed).await?;
    super::demo_sms::generate(c, state, now).await?;
    tx.commit().await?;
    Ok(DemoSummary {
        customers: CUSTOMERS,
        policies,
        claims,
        staff: STAFF
            .iter()
            .map(|(u, _, r)| ((*u).to_owned(), *r))
            .collect(),
        activation_example: activation_example.expect("an inactive customer exists"),
    })
}
