//! Demo data for services, called from `demo::generate` inside its transaction: the
//! services the products grant, providers and their slot calendars (roadside providers
//! take calls, not appointments: no slots), appointments past and to come with their
//! entitlement uses spent, and roadside requests, one of them under way. Written through
//! the same store functions the product uses, so the counters agree with the rows.

use super::clock::shanghai_day_start;
use super::domain::booking::{self, ROADSIDE_KIND};
use super::store::bookings::{self as store, UsageYear};
use super::store::roadside;
use super::store::seed::{self, insert};
use crate::model::{BookingState, RoadsideState};
use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::AnyConnection;

/// Services beyond the two `demo.rs` creates, and which products grant them.
const MORE_KINDS: &[(&str, &str, &str)] = &[
    ("vehicle_inspection", "车辆年检代办", "Vehicle inspection"),
    ("health_consultation", "名医健康咨询", "Health consultation"),
];
const MORE_ENTITLEMENTS: &[(&str, &str, i64)] = &[
    ("AUTO_FULL", "vehicle_inspection", 1),
    ("LIFE_TERM", "health_consultation", 1),
    ("LIFE_WHOLE", "health_consultation", 2),
];

/// (service, name, city, address, capacity per slot).
const PROVIDERS: &[(&str, &str, &str, &str, i64)] = &[
    (
        "health_checkup",
        "安心体检中心（徐汇）",
        "上海市",
        "上海市徐汇区漕溪北路 100 号",
        4,
    ),
    (
        "health_checkup",
        "安心体检中心（浦东）",
        "上海市",
        "上海市浦东新区张杨路 137 号",
        4,
    ),
    (
        "health_checkup",
        "安心体检中心（朝阳）",
        "北京市",
        "北京市朝阳区建国路 174 号",
        4,
    ),
    (
        "vehicle_inspection",
        "安心车务（闵行检测站）",
        "上海市",
        "上海市闵行区莘庄工业区春东路 58 号",
        3,
    ),
    (
        "vehicle_inspection",
        "安心车务（天河检测站）",
        "广州市",
        "广州市天河区黄埔大道西 266 号",
        3,
    ),
    (
        "health_consultation",
        "安心名医门诊（静安）",
        "上海市",
        "上海市静安区南京西路 1788 号",
        2,
    ),
    (
        "roadside_assistance",
        "安心道路救援（上海）",
        "上海市",
        "上海市普陀区真北路 2500 号",
        1,
    ),
    (
        "roadside_assistance",
        "安心道路救援（北京）",
        "北京市",
        "北京市丰台区南四环西路 188 号",
        1,
    ),
    (
        "roadside_assistance",
        "安心道路救援（广州）",
        "广州市",
        "广州市白云区机场路 1900 号",
        1,
    ),
];

const WHERE: &[(&str, &str)] = &[
    (
        "延安高架路 外滩出口前 200 米，应急车道",
        "左前轮爆胎，车上没有备胎",
    ),
    ("沪闵路 莘庄地铁站北广场停车场 B2", "电瓶没电，无法启动"),
    ("G60 沪昆高速 上海方向 K28 处", "发动机故障灯亮后熄火"),
];

fn id(rng: &mut StdRng) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..22)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

pub async fn generate(
    c: &mut AnyConnection,
    seed: u64,
    now: i64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5e41_1ce5);
    for (code, zh, en) in MORE_KINDS {
        insert(
            c,
            "service_kinds",
            &["id", "code", "name_zh", "name_en"],
            vec![
                id(&mut rng).into(),
                (*code).into(),
                (*zh).into(),
                (*en).into(),
            ],
        )
        .await?;
    }
    for (product, code, per_year) in MORE_ENTITLEMENTS {
        let (Some(pid), Some(kid)) = (
            seed::id_by_code(c, "products", product).await?,
            seed::id_by_code(c, "service_kinds", code).await?,
        ) else {
            continue;
        };
        insert(
            c,
            "product_entitlements",
            &["id", "product_id", "service_kind_id", "per_year"],
            vec![
                id(&mut rng).into(),
                pid.into(),
                kid.into(),
                (*per_year).into(),
            ],
        )
        .await?;
    }

    // Providers, and four weeks of calendar (plus the last six, for past appointments).
    let mut calendars: Vec<(String, String)> = Vec::new();
    for (code, name, city, address, capacity) in PROVIDERS {
        let Some(kid) = seed::id_by_code(c, "service_kinds", code).await? else {
            continue;
        };
        let pid = id(&mut rng);
        insert(
            c,
            "providers",
            &["id", "service_kind_id", "name", "city", "address"],
            vec![
                pid.clone().into(),
                kid.clone().into(),
                (*name).into(),
                (*city).into(),
                (*address).into(),
            ],
        )
        .await?;
        if *code == ROADSIDE_KIND {
            continue;
        }
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        for week in -6i64..4 {
            let first = if week < 0 {
                monday - Days::new((-week * 7) as u64)
            } else {
                monday + Days::new((week * 7) as u64)
            };
            let starts = booking::week_of_slots(first, &[9, 10, 14, 15], false);
            store::add_slots(c, &pid, &starts, 3600, *capacity).await?;
        }
        calendars.push((kid, pid));
    }

    // Providers with an appointment in the past: one of them is shown deactivated.
    let mut served_before: Vec<String> = Vec::new();
    let mut roadside_done = 0;
    let everyone = store::entitlements_of_everyone(&mut *c, &today.to_string()).await?;
    // By phone: the first rows are customer 1's (the demo login), whose latest
    // appointment took place two days ago, so that it has a survey still open.
    let first_customer = everyone.first().map(|e| e.customer_id.clone());
    let mut first_served = false;
    for (i, e) in everyone.into_iter().enumerate() {
        let usage = UsageYear {
            policy_id: &e.policy_id,
            kind_id: &e.service_kind_id,
            customer_id: &e.customer_id,
            year_start: &e.year_start,
            year_end: &e.year_end,
            allowed: e.allowed,
        };
        if e.kind_code == ROADSIDE_KIND {
            // Some drivers called for help this year.
            if i % 3 != 0 || roadside_done >= 6 {
                continue;
            }
            let covered = store::spend_use(c, &usage).await?;
            let (place, what) = WHERE[roadside_done % WHERE.len()];
            let rid = id(&mut rng);
            // The first one's truck is on its way; the second was helped three days ago
            // (its survey is still open).
            let at = if roadside_done == 0 {
                now - 20 * 60
            } else if roadside_done == 1 {
                now - 3 * 86_400
            } else {
                now - rng.gen_range(5..200) * 86_400
            };
            roadside::insert(
                &mut *c,
                roadside::NewRequest {
                    id: &rid,
                    request_no: &format!(
                        "RA{}{:06}",
                        super::clock::shanghai_date(at).format("%Y%m%d"),
                        rng.gen_range(0..1_000_000)
                    ),
                    customer_id: &e.customer_id,
                    policy_id: &e.policy_id,
                    kind_id: &e.service_kind_id,
                    usage_year: covered.then_some(e.year_start.as_str()),
                    location: place,
                    plate: &e.insured_object,
                    what_happened: what,
                    callback_phone: &super::demo::customer_phone(roadside_done + 1),
                    now: at,
                },
            )
            .await?;
            let steps = if roadside_done == 0 { 1 } else { 3 };
            let mut s = RoadsideState::Received;
            for k in 0..steps {
                let Some(n) = s.next() else { break };
                roadside::advance(&mut *c, &rid, s, n, at + (k + 1) * 1200).await?;
                s = n;
            }
            roadside_done += 1;
            continue;
        }
        let Some((_, provider)) = calendars
            .iter()
            .filter(|(k, _)| *k == e.service_kind_id)
            .nth(i % 2)
            .or_else(|| calendars.iter().find(|(k, _)| *k == e.service_kind_id))
        else {
            continue;
        };
        // About half of the appointments granted are used or booked: one in the past
        // (mostly completed, now and then missed), one to come.
        let year_start = shanghai_day_start(
            NaiveDate::parse_from_str(&e.year_start, "%Y-%m-%d").unwrap_or(today),
        );
        let first = !first_served && first_customer.as_deref() == Some(e.customer_id.as_str());
        first_served |= first;
        let plans: &[(i64, Option<BookingState>)] = match i % 4 {
            _ if first => &[(-2, Some(BookingState::Completed)), (9, None)],
            0 => &[(-20, Some(BookingState::Completed)), (9, None)],
            1 => &[(6, None)],
            2 => &[(-35, Some(BookingState::NoShow))],
            _ => &[],
        };
        for (days, closed) in plans {
            let from = now + days * 86_400;
            if from < year_start {
                continue;
            }
            let Some(slot) = store::next_free(&mut *c, provider, from, 1).await?.pop() else {
                continue;
            };
            if !store::spend_use(c, &usage).await? {
                break;
            }
            if !store::take_place(&mut *c, &slot.id).await? {
                continue;
            }
            let bid = id(&mut rng);
            store::insert(
                &mut *c,
                store::NewBooking {
                    id: &bid,
                    customer_id: &e.customer_id,
                    policy_id: &e.policy_id,
                    kind_id: &e.service_kind_id,
                    slot_id: &slot.id,
                    usage_year: &e.year_start,
                    now: slot.starts_at - 10 * 86_400,
                },
            )
            .await?;
            if let Some(to) = closed {
                store::close(&mut *c, &bid, *to, slot.ends_at).await?;
            }
            if *days < 0 && !served_before.contains(provider) {
                served_before.push(provider.clone());
            }
        }
    }
    deactivate_one(c, &calendars, &served_before, now).await
}

/// Deactivates one provider that has served customers and is not the only one of its
/// service, so the demo shows the state: its past appointments stay on the customers'
/// pages, and nobody is offered it for a new one.
async fn deactivate_one(
    c: &mut AnyConnection,
    calendars: &[(String, String)],
    served_before: &[String],
    now: i64,
) -> anyhow::Result<()> {
    let chosen = calendars.iter().rev().find(|(kind, provider)| {
        served_before.contains(provider) && calendars.iter().filter(|(k, _)| k == kind).count() > 1
    });
    if let Some((_, provider)) = chosen {
        store::set_provider_active(&mut *c, provider, false, now).await?;
    }
    Ok(())
}
