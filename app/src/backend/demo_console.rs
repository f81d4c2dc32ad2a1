//! Demo data for the staff console: staff phones (one of them a customer too, so the
//! console refuses to let them view their own record), a customer who turned viewing
//! off, and past visits to the demo login's account with the requests they made, so
//! `/settings/access`, the 360° view and `/staff/audit` show real history.

use super::demo::customer_phone;
use super::store::audit::{record_viewing, ViewingEntry};
use crate::model::StaffRole;
use sqlx::AnyConnection;

/// The demo customer who turned viewing off (open claims only).
pub const OPTED_OUT: usize = 3;
/// The demo customer whose phone is also a member of staff's (`agent.zhou`).
pub const STAFF_OWN_RECORD: usize = 30;

struct PastVisit {
    staff: usize,
    days_ago: i64,
    minutes: i64,
    reason: &'static str,
    ticket: Option<&'static str>,
    expired: bool,
    paths: &'static [(&'static str, &'static str)],
}

const VISITS: &[PastVisit] = &[
    PastVisit {
        staff: 0,
        days_ago: 12,
        minutes: 7,
        reason: "客户来电询问车险续保保费为何比去年上涨",
        ticket: Some("INC-2026-1187"),
        expired: false,
        paths: &[
            ("viewing.read", "/"),
            ("viewing.read", "/policies"),
            ("viewing.read", "/policies/{policy}/renew"),
            ("viewing.refused", "/api/pay_renewal"),
            ("viewing.read", "/policies/{policy}"),
        ],
    },
    PastVisit {
        staff: 4,
        days_ago: 3,
        minutes: 30,
        reason: "协助客户核对理赔还缺哪些材料，客户在电话中确认",
        ticket: None,
        expired: true,
        paths: &[
            ("viewing.read", "/"),
            ("viewing.read", "/claims"),
            ("viewing.read", "/claims/{claim}"),
        ],
    },
];

pub async fn generate(
    c: &mut AnyConnection,
    staff: &[(String, StaffRole)],
    now: i64,
) -> anyhow::Result<()> {
    // Each member of staff's own mobile; agent.zhou (the second) is customer 30 too.
    for (i, (sid, _)) in staff.iter().enumerate() {
        let phone = if i == 1 {
            customer_phone(STAFF_OWN_RECORD)
        } else {
            format!("137{:08}", 2000 + i)
        };
        super::store::staff::set_phone(&mut *c, sid, Some(&phone)).await?;
    }
    sqlx::query("UPDATE customers SET staff_view = 0 WHERE phone = $1")
        .bind(customer_phone(OPTED_OUT))
        .execute(&mut *c)
        .await?;

    let (customer_id,): (String,) = sqlx::query_as("SELECT id FROM customers WHERE phone = $1")
        .bind(customer_phone(1))
        .fetch_one(&mut *c)
        .await?;
    let policy: Option<(String,)> =
        sqlx::query_as("SELECT id FROM policies WHERE customer_id = $1 ORDER BY policy_no LIMIT 1")
            .bind(&customer_id)
            .fetch_optional(&mut *c)
            .await?;
    let claim: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM claims WHERE customer_id = $1 ORDER BY reported_at DESC LIMIT 1",
    )
    .bind(&customer_id)
    .fetch_optional(&mut *c)
    .await?;
    let policy = policy.map(|p| p.0).unwrap_or_default();
    let claim = claim.map(|p| p.0).unwrap_or_default();
    for (n, v) in VISITS.iter().enumerate() {
        let Some((staff_id, _)) = staff.get(v.staff) else {
            continue;
        };
        let id = format!(
            "demo-visit-{n:02}-{}",
            &customer_id[..8.min(customer_id.len())]
        );
        let started = now - v.days_ago * 86_400 - 3 * 3600;
        let expires = started + super::auth::viewing::VIEW_SECS;
        let ended = started + v.minutes * 60;
        sqlx::query(
            "INSERT INTO impersonations (id, staff_id, customer_id, reason, ticket, state, started_at, expires_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(staff_id)
        .bind(&customer_id)
        .bind(v.reason)
        .bind(v.ticket)
        .bind(if v.expired { "expired" } else { "ended" })
        .bind(started)
        .bind(expires)
        .bind(ended.min(expires))
        .execute(&mut *c)
        .await?;
        let mut log = vec![("viewing.start", String::new())];
        log.extend(v.paths.iter().map(|(action, path)| {
            (
                *action,
                path.replace("{policy}", &policy).replace("{claim}", &claim),
            )
        }));
        if !v.expired {
            log.push(("viewing.end", String::new()));
        }
        let step = (v.minutes * 60) / log.len() as i64;
        for (k, (action, target)) in log.iter().enumerate() {
            let method = if *action == "viewing.refused" {
                "POST"
            } else {
                "GET"
            };
            record_viewing(
                &mut *c,
                ViewingEntry {
                    staff_id,
                    customer_id: &customer_id,
                    impersonation_id: &id,
                    action,
                    target,
                    detail: if target.is_empty() { "" } else { method },
                    ip: "10.20.3.41",
                    request_id: &format!("demo{n}{k:02}"),
                    now: started + k as i64 * step,
                },
            )
            .await?;
        }
    }
    Ok(())
}
