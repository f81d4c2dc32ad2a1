//! Answers to texts people send to the portal's number (`/webhooks/sms`): BDCX + ID last 4
//! (policies in force), LLCX + claim number (where the claim stands), TJ (check-ups), JY
//! (roadside help), T/TD/R/退订 (stop), anything else the help menu.
//!
//! Safety rules: an answer names a policy or claim only to the customer's registered
//! phone (and for BDCX only with the right ID digits); every other sender gets the same
//! generic words, which never say whether anything exists. Three wrong ID digits from one
//! phone lock BDCX for that phone for a day; a phone gets 5 answers an hour and 10 a day,
//! then one "too many" notice. A message id the provider sends twice is answered once.
//!
//! Shape: everything is read first (nothing counted, nothing written), then one short
//! transaction claims the limits, writes the links and the answer to the outbox and records
//! the text. The record's unique message id decides: a second delivery rolls it all back.

use crate::backend::adapters::sms::InboundSms;
use crate::backend::auth::activation::id_last4_hash;
use crate::backend::clock::shanghai_date;
use crate::backend::domain::booking::{ServiceMode, HOTLINE};
use crate::backend::domain::claims::Estimate;
use crate::backend::domain::lockout;
use crate::backend::domain::sms_query::SmsQuery;
use crate::backend::domain::sms_rules::Category;
use crate::backend::services::short_links::{self, Purpose};
use crate::backend::store::bookings::{self, EntitlementRow};
use crate::backend::store::policies::{self, PolicySummary};
use crate::backend::store::{attempt_limits, claims, customers, outbox, preferences, sms_inbound};
use crate::backend::{ids, AppState};
use crate::i18n::{t_in, t_in_with, Locale};
use crate::model::{ClaimStage, Money, Phone};
use sqlx::AnyConnection;

/// How long the links in an answer work.
pub const LINK_DAYS: i64 = 7;
/// The longest answer: a few SMS segments (a Chinese segment of a long SMS holds 67).
pub const MAX_REPLY_CHARS: usize = 268;
/// The help menu fits one segment.
pub const MAX_HELP_CHARS: usize = 70;
/// Policies listed by name in a BDCX answer; the rest are counted.
const POLICY_LINES: usize = 2;
/// Missing documents named in an LLCX answer.
const DOC_NAMES: usize = 3;

/// What became of one delivery of the webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    /// Recorded, and answered (or, past the limit, not).
    Recorded,
    /// This message id was handled before: nothing changed.
    Duplicate,
    /// Not from a mobile number: nothing to answer.
    Ignored,
}

/// What the sender may be told, as far as the reads go; decided before anything is
/// counted, used only once the limits are claimed.
enum Draft {
    /// Not the registered phone of anyone, or nothing of theirs by that name: the generic
    /// answer, word for word the same whatever the reason.
    NotFound,
    Stop,
    Help,
    /// BDCX: whether the ID digits matched, and (if so) the policies in force.
    Policies {
        matched: bool,
        policies: Vec<PolicySummary>,
    },
    Claim(ClaimAnswer),
    Checkups(Option<EntitlementRow>),
    Roadside(Option<EntitlementRow>),
}

/// What an LLCX answer says about one of the sender's claims.
pub struct ClaimAnswer {
    pub claim_id: String,
    pub claim_no: String,
    pub stage: ClaimStage,
    /// Document kinds the customer still has to send.
    pub missing: Vec<String>,
    pub expected: Estimate,
}

/// Handles one inbound text: records it once and queues its answer (transactional, in
/// the `sms_reply` category: no quiet hours, no weekly cap, whatever the preferences).
pub async fn answer(state: &AppState, sms: &InboundSms) -> anyhow::Result<Handled> {
    let Some(phone) = Phone::parse(&sms.phone) else {
        return Ok(Handled::Ignored);
    };
    let pool = &state.db.pool;
    let message_id = sms.message_id.as_str();
    if sms_inbound::seen(pool, message_id).await? {
        return Ok(Handled::Duplicate);
    }
    let query = SmsQuery::parse(&sms.text);
    let owner = customers::owner_of_phone(pool, phone.as_str()).await?;
    let locale = owner
        .as_ref()
        .and_then(|o| Locale::parse(&o.locale))
        .unwrap_or_default();
    let customer_id = owner.as_ref().map(|o| o.id.as_str());
    let draft = draft(state, &query, customer_id).await?;

    let now = state.clock.now();
    let mut tx = pool.begin().await?;
    if query == SmsQuery::Stop {
        // Whatever the limits say: a stop always stops.
        preferences::unsubscribe_phone(&mut *tx, phone.as_str(), now).await?;
    }
    let subject = phone.as_str();
    let limits = [
        (&lockout::SMS_QUERIES_PER_PHONE_HOUR, subject),
        (&lockout::SMS_QUERIES_PER_PHONE_DAY, subject),
    ];
    let (outcome, body, dedupe_key) =
        match attempt_limits::claim_all_in(&mut tx, &limits, now).await? {
            // One notice per window: every refused text in it shares the window's end.
            Err((_, until)) => (
                "limited",
                t_in(locale, "sms_reply.too_many"),
                format!("sms_reply:limited:{subject}:{until}"),
            ),
            Ok(()) => {
                let (outcome, body) =
                    compose(state, &mut tx, locale, customer_id, subject, draft, now).await?;
                (outcome, body, format!("sms_reply:{message_id}"))
            }
        };
    let reply_id = ids::new_id();
    let queued = outbox::enqueue_as(
        &mut *tx,
        &reply_id,
        outbox::NewMessage {
            customer_id,
            phone: subject,
            category: Category::SmsReply.as_str(),
            body: &body,
            secret_body: None,
            dedupe_key: Some(&dedupe_key),
            now,
        },
    )
    .await?;
    let recorded = sms_inbound::insert(
        &mut *tx,
        sms_inbound::NewInbound {
            id: &ids::new_id(),
            message_id,
            phone: subject,
            customer_id,
            body: &query.redacted(&sms.text),
            query: query.as_str(),
            outcome,
            reply_id: queued.then_some(reply_id.as_str()),
            now,
        },
    )
    .await?;
    if !recorded {
        // A parallel delivery of the same message won: nothing of ours may remain.
        tx.rollback().await?;
        return Ok(Handled::Duplicate);
    }
    tx.commit().await?;
    tracing::info!(phone = %phone, query = query.as_str(), outcome, "SMS text answered");
    Ok(Handled::Recorded)
}

/// Everything an answer needs, read before anything is counted.
async fn draft(
    state: &AppState,
    query: &SmsQuery,
    customer_id: Option<&str>,
) -> anyhow::Result<Draft> {
    let pool = &state.db.pool;
    Ok(match (query, customer_id) {
        (SmsQuery::Stop, _) => Draft::Stop,
        (SmsQuery::Help, _) => Draft::Help,
        (SmsQuery::Policies(_), None) => Draft::Policies {
            matched: false,
            policies: vec![],
        },
        (SmsQuery::Policies(last4), Some(c)) => {
            let stored = customers::id_last4_hash(pool, c).await?;
            let matched = stored.as_deref() == Some(id_last4_hash(state, c, last4).as_str());
            let policies = if matched {
                in_force(state, c).await?
            } else {
                vec![]
            };
            Draft::Policies { matched, policies }
        }
        (SmsQuery::Claim(no), Some(c)) => {
            // Looked up among the sender's own claims only.
            let found = claims::list_for_customer(pool, c)
                .await?
                .into_iter()
                .find(|row| row.claim_no == no.as_str());
            match found {
                Some(row) => match super::claims::view(state, c, &row.id).await? {
                    Some(v) => Draft::Claim(ClaimAnswer {
                        claim_id: v.claim.id.clone(),
                        claim_no: v.claim.claim_no.clone(),
                        stage: v.claim.stage,
                        missing: v.wanted().map(|(d, _)| d.kind.clone()).collect(),
                        expected: v.forecast.claim,
                    }),
                    None => Draft::NotFound,
                },
                None => Draft::NotFound,
            }
        }
        (SmsQuery::Checkups, Some(c)) => {
            Draft::Checkups(entitlement(state, c, ServiceMode::Appointment).await?)
        }
        (SmsQuery::Roadside, Some(c)) => {
            Draft::Roadside(entitlement(state, c, ServiceMode::Roadside).await?)
        }
        (SmsQuery::Claim(_) | SmsQuery::Checkups | SmsQuery::Roadside, None) => Draft::NotFound,
    })
}

/// The customer's policies in force, soonest-ending first.
async fn in_force(state: &AppState, customer_id: &str) -> sqlx::Result<Vec<PolicySummary>> {
    let today = state.clock.today_iso();
    Ok(crate::backend::services::policies::in_force(
        policies::list_for_customer(&state.db.pool, customer_id).await?,
        &today,
    ))
}

/// The customer's entitlement of this kind: the first with uses left, else the first.
async fn entitlement(
    state: &AppState,
    customer_id: &str,
    mode: ServiceMode,
) -> sqlx::Result<Option<EntitlementRow>> {
    let rows: Vec<EntitlementRow> =
        bookings::entitlements(&state.db.pool, customer_id, &state.clock.today_iso())
            .await?
            .into_iter()
            .filter(|e| ServiceMode::of(&e.kind_code) == mode)
            .collect();
    let first_left = rows.iter().position(|e| e.left() > 0).unwrap_or(0);
    Ok(rows.into_iter().nth(first_left))
}

/// The answer, now that the limits let it through: (outcome, text). Links are written
/// in the transaction, so a rolled-back duplicate leaves none.
async fn compose(
    state: &AppState,
    tx: &mut AnyConnection,
    locale: Locale,
    customer_id: Option<&str>,
    phone: &str,
    draft: Draft,
    now: i64,
) -> anyhow::Result<(&'static str, String)> {
    let not_found = || ("not_found", t_in(locale, "sms_reply.not_found"));
    Ok(match draft {
        Draft::NotFound => not_found(),
        Draft::Stop => ("answered", t_in(locale, "sms_reply.stopped")),
        Draft::Help => ("answered", help_text(locale)),
        Draft::Policies { matched, policies } => {
            // Claimed before the answer counts: parallel guesses get three answers at most.
            if attempt_limits::claim_in(&mut *tx, &lockout::SMS_POLICY_QUERY, phone, now)
                .await?
                .is_err()
            {
                return Ok(("locked", t_in(locale, "sms_reply.locked")));
            }
            if !matched {
                return Ok(not_found());
            }
            attempt_limits::reset_in(&mut *tx, &lockout::SMS_POLICY_QUERY, phone).await?;
            let due = policies
                .iter()
                .find(|p| p.open_offer_premium_fen.is_some())
                .map(|p| p.id.clone());
            let renew = match due {
                Some(policy) => {
                    Some(link(state, tx, customer_id, Purpose::Renewal, &policy, now).await?)
                }
                None => None,
            };
            (
                "answered",
                policies_text(locale, &policies, renew.as_deref()),
            )
        }
        Draft::Claim(c) => {
            let url = link(state, tx, customer_id, Purpose::Claim, &c.claim_id, now).await?;
            ("answered", claim_text(locale, &c, &url))
        }
        Draft::Checkups(e) => {
            let url = match &e {
                Some(e) if e.left() > 0 => {
                    Some(link(state, tx, customer_id, Purpose::Booking, &e.policy_id, now).await?)
                }
                _ => None,
            };
            (
                "answered",
                checkups_text(locale, e.as_ref(), url.as_deref()),
            )
        }
        Draft::Roadside(e) => {
            let url = match &e {
                Some(e) => {
                    Some(link(state, tx, customer_id, Purpose::Roadside, &e.policy_id, now).await?)
                }
                None => None,
            };
            (
                "answered",
                roadside_text(locale, e.as_ref(), url.as_deref()),
            )
        }
    })
}

/// A short link for the sender's customer, written in the answer's transaction.
async fn link(
    state: &AppState,
    tx: &mut AnyConnection,
    customer_id: Option<&str>,
    purpose: Purpose,
    target: &str,
    now: i64,
) -> anyhow::Result<String> {
    let customer = customer_id.ok_or_else(|| anyhow::anyhow!("a link for nobody"))?;
    Ok(short_links::create_url(
        state,
        tx,
        customer,
        purpose,
        target,
        now,
        now + LINK_DAYS * 86_400,
    )
    .await?)
}

pub fn help_text(locale: Locale) -> String {
    t_in(locale, "sms_reply.help")
}

fn last4(policy_no: &str) -> String {
    let chars: Vec<char> = policy_no.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

fn short(name: &str, max: usize) -> String {
    name.chars().take(max).collect()
}

fn name_in(locale: Locale, zh: &str, en: &str) -> String {
    short(if locale == Locale::En { en } else { zh }, 12)
}

/// BDCX: the policies in force, each with its masked number's tail, product, next due
/// date (the end of cover: the renewal is due then) and amount.
pub fn policies_text(locale: Locale, policies: &[PolicySummary], renew: Option<&str>) -> String {
    if policies.is_empty() {
        return t_in(locale, "sms_reply.no_policies");
    }
    let lines: String = policies
        .iter()
        .take(POLICY_LINES)
        .map(|p| {
            let amount = Money(p.open_offer_premium_fen.unwrap_or(p.premium_fen)).display();
            t_in_with(
                locale,
                "sms_reply.policy_line",
                &[
                    ("last4", &last4(&p.policy_no)),
                    ("product", &name_in(locale, &p.product_zh, &p.product_en)),
                    ("date", &p.end_date),
                    ("amount", &amount),
                ],
            )
        })
        .collect();
    let more = match policies.len().saturating_sub(POLICY_LINES) {
        0 => String::new(),
        n => t_in_with(locale, "sms_reply.more", &[("n", &n.to_string())]),
    };
    let renew = renew
        .map(|l| t_in_with(locale, "sms_reply.renew", &[("link", l)]))
        .unwrap_or_default();
    t_in_with(
        locale,
        "sms_reply.policies",
        &[
            ("count", &policies.len().to_string()),
            ("lines", &lines),
            ("more", &more),
            ("renew", &renew),
        ],
    )
}

/// LLCX: the stage, what is still missing, when it should be done, and the claim's link.
pub fn claim_text(locale: Locale, c: &ClaimAnswer, link: &str) -> String {
    let missing = if c.stage.is_closed() {
        String::new()
    } else if c.missing.is_empty() {
        t_in(locale, "sms_reply.claim_complete")
    } else {
        let sep = if locale == Locale::En { ", " } else { "、" };
        let docs: Vec<String> = c
            .missing
            .iter()
            .take(DOC_NAMES)
            .map(|k| t_in(locale, &format!("claim.doc.{k}")))
            .collect();
        t_in_with(
            locale,
            "sms_reply.claim_missing",
            &[("docs", &docs.join(sep))],
        )
    };
    let eta = match c.expected {
        Estimate::By(t) | Estimate::Overdue(t) => t_in_with(
            locale,
            "sms_reply.claim_eta",
            &[("date", &shanghai_date(t).to_string())],
        ),
        Estimate::Unknown => t_in(locale, "sms_reply.claim_eta_unknown"),
        Estimate::Done => t_in(locale, "sms_reply.claim_done"),
    };
    t_in_with(
        locale,
        "sms_reply.claim",
        &[
            ("claim_no", &c.claim_no),
            ("stage", &t_in(locale, &format!("claim.stage.{}", c.stage))),
            ("missing", &missing),
            ("eta", &eta),
            ("link", link),
        ],
    )
}

/// TJ: check-ups left and a link to book one.
pub fn checkups_text(locale: Locale, e: Option<&EntitlementRow>, link: Option<&str>) -> String {
    match (e, link) {
        (Some(e), Some(link)) => t_in_with(
            locale,
            "sms_reply.checkups",
            &[
                ("service", &name_in(locale, &e.kind_zh, &e.kind_en)),
                ("left", &e.left().to_string()),
                ("last4", &last4(&e.policy_no)),
                ("until", &e.year_end),
                ("link", link),
            ],
        ),
        (Some(e), None) => t_in_with(
            locale,
            "sms_reply.checkups_used",
            &[
                ("service", &name_in(locale, &e.kind_zh, &e.kind_en)),
                ("last4", &last4(&e.policy_no)),
            ],
        ),
        (None, _) => t_in(locale, "sms_reply.no_checkups"),
    }
}

/// JY: the hotline always, then calls left and a link to ask for help.
pub fn roadside_text(locale: Locale, e: Option<&EntitlementRow>, link: Option<&str>) -> String {
    match (e, link) {
        (Some(e), Some(link)) => t_in_with(
            locale,
            "sms_reply.roadside",
            &[
                ("hotline", HOTLINE),
                ("left", &e.left().to_string()),
                ("last4", &last4(&e.policy_no)),
                ("link", link),
            ],
        ),
        _ => t_in_with(locale, "sms_reply.no_roadside", &[("hotline", HOTLINE)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyStatus;

    const LINK: &str = "https://anxin.example.cn/s/AbCdEfGhIjKlMnOpQrStUv";

    fn policy(no: &str, product: &str) -> PolicySummary {
        PolicySummary {
            id: "p".into(),
            policy_no: no.into(),
            status: PolicyStatus::Active,
            insured_object: "沪A·D1234".into(),
            line: "auto".into(),
            product_zh: product.into(),
            product_en: "Comprehensive Motor Insurance Plus".into(),
            start_date: "2026-01-01".into(),
            end_date: "2026-12-31".into(),
            premium_fen: 1_234_567,
            open_offer_premium_fen: Some(1_299_900),
            product_id: "x".into(),
            auto_debit: 0,
            verification_code: "V".into(),
        }
    }

    fn entitlement(code: &str, left: i64) -> EntitlementRow {
        EntitlementRow {
            customer_id: "c".into(),
            policy_id: "p".into(),
            policy_no: "PA20260001234".into(),
            insured_object: "沪A·D1234".into(),
            product_zh: "安心车险".into(),
            product_en: "Motor".into(),
            service_kind_id: "k".into(),
            kind_code: code.into(),
            kind_zh: "健康体检".into(),
            kind_en: "health check-up".into(),
            allowed: 2,
            used: 2 - left,
            year_start: "2026-01-01".into(),
            year_end: "2026-12-31".into(),
        }
    }

    fn all_answers(locale: Locale) -> Vec<String> {
        let many: Vec<PolicySummary> = (0..5)
            .map(|i| policy(&format!("PA2026000{i}999"), "机动车综合商业保险尊享版"))
            .collect();
        let claim = ClaimAnswer {
            claim_id: "c".into(),
            claim_no: "CL2026000123".into(),
            stage: ClaimStage::Assessment,
            missing: vec![
                "driving_licence".into(),
                "vehicle_licence".into(),
                "repair_estimate".into(),
                "accident_certificate".into(),
            ],
            expected: Estimate::By(1_796_000_000),
        };
        vec![
            policies_text(locale, &many, Some(LINK)),
            policies_text(locale, &many[..1], None),
            policies_text(locale, &[], None),
            claim_text(locale, &claim, LINK),
            checkups_text(locale, Some(&entitlement("health_checkup", 2)), Some(LINK)),
            checkups_text(locale, Some(&entitlement("health_checkup", 0)), None),
            checkups_text(locale, None, None),
            roadside_text(
                locale,
                Some(&entitlement("roadside_assistance", 6)),
                Some(LINK),
            ),
            roadside_text(locale, None, None),
            t_in(locale, "sms_reply.not_found"),
            t_in(locale, "sms_reply.too_many"),
            t_in(locale, "sms_reply.locked"),
            t_in(locale, "sms_reply.stopped"),
        ]
    }

    #[test]
    fn every_answer_fits_a_few_segments_and_the_help_menu_one() {
        for locale in [Locale::ZhCn, Locale::En] {
            assert!(
                help_text(locale).chars().count() <= MAX_HELP_CHARS,
                "{locale:?}"
            );
            for a in all_answers(locale) {
                assert!(
                    a.chars().count() <= MAX_REPLY_CHARS,
                    "{} chars: {a}",
                    a.chars().count()
                );
                assert!(!a.contains("%{"), "unfilled: {a}");
            }
        }
    }

    #[test]
    fn a_bdcx_answer_shows_the_number_tail_due_date_amount_and_the_renewal_link() {
        let a = policies_text(
            Locale::ZhCn,
            &[policy("PA20260001234", "安心车险")],
            Some(LINK),
        );
        assert!(a.contains("尾号1234") && !a.contains("PA2026"), "{a}");
        assert!(a.contains("2026-12-31") && a.contains("12,999.00"), "{a}");
        assert!(a.contains(LINK), "{a}");
        let en = policies_text(Locale::En, &[policy("PA20260001234", "安心车险")], None);
        assert!(en.starts_with("Anxin") && en.contains("1234"), "{en}");
    }

    #[test]
    fn an_llcx_answer_names_the_stage_the_missing_documents_and_the_date() {
        let c = ClaimAnswer {
            claim_id: "c".into(),
            claim_no: "CL2026000123".into(),
            stage: ClaimStage::Assessment,
            missing: vec!["driving_licence".into()],
            expected: Estimate::Unknown,
        };
        let a = claim_text(Locale::ZhCn, &c, LINK);
        assert!(a.contains("CL2026000123") && a.contains("定损"), "{a}");
        assert!(
            a.contains(&t_in(Locale::ZhCn, "claim.doc.driving_licence")),
            "{a}"
        );
        assert!(a.contains(LINK), "{a}");
    }
}
