//! Demo data for servicing (保全), called from `demo::generate` inside its transaction,
//! through the store functions the product uses: the first four demo customers with a life
//! or health policy each have a beneficiary change in a different state (done, submitted,
//! in review, rejected with a reason), so the customer's hall and the reviewers' queue show
//! real history; customer 1 (the demo login) has also changed their contact details and
//! named a payout account. Every life policy in force has a cash value; the first life
//! customer has a policy loan outstanding, the second a loan request in review.

use super::demo_claims::DemoPolicy;
use super::domain::accounts::mask_account;
use super::domain::loans as loan_rules;
use super::domain::servicing::{
    id_check_char, needs_review, Address, Beneficiary, IdNumber, PersonName, Relation,
};
use super::services::servicing::record;
use super::store::servicing::{self as store, NewEvent, NewRequest, Payload};
use super::store::{customers, loans, policies};
use super::AppState;
use crate::model::{Line, PolicyStatus, ServiceRequestState as State, StaffRole};
use chrono::Datelike;
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
        let payload =
            Payload::Beneficiaries(list.iter().map(|b| record(state, &p.id, b)).collect());
        let at = now - days * DAY - 3 * 3600;
        let story = Story {
            customer_id: &p.customer_id,
            policy_id: Some(&p.id),
            payload: &payload,
            end,
            at,
            reviewer,
            reason,
        };
        insert_story(c, &story).await?;
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
        let at = now - 25 * DAY;
        let payload = Payload::Contact {
            address: address.as_str().to_owned(),
            email: "demo.customer1@example.cn".to_owned(),
            old_address: String::new(),
            old_email: String::new(),
        };
        let story = Story {
            customer_id: &p.customer_id,
            policy_id: None,
            payload: &payload,
            end: State::Done,
            at,
            reviewer: None,
            reason: None,
        };
        insert_story(c, &story).await?;
        if let Payload::Contact { address, email, .. } = &payload {
            customers::set_contact(&mut *c, &p.customer_id, address, email).await?;
        }
    }
    money(c, policies, reviewer, now).await
}

/// One request as it happened: submitted at `at`, then (a day apart) each state on its
/// path to `end`, moved by the reviewer. Returns its id.
struct Story<'a> {
    customer_id: &'a str,
    policy_id: Option<&'a str>,
    payload: &'a Payload,
    end: State,
    at: i64,
    reviewer: Option<&'a str>,
    reason: Option<&'a str>,
}

async fn insert_story(c: &mut AnyConnection, s: &Story<'_>) -> anyhow::Result<String> {
    let id = crate::backend::ids::new_id();
    store::insert_request(
        c,
        NewRequest {
            id: &id,
            customer_id: s.customer_id,
            policy_id: s.policy_id,
            payload: s.payload,
            now: s.at,
        },
    )
    .await?;
    let kind = s.payload.kind();
    let path: &[State] = match s.end {
        State::Submitted => &[State::Submitted],
        State::InReview => &[State::Submitted, State::InReview],
        end if !needs_review(kind) => &[State::Submitted, end],
        _ => &[State::Submitted, State::InReview, s.end],
    };
    let mut from = None;
    for (i, to) in path.iter().enumerate() {
        let reviewed = *to != State::Submitted && needs_review(kind);
        let when = if needs_review(kind) {
            s.at + i as i64 * DAY
        } else {
            s.at
        };
        let by = if reviewed { s.reviewer } else { None };
        let reason = s.reason.filter(|_| *to == State::Rejected);
        if let Some(f) = from {
            store::move_state(c, &id, f, *to, by, reason, when).await?;
        }
        store::insert_event(
            c,
            NewEvent {
                request_id: &id,
                customer_id: s.customer_id,
                from,
                to: *to,
                staff_id: by,
                note: reason.unwrap_or(""),
                at: when,
            },
        )
        .await?;
        from = Some(*to);
    }
    Ok(id)
}

/// The money side: every life policy in force has a cash value (as the core system would
/// send it); the first two life customers have a payout account, and the first of them
/// a loan outstanding for two months, the second a loan request with the reviewers; the
/// demo login chose a bank account for payouts.
async fn money(
    c: &mut AnyConnection,
    policies: &[DemoPolicy],
    reviewer: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    let today = crate::backend::clock::shanghai_date(now);
    let valued_on = (today - chrono::Duration::days(today.day0() as i64))
        .format("%Y-%m-%d")
        .to_string();
    let mut borrowers = Vec::new();
    for (n, p) in policies.iter().filter(|p| p.line == Line::Life).enumerate() {
        let Some(summary) = policies::summary(&mut *c, &p.customer_id, &p.id).await? else {
            continue;
        };
        if summary.status != PolicyStatus::Active {
            continue;
        }
        // Years of premiums, less the early years' charges: 3 to 10 years' worth at 55 %.
        let years = 3 + (n as i64 % 8);
        let cash = summary.premium_fen * years * 55 / 100;
        loans::set_cash_value(&mut *c, &p.id, cash, &valued_on).await?;
        if loan_rules::max_loan(cash) >= loan_rules::MIN_FEN
            && !borrowers
                .iter()
                .any(|(q, _): &(&DemoPolicy, i64)| q.customer_id == p.customer_id)
        {
            borrowers.push((p, cash));
        }
    }
    let banks = [
        ("招商银行", "6225880137706866"),
        ("工商银行", "6222021001122334455"),
    ];
    for (i, (p, cash)) in borrowers.iter().take(2).enumerate() {
        let (bank, no) = banks[i];
        let masked = mask_account(bank, no);
        let account = customers::PayoutAccount::Bank {
            bank: bank.to_owned(),
            account_no: no.to_owned(),
        };
        customers::set_payout(&mut *c, &p.customer_id, &account, &masked).await?;
        let payout = Payload::PayoutAccount {
            old: String::new(),
            new: masked.clone(),
        };
        let at = now - 75 * DAY;
        insert_story(
            c,
            &Story {
                customer_id: &p.customer_id,
                policy_id: None,
                payload: &payout,
                end: State::Done,
                at,
                reviewer: None,
                reason: None,
            },
        )
        .await?;
        let max = loan_rules::max_loan(*cash);
        // Half of what it lends, in whole thousands.
        let amount = (max / 2 / 100_000).max(1) * 100_000;
        let loan = Payload::Loan {
            amount_fen: amount,
            cash_value_fen: *cash,
            max_fen: max,
            rate_bp: loan_rules::RATE_BP,
            term_days: loan_rules::TERM_DAYS,
            payout_masked: masked.clone(),
        };
        if i == 0 {
            let at = now - 62 * DAY;
            let end = State::Done;
            let story = Story {
                customer_id: &p.customer_id,
                policy_id: Some(&p.id),
                payload: &loan,
                end,
                at,
                reviewer,
                reason: None,
            };
            let request_id = insert_story(c, &story).await?;
            let start = crate::backend::clock::shanghai_date(at + 2 * DAY);
            loans::insert(
                &mut *c,
                loans::NewLoan {
                    id: &crate::backend::ids::new_id(),
                    request_id: &request_id,
                    policy_id: &p.id,
                    customer_id: &p.customer_id,
                    principal_fen: amount,
                    rate_bp: loan_rules::RATE_BP,
                    start_date: &start.format("%Y-%m-%d").to_string(),
                    due_date: &loan_rules::due_date(start).format("%Y-%m-%d").to_string(),
                    payout_masked: &masked,
                    now: at + 2 * DAY,
                },
            )
            .await?;
        } else {
            let story = Story {
                customer_id: &p.customer_id,
                policy_id: Some(&p.id),
                payload: &loan,
                end: State::InReview,
                at: now - DAY,
                reviewer,
                reason: None,
            };
            insert_story(c, &story).await?;
        }
    }
    // The demo login has their claims paid into a bank account.
    if let Some(p) = policies.iter().find(|p| p.customer_no == 1) {
        if customers::accounts(&mut *c, &p.customer_id)
            .await?
            .is_some_and(|a| a.payout_masked.is_none())
        {
            let (bank, no) = ("建设银行", "6217000010012345678");
            let masked = mask_account(bank, no);
            let account = customers::PayoutAccount::Bank {
                bank: bank.to_owned(),
                account_no: no.to_owned(),
            };
            customers::set_payout(&mut *c, &p.customer_id, &account, &masked).await?;
            let payout = Payload::PayoutAccount {
                old: String::new(),
                new: masked,
            };
            insert_story(
                c,
                &Story {
                    customer_id: &p.customer_id,
                    policy_id: None,
                    payload: &payout,
                    end: State::Done,
                    at: now - 20 * DAY,
                    reviewer: None,
                    reason: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}
