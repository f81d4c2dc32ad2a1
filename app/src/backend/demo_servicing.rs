//! Demo data for servicing (保全), called from `demo::generate` inside its transaction,
//! through the store functions the product uses: the first four demo customers with a life
//! or health policy each have a beneficiary change in a different state (done, submitted,
//! in review, rejected with a reason), so the customer's hall and the reviewers' queue show
//! real history; customer 1 (the demo login) has also changed their contact details.

use super::demo_claims::DemoPolicy;
use super::domain::servicing::{
    id_check_char, Address, Beneficiary, IdNumber, PersonName, Relation,
};
use super::services::servicing::record;
use super::store::customers;
use super::store::servicing::{self as store, NewEvent, NewRequest, Payload};
use super::AppState;
use crate::model::{ServiceRequestState as State, StaffRole};
use sqlx::AnyConnection;

const DAY: i64 = 86_400;

/// A valid ID number born on `born` (`YYYYMMDD`) in Shanghai's Xuhui district.
fn id_number(born: &str, seq: u32) -> IdNumber {
    let first17 = format!("310104{born}{seq:03}");
    IdNumber::parse(&format!("{first17}{}", id_check_char(&first17))).expect("a valid ID number")
}

fn person(name: &str, relation: Relation, born: &str, seq: u32, share: u8) -> Beneficiary {
    Beneficiary {
        name: PersonName::parse(name).expect("a valid name"),
        relation,
        id_number: id_number(born, seq),
        share_pct: share,
    }
}

/// (final state, days ago submitted, the list asked for, the reason for a rejection).
fn stories() -> Vec<(State, i64, Vec<Beneficiary>, Option<&'static str>)> {
    vec![
        (
            State::Done,
            40,
            vec![
                person("林雅婷", Relation::Spouse, "19860314", 122, 60),
                person("林子涵", Relation::Child, "20140702", 215, 40),
            ],
            None,
        ),
        (
            State::Submitted,
            0,
            vec![person("赵丽华", Relation::Parent, "19580923", 341, 100)],
            None,
        ),
        (
            State::InReview,
            2,
            vec![
                person("陈思远", Relation::Child, "20090411", 118, 50),
                person("陈思琪", Relation::Child, "20120630", 226, 50),
            ],
            None,
        ),
        (
            State::Rejected,
            9,
            vec![person("黄晓明", Relation::Sibling, "19900105", 437, 100)],
            Some("受益人身份证号与姓名不一致，请核对后重新提交"),
        ),
    ]
}

pub async fn generate(
    c: &mut AnyConnection,
    state: &AppState,
    policies: &[DemoPolicy],
    staff: &[(String, StaffRole)],
    now: i64,
) -> anyhow::Result<()> {
    let reviewer = staff
        .iter()
        .find(|(_, r)| *r == StaffRole::Claims)
        .map(|(id, _)| id.as_str());
    let mut seen = Vec::new();
    let eligible = policies.iter().filter(|p| {
        let first =
            super::domain::servicing::names_beneficiaries(p.line) && !seen.contains(&p.customer_id);
        if first {
            seen.push(p.customer_id.clone());
        }
        first
    });
    for (p, (end, days, list, reason)) in eligible.zip(stories()) {
        let id = crate::backend::ids::new_id();
        let payload =
            Payload::Beneficiaries(list.iter().map(|b| record(state, &p.id, b)).collect());
        let at = now - days * DAY - 3 * 3600;
        store::insert_request(
            c,
            NewRequest {
                id: &id,
                customer_id: &p.customer_id,
                policy_id: Some(&p.id),
                payload: &payload,
                now: at,
            },
        )
        .await?;
        let path: &[State] = match end {
            State::Submitted => &[State::Submitted],
            State::InReview => &[State::Submitted, State::InReview],
            _ => &[State::Submitted, State::InReview, end],
        };
        let mut from = None;
        for (i, to) in path.iter().enumerate() {
            let when = at + i as i64 * DAY;
            let by = if *to == State::Submitted {
                None
            } else {
                reviewer
            };
            if let Some(f) = from {
                store::move_state(
                    c,
                    &id,
                    f,
                    *to,
                    by,
                    reason.filter(|_| *to == State::Rejected),
                    when,
                )
                .await?;
            }
            store::insert_event(
                c,
                NewEvent {
                    request_id: &id,
                    customer_id: &p.customer_id,
                    from,
                    to: *to,
                    staff_id: by,
                    note: reason.filter(|_| *to == State::Rejected).unwrap_or(""),
                    at: when,
                },
            )
            .await?;
            from = Some(*to);
        }
        if end == State::Done {
            if let Payload::Beneficiaries(records) = &payload {
                store::replace_beneficiaries(c, &p.id, records).await?;
            }
        }
    }
    // The demo login moved house last month.
    if let Some(p) = policies.iter().find(|p| p.customer_no == 1) {
        let address =
            Address::parse("上海市徐汇区漕溪北路 398 号 12 楼 1203 室").expect("an address");
        let id = crate::backend::ids::new_id();
        let at = now - 25 * DAY;
        let payload = Payload::Contact {
            address: address.as_str().to_owned(),
            email: "demo.customer1@example.cn".to_owned(),
            old_address: String::new(),
            old_email: String::new(),
        };
        store::insert_request(
            c,
            NewRequest {
                id: &id,
                customer_id: &p.customer_id,
                policy_id: None,
                payload: &payload,
                now: at,
            },
        )
        .await?;
        store::move_state(c, &id, State::Submitted, State::Done, None, None, at).await?;
        for (from, to) in [
            (None, State::Submitted),
            (Some(State::Submitted), State::Done),
        ] {
            store::insert_event(
                c,
                NewEvent {
                    request_id: &id,
                    customer_id: &p.customer_id,
                    from,
                    to,
                    staff_id: None,
                    note: "",
                    at,
                },
            )
            .await?;
        }
        if let Payload::Contact { address, email, .. } = &payload {
            customers::set_contact(&mut *c, &p.customer_id, address, email).await?;
        }
    }
    Ok(())
}
