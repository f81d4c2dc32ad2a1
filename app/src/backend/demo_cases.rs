//! Demo data for complaint and question cases, called from `demo::generate` inside its
//! transaction, through the store functions the product uses: a case in every state
//! across the first demo customers — one just in, one just past its 80 % warning, one
//! extended with a reason, one answered within the reopen window, one reopened, one about
//! a member of staff (owned by someone else), one closed and one withdrawn — so the
//! customer's pages and the handlers' queue show real history. The first links a claim
//! document the portal already holds.

use super::demo_claims::DemoPolicy;
use super::domain::cases::{self as rules, RootCause, DAY};
use super::store::cases::{self as store, MoveSet, NewCase, NewEvent, NewExtension};
use crate::model::{
    CaseCategory as Category, CaseEventKind as EventKind, CaseKind as Kind, CaseState as State,
    StaffRole,
};
use sqlx::AnyConnection;

const HOUR: i64 = 3600;

/// One thing that happens to a demo case, `hours` after it came in.
enum Step {
    /// Taken by the demo staff member at this index of `demo::STAFF`.
    Take(usize),
    To(State),
    Reply {
        staff: bool,
        text: &'static str,
    },
    Extend(&'static str),
    /// The owner links the customer's newest claim document on file (不重复索要材料).
    LinkOnRecord,
    Resolve(&'static str, RootCause),
    Reopen(&'static str),
}

struct Story {
    /// Index into the first policies of distinct demo customers.
    customer: usize,
    kind: Kind,
    category: Category,
    /// The member of staff complained about (index of `demo::STAFF`).
    about: Option<usize>,
    text: &'static str,
    /// Days before now it came in.
    days_ago: f64,
    steps: Vec<(i64, Step)>,
}

fn stories() -> Vec<Story> {
    use Step::*;
    vec![
        Story {
            customer: 0,
            kind: Kind::Complaint,
            category: Category::Claim,
            about: None,
            text: "车损理赔已经报案十天了，查勘员一直没有联系我，打电话也没人接。请尽快安排查勘。",
            days_ago: 12.2,
            steps: vec![
                (2, Take(0)),
                (3, To(State::Acknowledged)),
                (20, To(State::InProgress)),
                (21, Reply { staff: true, text: "您好，已联系理赔部门，查勘员将在两个工作日内与您联系，请保持电话畅通。" }),
                (22, LinkOnRecord),
                (60, Reply { staff: false, text: "还是没有人联系我。" }),
            ],
        },
        Story {
            customer: 0,
            kind: Kind::Question,
            category: Category::Policy,
            about: None,
            text: "续保后保费上涨了，想知道具体是哪些因素导致的？",
            days_ago: 9.0,
            steps: vec![
                (1, Take(1)),
                (2, To(State::Acknowledged)),
                (3, To(State::InProgress)),
                (96, Resolve("您好，本次保费变化主要来自去年一次出险导致无赔款优待系数调整，以及车龄增加。续保页面“价格说明”中逐项列出了每一项金额。", RootCause::Explained)),
            ],
        },
        Story {
            customer: 1,
            kind: Kind::Complaint,
            category: Category::Service,
            about: None,
            text: "预约的体检机构临时取消了我的预约，没有提前通知，白跑一趟。",
            days_ago: 20.0,
            steps: vec![
                (4, Take(2)),
                (5, To(State::Acknowledged)),
                (30, To(State::InProgress)),
                (13 * 24, Extend("需要体检机构提供当天的排班和通知记录，对方承诺 10 个工作日内答复")),
            ],
        },
        Story {
            customer: 2,
            kind: Kind::Question,
            category: Category::Payment,
            about: None,
            text: "自动扣款成功了，但是我没有收到电子发票，请问在哪里可以下载？",
            days_ago: 0.1,
            steps: vec![],
        },
        Story {
            customer: 3,
            kind: Kind::Complaint,
            category: Category::Policy,
            about: None,
            text: "保单上的车牌号录错了，已经提交过一次更正，一直没有处理。",
            days_ago: 3.0,
            steps: vec![(6, Take(0)), (7, To(State::Acknowledged))],
        },
        Story {
            customer: 4,
            kind: Kind::Complaint,
            category: Category::Claim,
            about: None,
            text: "理赔款比定损金额少了 300 元，没有任何说明。",
            days_ago: 50.0,
            steps: vec![
                (2, Take(2)),
                (3, To(State::Acknowledged)),
                (4, To(State::InProgress)),
                (5 * 24, Resolve("经核查，差额为保单约定的每次事故绝对免赔额 300 元，已在理赔通知中补充说明，并向您致歉。", RootCause::Communication)),
                (40 * 24, To(State::Closed)),
            ],
        },
        Story {
            customer: 5,
            kind: Kind::Question,
            category: Category::Service,
            about: None,
            text: "道路救援每年可以用几次？",
            days_ago: 6.0,
            steps: vec![(1, To(State::Withdrawn))],
        },
        Story {
            customer: 1,
            kind: Kind::Complaint,
            category: Category::Payment,
            about: None,
            text: "同一笔续保保费被扣了两次，请退还多扣的一笔。",
            days_ago: 16.0,
            steps: vec![
                (1, Take(1)),
                (2, To(State::Acknowledged)),
                (3, To(State::InProgress)),
                (5 * 24, Resolve("经核查，第二笔为银行预授权，未实际扣款，将在 7 个工作日内自动解除。", RootCause::ThirdParty)),
                (15 * 24, Reopen("已经过了 7 个工作日，银行说钱确实扣走了，请再核查。")),
            ],
        },
        Story {
            customer: 6,
            kind: Kind::Complaint,
            category: Category::Staff,
            about: Some(1),
            text: "客服在电话里态度很差，还没说完就挂断了电话。",
            days_ago: 2.0,
            steps: vec![(3, Take(4)), (4, To(State::Acknowledged))],
        },
    ]
}

/// A timeline entry of a demo case.
fn event<'a>(
    base: NewEvent<'a>,
    to_state: Option<State>,
    staff_id: Option<&'a str>,
    body: &'a str,
    once_key: Option<&'a str>,
) -> NewEvent<'a> {
    NewEvent {
        to_state,
        staff_id,
        body,
        once_key,
        ..base
    }
}

pub async fn generate(
    c: &mut AnyConnection,
    policies: &[DemoPolicy],
    staff: &[(String, StaffRole)],
    now: i64,
) -> anyhow::Result<()> {
    let mut customers: Vec<&DemoPolicy> = Vec::new();
    for p in policies {
        if !customers.iter().any(|q| q.customer_id == p.customer_id) {
            customers.push(p);
        }
    }
    let year = chrono::Datelike::year(&super::clock::shanghai_date(now));
    for s in stories() {
        let Some(p) = customers.get(s.customer) else {
            continue;
        };
        let received = now - (s.days_ago * DAY as f64) as i64;
        let id = crate::backend::ids::new_id();
        let n = store::next_case_no(c, year).await?;
        let about = s
            .about
            .and_then(|i| staff.get(i))
            .map(|(id, _)| id.as_str());
        let subject = matches!(s.category, Category::Policy).then_some(p.id.as_str());
        store::insert_case(
            c,
            NewCase {
                id: &id,
                case_no: &rules::case_no(year, n),
                customer_id: &p.customer_id,
                kind: s.kind,
                category: s.category,
                subject_id: subject,
                about_staff_id: about,
                about_staff_name: "",
                body: s.text,
                due_at: rules::due_at(received, 0),
                now: received,
            },
        )
        .await?;
        let on = |kind, at| NewEvent::on(&id, &p.customer_id, kind, at);
        store::insert_event(
            c,
            event(
                on(EventKind::State, received),
                Some(State::Received),
                None,
                "",
                Some("received:0"),
            ),
        )
        .await?;
        let (mut state, mut owner, mut round): (State, Option<&str>, i64) =
            (State::Received, None, 0);
        for (hours, step) in s.steps {
            let at = received + hours * HOUR;
            let (to, set, note, by_staff) = match step {
                Step::Take(i) => {
                    let sid = staff[i].0.as_str();
                    store::take(c, &id, sid, at).await?;
                    store::insert_event(
                        c,
                        event(on(EventKind::Taken, at), None, Some(sid), "", Some("taken")),
                    )
                    .await?;
                    owner = Some(sid);
                    continue;
                }
                Step::Reply { staff, text } => {
                    let by = if staff { owner } else { None };
                    store::insert_event(c, event(on(EventKind::Reply, at), None, by, text, None))
                        .await?;
                    continue;
                }
                Step::Extend(reason) => {
                    let sid = owner.ok_or_else(|| {
                        anyhow::anyhow!("demo case extended before anyone took it")
                    })?;
                    let due = rules::due_at(received, 1);
                    store::extend(c, &id, 0, due, at).await?;
                    store::insert_extension(
                        c,
                        NewExtension {
                            case_id: &id,
                            round,
                            step: 1,
                            reason,
                            staff_id: sid,
                            approved_by: None,
                            old_due_at: rules::due_at(received, 0),
                            new_due_at: due,
                            at,
                        },
                    )
                    .await?;
                    let once = format!("extended:{round}:1");
                    store::insert_event(
                        c,
                        event(
                            on(EventKind::Extended, at),
                            None,
                            Some(sid),
                            reason,
                            Some(&once),
                        ),
                    )
                    .await?;
                    continue;
                }
                Step::LinkOnRecord => {
                    let sid = owner.ok_or_else(|| {
                        anyhow::anyhow!("demo case linked a document before anyone took it")
                    })?;
                    let on_record = store::files_on_record(&mut *c, &p.customer_id, 1).await?;
                    let Some(f) = on_record.first() else {
                        continue;
                    };
                    let base = on(EventKind::Linked, at);
                    let event_id =
                        store::insert_event(c, event(base, None, Some(sid), &f.claim_no, None))
                            .await?;
                    store::insert_file(
                        c,
                        store::NewCaseFile {
                            id: &crate::backend::ids::new_id(),
                            case_id: &id,
                            customer_id: &p.customer_id,
                            event_id: &event_id,
                            storage_key: None,
                            claim_file_id: Some(&f.id),
                            kind: &f.kind,
                            size_bytes: f.size_bytes,
                            name: "",
                            now: at,
                        },
                    )
                    .await?;
                    continue;
                }
                Step::To(to) => (to, MoveSet::default(), "", to != State::Withdrawn),
                Step::Resolve(answer, cause) => (
                    State::Resolved,
                    MoveSet {
                        answer: Some((answer, cause.as_str())),
                        new_round: None,
                    },
                    answer,
                    true,
                ),
                Step::Reopen(why) => (
                    State::Reopened,
                    MoveSet {
                        answer: None,
                        new_round: Some((at, rules::due_at(at, 0))),
                    },
                    why,
                    false,
                ),
            };
            let by = if by_staff { owner } else { None };
            anyhow::ensure!(
                store::move_state(c, &id, state, to, by, set, at).await?,
                "demo case {id} did not move {state} → {to}"
            );
            let once = format!("{to}:{round}");
            store::insert_event(
                c,
                event(on(EventKind::State, at), Some(to), by, note, Some(&once)),
            )
            .await?;
            if to == State::Reopened {
                round += 1;
            }
            state = to;
        }
    }
    Ok(())
}
