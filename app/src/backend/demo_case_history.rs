//! A year of answered complaint and question cases for the demo, so the statistics page
//! (`/staff/case-stats`) has something to show: 80 cases spread over the past 11 months,
//! across categories and the products of the customers' own policies, claims, payments
//! and bookings; most answered within 15 days, some extended (a few twice, with a
//! supervisor's approval) and late, a few reopened and answered again; the older ones
//! closed. Written through the store functions the product uses, inside
//! `demo::generate`'s transaction. Deterministic: every choice follows from the case's
//! index, no randomness.

use super::demo_claims::DemoPolicy;
use super::domain::cases::{self as rules, RootCause, DAY, REOPEN_DAYS};
use super::store::cases::{self as store, MoveSet, NewCase, NewEvent, NewExtension};
use crate::model::{
    CaseCategory as Category, CaseEventKind as EventKind, CaseKind as Kind, CaseState as State,
    StaffRole,
};
use sqlx::AnyConnection;

/// How many historical cases.
const CASES: usize = 80;
const HOUR: i64 = 3600;

/// Hours from receipt to the answer, in turn: mostly within 15 days (360 h), a handful
/// later (those are extended first).
const HANDLING_HOURS: [i64; 20] = [
    50, 120, 30, 200, 310, 76, 96, 150, 340, 20, 170, 260, 460, 60, 230, 110, 90, 800, 140, 280,
];

/// Categories in turn: claims and policies most often, as in a real queue.
const CATEGORIES: [Category; 10] = [
    Category::Claim,
    Category::Policy,
    Category::Claim,
    Category::Payment,
    Category::Service,
    Category::Claim,
    Category::Policy,
    Category::Payment,
    Category::Claim,
    Category::Staff,
];

/// What a case of `category` was about, and the root causes such cases come from.
fn story(category: Category) -> (&'static [&'static str], &'static [RootCause]) {
    use RootCause::*;
    match category {
        Category::Claim => (
            &[
                "理赔审核时间太长，材料早就交齐了还没有结果。",
                "定损金额比修理厂报价低很多，希望重新核定。",
                "请问医疗险理赔需要提供哪些发票和清单？",
            ],
            &[Process, Communication, ThirdParty, Explained],
        ),
        Category::Policy => (
            &[
                "续保保费上涨，想了解具体原因。",
                "保单信息有误，申请更正后一直没有处理。",
                "保障范围和当初销售时说的不一样。",
            ],
            &[Product, Explained, Communication, Process],
        ),
        Category::Payment => (
            &[
                "自动扣款重复扣了一笔，请核查退款。",
                "缴费成功但页面一直显示待支付。",
                "请问如何更换自动扣款的银行卡？",
            ],
            &[System, ThirdParty, Process, Explained],
        ),
        Category::Service => (
            &[
                "预约的体检机构临时改期，没有提前通知。",
                "道路救援到场时间比承诺的晚了很久。",
            ],
            &[ThirdParty, Process, Communication],
        ),
        Category::Staff => (
            &["客服电话里态度不好，问题没说完就挂断了。"],
            &[Conduct, Communication],
        ),
    }
}

/// A timeline entry of a historical case.
struct Entry<'a> {
    kind: EventKind,
    to_state: Option<State>,
    staff_id: Option<&'a str>,
    body: &'a str,
    once_key: Option<String>,
    at: i64,
}

async fn record(
    c: &mut AnyConnection,
    case_id: &str,
    customer_id: &str,
    e: Entry<'_>,
) -> sqlx::Result<()> {
    store::insert_event(
        c,
        NewEvent {
            to_state: e.to_state,
            staff_id: e.staff_id,
            body: e.body,
            once_key: e.once_key.as_deref(),
            ..NewEvent::on(case_id, customer_id, e.kind, e.at)
        },
    )
    .await?;
    Ok(())
}

/// Moves the case and writes the state entry of the move.
#[allow(clippy::too_many_arguments)]
async fn step(
    c: &mut AnyConnection,
    id: &str,
    customer_id: &str,
    (from, to): (State, State),
    by: Option<&str>,
    set: MoveSet<'_>,
    note: &str,
    round: i64,
    at: i64,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        store::move_state(c, id, from, to, by, set, at).await?,
        "demo case {id} did not move {from} → {to}"
    );
    let entry = Entry {
        kind: EventKind::State,
        to_state: Some(to),
        staff_id: by,
        body: note,
        once_key: Some(format!("{to}:{round}")),
        at,
    };
    record(c, id, customer_id, entry).await?;
    Ok(())
}

/// Extends the deadline of case `id` (round 0) from `from` extensions to `from + 1`.
async fn extend(
    c: &mut AnyConnection,
    (id, customer_id): (&str, &str),
    (received, from): (i64, u8),
    (staff_id, approver): (&str, Option<&str>),
    reason: &str,
    at: i64,
) -> anyhow::Result<()> {
    let due = rules::due_at(received, from + 1);
    anyhow::ensure!(
        store::extend(c, id, i64::from(from), due, at).await?,
        "demo case {id} was not extended"
    );
    store::insert_extension(
        c,
        NewExtension {
            case_id: id,
            round: 0,
            step: from + 1,
            reason,
            staff_id,
            approved_by: approver,
            old_due_at: rules::due_at(received, from),
            new_due_at: due,
            at,
        },
    )
    .await?;
    let entry = Entry {
        kind: EventKind::Extended,
        to_state: None,
        staff_id: Some(staff_id),
        body: reason,
        once_key: Some(format!("extended:0:{}", from + 1)),
        at,
    };
    record(c, id, customer_id, entry).await?;
    Ok(())
}

pub async fn generate(
    c: &mut AnyConnection,
    policies: &[DemoPolicy],
    staff: &[(String, StaffRole)],
    now: i64,
) -> anyhow::Result<()> {
    let mut customers: Vec<&str> = Vec::new();
    for p in policies {
        if !customers.contains(&p.customer_id.as_str()) {
            customers.push(&p.customer_id);
        }
    }
    let of_role = |role: StaffRole| {
        staff
            .iter()
            .filter(move |(_, r)| *r == role)
            .map(|(id, _)| id.as_str())
    };
    let handlers: Vec<&str> = of_role(StaffRole::Agent)
        .chain(of_role(StaffRole::Claims))
        .collect();
    let (Some(supervisor), false, false) = (
        of_role(StaffRole::Supervisor).next(),
        handlers.is_empty(),
        customers.is_empty(),
    ) else {
        return Ok(());
    };
    // The member of staff complaints about staff are about: the first agent.
    let about = handlers[0];
    for i in 0..CASES {
        let customer_id = customers[(i * 7) % customers.len()];
        let category = CATEGORIES[i % CATEGORIES.len()];
        let (texts, causes) = story(category);
        // The how-many-th case of its category: texts and causes take turns within it.
        let nth = i / CATEGORIES.len();
        // Received 14 to 320 days ago, the oldest first: inside the page's default 12
        // months whatever the day of the month.
        let received = now - (320 - (i as i64 * 306) / CASES as i64) * DAY + (i as i64 % 9) * HOUR;
        // Answered by yesterday at the latest: the newest cases are quick ones.
        let handling = (HANDLING_HOURS[i % HANDLING_HOURS.len()] * HOUR).min(now - received - DAY);
        let reopened = i % 13 == 6;
        let kind = if texts[nth % texts.len()].contains("请问") || i % 5 == 0 {
            Kind::Question
        } else {
            Kind::Complaint
        };
        // The customer's own policy, claim, payment or booking of that category.
        let subject = if category == Category::Staff {
            None
        } else {
            store::subjects(&mut *c, customer_id)
                .await?
                .into_iter()
                .find(|s| s.category == category.as_str())
                .map(|s| s.id)
        };
        let owner = if category == Category::Staff {
            supervisor
        } else {
            handlers[(i + 1) % handlers.len()]
        };
        let year = chrono::Datelike::year(&super::clock::shanghai_date(received));
        let n = store::next_case_no(c, year).await?;
        let id = crate::backend::ids::new_id();
        store::insert_case(
            c,
            NewCase {
                id: &id,
                case_no: &rules::case_no(year, n),
                customer_id,
                kind,
                category,
                subject_id: subject.as_deref(),
                about_staff_id: (category == Category::Staff).then_some(about),
                about_staff_name: "",
                body: texts[nth % texts.len()],
                due_at: rules::due_at(received, 0),
                now: received,
            },
        )
        .await?;
        let entry = |kind, to_state, staff_id, once_key: &str, at| Entry {
            kind,
            to_state,
            staff_id,
            body: "",
            once_key: Some(once_key.to_owned()),
            at,
        };
        record(
            c,
            &id,
            customer_id,
            entry(
                EventKind::State,
                Some(State::Received),
                None,
                "received:0",
                received,
            ),
        )
        .await?;
        let at = |hours: i64| received + hours * HOUR;
        store::take(c, &id, owner, at(1)).await?;
        record(
            c,
            &id,
            customer_id,
            entry(EventKind::Taken, None, Some(owner), "taken", at(1)),
        )
        .await?;
        let by = Some(owner);
        let path = [
            (State::Received, State::Acknowledged, 2),
            (State::Acknowledged, State::InProgress, 6),
        ];
        for (from, to, hours) in path {
            step(
                c,
                &id,
                customer_id,
                (from, to),
                by,
                MoveSet::default(),
                "",
                0,
                at(hours),
            )
            .await?;
        }
        // Past 15 days only with an extension, past 30 only with a supervisor's approval.
        if handling > 15 * DAY {
            let reason = "需要合作机构补充提供相关记录，预计 10 个工作日内完成核查";
            extend(
                c,
                (id.as_str(), customer_id),
                (received, 0),
                (owner, None),
                reason,
                at(12 * 24),
            )
            .await?;
        }
        if handling > 30 * DAY {
            let reason = "核查涉及多家机构，经主管批准再延长期限";
            let ids = (id.as_str(), customer_id);
            extend(
                c,
                ids,
                (received, 1),
                (owner, Some(supervisor)),
                reason,
                at(27 * 24),
            )
            .await?;
        }
        let cause = causes[nth % causes.len()];
        let answer = "您好，经核查，已按您反映的情况处理完毕，具体说明见本答复。如有疑问可在 30 天内申请重新处理。";
        let resolve = |cause: RootCause| MoveSet {
            answer: Some((answer, cause.as_str())),
            new_round: None,
        };
        let (mut resolved_at, mut round) = (received + handling, 0);
        let from = (State::InProgress, State::Resolved);
        step(
            c,
            &id,
            customer_id,
            from,
            by,
            resolve(cause),
            answer,
            0,
            resolved_at,
        )
        .await?;
        if reopened && resolved_at + 6 * DAY < now {
            // The customer disagreed three days later; answered again three days after.
            let back = resolved_at + 3 * DAY;
            let why = "问题并没有解决，请再核查一次。";
            let set = MoveSet {
                answer: None,
                new_round: Some((back, rules::due_at(back, 0))),
            };
            step(
                c,
                &id,
                customer_id,
                (State::Resolved, State::Reopened),
                None,
                set,
                why,
                0,
                back,
            )
            .await?;
            let restart = (State::Reopened, State::InProgress);
            step(
                c,
                &id,
                customer_id,
                restart,
                by,
                MoveSet::default(),
                "",
                1,
                back + 2 * HOUR,
            )
            .await?;
            (resolved_at, round) = (back + 3 * DAY, 1);
            let again = (State::InProgress, State::Resolved);
            step(
                c,
                &id,
                customer_id,
                again,
                by,
                resolve(cause),
                answer,
                1,
                resolved_at,
            )
            .await?;
        }
        // Closed once the reopen window has passed.
        let closes = resolved_at + (REOPEN_DAYS + 1) * DAY;
        if closes < now {
            let close = (State::Resolved, State::Closed);
            step(
                c,
                &id,
                customer_id,
                close,
                by,
                MoveSet::default(),
                "",
                round,
                closes,
            )
            .await?;
        }
    }
    Ok(())
}
